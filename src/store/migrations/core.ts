import type { Dialect, Migration } from '../db.js';
import { subjectKeySql } from '../finding-key.js';

/**
 * Core tables: statements, list versions, findings (+ subjects), imports log.
 *
 * Portable SQL (DuckDB and PostgreSQL). Citus readiness: the only unique keys are on small reference tables
 * (list_versions, imports) and on findings (subject_key, id) (subject_key is the distribution column of findings,
 * migration 0004); statements carry no
 * unique constraint so they can be distributed by entity_id (see docs/store.md).
 */
export const coreMigrations: Migration[] = [
  {
    id: '0001_core',
    description: 'statements, list versions, findings, finding subjects, imports log',
    sql: `
CREATE TABLE statements (
  entity_id TEXT NOT NULL,
  schema TEXT NOT NULL,
  prop TEXT NOT NULL,
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  source_record TEXT NOT NULL,
  seen_at TEXT NOT NULL,
  version_id TEXT,
  ord BIGINT NOT NULL
);

CREATE TABLE list_versions (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  format TEXT NOT NULL,
  url TEXT,
  fetched_at TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  record_count BIGINT NOT NULL,
  statement_count BIGINT NOT NULL
);
CREATE INDEX list_versions_source_idx ON list_versions (source, imported_at);

CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  start_ts TEXT NOT NULL,
  end_ts TEXT,
  start_ms BIGINT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  subjects TEXT NOT NULL,
  red_flags TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX findings_kind_idx ON findings (kind, start_ms);
CREATE INDEX findings_start_idx ON findings (start_ms);

CREATE TABLE finding_subjects (
  finding_id TEXT NOT NULL,
  entity_id TEXT NOT NULL
);
CREATE INDEX finding_subjects_entity_idx ON finding_subjects (entity_id);
CREATE INDEX finding_subjects_finding_idx ON finding_subjects (finding_id);

CREATE TABLE imports (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  location TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  details TEXT
);
CREATE INDEX imports_kind_sha_idx ON imports (kind, sha256);
`,
  },
  {
    id: '0002_statement_indexes',
    description: 'statement lookup indexes (entity everywhere; version and value on PostgreSQL)',
    // DuckDB maintains ART indexes on every insert and scans a column of millions of values in milliseconds,
    // so it keeps only the entity index used by getEntity; PostgreSQL needs B-trees for every lookup.
    sql: {
      duckdb: 'CREATE INDEX IF NOT EXISTS statements_entity_idx ON statements (entity_id);',
      postgres: `CREATE INDEX IF NOT EXISTS statements_entity_idx ON statements (entity_id);
CREATE INDEX IF NOT EXISTS statements_version_idx ON statements (version_id);
CREATE INDEX IF NOT EXISTS statements_value_idx ON statements (value);`,
    },
  },
  {
    id: '0003_statement_value_hash',
    description: 'statement value lookups through a hash index on PostgreSQL (no B-tree entry size limit)',
    // entitiesReferencing only compares value for equality. A B-tree entry must fit in a third of a page
    // (2704 bytes), so a long value (an FtM note, a description) made the whole list import fail; a hash
    // index stores 4-byte hashes and never refuses a row. DuckDB has no value index: nothing to change.
    sql: {
      duckdb: 'SELECT 1;',
      postgres: `DROP INDEX IF EXISTS statements_value_idx;
CREATE INDEX IF NOT EXISTS statements_value_hash_idx ON statements USING hash (value);`,
    },
  },
  {
    id: '0004_findings_subject_key',
    description: 'findings keyed by (subject_key, id): the distribution column of findings on Citus',
    // Citus distributes findings by their first subject (src/store/finding-key.ts) and wants every unique key to
    // hold the distribution column, so the key becomes (subject_key, id) and a plain index serves lookups by id.
    // The table is rebuilt (DuckDB cannot change a primary key in place; on a Citus coordinator the old
    // reference table is dropped and the new plain table is distributed by the layout that runs after the
    // migrations), with the key of the rows already stored computed in SQL.
    sql: { duckdb: findingsKeySql('duckdb'), postgres: findingsKeySql('postgres') },
  },
];

function findingsKeySql(dialect: Dialect): string {
  const cols = 'id, kind, start_ts, end_ts, start_ms, score, subjects, red_flags, doc';
  return `CREATE TABLE findings_0004 (
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  start_ts TEXT NOT NULL,
  end_ts TEXT,
  start_ms BIGINT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  subjects TEXT NOT NULL,
  red_flags TEXT NOT NULL,
  doc TEXT NOT NULL,
  subject_key INTEGER NOT NULL,
  PRIMARY KEY (subject_key, id)
);
INSERT INTO findings_0004 (${cols}, subject_key) SELECT ${cols}, ${subjectKeySql(dialect, 'subjects')} FROM findings;
DROP TABLE findings;
ALTER TABLE findings_0004 RENAME TO findings;
${dialect === 'postgres' ? 'ALTER INDEX findings_0004_pkey RENAME TO findings_pkey;' : ''}
CREATE INDEX findings_id_idx ON findings (id);
CREATE INDEX findings_kind_idx ON findings (kind, start_ms);
CREATE INDEX findings_start_idx ON findings (start_ms);`;
}
