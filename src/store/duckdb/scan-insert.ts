import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnBatch, ColumnData, ColumnSpec } from '../db.js';
import { type ChunkFiller, checkBatch, chunkFiller, duckdb, logicalTypes, type RawChunk } from './chunk-append.js';

/**
 * Parallel bulk load for large inputs: `INSERT INTO t (cols) SELECT * FROM <scan>()`, where `<scan>` is a table
 * function registered on the connection whose rows come from our column batches.
 *
 * Why: the appender does everything on the calling (JavaScript) thread — filling chunks, DuckDB's own append
 * into transaction-local storage, and compressing and writing each full row group. With the scan, DuckDB runs
 * the INSERT on its worker threads: each thread asks the scan for a 2048-row chunk (the bindings run that
 * callback on the JavaScript thread, which fills the chunk from the typed arrays) and then appends, compresses
 * and writes its row groups itself, in parallel with the other threads and with the JavaScript thread filling
 * the next chunk. The INSERT runs on the caller's connection, inside its transaction: it commits or rolls back
 * with everything else the transaction wrote.
 *
 * DuckDB only inserts in parallel when it may drop insertion order (a C-API table function has no batch index
 * to restore it), so the INSERT runs with the session's `preserve_insertion_order` off; rows from different
 * 2048-row chunks may land interleaved. That is why only loads of at least `bulkLoadTuning.parallelMinRows` take this path;
 * smaller ones keep the appender (exact insertion order, less set-up).
 */

/** Counters for tests and benchmarks: how many INSERTs went through the scan, and their rows. */
export const bulkLoadStats = { scanInserts: 0, scanRows: 0 };

export const bulkLoadTuning = {
  /** Loads of at least this many rows go through the parallel scan: two DuckDB row groups (2 x 122,880). */
  parallelMinRows: 245_760,
  /**
   * An async source is consumed in segments of at least this many rows (one INSERT each) because the scan's
   * callback must answer synchronously; the next segment is read while the current one is inserted. Tests
   * lower it to exercise several segments with less data.
   */
  asyncSegmentRows: 1_048_576,
};

type RawConnection = Parameters<typeof duckdb.register_table_function>[0];

interface Feed {
  columns: ColumnSpec[];
  fill: ChunkFiller;
  /** Next batch, or undefined at the end (synchronous: it runs inside DuckDB's call for a chunk). */
  next: () => ColumnBatch | undefined;
  batch: ColumnBatch | undefined;
  offset: number;
  rows: number;
  /** The first error thrown by the source or while filling, re-thrown to the caller as is. */
  error: unknown;
}

const CHUNK = duckdb.vector_size();
let scanSeq = 0;

/** The scan table function of one connection; `insert` runs one INSERT ... SELECT over a feed. */
class BulkScan {
  readonly name: string;
  private feed: Feed | undefined;

  constructor(conn: DuckDBConnection) {
    scanSeq += 1;
    this.name = `wk_bulk_scan_${process.pid}_${scanSeq}`;
    const tf = duckdb.create_table_function();
    duckdb.table_function_set_name(tf, this.name);
    duckdb.table_function_set_bind(tf, (info) => {
      const feed = this.feed;
      if (!feed) throw new Error(`${this.name}: no bulk load in progress`);
      const types = logicalTypes(feed.columns.map((c) => c.type));
      feed.columns.forEach((c, i) => {
        duckdb.bind_add_result_column(info, c.name, types[i] as (typeof types)[number]);
      });
    });
    // As many threads as DuckDB runs (it caps this at its `threads` setting).
    duckdb.table_function_set_init(tf, (info) => duckdb.init_set_max_threads(info, 256));
    duckdb.table_function_set_function(tf, (_info, out) => this.produce(out));
    duckdb.register_table_function(rawConnection(conn), tf);
  }

  /** Fill `out` with the next up-to-2048 rows; size 0 ends the scan. Runs on the JavaScript thread. */
  private produce(out: RawChunk): void {
    const feed = this.feed;
    if (!feed || feed.error !== undefined) {
      duckdb.data_chunk_set_size(out, 0);
      return;
    }
    try {
      let batch = feed.batch;
      while (batch === undefined || feed.offset >= batch.length) {
        batch = feed.next();
        if (batch === undefined) {
          feed.batch = undefined;
          duckdb.data_chunk_set_size(out, 0);
          return;
        }
        checkBatch(batch, feed.columns.length);
        feed.batch = batch;
        feed.offset = 0;
      }
      const n = Math.min(CHUNK, batch.length - feed.offset);
      feed.fill(out, batch, feed.offset, n);
      feed.offset += n;
      feed.rows += n;
    } catch (err) {
      // DuckDB fails the INSERT with this message; the caller re-throws the original error object.
      feed.error = err;
      throw err;
    }
  }

  async insert(
    conn: DuckDBConnection,
    table: string,
    columns: ColumnSpec[],
    next: () => ColumnBatch | undefined,
    stream = false,
  ): Promise<number> {
    if (this.feed) throw new Error('bulkInsert: another bulk load is running on this connection');
    const feed: Feed = {
      columns,
      fill: chunkFiller(columns.map((c) => c.type)),
      next,
      batch: undefined,
      offset: 0,
      rows: 0,
      error: undefined,
    };
    this.feed = feed;
    try {
      // Session-scoped; reset right after. If the INSERT fails the transaction is aborted and the reset cannot
      // run until it rolls back, so DuckDbDb resets again after every rollback (see resetScanSession).
      await conn.run('SET SESSION preserve_insertion_order = false');
      if (stream) await setStreamSettings(conn);
      const list = columns.map((c) => quoteIdent(c.name)).join(', ');
      await conn.run(`INSERT INTO ${table} (${list}) SELECT * FROM ${this.name}()`);
      await restoreSettings(conn);
      await conn.run(RESET_SQL);
      bulkLoadStats.scanInserts += 1;
      bulkLoadStats.scanRows += feed.rows;
    } catch (err) {
      throw feed.error ?? err;
    } finally {
      this.feed = undefined;
    }
    return feed.rows;
  }
}

const RESET_SQL = 'RESET SESSION preserve_insertion_order';

/**
 * The global settings a stream load changes, and their values while it runs (from the value before):
 * - `threads` at most 2: a stream's rows come from one JavaScript thread. With two DuckDB threads one appends,
 *   compresses and writes a full row group while the other asks that thread for the next rows (with one, DuckDB's
 *   writing and our filling took turns: about 20% slower on a 5 M-position AIS import once the decoding worker was
 *   faster than that pair). More would only wait for the JavaScript thread and leave more partial row groups to
 *   write when the INSERT ends.
 * - `write_buffer_row_group_count` 1: each full row group is compressed and written as soon as it is complete,
 *   while the producer makes the next one. With DuckDB's default (5 row groups written together) up to five per
 *   thread were left for the end of the INSERT or the COMMIT, after the last row came in: 0.1 to 0.15 s more at
 *   the end of a 1 M-row import.
 * Both are instance-wide (other connections of the instance see them meanwhile), so they are restored right after
 * the INSERT, or after the rollback when it fails.
 */
const STREAM_SETTINGS: ReadonlyArray<readonly [name: string, value: (prev: number) => number]> = [
  ['threads', (prev) => Math.min(prev, 2)],
  ['write_buffer_row_group_count', () => 1],
];

/** The SET statements that restore what a stream load changed, until they have run. */
const settingsToRestore = new WeakMap<DuckDBConnection, string[]>();

async function setStreamSettings(conn: DuckDBConnection): Promise<void> {
  const read = STREAM_SETTINGS.map(([name]) => `current_setting('${name}') AS "${name}"`).join(', ');
  const current = (await conn.runAndReadAll(`SELECT ${read}`)).getRowObjectsJS()[0] ?? {};
  // Registered before the first SET, so a failure part-way restores what was changed.
  const restore: string[] = [];
  settingsToRestore.set(conn, restore);
  for (const [name, valueFor] of STREAM_SETTINGS) {
    const prev = Number(current[name]);
    if (!Number.isFinite(prev)) continue;
    const value = valueFor(prev);
    if (value === prev) continue;
    restore.push(`SET ${name} = ${prev}`);
    await conn.run(`SET ${name} = ${value}`);
  }
}

async function restoreSettings(conn: DuckDBConnection): Promise<void> {
  const restore = settingsToRestore.get(conn);
  if (restore === undefined) return;
  for (const sql of restore) await conn.run(sql);
  settingsToRestore.delete(conn);
}

/** Restore the settings a failed parallel load may have left (run after a ROLLBACK). */
export async function resetScanSession(conn: DuckDBConnection): Promise<void> {
  await restoreSettings(conn);
  if (scans.has(conn)) await conn.run(RESET_SQL);
}

const scans = new WeakMap<DuckDBConnection, BulkScan>();

/**
 * Register the scan table function on `conn`. Call it outside any transaction (DuckDbDb does, right after
 * connecting): a function registered inside a transaction disappears when that transaction rolls back.
 */
export function enableParallelLoads(conn: DuckDBConnection): void {
  if (!scans.has(conn)) scans.set(conn, new BulkScan(conn));
}

/** True when `conn` can take the parallel path (enableParallelLoads was called on it). */
export function parallelLoadsEnabled(conn: DuckDBConnection): boolean {
  return scans.has(conn);
}

function scanFor(conn: DuckDBConnection): BulkScan {
  const scan = scans.get(conn);
  if (!scan) throw new Error('bulkInsert: parallel loads are not enabled on this connection');
  return scan;
}

function rawConnection(conn: DuckDBConnection): RawConnection {
  // @duckdb/node-api keeps the bindings' connection handle in a private field; table functions are registered
  // on that handle (the API's own registerTableFunction wraps every callback argument in objects, which costs
  // more than the chunk filling itself at 2048 rows per call).
  const raw = (conn as unknown as { connection?: RawConnection }).connection;
  if (!raw) throw new Error('bulkInsert: cannot reach the DuckDB connection handle');
  return raw;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Copy a batch's first `length` values: batches read ahead of the one being loaded are copied, because a source
 * may legitimately refill its arrays once the consumer asks for the next batch.
 */
export function copyBatch(batch: ColumnBatch): ColumnBatch {
  return {
    length: batch.length,
    columns: batch.columns.map((c) => c.slice(0, batch.length) as ColumnData),
  };
}

/** A source after its first batches have been read ahead: `head` (already copied) then `rest`. */
export interface ReadAhead {
  head: ColumnBatch[];
  headRows: number;
  /** The remaining source, or undefined when it ended within the read-ahead. */
  rest: Iterator<ColumnBatch> | AsyncIterator<ColumnBatch> | undefined;
  async: boolean;
  /** A stream (`streamSource`): not read ahead, loaded with the stream settings (see STREAM_SETTINGS). */
  stream?: boolean;
}

/**
 * Marks a synchronous batch source as a stream (see `streamSource`).
 */
export const STREAM_SOURCE: unique symbol = Symbol.for('watchkeeper.bulkInsert.stream');

/**
 * Mark a synchronous source of many rows as a stream: a DuckDB bulk load then skips the read-ahead (no copies, no
 * waiting for `parallelMinRows` rows before the INSERT starts) and takes the parallel scan whatever its size, so
 * rows may land in any order. The scan pulls the batches as it needs them, inside DuckDB's call for the next chunk:
 * `next()` may block (the AIS import worker's source waits there with Atomics.wait), and a batch may be reused by
 * its producer once the next one was asked for. The INSERT runs with at most two DuckDB threads and
 * `write_buffer_row_group_count` 1 (see STREAM_SETTINGS). Other engines read it as a plain iterable.
 */
export function streamSource<T extends Iterable<ColumnBatch>>(source: T): T {
  (source as T & { [STREAM_SOURCE]?: boolean })[STREAM_SOURCE] = true;
  return source;
}

function isStream(batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>): batches is Iterable<ColumnBatch> {
  return (batches as { [STREAM_SOURCE]?: boolean })[STREAM_SOURCE] === true && Symbol.iterator in batches;
}

/**
 * Read batches until at least `minRows` rows or the end. Arrays of batches are not copied (nobody refills
 * them); batches from iterators are. A stream (`streamSource`) is not read ahead at all.
 */
export async function readAhead(
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  minRows: number,
): Promise<ReadAhead> {
  if (isStream(batches)) return { head: [], headRows: 0, rest: batches[Symbol.iterator](), async: false, stream: true };
  const copy = !Array.isArray(batches);
  const head: ColumnBatch[] = [];
  let headRows = 0;
  if (Symbol.asyncIterator in batches) {
    const it = (batches as AsyncIterable<ColumnBatch>)[Symbol.asyncIterator]();
    while (headRows < minRows) {
      const r = await it.next();
      if (r.done) return { head, headRows, rest: undefined, async: true };
      head.push(copy ? copyBatch(r.value) : r.value);
      headRows += r.value.length;
    }
    return { head, headRows, rest: it, async: true };
  }
  const it = (batches as Iterable<ColumnBatch>)[Symbol.iterator]();
  while (headRows < minRows) {
    const r = it.next();
    if (r.done) return { head, headRows, rest: undefined, async: false };
    head.push(copy ? copyBatch(r.value) : r.value);
    headRows += r.value.length;
  }
  return { head, headRows, rest: it, async: false };
}

/**
 * Load `head` then the rest of the source through the parallel scan. A synchronous source is pulled from
 * inside the scan (one INSERT for everything, no further read-ahead). An asynchronous one is read in segments
 * of `bulkLoadTuning.asyncSegmentRows` (copied), each inserted while the next is read.
 */
export async function scanInsert(
  conn: DuckDBConnection,
  table: string,
  columns: ColumnSpec[],
  src: ReadAhead,
): Promise<number> {
  const scan = scanFor(conn);
  if (!src.async) {
    const rest = src.rest as Iterator<ColumnBatch> | undefined;
    let i = 0;
    const next = (): ColumnBatch | undefined => {
      if (i < src.head.length) return src.head[i++];
      if (!rest) return undefined;
      const r = rest.next();
      return r.done ? undefined : r.value;
    };
    try {
      return await scan.insert(conn, table, columns, next, src.stream === true);
    } catch (err) {
      rest?.return?.();
      throw err;
    }
  }
  const rest = src.rest as AsyncIterator<ColumnBatch> | undefined;
  let total = 0;
  let segment = src.head;
  let ended = rest === undefined;
  try {
    for (;;) {
      let upcoming: Promise<{ batches: ColumnBatch[]; done: boolean }> | undefined;
      if (!ended && rest) {
        upcoming = readSegment(rest, bulkLoadTuning.asyncSegmentRows);
        // Awaited below; a rejection while the INSERT runs must not count as unhandled.
        upcoming.catch(() => undefined);
      }
      let i = 0;
      const current = segment;
      try {
        total += await scan.insert(conn, table, columns, () => current[i++]);
      } catch (err) {
        if (upcoming) await upcoming.catch(() => undefined);
        throw err;
      }
      if (!upcoming) return total;
      const seg = await upcoming;
      segment = seg.batches;
      ended = seg.done;
      if (segment.length === 0) return total;
    }
  } catch (err) {
    if (!ended && rest?.return) await rest.return().catch(() => undefined);
    throw err;
  }
}

async function readSegment(
  it: AsyncIterator<ColumnBatch>,
  minRows: number,
): Promise<{ batches: ColumnBatch[]; done: boolean }> {
  const batches: ColumnBatch[] = [];
  let rows = 0;
  while (rows < minRows) {
    const r = await it.next();
    if (r.done) return { batches, done: true };
    batches.push(copyBatch(r.value));
    rows += r.value.length;
  }
  return { batches, done: false };
}
