import type { Migration } from '../db.js';

/**
 * Window counters shared by every server process on one database (src/api/auth/limits.ts): failed sign-ins per
 * address and user name, heavy requests per client. One row per (counter, key) and window; ended windows are
 * pruned by the servers. In the auth range (0800-0899).
 *
 * UNLOGGED on PostgreSQL: a count is worth no WAL flush. With fsync on, a logged upsert waited for the disk
 * (p50 4.0 ms per try here), an unlogged one does not (p50 0.1 ms). A crash or a fail-over to a standby empties
 * the table, which only restarts the windows. Created on DuckDB too (same schema everywhere), where the counters
 * stay in memory because one process owns the file.
 */
const COLUMNS = `
  name TEXT NOT NULL,
  client_key TEXT NOT NULL,
  n INTEGER NOT NULL,
  reset_ms BIGINT NOT NULL,
  PRIMARY KEY (name, client_key)
`;

export const rateLimitMigrations: Migration[] = [
  {
    id: '0805_rate_windows',
    description: 'sign-in and heavy-request limits shared by every server process on the database',
    sql: {
      duckdb: `CREATE TABLE IF NOT EXISTS rate_windows (${COLUMNS});`,
      postgres: `CREATE UNLOGGED TABLE IF NOT EXISTS rate_windows (${COLUMNS});`,
    },
  },
];
