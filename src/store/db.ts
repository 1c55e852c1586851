/**
 * The one SQL connection contract both stores implement.
 *
 * Watchkeeper speaks portable SQL ($1-style parameters work in DuckDB and PostgreSQL alike), so every
 * repository (statements, findings, positions, transfers, ...) is written once over `Db` and the two engines
 * differ only in how they connect, bulk-load and migrate. Conventions that keep the SQL portable:
 *
 * - Hot-path times (positions, transfers) are BIGINT epoch milliseconds, UTC. Metadata times are TEXT ISO-8601
 *   UTC strings ("2024-05-03T00:00:00.000Z"), which sort correctly as text.
 * - Exact token amounts are TEXT decimal strings (uint256 does not fit any portable numeric type).
 * - Query results come back as plain objects; BIGINT values are JS numbers when they are safe integers
 *   (they always are for our ms timestamps and counts) and bigint otherwise.
 */

export type Dialect = 'duckdb' | 'postgres';

export type SqlValue = string | number | bigint | boolean | null | Uint8Array;
export type Row = Record<string, SqlValue>;

/** Column types the bulk loader understands; each maps to a DuckDB appender call and a COPY text encoding. */
export type ColumnType = 'int' | 'bigint' | 'double' | 'real' | 'smallint' | 'text' | 'bool';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/**
 * Columnar batch for bulk loads: one array per column, all the same length. Typed arrays make the hot AIS and
 * transfer import paths cheap; `null` entries (in plain arrays) are SQL NULLs.
 */
export type ColumnData = Int32Array | Float64Array | Float32Array | Int16Array | BigInt64Array | Array<SqlValue>;

export interface ColumnBatch {
  length: number;
  columns: ColumnData[];
}

export interface Db {
  readonly dialect: Dialect;
  /** Human-readable location: the DuckDB file path or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Run a statement with $1.. parameters and return its rows as objects. */
  query<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Run one or more statements without parameters (DDL, scripts). */
  exec(sql: string): Promise<void>;
  /**
   * Run `fn` in one transaction: everything it wrote lands together or not at all. Nested calls reuse the outer
   * transaction. This is how every import stays atomic.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Fast bulk load (DuckDB appender / PostgreSQL COPY FROM STDIN) into an existing table. Inside `transaction`
   * it joins the transaction. Returns the number of rows written.
   */
  bulkInsert(
    table: string,
    columns: ColumnSpec[],
    batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  ): Promise<number>;
  close(): Promise<void>;
}

/** One versioned schema change. Modules own their migrations; `id` sorts globally ("0001_core", "0100_ais", ...). */
export interface Migration {
  id: string;
  description: string;
  /** Same SQL for both engines, or one per dialect where they differ. */
  sql: string | Record<Dialect, string>;
}
