import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aisCoverage, identityHistory, tracks } from '../../src/cases/ais-tables.js';
import { vesselProfile } from '../../src/cases/vessel.js';
import { identityHistory as mmsiIdentities } from '../../src/maritime/store/repository.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FX, seedCaseFixture, seedFixtureTracks } from './fixture.js';

/**
 * The workspace reads the AIS tables through the maritime repository: the same identity rows (epoch ms times) as
 * `ais vessel`, and a failing query is an error (it used to become an empty result whenever its message said "not
 * found", a misspelt column included).
 */
let dir: string;
let store: Store;
const t0 = Date.parse('2024-03-13T00:00:00Z');
const day = 86_400_000;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-ais-read-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await seedCaseFixture(store);
  await seedFixtureTracks(store, 2, 100);
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('workspace AIS reads', () => {
  it('give the identity rows the repository gives, with epoch-ms times', async () => {
    const rows = await identityHistory(store, FX.mmsiTanker, undefined);
    expect(rows.map((r) => [r.name, r.flag, r.firstSeen, r.lastSeen, r.messages])).toEqual([
      ['CHON MA SAN', 'KP', t0 - 90 * day, t0 - 40 * day, 412],
      ['SEA STAR 7', 'SL', t0 - 40 * day, t0 + 2 * day, 958],
    ]);
    expect(rows).toEqual(await mmsiIdentities(store.db, FX.mmsiTanker));
    const profile = await vesselProfile(store, `ais-${FX.mmsiTanker}`);
    expect(profile.identity).toEqual(rows);
  });

  it('give tracks and coverage of the stored positions', async () => {
    const t = await tracks(store, { mmsi: [FX.mmsiTanker], maxPoints: 100 });
    expect(t.total).toBe(100);
    expect(t.stride).toBe(1);
    expect(t.tracks[0]!.ts[0]).toBe(t0);
    const thinned = await tracks(store, { maxPoints: 100 });
    expect(thinned.total).toBe(400); // 4 vessels × 100
    expect(thinned.stride).toBe(4);
    expect(thinned.tracks.map((x) => x.ts.length)).toEqual([25, 25, 25, 25]);
    const c = await aisCoverage(store);
    expect([c.positions, c.vessels, c.from]).toEqual([400, 4, new Date(t0).toISOString()]);
  });

  it('fail on a column that is not there instead of answering nothing', async () => {
    await store.db.exec('ALTER TABLE vessel_identity RENAME COLUMN first_seen TO first_seen_ms');
    try {
      await expect(identityHistory(store, FX.mmsiTanker, undefined)).rejects.toThrow(/first_seen/);
      await expect(vesselProfile(store, `ais-${FX.mmsiTanker}`)).rejects.toThrow(/first_seen/);
    } finally {
      await store.db.exec('ALTER TABLE vessel_identity RENAME COLUMN first_seen_ms TO first_seen');
    }
    await store.db.exec('ALTER TABLE positions RENAME COLUMN sog TO speed');
    try {
      await expect(tracks(store, { mmsi: [FX.mmsiTanker] })).rejects.toThrow(/sog/);
    } finally {
      await store.db.exec('ALTER TABLE positions RENAME COLUMN speed TO sog');
    }
  });
});
