import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { caseCargo } from '../../src/cases/report/cargo.js';
import { renderCaseHtml } from '../../src/cases/report.js';
import type { Finding } from '../../src/findings/finding.js';
import type { CargoEstimateDetails } from '../../src/maritime/cargo/events.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore } from '../support/demo-store.js';

/**
 * Cargo in case reports (issue 15): the demo data as `watchkeeper start` seeds it (bundled lists, the Yellow Sea scenario written as NMEA and
 * imported, the detectors with their cargo estimates), a case holding the Korea Bay encounter of OCEAN GRACE with
 * the listed DPRK tanker YU JONG 2 and a dark period; the report (as GET /cases/{id}/report.html renders it) shows
 * each vessel's estimate with its method, inputs and range.
 */

let dir: string;
let store: Store;
let encounter: Finding;
let html: string;
let caseId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-cargo-report-'));
  store = await openStore({ url: await copyDemoStore('demo', path.join(dir, 'wk.duckdb')) });
  const all = await store.queryFindings({ limit: 5000 });
  encounter = all.find((f) => f.kind === 'ais.encounter' && f.vessels?.some((v) => v.name === 'YU JONG 2'))!;
  const c = await createCase(store, { title: 'Korea Bay transfer with YU JONG 2' });
  caseId = c.id;
  await addCaseItem(store, c.id, { kind: 'finding', ref: encounter.id });
  html = await renderCaseHtml(store, c.id);
}, 300_000);

afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const text = (s: string): string =>
  s
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('cargo estimates in the case report (demo case)', () => {
  it('lists the stored estimate of each vessel of the encounter', async () => {
    const cargo = await caseCargo(store, [encounter]);
    expect(cargo.map((c) => [c.details.name, c.details.estimate.operation, c.stored])).toEqual([
      ['OCEAN GRACE', 'discharged', true],
      ['YU JONG 2', 'loaded', true],
    ]);
    expect(cargo.every((c) => c.details.sourceFinding === encounter.id)).toBe(true);
  });

  it("prints YU JONG 2's estimate with its method, inputs and range, worked out by hand", async () => {
    const yj = (await caseCargo(store, [encounter])).find((c) => c.details.name === 'YU JONG 2')!;
    const d: CargoEstimateDetails = yj.details;
    // The simulated hull: 96 m × 15 m tanker, draught 3.8 m before the meeting and 6.1 m after (AIS sends 0.1 m
    // steps; the stored 4-byte REAL reads back as 3.799999952…, quoted as sent).
    expect([d.estimate.inputs.lengthM, d.estimate.inputs.beamM]).toEqual([96, 15]);
    expect([d.draughtBefore.m, d.draughtAfter.m]).toEqual([3.8, 6.1]);
    // TPC = ρ·L·B·Cwp/100 with Cwp = (1 + 2·Cb)/3: tanker Cb 0.8 / 0.825 / 0.85 give Cwp 0.8667 / 0.8833 / 0.9,
    // so TPC 12.79 / 13.04 / 13.28 t/cm. Change 2.3 m = 230 cm (±0.2 m: 210 and 250 cm).
    // mid 13.0380 × 230 = 2,999 t; low 12.7920 × 210 = 2,686 t; high 13.2840 × 250 = 3,321 t.
    expect(d.estimate.tpc).toEqual({ low: 12.79, mid: 13.04, high: 13.28 });
    expect(d.estimate.tonnes).toEqual({ low: 2686, mid: 2999, high: 3321 });
    // Barrels of gas oil at 7.46 bbl/t.
    expect(d.estimate.barrels).toEqual({ low: 20_038, mid: 22_373, high: 24_775 });
    const t = text(html);
    expect(t).toContain('E. Cargo estimates');
    expect(t).toContain('YU JONG 2 loaded with OCEAN GRACE');
    expect(t).toContain('2,999 t (range 2,686–3,321 t)');
    expect(t).toContain('≈ 22,373 bbl (range 20,038–24,775 bbl) of gasoil at 7.46 bbl/t');
    expect(t).toContain(
      'dimensions: tonnes per centimetre immersion × draught change: TPC 13.04 t/cm (12.79–13.28) = ρ 1.025 t/m³ × L 96 m × B 15 m',
    );
    expect(t).toContain(
      'draught 3.8 m (2024-03-03T04:20Z) → 6.1 m (2024-03-03T17:35Z); L 96 m × B 15 m; AIS ship type 80',
    );
    expect(t).not.toContain('3.799999');
    // Vessels by name, as the report's prose names them, not by MMSI.
    const table = text(
      html.slice(
        html.indexOf('<table class="cargo">'),
        html.indexOf('</table>', html.indexOf('<table class="cargo">')),
      ),
    );
    expect(table).not.toMatch(/MMSI \d{9}/);
    expect(table).not.toMatch(/\d\.\d{5,}/);
    // The methodology chapter states the constants the estimates used.
    expect(t).toContain('Cargo: quantities are estimated from the change in reported draught');
  });

  it('names the estimate by the finding it belongs to (F-1, the encounter)', () => {
    const table = html.slice(html.indexOf('<table class="cargo">'));
    const rows = table.slice(0, table.indexOf('</table>')).split('<tr>').slice(2);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.startsWith('<td>F-1</td>')).toBe(true);
  });

  it('a case without port calls, encounters or gaps has no cargo section', async () => {
    const c = await createCase(store, { title: 'empty' });
    expect(text(await renderCaseHtml(store, c.id))).not.toContain('Cargo estimates');
    expect(caseId).not.toBe(c.id);
  });
});
