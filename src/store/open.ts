import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** `postgres://...` / `postgresql://...` selects PostgreSQL; anything else is a DuckDB file path. */
  url: string;
}

/**
 * Open (and migrate) the store at `url`. Throws StoreUnavailableError with one clear line when the DuckDB file
 * cannot be opened or PostgreSQL does not answer.
 */
export async function openStore(_opts: OpenStoreOptions): Promise<Store> {
  throw new Error('openStore: not implemented yet');
}
