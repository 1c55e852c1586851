/**
 * Detection over stored positions, phase by phase: how long reading positions out of the store takes with the
 * former path (one aggregated text per vessel, parsed on the client) and with typed columns (DuckDB result
 * chunks, PostgreSQL binary COPY OUT), then segmentation, the detectors and `detectStore` end to end.
 *
 *   npx tsx bench/detect-store.ts [--positions 5000000] [--engines duckdb,postgres] [--pg postgres://...]
 *
 * Data: copies of the simulated Yellow Sea scenario (src/cluster/sim-dataset.ts). PostgreSQL: --pg, else a
 * throwaway cluster as the tests use. Wall and client CPU seconds per phase; the server's share of a read is
 * about wall minus client CPU (one client, one server, 2 shared cores). Writes bench/results/detect-store.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulatedCopy, writeCopy } from '../src/cluster/sim-dataset.js';
import { detectStore } from '../src/maritime/detect.js';
import { DETECTOR_KINDS, runDetectors } from '../src/maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../src/maritime/geo/context.js';
import { loadPositions, loadPositionsAggregated, loadStatics } from '../src/maritime/tracks/load.js';
import { buildTracks } from '../src/maritime/tracks/segment.js';
import { openDb, openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const TARGET = Number(arg('positions', '5000000'));
const ENGINES = arg('engines', 'duckdb,postgres').split(',');

async function phase<T>(fn: () => Promise<T> | T): Promise<{ value: T; wallS: number; cpuS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wallS, cpuS: (c.user + c.system) / 1e6 };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const s = (x: number) => x.toFixed(2);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'wk-detect-bench-'));
const stores: Array<{ name: string; store: Store }> = [];
let pg: TestPostgres | undefined;
if (ENGINES.includes('duckdb'))
  stores.push({ name: 'duckdb', store: await openStore({ url: path.join(tmp, 'b.duckdb') }) });
if (ENGINES.includes('postgres')) {
  const url = arg('pg', '') || (pg = await startTestPostgres('detect-bench'))?.url;
  if (url) {
    const db = await openDb(url);
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await db.close();
    stores.push({ name: 'postgres', store: await openStore({ url }) });
  }
}

let total = 0;
let copies = 0;
let simS = 0;
const writeS: Record<string, number> = {};
while (total < TARGET) {
  const t = performance.now();
  const c = simulatedCopy(copies);
  simS += (performance.now() - t) / 1000;
  for (const { name, store } of stores) {
    const w = performance.now();
    await writeCopy(store, c, `sim:copy-${copies}`);
    writeS[name] = (writeS[name] ?? 0) + (performance.now() - w) / 1000;
  }
  total += c.positions.length;
  copies++;
  process.stderr.write(`\r${fmt(total)} positions written`);
}
process.stderr.write('\n');

const lines = [
  '## Detection over stored positions (bench/detect-store.ts)',
  '',
  `${fmt(total)} simulated positions (${copies} copies of the Yellow Sea scenario), ${os.cpus().length} cores ` +
    `(shared), Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)} at start. Simulation ${s(simS)} s; ` +
    `writes ${Object.entries(writeS)
      .map(([k, v]) => `${k} ${s(v)} s`)
      .join(', ')}.`,
  '',
  '| engine | phase | wall s | client CPU s | positions/s (wall) |',
  '|---|---|---|---|---|',
];
const row = (engine: string, name: string, p: { wallS: number; cpuS: number }, n = total) =>
  lines.push(`| ${engine} | ${name} | ${s(p.wallS)} | ${s(p.cpuS)} | ${fmt(Math.round(n / p.wallS))} |`);

for (const { name, store } of stores) {
  const old = await phase(() => loadPositionsAggregated(store.db));
  row(name, 'read, before (aggregated text per vessel, parsed)', old);
  const oldLen = old.value.length;
  old.value = undefined as never;
  const typed = await phase(() => loadPositions(store.db));
  row(name, 'read, after (typed columns)', typed);
  if (typed.value.length !== oldLen) throw new Error(`row counts differ: ${typed.value.length} vs ${oldLen}`);
  const statics = await phase(() => loadStatics(store.db));
  row(name, 'static reports', statics);
  const tracks = await phase(() => buildTracks(typed.value, statics.value));
  row(name, 'segmentation (buildTracks)', tracks);
  const geo = await phase(() => buildGeoContext(bboxOfPositions(typed.value.lat, typed.value.lon, typed.value.length)));
  row(name, 'geo context', geo);
  const det = await phase(() => runDetectors(tracks.value, geo.value, { kinds: DETECTOR_KINDS }));
  row(name, `detectors (${fmt(det.value.length)} findings)`, det);
  typed.value = undefined as never;
  const e2e = await phase(() => detectStore(store, { full: true, screen: false }));
  row(name, `detectStore end to end, after (${fmt(e2e.value.findings.length)} findings)`, e2e);
  const t = e2e.value.timingsMs;
  lines.push(
    `| ${name} | (end to end: load ${s((t.load ?? 0) / 1000)} s, tracks ${s((t.tracks ?? 0) / 1000)} s, store ${s((t.store ?? 0) / 1000)} s) | | | |`,
  );
  lines.push(
    `| ${name} | detectStore end to end, before (derived: after − typed read + aggregated read) | ${s(e2e.wallS - typed.wallS + old.wallS)} | | ${fmt(Math.round(total / (e2e.wallS - typed.wallS + old.wallS)))} |`,
  );
  await store.close();
}
await pg?.stop();
rmSync(tmp, { recursive: true, force: true });
const out = lines.join('\n');
console.log(out);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/detect-store.md', `${out}\n`);
