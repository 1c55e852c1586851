import type { Finding } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import type { Statement } from '../model/statement.js';
import type { Db, Dialect, Migration } from './db.js';

/**
 * The Store: one interface over DuckDB (embedded default) and PostgreSQL (shared deployments). Both pass the same
 * contract tests (test/store/contract.ts). Domain modules that need their own tables (positions, transfers,
 * cases, ...) register migrations in store/migrations/index.ts and write portable SQL over `store.db`.
 */

/** One import of a list or dataset: what was loaded, from where, and its checksum. */
export interface ListVersion {
  /** Stable id: `<source>@<sha256 prefix>`; re-importing identical bytes gives the same id. */
  id: string;
  /** Dataset name, e.g. "un_sc", "us_ofac_sdn", "opensanctions". */
  source: string;
  /** Format the importer read ("un-xml", "ofac-csv", "ftm"). */
  format: string;
  url: string | null;
  /** When the file was fetched or published (ISO-8601 UTC). */
  fetchedAt: string;
  /** When it was imported here (ISO-8601 UTC). */
  importedAt: string;
  sha256: string;
  recordCount: number;
  statementCount: number;
}

export interface FindingFilter {
  kinds?: string[];
  /** Findings naming this entity id among their subjects. */
  subject?: string;
  /** ISO times: findings whose start is in [since, until). */
  since?: string;
  until?: string;
  minScore?: number;
  redFlag?: string;
  limit?: number;
  offset?: number;
}

/** A record of one file or batch imported into a domain table, so re-imports are detected and refused. */
export interface ImportRecord {
  id: string;
  kind: string;
  /** File path, URL or feed the data came from. */
  location: string;
  sha256: string;
  importedAt: string;
  rowCount: number;
  details?: Record<string, unknown>;
}

export interface Store {
  readonly kind: Dialect;
  readonly db: Db;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;

  // ---- lists and statements -------------------------------------------------------------------------------
  /**
   * Atomically add a list version and its statements. If the version id already exists nothing is written and
   * the existing version is returned with `created: false`.
   */
  addListVersion(
    version: Omit<ListVersion, 'statementCount' | 'importedAt'> & { importedAt?: string },
    statements: Iterable<Statement> | AsyncIterable<Statement>,
  ): Promise<{ version: ListVersion; created: boolean }>;
  listVersions(source?: string): Promise<ListVersion[]>;
  getListVersion(id: string): Promise<ListVersion | undefined>;
  /** The newest version of each source (by importedAt). */
  currentVersions(): Promise<ListVersion[]>;
  /** Remove a version and its statements (used by tests and `lists remove`). */
  deleteListVersion(id: string): Promise<void>;
  statementsForVersion(versionId: string): Promise<Statement[]>;
  /**
   * Statements of the current version of every source, plus statements that belong to no version
   * (entities created by analysers or by hand). Optionally only some sources.
   */
  currentStatements(opts?: { sources?: string[] }): Promise<Statement[]>;
  /**
   * Add statements outside of any list version (e.g. vessels seen in AIS, wallets seen on chain); returns how many
   * were new. A statement the store already holds outside versions (same entity, prop, value and source) is left
   * out, and so are repeats within the call (the first one is kept). `opts.distinct`: the caller guarantees there
   * are no repeats within the call, so that check is skipped.
   */
  putStatements(
    statements: Iterable<Statement> | AsyncIterable<Statement>,
    opts?: { distinct?: boolean },
  ): Promise<number>;
  /** An entity rebuilt from its current statements, or undefined. */
  getEntity(id: string): Promise<Entity | undefined>;
  getEntities(ids: string[]): Promise<Entity[]>;
  /** Entities with a current statement whose value is `id` (ownership, sanctions, directorships, ...). */
  entitiesReferencing(id: string): Promise<Entity[]>;

  // ---- findings ---------------------------------------------------------------------------------------------
  /** Insert or replace findings by id (detectors re-run idempotently). Returns the number written. */
  putFindings(findings: Finding[]): Promise<number>;
  getFinding(id: string): Promise<Finding | undefined>;
  queryFindings(filter?: FindingFilter): Promise<Finding[]>;
  countFindings(filter?: FindingFilter): Promise<number>;
  deleteFindings(filter: { kinds: string[] }): Promise<number>;

  // ---- imports log ------------------------------------------------------------------------------------------
  findImport(kind: string, sha256: string): Promise<ImportRecord | undefined>;
  recordImport(record: ImportRecord): Promise<void>;
  listImports(kind?: string): Promise<ImportRecord[]>;

  /** Migrations applied, in order (for `watchkeeper store info`). */
  appliedMigrations(): Promise<Array<{ id: string; appliedAt: string }>>;
  close(): Promise<void>;
}

export type { Db, Dialect, Migration };
