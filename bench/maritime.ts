/**
 * Maritime detection benchmark: 10 million synthetic positions through every detector (segmentation, gaps,
 * encounters, loitering, port visits, zones, identity, spoofing), with wall time, CPU time and peak memory; plus
 * the quality figures on the scenario simulator and the finding rates per 1,000 vessel-days on the NOAA files.
 * Writes bench/results/maritime.md. Run: npx tsx bench/maritime.ts [--positions N]
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { runDetectors } from '../src/maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../src/maritime/geo/context.js';
import { destination } from '../src/maritime/geo/distance.js';
import { evaluate } from '../src/maritime/simulate/eval.js';
import { simulate } from '../src/maritime/simulate/generate.js';
import { Rng } from '../src/maritime/simulate/prng.js';
import { buildTracks } from '../src/maritime/tracks/segment.js';
import { PositionBuilder, type StaticReport } from '../src/maritime/tracks/types.js';
import { readNoaaCsv } from '../test/maritime/noaa.js';

const argPos = process.argv.indexOf('--positions');
const TARGET = argPos > 0 ? Number(process.argv[argPos + 1]) : 10_000_000;
const load0 = loadavg()[0]!;

/** Synthetic traffic over the Yellow Sea / East China Sea box: sailing legs, stops, meetings, gaps, clones. */
function synthetic(total: number) {
  const rng = new Rng(42);
  const vessels = Math.round(total / 4000);
  // A little over total / vessels: dark periods drop about 0.6 % of the fixes.
  const perVessel = Math.ceil((total / vessels) * 1.007);
  const start = Date.parse('2024-03-01T00:00:00Z');
  const span = 3 * 86_400_000;
  const every = span / perVessel;
  const pb = new PositionBuilder(total + vessels);
  const src = pb.sourceId('bench');
  const statics: StaticReport[] = [];
  for (let v = 0; v < vessels; v++) {
    if (v % 20 === 1) continue; // the twin of vessel v - 1, written with it
    const mmsi = 412_000_000 + v;
    let [lat, lon] = [rng.range(31, 39.5), rng.range(120.5, 125.5)];
    let heading = rng.range(0, 360);
    let speed = rng.range(8, 18);
    let stopUntil = -1;
    const darkFrom = rng.next() < 0.05 ? rng.int(0, perVessel - 600) : -1;
    // Every 20th vessel has a twin 200 m off its beam all along: their stops at sea are encounters.
    const twin = v % 20 === 0 && v + 1 < vessels;
    for (let k = 0; k < perVessel; k++) {
      const t = start + k * every;
      if (k % 500 === 0) {
        if (rng.next() < 0.3) {
          stopUntil = k + rng.int(150, 400);
          speed = rng.range(0, 1);
        } else {
          heading = rng.range(0, 360);
          speed = rng.range(8, 18);
        }
      }
      if (stopUntil >= 0 && k > stopUntil) {
        stopUntil = -1;
        speed = rng.range(8, 18);
      }
      [lat, lon] = destination(lat, lon, heading, speed * 0.514444 * (every / 1000));
      if (lat < 30.5 || lat > 40 || lon < 119.5 || lon > 126.5) heading = (heading + 180) % 360;
      if (darkFrom >= 0 && k >= darkFrom && k < darkFrom + 500) continue;
      pb.push(mmsi, t, lat, lon, Math.round(speed * 10) / 10, heading, src);
      if (twin) {
        const [tl, tn] = destination(lat, lon, 90, 200);
        pb.push(mmsi + 1, t + 5000, tl, tn, Math.round(speed * 10) / 10, heading, src);
      }
      if (k % 300 === 0)
        statics.push({
          mmsi,
          tsMs: t,
          imo: null,
          name: `BENCH ${v}`,
          callsign: null,
          shipType: 70,
          draughtM: 8,
          destination: null,
          source: 'bench',
        });
    }
  }
  return { positions: pb.finish(), statics, vessels };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

const lines: string[] = [];
lines.push('## Maritime detection (bench/maritime.ts)', '');

// ---- 1. speed --------------------------------------------------------------------------------------------
{
  const g0 = performance.now();
  const { positions, statics, vessels } = synthetic(TARGET);
  const genS = (performance.now() - g0) / 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tracks = buildTracks(positions, statics);
  const tTracks = performance.now();
  const geo = buildGeoContext(bboxOfPositions(positions.lat, positions.lon, positions.length));
  const tGeo = performance.now();
  const timings: Record<string, number> = {};
  const findings = runDetectors(tracks, geo, { timings });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const wallS = (t1 - t0) / 1000;
  const byKind: Record<string, number> = {};
  for (const f of findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  lines.push(
    `Measured ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores shared with other builds; load average ${load0.toFixed(1)} at the start, ` +
      `${loadavg()[0]!.toFixed(1)} at the end (wall-clock figures understate an idle machine; CPU is this process).`,
    'Reference: GFW pipe-gaps / pipe-encounters / pipe-anchorages run on Apache Beam (Dataflow) and have no local',
    "runnable figure here; the targets are the issue's (10 M positions < 60 s, < 4 GB).",
    '',
    `### ${fmt(positions.length)} synthetic positions through all detectors`,
    '',
    `${fmt(vessels)} vessels over 3 days in the Yellow Sea box (sailing legs at 8-18 kn, 30 % stops at 0-1 kn, 5 % with a`,
    `dark period, every 20th with a twin 200 m abeam), one static report per 300 fixes; generated in ${genS.toFixed(1)} s (not counted). Timed: segmentation,`,
    'geography (shore-distance raster from Natural Earth 10m, port and anchorage indexes), and the seven detectors.',
    '',
    '| step | time |',
    '|---|---|',
    `| segmentation (${fmt(tracks.segments.length)} segments) | ${((tTracks - t0) / 1000).toFixed(1)} s |`,
    `| geography (raster ${geo.shore.width}×${geo.shore.height} at ${geo.shore.cellDeg.toFixed(3)}°) | ${((tGeo - tTracks) / 1000).toFixed(1)} s |`,
    ...Object.entries(timings).map(
      ([k, ms]) => `| ${k} (${fmt(byKind[k] ?? 0)} findings) | ${(ms / 1000).toFixed(1)} s |`,
    ),
    `| **total** | **${wallS.toFixed(1)} s** wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU |`,
    '',
    '| positions | wall | peak RSS | target | met |',
    '|---|---|---|---|---|',
    `| ${fmt(positions.length)} | ${wallS.toFixed(1)} s | ${fmt(Math.round(peakMb))} MB (incl. generator) | < 60 s, < 4 GB | ${wallS < 60 && peakMb < 4096 ? 'yes' : 'no'} |`,
    '',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

// ---- 2. quality on the simulator --------------------------------------------------------------------------
{
  lines.push('### Quality on the scenario simulator (recall ≥ 0.95, precision ≥ 0.90 per injected kind)', '');
  lines.push('| seed | kind | truth | findings | precision | recall |', '|---|---|---|---|---|---|');
  for (const seed of [1, 2, 3]) {
    const sim = simulate('yellow-sea', seed);
    const tracks = buildTracks(sim.positions, sim.statics);
    const geo = buildGeoContext(bboxOfPositions(sim.positions.lat, sim.positions.lon));
    const scores = evaluate(runDetectors(tracks, geo), sim.scenario.truth);
    for (const s of scores)
      if (s.truth > 0)
        lines.push(
          `| ${seed} | ${s.kind} | ${s.truth} | ${s.findings} | ${s.precision?.toFixed(3) ?? 'n/a'} | ${s.recall?.toFixed(3) ?? 'n/a'} |`,
        );
  }
  lines.push(
    '',
    'Zone entries have no truth (every hotspot entry of normal traffic is a correct finding) and are not scored.',
    '',
  );
}

// ---- 3. real traffic: findings per 1,000 vessel-days ------------------------------------------------------
{
  lines.push('### Real traffic: NOAA MarineCadastre (findings per 1,000 vessel-days)', '');
  const kinds = [
    'ais.gap',
    'ais.encounter',
    'ais.loitering',
    'ais.port_visit',
    'ais.zone_entry',
    'ais.identity_change',
    'ais.spoofing',
  ];
  lines.push(
    `| file | positions | vessels | vessel-days | ${kinds.map((k) => k.slice(4)).join(' | ')} |`,
    `|---|---|---|---|${kinds.map(() => '---').join('|')}|`,
  );
  for (const file of [
    'NYHarbor_2020_06_30_first_hour.csv',
    'NYHarbor_2020_12_08.csv',
    'VirginiaBeach_2020_06_04_to_06_filtered.csv',
  ]) {
    const { positions, statics } = readNoaaCsv(file);
    const tracks = buildTracks(positions, statics);
    const geo = buildGeoContext(bboxOfPositions(positions.lat, positions.lon));
    const findings = runDetectors(tracks, geo);
    // Vessel-days: each vessel's observed span, at least one report interval (1 min).
    let days = 0;
    for (const v of tracks.vessels)
      days += Math.max(60_000, positions.tsMs[v.to - 1]! - positions.tsMs[v.from]!) / 86_400_000;
    const rate = (k: string) => {
      const n = findings.filter((f) => f.kind === k).length;
      return `${n} (${((1000 * n) / days).toFixed(0)})`;
    };
    lines.push(
      `| ${file} | ${fmt(positions.length)} | ${tracks.vessels.length} | ${days.toFixed(1)} | ${kinds.map(rate).join(' | ')} |`,
    );
  }
  lines.push(
    '',
    'Cells: count (per 1,000 vessel-days). The NOAA files are harbours: every slow close pair lies within 10 km of a port',
    'or anchorage, so no encounter is reported (test/maritime/noaa.test.ts); gaps there are vessels at berth whose',
    'reports the "filtered" file thinned out, none likely intentional (all < 50 nm from shore). The one-hour New York file',
    'inflates rates per vessel-day (295 vessels seen for minutes).',
    '',
  );
}

const out = path.join(import.meta.dirname, 'results', 'maritime.md');
writeFileSync(out, `${lines.join('\n')}\n`);
process.stdout.write(`${lines.slice(-20).join('\n')}\nwrote ${out}\n`);
