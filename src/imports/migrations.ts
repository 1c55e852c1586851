import type { Migration } from '../store/db.js';

/**
 * Imports over HTTP (range 1000-1099): one row per import job, so any server on the same PostgreSQL answers
 * `GET /imports/jobs/{id}` and can ask for a cancel. The file itself stays on the disk of the server that received
 * it (`runner`), which runs the job. Times are ISO-8601 text, except the heartbeat (epoch ms): a queued or running
 * job whose heartbeat is stale belongs to a server that stopped, and is marked failed ("interrupted").
 */
const SQL = `
CREATE TABLE IF NOT EXISTS import_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  owner_id TEXT,
  owner_name TEXT NOT NULL,
  filename TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  params TEXT NOT NULL,
  runner TEXT NOT NULL,
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  progress TEXT,
  result TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  heartbeat_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS import_jobs_owner ON import_jobs (owner_name, created_at);
CREATE INDEX IF NOT EXISTS import_jobs_state ON import_jobs (state);
`;

export const importsMigrations: Migration[] = [
  { id: '1000_import_jobs', description: 'import jobs over HTTP: state, progress, result', sql: SQL },
];
