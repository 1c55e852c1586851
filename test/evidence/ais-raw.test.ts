import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { cleanValue, summariseGeometry } from '../../src/cases/annex-format.js';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { buildReportData, renderReportHtml } from '../../src/cases/report.js';
import { refKey, resolveAisEvidence, tagBlock } from '../../src/evidence/ais-raw.js';
import type { Finding } from '../../src/findings/finding.js';
import { importCsvFile } from '../../src/ingest/ais-csv.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { detectStore } from '../../src/maritime/detect.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const SRC = path.resolve(import.meta.dirname, '..', '..', 'data', 'ais', 'nmea', 'dma-aislib_stream_example.txt');

/** The MMSI of an `!AIVDM` sentence, decoded here from its six-bit payload (bits 8 to 37). */
function mmsiOf(sentence: string): number {
  const payload = sentence.split(',')[5]!;
  let bits = '';
  for (const ch of payload) {
    let v = ch.charCodeAt(0) - 48;
    if (v > 40) v -= 8;
    bits += v.toString(2).padStart(6, '0');
  }
  return Number.parseInt(bits.slice(8, 38), 2);
}

describe('raw provenance of AIS evidence (issue 16)', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let finding: Finding;
  let fileLines: string[];
  let fileSha: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wk-evidence-'));
    file = path.join(dir, 'dma.nmea');
    copyFileSync(SRC, file);
    const bytes = readFileSync(file);
    fileSha = createHash('sha256').update(bytes).digest('hex');
    fileLines = bytes.toString('latin1').split(/\r?\n/);
    store = await openStore({ url: path.join(dir, 'store.duckdb') });
    await importNmeaFile(store, file);
    const d = await detectStore(store, { full: true });
    const withFixes = d.findings.filter((f) => f.evidence.some((e) => /^mmsi:\d+@\d+$/.test(e.record)));
    expect(withFixes.length).toBeGreaterThan(0);
    finding = withFixes[0]!;
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every position with its line in the file', async () => {
    const rows = await store.db.query('SELECT count(*) AS n, min(line) AS lo, max(line) AS hi FROM positions');
    expect(Number(rows[0]!.lo)).toBeGreaterThan(0);
    expect(Number(rows[0]!.hi)).toBeLessThanOrEqual(fileLines.length);
    // Each stored position's line is a sentence of that vessel (checked on a sample of the rows).
    const sample = await store.db.query('SELECT mmsi, line FROM positions ORDER BY line LIMIT 200');
    for (const r of sample) expect(mmsiOf(fileLines[Number(r.line) - 1]!)).toBe(Number(r.mmsi));
  });

  it("resolves a finding's evidence to the exact raw sentences, by line and sha256", async () => {
    const raw = await resolveAisEvidence(store, finding.evidence);
    const refs = finding.evidence.filter((e) => /^mmsi:/.test(e.record));
    for (const ref of refs) {
      const p = raw.get(refKey(ref))!;
      expect(p.status).toBe('verified');
      expect(p.sha256).toBe(fileSha);
      expect(p.file).toBe('dma.nmea');
      expect(p.line).toBeGreaterThan(0);
      expect(p.lines[0]).toBe(fileLines[p.line - 1]);
      expect(p.lines[0]).toMatch(/^!..VDM,1,1,/);
      expect(mmsiOf(p.lines[0]!)).toBe(Number(/^mmsi:(\d+)@/.exec(ref.record)![1]));
    }
  });

  it('quotes file name, sha256, line and the raw sentence in the case report annex, with clean numbers', async () => {
    const c = await createCase(store, { title: 'Evidence provenance' });
    await addCaseItem(store, c.id, { kind: 'finding', ref: finding.id });
    const data = await buildReportData(store, c.id);
    const aisRows = data.evidence.filter((e) => e.raw);
    expect(aisRows.length).toBeGreaterThan(0);
    for (const e of aisRows) {
      expect(e.contentHash).toBe(fileSha);
      expect(e.record).toBe(`dma.nmea:${e.raw!.line}`);
    }
    const html = renderReportHtml(data);
    const first = aisRows[0]!.raw!;
    expect(html).toContain(`dma.nmea:${first.line}`);
    expect(html).toContain(fileSha);
    expect(html).toContain(first.lines[0]!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    const text = html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"');
    expect(text).not.toMatch(/T\d\d:\d\d:\d\d\.\d{3}Z/); // no milliseconds
    expect(text).not.toMatch(/\d\.\d*0000\d|\d\.\d*9999\d/); // no float artefacts such as 9.800000190734863
    expect(text).not.toMatch(/"coordinates":\s*\[/); // geometry summarised, not raw GeoJSON
  });

  it("quotes an AIS vessel entity's statements from the line of the file they cite", async () => {
    // Before, a case with an `ais-<mmsi>` entity listed its statements with record `dma.nmea:<line>` but a sha256 of
    // the statements, no file hash and no quote: the one evidence row whose file:line could not be checked.
    const mmsi = Number(finding.subjects[0]!.replace(/^ais-/, ''));
    const vessel = await store.getEntity(`ais-${mmsi}`);
    const st = vessel!.statements.find((x) => x.source === 'ais' && x.prop === 'mmsi')!;
    const [, line] = /^dma\.nmea:(\d+)$/.exec(st.sourceRecord)!;
    const raw = await resolveAisEvidence(store, [{ source: 'ais', record: st.sourceRecord }]);
    const p = raw.get(refKey({ source: 'ais', record: st.sourceRecord }))!;
    expect(p.status, p.message).toBe('verified');
    expect(p.sha256).toBe(fileSha);
    expect(p.lines.at(-1)).toBe(fileLines[Number(line) - 1]);
    expect(mmsiOf(p.lines[0]!)).toBe(mmsi);
    const c = await createCase(store, { title: 'AIS vessel statements' });
    await addCaseItem(store, c.id, { kind: 'entity', ref: `ais-${mmsi}` });
    const data = await buildReportData(store, c.id);
    const row = data.evidence.find((e) => e.record === st.sourceRecord)!;
    expect(row.raw?.status).toBe('verified');
    expect(row.description).toContain(`file sha256 ${fileSha}`);
  });

  it('serves the resolved evidence to the finding page (GET /findings/:id/raw-evidence)', async () => {
    const app = await buildServer({ store, logLevel: false });
    try {
      const res = await app.inject({ method: 'GET', url: `/findings/${finding.id}/raw-evidence` });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        results: Array<{ record: string; raw: { line: number; sha256: string; lines: string[]; status: string } }>;
      };
      const fixes = finding.evidence.filter((e) => /^mmsi:/.test(e.record));
      expect(body.results.map((r) => r.record)).toEqual(fixes.map((e) => e.record));
      for (const r of body.results) {
        expect(r.raw.status).toBe('verified');
        expect(r.raw.sha256).toBe(fileSha);
        expect(r.raw.lines[0]).toBe(fileLines[r.raw.line - 1]);
      }
      const missing = await app.inject({ method: 'GET', url: '/findings/f-nope/raw-evidence' });
      expect(missing.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('says when the file changed or moved, and then quotes nothing', async () => {
    appendFileSync(file, '!AIVDM,1,1,,B,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n');
    const changed = await resolveAisEvidence(store, finding.evidence);
    for (const p of changed.values()) {
      expect(p.status).toBe('changed');
      expect(p.lines).toEqual([]);
      expect(p.message).toMatch(/changed since it was imported/);
    }
    renameSync(file, `${file}.moved`);
    const moved = await resolveAisEvidence(store, finding.evidence);
    for (const p of moved.values()) {
      expect(p.status).toBe('missing');
      expect(p.message).toMatch(/no longer at/);
    }
    // The report's annex I says it once per row (it was printed twice: in the description and below it).
    const c = await createCase(store, { title: 'Moved file' });
    await addCaseItem(store, c.id, { kind: 'finding', ref: finding.id });
    const data = await buildReportData(store, c.id);
    const rows = data.evidence.filter((e) => e.raw?.status === 'missing');
    expect(rows.length).toBeGreaterThan(0);
    const html = renderReportHtml(data);
    const said = html.split(rows[0]!.raw!.message.replace(/&/g, '&amp;')).length - 1;
    expect(said).toBe(rows.filter((e) => e.raw!.message === rows[0]!.raw!.message).length);
  });

  it('resolves CSV positions to their row of the file', async () => {
    const csv = path.resolve(
      import.meta.dirname,
      '..',
      '..',
      'data',
      'ais',
      'noaa-marinecadastre',
      'NYHarbor_2020_12_08.csv',
    );
    const csvLines = readFileSync(csv, 'utf8').split(/\r?\n/);
    const s2 = await openStore({ url: path.join(dir, 'csv.duckdb') });
    try {
      await importCsvFile(s2, csv);
      const rows = await s2.db.query(
        'SELECT p.mmsi, p.ts, p.line, i.import_id FROM positions p JOIN position_imports i ON i.import_key = p.import_key ORDER BY p.line DESC LIMIT 5',
      );
      const refs = rows.map((r) => ({ source: String(r.import_id), record: `mmsi:${r.mmsi}@${r.ts}` }));
      const got = await resolveAisEvidence(s2, refs);
      for (const [k, r] of refs.entries()) {
        const p = got.get(refKey(r))!;
        expect(p.status).toBe('verified');
        expect(p.line).toBe(Number(rows[k]!.line));
        expect(p.lines).toEqual([csvLines[p.line - 1]]);
        expect(p.lines[0]!.startsWith(`${rows[k]!.mmsi},`)).toBe(true);
      }
    } finally {
      await s2.close();
    }
  });

  it('cleans draughts read back from a REAL column and summarises geometry', async () => {
    // Draughts as the store returns them (REAL, widened to double: 9.8 reads 9.800000190734863).
    const rows = await store.db.query('SELECT DISTINCT draught FROM vessel_static WHERE draught IS NOT NULL');
    const artefacts = rows.map((r) => Number(r.draught)).filter((d) => String(d).length > 8);
    expect(artefacts.length).toBeGreaterThan(0);
    for (const d of artefacts) expect(cleanValue(d)).toBe(String(Math.round(d * 10) / 10));
    expect(cleanValue({ time: '2010-06-11T11:46:24.021Z', draughtM: Math.fround(9.8) })).toBe(
      'time 2010-06-11T11:46:24Z, draughtM 9.8',
    );
    expect(
      summariseGeometry({
        type: 'LineString',
        coordinates: [
          [124.5, 38.25],
          [124.75, 38.5],
          [125, 38.75],
        ],
      }),
    ).toBe('line of 3 points from 38.25°N 124.5°E to 38.75°N 125°E');
  });

  it('reads the tag block station and time (NMEA 4.10 example)', () => {
    // The tag block example of the NMEA 0183 4.10 standard as gpsd's AIVDM documentation quotes it.
    const tb = tagBlock('\\s:2573135,c:1671620143*0A\\!AIVDM,1,1,,A,13n0kU0000Q2CvvlsH2Jq2Ja00R;,0*2E');
    expect(tb).toEqual({ station: '2573135', time: '2022-12-21T10:55:43Z' });
  });
});
