import type { Migration } from '../store/db.js';

/**
 * Entity resolution tables (range 0600-0699). Portable SQL; Citus-ready: no unique keys (judgements are appended
 * and the latest per pair counts; a run replaces its canonical map), judgements distribute by left_id and the
 * canonical map by entity_id. DuckDB gets no secondary indexes here: the tables hold thousands of rows, a scan is
 * instant, and DuckDB's ART indexes make DELETE costly.
 */
export const resolveMigrations: Migration[] = [
  {
    id: '0600_resolve',
    description: 'entity resolution: judgements, canonical map, resolution runs',
    sql: {
      duckdb: `
CREATE TABLE resolve_judgements (
  left_id TEXT NOT NULL, right_id TEXT NOT NULL, verdict TEXT NOT NULL, reason TEXT NOT NULL,
  author TEXT NOT NULL, origin TEXT NOT NULL, created_at TEXT NOT NULL, ord BIGINT NOT NULL
);
CREATE TABLE resolve_canonical (entity_id TEXT NOT NULL, canonical_id TEXT NOT NULL);
CREATE TABLE resolve_runs (
  id TEXT NOT NULL, fingerprint TEXT NOT NULL, resolved_at TEXT NOT NULL, keyed BIGINT NOT NULL,
  clusters BIGINT NOT NULL, referents BIGINT NOT NULL, merges BIGINT NOT NULL, refused BIGINT NOT NULL
);
`,
      postgres: `
CREATE TABLE resolve_judgements (
  left_id TEXT NOT NULL, right_id TEXT NOT NULL, verdict TEXT NOT NULL, reason TEXT NOT NULL,
  author TEXT NOT NULL, origin TEXT NOT NULL, created_at TEXT NOT NULL, ord BIGINT NOT NULL
);
CREATE INDEX resolve_judgements_left_idx ON resolve_judgements (left_id);
CREATE INDEX resolve_judgements_right_idx ON resolve_judgements (right_id);
CREATE INDEX resolve_judgements_origin_idx ON resolve_judgements (origin);
CREATE TABLE resolve_canonical (entity_id TEXT NOT NULL, canonical_id TEXT NOT NULL);
CREATE INDEX resolve_canonical_entity_idx ON resolve_canonical (entity_id);
CREATE INDEX resolve_canonical_canonical_idx ON resolve_canonical (canonical_id);
CREATE TABLE resolve_runs (
  id TEXT NOT NULL, fingerprint TEXT NOT NULL, resolved_at TEXT NOT NULL, keyed BIGINT NOT NULL,
  clusters BIGINT NOT NULL, referents BIGINT NOT NULL, merges BIGINT NOT NULL, refused BIGINT NOT NULL
);
`,
    },
  },
  {
    id: '0601_resolve_candidates',
    description: 'entity resolution: the matcher’s scored candidate pairs, kept per list state',
    sql: {
      duckdb: `
CREATE TABLE resolve_candidate_runs (
  signature TEXT NOT NULL, threshold DOUBLE NOT NULL, pairs BIGINT NOT NULL, computed_at TEXT NOT NULL
);
CREATE TABLE resolve_candidates (
  left_id TEXT NOT NULL, right_id TEXT NOT NULL, left_schema TEXT NOT NULL, right_schema TEXT NOT NULL,
  left_datasets TEXT NOT NULL, right_datasets TEXT NOT NULL, score DOUBLE NOT NULL, features TEXT NOT NULL
);
`,
      postgres: `
CREATE TABLE resolve_candidate_runs (
  signature TEXT NOT NULL, threshold DOUBLE PRECISION NOT NULL, pairs BIGINT NOT NULL, computed_at TEXT NOT NULL
);
CREATE TABLE resolve_candidates (
  left_id TEXT NOT NULL, right_id TEXT NOT NULL, left_schema TEXT NOT NULL, right_schema TEXT NOT NULL,
  left_datasets TEXT NOT NULL, right_datasets TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, features TEXT NOT NULL
);
`,
    },
  },
  {
    id: '0602_ownership_runs',
    description:
      'ownership: detect’s ownership findings kept with the fingerprint of their inputs (src/ownership/findings.ts)',
    sql: {
      duckdb:
        'CREATE TABLE ownership_runs (fingerprint TEXT NOT NULL, computed_at TEXT NOT NULL, findings TEXT NOT NULL);',
      postgres:
        'CREATE TABLE ownership_runs (fingerprint TEXT NOT NULL, computed_at TEXT NOT NULL, findings TEXT NOT NULL);',
    },
  },
];
