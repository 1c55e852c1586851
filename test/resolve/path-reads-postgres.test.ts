import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neighbourhood, shortestPath } from '../../src/cases/graph.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FX, seedCaseFixture } from '../cases/fixture.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/**
 * The graph's batched level reads (src/cases/graph.ts: referencing entities, findings per subject with a window
 * function, canonical referents) are portable SQL: the case fixture, whose path runs through an STS finding and a
 * canonical vessel, gives the same path and neighbourhoods on PostgreSQL as on DuckDB.
 */
const available = postgresAvailable();
let pg: TestPostgres | undefined;

describe.runIf(available)('graph reads on PostgreSQL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-graph-pg-'));
  let pgStore: Store;
  let duck: Store;

  beforeAll(async () => {
    pg = await startTestPostgres('graph');
    if (!pg) throw new Error('no PostgreSQL');
    pgStore = await openStore({ url: pg.url });
    duck = await openStore({ url: path.join(dir, 'graph.duckdb') });
    for (const s of [pgStore, duck]) await seedCaseFixture(s);
  }, 180_000);
  afterAll(async () => {
    await pgStore?.close();
    await duck?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the trader to the listed owner through the STS finding, and neighbourhoods, as on DuckDB', async () => {
    const p = await shortestPath(pgStore, FX.trader, FX.owner);
    expect(p.nodes.map((n) => n.schema)).toEqual(['Company', 'Vessel', 'Finding', 'Vessel', 'Company']);
    expect(p).toEqual(await shortestPath(duck, FX.trader, FX.owner));
    for (const id of [FX.aisReceiver, FX.tanker, FX.owner]) {
      expect(await neighbourhood(pgStore, id)).toEqual(await neighbourhood(duck, id));
    }
  });
});
