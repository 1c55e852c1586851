/**
 * Incremental detection in the worker (src/monitor/incremental.ts): a second batch that touches a few vessels is
 * detected over those vessels and the ones that could meet them only, and the findings of the two runs together
 * are those of one run over all the data. The detection cursor is in the store: a worker restarted on it resumes.
 * On DuckDB, and on PostgreSQL when one can be had (against the same one-run reference, made on DuckDB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { detectStore } from '../../src/maritime/detect.js';
import { type SimOutput, simulate } from '../../src/maritime/simulate/generate.js';
import { detectOnce } from '../../src/monitor/worker.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { tempStore, writeSimulation } from '../maritime/helpers.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

type Keep = (mmsi: number, tsMs: number) => boolean;

/** Simulator output written as one import (positions and static reports), keeping what `keep` says. */
const writeBatch = (store: Store, sim: SimOutput, importId: string, keep: Keep) =>
  writeSimulation(store, sim, importId, (tsMs, mmsi) => keep(mmsi, tsMs));

const H = 3_600_000;
let sim: SimOutput;
let full: Awaited<ReturnType<typeof tempStore>>;
let pg: TestPostgres | undefined;
let mid: number;
let touched: number[];
let batch1: Keep;
let batch2: Keep;
/** The second STS transfer of yellow-sea seed 3 (30 h to 36.5 h): the tanker and the DPRK tanker. */
let TANKER: number;
let DPRK_TANKER: number;
/** The findings of one run over all the data, every vessel. */
let want: Map<string, Finding>;
let vesselsInData: number;

beforeAll(async () => {
  sim = simulate('yellow-sea', 3, { hours: 38 });
  vesselsInData = new Set(sim.positions.mmsi).size;
  mid = sim.scenario.startMs + 33 * H;
  const sts = sim.scenario.truth.find(
    (e) => e.kind === 'ais.encounter' && Date.parse(e.start) < mid && Date.parse(e.end!) > mid + H,
  )!;
  [TANKER, DPRK_TANKER] = sts.mmsis as [number, number];
  // The second batch: the hours after `mid` of a few vessels (a live feed where the others went quiet), among
  // them the tanker in the middle of its transfer. The DPRK tanker's whole track came in the first batch (a file
  // import, say): its partner is touched, it is not, and the encounter is found only if it is detected too.
  const all = [...new Set(sim.positions.mmsi)].sort((a, b) => a - b);
  touched = all.filter((m, i) => m === TANKER || (i % 6 === 0 && m !== DPRK_TANKER));
  const t = new Set(touched);
  batch1 = (m, ts) => ts < mid || m === DPRK_TANKER;
  batch2 = (m, ts) => ts >= mid && t.has(m);
  // The same data in one store, detected in one run over every vessel.
  full = await tempStore();
  await writeBatch(full.store, sim, 'live-1', batch1);
  await writeBatch(full.store, sim, 'live-2', batch2);
  const once = await detectStore(full.store, { screen: false, full: true, geoCache: {} });
  expect(once.vessels).toBe(vesselsInData);
  want = byId(await full.store.queryFindings({}));
}, 120_000);
afterAll(async () => {
  await full?.cleanup();
  await pg?.stop();
});

const byId = (fs: Finding[]) => new Map(fs.map((f) => [f.id, f]));

async function scenario(store: Store): Promise<void> {
  const geoCache = {};
  await writeBatch(store, sim, 'live-1', batch1);
  const first = await detectOnce(store, { screen: false, geoCache });
  expect(first.r.upToDate).toBe(false);
  expect(first.r.newImports).toEqual(['live-1']);

  await writeBatch(store, sim, 'live-2', batch2);
  // A worker restarted on the store: the cursor (imports covered) is the store's, not the process's.
  const second = await detectOnce(store, { screen: false, geoCache: {} });
  expect(second.r.newImports).toEqual(['live-2']);
  expect(second.scope!.touched).toEqual(touched);
  // The vessels handed to the detectors: the touched ones and those that could meet them, not every vessel.
  expect(second.r.vessels).toBeGreaterThanOrEqual(touched.length);
  expect(second.r.vessels).toBeLessThan(vesselsInData);
  expect(second.scope!.vessels!.length).toBe(second.r.vessels);
  for (const m of touched) expect(second.scope!.vessels).toContain(m);
  expect(second.scope!.vessels).toContain(DPRK_TANKER);

  const third = await detectOnce(store, { screen: false, geoCache });
  expect(third.r.upToDate).toBe(true);

  const got = byId(await store.queryFindings({}));
  expect(want.size).toBeGreaterThan(0);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [id, f] of want) expect(got.get(id), id).toEqual(f);
  // The transfer as the whole data has it (both tracks to its end), not as the first run saw it (cut at `mid`).
  const sts = [...got.values()].find(
    (f) =>
      f.kind === 'ais.encounter' && f.subjects.includes(`ais-${TANKER}`) && f.subjects.includes(`ais-${DPRK_TANKER}`),
  );
  expect(sts).toBeDefined();
  expect(Date.parse(sts!.end!)).toBeGreaterThan(mid + H);
}

describe('incremental detection in the worker', () => {
  it('re-detects only the touched vessels and their neighbours, and finds what a full run finds (DuckDB)', async () => {
    const inc = await tempStore();
    try {
      await scenario(inc.store);
    } finally {
      await inc.cleanup();
    }
  }, 120_000);

  it.runIf(postgresAvailable())(
    'the same on PostgreSQL',
    async () => {
      pg = await startTestPostgres('monitor-incremental');
      const store = await openStore({ url: pg!.url });
      try {
        await scenario(store);
      } finally {
        await store.close();
      }
    },
    180_000,
  );
});
