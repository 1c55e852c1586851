import type { Store } from '../store/store.js';

/** Load the bundled sanctions lists into an empty store; returns one line per thing loaded. */
export async function seedListsDemo(_store: Store): Promise<string[]> {
  return [];
}
