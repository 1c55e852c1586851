import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { capFindings, trackCap } from '../../src/maritime/cargo/cap.js';
import { describeEstimate, estimateCargo } from '../../src/maritime/cargo/estimate.js';
import { parseOfficialDeliveries } from '../../src/maritime/cargo/official.js';
import { CARGO_DEFAULTS } from '../../src/maritime/cargo/params.js';

describe('estimateCargo', () => {
  it('a 183 m × 32 m tanker going from 6.0 m to 11.5 m matches the hand computation', () => {
    // Hand computation (dimensions method, tanker Cb 0.80 / 0.825 / 0.85, Cwp = (1 + 2·Cb)/3, ρ = 1.025 t/m³):
    //   mid:  Cwp = (1 + 1.65)/3 = 0.883333;  TPC = 1.025 × 183 × 32 × 0.883333 / 100 = 53.0212 t/cm
    //         ΔT = 11.5 − 6.0 = 5.5 m = 550 cm  →  53.0212 × 550 = 29,161.7 t  →  29,162 t
    //   low:  Cwp = 0.866667, TPC = 52.0208 t/cm, ΔT − 2 × 0.1 m = 530 cm  →  27,571.0 t
    //   high: Cwp = 0.9,      TPC = 54.0216 t/cm, ΔT + 2 × 0.1 m = 570 cm  →  30,792.3 t
    //   barrels (gas/diesel oil, 7.46 bbl/t): 29,162 × 7.46 = 217,548.5  →  217,549 bbl
    //   capacity at the deepest draught 11.5 m: 1.025 × 183 × 32 × 11.5 × 0.825 × 0.83 = 47,266.7 t
    const e = estimateCargo({
      lengthM: 183,
      beamM: 32,
      shipType: 80,
      draughtBeforeM: 6.0,
      draughtAfterM: 11.5,
      maxDraughtM: 11.5,
    });
    expect(e.method).toBe('dimensions');
    expect(e.hullClass).toBe('tanker');
    expect(e.operation).toBe('loaded');
    expect(e.draughtChangeM).toBe(5.5);
    expect(e.tpc).toEqual({ low: 52.02, mid: 53.02, high: 54.02 });
    expect(e.tonnes).toEqual({ low: 27_571, mid: 29_162, high: 30_792 });
    expect(e.product).toBe('gasoil');
    expect(e.barrelsPerTonne).toBe(7.46);
    expect(e.barrels).toEqual({ low: Math.round(27_571 * 7.46), mid: 217_549, high: Math.round(30_792 * 7.46) });
    expect(e.capacityT).toBe(47_267);
    expect(e.inputs).toMatchObject({ lengthM: 183, beamM: 32, draughtBeforeM: 6, draughtAfterM: 11.5 });
    expect(describeEstimate(e)).toContain('about 29,162 t loaded (range 27,571–30,792 t)');
  });

  it('a fall in draught is a discharge of the same size; a cargo ship gets tonnes and no barrels', () => {
    const up = estimateCargo({ lengthM: 169, beamM: 27, shipType: 70, draughtBeforeM: 6.1, draughtAfterM: 11 });
    const down = estimateCargo({ lengthM: 169, beamM: 27, shipType: 70, draughtBeforeM: 11, draughtAfterM: 6.1 });
    expect(down.operation).toBe('discharged');
    expect(down.tonnes).toEqual(up.tonnes);
    expect(up.barrels).toBeNull();
    // Cargo Cb 0.80: TPC = 1.025 × 169 × 27 × 0.866667 / 100 = 40.53 t/cm; × 490 cm = 19,861.8 t.
    expect(up.tonnes.mid).toBe(19_862);
  });

  it('deadweight method when the DWT and summer draught are known', () => {
    // 50,000 t DWT at 12.0 m, r = 0.83: displacement 60,240.96 t, 5,020.08 t/m; × 5.5 m = 27,610.4 t.
    const e = estimateCargo({
      lengthM: 183,
      beamM: 32,
      shipType: 80,
      draughtBeforeM: 6.0,
      draughtAfterM: 11.5,
      deadweightT: 50_000,
      summerDraughtM: 12,
      product: 'gasoline',
    });
    expect(e.method).toBe('deadweight');
    expect(e.tonnes.mid).toBe(27_610);
    // low: r 0.86 and 5.3 m: 50,000 / 0.86 / 12 × 5.3 = 25,678.3; high: r 0.80 and 5.7 m: 29,687.5
    expect(e.tonnes.low).toBe(25_678);
    expect(e.tonnes.high).toBe(29_688);
    expect(e.capacityT).toBe(50_000);
    expect(e.barrels!.mid).toBe(Math.round(27_610 * 8.35)); // BP, gasoline tonnes to barrels (July 2021)
  });

  it('refuses a hull without dimensions', () => {
    expect(() => estimateCargo({ lengthM: 0, beamM: 32, shipType: 80, draughtBeforeM: 6, draughtAfterM: 7 })).toThrow(
      /length and beam/,
    );
  });

  it('params are frozen', () => {
    expect(Object.isFrozen(CARGO_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(CARGO_DEFAULTS.blockCoefficient)).toBe(true);
  });
});

describe('official deliveries CSV', () => {
  it('parses barrels and tonnes (converted with the product’s barrels per tonne)', () => {
    const rows = parseOfficialDeliveries(
      'date,reporting_state,product,quantity,unit,reference\n' +
        '2023-01-31,Russian Federation,diesel,1000,tonnes,"table 2023, row 1"\n' +
        '2023-02-28,China,,5000.5,bbl,\n',
      'official.csv',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ year: 2023, product: 'gasoil', barrels: 7460, reference: 'table 2023, row 1' });
    expect(rows[1]).toMatchObject({ reportingState: 'China', unit: 'barrels', barrels: 5000.5 });
  });

  it('names file:line and the field on bad rows', () => {
    expect(() => parseOfficialDeliveries('date,reporting_state,quantity,unit\n2023-13-45,X,1,t\n', 'o.csv')).toThrow(
      /o\.csv:2: date/,
    );
    expect(() =>
      parseOfficialDeliveries('date,reporting_state,quantity,unit\n2023-01-01,X,1,litres\n', 'o.csv'),
    ).toThrow(/o\.csv:2: unit "litres"/);
    expect(() => parseOfficialDeliveries('date,quantity,unit\n', 'o.csv')).toThrow(
      /o\.csv:1: missing column "reporting_state"/,
    );
  });
});

/** A cargo.estimate finding as events.ts writes it, for an STS encounter (only the fields the tracker reads). */
function stsEstimate(k: number, day: string, barrelsMid: number, capacityT: number): Finding {
  const tonnes = Math.round(barrelsMid / 7.46);
  return {
    id: `f-est-${k}`,
    kind: 'cargo.estimate',
    subjects: ['ais-445000001'],
    start: `${day}T00:00:00.000Z`,
    end: `${day}T06:00:00.000Z`,
    score: 0.6,
    redFlags: [],
    explanation: 'test',
    evidence: [],
    params: {},
    vessels: [{ mmsi: 445_000_001, name: 'TEST TANKER' }],
    details: {
      sourceFinding: `f-enc-${k}`,
      sourceKind: 'ais.encounter',
      mmsi: 445_000_001,
      name: 'TEST TANKER',
      shipType: 80,
      dprkLinked: 'DPRK-flagged MMSI (MID 445)',
      port: null,
      counterpart: { mmsi: 354_000_001, shipType: 80, dprkLinked: null },
      estimate: {
        operation: 'loaded',
        tonnes: { low: tonnes, mid: tonnes, high: tonnes },
        barrels: { low: barrelsMid - 1000, mid: barrelsMid, high: barrelsMid + 1000 },
        barrelsPerTonne: 7.46,
        capacityT,
      },
    },
  };
}

describe('cap tracker', () => {
  it('sums deliveries per year, applies the 33/50/90 % load assumptions and reports the crossing', () => {
    // 24 STS deliveries in 2023 of 22,000 bbl each (draught) by a 6,000 t tanker:
    //   draught total 528,000 bbl, crossing at the 23rd (506,000 > 500,000);
    //   33 %: 6,000 × 0.33 × 7.46 = 14,770.8 → 14,771 bbl each, 354,504 in all: under the cap;
    //   90 %: 40,284 bbl each: the 13th takes it to 523,692.
    const days = Array.from(
      { length: 24 },
      (_, k) => `2023-${String(1 + Math.floor(k / 2)).padStart(2, '0')}-${k % 2 ? '20' : '05'}`,
    );
    const findings = days.map((d, k) => stsEstimate(k, d, 22_000, 6000));
    const official = parseOfficialDeliveries(
      'date,reporting_state,product,quantity,unit\n2024-03-01,China,diesel,100,tonnes\n',
    );
    const years = trackCap(findings, official);
    expect(years.map((y) => y.year)).toEqual([2023, 2024]);
    const y = years[0]!;
    const s = Object.fromEntries(y.scenarios.map((x) => [x.name, x]));
    expect(s.draught!.totalBbl).toBe(528_000);
    expect(s.draught!.crossedOn).toBe(`${days[22]}T06:00:00.000Z`);
    expect(s['33 % load']!.totalBbl).toBe(24 * 14_771);
    expect(s['33 % load']!.crossedOn).toBeNull();
    expect(s['90 % load']!.crossedOn).toBe(`${days[12]}T06:00:00.000Z`);
    expect(years[1]!.scenarios[1]!.totalBbl).toBe(746);
    const caps = capFindings(years);
    expect(caps).toHaveLength(1);
    expect(caps[0]!.kind).toBe('trade.petroleum_cap');
    expect(caps[0]!.start).toBe(`${days[12]}T06:00:00.000Z`);
    expect(caps[0]!.subjects).toEqual(['ais-445000001']);
    expect(caps[0]!.explanation).toContain('500,000-barrel cap');
    expect(caps[0]!.explanation).toContain('90 % load (966,816 bbl');
  });
});
