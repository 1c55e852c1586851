import type { Migration } from '../store/db.js';
import { groupMigrations } from './groups.js';

/** The same tables on both engines; only the append-only trigger is PostgreSQL's own. */
const TABLES_SQL = `CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS case_access (
  case_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  access TEXT NOT NULL,
  granted_by TEXT,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (case_id, user_id)
);
`;

const AUDIT_SQL = `
CREATE TABLE IF NOT EXISTS audit_log (
  id TEXT PRIMARY KEY,
  ts TEXT NOT NULL,
  user_id TEXT,
  username TEXT NOT NULL,
  via TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  path TEXT NOT NULL,
  operation TEXT,
  status INTEGER NOT NULL,
  ip TEXT,
  user_agent TEXT,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_ts ON audit_log (ts);
`;

/**
 * Accounts, sessions, API tokens, case sharing and the audit trail (range 0800-0899). Small reference tables: plain
 * keys are fine on Citus. Times are ISO-8601 UTC text. Secrets are never stored: passwords as scrypt hashes,
 * session ids and API tokens as SHA-256. On PostgreSQL a trigger makes audit_log append-only (DuckDB has no
 * triggers; no code path there updates or deletes it).
 */
export const authMigrations: Migration[] = [
  {
    id: '0800_auth',
    description: 'users, sessions, api tokens, case access, append-only audit log',
    sql: {
      duckdb: `
${TABLES_SQL}${AUDIT_SQL}`,
      postgres: `
${TABLES_SQL}${AUDIT_SQL}
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
`,
    },
  },
  {
    id: '0801_audit_chain_hash',
    description: 'audit rows of case writes carry the case log entry hash',
    sql: 'ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain_hash TEXT;',
  },
  {
    id: '0802_oidc_identities',
    description: 'OIDC sign-ins: the user of each (issuer, subject)',
    sql: `CREATE TABLE IF NOT EXISTS oidc_identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL,
  email TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (issuer, subject)
);`,
  },
  {
    id: '0803_oidc_pending',
    description: 'OIDC sign-ins in progress, in the store so that any server process can finish them',
    sql: `CREATE TABLE IF NOT EXISTS oidc_pending (
  state_hash TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  verifier TEXT NOT NULL,
  return_to TEXT NOT NULL,
  expires_ms BIGINT NOT NULL,
  created_at TEXT NOT NULL
);`,
  },
  ...groupMigrations,
];
