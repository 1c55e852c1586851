import type { Store } from '../store/store.js';

/** Load the bundled crypto attribution and Lazarus transfer sample; returns one line per thing loaded. */
export async function seedCryptoDemo(_store: Store): Promise<string[]> {
  return [];
}
