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
 * The demo's seeding steps, in dependency order (lists first: maritime and crypto link to listed vessels and
 * wallets; the ship registry before maritime, whose detection runs the ownership step).
 */
export const DEMO_STEPS = [
  ['sanctions lists', seedListsDemo],
  ['ship registry', seedOwnershipDemo],
  ['maritime', seedMaritimeDemo],
  ['crypto', seedCryptoDemo],
  ['trade', seedTradeDemo],
] as const;

/**
 * Seed an empty store with the bundled demo data: every step of DEMO_STEPS from `from` on (default all). Returns
 * what was loaded, one line each, for the console.
 */
export async function seedDemo(
  store: Store,
  log: (line: string) => void = () => {},
  from: (typeof DEMO_STEPS)[number][0] = DEMO_STEPS[0][0],
): Promise<string[]> {
  const lines: string[] = [];
  for (const [label, seed] of DEMO_STEPS.slice(DEMO_STEPS.findIndex(([l]) => l === from))) {
    log(`seeding ${label}...`);
    for (const line of await seed(store)) {
      lines.push(line);
      log(`  ${line}`);
    }
  }
  return lines;
}
