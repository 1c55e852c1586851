/**
 * Bundle verification benchmark (issue 16 target: `verify` of a 100 MB bundle < 5 s). The demo case (the Yellow
 * Sea simulation imported as NMEA, the detectors, the Korea Bay encounter, the gap before it and a rename) with
 * three 22 MB GeoTIFF scenes of random pixels (incompressible, as real imagery is to a hash), exported with its
 * raw NMEA source; then `verifyBundle` timed without the store (every member re-hashed, the chain re-computed)
 * and with it (plus every finding re-run from its params). Median of 5 runs each. Writes bench/results/verify.md.
 * Run: npx tsx bench/verify.ts
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { addAttachment } from '../src/cases/attachments.js';
import { exportBundle, verifyBundle } from '../src/cases/bundle.js';
import { addCaseItem, createCase } from '../src/cases/cases.js';
import { primeReproCache, reproduceFinding } from '../src/cases/reproduce.js';
import { importNmeaFile } from '../src/ingest/ais-nmea.js';
import { DEMO_SCENARIO } from '../src/maritime/demo.js';
import { detectStore } from '../src/maritime/detect.js';
import { nmeaLines, simulate } from '../src/maritime/simulate/generate.js';
import { openStore } from '../src/store/open.js';

/** A baseline RGB GeoTIFF (EPSG:4326) of w × h random pixels, one strip. */
function geotiff(w: number, h: number, west: number, north: number, step: number): Buffer {
  const pixels = w * h * 3;
  const entries: Array<[number, number, number[]]> = [
    [256, 4, [w]],
    [257, 4, [h]],
    [258, 3, [8, 8, 8]],
    [259, 3, [1]],
    [262, 3, [2]],
    [273, 4, [8]],
    [277, 3, [3]],
    [278, 4, [h]],
    [279, 4, [pixels]],
    [33550, 12, [step, step, 0]],
    [33922, 12, [0, 0, 0, west, north, 0]],
    [34735, 3, [1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326]],
  ];
  const size = (t: number) => (t === 3 ? 2 : t === 4 ? 4 : 8);
  const ifdAt = 8 + pixels + (pixels % 2);
  let extra = ifdAt + 2 + entries.length * 12 + 4;
  const out = Buffer.alloc(extra + 256);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifdAt, 4);
  randomBytes(pixels).copy(out, 8);
  out.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, values], k) => {
    const at = ifdAt + 2 + k * 12;
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(values.length, at + 4);
    const bytes = values.length * size(type);
    const dest = bytes <= 4 ? at + 8 : extra;
    values.forEach((v, i) => {
      const p = dest + i * size(type);
      if (type === 3) out.writeUInt16LE(v, p);
      else if (type === 4) out.writeUInt32LE(v, p);
      else out.writeDoubleLE(v, p);
    });
    if (bytes > 4) {
      out.writeUInt32LE(extra, at + 8);
      extra += bytes;
    }
  });
  return out.subarray(0, extra);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wk-bench-verify-'));
  try {
    const store = await openStore({ url: path.join(dir, 'wk.duckdb') });
    const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, {
      start: DEMO_SCENARIO.start,
      hours: DEMO_SCENARIO.hours,
    });
    const nmea = path.join(dir, 'demo-yellow-sea.nmea');
    await writeFile(nmea, `${[...nmeaLines(sim)].join('\n')}\n`);
    await importNmeaFile(store, nmea);
    await detectStore(store, {});
    const all = await store.queryFindings({ limit: 5000 });
    const encounter = all.find((f) => f.kind === 'ais.encounter' && f.vessels?.some((v) => v.name === 'YU JONG 2'))!;
    const other = encounter.subjects.find((s) => s !== 'ais-445112674')!;
    const gap = all.find((f) => f.kind === 'ais.gap' && f.subjects.includes(other) && f.end! <= encounter.start)!;
    const rename = all.find(
      (f) =>
        f.kind === 'ais.identity_change' && f.subjects.includes('ais-445112674') && f.details?.check === 'field_change',
    )!;
    const c = await createCase(store, { title: 'Korea Bay STS with YU JONG 2 (benchmark)' });
    for (const f of [encounter, gap, rename]) await addCaseItem(store, c.id, { kind: 'finding', ref: f.id });
    for (let i = 0; i < 3; i++) {
      const tif = path.join(dir, `scene-${i}.tif`);
      await writeFile(tif, geotiff(3000, 2540, 123 + i * 0.5, 39.5, 0.0001));
      await addAttachment(
        store.db,
        c.id,
        createReadStream(tif),
        { caption: `Scene ${i + 1}`, source: 'synthetic pixels', licence: 'none' },
        { maxBytes: 200 * 1024 * 1024 },
      );
    }
    const bundle = path.join(dir, 'case.tar');
    const t0 = performance.now();
    const exported = await exportBundle(store, c.id, bundle, { withSources: true, pdf: false });
    const exportS = (performance.now() - t0) / 1000;
    const sizeMb = exported.sizeBytes / 1e6;
    const bare: number[] = [];
    const withStore: number[] = [];
    let findings = '';
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      const a = await verifyBundle(bundle);
      bare.push((performance.now() - t) / 1000);
      if (!a.ok) throw new Error(`verify failed: ${JSON.stringify(a.problems)}`);
      t = performance.now();
      const b = await verifyBundle(bundle, store);
      withStore.push((performance.now() - t) / 1000);
      findings = b.store!.findings.map((f) => `${f.kind} ${f.status}`).join(', ');
      if (!b.reproducible) throw new Error(`not reproducible: ${findings}`);
    }
    // Where the store part goes: each finding re-run alone (one shared geo context, as verify does).
    const cache = {};
    const tp = performance.now();
    await primeReproCache(store, [encounter, gap, rename], cache);
    const primeS = (performance.now() - tp) / 1000;
    const perFinding: string[] = [];
    for (const f of [encounter, gap, rename]) {
      const t = performance.now();
      await reproduceFinding(store, f, cache);
      perFinding.push(`${f.kind} ${((performance.now() - t) / 1000).toFixed(2)} s`);
    }
    await store.close();
    const md = [
      '## Case bundle verification (`watchkeeper verify`)',
      '',
      `Bundle: the demo case (3 findings, its ${exported.manifest.sources.length} raw NMEA source file included) with three`,
      `random-pixel GeoTIFF scenes: **${sizeMb.toFixed(1)} MB**, ${exported.manifest.members.length + 1} members. Export (no PDF): ${exportS.toFixed(2)} s.`,
      `Median of 5 runs; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}.`,
      '',
      '| verify | time | target |',
      '|---|---|---|',
      `| hashes + chain (no store) | ${median(bare).toFixed(2)} s | < 5 s for 100 MB |`,
      `| hashes + chain + re-run of the 3 findings from the store | ${median(withStore).toFixed(2)} s | < 5 s for 100 MB |`,
      '',
      `Findings: ${findings}. Breakdown: geo context (shore raster, ports) for the findings' area ${primeS.toFixed(2)} s, then each re-run: ${perFinding.join(', ')}.`,
      '',
    ].join('\n');
    const { execFileSync } = await import('node:child_process');
    const t = performance.now();
    execFileSync('sha256sum', [bundle]);
    const shaS = (performance.now() - t) / 1000;
    const text = `${md}\`sha256sum\` of the bundle (one hash of the whole file): ${shaS.toFixed(2)} s.\n`;
    writeFileSync(path.join(import.meta.dirname, 'results', 'verify.md'), text);
    process.stdout.write(text);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
