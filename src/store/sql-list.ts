import type { Db, SqlValue } from './db.js';

/**
 * `(...)` for `col IN (...)` holding `values`, whose parameters are appended to `args`.
 *
 * PostgreSQL / Citus: one placeholder per value (`IN ($3, $4, ...)`), so an index answers it and Citus prunes a
 * distribution column's list to the shards it names. DuckDB scans columns whatever the list (its ART index serves no
 * IN list), so there the list goes as one text parameter, `IN (SELECT unnest(string_split($3, chr(31))))`: a hash
 * semi-join, and no statement with 100,000 placeholders.
 */
export function sqlInList(dialect: Db['dialect'], args: SqlValue[], values: readonly (string | number)[]): string {
  if (dialect === 'duckdb') {
    // Joined by the unit separator (U+001F), which no address or hash holds (a file name in a hash may hold a comma).
    args.push(values.join('\u001f'));
    const cast = typeof values[0] === 'number' ? 'BIGINT' : 'TEXT';
    return `(SELECT CAST(unnest(string_split($${args.length}, chr(31))) AS ${cast}))`;
  }
  const marks = values.map((_, k) => `$${args.length + k + 1}`).join(', ');
  args.push(...values);
  return `(${marks})`;
}

/** Values per `sqlInList` statement: placeholders on PostgreSQL, one joined parameter on DuckDB. */
export const SQL_LIST_BATCH: Record<Db['dialect'], number> = { postgres: 2_000, duckdb: 100_000 };
