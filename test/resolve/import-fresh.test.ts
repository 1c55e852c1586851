import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import.js';
import { canonicalIdOf } from '../../src/resolve/canonical.js';
import { openStore } from '../../src/store/open.js';

/**
 * A list imported in this process is resolved by the very next canonical read: the resolution's "checked within
 * the last 2 s" shortcut must not hide it. Two vessels in two datasets sharing YU JONG 2's IMO number (8604917, as
 * the OFAC list gives it) are one canonical vessel right after the second import.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'wk-import-fresh-'));
const store = await openStore({ url: path.join(dir, 'wk.duckdb') });
afterAll(async () => store.close());

function vessel(file: string, id: string, name: string): string {
  const p = path.join(dir, file);
  writeFileSync(
    p,
    `${JSON.stringify({ id, schema: 'Vessel', properties: { name: [name], imoNumber: ['8604917'] } })}\n`,
  );
  return p;
}

describe('a list import and the next canonical read', () => {
  it('merges on the new list at once, not after the 2 s re-check interval', async () => {
    await importList(store, vessel('a.ftm.jsonl', 'reg-a-1', 'YU JONG 2'), { format: 'ftm', source: 'registry_a' });
    expect(await canonicalIdOf(store, 'reg-a-1')).toBe('reg-a-1');
    await importList(store, vessel('b.ftm.jsonl', 'reg-b-1', 'YU JONG NO. 2'), { format: 'ftm', source: 'registry_b' });
    const merged = await canonicalIdOf(store, 'reg-b-1');
    expect(merged).toMatch(/^wk-/);
    expect(await canonicalIdOf(store, 'reg-a-1')).toBe(merged);
  });
});
