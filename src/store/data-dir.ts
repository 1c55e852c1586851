import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from './db.js';

/**
 * Where a store keeps its files (attachments, import uploads, the demo's raw NMEA): WATCHKEEPER_DATA_DIR when set;
 * else next to a DuckDB store file (its directory); else (PostgreSQL) ./var, as for the default store.
 */
export function storeDataDir(db: Pick<Db, 'dialect' | 'location'>, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.WATCHKEEPER_DATA_DIR?.trim();
  if (configured) return path.resolve(configured);
  if (db.dialect === 'duckdb') {
    if (db.location === ':memory:' || db.location === '')
      return path.join(tmpdir(), `watchkeeper-memory-${process.pid}`);
    return path.dirname(path.resolve(db.location));
  }
  return path.resolve('var');
}
