import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import.js';
import { dataPath } from '../../src/paths.js';
import { candidatePage } from '../../src/resolve/candidates.js';
import { canonicalEntity, canonicalIdOf } from '../../src/resolve/canonical.js';
import { judgePair } from '../../src/resolve/judge.js';
import { resolveStore } from '../../src/resolve/run.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/** The resolve tables and queries are portable SQL: UN + UK resolve the same on PostgreSQL as on DuckDB. */
const available = postgresAvailable();
let pg: TestPostgres | undefined;

const LISTS = [
  dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'),
  dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml'),
];

describe.runIf(available)('entity resolution on PostgreSQL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-resolve-pg-'));
  let pgStore: Store;
  let duck: Store;

  beforeAll(async () => {
    pg = await startTestPostgres('resolve');
    if (!pg) throw new Error('no PostgreSQL');
    pgStore = await openStore({ url: pg.url });
    duck = await openStore({ url: path.join(dir, 'resolve.duckdb') });
    for (const s of [pgStore, duck]) for (const file of LISTS) await importList(s, file);
  }, 180_000);
  afterAll(async () => {
    await pgStore?.close();
    await duck?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same canonical entities as DuckDB, and judgements work the same', async () => {
    const a = await resolveStore(pgStore, { now: '2026-01-01T00:00:00.000Z' });
    const b = await resolveStore(duck, { now: '2026-01-01T00:00:00.000Z' });
    expect(a.ran).toBe(true);
    expect({ ...a, resolution: undefined }).toEqual({ ...b, resolution: undefined });
    expect(a).toMatchObject({ clusters: 155, referents: 310, merges: 155, refused: 1 });
    expect([...a.resolution!.canonicalOf].sort()).toEqual([...b.resolution!.canonicalOf].sort());
    expect((await resolveStore(pgStore)).ran).toBe(false);

    const node = (await canonicalEntity(pgStore, 'un-kpi-013'))!;
    expect(node.referents).toEqual(['gb-ofsi-dpr0205', 'un-kpi-013']);
    await judgePair(pgStore, 'un-kpi-013', 'gb-ofsi-dpr0205', 'negative', { author: 'pg-test' });
    expect(await canonicalIdOf(pgStore, 'un-kpi-013')).toBe('un-kpi-013');
  });

  it('stores and reads back the same candidate pairs as DuckDB', async () => {
    const ids = (p: Awaited<ReturnType<typeof candidatePage>>) =>
      p.results.map((c) => `${c.left.id} ${c.right.id} ${c.score} ${JSON.stringify(c.features)}`);
    const [a, b] = [await candidatePage(pgStore, { limit: 30 }), await candidatePage(duck, { limit: 30 })];
    expect(a.total).toBeGreaterThan(30);
    expect(ids(a)).toEqual(ids(b));
    expect(a.results[0]!.left.properties.name?.length).toBeGreaterThan(0);
    // A second handle on the same database reads the stored pairs (same list state) instead of scoring again.
    const again = await openStore({ url: pg!.url });
    try {
      const runs = await again.db.query('SELECT pairs FROM resolve_candidate_runs');
      expect(runs).toHaveLength(1);
      expect(ids(await candidatePage(again, { limit: 30 }))).toEqual(ids(a));
    } finally {
      await again.close();
    }
  }, 120_000);
});
