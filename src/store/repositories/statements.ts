import type { Statement } from '../../model/statement.js';
import type { ColumnBatch, ColumnSpec, Db, Row, SqlValue } from '../db.js';

export const STATEMENT_COLUMNS: ColumnSpec[] = [
  { name: 'entity_id', type: 'text' },
  { name: 'schema', type: 'text' },
  { name: 'prop', type: 'text' },
  { name: 'value', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'source_record', type: 'text' },
  { name: 'seen_at', type: 'text' },
  { name: 'version_id', type: 'text' },
  { name: 'ord', type: 'bigint' },
];

export const STATEMENT_SELECT = 'entity_id, schema, prop, value, source, source_record, seen_at, version_id';

/**
 * Statements of the current version of each source plus those outside any version. "Current" is the newest
 * version of a source by imported_at (ties broken by id), chosen with a window function both engines support.
 */
export const CURRENT_VERSIONS_SQL = `SELECT id FROM (
  SELECT id, ROW_NUMBER() OVER (PARTITION BY source ORDER BY imported_at DESC, id DESC) AS rn FROM list_versions
) cv WHERE rn = 1`;

export const CURRENT_FILTER = `(s.version_id IS NULL OR s.version_id IN (${CURRENT_VERSIONS_SQL}))`;

/** Deterministic order on both engines: per entity, per source, in import order. */
export const STATEMENT_ORDER = 's.entity_id, s.source, s.version_id, s.ord';

export function rowToStatement(r: Row): Statement {
  const st: Statement = {
    entityId: r.entity_id as string,
    schema: r.schema as string,
    prop: r.prop as string,
    value: r.value as string,
    source: r.source as string,
    sourceRecord: r.source_record as string,
    seenAt: r.seen_at as string,
  };
  if (r.version_id !== null && r.version_id !== undefined) st.versionId = r.version_id as string;
  return st;
}

const BATCH = 20_000;

/**
 * Stream statements into column batches for `bulkInsert`, numbering them with `ord` in input order. Every
 * statement gets `versionId` (null: outside any version, whatever the statement says).
 */
export async function* statementBatches(
  statements: Iterable<Statement> | AsyncIterable<Statement>,
  versionId: string | null,
  counter: { n: number },
  filter?: (st: Statement) => boolean,
): AsyncGenerator<ColumnBatch> {
  let cols = newCols();
  let len = 0;
  for await (const st of statements) {
    if (filter && !filter(st)) continue;
    cols[0].push(st.entityId);
    cols[1].push(st.schema);
    cols[2].push(st.prop);
    cols[3].push(st.value);
    cols[4].push(st.source);
    cols[5].push(st.sourceRecord);
    cols[6].push(st.seenAt);
    cols[7].push(versionId);
    cols[8].push(counter.n);
    counter.n += 1;
    len += 1;
    if (len >= BATCH) {
      yield { length: len, columns: cols };
      cols = newCols();
      len = 0;
    }
  }
  if (len > 0) yield { length: len, columns: cols };
}

function newCols(): [
  string[],
  string[],
  string[],
  string[],
  string[],
  string[],
  string[],
  (string | null)[],
  number[],
] {
  return [[], [], [], [], [], [], [], [], []];
}

/** Row by row: one object per row from the driver, then one Statement per row (the fallback path). */
export async function selectStatements(
  db: Db,
  where: string,
  params: SqlValue[] = [],
  order = STATEMENT_ORDER,
): Promise<Statement[]> {
  const rows = await db.query(`SELECT ${STATEMENT_SELECT} FROM statements s WHERE ${where} ORDER BY ${order}`, params);
  return rows.map(rowToStatement);
}

/** Unit separator: joins the fields of a statement and the statements of a group in the packed read. */
const SEP = '\u001f';
const FIELDS = 8;
/** Statements per packed group: one string of a few hundred KB, far below V8's string limit. */
const GROUP = 4096;
const LINE = `concat_ws(chr(31), s.entity_id, s.schema, s.prop, s.value, s.source, s.source_record, s.seen_at,
      coalesce(s.version_id, ''))`;

/**
 * Decode `n` statements packed into one string (8 fields each, all separated by U+001F) into `out` from index
 * `k`. Consecutive statements mostly repeat entity, schema, source, record, time and version: the previous
 * row's string (`prev`) is reused instead of allocating a new one. Returns the next index, or -1 when the field
 * count does not match (a field contained U+001F itself).
 */
function unpack(packed: string, n: number, out: Statement[], k: number, prev: string[], fields: string[]): number {
  const len = packed.length;
  let pos = 0;
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < FIELDS; f++) {
      let end = packed.indexOf(SEP, pos);
      if (end < 0) {
        // Only the very last field may run to the end of the string.
        if (r !== n - 1 || f !== FIELDS - 1) return -1;
        end = len;
      }
      const p = prev[f] as string;
      if (end - pos === p.length && packed.startsWith(p, pos)) fields[f] = p;
      else {
        const v = packed.slice(pos, end);
        fields[f] = v;
        prev[f] = v;
      }
      pos = end + 1;
    }
    const versionId = fields[7] as string;
    const st: Statement = {
      entityId: fields[0] as string,
      schema: fields[1] as string,
      prop: fields[2] as string,
      value: fields[3] as string,
      source: fields[4] as string,
      sourceRecord: fields[5] as string,
      seenAt: fields[6] as string,
    };
    if (versionId !== '') st.versionId = versionId;
    out[k++] = st;
  }
  // Separators left over: some field contained U+001F.
  return pos === len + 1 ? k : -1;
}

/**
 * Read statements fast. Each row's eight fields are joined with U+001F in SQL, so the driver converts one value
 * per row (or less) instead of eight; DuckDB's and pg's per-value conversion plus an object per row dominated the
 * row-by-row read (2-6 s for 240 k statements).
 *
 * - DuckDB: the engine numbers the rows in `order` and aggregates groups of 4096 into one string each
 *   (`string_agg(... ORDER BY rn)`), so the driver hands over ~N/4096 strings: DuckDB sorts fast but converts
 *   each value through several JS layers.
 * - PostgreSQL: one joined line per row, plainly sorted: pg parses rows cheaply, and the grouped aggregate would
 *   add a second sort of the whole result on the server (measured 1.3 s against 0.67 s of server time).
 *
 * If any field contains U+001F itself, the field count does not match and the read falls back to the plain
 * row-by-row query: the result is the same either way. An empty `version_id` never occurs (version ids are
 * `source@sha`), so '' stands for NULL.
 */
export async function readStatements(
  db: Db,
  where: string,
  params: SqlValue[] = [],
  order = STATEMENT_ORDER,
): Promise<Statement[]> {
  const prev: string[] = ['', '', '', '', '', '', '', ''];
  const fields: string[] = new Array(FIELDS);
  if (db.dialect === 'postgres') {
    const rows = await db.query<{ l: string }>(
      `SELECT ${LINE} AS l FROM statements s WHERE ${where} ORDER BY ${order}`,
      params,
    );
    const out: Statement[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      if (unpack((rows[i] as { l: string }).l, 1, out, i, prev, fields) < 0)
        return selectStatements(db, where, params, order);
    }
    return out;
  }
  const sql = `SELECT floor((rn - 1) / ${GROUP}.0) AS g, count(*) AS n, string_agg(line, chr(31) ORDER BY rn) AS packed
FROM (
  SELECT row_number() OVER (ORDER BY ${order}) AS rn, ${LINE} AS line
  FROM statements s WHERE ${where}
) p GROUP BY 1 ORDER BY 1`;
  const groups = await db.query<{ g: number; n: number; packed: string }>(sql, params);
  let total = 0;
  for (const g of groups) total += Number(g.n);
  const out: Statement[] = new Array(total);
  let k = 0;
  for (const g of groups) {
    k = unpack(g.packed, Number(g.n), out, k, prev, fields);
    if (k < 0) return selectStatements(db, where, params, order);
  }
  return out;
}
