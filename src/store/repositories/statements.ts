import type { Statement } from '../../model/statement.js';
import type { ColumnBatch, ColumnSpec, Db, Row } from '../db.js';

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

/** Stream statements into column batches for `bulkInsert`, numbering them with `ord` in input order. */
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
    cols[7].push(versionId ?? st.versionId ?? null);
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

export async function selectStatements(
  db: Db,
  where: string,
  params: Row[keyof Row][] = [],
  order = STATEMENT_ORDER,
): Promise<Statement[]> {
  const rows = await db.query(`SELECT ${STATEMENT_SELECT} FROM statements s WHERE ${where} ORDER BY ${order}`, params);
  return rows.map(rowToStatement);
}
