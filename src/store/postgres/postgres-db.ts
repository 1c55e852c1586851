import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { StoreUnavailableError } from '../../errors.js';
import type { ColumnBatch, ColumnSpec, Db, Row, SqlValue } from '../db.js';
import { Mutex } from '../mutex.js';
import { parseInt8, redactUrl } from '../values.js';
import { copyBinaryChunks, PG_INFO_TYPE } from './copy-binary.js';
import { copyTextChunks } from './copy-text.js';
import { ensurePositionPartitions } from './partitions.js';

interface TxState {
  client: pg.PoolClient;
  mutex: Mutex;
  /** False once the transaction has committed or rolled back (a task that outlives it must not reuse it). */
  active: boolean;
}

/** Widen `span` to the values of column `col` of batch `b` (numbers, bigints or nulls). */
function widen(span: { lo: number; hi: number }, b: ColumnBatch, col: number): void {
  const c = b.columns[col];
  if (!c) return;
  let lo = span.lo;
  let hi = span.hi;
  for (let i = 0; i < b.length; i++) {
    const v = c[i];
    if (v === null || v === undefined) continue;
    const x = Number(v);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  span.lo = lo;
  span.hi = hi;
}

/** Read the first batch of a stream (calling `see` on it) and return a stream that yields it then the rest. */
async function peekFirst(
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  see: (b: ColumnBatch) => void,
): Promise<AsyncIterable<ColumnBatch>> {
  const it =
    Symbol.asyncIterator in batches
      ? (batches as AsyncIterable<ColumnBatch>)[Symbol.asyncIterator]()
      : (batches as Iterable<ColumnBatch>)[Symbol.iterator]();
  const first = await it.next();
  if (!first.done) see(first.value);
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done) return;
      yield first.value;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
    },
  };
}

/** The same stream, calling `see` on each batch as it passes. */
function tracked(batches: AsyncIterable<ColumnBatch>, see: (b: ColumnBatch) => void): AsyncIterable<ColumnBatch> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const b of batches) {
        see(b);
        yield b;
      }
    },
  };
}

const PG_INT8 = 20;
const PG_FLOAT4 = 700;
const PG_NUMERIC = 1700;
const PG_JSON = 114;
const PG_JSONB = 3802;
const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_DATE = 1082;

const defaultParser = pg.types.getTypeParser as unknown as (oid: number, format?: string) => (text: string) => unknown;

/** Result parsing that matches DuckDB: int8 → number when safe else bigint, numeric → number, JSON → text. */
function getTypeParser(oid: number, format?: string): (text: string) => unknown {
  if (format === 'binary') return defaultParser(oid, 'binary');
  switch (oid) {
    case PG_INT8:
      return parseInt8;
    case PG_FLOAT4:
      // The exact float32 value as a double, as DuckDB returns REAL (PostgreSQL prints the shortest text).
      return (t: string) => Math.fround(Number(t));
    case PG_NUMERIC:
      return (t: string) => Number(t);
    case PG_JSON:
    case PG_JSONB:
    case PG_DATE:
      return (t: string) => t;
    case PG_TIMESTAMP:
      return (t: string) => new Date(`${t.replace(' ', 'T')}Z`).toISOString();
    case PG_TIMESTAMPTZ:
      return (t: string) => new Date(t).toISOString();
    default:
      return defaultParser(oid, 'text');
  }
}

function toPgParam(v: SqlValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteTable(table: string): string {
  return table
    .split('.')
    .map((p) => quoteIdent(p))
    .join('.');
}

const NO_ANSWER = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNRESET',
]);

/**
 * PostgreSQL behind the `Db` contract: a `pg.Pool` for autocommit statements and a dedicated pool client per
 * transaction (tracked with AsyncLocalStorage, so nested calls and calls through the outer `db` join it).
 * Bulk loads use COPY FROM STDIN in text format on the transaction's client.
 */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly als = new AsyncLocalStorage<TxState>();

  /** The transaction this async context runs in, if it is still open. */
  private current(): TxState | undefined {
    const tx = this.als.getStore();
    return tx?.active ? tx : undefined;
  }
  private closed = false;
  /**
   * COPY format for bulkInsert: 'auto' uses binary when every column's type matches its spec exactly (about 7x
   * less client CPU than text) and text otherwise; 'text' forces the text format (kept for the benchmark).
   */
  copyFormat: 'auto' | 'text' = 'auto';

  private constructor(
    readonly location: string,
    private readonly pool: pg.Pool,
  ) {}

  static async open(url: string, opts: { connectTimeoutMs?: number; max?: number } = {}): Promise<PostgresDb> {
    const location = redactUrl(url);
    const pool = new pg.Pool({
      connectionString: url,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      max: opts.max ?? 10,
      types: { getTypeParser } as pg.CustomTypesConfig,
    });
    // An idle client dying (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => undefined);
      const e = err as NodeJS.ErrnoException & { errors?: Array<{ message: string }> };
      let reason = e.message || (e.errors?.[0]?.message ?? String(err));
      reason = reason.split('\n')[0] ?? reason;
      // Never echo a password even if the driver put the URL in its message.
      reason = reason.split(url).join(location);
      const noAnswer = (e.code !== undefined && NO_ANSWER.has(e.code)) || /timeout|ECONNREFUSED/i.test(reason);
      throw new StoreUnavailableError(
        noAnswer
          ? `PostgreSQL at ${location} did not answer: ${reason}`
          : `PostgreSQL at ${location} refused the connection: ${reason}`,
      );
    }
    return new PostgresDb(location, pool);
  }

  async query<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]> {
    if (this.closed) throw new Error(`PostgreSQL store at ${this.location} is closed`);
    const values = params && params.length > 0 ? params.map(toPgParam) : undefined;
    const tx = this.current();
    if (tx) {
      return tx.mutex.run(async () => (await tx.client.query(sql, values)).rows as T[]);
    }
    return (await this.pool.query(sql, values)).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    if (this.closed) throw new Error(`PostgreSQL store at ${this.location} is closed`);
    const tx = this.current();
    if (tx) {
      await tx.mutex.run(() => tx.client.query(sql));
      return;
    }
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.current()) return fn(this);
    if (this.closed) throw new Error(`PostgreSQL store at ${this.location} is closed`);
    const client = await this.pool.connect();
    const state: TxState = { client, mutex: new Mutex(), active: true };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await this.als.run(state, () => fn(this));
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error;
        }
        throw err;
      }
      await client.query('COMMIT');
      return result;
    } finally {
      state.active = false;
      client.release(broken);
    }
  }

  async bulkInsert(
    table: string,
    columns: ColumnSpec[],
    batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  ): Promise<number> {
    return this.transaction(async () => {
      // positions is partitioned by day (partitions.ts): create the days this load needs before it (an array of
      // batches, or the first batch of a stream), then after it any day a streamed load reached later (its rows
      // went to the default partition and are moved into the new day's partition, in this transaction).
      const tsCol = table === 'positions' ? columns.findIndex((c) => c.name === 'ts') : -1;
      const span = { lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY };
      if (tsCol >= 0) {
        if (Array.isArray(batches)) for (const b of batches) widen(span, b, tsCol);
        else batches = await peekFirst(batches, (b) => widen(span, b, tsCol));
        await ensurePositionPartitions(this, span.lo, span.hi);
        if (!Array.isArray(batches)) batches = tracked(batches, (b) => widen(span, b, tsCol));
      }
      const tx = this.current() as TxState;
      const written = await tx.mutex.run(async () => {
        const counter = { rows: 0 };
        const cols = columns.map((c) => quoteIdent(c.name)).join(', ');
        const binary = this.copyFormat === 'auto' && (await this.binaryCompatible(tx.client, table, columns));
        const sql = `COPY ${quoteTable(table)} (${cols}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`;
        const stream = tx.client.query(copyFrom(sql));
        const source = binary ? copyBinaryChunks(columns, batches, counter) : copyTextChunks(columns, batches, counter);
        await pipeline(Readable.from(source), stream);
        return counter.rows;
      });
      if (tsCol >= 0) await ensurePositionPartitions(this, span.lo, span.hi);
      return written;
    });
  }

  /**
   * Stream `COPY (query) TO STDOUT` chunks to `onChunk` (binary or text, as the statement says), on the current
   * transaction's client or a pooled one. For typed reads (see CopyBinaryDecoder): no row objects, no text.
   */
  async copyOut(sql: string, onChunk: (chunk: Buffer) => void): Promise<void> {
    if (this.closed) throw new Error(`PostgreSQL store at ${this.location} is closed`);
    const run = async (client: pg.PoolClient) => {
      const stream = client.query(copyTo(sql));
      for await (const chunk of stream) onChunk(chunk as Buffer);
    };
    const tx = this.current();
    if (tx) return tx.mutex.run(() => run(tx.client));
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await run(client);
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** True when the table's columns named in `columns` have exactly the spec's types (binary COPY needs that). */
  private async binaryCompatible(client: pg.PoolClient, table: string, columns: ColumnSpec[]): Promise<boolean> {
    const dot = table.indexOf('.');
    const schema = dot < 0 ? null : table.slice(0, dot);
    const name = dot < 0 ? table : table.slice(dot + 1);
    const res = await client.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_name = $1 AND table_schema = ${schema ? '$2' : 'ANY (current_schemas(true))'}`,
      schema ? [name, schema] : [name],
    );
    const types = new Map(res.rows.map((r) => [r.column_name, r.data_type]));
    return columns.every((c) => PG_INFO_TYPE[c.type].includes(types.get(c.name) ?? ''));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
