import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { importList } from '../../src/lists/import.js';
import { nmeaLines, simulate } from '../../src/maritime/simulate/generate.js';
import { entitiesFromStatements } from '../../src/model/entity.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { aisIdentitiesWithImo, loadNetwork, networkStats } from '../../src/ownership/load.js';
import { buildNetwork, type OwnershipNetwork } from '../../src/ownership/network.js';
import { vesselView } from '../../src/ownership/vessel-view.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FIXTURES } from './helpers.js';

// The vessel page's network is kept per store and rebuilt incrementally after a change: a new list version's
// statements are read alone, and new AIS identities reuse the parties and links. Before, every change re-read every
// statement and rebuilt everything (4.3 s with the four lists). Each incremental network must equal a full build.

const ASOF = '2026-09-01';
let dir: string;
let store: Store;

async function fullBuild(): Promise<OwnershipNetwork> {
  return buildNetwork(entitiesFromStatements(await store.currentStatements()), {
    ais: await aisIdentitiesWithImo(store),
    asOf: ASOF,
  });
}

const view = (net: OwnershipNetwork, imo: string) => JSON.parse(JSON.stringify(vesselView(net, imo)));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-own-inc-'));
  store = await openStore({ url: path.join(dir, 'inc.duckdb') });
  await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), {
    format: 'un-xml',
    fetchedAt: '2026-02-27T00:00:00.000Z',
  });
  await importOwnershipFile(store, path.join(FIXTURES, 'registry.csv'), { fetchedAt: '2026-09-01T00:00:00.000Z' });
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ownership network kept per store', () => {
  it('new AIS identities reuse the parties and links, and the vessel page equals a full rebuild', async () => {
    const before = await loadNetwork(store, { asOf: ASOF });
    expect(await loadNetwork(store, { asOf: ASOF })).toBe(before);
    // The simulated YU JONG 2 (IMO 8604917) broadcasts RYONG BONG 7, then YU JONG 2.
    const sim = simulate('evasion-only', 5, { hours: 12 });
    writeFileSync(path.join(dir, 'a.nmea'), `${[...nmeaLines(sim)].join('\n')}\n`);
    await importNmeaFile(store, path.join(dir, 'a.nmea'));
    const after = await loadNetwork(store, { asOf: ASOF });
    expect(after).not.toBe(before);
    expect(after.base).toBe(before.base);
    const v = view(after, '8604917');
    expect(
      v.identity.some((f: { source: string; value: string }) => f.source === 'ais' && f.value === 'RYONG BONG 7'),
    ).toBe(true);
    expect(v).toEqual(view(await fullBuild(), '8604917'));
  });

  it('a new list version is read alone and rebuilds the links; the page equals a full rebuild', async () => {
    const before = await loadNetwork(store, { asOf: ASOF });
    await importOwnershipFile(store, path.join(FIXTURES, 'chains.ftm.jsonl'), {
      fetchedAt: '2026-09-01T00:00:00.000Z',
    });
    const after = await loadNetwork(store, { asOf: ASOF });
    expect(after.base).not.toBe(before.base);
    expect(after.links.length).toBeGreaterThan(before.links.length);
    const full = await fullBuild();
    for (const imo of ['8604917', '9311000', '9314002']) expect(view(after, imo)).toEqual(view(full, imo));
    // The chains make C HOLDINGS' ship blocked under the 50 % rule (30 % + 25 % from listed owners).
    expect(view(after, '9311000').control.blocked).toBe(true);
  });
});

describe('the entity side kept in the store', () => {
  it('a new Store object (a new process) builds on the kept parties and links; the pages equal a full rebuild', async () => {
    // detect's step keeps the entity side (`keep`); a page read does not write it.
    await loadNetwork(store, { asOf: ASOF });
    const none = await store.db.query("SELECT count(*) AS n FROM ownership_runs WHERE fingerprint LIKE 'base:%'");
    expect(Number(none[0]?.n)).toBe(0);
    await loadNetwork(store, { asOf: ASOF, keep: true });
    const file = path.join(dir, 'inc.duckdb');
    await store.close();
    store = await openStore({ url: file });
    const before = { ...networkStats };
    const net = await loadNetwork(store, { asOf: ASOF });
    expect(networkStats.onKeptBase).toBe(before.onKeptBase + 1);
    expect(networkStats.fromEntities).toBe(before.fromEntities);
    const full = await fullBuild();
    expect(net.links).toEqual(full.links);
    for (const imo of ['8604917', '9311000', '9314002']) expect(view(net, imo)).toEqual(view(full, imo));
    const kept = await store.db.query("SELECT count(*) AS n FROM ownership_runs WHERE fingerprint LIKE 'base:%'");
    expect(Number(kept[0]?.n)).toBe(1);
  });

  it('another date in that process reuses the kept entity side without reading the list entities', async () => {
    const before = { ...networkStats };
    const net = await loadNetwork(store, { asOf: '2019-06-01' });
    expect(networkStats.onPreviousBase).toBe(before.onPreviousBase + 1);
    expect(networkStats.fromEntities).toBe(before.fromEntities);
    const full = buildNetwork(entitiesFromStatements(await store.currentStatements()), {
      ais: await aisIdentitiesWithImo(store),
      asOf: '2019-06-01',
    });
    for (const imo of ['8604917', '9311000']) expect(view(net, imo)).toEqual(view(full, imo));
  });
});
