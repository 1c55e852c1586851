import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_KIND, planRun, runProgress, runWorker } from '../../src/cluster/detect-queue.js';
import { POINTS_TABLE } from '../../src/cluster/encounter-units.js';
import { writeCopy } from '../../src/cluster/sim-dataset.js';
import type { Finding } from '../../src/findings/finding.js';
import { DETECTOR_KINDS, runDetectors } from '../../src/maritime/events/index.js';
import { buildGeoContext } from '../../src/maritime/geo/context.js';
import { loadPositions, loadStatics } from '../../src/maritime/tracks/load.js';
import { buildTracks } from '../../src/maritime/tracks/segment.js';
import { PositionBuilder } from '../../src/maritime/tracks/types.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { citusAvailable, startTestCitus, type TestCitus } from '../support/citus.js';
import { runCli } from '../support/cli.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { boundaryMeetings, DAY0 } from './boundary-meetings.js';

/**
 * Encounters by grid cell × time slot units (src/cluster/encounter-units.ts): two workers store exactly the
 * findings (ids and content) of one run of every detector over all vessels, on single-node PostgreSQL and on the
 * 3-node Citus cluster, with the meetings of boundary-meetings.ts placed on cell edges and corners and across
 * slot boundaries, each cell of each 6-hour slot its own unit; every encounter is reported by exactly one unit.
 */

function canonical(fs: Finding[]): string[] {
  return fs.map((f) => canonicalJson(f)).sort();
}

async function reference(store: Store): Promise<Finding[]> {
  const tracks = buildTracks(await loadPositions(store.db), await loadStatics(store.db));
  const [b] = await store.db.query('SELECT min(lon) AS a, min(lat) AS b, max(lon) AS c, max(lat) AS d FROM positions');
  const geo = buildGeoContext({
    minLon: Number(b?.a),
    minLat: Number(b?.b),
    maxLon: Number(b?.c),
    maxLat: Number(b?.d),
  });
  await store.putFindings(runDetectors(tracks, geo, { kinds: DETECTOR_KINDS }));
  const out = await store.queryFindings({ limit: 100_000 });
  await store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
  return out;
}

async function clusterRunMatches(url: string, store: Store, ref: Finding[]): Promise<void> {
  const encounters = ref.filter((f) => f.kind === 'ais.encounter');
  // The ten meetings of the dataset: corner, slot start, slot end, drift, merge, two apart, three of the trio.
  expect(encounters.map((f) => `${f.subjects.join(',')}@${f.start}`).sort()).toEqual(
    [
      'ais-229000803,ais-412000801@2024-03-01T05:00:00.000Z',
      'ais-229000803,ais-440000802@2024-03-01T05:00:00.000Z',
      'ais-353000302,ais-412000301@2024-03-01T17:50:00.000Z',
      'ais-412000101,ais-440000102@2024-03-01T03:00:00.000Z',
      'ais-412000201,ais-667000202@2024-03-01T12:00:00.000Z',
      'ais-412000401,ais-538000402@2024-03-01T20:00:00.000Z',
      'ais-412000501,ais-636000502@2024-03-01T04:00:00.000Z',
      'ais-412000601,ais-477000602@2024-03-01T01:00:00.000Z',
      'ais-412000601,ais-477000602@2024-03-01T08:30:00.000Z',
      'ais-412000801,ais-440000802@2024-03-01T05:00:00.000Z',
    ].sort(),
  );
  // A 0.1° grid and 6-hour slots, one cell of one slot per unit.
  const run = await planRun(store, { minUnits: 4, grid: { cellDeg: 0.1, blockSlots: 36, unitPoints: 1 } });
  const workers = [await openStore({ url }), await openStore({ url })];
  try {
    const stats = await Promise.all(workers.map((w) => runWorker(w, { leaseMs: 60_000 })));
    const progress = await runProgress(store, run.runId);
    expect(Object.keys(progress)).toEqual(['done']);
    expect(stats[0]!.units + stats[1]!.units).toBe(progress.done);
  } finally {
    for (const w of workers) await w.close();
  }
  expect(canonical(await store.queryFindings({ limit: 100_000 }))).toEqual(canonical(ref));
  // Exactly once: the cell units' finding counts add up to the encounters, found by several units; the drifting
  // pair's unit read further ahead.
  const cells = await store.db.query('SELECT result FROM monitor_jobs WHERE kind = $1 AND id LIKE $2', [
    CELL_KIND,
    `cdetect:${run.runId}:%`,
  ]);
  const results = cells.map((r) => JSON.parse(String(r.result)) as { findings: number; extensions: number });
  expect(results.length).toBeGreaterThan(20);
  expect(results.reduce((s, r) => s + r.findings, 0)).toBe(encounters.length);
  expect(results.filter((r) => r.findings > 0).length).toBeGreaterThanOrEqual(7);
  expect(results.some((r) => r.extensions > 0)).toBe(true);
}

/**
 * Incremental runs: the dataset's positions before `cuts[0]` are imported and run in full by the cluster; then,
 * for each cut, the positions up to the next cut are imported and `planRun({ sinceMs: cut })` re-runs only the
 * vessels with positions from the cut on and the cells they reach. After each run the stored findings equal those
 * of one run over everything imported so far (computed from the same imports).
 */
async function incrementalMatches(url: string, store: Store, cuts: number[]): Promise<void> {
  const grid = { cellDeg: 0.1, blockSlots: 36, unitPoints: 1 };
  const runAll = async () => {
    const workers = [await openStore({ url }), await openStore({ url })];
    try {
      await Promise.all(workers.map((w) => runWorker(w, { leaseMs: 60_000 })));
    } finally {
      for (const w of workers) await w.close();
    }
  };
  const data = boundaryMeetings();
  const bounds = [-Infinity, ...cuts, Infinity];
  await writeCopy(store, part(data, bounds[0]!, bounds[1]!), 'sim:boundaries-0');
  await planRun(store, { minUnits: 4, grid });
  await runAll();
  for (let c = 0; c < cuts.length; c++) {
    const since = cuts[c]!;
    await writeCopy(store, part(data, since, bounds[c + 2]!), `sim:boundaries-${c + 1}`);
    const expected = await splitReference(bounds.slice(0, c + 3));
    expect(canonical(await store.queryFindings({ limit: 100_000 }))).not.toEqual(canonical(expected));
    const run = await planRun(store, { minUnits: 4, sinceMs: since });
    expect(run.fullBecause).toBeUndefined();
    expect(run.sinceMs).toBe(since);
    await runAll();
    expect(canonical(await store.queryFindings({ limit: 100_000 }))).toEqual(canonical(expected));
    // Only the vessels with new positions were read.
    const [total] = await store.db.query('SELECT count(*) AS n FROM positions');
    const rows = await store.db.query('SELECT id, result FROM monitor_jobs WHERE id LIKE $1', [
      `cdetect:${run.runId}:%`,
    ]);
    const read = rows
      .filter((r) => /:\d+-\d+$/.test(String(r.id)) && !String(r.id).includes(':cell:'))
      .reduce((s, r) => s + (JSON.parse(String(r.result)) as { positions: number }).positions, 0);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(Number(total?.n) * 0.8);
  }
}

/** The positions of a dataset with lo <= ts < hi (and the static reports of that time). */
function part(data: ReturnType<typeof boundaryMeetings>, lo: number, hi: number) {
  const p = data.positions;
  const pb = new PositionBuilder(p.length);
  const src = pb.sourceId(p.sources[0] ?? 'sim');
  for (let i = 0; i < p.length; i++)
    if (p.tsMs[i]! >= lo && p.tsMs[i]! < hi)
      pb.push(p.mmsi[i]!, p.tsMs[i]!, p.lat[i]!, p.lon[i]!, p.sogKn[i]!, p.cogDeg[i]!, src);
  return { positions: pb.finish(), statics: data.statics.filter((s) => s.tsMs >= lo && s.tsMs < hi) };
}

/** One run of every detector over the parts between `bounds`, imported as the incremental test imports them. */
async function splitReference(bounds: number[]): Promise<Finding[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-cenc-ref-'));
  const store = await openStore({ url: path.join(dir, 'ref.duckdb') });
  try {
    const data = boundaryMeetings();
    for (let c = 0; c + 1 < bounds.length; c++)
      await writeCopy(store, part(data, bounds[c]!, bounds[c + 1]!), `sim:boundaries-${c}`);
    return await reference(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('encounters by cell × slot units (DuckDB, one worker)', () => {
  it('one worker stores the findings of one run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-cenc-'));
    const store = await openStore({ url: path.join(dir, 'test.duckdb') });
    try {
      await writeCopy(store, boundaryMeetings(), 'sim:boundaries');
      const ref = await reference(store);
      await planRun(store, { minUnits: 3, grid: { cellDeg: 0.1, blockSlots: 36, unitPoints: 1 } });
      await runWorker(store);
      expect(canonical(await store.queryFindings({ limit: 100_000 }))).toEqual(canonical(ref));
      expect(ref.filter((f) => f.kind === 'ais.encounter')).toHaveLength(10);
      // Light time slots packed whole into one unit (1-hour slots, room for 2,000 points per unit): fewer units
      // than slots, and the same findings.
      const packed = await planRun(store, { minUnits: 3, grid: { cellDeg: 0.1, blockSlots: 6, unitPoints: 2000 } });
      await runWorker(store);
      expect(canonical(await store.queryFindings({ limit: 100_000 }))).toEqual(canonical(ref));
      const cellJobs = await store.db.query('SELECT id, result FROM monitor_jobs WHERE kind = $1 AND id LIKE $2', [
        CELL_KIND,
        `cdetect:${packed.runId}:%`,
      ]);
      const slotsRun = cellJobs.reduce(
        (s, r) => s + ((JSON.parse(String(r.result)) as { slots?: number }).slots ?? 1),
        0,
      );
      const [slotCount] = await store.db.query(`SELECT count(DISTINCT sb) AS n FROM ${POINTS_TABLE}`);
      expect(cellJobs.some((r) => /:cell:\d+-\d+:\d+-\d+$/.test(String(r.id)))).toBe(true);
      expect(cellJobs.length).toBeLessThan(Number(slotCount?.n));
      expect(slotsRun).toBeGreaterThanOrEqual(Number(slotCount?.n));
      // Points stored by an older version (the fixes' sources as text) cannot be read: the next incremental run
      // runs in full and rebuilds the table with the import keys.
      await store.db.exec(`DROP TABLE ${POINTS_TABLE}; CREATE TABLE ${POINTS_TABLE} (mmsi INTEGER, start_src TEXT)`);
      const again = await planRun(store, { sinceMs: DAY0 + 86_400_000 });
      expect([again.sinceMs, again.fullBecause]).toEqual([
        undefined,
        'the encounter points of the last run are stored in an older layout',
      ]);
      const cols = await store.db.query(
        `SELECT column_name AS c FROM information_schema.columns WHERE table_name = '${POINTS_TABLE}'`,
      );
      expect(cols.map((r) => r.c)).toEqual(expect.arrayContaining(['start_key', 'end_key']));
      expect(cols.map((r) => r.c)).not.toContain('start_src');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.runIf(postgresAvailable())('encounters by cell × slot units (single-node PostgreSQL)', () => {
  let pg: TestPostgres | undefined;
  let store: Store | undefined;
  let ref: Finding[] = [];

  beforeAll(async () => {
    pg = await startTestPostgres('cluster-encounters');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
    await writeCopy(store, boundaryMeetings(), 'sim:boundaries');
    ref = await reference(store);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  it('two workers store the findings of one run, encounters on cell and slot boundaries included', async () => {
    if (!store || !pg) throw new Error('no store');
    await clusterRunMatches(pg.url, store, ref);
  }, 180_000);

  it('`cluster detect --workers 2` with a 0.1° grid stores the same findings', async () => {
    if (!store || !pg) throw new Error('no store');
    await store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
    const r = await runCli(
      ['--db', pg.url, 'cluster', 'detect', '--workers', '2', '--cell-deg', '0.1', '--cell-points', '1', '--json'],
      { timeoutMs: 170_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { progress: Record<string, number>; exitCodes: number[] };
    expect(Object.keys(out.progress)).toEqual(['done']);
    expect(out.exitCodes).toEqual([0, 0]);
    expect(canonical(await store.queryFindings({ limit: 100_000 }))).toEqual(canonical(ref));
  }, 180_000);

  it('incremental runs (--since) re-run the vessels with new positions and give the full run findings', async () => {
    if (!store || !pg) throw new Error('no store');
    // 21:00 on the first day: the drifting pair has met an hour before (not yet an encounter); 12:00 on the second
    // day: the drifting pair's encounter, started 16 h before, goes on. The new positions stay inside the first
    // part's bounding box.
    await store.db.exec(
      'DELETE FROM finding_subjects; DELETE FROM findings; DELETE FROM positions; DELETE FROM vessel_static',
    );
    await incrementalMatches(pg.url, store, [DAY0 + 21 * 3_600_000, DAY0 + 36 * 3_600_000]);
  }, 180_000);
});

describe.runIf(citusAvailable())('encounters by cell × slot units (coordinator + 2 workers)', () => {
  let cluster: TestCitus | undefined;
  let store: Store | undefined;
  let ref: Finding[] = [];

  beforeAll(async () => {
    cluster = await startTestCitus();
    store = await openStore({ url: cluster.url });
    await writeCopy(store, boundaryMeetings(), 'sim:boundaries');
    ref = await reference(store);
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('two workers store the findings of one run, encounters on cell and slot boundaries included', async () => {
    if (!store || !cluster) throw new Error('no cluster');
    await clusterRunMatches(cluster.url, store, ref);
    // The points table is sharded by MMSI beside positions.
    const [d] = await store.db.query(
      `SELECT count(*) AS n FROM pg_dist_partition WHERE logicalrelid = '${POINTS_TABLE}'::regclass AND partmethod = 'h'`,
    );
    expect(Number(d?.n)).toBe(1);
  }, 240_000);

  it('incremental runs (--since) give the full run findings', async () => {
    if (!store || !cluster) throw new Error('no cluster');
    await store.db.exec(
      'DELETE FROM finding_subjects; DELETE FROM findings; DELETE FROM positions; DELETE FROM vessel_static',
    );
    await incrementalMatches(cluster.url, store, [DAY0 + 21 * 3_600_000, DAY0 + 36 * 3_600_000]);
  }, 240_000);
});
