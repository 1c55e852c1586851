import type { Migration } from '../store/db.js';

/**
 * Tables for cases, case items, watchlists and alerts. Ids in this module's range (0500-0599, see
 * store/migrations/index.ts). Small reference tables: on Citus they stay local/reference tables, so plain primary
 * keys are fine here. Times are ISO-8601 UTC text (metadata, not hot path).
 */
export const casesMigrations: Migration[] = [
  {
    id: '0500_cases',
    description: 'cases, case items (findings, entities, addresses, notes), watchlist, alerts',
    sql: `
CREATE TABLE IF NOT EXISTS cases (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_items (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  note TEXT,
  added_at TEXT NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS case_items_case ON case_items (case_id);
CREATE TABLE IF NOT EXISTS watchlist (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watch_seen (
  watch_id TEXT NOT NULL,
  finding_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS watch_seen_watch ON watch_seen (watch_id);
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  watch_id TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  read_at TEXT
);
`,
  },
  {
    id: '0510_case_attachments_log',
    description: 'case attachments (content-addressed files) and the hash-chained case log',
    sql: `
CREATE TABLE IF NOT EXISTS case_attachments (
  case_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  media_type TEXT NOT NULL,
  kind TEXT NOT NULL,
  filename TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  caption TEXT NOT NULL,
  source TEXT NOT NULL,
  taken TEXT,
  licence TEXT NOT NULL,
  footprint_json TEXT,
  footprint_from TEXT,
  width_px INTEGER,
  height_px INTEGER,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  PRIMARY KEY (case_id, sha256)
);
CREATE TABLE IF NOT EXISTS case_log (
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  detail_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
);
`,
  },
];
