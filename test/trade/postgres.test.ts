import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { importComtrade } from '../../src/trade/comtrade.js';
import { mirrorFromStore } from '../../src/trade/mirror.js';
import { screenStore } from '../../src/trade/screen.js';
import { importShipments } from '../../src/trade/shipments.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/** The trade tables and queries are portable SQL: the same imports, findings and mirror totals on PostgreSQL. */
const available = postgresAvailable();
let pg: TestPostgres | undefined;

describe.runIf(available)('trade on PostgreSQL', () => {
  let store: Store;
  beforeAll(async () => {
    pg = await startTestPostgres('trade');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
    await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'));
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  it('imports shipments atomically, refuses a re-import, and screens them', async () => {
    const file = path.resolve('test/fixtures/trade/shipments.csv');
    expect((await importShipments(store, file)).rows).toBe(8);
    expect((await importShipments(store, file)).created).toBe(false);
    const r = await screenStore(store);
    // Lists but no AIS here: the listed consignee and the cars to Rajin, nothing else.
    expect(r.findings.map((f) => [f.kind, f.evidence[0]!.record]).sort()).toEqual([
      ['trade.listed_party', 'shipments.csv:3'],
      ['trade.prohibited_goods', 'shipments.csv:4'],
    ]);
  }, 120_000);

  it('gives the same mirror totals as DuckDB', async () => {
    await importComtrade(store, path.resolve('test/fixtures/trade/comtrade_mirror.csv'));
    const m = await mirrorFromStore(store);
    expect(m.rows).toBe(22);
    expect(m.totals.map((t) => t.valueUsd)).toEqual([2_634_000_000, 74_000_000, 1_300_000, 41_000_000, 17_900_000]);
    expect(m.petroleum[0]).toMatchObject({ year: 2018, barrels: 549_750, aboveCap: true });
  });
});
