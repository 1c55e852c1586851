import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  blobValue,
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBValue,
} from '@duckdb/node-api';
import { StoreUnavailableError } from '../../errors.js';
import type { ColumnBatch, ColumnSpec, Db, Row, SqlValue } from '../db.js';
import { Mutex } from '../mutex.js';
import { toSqlValue } from '../values.js';
import { appendBatches } from './append.js';
import { enableParallelLoads, resetScanSession } from './scan-insert.js';

interface TxState {
  /** Serialises statements issued concurrently inside one transaction (Promise.all in the callback). */
  mutex: Mutex;
  /** False once the transaction has committed or rolled back (a task that outlives it must not reuse it). */
  active: boolean;
}

function toDuckValue(v: SqlValue): DuckDBValue {
  if (v instanceof Uint8Array) return blobValue(v);
  return v;
}

/**
 * DuckDB behind the `Db` contract. One read-write connection, guarded by an async mutex so concurrent callers
 * (HTTP requests, background imports) never interleave inside a transaction. The transaction in progress is
 * tracked with AsyncLocalStorage, so any `db.query` issued from inside `transaction(fn)` — through `tx` or
 * through the outer `db` — joins it instead of deadlocking on the mutex.
 */
export class DuckDbDb implements Db {
  readonly dialect = 'duckdb' as const;
  private readonly mutex = new Mutex();
  private readonly readMutex = new Mutex();
  private readonly als = new AsyncLocalStorage<TxState>();

  /** The transaction this async context runs in, if it is still open. */
  private current(): TxState | undefined {
    const tx = this.als.getStore();
    return tx?.active ? tx : undefined;
  }
  private closed = false;

  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly readConn: DuckDBConnection,
  ) {}

  static async open(file: string): Promise<DuckDbDb> {
    const location = file;
    try {
      if (file !== ':memory:') ensureDir(path.dirname(path.resolve(file)));
      // Air-gapped by design: never download or auto-load extensions.
      const instance = await DuckDBInstance.create(file, {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        ...memoryLimit(),
      });
      const conn = await instance.connect();
      enableParallelLoads(conn);
      const readConn = await instance.connect();
      return new DuckDbDb(location, instance, conn, readConn);
    } catch (err) {
      throw new StoreUnavailableError(`cannot open DuckDB store at ${location}: ${oneLine(err)}`);
    }
  }

  /** Run `fn` with exclusive use of the connection (or inside the current transaction). */
  private async withConn<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`DuckDB store at ${this.location} is closed`);
    const tx = this.current();
    if (tx) return tx.mutex.run(() => fn(this.conn));
    return this.mutex.run(() => fn(this.conn));
  }

  async query<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]> {
    // Reads outside a transaction use a second connection: they see the last committed state and do not wait
    // behind a long import holding the write connection.
    const read = !this.current() && isReadOnly(sql);
    const run = read ? (fn: (c: DuckDBConnection) => Promise<T[]>) => this.withReadConn(fn) : this.withConn.bind(this);
    return run(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params && params.length > 0 ? params.map(toDuckValue) : undefined);
      const rows = reader.getRowObjectsJS();
      const out: Row[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const src = rows[i] as Record<string, unknown>;
        const row: Row = {};
        for (const k in src) row[k] = toSqlValue(src[k]);
        out[i] = row;
      }
      return out as T[];
    });
  }

  /**
   * Stream a query's result chunk by chunk (DuckDB's columnar vectors, about 2,048 rows each) to `onChunk`: typed
   * reads without row objects (src/maritime/tracks/load.ts). Same connection choice as `query`.
   */
  async streamChunks(sql: string, params: SqlValue[], onChunk: (chunk: DuckDBDataChunk) => void): Promise<void> {
    const read = !this.current() && isReadOnly(sql);
    const run = read ? (fn: (c: DuckDBConnection) => Promise<void>) => this.withReadConn(fn) : this.withConn.bind(this);
    await run(async (conn) => {
      const result = await conn.stream(sql, params.length > 0 ? params.map(toDuckValue) : undefined);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        onChunk(chunk);
      }
    });
  }

  private withReadConn<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`DuckDB store at ${this.location} is closed`);
    return this.readMutex.run(() => fn(this.readConn));
  }

  async exec(sql: string): Promise<void> {
    await this.withConn(async (conn) => {
      await conn.run(sql);
    });
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.current()) return fn(this);
    if (this.closed) throw new Error(`DuckDB store at ${this.location} is closed`);
    const release = await this.mutex.lock();
    const state: TxState = { mutex: new Mutex(), active: true };
    try {
      await this.conn.run('BEGIN TRANSACTION');
      let result: T;
      try {
        result = await this.als.run(state, () => fn(this));
      } catch (err) {
        try {
          await this.conn.run('ROLLBACK');
        } catch {
          // The transaction may already be aborted; the original error is the one that matters.
        }
        // A parallel bulk load that failed could not restore its session setting inside the aborted transaction.
        await resetScanSession(this.conn).catch(() => undefined);
        throw err;
      }
      await this.conn.run('COMMIT');
      return result;
    } finally {
      state.active = false;
      release();
    }
  }

  async bulkInsert(
    table: string,
    columns: ColumnSpec[],
    batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  ): Promise<number> {
    // The appender writes into the connection's open transaction (if any), so bulk loads inside
    // `transaction` commit or roll back with it. Outside a transaction it autocommits per flush, so wrap it.
    return this.transaction(() => this.withConn((conn) => appendBatches(conn, table, columns, batches)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.mutex.run(() =>
      this.readMutex.run(async () => {
        this.closed = true;
        this.readConn.closeSync();
        this.conn.closeSync();
        this.instance.closeSync();
      }),
    );
  }
}

/**
 * DuckDB's memory limit from WATCHKEEPER_DUCKDB_MEMORY (e.g. "2GB"), when set. DuckDB's default is 80% of the RAM;
 * its buffer pool keeps the blocks an import writes until it needs the memory, so a long import's RSS grows toward
 * that limit (about 30 bytes per AIS position) unless a smaller one is set.
 */
export function memoryLimit(env: NodeJS.ProcessEnv = process.env): { memory_limit?: string } {
  const v = env.WATCHKEEPER_DUCKDB_MEMORY?.trim();
  if (!v) return {};
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v))
    throw new StoreUnavailableError(`WATCHKEEPER_DUCKDB_MEMORY: "${v}" is not a size such as 512MB or 2GB`);
  return { memory_limit: v };
}

/** A plain SELECT (or a WITH query that writes nothing): safe to run on the read connection. */
export function isReadOnly(sql: string): boolean {
  const head = sql.trimStart().slice(0, 6).toUpperCase();
  if (head === 'SELECT') return true;
  if (head.startsWith('WITH')) return !/\b(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|COPY)\b/i.test(sql);
  return false;
}

export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]?.trim() ?? msg;
}

/**
 * mkdir -p without `recursive: true`, which spins forever in Node 20 on some unwritable trees (e.g. under
 * /proc): create each missing ancestor in turn so a bad path fails fast with the OS reason.
 */
function ensureDir(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (!existsSync(d)) {
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}
