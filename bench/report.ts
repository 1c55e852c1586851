/**
 * Case report benchmark: a 30-finding case with 4 images (target: PDF in < 10 s). The store holds the demo data
 * (bundled lists, the Yellow Sea simulation imported as NMEA from a file that stays, the detectors' findings); the
 * case takes the 30 highest-scoring maritime findings (both encounters among them), three listed entities and the
 * four attachment fixtures (JPEG, PNG and two GeoTIFFs). Measured: building the report data (evidence read back
 * from the NMEA file, identity tables, tracks), the HTML, and the PDF from one Chromium kept across runs (the
 * first run includes the browser's start). Writes bench/results/report.md.
 * CPU time is measured beside wall time (the host is shared): this process's for the data and HTML, and the
 * Chromium processes' (read from /proc) for the PDF.
 * Run: npx tsx bench/report.ts (RUNS=n to change the number of runs; WK_BENCH_DIR=dir keeps the seeded store there
 * and reuses it on the next run, for profiling: `node --cpu-prof --import tsx bench/report.ts`).
 */
import { createReadStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { addAttachment } from '../src/cases/attachments.js';
import { addCaseItem, createCase } from '../src/cases/cases.js';
import { PdfRenderer } from '../src/cases/pdf.js';
import { buildReportData, renderReportHtml } from '../src/cases/report.js';
import { importNmeaFile } from '../src/ingest/ais-nmea.js';
import { seedListsDemo } from '../src/lists/demo.js';
import { DEMO_SCENARIO } from '../src/maritime/demo.js';
import { detectStore } from '../src/maritime/detect.js';
import { nmeaLines, simulate } from '../src/maritime/simulate/generate.js';
import { openStore } from '../src/store/open.js';

const RUNS = Number(process.env.RUNS ?? 5);
const keep = process.env.WK_BENCH_DIR;
if (keep) await mkdir(keep, { recursive: true });
const dir = keep ?? (await mkdtemp(path.join(os.tmpdir(), 'wk-bench-report-')));
const seeded = keep !== undefined && existsSync(path.join(dir, 'case-id'));
const store = await openStore({ url: path.join(dir, 'wk.duckdb') });
const renderer = new PdfRenderer();

/** CPU seconds (user + system) of every process descended from this one (Chromium and its helpers), from /proc. */
function childCpuS(): number {
  const tick = 100; // USER_HZ on Linux
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick);
    } catch {
      // the process ended while listed
    }
  }
  let total = 0;
  for (const [pid, c] of cpu) {
    let p = parent.get(pid);
    while (p && p !== process.pid && p > 1) p = parent.get(p);
    if (p === process.pid) total += c;
  }
  return total;
}
const ownCpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

try {
  if (seeded) process.stderr.write(`reusing the store in ${dir}\n`);
  else process.stderr.write('seeding the demo data...\n');
  let caseId: string;
  if (seeded) caseId = readFileSync(path.join(dir, 'case-id'), 'utf8').trim();
  else caseId = await seed();
  async function seed(): Promise<string> {
    await seedListsDemo(store);
    const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, {
      start: DEMO_SCENARIO.start,
      hours: DEMO_SCENARIO.hours,
    });
    const nmea = path.join(dir, 'demo.nmea');
    await writeFile(nmea, `${[...nmeaLines(sim)].join('\n')}\n`);
    await importNmeaFile(store, nmea);
    await detectStore(store, {});
    const all = (await store.queryFindings({ limit: 5000 })).filter(
      (f) => f.kind.startsWith('ais.') || f.kind === 'cargo.estimate',
    );
    all.sort(
      (a, b) => (a.kind === 'ais.encounter' ? -1 : 0) - (b.kind === 'ais.encounter' ? -1 : 0) || b.score - a.score,
    );
    const picked = all.slice(0, 30);
    const c = await createCase(store, { title: 'Benchmark: 30 findings, 4 images' });
    for (const f of picked) await addCaseItem(store, c.id, { kind: 'finding', ref: f.id });
    for (const e of ['ofac-23736', 'gb-ofsi-dpr0102', 'eu-fsf-eu-4081-71'])
      await addCaseItem(store, c.id, { kind: 'entity', ref: e });
    const fx = (f: string) => path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'cases', f);
    for (const f of ['korea-bay.jpg', 'korea-bay.png', 'korea-bay-4326.tif', 'korea-bay-3857.tif']) {
      await addAttachment(store.db, c.id, createReadStream(fx(f)), {
        caption: `Korea Bay (${f})`,
        source: 'Natural Earth 1:10m land, rasterised (test fixture)',
        licence: 'public domain',
        filename: f,
        bounds: f.endsWith('.tif') ? undefined : '124.5,38.4,125.2,38.9',
      });
    }
    if (keep) writeFileSync(path.join(dir, 'case-id'), c.id);
    return c.id;
  }
  const c = { id: caseId, title: 'Benchmark: 30 findings, 4 images' };
  const rows: Array<{
    data: number;
    html: number;
    pdf: number;
    total: number;
    cpuData: number;
    cpuHtml: number;
    cpuPdf: number;
    pages: number;
    bytes: number;
  }> = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = ownCpuS();
    const k0 = childCpuS();
    const t0 = performance.now();
    const data = await buildReportData(store, c.id);
    const t1 = performance.now();
    const c1 = ownCpuS();
    const html = renderReportHtml(data);
    const t2 = performance.now();
    const c2 = ownCpuS();
    const pdf = await renderer.pdf(html, { title: c.title });
    const t3 = performance.now();
    const c3 = ownCpuS();
    const k3 = childCpuS();
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
    rows.push({
      data: t1 - t0,
      html: t2 - t1,
      pdf: t3 - t2,
      total: t3 - t0,
      cpuData: c1 - c0,
      cpuHtml: c2 - c1,
      cpuPdf: c3 - c2 + k3 - k0,
      pages,
      bytes: pdf.length,
    });
    process.stderr.write(
      `run ${i + 1}: data ${(t1 - t0).toFixed(0)} ms (cpu ${((c1 - c0) * 1000).toFixed(0)}), html ${(t2 - t1).toFixed(0)} ms (cpu ${((c2 - c1) * 1000).toFixed(0)}), pdf ${(t3 - t2).toFixed(0)} ms (cpu ${((c3 - c2 + k3 - k0) * 1000).toFixed(0)}), ${pages} pages, load ${loadavg()[0]!.toFixed(1)}\n`,
    );
    if (i === 0 && (data.material.findings.length !== 30 || data.attachments.length !== 4))
      throw new Error(
        `expected 30 findings and 4 attachments, got ${data.material.findings.length} and ${data.attachments.length}`,
      );
  }
  const warm = rows
    .slice(1)
    .map((r) => r.total)
    .sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)]!;
  const warmCpu = rows
    .slice(1)
    .map((r) => r.cpuData + r.cpuHtml + r.cpuPdf)
    .sort((a, b) => a - b);
  const cpuMedian = warmCpu[Math.floor(warmCpu.length / 2)] ?? 0;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const md = [
    '## Case report (bench/report.ts)',
    '',
    `30-finding case with 4 images (2 embedded, 2 GeoTIFFs listed), ${rows[0]!.pages} A4 pages, ${(rows[0]!.bytes / 1024).toFixed(0)} KB PDF. Target: < 10 s.`,
    `Host: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    'Wall time, with the CPU time in brackets (data and HTML: this process; PDF: this process and Chromium).',
    '',
    '| run | report data | HTML | PDF (Chromium) | total |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (r, i) =>
        `| ${i + 1}${i === 0 ? ' (browser start)' : ''} | ${s(r.data)} (${r.cpuData.toFixed(2)}) | ${s(r.html)} (${r.cpuHtml.toFixed(2)}) | ${s(r.pdf)} (${r.cpuPdf.toFixed(2)}) | ${s(r.total)} (${(r.cpuData + r.cpuHtml + r.cpuPdf).toFixed(2)}) |`,
    ),
    '',
    `Median of the warm runs: **${s(median)}** wall, ${cpuMedian.toFixed(2)} s CPU; first run (cold browser): ${s(rows[0]!.total)}.`,
    '',
  ].join('\n');
  writeFileSync(path.resolve(import.meta.dirname, 'results', 'report.md'), md);
  process.stdout.write(md);
} finally {
  await renderer.close();
  await store.close();
  if (!keep) await rm(dir, { recursive: true, force: true });
}
