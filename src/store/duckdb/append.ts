import { type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import type { ColumnBatch, ColumnData, ColumnSpec, ColumnType } from '../db.js';
import { appendChunks } from './chunk-append.js';
import { bulkLoadTuning, parallelLoadsEnabled, readAhead, scanInsert } from './scan-insert.js';

type Writer = (app: DuckDBAppender, col: ColumnData, i: number) => void;

function isFloatArray(col: ColumnData): col is Float64Array | Float32Array {
  return col instanceof Float64Array || col instanceof Float32Array;
}

/** One appender call per column type; `null`/`undefined` (and NaN in float typed arrays) become SQL NULL. */
function writerFor(type: ColumnType): Writer {
  switch (type) {
    case 'int':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined) app.appendNull();
        else app.appendInteger(Number(v));
      };
    case 'smallint':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined) app.appendNull();
        else app.appendSmallInt(Number(v));
      };
    case 'bigint':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined) app.appendNull();
        else app.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number));
      };
    case 'double':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined || (isFloatArray(col) && Number.isNaN(v))) app.appendNull();
        else app.appendDouble(Number(v));
      };
    case 'real':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined || (isFloatArray(col) && Number.isNaN(v))) app.appendNull();
        else app.appendFloat(Number(v));
      };
    case 'text':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined) app.appendNull();
        else app.appendVarchar(typeof v === 'string' ? v : String(v));
      };
    case 'bool':
      return (app, col, i) => {
        const v = col[i];
        if (v === null || v === undefined) app.appendNull();
        else app.appendBoolean(Boolean(v));
      };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const SQL_TYPE: Record<ColumnType, string> = {
  int: 'INTEGER',
  smallint: 'SMALLINT',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  real: 'REAL',
  text: 'VARCHAR',
  bool: 'BOOLEAN',
};

let stageSeq = 0;

/** DuckDB's spelling of each column type (pragma_table_info), to decide whether the appender can go direct. */
const INFO_TYPE: Record<ColumnType, string> = {
  int: 'INTEGER',
  smallint: 'SMALLINT',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  real: 'FLOAT',
  text: 'VARCHAR',
  bool: 'BOOLEAN',
};

export type AppendMode = 'chunk' | 'row';

/**
 * Append column batches to `table` on `conn` (inside the caller's transaction). On a connection with parallel
 * loads enabled (enableParallelLoads), loads of at least bulkLoadTuning.parallelMinRows rows go through the parallel scan INSERT (scan-insert.ts: DuckDB's threads append, compress
 * and write row groups while JavaScript fills chunks); smaller ones through the appender with DataChunks, in
 * exact insertion order. `mode` 'row' forces the per-value appendX path, kept for the benchmark.
 */
export async function appendBatches(
  conn: DuckDBConnection,
  table: string,
  columns: ColumnSpec[],
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  mode: AppendMode = 'chunk',
): Promise<number> {
  if (mode === 'chunk' && parallelLoadsEnabled(conn)) {
    const src = await readAhead(batches, bulkLoadTuning.parallelMinRows);
    if (src.rest) return scanInsert(conn, table, columns, src);
    return appendWithAppender(conn, table, columns, src.head, mode);
  }
  return appendWithAppender(conn, table, columns, batches, mode);
}

/**
 * The appender path (loads below bulkLoadTuning.parallelMinRows, and the benchmark's row-wise comparison). When `columns`
 * are exactly the table's columns, in order and with the same types, the appender writes straight into the
 * table; otherwise rows go through a temporary staging table and one INSERT ... SELECT.
 */
export async function appendWithAppender(
  conn: DuckDBConnection,
  table: string,
  columns: ColumnSpec[],
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  mode: AppendMode = 'chunk',
): Promise<number> {
  const { schema, name } = splitName(table);
  // The table's columns from pragma_table_info (a catalog look-up of this one table, resolved like the INSERT
  // resolves it; information_schema.columns lists every column of every table first: ~10 ms per load).
  let tableCols: Array<{ name: string; type: string }>;
  try {
    const reader = await conn.runAndReadAll('SELECT name, type FROM pragma_table_info($1)', [table]);
    tableCols = reader.getRowObjectsJS().map((r) => ({ name: String(r.name), type: String(r.type) }));
  } catch {
    tableCols = [];
  }
  if (tableCols.length === 0) throw new Error(`bulkInsert: table ${table} does not exist`);
  const direct =
    tableCols.length === columns.length &&
    tableCols.every((c, i) => c.name === columns[i]?.name && c.type === INFO_TYPE[columns[i].type]);
  let target = name;
  let targetSchema: string | null = schema;
  if (!direct) {
    stageSeq += 1;
    target = `wk_stage_${process.pid}_${stageSeq}`;
    targetSchema = null;
    await conn.run(
      `CREATE TEMP TABLE ${target} (${columns.map((c) => `${quoteIdent(c.name)} ${SQL_TYPE[c.type]}`).join(', ')})`,
    );
  }
  let total = 0;
  try {
    const app = await conn.createAppender(target, targetSchema);
    let failure: unknown;
    try {
      if (mode === 'chunk') {
        let wrapper: DuckDBDataChunk | undefined;
        total = await appendChunks(
          (raw) => {
            wrapper ??= new DuckDBDataChunk(raw);
            app.appendDataChunk(wrapper);
          },
          columns.map((c) => c.type),
          batches,
        );
      } else {
        total = await appendRows(app, columns, batches);
      }
      app.flushSync();
    } catch (err) {
      failure = err;
    }
    try {
      if (failure !== undefined) app.clear();
      app.closeSync();
    } catch (closeErr) {
      // Closing after a failure may report the same failure again; the first error is the one to surface.
      failure ??= closeErr;
    }
    if (failure !== undefined) throw failure;
    if (!direct) {
      const list = columns.map((c) => quoteIdent(c.name)).join(', ');
      await conn.run(`INSERT INTO ${table} (${list}) SELECT ${list} FROM ${target}`);
    }
  } finally {
    if (!direct) await conn.run(`DROP TABLE IF EXISTS ${target}`);
  }
  return total;
}

async function appendRows(
  app: DuckDBAppender,
  columns: ColumnSpec[],
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
): Promise<number> {
  const writers = columns.map((c) => writerFor(c.type));
  const n = columns.length;
  let total = 0;
  for await (const batch of batches) {
    const cols = batch.columns;
    if (cols.length !== n) throw new Error(`bulkInsert: batch has ${cols.length} columns, expected ${n}`);
    const len = batch.length;
    for (let i = 0; i < len; i++) {
      for (let c = 0; c < n; c++) (writers[c] as Writer)(app, cols[c] as ColumnData, i);
      app.endRow();
    }
    total += len;
  }
  return total;
}

function splitName(table: string): { schema: string | null; name: string } {
  const dot = table.indexOf('.');
  if (dot < 0) return { schema: null, name: table };
  return { schema: table.slice(0, dot), name: table.slice(dot + 1) };
}
