import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hullIdentities } from '../../src/cases/report/identity.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore } from '../support/demo-store.js';

// Annex II (the vessel identity annex, issue 14) on the real lists and the bundled registry extract: YU JONG 2 is
// named by OFAC and the UK; its registered owner KOREA YUJONG SHIPPING CO LTD is listed by the UN (KPe.066), OFAC
// (23714), the EU (EU.4455.11) and the UK (DPR0166, quoting the UN reference). The owner's designation is given for each of those lists,
// and the registry extract (not a sanctions list) is not among the lists "not naming" the hull.

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-annex-'));
  store = await openStore({ url: await copyDemoStore('lists', path.join(dir, 'wk.duckdb')) });
  await importOwnershipFile(store, dataPath('ownership', 'registry.csv'), { fetchedAt: '2026-09-01T00:00:00.000Z' });
});

afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('vessel identity annex', () => {
  it("gives the hull's designations and its owner's in every list that names the owner", async () => {
    const hull = (await store.getEntities(['ofac-23736']))[0]!;
    const [h] = await hullIdentities(store, [], [hull]);
    expect(h!.imo).toBe(8604917);
    const own = h!.designations.filter((d) => !d.name.endsWith('(owner or manager)'));
    expect(own.map((d) => [d.list, d.reference]).sort()).toEqual([
      ['OFAC SDN List', '23736'],
      ['UK OFSI Consolidated List', 'DPR0102'],
    ]);
    const owner = h!.designations.filter((d) => d.name.endsWith('(owner or manager)'));
    expect(owner.map((d) => [d.list, d.reference]).sort()).toEqual([
      ['EU Financial Sanctions Files', 'EU.4455.11'],
      ['OFAC SDN List', '23714'],
      ['UK OFSI Consolidated List', 'KPe.066'], // the UK entry DPR0166 carries the UN reference, quoted first
      ['UN Security Council Consolidated List', 'KPe.066'],
    ]);
    expect(h!.notListedIn.map((l) => l.replace(/ \(version of .*\)$/, '')).sort()).toEqual([
      'EU Financial Sanctions Files',
      'UN Security Council Consolidated List',
    ]);
    expect(h!.owners.map((o) => [o.role, o.source])).toContainEqual(['registered owner', 'ship registry']);
  });
});
