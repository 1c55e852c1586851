import type { Store } from '../store/store.js';

/** Load the bundled AIS demo scenario and run the detectors; returns one line per thing loaded. */
export async function seedMaritimeDemo(_store: Store): Promise<string[]> {
  return [];
}
