import { UserError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { datasetAliases } from '../lists/dataset-names.js';
import { type Entity, entitiesFromStatements } from '../model/entity.js';
import type { Statement } from '../model/statement.js';
import type { ColumnBatch, ColumnSpec, Db, Dialect, SqlValue } from './db.js';
import { findingSubjectKey } from './finding-key.js';
import { appliedMigrations } from './migrate.js';
import {
  CURRENT_FILTER,
  CURRENT_VERSIONS_SQL,
  readStatements,
  STATEMENT_COLUMNS,
  STATEMENT_SELECT,
  selectStatements,
  statementBatches,
} from './repositories/statements.js';
import type { FindingFilter, ImportRecord, ListVersion, Store } from './store.js';

const VERSION_COLS = 'id, source, format, url, fetched_at, imported_at, sha256, record_count, statement_count';

function rowToVersion(r: Record<string, SqlValue>): ListVersion {
  return {
    id: r.id as string,
    source: r.source as string,
    format: r.format as string,
    url: (r.url as string | null) ?? null,
    fetchedAt: r.fetched_at as string,
    importedAt: r.imported_at as string,
    sha256: r.sha256 as string,
    recordCount: Number(r.record_count),
    statementCount: Number(r.statement_count),
  };
}

function rowToImport(r: Record<string, SqlValue>): ImportRecord {
  const rec: ImportRecord = {
    id: r.id as string,
    kind: r.kind as string,
    location: r.location as string,
    sha256: r.sha256 as string,
    importedAt: r.imported_at as string,
    rowCount: Number(r.row_count),
  };
  if (typeof r.details === 'string' && r.details !== '') rec.details = JSON.parse(r.details) as Record<string, unknown>;
  return rec;
}

/** `$k, $k+1, ...` placeholders for `n` values starting at index `start` (1-based). */
function placeholders(n: number, start = 1): string {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `$${start + i}`;
  return out.join(', ');
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function timeMs(iso: string, field: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new UserError(`${field}: "${iso}" is not an ISO 8601 time`);
  return ms;
}

let ordClock = 0;
/**
 * Ordering base for statements outside versions: increases within a process, roughly time-ordered across. The
 * caller moves `ordClock` past the numbers it used.
 */
function ordBase(): number {
  return Math.max(Date.now() * 1000, ordClock);
}

let stageSeq = 0;

const FINDING_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'start_ts', type: 'text' },
  { name: 'end_ts', type: 'text' },
  { name: 'start_ms', type: 'bigint' },
  { name: 'score', type: 'double' },
  { name: 'subjects', type: 'text' },
  { name: 'red_flags', type: 'text' },
  { name: 'doc', type: 'text' },
  // The distribution key of findings on Citus (its first subject, src/store/finding-key.ts).
  { name: 'subject_key', type: 'int' },
];

/** The Store over any `Db`: every repository query is portable SQL, so DuckDB and PostgreSQL share it. */
export class SqlStore implements Store {
  readonly kind: Dialect;
  readonly location: string;

  constructor(readonly db: Db) {
    this.kind = db.dialect;
    this.location = db.location;
  }

  // ---- lists and statements -------------------------------------------------------------------------------

  async addListVersion(
    version: Omit<ListVersion, 'statementCount' | 'importedAt'> & { importedAt?: string },
    statements: Iterable<Statement> | AsyncIterable<Statement>,
  ): Promise<{ version: ListVersion; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const existing = await tx.query(`SELECT ${VERSION_COLS} FROM list_versions WHERE id = $1`, [version.id]);
      if (existing[0]) return { version: rowToVersion(existing[0]), created: false };
      const counter = { n: 0 };
      const statementCount = await tx.bulkInsert(
        'statements',
        STATEMENT_COLUMNS,
        statementBatches(statements, version.id, counter),
      );
      const full: ListVersion = {
        id: version.id,
        source: version.source,
        format: version.format,
        url: version.url ?? null,
        fetchedAt: version.fetchedAt,
        importedAt: version.importedAt ?? new Date().toISOString(),
        sha256: version.sha256,
        recordCount: version.recordCount,
        statementCount,
      };
      await tx.query(`INSERT INTO list_versions (${VERSION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
        full.id,
        full.source,
        full.format,
        full.url,
        full.fetchedAt,
        full.importedAt,
        full.sha256,
        full.recordCount,
        full.statementCount,
      ]);
      return { version: full, created: true };
    });
  }

  async listVersions(source?: string): Promise<ListVersion[]> {
    const rows =
      source === undefined
        ? await this.db.query(`SELECT ${VERSION_COLS} FROM list_versions ORDER BY imported_at, id`)
        : await this.db.query(
            // Either spelling of a dataset name (`un_sc` or `un_sc_sanctions`, src/lists/dataset-names.ts).
            `SELECT ${VERSION_COLS} FROM list_versions WHERE source IN (${placeholders(datasetAliases(source).length)}) ORDER BY imported_at, id`,
            datasetAliases(source),
          );
    return rows.map(rowToVersion);
  }

  async getListVersion(id: string): Promise<ListVersion | undefined> {
    const rows = await this.db.query(`SELECT ${VERSION_COLS} FROM list_versions WHERE id = $1`, [id]);
    return rows[0] ? rowToVersion(rows[0]) : undefined;
  }

  async currentVersions(): Promise<ListVersion[]> {
    const rows = await this.db.query(
      `SELECT ${VERSION_COLS} FROM list_versions WHERE id IN (${CURRENT_VERSIONS_SQL}) ORDER BY source`,
    );
    return rows.map(rowToVersion);
  }

  async deleteListVersion(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM statements WHERE version_id = $1', [id]);
      await tx.query('DELETE FROM list_versions WHERE id = $1', [id]);
    });
  }

  async statementsForVersion(versionId: string): Promise<Statement[]> {
    return readStatements(this.db, 's.version_id = $1', [versionId], 's.ord');
  }

  async currentStatements(opts?: { sources?: string[] }): Promise<Statement[]> {
    const sources = opts?.sources && [...new Set(opts.sources.flatMap(datasetAliases))];
    if (sources === undefined) return readStatements(this.db, CURRENT_FILTER);
    if (sources.length === 0) return [];
    return readStatements(this.db, `${CURRENT_FILTER} AND s.source IN (${placeholders(sources.length)})`, sources);
  }

  async putStatements(
    statements: Iterable<Statement> | AsyncIterable<Statement>,
    opts: { distinct?: boolean } = {},
  ): Promise<number> {
    // Stream into a staging table, then one INSERT ... SELECT keeps the first of any in-call repeats
    // (DISTINCT ON, earliest ord; skipped when the caller says there are none: it is most of the INSERT's cost)
    // and anti-joins the statements already stored outside versions.
    return this.db.transaction(async (tx) => {
      stageSeq += 1;
      const stage = `wk_put_stage_${process.pid}_${stageSeq}`;
      await tx.exec(
        `CREATE TEMP TABLE ${stage} (entity_id TEXT, schema TEXT, prop TEXT, value TEXT, source TEXT, source_record TEXT, seen_at TEXT, version_id TEXT, ord BIGINT)`,
      );
      try {
        const counter = { n: ordBase() };
        const stagedRows = await tx.bulkInsert(stage, STATEMENT_COLUMNS, statementBatches(statements, null, counter));
        ordClock = counter.n + 1;
        if (stagedRows === 0) return 0;
        const source = opts.distinct
          ? stage
          : `(SELECT DISTINCT ON (entity_id, prop, value, source) * FROM ${stage}
            ORDER BY entity_id, prop, value, source, ord)`;
        const select = `SELECT entity_id, schema, prop, value, source, source_record, seen_at, NULL, ord FROM ${source} st
          WHERE NOT EXISTS (SELECT 1 FROM statements s WHERE s.version_id IS NULL
            AND s.entity_id = st.entity_id AND s.prop = st.prop AND s.value = st.value AND s.source = st.source)`;
        const insert = `INSERT INTO statements (${STATEMENT_SELECT}, ord) ${select}`;
        // DuckDB reports the rows an INSERT wrote as its result ("Count"); PostgreSQL counts RETURNING rows.
        const rows =
          this.kind === 'duckdb'
            ? await tx.query<{ Count: number }>(insert)
            : await tx.query<{ n: number }>(`WITH ins AS (${insert} RETURNING 1) SELECT count(*) AS n FROM ins`);
        const row = rows[0] as Record<string, unknown> | undefined;
        return Number(row?.Count ?? row?.n ?? 0);
      } finally {
        await tx.exec(`DROP TABLE IF EXISTS ${stage}`);
      }
    });
  }

  async getEntity(id: string): Promise<Entity | undefined> {
    const sts = await selectStatements(this.db, `s.entity_id = $1 AND ${CURRENT_FILTER}`, [id]);
    return sts.length > 0 ? entitiesFromStatements(sts)[0] : undefined;
  }

  async getEntities(ids: string[]): Promise<Entity[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const sts: Statement[] = [];
    for (const part of chunks(unique, 1000)) {
      sts.push(
        ...(await readStatements(this.db, `s.entity_id IN (${placeholders(part.length)}) AND ${CURRENT_FILTER}`, part)),
      );
    }
    const byId = new Map(entitiesFromStatements(sts).map((e) => [e.id, e]));
    const out: Entity[] = [];
    for (const id of unique) {
      const e = byId.get(id);
      if (e) out.push(e);
    }
    return out;
  }

  async entitiesReferencing(id: string): Promise<Entity[]> {
    const rows = await this.db.query<{ entity_id: string }>(
      `SELECT DISTINCT s.entity_id FROM statements s WHERE s.value = $1 AND s.entity_id <> $1 AND ${CURRENT_FILTER} ORDER BY s.entity_id`,
      [id],
    );
    return this.getEntities(rows.map((r) => r.entity_id));
  }

  // ---- findings ---------------------------------------------------------------------------------------------

  async putFindings(findings: Finding[]): Promise<number> {
    if (findings.length === 0) return 0;
    const byId = new Map<string, Finding>();
    for (const f of findings) byId.set(f.id, f);
    const list = [...byId.values()];
    await this.db.transaction(async (tx) => {
      for (const part of chunks(list, 1000)) {
        const ids = part.map((f) => f.id);
        await tx.query(`DELETE FROM finding_subjects WHERE finding_id IN (${placeholders(ids.length)})`, ids);
        await tx.query(`DELETE FROM findings WHERE id IN (${placeholders(ids.length)})`, ids);
      }
      const cols: SqlValue[][] = FINDING_COLUMNS.map(() => []);
      const subjFinding: string[] = [];
      const subjEntity: string[] = [];
      for (const f of list) {
        const row: SqlValue[] = [
          f.id,
          f.kind,
          f.start,
          f.end ?? null,
          timeMs(f.start, `finding ${f.id} start`),
          f.score,
          JSON.stringify(f.subjects),
          JSON.stringify(f.redFlags ?? []),
          JSON.stringify(f),
          findingSubjectKey(f.subjects),
        ];
        for (let c = 0; c < row.length; c++) (cols[c] as SqlValue[]).push(row[c] as SqlValue);
        for (const s of new Set(f.subjects)) {
          subjFinding.push(f.id);
          subjEntity.push(s);
        }
      }
      await tx.bulkInsert('findings', FINDING_COLUMNS, [{ length: list.length, columns: cols }]);
      const subjBatch: ColumnBatch = { length: subjFinding.length, columns: [subjFinding, subjEntity] };
      await tx.bulkInsert(
        'finding_subjects',
        [
          { name: 'finding_id', type: 'text' },
          { name: 'entity_id', type: 'text' },
        ],
        [subjBatch],
      );
    });
    return list.length;
  }

  async getFinding(id: string): Promise<Finding | undefined> {
    const rows = await this.db.query<{ doc: string }>('SELECT doc FROM findings WHERE id = $1', [id]);
    return rows[0] ? (JSON.parse(rows[0].doc) as Finding) : undefined;
  }

  private findingWhere(filter: FindingFilter = {}): { where: string; params: SqlValue[] } {
    const conds: string[] = [];
    const params: SqlValue[] = [];
    const p = (v: SqlValue): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.kinds !== undefined) {
      if (filter.kinds.length === 0) conds.push('1 = 0');
      else conds.push(`kind IN (${filter.kinds.map((k) => p(k)).join(', ')})`);
    }
    if (filter.subject !== undefined) {
      conds.push(`id IN (SELECT finding_id FROM finding_subjects WHERE entity_id = ${p(filter.subject)})`);
    }
    if (filter.since !== undefined) conds.push(`start_ms >= ${p(timeMs(filter.since, 'since'))}`);
    if (filter.until !== undefined) conds.push(`start_ms < ${p(timeMs(filter.until, 'until'))}`);
    if (filter.minScore !== undefined) {
      if (!Number.isFinite(filter.minScore)) throw new UserError(`minScore: ${filter.minScore} is not a number`);
      conds.push(`score >= ${p(filter.minScore)}`);
    }
    if (filter.redFlag !== undefined) {
      const escaped = JSON.stringify(filter.redFlag).replace(/[\\%_]/g, (c) => `\\${c}`);
      conds.push(`red_flags LIKE ${p(`%${escaped}%`)} ESCAPE '\\'`);
    }
    return { where: conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '', params };
  }

  async queryFindings(filter?: FindingFilter): Promise<Finding[]> {
    const { where, params } = this.findingWhere(filter);
    let sql = `SELECT doc FROM findings ${where} ORDER BY start_ms DESC, id`;
    if (filter?.limit !== undefined) sql += ` LIMIT ${nonNegativeInt(filter.limit, 'limit')}`;
    if (filter?.offset !== undefined) sql += ` OFFSET ${nonNegativeInt(filter.offset, 'offset')}`;
    const rows = await this.db.query<{ doc: string }>(sql, params);
    return rows.map((r) => JSON.parse(r.doc) as Finding);
  }

  async countFindings(filter?: FindingFilter): Promise<number> {
    const { where, params } = this.findingWhere(filter);
    const rows = await this.db.query<{ n: number }>(`SELECT count(*) AS n FROM findings ${where}`, params);
    return Number(rows[0]?.n ?? 0);
  }

  async deleteFindings(filter: { kinds: string[] }): Promise<number> {
    if (filter.kinds.length === 0) return 0;
    const ph = placeholders(filter.kinds.length);
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ n: number }>(
        `SELECT count(*) AS n FROM findings WHERE kind IN (${ph})`,
        filter.kinds,
      );
      await tx.query(
        `DELETE FROM finding_subjects WHERE finding_id IN (SELECT id FROM findings WHERE kind IN (${ph}))`,
        filter.kinds,
      );
      await tx.query(`DELETE FROM findings WHERE kind IN (${ph})`, filter.kinds);
      return Number(rows[0]?.n ?? 0);
    });
  }

  // ---- imports log ------------------------------------------------------------------------------------------

  async findImport(kind: string, sha256: string): Promise<ImportRecord | undefined> {
    const rows = await this.db.query(
      'SELECT * FROM imports WHERE kind = $1 AND sha256 = $2 ORDER BY imported_at DESC, id DESC LIMIT 1',
      [kind, sha256],
    );
    return rows[0] ? rowToImport(rows[0]) : undefined;
  }

  /**
   * Insert the record, or replace the one with the same id (a re-run of an import under the same id updates its
   * log entry instead of failing on the primary key). Same SQL on DuckDB and PostgreSQL.
   */
  async recordImport(record: ImportRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO imports (id, kind, location, sha256, imported_at, row_count, details) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, location = excluded.location, sha256 = excluded.sha256,
         imported_at = excluded.imported_at, row_count = excluded.row_count, details = excluded.details`,
      [
        record.id,
        record.kind,
        record.location,
        record.sha256,
        record.importedAt,
        record.rowCount,
        record.details === undefined ? null : JSON.stringify(record.details),
      ],
    );
  }

  async listImports(kind?: string): Promise<ImportRecord[]> {
    const rows =
      kind === undefined
        ? await this.db.query('SELECT * FROM imports ORDER BY imported_at DESC, id DESC')
        : await this.db.query('SELECT * FROM imports WHERE kind = $1 ORDER BY imported_at DESC, id DESC', [kind]);
    return rows.map(rowToImport);
  }

  appliedMigrations(): Promise<Array<{ id: string; appliedAt: string }>> {
    return appliedMigrations(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function nonNegativeInt(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0) throw new UserError(`${field}: expected a non-negative integer, got ${v}`);
  return v;
}
