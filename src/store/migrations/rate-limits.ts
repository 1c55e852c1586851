import type { Migration } from '../db.js';

/**
 * Window counters shared by every server process on one database (src/api/auth/limits.ts): failed sign-ins per
 * address and user name, heavy requests per client. One row per (counter, key) and window; ended windows are
 * pruned by the servers. In the auth range (0800-0899). Created on DuckDB too (same schema everywhere), where the
 * counters stay in memory because one process owns the file.
 */
export const rateLimitMigrations: Migration[] = [
  {
    id: '0805_rate_windows',
    description: 'sign-in and heavy-request limits shared by every server process on the database',
    sql: `CREATE TABLE IF NOT EXISTS rate_windows (
  name TEXT NOT NULL,
  client_key TEXT NOT NULL,
  n INTEGER NOT NULL,
  reset_ms BIGINT NOT NULL,
  PRIMARY KEY (name, client_key)
);`,
  },
];
