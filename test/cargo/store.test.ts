import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import type { CargoEstimateDetails } from '../../src/maritime/cargo/events.js';
import { capByYear, estimateFinding } from '../../src/maritime/cargo/store.js';
import { detectStore } from '../../src/maritime/detect.js';
import { type SimOutput, simHulls, simulate } from '../../src/maritime/simulate/generate.js';
import { tempStore, writeSimulation } from '../maritime/helpers.js';

/**
 * The cargo module through the store: `detect` writes cargo.estimate and trade.banned_export findings when the
 * static reports carry dimensions; `cargo estimate` re-estimates a stored finding; the cap tracker reads the store;
 * the API serves both.
 */

let ctx: Awaited<ReturnType<typeof tempStore>>;
let sim: SimOutput;

beforeAll(async () => {
  ctx = await tempStore();
  sim = simulate('evasion-only', 5);
  await writeSimulation(ctx.store, sim, 'sim-cargo');
  // writeSimulation leaves the antenna offsets out; put in the dimensions the simulated type 5 messages carry.
  for (const h of simHulls(sim).values()) {
    const bow = Math.round(h.lengthM * 0.8);
    await ctx.store.db.query(
      'UPDATE vessel_static SET to_bow = $1, to_stern = $2, to_port = $3, to_starboard = $4 WHERE mmsi = $5',
      [bow, h.lengthM - bow, Math.floor(h.beamM / 2), h.beamM - Math.floor(h.beamM / 2), h.mmsi],
    );
  }
}, 120_000);
afterAll(async () => {
  await ctx.cleanup();
});

describe('cargo through the store', () => {
  it('detect stores the estimates and the banned exports; cargo estimate and the cap tracker read them', async () => {
    const r = await detectStore(ctx.store, { screen: false });
    const estimates = r.findings.filter((f) => f.kind === 'cargo.estimate');
    expect(estimates.length).toBeGreaterThanOrEqual(sim.scenario.cargo.length);
    expect(r.findings.filter((f) => f.kind === 'trade.banned_export').length).toBe(
      sim.scenario.cargo.filter((c) => c.kind === 'coal_loading').length,
    );
    expect(r.timingsMs.cargo).toBeGreaterThanOrEqual(0);
    expect(await ctx.store.countFindings({ kinds: ['cargo.estimate'] })).toBe(estimates.length);

    // Re-estimating the STS encounter from the store gives the stored estimates again.
    const enc = r.findings.find((f) => f.kind === 'ais.encounter')!;
    const again = await estimateFinding(ctx.store, enc.id);
    const stored = estimates.filter((f) => (f.details as unknown as CargoEstimateDetails).sourceFinding === enc.id);
    expect(again.map((f) => f.id).sort()).toEqual(stored.map((f) => f.id).sort());
    expect(again.map((f) => f.details)).toEqual(expect.arrayContaining(stored.map((f) => f.details)));
    // A cargo.estimate id returns itself.
    expect((await estimateFinding(ctx.store, stored[0]!.id))[0]!.id).toBe(stored[0]!.id);

    const injected = sim.scenario.cargo.filter((c) => c.kind === 'petroleum_sts');
    const bbl = injected.reduce((n, c) => n + c.barrels!, 0);
    const years = await capByYear(ctx.store, { year: 2024 });
    expect(years).toHaveLength(1);
    expect(years[0]!.deliveries).toHaveLength(injected.length);
    const mid = years[0]!.scenarios.find((s) => s.name === 'draught')!.totalBbl;
    expect(Math.abs(mid - bbl) / bbl).toBeLessThan(0.02);
    expect(await capByYear(ctx.store, { year: 2023 })).toEqual([]);
  });

  it('API: /cargo/estimate/{id}, /cargo/cap (GET and POST with official CSV), 404 and 400', async () => {
    const app = await buildServer({ store: ctx.store, logLevel: false });
    try {
      const enc = (await ctx.store.queryFindings({ kinds: ['ais.encounter'] }))[0]!;
      const est = await app.inject({ method: 'GET', url: `/cargo/estimate/${enc.id}` });
      expect(est.statusCode).toBe(200);
      expect(est.json().results.length).toBeGreaterThan(0);
      expect(est.json().results[0].kind).toBe('cargo.estimate');
      const cap = await app.inject({ method: 'GET', url: '/cargo/cap?year=2024' });
      expect(cap.statusCode).toBe(200);
      const before = cap.json().results[0].scenarios[1].totalBbl as number;
      const post = await app.inject({
        method: 'POST',
        url: '/cargo/cap?year=2024',
        payload: { officialCsv: 'date,reporting_state,product,quantity,unit\n2024-01-10,X,diesel,1000,tonnes\n' },
      });
      expect(post.statusCode).toBe(200);
      expect(post.json().results[0].scenarios[1].totalBbl).toBe(before + 7460);
      expect(cap.json().findings).toEqual([]);
      // 62,000 t of diesel reported (462,520 bbl) takes 2024 over the cap: the answer carries the finding.
      const over = await app.inject({
        method: 'POST',
        url: '/cargo/cap?year=2024',
        payload: { officialCsv: 'date,reporting_state,product,quantity,unit\n2024-01-10,X,diesel,62000,tonnes\n' },
      });
      expect(over.statusCode).toBe(200);
      expect(over.json().findings.map((f: { kind: string }) => f.kind)).toEqual(['trade.petroleum_cap']);
      expect(over.json().findings[0].details.year).toBe(2024);
      expect((await app.inject({ method: 'GET', url: '/cargo/estimate/f-nope' })).statusCode).toBe(404);
      const loiter = (await ctx.store.queryFindings({ kinds: ['ais.loitering'] }))[0]!;
      const bad = await app.inject({ method: 'GET', url: `/cargo/estimate/${loiter.id}` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toContain('ais.loitering');
      const badCsv = await app.inject({
        method: 'POST',
        url: '/cargo/cap',
        payload: { officialCsv: 'date,reporting_state,quantity,unit\n2024-01-10,X,1,gallons\n' },
      });
      expect(badCsv.statusCode).toBe(400);
      expect(badCsv.json().message).toContain('officialCsv:2');
    } finally {
      await app.close();
    }
  });
});
