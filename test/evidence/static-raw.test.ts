import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { payloadMmsi } from '../../src/evidence/ais-raw.js';
import { type Finding, findingId } from '../../src/findings/finding.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { DEMO_SCENARIO } from '../../src/maritime/demo.js';
import { nmeaLines, simulate } from '../../src/maritime/simulate/generate.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Static-message evidence (type 5 / 24: `static:mmsi:<mmsi>@<ms>`) on the finding page (issue 16): the API resolves
 * it to the raw sentences (both fragments of a type 5), file, sha256 and line, as it does positions. Three hours of
 * the demo simulation, written as NMEA with tag-block times and imported through the real importer.
 */
describe('static reports resolved to their raw NMEA on the finding page API (issue 16)', () => {
  let dir: string;
  let file: string;
  let store: Store;
  let lines: string[];
  let sha: string;
  let finding: Finding;
  let statics: Array<{ mmsi: number; ts: number; importId: string }>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wk-static-raw-'));
    file = path.join(dir, 'sim.nmea');
    const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, { start: DEMO_SCENARIO.start, hours: 3 });
    writeFileSync(file, `${[...nmeaLines(sim)].join('\n')}\n`);
    const bytes = readFileSync(file);
    sha = createHash('sha256').update(bytes).digest('hex');
    lines = bytes.toString('latin1').split('\n');
    store = await openStore({ url: path.join(dir, 'store.duckdb') });
    await importNmeaFile(store, file);
    const rows = await store.db.query('SELECT mmsi, ts, import_id FROM vessel_static ORDER BY ts DESC, mmsi LIMIT 3');
    statics = rows.map((r) => ({ mmsi: Number(r.mmsi), ts: Number(r.ts), importId: String(r.import_id) }));
    expect(statics).toHaveLength(3);
    const pos = (
      await store.db.query(
        'SELECT p.mmsi, p.ts, i.import_id FROM positions p JOIN position_imports i ON i.import_key = p.import_key WHERE p.mmsi = $1 ORDER BY p.ts LIMIT 1',
        [statics[0]!.mmsi],
      )
    )[0]!;
    const start = new Date(statics[0]!.ts).toISOString();
    finding = {
      id: findingId('ais.identity_change', [`ais-${statics[0]!.mmsi}`], start),
      kind: 'ais.identity_change',
      subjects: [`ais-${statics[0]!.mmsi}`],
      start,
      score: 0.5,
      redFlags: [],
      explanation: 'static reports of the simulated vessels (test)',
      evidence: [
        { source: String(pos.import_id), record: `mmsi:${pos.mmsi}@${pos.ts}`, note: 'a position' },
        ...statics.map((s) => ({ source: s.importId, record: `static:mmsi:${s.mmsi}@${s.ts}`, note: 'static report' })),
      ],
      params: {},
    };
    await store.putFindings([finding]);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('GET /findings/:id/raw-evidence gives each static report its sentences, file, sha256, line and tag time', async () => {
    const app = await buildServer({ store, logLevel: false });
    try {
      const res = await app.inject({ method: 'GET', url: `/findings/${finding.id}/raw-evidence` });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        results: Array<{
          record: string;
          raw: { file: string; line: number; sha256: string; lines: string[]; status: string; tagTime?: string };
        }>;
      };
      expect(body.results.map((r) => r.record)).toEqual(finding.evidence.map((e) => e.record));
      for (const r of body.results) {
        expect(r.raw.status, r.record).toBe('verified');
        expect(r.raw.file).toBe('sim.nmea');
        expect(r.raw.sha256).toBe(sha);
        expect(r.raw.lines[0]).toBe(lines[r.raw.line - 1]);
      }
      for (const [k, s] of statics.entries()) {
        const r = body.results[k + 1]!;
        // A type 5 report: two fragments on consecutive lines, the first naming the MMSI, at the recorded time.
        expect(r.raw.lines).toHaveLength(2);
        expect(r.raw.lines[0]).toMatch(/!AIVDM,2,1,/);
        expect(r.raw.lines[1]).toMatch(/!AIVDM,2,2,/);
        expect(r.raw.lines[1]).toBe(lines[r.raw.line]);
        const sentence = r.raw.lines[0]!.slice(r.raw.lines[0]!.indexOf('!')); // after the tag block
        expect(payloadMmsi(sentence.split(',')[5]!)).toBe(s.mmsi);
        expect(r.raw.tagTime).toBe(`${new Date(Math.floor(s.ts / 1000) * 1000).toISOString().slice(0, 19)}Z`);
      }
    } finally {
      await app.close();
    }
  });
});
