import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIO } from '../../src/maritime/demo.js';
import { runDetectors } from '../../src/maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../../src/maritime/geo/context.js';
import { haversineM } from '../../src/maritime/geo/distance.js';
import { LandMask, ShoreRaster } from '../../src/maritime/geo/shore.js';
import { evaluate } from '../../src/maritime/simulate/eval.js';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { berthOf, SEA_EDGES, SEA_NODES, SIM_PORTS, seaRoute } from '../../src/maritime/simulate/geography.js';
import { buildTracks } from '../../src/maritime/tracks/segment.js';

const INJECTED_KINDS = [
  'ais.encounter',
  'ais.gap',
  'ais.identity_change',
  'ais.loitering',
  'ais.port_visit',
  'ais.spoofing',
];

describe('scenario simulator', () => {
  const land = new LandMask(28, 42);
  /** Points every ~100 m along a straight leg (as the simulator interpolates it, linearly in lat/lon). */
  const along = (a: [number, number], b: [number, number]): Array<[number, number]> => {
    const n = Math.max(1, Math.ceil(haversineM(a[0], a[1], b[0], b[1]) / 100));
    return Array.from({ length: n + 1 }, (_, k) => [a[0] + (k / n) * (b[0] - a[0]), a[1] + (k / n) * (b[1] - a[1])]);
  };

  it('berths, port channels and every route between ports are in the water (Natural Earth 10m, exact)', () => {
    const wet = (p: [number, number]) => !land.isLand(p[0], p[1]);
    for (const port of Object.values(SIM_PORTS)) {
      const b = berthOf(port);
      expect(wet(b), `${port.id} berth`).toBe(true);
      // The berth stays inside the port-visit radius of the WPI point (3 km).
      expect(haversineM(port.lat, port.lon, b[0], b[1]), port.id).toBeLessThan(2500);
    }
    const ids = Object.keys(SIM_PORTS);
    const dry: string[] = [];
    for (const a of ids)
      for (const b of ids) {
        if (a >= b) continue;
        const r = seaRoute(a, b);
        for (let i = 1; i < r.length; i++)
          for (const p of along(r[i - 1]!, r[i]!)) if (!wet(p)) dry.push(`${a}→${b} leg ${i} at ${p.join(',')}`);
      }
    expect(dry.slice(0, 5)).toEqual([]);
  });

  it('open-sea lanes keep at least 5 km off the coast (before: 2.1 km off Shandong, 3.4 km off the Liaodong islands)', () => {
    const raster = new ShoreRaster(
      { minLon: 117, minLat: 29, maxLon: 127, maxLat: 41 },
      { cellDeg: 0.01, marginDeg: 0.5 },
    );
    const approaches = new Set(Object.values(SIM_PORTS).map((p) => p.approach));
    const close: string[] = [];
    for (const [x, y] of SEA_EDGES) {
      // A port's approach node is near its coast by nature: its edges need only be in the water.
      const minM = approaches.has(x) || approaches.has(y) ? 1000 : 5000;
      let worst = Infinity;
      for (const p of along(SEA_NODES[x]!, SEA_NODES[y]!)) worst = Math.min(worst, raster.distanceM(p[0], p[1]));
      if (worst < minM) close.push(`${x}–${y}: ${Math.round(worst)} m`);
    }
    expect(close).toEqual([]);
  });

  it('no position of the demo scenario is on land, except the injected spoofed fix', () => {
    const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, {
      start: DEMO_SCENARIO.start,
      hours: DEMO_SCENARIO.hours,
    });
    const spoofed = new Set(sim.scenario.vessels.flatMap((v) => (v.spoofFixes ?? []).map((f) => `${f.tsMs}`)));
    const p = sim.positions;
    const onLand: string[] = [];
    let spoofOnLand = 0;
    for (let i = 0; i < p.length; i++) {
      if (!land.isLand(p.lat[i]!, p.lon[i]!)) continue;
      if (spoofed.has(`${p.tsMs[i]}`)) spoofOnLand++;
      else onLand.push(`${p.mmsi[i]} at ${p.lat[i]!.toFixed(4)},${p.lon[i]!.toFixed(4)}`);
    }
    expect(p.length).toBeGreaterThan(300_000);
    expect(onLand.length, onLand.slice(0, 5).join('; ')).toBe(0);
    expect(spoofOnLand).toBe(1); // the inland fix in Shandong is on land, as injected
  });

  for (const seed of [11]) {
    it(`seed ${seed}: every injected kind has recall >= 0.95 and precision >= 0.90`, () => {
      const sim = simulate('yellow-sea', seed);
      // 44 vessels: the second STS delivery (issue 15) adds a tanker and a DPRK tanker, with an encounter, two
      // loitering periods, a DPRK-MID identity event and two Nampo calls.
      expect(sim.scenario.vessels).toHaveLength(44);
      const injected = sim.scenario.truth.filter((t) => t.injected);
      expect(injected.map((t) => t.kind).sort()).toEqual([
        'ais.encounter',
        'ais.encounter',
        'ais.gap',
        'ais.gap',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.loitering',
        'ais.loitering',
        'ais.loitering',
        'ais.loitering',
        'ais.port_visit',
        'ais.port_visit',
        'ais.port_visit',
        'ais.port_visit',
        'ais.port_visit',
        'ais.spoofing',
        'ais.spoofing',
      ]);
      // Reports every 10 s to 3 min: the positions are many and dense.
      expect(sim.positions.length).toBeGreaterThan(300_000);
      const tracks = buildTracks(sim.positions, sim.statics);
      const geo = buildGeoContext(bboxOfPositions(sim.positions.lat, sim.positions.lon));
      const findings = runDetectors(tracks, geo);
      const scores = evaluate(findings, sim.scenario.truth);
      for (const kind of INJECTED_KINDS) {
        const s = scores.find((x) => x.kind === kind)!;
        expect(s.recall, `${kind} recall (missed: ${JSON.stringify(s.missed)})`).toBeGreaterThanOrEqual(0.95);
        expect(
          s.precision,
          `${kind} precision (false: ${s.falsePositives.map((f) => f.explanation).join(' | ')})`,
        ).toBeGreaterThanOrEqual(0.9);
      }
      // The STS encounter names both tankers and is a contact with a DPRK-flagged vessel.
      const sts = findings.find((f) => f.kind === 'ais.encounter')!;
      expect(sts.redFlags).toContain('CONTACT_WITH_SANCTIONED_VESSEL');
      // The gap of the bulk carrier that loaded at Nampo records the draught change.
      const dg = findings.find((f) => f.kind === 'ais.gap' && f.details?.cargoMoved === true)!;
      expect(dg.details).toMatchObject({ draughtBeforeM: 5.2, draughtAfterM: 11.8 });
      // The spoofed fix in Shandong is both an impossible jump and a position on land.
      const spoof = findings
        .filter((f) => f.kind === 'ais.spoofing')
        .map((f) => (f.details as { check: string }).check);
      expect(spoof.sort()).toEqual(['cloned_mmsi', 'impossible_jump', 'on_land']);
      // The DPRK port calls are red-flagged.
      const dprkCalls = findings.filter((f) => f.redFlags.includes('DPRK_PORT_CALL'));
      expect(dprkCalls.length).toBe(
        sim.scenario.truth.filter((t) => t.kind === 'ais.port_visit' && t.details?.dprk).length,
      );
    });
  }
});
