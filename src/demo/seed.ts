import { seedCryptoDemo } from '../crypto/demo.js';
import { seedListsDemo } from '../lists/demo.js';
import { seedMaritimeDemo } from '../maritime/demo.js';
import { seedOwnershipDemo } from '../ownership/demo.js';
import type { Store } from '../store/store.js';
import { seedTradeDemo } from '../trade/demo.js';

/** True when nothing has been loaded yet: no list versions and no imports. */
export async function storeIsEmpty(store: Store): Promise<boolean> {
  const [versions, imports] = await Promise.all([store.listVersions(), store.listImports()]);
  return versions.length === 0 && imports.length === 0;
}

/**
 * Seed an empty store with the bundled demo data, in dependency order (lists first: maritime and crypto link to
 * listed vessels and wallets). Returns what was loaded, one line each, for the console.
 */
export async function seedDemo(store: Store, log: (line: string) => void = () => {}): Promise<string[]> {
  const lines: string[] = [];
  for (const [label, seed] of [
    ['sanctions lists', seedListsDemo],
    ['ship registry', seedOwnershipDemo],
    ['maritime', seedMaritimeDemo],
    ['crypto', seedCryptoDemo],
    ['trade', seedTradeDemo],
  ] as const) {
    log(`seeding ${label}...`);
    for (const line of await seed(store)) {
      lines.push(line);
      log(`  ${line}`);
    }
  }
  return lines;
}
