import { dataPath } from '../paths.js';
import type { Store } from '../store/store.js';
import { importOwnershipFile } from './import.js';

/** The demo's ship-registry extract: real listed DPRK tankers and their owners (data/ownership/PROVENANCE.md). */
export const DEMO_REGISTRY = dataPath('ownership', 'registry.csv');

/**
 * Import the bundled registry extract (after the lists, before the AIS: `detect` then reports the ownership
 * findings of the hulls it sees). Returns one line for the console.
 */
export async function seedOwnershipDemo(store: Store): Promise<string[]> {
  const r = await importOwnershipFile(store, DEMO_REGISTRY, { fetchedAt: '2026-09-01T00:00:00.000Z' });
  return [`imported the ship-registry extract ${r.versionId}: ${r.records} rows, ${r.statements} statements`];
}
