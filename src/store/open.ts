import { StoreUnavailableError } from '../errors.js';
import type { Db } from './db.js';
import { DuckDbDb } from './duckdb/duckdb-db.js';
import { MigrationError, migrate } from './migrate.js';
import { ALL_MIGRATIONS } from './migrations/index.js';
import { SqlStore } from './sql-store.js';
import type { Migration, Store } from './store.js';

export interface OpenStoreOptions {
  /** `postgres://...` / `postgresql://...` selects PostgreSQL; anything else is a DuckDB file path. */
  url: string;
  /** Install the citus extension if missing and lay the tables out over the cluster (src/store/postgres/citus.ts). */
  distributed?: boolean;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Open the raw `Db` without migrating (tests, tools). */
export async function openDb(url: string): Promise<Db> {
  if (isPostgresUrl(url)) {
    const { PostgresDb } = await import('./postgres/postgres-db.js');
    return PostgresDb.open(url);
  }
  return DuckDbDb.open(url);
}

/**
 * Open (and migrate) the store at `url`. Throws StoreUnavailableError with one clear line when the DuckDB file
 * cannot be opened or PostgreSQL does not answer; a failing migration throws one line naming it.
 */
export async function openStore(opts: OpenStoreOptions & { migrations?: Migration[] }): Promise<Store> {
  const db = await openDb(opts.url);
  try {
    await migrate(db, opts.migrations ?? ALL_MIGRATIONS);
    if (db.dialect === 'postgres' || opts.distributed) {
      // A Citus coordinator (detected, or asked for) gets the cluster layout after every migration run.
      const { citusLayoutAfterMigrate } = await import('./postgres/citus.js');
      await citusLayoutAfterMigrate(db, opts.distributed);
    }
  } catch (err) {
    await db.close().catch(() => undefined);
    if (err instanceof MigrationError) throw new StoreUnavailableError(`store at ${db.location}: ${err.message}`);
    throw err;
  }
  return new SqlStore(db);
}
