import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedListsDemo } from '../../src/lists/demo.js';
import { entitiesFromStatements } from '../../src/model/entity.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

describe('demo seeding of the bundled lists', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-lists-demo-'));
  let store: Store;
  let lines: string[] = [];
  beforeAll(async () => {
    store = await openStore({ url: path.join(dir, 'demo.duckdb') });
    lines = await seedListsDemo(store);
  }, 180_000);
  afterAll(async () => {
    await store?.close();
  });

  it('loads UN, OFAC 2024, EU and UK as four current versions', async () => {
    expect(lines).toEqual([
      'un_sc@66b392a40908: 1,003 records, 2,460 entities, 26,214 statements',
      'us_ofac_sdn@210ca6b4a818: 14,965 records, 38,725 entities, 239,499 statements',
      'eu_fsf@300397b293de: 255 records, 591 entities, 4,999 statements',
      'gb_ofsi@b460586feeb5: 261 records, 522 entities, 4,875 statements',
    ]);
    const current = await store.currentVersions();
    expect(current.map((v) => [v.source, v.fetchedAt])).toEqual([
      ['eu_fsf', '2026-05-01T00:00:00.000Z'],
      ['gb_hmt_sanctions', '2026-08-22T00:00:00.000Z'],
      ['un_sc_sanctions', '2026-02-27T00:00:09.554Z'],
      ['us_ofac_sdn', '2024-05-03T00:00:00.000Z'],
    ]);
  });

  it('gives the matcher standard FtM properties: a DPRK vessel, a wallet, a UN person across lists', async () => {
    const entities = entitiesFromStatements(await store.currentStatements());
    const byId = new Map(entities.map((e) => [e.id, e]));
    const vessel = byId.get('ofac-17069')!;
    expect(vessel.schema).toBe('Vessel');
    expect(vessel.get('imoNumber')).toEqual(['IMO7937317']);
    expect(vessel.get('flag')).toEqual(['kp']);
    const wallets = entities.filter((e) => e.schema === 'CryptoWallet');
    expect(wallets).toHaveLength(286);
    expect(wallets.every((w) => w.get('publicKey').length === 1 && w.get('holder').length >= 1)).toBe(true);
    // KPi.001 (YUN HO-JIN) is on the UN and UK lists: the UK entry DPR0278 carries the same UN reference number.
    const kpi1 = entities
      .filter((e) => e.get('idNumber').includes('KPi.001'))
      .map((e) => e.id)
      .sort();
    expect(kpi1).toEqual(['gb-ofsi-dpr0278', 'un-kpi-001']);
  });

  it('is idempotent: seeding again loads nothing new', async () => {
    const again = await seedListsDemo(store);
    expect(again.every((l) => l.endsWith('(already loaded)'))).toBe(true);
    expect(await store.listVersions()).toHaveLength(4);
  });
});
