/**
 * The encounter points of a cluster run (issue 19, src/cluster/encounter-units.ts), measured alone: the client CPU
 * of writing every per-vessel unit's resampled points into `cluster_encounter_points` (stage 1) and of the cell ×
 * slot units reading them back and pairing them (stage 2), on one PostgreSQL node. The host is shared, so the
 * figures are CPU seconds of this process (process.cpuUsage), plus wall time for reference; the findings of the
 * cell units are summed up as a sha256 over (id, sha256 of canonical JSON) so two versions of the code can be
 * compared for identical results.
 *
 *   npx tsx bench/cluster-points.ts [--positions 1300000] [--units 8] [--repeat 3]
 */
import { createHash } from 'node:crypto';
import {
  detectCellUnit,
  ensurePointsTable,
  GRID_DEFAULTS,
  POINTS_TABLE,
  planCellUnits,
  writeUnitPoints,
} from '../src/cluster/encounter-units.js';
import { simulatedCopy, writeCopy } from '../src/cluster/sim-dataset.js';
import { buildGeoContext } from '../src/maritime/geo/context.js';
import { loadPositions, loadStatics } from '../src/maritime/tracks/load.js';
import { buildTracks } from '../src/maritime/tracks/segment.js';
import { openDb, openStore } from '../src/store/open.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { startTestPostgres } from '../test/support/postgres.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const TARGET = Number(arg('positions', '1300000'));
const UNITS = Number(arg('units', '8'));
const REPEAT = Number(arg('repeat', '3'));

const pgs = await startTestPostgres('cluster-points-bench');
if (!pgs) throw new Error('no PostgreSQL');
{
  const db = await openDb(pgs.url);
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await db.close();
}
const store = await openStore({ url: pgs.url });
let total = 0;
let copies = 0;
while (total < TARGET) {
  const c = simulatedCopy(copies);
  await writeCopy(store, c, `sim:copy-${copies}`);
  total += c.positions.length;
  copies++;
}
await ensurePointsTable(store.db);
// The per-vessel units: MMSI ranges of about the same number of vessels, each with its whole tracks.
const mmsis = (await store.db.query('SELECT DISTINCT mmsi FROM positions ORDER BY mmsi')).map((r) => Number(r.mmsi));
const per = Math.ceil(mmsis.length / UNITS);
const ranges: Array<[number, number]> = [];
for (let i = 0; i < mmsis.length; i += per) ranges.push([mmsis[i]!, mmsis[Math.min(i + per, mmsis.length) - 1]!]);
const statics = await loadStatics(store.db);
const trackSets: ReturnType<typeof buildTracks>[] = [];
for (const r of ranges) {
  const pos = await loadPositions(store.db, { mmsiRange: r });
  trackSets.push(
    buildTracks(
      pos,
      statics.filter((s) => s.mmsi >= r[0] && s.mmsi <= r[1]),
    ),
  );
}
const [b] = await store.db.query(
  'SELECT min(lon) AS min_lon, min(lat) AS min_lat, max(lon) AS max_lon, max(lat) AS max_lat FROM positions',
);
const geo = buildGeoContext({
  minLon: Number(b?.min_lon),
  minLat: Number(b?.min_lat),
  maxLon: Number(b?.max_lon),
  maxLat: Number(b?.max_lat),
});
const cpu = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
};
const rows: string[] = [];
let digest = '';
for (let rep = 0; rep < REPEAT; rep++) {
  await store.db.exec(`DELETE FROM ${POINTS_TABLE}`);
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  let points = 0;
  for (let i = 0; i < ranges.length; i++)
    points += await store.db.transaction((tx) => writeUnitPoints(tx, ranges[i]!, trackSets[i]!, GRID_DEFAULTS));
  const writeCpu = cpu(c0);
  const writeWall = (performance.now() - t0) / 1000;
  const plan = await planCellUnits(store.db, GRID_DEFAULTS);
  c0 = process.cpuUsage();
  t0 = performance.now();
  const h = createHash('sha256');
  let findings = 0;
  let read = 0;
  for (const u of plan.units) {
    const r = await detectCellUnit(store.db, u, GRID_DEFAULTS, plan.maxSlot, geo);
    read += r.points;
    for (const f of r.findings.sort((a, b) => (a.id < b.id ? -1 : 1))) {
      findings++;
      h.update(`${f.id} ${createHash('sha256').update(canonicalJson(f)).digest('hex')}\n`);
    }
  }
  const cellCpu = cpu(c0);
  const cellWall = (performance.now() - t0) / 1000;
  digest = h.digest('hex');
  rows.push(
    `| ${rep + 1} | ${points.toLocaleString('en-US')} | ${writeCpu.toFixed(2)} | ${writeWall.toFixed(2)} | ${plan.units.length} | ${read.toLocaleString('en-US')} | ${cellCpu.toFixed(2)} | ${cellWall.toFixed(2)} | ${findings} |`,
  );
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
await store.close();
await pgs.stop();
console.log(
  [
    `## Encounter points (bench/cluster-points.ts): ${total.toLocaleString('en-US')} positions, ${ranges.length} per-vessel units, one PostgreSQL node`,
    '',
    '| run | points written | write CPU s | write wall s | cell units | region points read | cell units CPU s | cell units wall s | encounters |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Encounters digest (sha256 over id and sha256 of each finding's canonical JSON): ${digest}`,
  ].join('\n'),
);
