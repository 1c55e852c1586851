import { describe, expect, it } from 'vitest';
import { runDetectors } from '../../src/maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../../src/maritime/geo/context.js';
import { ShoreRaster } from '../../src/maritime/geo/shore.js';
import { evaluate } from '../../src/maritime/simulate/eval.js';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { SIM_PORTS, seaRoute } from '../../src/maritime/simulate/geography.js';
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
  it('sea lanes stay at sea (never more than 3 km into Natural Earth land, i.e. only at harbour edges)', () => {
    const raster = new ShoreRaster(
      { minLon: 117, minLat: 29, maxLon: 127, maxLat: 41 },
      { cellDeg: 0.02, marginDeg: 0.5 },
    );
    const ids = Object.keys(SIM_PORTS);
    let worst = Infinity;
    for (const a of ids)
      for (const b of ids) {
        if (a === b) continue;
        const r = seaRoute(a, b);
        for (let i = 1; i < r.length; i++)
          for (let k = 0; k <= 50; k++) {
            const f = k / 50;
            worst = Math.min(
              worst,
              raster.distanceM(
                r[i - 1]![0] + f * (r[i]![0] - r[i - 1]![0]),
                r[i - 1]![1] + f * (r[i]![1] - r[i - 1]![1]),
              ),
            );
          }
      }
    expect(worst).toBeGreaterThan(-3000);
  });

  for (const seed of [11]) {
    it(`seed ${seed}: every injected kind has recall >= 0.95 and precision >= 0.90`, () => {
      const sim = simulate('yellow-sea', seed);
      expect(sim.scenario.vessels).toHaveLength(42);
      const injected = sim.scenario.truth.filter((t) => t.injected);
      expect(injected.map((t) => t.kind).sort()).toEqual([
        'ais.encounter',
        'ais.gap',
        'ais.gap',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.identity_change',
        'ais.loitering',
        'ais.loitering',
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
