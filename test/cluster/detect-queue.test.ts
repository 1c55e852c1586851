import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun, runProgress } from '../../src/cluster/detect-queue.js';
import type { Finding } from '../../src/findings/finding.js';
import { DETECTOR_KINDS, runDetectors } from '../../src/maritime/events/index.js';
import { buildGeoContext } from '../../src/maritime/geo/context.js';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { loadPositions, loadStatics } from '../../src/maritime/tracks/load.js';
import { buildTracks } from '../../src/maritime/tracks/segment.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { writeSimulation } from '../maritime/helpers.js';
import { citusAvailable, startTestCitus, type TestCitus } from '../support/citus.js';

/**
 * Detection spread over worker processes on the 3-node Citus cluster: two workers give the findings (ids and
 * content) of one run over all vessels, and a worker killed between detecting a unit and writing it leaves
 * nothing of that unit; another worker takes the unit once its lease runs out.
 */
const CHILD = path.join('test', 'cluster', 'worker-child.ts');
const available = citusAvailable();

function child(url: string, mode: 'run' | 'hang', leaseMs: number): { proc: ChildProcess; out: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, url, mode, String(leaseMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const out = new Promise<string>((resolve) => {
    proc.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      if (mode === 'hang' && text.includes('detected ')) resolve(text);
    });
    proc.on('exit', () => resolve(text));
  });
  return { proc, out };
}

/** Findings as sorted JSON with sorted keys (ids and content). */
function canonical(fs: Finding[]): string[] {
  return fs.map((f) => canonicalJson(f)).sort();
}

async function storedFindings(store: Store): Promise<Finding[]> {
  return store.queryFindings({ limit: 100_000 });
}

describe.runIf(available)('cluster detection workers (coordinator + 2 workers)', () => {
  let cluster: TestCitus | undefined;
  let store: Store | undefined;
  let reference: Finding[] = [];

  beforeAll(async () => {
    cluster = await startTestCitus();
    store = await openStore({ url: cluster.url });
    await writeSimulation(store, simulate('yellow-sea', 3, { hours: 48 }), 'sim:cluster');
    // The single-node answer: every detector (encounters included) over all vessels at once.
    const positions = await loadPositions(store.db);
    const tracks = buildTracks(positions, await loadStatics(store.db));
    const [b] = await store.db.query(
      'SELECT min(lon) AS a, min(lat) AS b, max(lon) AS c, max(lat) AS d FROM positions',
    );
    const geo = buildGeoContext({
      minLon: Number(b?.a),
      minLat: Number(b?.b),
      maxLon: Number(b?.c),
      maxLat: Number(b?.d),
    });
    // Through the store once, as the workers' findings will come back from it.
    await store.putFindings(runDetectors(tracks, geo, { kinds: DETECTOR_KINDS }));
    reference = await storedFindings(store);
    await store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('two worker processes find what one run over all vessels finds, encounters included', async () => {
    if (!store || !cluster) throw new Error('no cluster');
    expect(reference.length).toBeGreaterThan(5);
    expect(reference.some((f) => f.kind === 'ais.encounter')).toBe(true);
    const run = await planRun(store, { minUnits: 6 });
    expect(run.units.length).toBeGreaterThanOrEqual(6);
    const a = child(cluster.url, 'run', 60_000);
    const b = child(cluster.url, 'run', 60_000);
    const stats = [await a.out, await b.out].map((t) => JSON.parse(t.trim().split('\n').pop() as string));
    // Per-vessel units, the encounter plan and the cell units it queued: all done, each once.
    const progress = await runProgress(store, run.runId);
    expect(Object.keys(progress)).toEqual(['done']);
    expect(progress.done).toBeGreaterThan(run.units.length);
    expect(stats[0].units + stats[1].units).toBe(progress.done);
    expect(canonical(await storedFindings(store))).toEqual(canonical(reference));
  }, 240_000);

  it('a worker killed mid-unit leaves nothing half-written; its unit is finished by another', async () => {
    if (!store || !cluster) throw new Error('no cluster');
    await store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
    const run = await planRun(store, { minUnits: 4 });
    const lease = 3_000;
    const hung = child(cluster.url, 'hang', lease);
    const said = await hung.out;
    const unit = /detected (\S+)/.exec(said)?.[1];
    expect(unit).toBeDefined();
    hung.proc.kill('SIGKILL');
    await new Promise((r) => hung.proc.once('exit', r));
    // The killed worker wrote nothing: its unit is still running (leased), and no finding is stored yet.
    const [row] = await store.db.query('SELECT state FROM monitor_jobs WHERE id = $1', [unit as string]);
    expect(row?.state).toBe('running');
    expect(await storedFindings(store)).toEqual([]);
    const other = child(cluster.url, 'run', lease);
    const stats = JSON.parse((await other.out).trim().split('\n').pop() as string);
    // The other worker took every unit (the cell units queued later included), the killed one's once its lease
    // ran out.
    const progress = await runProgress(store, run.runId);
    expect(Object.keys(progress)).toEqual(['done']);
    expect(stats.units).toBe(progress.done);
    const [done] = await store.db.query('SELECT state, attempts FROM monitor_jobs WHERE id = $1', [unit as string]);
    expect(done).toMatchObject({ state: 'done' });
    expect(Number(done?.attempts)).toBe(2);
    expect(canonical(await storedFindings(store))).toEqual(canonical(reference));
  }, 240_000);
});
