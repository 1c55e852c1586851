import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { analyseCargo } from '../../src/maritime/cargo/analyse.js';
import { trackCap } from '../../src/maritime/cargo/cap.js';
import type { CargoEstimateDetails } from '../../src/maritime/cargo/events.js';
import { runDetectors } from '../../src/maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../../src/maritime/geo/context.js';
import { type SimOutput, simHulls, simulate } from '../../src/maritime/simulate/generate.js';
import { buildTracks } from '../../src/maritime/tracks/segment.js';

/** The yellow-sea scenario's injected cargoes (scenario.cargo) against what the cargo module finds in its AIS. */

let sim: SimOutput;
let findings: Finding[];
let cargo: Finding[];

beforeAll(() => {
  sim = simulate('yellow-sea', 11);
  const tracks = buildTracks(sim.positions, sim.statics);
  const geo = buildGeoContext(bboxOfPositions(sim.positions.lat, sim.positions.lon));
  findings = runDetectors(tracks, geo);
  cargo = analyseCargo(findings, { statics: tracks.statics, hulls: simHulls(sim) });
}, 120_000);

describe('cargo over the simulated Yellow Sea', () => {
  it('the cap tracker’s total equals the injected petroleum deliveries within the stated range', () => {
    const injected = sim.scenario.cargo.filter((c) => c.kind === 'petroleum_sts');
    expect(injected).toHaveLength(2);
    const injectedBbl = injected.reduce((s, c) => s + c.barrels!, 0);
    const years = trackCap([...findings, ...cargo]);
    expect(years).toHaveLength(1);
    const y = years[0]!;
    expect(y.year).toBe(2024);
    // One delivery per injected STS, each to the injected DPRK tanker.
    expect(y.deliveries.map((d) => d.mmsi).sort()).toEqual(injected.map((c) => c.mmsi).sort());
    expect(y.deliveries.every((d) => d.source === 'sts')).toBe(true);
    const low = y.scenarios.find((s) => s.name === 'draught low')!.totalBbl;
    const mid = y.scenarios.find((s) => s.name === 'draught')!.totalBbl;
    const high = y.scenarios.find((s) => s.name === 'draught high')!.totalBbl;
    expect(low).toBeLessThanOrEqual(injectedBbl);
    expect(high).toBeGreaterThanOrEqual(injectedBbl);
    // The point estimate is within 2 % (AIS rounds draught to 0.1 m; the simulated hull's Cb is 0.82, ours 0.825).
    expect(Math.abs(mid - injectedBbl) / injectedBbl).toBeLessThan(0.02);
    // Nothing crosses the cap in three days.
    expect(y.scenarios.every((s) => s.crossedOn === null)).toBe(true);
    expect(cargo.filter((f) => f.kind === 'trade.petroleum_cap')).toHaveLength(0);
  });

  it('the DPRK tankers’ calls at Nampo after the STS confirm the deliveries rather than adding ones', () => {
    const deliveries = trackCap([...findings, ...cargo])[0]!.deliveries;
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      const dprkCalls = findings.filter(
        (f) =>
          f.kind === 'ais.port_visit' && f.vessels?.[0]?.mmsi === d.mmsi && Date.parse(f.start) > Date.parse(d.date),
      );
      expect(dprkCalls.length).toBeGreaterThan(0);
      expect(d.confirmedBy.map((c) => c.finding)).toEqual(dprkCalls.map((f) => f.id));
    }
  });

  it('every injected cargo has an estimate whose range contains it', () => {
    const estimates = cargo.filter((f) => f.kind === 'cargo.estimate');
    for (const c of sim.scenario.cargo) {
      const mine = estimates.filter((f) => {
        const d = f.details as unknown as CargoEstimateDetails;
        return d.mmsi === c.mmsi && d.estimate.operation === 'loaded';
      });
      expect(mine, c.note).toHaveLength(1);
      const t = (mine[0]!.details as unknown as CargoEstimateDetails).estimate.tonnes;
      expect(t.low, c.note).toBeLessThanOrEqual(c.tonnes);
      expect(t.high, c.note).toBeGreaterThanOrEqual(c.tonnes);
      expect(mine[0]!.explanation).toMatch(/about [\d,]+ t loaded \(range [\d,]+–[\d,]+ t\)/);
    }
    // The STS supplier's fall is estimated too, as a discharge.
    for (const sts of sim.scenario.cargo.filter((c) => c.kind === 'petroleum_sts')) {
      const supplier = estimates.find((f) => (f.details as unknown as CargoEstimateDetails).mmsi === sts.counterpart)!;
      expect((supplier.details as unknown as CargoEstimateDetails).estimate.operation).toBe('discharged');
    }
  });

  it('the coal loading at Nampo is a trade.banned_export naming "likely coal", and only injected loadings are', () => {
    const banned = cargo.filter((f) => f.kind === 'trade.banned_export');
    const coal = sim.scenario.cargo.filter((c) => c.kind === 'coal_loading');
    expect(banned.map((f) => f.vessels![0]!.mmsi).sort()).toEqual(coal.map((c) => c.mmsi).sort());
    const atNampo = banned.find((f) => f.details?.loadingPort === 'NAMPO')!;
    expect(atNampo.details!.commodity).toBe('likely coal');
    expect(atNampo.explanation).toContain('likely coal');
    expect(atNampo.explanation).toContain('Nampo is a coal-export port the Panel names');
    expect(atNampo.explanation).toContain('AIS type 70');
    const coalCarrier = coal.find((c) => c.mmsi === atNampo.vessels![0]!.mmsi)!;
    const t = atNampo.details!.tonnes as { low: number; high: number };
    expect(t.low).toBeLessThanOrEqual(coalCarrier.tonnes);
    expect(t.high).toBeGreaterThanOrEqual(coalCarrier.tonnes);
    // The bulk carrier that loaded while dark: Nampo is among the coal ports its dark period could include.
    const dark = banned.find((f) => f !== atNampo)!;
    expect(dark.details!.possibleLoadingPorts).toContain('Nampo');
    expect(dark.details!.commodity).toBe('likely coal');
    expect(dark.redFlags).toContain('AIS_MANIPULATION');
  });
});
