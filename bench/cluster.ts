/**
 * Scaling benchmark (issue 19): import and per-vessel detection of N simulated positions on one PostgreSQL node
 * vs the 3-node Citus cluster (a coordinator and two workers) on this machine. The machine has 2 cores shared by
 * everything, so wall time says little: the figures are CPU seconds per node (each server's postmaster with its
 * exited and live backends, read from /proc) and per client process, and rows per node.
 *
 *   npx tsx bench/cluster.ts [--positions 10000000] [--workers 2] [--layout sequential|stacked]
 *                            [--one-process auto|yes|no] [--setups both|one-node|citus] [--out FILE]
 *
 * Data: copies of the simulated Yellow Sea scenario (src/cluster/sim-dataset.ts), generated once and written to
 * both stores; `sequential` (the default) puts copy k k × 3 days after the first, `stacked` puts every copy over
 * the same three days (n fleets in one sea: encounter cells then grow with the square of n).
 * The one-process reference holds every position of the store in one process: `auto` runs it up to 20 M
 * positions (above that it needs more memory than a worker is given, which is what the workers are for).
 * Detection: `planRun` + worker processes (test/cluster/worker-child.ts, as `cluster detect-worker`), every
 * detector (encounters by cell × slot units included); then one process running every detector over all positions
 * of the same store, and (with the one-process run) over the same copies in an embedded DuckDB file. Findings
 * parity: the sets of findings (one node / Citus × workers / one process, and DuckDB), read back from each store,
 * compared by id and by the sha256 of each finding's canonical JSON.
 * Writes bench/results/cluster.md.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { CELL_KIND, planRun } from '../src/cluster/detect-queue.js';
import { type SimLayout, simulatedCopy, writeCopy } from '../src/cluster/sim-dataset.js';
import { DETECTOR_KINDS, runDetectors } from '../src/maritime/events/index.js';
import { buildGeoContext } from '../src/maritime/geo/context.js';
import { loadPositions, loadStatics } from '../src/maritime/tracks/load.js';
import { buildTracks } from '../src/maritime/tracks/segment.js';
import { openDb, openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { startTestCitus } from '../test/support/citus.js';
import { startTestPostgres } from '../test/support/postgres.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const TARGET = Number(arg('positions', '10000000'));
const WORKERS = Number(arg('workers', '2'));
const LAYOUT = arg('layout', 'sequential') as SimLayout;
if (LAYOUT !== 'sequential' && LAYOUT !== 'stacked') throw new Error(`--layout ${LAYOUT}: sequential or stacked`);
const ONE_PROCESS = arg('one-process', 'auto');
const OUT = arg('out', 'bench/results/cluster.md');
const SETUPS = arg('setups', 'both');
if (!['both', 'one-node', 'citus'].includes(SETUPS)) throw new Error(`--setups ${SETUPS}: both, one-node or citus`);
const TICK = 100; // USER_HZ

function procCpu(pid: number, children: boolean): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    const [ut, st, cut, cst] = [rest[11], rest[12], rest[13], rest[14]].map(Number);
    return ((ut ?? 0) + (st ?? 0) + (children ? (cut ?? 0) + (cst ?? 0) : 0)) / TICK;
  } catch {
    return 0;
  }
}

/** CPU seconds of a server so far: its postmaster (with reaped backends) and its live backends. */
async function serverCpu(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const [r] = (await c.query('SELECT pg_backend_pid() AS pid')).rows;
  // Read the backend's parent (the postmaster) while the backend is alive: it exits with the connection.
  // The servers' processes may be hidden from this user (/proc hidepid): then per-node CPU is not measurable.
  let stat: string;
  try {
    stat = readFileSync(`/proc/${r.pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  } finally {
    await c.end();
  }
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  let total = procCpu(ppid, true);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === ppid) total += procCpu(Number(d), false);
    } catch {}
  }
  return total;
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: all processes, other users' jobs included). */
function machineCpu(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return (f.reduce((a, b) => a + b, 0) - idle) / TICK;
}

/** Stored findings as id → sha256 of the canonical JSON (keys sorted). */
async function findingHashes(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await store.queryFindings({ limit: 1_000_000 }))
    out.set(f.id, createHash('sha256').update(canonicalJson(f)).digest('hex'));
  return out;
}

function compare(a: Map<string, string>, b: Map<string, string>): string {
  let same = 0;
  let differ = 0;
  let onlyA = 0;
  for (const [id, h] of a) {
    const o = b.get(id);
    if (o === undefined) onlyA++;
    else if (o === h) same++;
    else differ++;
  }
  const onlyB = [...b.keys()].filter((id) => !a.has(id)).length;
  const ok = differ === 0 && onlyA === 0 && onlyB === 0;
  return `${ok ? 'identical' : 'DIFFERENT'}: ${same.toLocaleString('en-US')} same id and hash, ${differ} same id other content, ${onlyA} only left, ${onlyB} only right`;
}

interface Setup {
  name: string;
  store: Store;
  url: string;
  nodes: Array<{ name: string; url: string }>;
}

process.on('exit', (code) => process.stderr.write(`bench/cluster.ts: exit ${code}\n`));
const single = SETUPS !== 'citus' ? await startTestPostgres('cluster-bench') : undefined;
const citus = SETUPS !== 'one-node' ? await startTestCitus() : undefined;
if (SETUPS !== 'citus' && !single) throw new Error('no PostgreSQL');
const setups: Setup[] = [];
if (single) {
  const db = await openDb(single.url);
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await db.close();
  setups.push({
    name: 'one node',
    store: await openStore({ url: single.url }),
    url: single.url,
    nodes: [{ name: 'node', url: single.url }],
  });
}
if (citus)
  setups.push({
    name: 'Citus 3 nodes',
    store: await openStore({ url: citus.url }),
    url: citus.url,
    nodes: [
      { name: 'coordinator', url: citus.url },
      ...citus.workers.map((_, i) => ({ name: `worker ${i + 1}`, url: citus.workerUrl(i) })),
    ],
  });

const cpuAll = async (s: Setup) => Promise.all(s.nodes.map((n) => serverCpu(n.url)));
/** A node's CPU seconds, or why there is none (its processes are hidden from this user). */
const cpuCell = (x: number): string => (Number.isNaN(x) ? 'not readable' : x.toFixed(1));
const importCpu = new Map<string, { wall: number; client: number; nodes: number[]; machine: number }>();
const before = new Map<string, number[]>();
for (const s of setups) before.set(s.name, await cpuAll(s));
let total = 0;
let copies = 0;
const acc = new Map<string, { wall: number; client: number; machine: number }>();
// The embedded store as a third reference (one process, same copies) wherever the one-process run is made.
const duckDir =
  ONE_PROCESS === 'yes' || (ONE_PROCESS === 'auto' && TARGET <= 20_000_000)
    ? mkdtempSync(path.join(os.tmpdir(), 'wk-cluster-duck-'))
    : undefined;
const duck = duckDir ? await openStore({ url: path.join(duckDir, 'bench.duckdb') }) : undefined;
while (total < TARGET) {
  const c = simulatedCopy(copies, 101, LAYOUT);
  if (duck) await writeCopy(duck, c, `sim:copy-${copies}`);
  for (const s of setups) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const m0 = machineCpu();
    await writeCopy(s.store, c, `sim:copy-${copies}`);
    const a = acc.get(s.name) ?? { wall: 0, client: 0, machine: 0 };
    a.machine += machineCpu() - m0;
    const d = process.cpuUsage(c0);
    a.wall += (performance.now() - t0) / 1000;
    a.client += (d.user + d.system) / 1e6;
    acc.set(s.name, a);
  }
  total += c.positions.length;
  copies++;
  process.stderr.write(`\r${total.toLocaleString('en-US')} positions written`);
}
process.stderr.write('\n');
for (const s of setups) {
  const after = await cpuAll(s);
  const b = before.get(s.name) as number[];
  importCpu.set(s.name, {
    ...(acc.get(s.name) as { wall: number; client: number; machine: number }),
    nodes: after.map((x, i) => x - b[i]!),
  });
}

/** Each node's database size on disk (tables, indexes, TOAST), bytes. */
async function sizesPerNode(s: Setup): Promise<number[]> {
  const out: number[] = [];
  for (const n of s.nodes) {
    const c = new pg.Client({ connectionString: n.url });
    await c.connect();
    out.push(Number((await c.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b));
    await c.end();
  }
  return out;
}

async function rowsPerNode(s: Setup): Promise<number[]> {
  if (s.nodes.length === 1) {
    const [r] = await s.store.db.query('SELECT count(*) AS n FROM positions');
    return [Number(r?.n)];
  }
  const rows = await s.store.db.query(
    `SELECT nodeport AS port, sum(shard_size) AS bytes FROM citus_shards GROUP BY nodeport ORDER BY nodeport`,
  );
  const out: number[] = [0];
  for (let i = 0; i < (citus?.workers.length ?? 0); i++) {
    const c = new pg.Client({ connectionString: citus!.workerUrl(i) });
    await c.connect();
    await c.query('SET citus.override_table_visibility TO off');
    const names = (await c.query("SELECT relname FROM pg_class WHERE relname ~ '^positions_[0-9]+$' AND relkind = 'p'"))
      .rows;
    let n = 0;
    for (const r of names) n += Number((await c.query(`SELECT count(*) AS n FROM ${r.relname}`)).rows[0].n);
    out.push(n);
    await c.end();
  }
  void rows;
  return out;
}

const runOneProcess = ONE_PROCESS === 'yes' || (ONE_PROCESS === 'auto' && total <= 20_000_000);
const parity: Array<{ name: string; byWorkers: Map<string, string>; oneProcess: Map<string, string> }> = [];
const lines = [
  '## Import and detection: one node vs Citus (bench/cluster.ts)',
  '',
  `${total.toLocaleString('en-US')} simulated positions (${copies} copies of the Yellow Sea scenario, ${LAYOUT === 'sequential' ? 'one after another in time' : 'stacked over the same three days'}); ${os.cpus().length} shared cores, ` +
    `load ${os.loadavg()[0]!.toFixed(1)} at the end of the import; ${WORKERS} detection worker processes per setup.`,
  '',
  '| setup | phase | wall s | client CPU s | machine CPU s | CPU s per node | rows per node |',
  '|---|---|---|---|---|---|---|',
];
for (const s of setups) {
  const imp = importCpu.get(s.name)!;
  const rows = await rowsPerNode(s);
  const names = s.nodes.map((n) => n.name);
  lines.push(
    `| ${s.name} | import | ${imp.wall.toFixed(1)} | ${imp.client.toFixed(1)} | ${imp.machine.toFixed(1)} | ${imp.nodes.map((x, i) => `${names[i]} ${cpuCell(x)}`).join(', ')} | ${rows.map((x, i) => `${names[i]} ${x.toLocaleString('en-US')}`).join(', ')} (database ${(await sizesPerNode(s)).map((x, i) => `${names[i]} ${(x / 2 ** 30).toFixed(2)} GiB`).join(', ')}) |`,
  );
  process.stderr.write(`${s.name}: detection by ${WORKERS} workers\n`);
  const b = await cpuAll(s);
  await s.store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
  const run = await planRun(s.store, { minUnits: WORKERS * 4 });
  const t0 = performance.now();
  const m0 = machineCpu();
  const outs = await Promise.all(
    Array.from(
      { length: WORKERS },
      () =>
        new Promise<string>((resolve) => {
          const p = spawn(
            process.execPath,
            ['--import', 'tsx', 'test/cluster/worker-child.ts', s.url, 'run', '600000'],
            {
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          let t = '';
          p.stdout.on('data', (d: Buffer) => {
            t += d.toString();
          });
          p.on('exit', () => resolve(t));
        }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const machine = machineCpu() - m0;
  const a = await cpuAll(s);
  const stats = outs.map(
    (o) => JSON.parse(o.trim().split('\n').pop() as string) as { cpuS: number; findings: number; units: number },
  );
  const [cells] = await s.store.db.query('SELECT count(*) AS n FROM monitor_jobs WHERE kind = $1 AND id LIKE $2', [
    CELL_KIND,
    `cdetect:${run.runId}:%`,
  ]);
  const units = stats.reduce((x, y) => x + y.units, 0);
  lines.push(
    `| ${s.name} | detection by ${WORKERS} workers (${units} units: ${run.units.length - 1} per-vessel, 1 plan, ${Number(cells?.n)} cell × slot; ${stats.reduce((x, y) => x + y.findings, 0)} findings) | ${wall.toFixed(1)} | ${stats.map((x) => x.cpuS.toFixed(1)).join(' + ')} | ${machine.toFixed(1)} | ${a.map((x, i) => `${names[i]} ${cpuCell(x - b[i]!)}`).join(', ')} | |`,
  );
  const byWorkers = await findingHashes(s.store);
  await s.store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
  // One process, every detector over all positions of the store (the single-run reference).
  if (runOneProcess) {
    process.stderr.write(`${s.name}: detection by one process\n`);
    const b1 = await cpuAll(s);
    const c0 = process.cpuUsage();
    const t1 = performance.now();
    const m1 = machineCpu();
    const tracks = buildTracks(await loadPositions(s.store.db), await loadStatics(s.store.db));
    const found = runDetectors(tracks, buildGeoContext(run.bbox), { kinds: DETECTOR_KINDS });
    const d = process.cpuUsage(c0);
    const a1 = await cpuAll(s);
    lines.push(
      `| ${s.name} | detection by one process (${found.length} findings, ${found.filter((f) => f.kind === 'ais.encounter').length} encounters) | ${((performance.now() - t1) / 1000).toFixed(1)} | ${((d.user + d.system) / 1e6).toFixed(1)} | ${(machineCpu() - m1).toFixed(1)} | ${a1.map((x, i) => `${names[i]} ${cpuCell(x - b1[i]!)}`).join(', ')} | |`,
    );
    await s.store.putFindings(found);
  }
  const oneProcess = runOneProcess ? await findingHashes(s.store) : new Map<string, string>();
  parity.push({ name: s.name, byWorkers, oneProcess });
  await s.store.close();
}
const [p1, p3] = parity as [(typeof parity)[0], (typeof parity)[0] | undefined];
let duckLine: string | undefined;
if (duck && runOneProcess) {
  process.stderr.write('DuckDB: detection by one process\n');
  const [b] = await duck.db.query('SELECT min(lon) AS a, min(lat) AS b, max(lon) AS c, max(lat) AS d FROM positions');
  const c0 = process.cpuUsage();
  const t1 = performance.now();
  const tracks = buildTracks(await loadPositions(duck.db), await loadStatics(duck.db));
  const bbox = { minLon: Number(b?.a), minLat: Number(b?.b), maxLon: Number(b?.c), maxLat: Number(b?.d) };
  const found = runDetectors(tracks, buildGeoContext(bbox), { kinds: DETECTOR_KINDS });
  const d = process.cpuUsage(c0);
  lines.push(
    `| DuckDB (embedded, one file) | detection by one process (${found.length} findings, ${found.filter((f) => f.kind === 'ais.encounter').length} encounters) | ${((performance.now() - t1) / 1000).toFixed(1)} | ${((d.user + d.system) / 1e6).toFixed(1)} | | | |`,
  );
  await duck.putFindings(found);
  duckLine = `- one process, DuckDB vs ${p1.name}: ${compare(await findingHashes(duck), p1.oneProcess)}`;
}
await duck?.close();
if (duckDir) rmSync(duckDir, { recursive: true, force: true });
lines.push(
  '',
  `Findings parity (by id and by sha256 of each finding's canonical JSON, read back from the store; ${p1.byWorkers.size.toLocaleString('en-US')} findings):`,
  '',
  ...(runOneProcess
    ? parity.map((p) => `- ${p.name}, ${WORKERS} workers vs one process: ${compare(p.byWorkers, p.oneProcess)}`)
    : [
        `- one process: not run (${total.toLocaleString('en-US')} positions do not fit one process; --one-process yes forces it)`,
      ]),
  ...(p3
    ? [
        ...(runOneProcess ? [`- one process, ${p1.name} vs ${p3.name}: ${compare(p1.oneProcess, p3.oneProcess)}`] : []),
        `- ${WORKERS} workers, ${p1.name} vs ${p3.name}: ${compare(p1.byWorkers, p3.byWorkers)}`,
      ]
    : []),
  ...(duckLine ? [duckLine] : []),
);
await single?.stop();
await citus?.stop();
const out = lines.join('\n');
console.log(out);
writeFileSync(OUT, `${out}\n`);
