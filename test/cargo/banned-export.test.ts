import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { bannedExports } from '../../src/maritime/cargo/banned-export.js';
import { cargoEstimates } from '../../src/maritime/cargo/events.js';
import type { StaticReport } from '../../src/maritime/tracks/types.js';

/** "likely coal" only when the port is a coal-export port AND the vessel is a plain cargo ship (AIS 70/79). */

const T0 = Date.parse('2024-05-01T00:00:00Z');
const H = 3_600_000;

function visit(mmsi: number, port: string, startMs: number, hours: number): Finding {
  return {
    id: `f-visit-${mmsi}-${port}`,
    kind: 'ais.port_visit',
    subjects: [`ais-${mmsi}`],
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + hours * H).toISOString(),
    score: 0.95,
    redFlags: ['DPRK_PORT_CALL'],
    explanation: 'test',
    evidence: [],
    params: {},
    vessels: [{ mmsi, name: `SHIP ${mmsi}` }],
    details: { port: { name: port, iso3: 'PRK', lat: 0, lon: 0 }, dprkPort: true },
  };
}

function statics(mmsi: number, shipType: number, before: number, after: number, loadedMs: number): StaticReport[] {
  const s = (tsMs: number, draughtM: number): StaticReport => ({
    mmsi,
    tsMs,
    imo: null,
    name: null,
    callsign: null,
    shipType,
    draughtM,
    destination: null,
    source: 'test',
  });
  return [s(T0 - H, before), s(loadedMs, after)];
}

function run(mmsi: number, shipType: number, port: string): Finding[] {
  const v = visit(mmsi, port, T0, 10);
  const st = new Map([[mmsi, statics(mmsi, shipType, 6, 10, T0 + 10 * H)]]);
  const hulls = new Map([[mmsi, { mmsi, lengthM: 169, beamM: 27, shipType }]]);
  const est = cargoEstimates([v], { statics: st, hulls });
  return bannedExports([v, ...est]);
}

describe('trade.banned_export commodity', () => {
  it('cargo ship (type 70) loading at Nampo: likely coal, saying why', () => {
    const [f] = run(371_000_001, 70, 'NAMPO');
    expect(f!.details!.commodity).toBe('likely coal');
    expect(f!.explanation).toContain('Nampo is a coal-export port the Panel names and AIS type 70');
    // 1.025 × 169 × 27 × 0.866667 / 100 = 40.53 t/cm × 400 cm = 16,214 t
    expect((f!.details!.tonnes as { mid: number }).mid).toBe(16_214);
  });
  it('a hazardous-cargo ship (type 71) at Nampo: unknown commodity', () => {
    const [f] = run(371_000_002, 71, 'NAMPO');
    expect(f!.details!.commodity).toBe('unknown');
    expect(f!.explanation).toContain('AIS type 71 is not a plain cargo ship');
  });
  it('a cargo ship loading at Wonsan (not a coal-export port): unknown commodity', () => {
    const [f] = run(371_000_003, 70, 'WONSAN');
    expect(f!.details!.commodity).toBe('unknown');
    expect(f!.explanation).toContain('WONSAN is not among the coal-export ports');
  });
  it('a tanker is not reported as a banned export', () => {
    expect(run(371_000_004, 80, 'NAMPO')).toHaveLength(0);
  });
});
