import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAttachment } from '../../src/cases/attachments.js';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { PdfRenderer } from '../../src/cases/pdf.js';
import { buildReportData, type ReportData, renderReportHtml } from '../../src/cases/report.js';
import type { Finding } from '../../src/findings/finding.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { DEMO_SCENARIO } from '../../src/maritime/demo.js';
import { detectStore } from '../../src/maritime/detect.js';
import { nmeaLines, simulate } from '../../src/maritime/simulate/generate.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore } from '../support/demo-store.js';
import { pdfPageCount, pdfText, squash } from './pdf-text.js';

/**
 * The "Done when" test of the Panel-grade report (issue 16): the demo data (bundled lists, the Yellow Sea
 * simulation written as NMEA and imported through the real importer, the detectors), a case with the Korea Bay
 * encounter of OCEAN GRACE and the listed YU JONG 2, the dark period before it and the hull's list entries; the
 * report rendered to HTML and PDF, the PDF read back, and every page looked at in Chromium.
 */

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'report');
let dir: string;
let store: Store;
let renderer: PdfRenderer;
let data: ReportData;
let html: string;
let pdf: Buffer;
let text: string;
let encounter: Finding;
let gap: Finding;
let imageSha: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-report-'));
  store = await openStore({ url: await copyDemoStore('lists', path.join(dir, 'wk.duckdb')) });
  // The maritime demo, written to a file that stays (the evidence annex reads the raw sentences back from it).
  const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, {
    start: DEMO_SCENARIO.start,
    hours: DEMO_SCENARIO.hours,
  });
  const nmea = path.join(dir, 'demo-yellow-sea.nmea');
  await writeFile(nmea, `${[...nmeaLines(sim)].join('\n')}\n`);
  await importNmeaFile(store, nmea);
  await detectStore(store, {});
  const all = await store.queryFindings({ limit: 5000 });
  encounter = all.find((f) => f.kind === 'ais.encounter' && f.vessels?.some((v) => v.name === 'YU JONG 2'))!;
  const other = encounter.subjects.find((s) => s !== 'ais-445112674')!;
  gap = all.find((f) => f.kind === 'ais.gap' && f.subjects.includes(other) && f.end! <= encounter.start)!;
  const rename = all.find(
    (f) =>
      f.kind === 'ais.identity_change' && f.details?.check === 'field_change' && f.subjects.includes('ais-445112674'),
  )!;
  const c = await createCase(store, {
    title: 'Korea Bay ship-to-ship transfer with YU JONG 2 (유정 2호), March 2024',
    summary:
      'OCEAN GRACE went dark south of the Shandong peninsula and met the listed DPRK tanker YU JONG 2 in Korea Bay.',
  });
  // Added out of time order on purpose: the report puts findings in chronological order.
  await addCaseItem(store, c.id, { kind: 'finding', ref: encounter.id, note: 'S/2024/215, para. 42' });
  await addCaseItem(store, c.id, { kind: 'finding', ref: gap.id });
  await addCaseItem(store, c.id, { kind: 'finding', ref: rename.id });
  await addCaseItem(store, c.id, { kind: 'entity', ref: 'ofac-23736' });
  // The DPRK Maritime Administration, flag authority of YU JONG 2, listed by the EU with its Korean name.
  await addCaseItem(store, c.id, { kind: 'entity', ref: 'eu-fsf-eu-4081-71' });
  // An image of the meeting area (test/fixtures/cases: Natural Earth 1:10m land rasterised, public domain).
  const jpg = path.resolve(import.meta.dirname, '..', 'fixtures', 'cases', 'korea-bay.jpg');
  imageSha = createHash('sha256')
    .update(await readFile(jpg))
    .digest('hex');
  await addAttachment(store.db, c.id, createReadStream(jpg), {
    caption: 'Korea Bay west of Nampo, land and sea (illustration, not a satellite scene)',
    source: 'Natural Earth 1:10m land, rasterised by test/fixtures/cases/make-attachments.ts',
    licence: 'public domain',
    date: '2024-03-03',
    filename: 'korea-bay.jpg',
    bounds: '124.5,38.4,125.2,38.9',
  });
  data = await buildReportData(store, c.id, new Date('2024-06-01T00:00:00Z'));
  html = renderReportHtml(data);
  renderer = new PdfRenderer();
  pdf = await renderer.pdf(html, { title: c.title });
  text = squash(pdfText(pdf));
  await mkdir(RESULTS, { recursive: true });
  await writeFile(path.join(RESULTS, 'report.html'), html);
  await writeFile(path.join(RESULTS, 'report.pdf'), pdf);
}, 300_000);

afterAll(async () => {
  await renderer?.close();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('case report as a Panel annex (demo case)', () => {
  it('prints every evidence row with a 64-hex sha256 and a file:line', () => {
    expect(data.evidence.length).toBeGreaterThanOrEqual(10);
    for (const e of data.evidence) {
      expect(e.contentHash, `${e.ref} ${e.record}`).toMatch(/^[0-9a-f]{64}$/);
      expect(e.record, e.ref).toMatch(/^[^\s:]+\.[a-z]+:\d+/);
      expect(text).toContain(squash(e.contentHash!));
      expect(text).toContain(squash(e.record));
    }
    // Static reports (type 5: the draught before and after the gap, the rename) resolve to their lines too.
    const statics = data.evidence.filter((e) => /static report of MMSI/.test(e.description));
    expect(statics.length).toBeGreaterThanOrEqual(4);
    for (const e of statics) {
      expect(e.raw?.status, e.ref).toBe('verified');
      expect(e.raw!.lines).toHaveLength(2);
      expect(e.raw!.lines[0]).toMatch(/!AIVDM,2,1,/);
      expect(text).toContain(squash(e.raw!.lines[0]!));
    }
  });

  it("quotes the raw NMEA sentences of the encounter's first and last fixes", () => {
    const rows = data.evidence.filter((e) => e.citedBy === encounter.id);
    const times = encounter.evidence.map((ev) => Number(/@(\d+)$/.exec(ev.record)![1]));
    const first = rows[times.indexOf(Math.min(...times))]!;
    const last = rows[times.indexOf(Math.max(...times))]!;
    for (const e of [first, last]) {
      expect(e.raw?.status).toBe('verified');
      expect(e.raw!.lines[0]).toMatch(/!AIVDM,/);
      for (const line of e.raw!.lines) expect(text).toContain(squash(line));
    }
  });

  it("shows both vessels' identity tables, with the listed hull's designations and former names", () => {
    const annex = text.slice(text.indexOf(squash('Annex II. Vessel identity')));
    expect(annex).toContain(squash('YU JONG 2 (IMO 8604917)'));
    expect(annex).toContain(squash('OCEAN GRACE (IMO 1172355)'));
    expect(annex).toContain(squash('RYONG BONG 7'));
    expect(annex).toContain(squash('OFAC SDN List: YU JONG 2, reference 23736'));
    expect(annex).toContain('HMYJ2');
    expect(annex).toContain('3FQK7');
    expect(annex).toContain(squash('KOREA YUJONG SHIPPING CO LTD'));
    // The AIS type in words (ITU-R M.1371 table 53), not only its code.
    expect(annex).toContain(squash('Tanker - all ships of this type (AIS ship type 80)'));
  });

  it('lays the findings out in time order, with a timeline figure', () => {
    const refs = [...html.matchAll(/<tr><td>(F-\d+)<\/td><td>(\d{4}-\d\d-\d\d \d\d:\d\d) UTC<\/td>/g)];
    expect(refs.map((r) => r[1])).toEqual(['F-1', 'F-2', 'F-3']);
    const times = refs.map((r) => r[2]!);
    expect([...times].sort()).toEqual(times);
    expect(times[0]).toBe(gap.start.slice(0, 16).replace('T', ' '));
    expect(html).toContain('class="timeline"');
    expect(text).toContain(squash('A. Chronology'));
    expect(text.indexOf(squash('F-1. AIS gap'))).toBeLessThan(text.indexOf(squash('F-3. Encounter')));
  });

  it('footnotes the resolutions, the advisory, the list entries and the user reference', () => {
    const notesAt = text.indexOf(squash('V. Notes'));
    expect(notesAt).toBeGreaterThan(0);
    const notes = text.slice(notesAt);
    expect(notes).toContain(squash('resolution 2375 (2017), para. 11'));
    expect(notes).toContain(squash('resolution 2397 (2017), para. 5'));
    expect(notes).toContain(squash('Sanctions Advisory for the Maritime Industry, Energy and Metals Sectors'));
    expect(notes).toContain(squash('OFAC SDN List, entry 23736 (YU JONG 2)'));
    expect(notes).toContain(squash('S/2024/215, para. 42'));
    expect(html).toMatch(/<sup class="fn"><a href="#fn-1"/);
  });

  it('writes clean prose: times to the minute, no float artefacts, vessels named instead of MMSIs', () => {
    const body = html
      .slice(html.indexOf('id="s-findings"'), html.indexOf('id="annex-evidence"'))
      .replace(/<[^>]+>/g, ' ');
    expect(body).not.toMatch(/\d\d:\d\d:\d\d/);
    expect(body).not.toMatch(/\d\.\d{5,}/);
    expect(body).not.toMatch(/MMSI \d{9}/);
    expect(body).toContain('YU JONG 2');
    expect(body).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it('draws the encounter: both tracks, the dark period with both ends, scale bar, north arrow and inset', () => {
    expect(data.encounters).toHaveLength(1);
    const enc = data.encounters[0]!;
    expect(enc.tracks.map((t) => t.label).sort()).toEqual(['OCEAN GRACE', 'YU JONG 2']);
    for (const t of enc.tracks) {
      expect(t.fixes[0]!.ts).toBeLessThan(Date.parse(encounter.start));
      expect(t.fixes[t.fixes.length - 1]!.ts).toBeGreaterThan(Date.parse(encounter.end!));
    }
    const g = enc.gaps.find((x) => x.label === 'OCEAN GRACE')!;
    expect(new Date(g.from.ts).toISOString()).toBe((gap.details!.before as { time: string }).time);
    expect(new Date(g.to.ts).toISOString()).toBe((gap.details!.after as { time: string }).time);
    expect(html).toContain('AIS off 02/03 09:56');
    expect(html).toContain('AIS on 03/03 03:32');
    expect(html).toContain('nmi)</text>');
    expect(html).toContain('>N</text>');
    expect(html).toContain('Korea Bay (STS area named by the Panel)');
    expect(html).toMatch(/The meeting site of F-\d+ zoomed/);
  });

  it('shows the attached image with its caption, source, licence and sha256 in the imagery annex', () => {
    expect(data.attachments).toHaveLength(1);
    expect(html).toContain('<img src="data:image/jpeg;base64,');
    const annex = text.slice(text.indexOf(squash('Annex IV. Imagery and documents')));
    expect(annex).toContain(squash('Korea Bay west of Nampo, land and sea (illustration, not a satellite scene)'));
    expect(annex).toContain(squash('licence public domain'));
    expect(annex).toContain(squash('footprint 124.5, 38.4, 125.2, 38.9 (W, S, E, N)'));
    expect(annex).toContain(imageSha);
    // The image is drawn in the PDF (an image XObject), not only named.
    expect(pdf.toString('latin1')).toMatch(/\/Subtype\s*\/Image/);
  });

  it('renders every page in Chromium with the Korean text drawn in glyphs, not boxes', async () => {
    expect(pdfPageCount(pdf)).toBeGreaterThan(4);
    expect(text).toContain(squash('조선민주주의인민공화국 국가해사감독국'));
    const result = await renderer.withReport(html, async (page) => {
      await page.emulateMedia({ media: 'print' });
      // A4 less the margins at 96 dpi: one screenshot per printed page's worth of content.
      const pageW = 673;
      const pageH = 979;
      await page.setViewportSize({ width: pageW, height: pageH });
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      const shots: number[] = [];
      for (let y = 0, i = 1; y < height; y += pageH, i++) {
        const png = await page.screenshot({
          path: path.join(RESULTS, `page-${String(i).padStart(2, '0')}.png`),
          clip: { x: 0, y, width: pageW, height: Math.min(pageH, height - y) },
          fullPage: true,
        });
        shots.push(png.length);
      }
      // Each Hangul syllable drawn alone in the report's CJK font: inked, different from a missing-glyph box and
      // from each other.
      const glyphs = await page.evaluate(() => {
        const el = document.querySelector('span.cjk')!;
        const font = getComputedStyle(el).fontFamily;
        const canvas = document.createElement('canvas');
        canvas.width = 40;
        canvas.height = 40;
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        const draw = (ch: string): { ink: number; sig: string } => {
          ctx.clearRect(0, 0, 40, 40);
          ctx.font = `28px ${font}`;
          ctx.fillStyle = '#000';
          ctx.fillText(ch, 4, 30);
          const px = ctx.getImageData(0, 0, 40, 40).data;
          let ink = 0;
          let sig = '';
          for (let i = 3; i < px.length; i += 4) {
            if (px[i]! > 128) ink++;
            sig += px[i]! > 128 ? '1' : '0';
          }
          return { ink, sig };
        };
        const all = Array.from(document.querySelectorAll('span.cjk'))
          .map((x) => x.textContent ?? '')
          .join('');
        const chars = [...new Set([...all].filter((c) => /[\uac00-\ud7af]/.test(c)))].slice(0, 24);
        const tofu = draw('\uE000').sig;
        const tofu2 = draw('\u0378').sig;
        return chars.map((ch) => ({ ch, ...draw(ch), tofu, tofu2, font }));
      });
      return { shots, glyphs };
    });
    expect(result.shots.length).toBeGreaterThanOrEqual(4);
    for (const s of result.shots) expect(s).toBeGreaterThan(5_000);
    expect(result.glyphs.length).toBeGreaterThanOrEqual(3);
    for (const g of result.glyphs) {
      expect(g.ink, g.ch).toBeGreaterThan(20);
      expect(g.sig, g.ch).not.toBe(g.tofu);
      expect(g.sig, g.ch).not.toBe(g.tofu2);
    }
    expect(new Set(result.glyphs.map((g) => g.sig)).size).toBe(result.glyphs.length);
    expect(createHash('sha256').update(pdf).digest('hex')).toMatch(/^[0-9a-f]{64}$/);
  });
});
