import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { buildEvidenceList, type CaseMaterial } from '../../src/cases/evidence.js';
import { asReference, Footnotes, redFlagCitations } from '../../src/cases/report/citations.js';
import { cleanProse, utcMinute } from '../../src/cases/report/format.js';
import { renderTimelineSvg } from '../../src/cases/report/timeline.js';
import { thin } from '../../src/cases/report/tracks.js';
import { buildReportData, renderReportHtml } from '../../src/cases/report.js';
import { clipRing, renderTrackMap } from '../../src/cases/svg-map.js';
import type { CaseRecord } from '../../src/cases/types.js';
import { refKey } from '../../src/evidence/ais-raw.js';
import type { Finding } from '../../src/findings/finding.js';
import { openStore } from '../../src/store/open.js';
import { FX, fixtureFindings, seedCaseFixture } from './fixture.js';
import { pdfText, squash } from './pdf-text.js';

/** The report's pure pieces: prose cleaning, citations, footnotes, clipping, thinning, figures. */
describe('report pieces', () => {
  it('cites AIS evidence without a known line as file#ref, one word a table never cuts', () => {
    // A static report whose file has moved: its line is found only by reading the file, so it has none. It was cited
    // as "demo.nmea (static:mmsi:…@…)", and `cases show` cut the table cell at the space, dropping the record.
    const ev = { source: 'ais-nmea@0123456789abcdef', record: 'static:mmsi:354771206@1709370568000', note: 'draught' };
    const f = { id: 'f-1', kind: 'ais.gap', evidence: [ev] } as unknown as Finding;
    const prov = {
      file: 'demo.nmea',
      path: '/gone/demo.nmea',
      sha256: 'a'.repeat(64),
      line: 0,
      lines: [],
      status: 'missing' as const,
      message: 'the file is no longer at /gone/demo.nmea (moved or deleted): the line cannot be quoted',
    };
    const c = { id: 'case-1', items: [{ id: 'item-1', kind: 'finding', ref: 'f-1' }] } as unknown as CaseRecord;
    const m: CaseMaterial = {
      findings: [f],
      entities: [],
      addresses: [],
      notes: [],
      missing: [],
      versions: new Map(),
      raw: new Map([[refKey(ev), prov]]),
      transfers: new Map(),
      listRecords: new Map(),
    };
    const [row] = buildEvidenceList(c, m);
    expect(row!.record).toBe('demo.nmea#static:mmsi:354771206@1709370568000');
    expect(row!.contentHash).toBe('a'.repeat(64));
  });

  it('cleans prose: times to the minute, draught to 0.1 m, vessels named, entity ids dropped', () => {
    const names = { vessels: new Map([[354771206, 'OCEAN GRACE']]), entities: new Map<string, string>() };
    // A gap explanation as the detector writes it (real float32 artefacts of 5.2 and 11.8).
    const s = cleanProse(
      'MMSI 354771206 sent no position from 2024-03-02T09:56:15.000Z; draught changed from 5.199999809265137 m to 11.800000190734863 m; matches sanctioned vessel YU JONG 2 (ofac-23736).',
      names,
    );
    expect(s).toBe(
      'OCEAN GRACE sent no position from 2024-03-02 09:56 UTC; draught changed from 5.2 m to 11.8 m; matches sanctioned vessel YU JONG 2.',
    );
    expect(cleanProse('MMSI 412000017 loitered')).toBe('MMSI 412000017 loitered');
    const dprk = { vessels: new Map([[445112674, 'YU JONG 2']]), entities: new Map<string, string>() };
    expect(cleanProse('MMSI 445112674 matches sanctioned vessel YU JONG 2 (ofac-23736).', dprk)).toBe(
      'YU JONG 2 matches its sanctions list entry.',
    );
    expect(utcMinute('2024-03-03T05:10:59.999Z')).toBe('2024-03-03 05:10 UTC');
  });

  it('cites the resolution paragraphs and the May 2020 advisory for a red flag, and reads user references', () => {
    const sts = redFlagCitations('SHIP_TO_SHIP_TRANSFER');
    expect(sts[0]).toContain('resolution 2375 (2017), para. 11');
    expect(sts.some((t) => t.includes('14 May 2020'))).toBe(true);
    expect(asReference('S/2024/215, para. 42')).toBe('S/2024/215, para. 42');
    expect(asReference('Ref: Reuters, 3 March 2024')).toBe('Reuters, 3 March 2024');
    expect(asReference('seen at Nampo')).toBeUndefined();
    const fn = new Footnotes();
    expect(fn.mark(['b', 'a'])).toBe(
      '<sup class="fn"><a href="#fn-1" id="fnref-1">1</a>, <a href="#fn-2" id="fnref-2">2</a></sup>',
    );
    expect(fn.add('a')).toBe(2);
    expect(fn.size).toBe(2);
  });

  it('cites each paragraph for what it says (checked against the texts: docs/evidence.md)', () => {
    // 2397 para. 9 is the seize-and-impound measure for vessels in port, not a rule on AIS: cited as such, with
    // the SOLAS AIS carriage (V/19.2.4) and operation (V/19.2.4.7) rules for AIS manipulation.
    const ais = redFlagCitations('AIS_MANIPULATION');
    expect(ais.find((t) => t.includes('2397 (2017), para. 9'))).toContain('seize, inspect and freeze (impound)');
    expect(ais.find((t) => t.includes('SOLAS'))).toContain('19.2.4.7 (AIS to be kept in operation at all times');
    // A DPRK port call rests on the trade bans (2397 paras. 6 and 7, 2371 para. 8), with para. 9 as enforcement.
    const port = redFlagCitations('DPRK_PORT_CALL');
    expect(port.some((t) => t.includes('2397 (2017), paras. 6 and 7'))).toBe(true);
    expect(port.find((t) => t.includes('2371 (2017), para. 8'))).toContain('coal, iron and iron ore');
    const goods = redFlagCitations('PROHIBITED_GOODS');
    expect(goods.find((t) => t.includes('paras. 4 and 5'))).toContain('4 million barrels or 525,000 tons');
  });

  it('clips a ring to the map box', () => {
    const square: Array<[number, number]> = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ];
    const clipped = clipRing(square, [5, 5, 20, 20]);
    const xs = clipped.map((p) => p[0]);
    const ys = clipped.map((p) => p[1]);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([5, 10, 5, 10]);
    expect(clipRing(square, [20, 20, 30, 30])).toEqual([]);
  });

  it('thins a track keeping its ends and the fixes on each side of a gap', () => {
    const fixes = Array.from({ length: 1000 }, (_, i) => ({ ts: i * 60_000, lat: 38 + i / 1000, lon: 124 }));
    const kept = thin(fixes, 100, new Set([500 * 60_000, 501 * 60_000]));
    expect(kept.length).toBeLessThanOrEqual(103);
    expect(kept[0]!.ts).toBe(0);
    expect(kept[kept.length - 1]!.ts).toBe(999 * 60_000);
    expect(kept.some((p) => p.ts === 501 * 60_000)).toBe(true);
  });

  it('draws a close-up with Natural Earth 1:10m land clipped to the view, a gap with both ends, scale bar and north arrow', () => {
    const t0 = Date.parse('2024-03-03T00:00:00Z');
    const svg = renderTrackMap({
      tracks: [
        {
          label: 'A',
          colour: '#00f',
          fixes: [0, 1, 2, 6, 7].map((h) => ({ ts: t0 + h * 3_600_000, lat: 38.7, lon: 125.0 + h * 0.02 })),
        },
      ],
      gaps: [
        {
          label: 'A',
          from: { ts: t0 + 2 * 3_600_000, lat: 38.7, lon: 125.04 },
          to: { ts: t0 + 6 * 3_600_000, lat: 38.7, lon: 125.12 },
        },
      ],
      extent: [124.9, 38.6, 125.3, 38.8],
    });
    expect(svg).toContain('A: AIS off 03/03 02:00');
    expect(svg).toContain('AIS on 03/03 06:00');
    expect(svg).toMatch(/km \([\d.]+ nmi\)<\/text>/);
    expect(svg).toContain('>N</text>');
    // The land path holds only vertices near the view (the Korean coast), not the whole continent.
    const land = /<path d="([^"]+)" fill="#f3efe3"/.exec(svg)![1]!;
    expect(land.length).toBeGreaterThan(200);
    expect(land.length).toBeLessThan(60_000);
  });

  it('lays a timeline out with one lane per vessel and a UTC axis', () => {
    const svg = renderTimelineSvg([
      {
        ref: 'F-1',
        lane: 'OCEAN GRACE',
        startMs: Date.parse('2024-03-02T09:56Z'),
        endMs: Date.parse('2024-03-03T03:32Z'),
        style: 'gap',
      },
      { ref: 'F-2', lane: 'YU JONG 2', startMs: Date.parse('2024-03-02T14:10Z'), style: 'identity' },
    ]);
    expect(svg.indexOf('OCEAN GRACE')).toBeLessThan(svg.indexOf('YU JONG 2'));
    expect(svg).toContain('time (UTC)');
    expect(svg).toContain('stroke-dasharray="3 2"');
  });

  it('prints a hull with its Korean name beside the romanised one, in the summary and its identity table', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wk-report-cjk-'));
    const store = await openStore({ url: path.join(dir, 'wk.duckdb') });
    try {
      await seedCaseFixture(store);
      const c = await createCase(store, { title: 'CHON MA SAN' });
      await addCaseItem(store, c.id, { kind: 'finding', ref: fixtureFindings()[2]!.id });
      await addCaseItem(store, c.id, { kind: 'entity', ref: FX.tanker });
      const html = renderReportHtml(await buildReportData(store, c.id, new Date('2024-06-01T00:00:00Z')));
      expect(html).toContain('<b>CHON MA SAN</b> (<span class="cjk" lang="ko">천마산호</span>)');
      expect(html).toMatch(
        /<h3 class="cjk">A\. CHON MA SAN <span class="cjk" lang="ko">천마산호<\/span> \(IMO 8660313\)<\/h3>/,
      );
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves report PDFs from one shared Chromium, closed with the server; requests beyond the cap wait', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wk-report-api-'));
    const store = await openStore({ url: path.join(dir, 'wk.duckdb') });
    try {
      await seedCaseFixture(store);
      const c = await createCase(store, { title: 'API report 천마산호' });
      await addCaseItem(store, c.id, { kind: 'finding', ref: fixtureFindings()[0]!.id });
      const app = await buildServer({ store, logLevel: false });
      try {
        // Four at once: two render (the route's cap), two wait in line for a slot instead of getting a 429.
        const all = await Promise.all(
          [1, 2, 3, 4].map(() => app.inject({ method: 'GET', url: `/cases/${c.id}/report.pdf` })),
        );
        for (const r of all) {
          expect(r.statusCode).toBe(200);
          expect(r.headers['content-type']).toBe('application/pdf');
          expect(squash(pdfText(r.rawPayload))).toContain(squash('API report 천마산호'));
        }
      } finally {
        await app.close();
      }
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
