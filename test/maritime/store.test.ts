import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { detectStore } from '../../src/maritime/detect.js';
import { topRiskFromStore, vesselRiskFromStore } from '../../src/maritime/risk/store.js';
import { evaluate } from '../../src/maritime/simulate/eval.js';
import { type SimOutput, simulate } from '../../src/maritime/simulate/generate.js';
import { tempStore, writeSimulation } from './helpers.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
let sim: SimOutput;
const mmsiOf = (role: string) => sim.scenario.vessels.find((v) => v.role.startsWith(role))!.identities[0]!.mmsi;

beforeAll(async () => {
  ctx = await tempStore();
  sim = simulate('evasion-only', 5);
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('detection over the store', () => {
  it('is incremental: a second import re-runs over its span, an unchanged store is up to date', async () => {
    const mid = sim.scenario.startMs + 40 * 3_600_000;
    await writeSimulation(ctx.store, sim, 'sim-part-1', (t) => t < mid);
    const r1 = await detectStore(ctx.store, { screen: false });
    expect(r1.upToDate).toBe(false);
    expect(r1.newImports).toEqual(['sim-part-1']);
    await writeSimulation(ctx.store, sim, 'sim-part-2', (t) => t >= mid);
    const r2 = await detectStore(ctx.store, { screen: false });
    expect(r2.newImports).toEqual(['sim-part-2']);
    const r3 = await detectStore(ctx.store, { screen: false });
    expect(r3.upToDate).toBe(true);
    const runs = await ctx.store.db.query<{ n: number }>('SELECT count(*) AS n FROM maritime_detect_runs');
    expect(Number(runs[0]!.n)).toBe(2);
    // Everything injected is found once across the two runs, with no duplicates from the overlap.
    const stored = await ctx.store.queryFindings({});
    const scores = evaluate(stored, sim.scenario.truth);
    for (const s of scores.filter((x) => x.truth > 0)) {
      expect(s.recall, s.kind).toBe(1);
      expect(s.precision, s.kind).toBe(1);
    }
    expect(new Set(stored.map((f) => f.id)).size).toBe(stored.length);
    const full = await detectStore(ctx.store, { screen: false, full: true });
    expect(full.findings.length).toBe(stored.length);
  });

  it('vessel risk: the DPRK tanker and the STS tanker lead, with per-flag explanations', async () => {
    const top = await topRiskFromStore(ctx.store, 3);
    expect(top.map((p) => p.mmsis[0])).toContain(mmsiOf('DPRK tanker'));
    const dprk = await vesselRiskFromStore(ctx.store, String(mmsiOf('DPRK tanker')));
    expect(dprk.factors.map((f) => f.code)).toEqual(
      expect.arrayContaining([
        'DPRK_PORT_CALL',
        'SHIP_TO_SHIP_TRANSFER',
        'CONTACT_WITH_SANCTIONED_VESSEL',
        'DPRK_FLAGGED',
      ]),
    );
    expect(dprk.severity).toBe('high');
    const tanker = await vesselRiskFromStore(ctx.store, String(mmsiOf('tanker (goes dark')));
    const ais = tanker.factors.find((f) => f.code === 'AIS_MANIPULATION')!;
    expect(ais.findings.map((f) => f.kind)).toContain('ais.gap');
    expect(ais.evidence.length).toBeGreaterThan(0);
    // By IMO: the flag hopper's two MMSIs are one hull.
    const hopper = sim.scenario.vessels.find((v) => v.role.includes('flag hopping'))!;
    const byImo = await vesselRiskFromStore(ctx.store, `IMO${hopper.identities[0]!.imo}`);
    expect(byImo.mmsis.sort()).toEqual(hopper.identities.map((i) => i.mmsi).sort());
    expect(byImo.factors.map((f) => f.code)).toContain('FALSE_FLAG');
    await expect(vesselRiskFromStore(ctx.store, 'abc')).rejects.toThrow(/neither an MMSI/);
  });

  it('API: risk, top risk, zones, detect and 4xx on bad input', async () => {
    const app = await buildServer({ store: ctx.store, logLevel: false });
    try {
      const dprk = mmsiOf('DPRK tanker');
      const r = await app.inject({ method: 'GET', url: `/vessels/${dprk}/risk` });
      expect(r.statusCode).toBe(200);
      expect(r.json().mmsis).toEqual([dprk]);
      expect(r.json().factors.length).toBeGreaterThan(2);
      const top = await app.inject({ method: 'GET', url: '/risk?top=2' });
      expect(top.json().results).toHaveLength(2);
      const zones = await app.inject({ method: 'GET', url: '/zones' });
      expect(zones.json().results.map((z: { id: string }) => z.id)).toContain('sts-korea-bay');
      const det = await app.inject({ method: 'POST', url: '/detect', payload: {} });
      expect(det.statusCode).toBe(200);
      expect(det.json().upToDate).toBe(true);
      expect((await app.inject({ method: 'GET', url: '/vessels/12/risk' })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/vessels/1234567/risk' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/vessels/999999999/risk' })).statusCode).toBe(404);
      const bad = await app.inject({
        method: 'POST',
        url: '/zones',
        payload: { id: 'x', geojson: { type: 'Point', coordinates: [1, 2] } },
      });
      expect(bad.statusCode).toBe(400);
      const ok = await app.inject({
        method: 'POST',
        url: '/zones',
        payload: {
          id: 'box',
          name: 'Box',
          geojson: {
            type: 'Polygon',
            coordinates: [
              [
                [120, 30],
                [121, 30],
                [121, 31],
                [120, 31],
                [120, 30],
              ],
            ],
          },
        },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().results[0].id).toBe('box');
    } finally {
      await app.close();
    }
  });

  it('a screening failure surfaces from detect (it used to be logged and read as "no sanctioned vessel")', async () => {
    const other = await tempStore();
    try {
      await writeSimulation(other.store, simulate('evasion-only', 7, { hours: 6 }), 'sim-small');
      await other.store.db.exec('DROP TABLE list_versions');
      await expect(detectStore(other.store, {})).rejects.toThrow(/list_versions/);
      // Nothing was recorded: the next run still sees the import as new.
      const r = await detectStore(other.store, { screen: false });
      expect(r.newImports).toEqual(['sim-small']);
    } finally {
      await other.cleanup();
    }
  });
});
