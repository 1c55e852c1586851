import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nmeaLines, simulate } from '../../src/maritime/simulate/generate.js';
import { nmeaChecksum } from '../../src/maritime/simulate/nmea-encoder.js';

const FIX = 'test/fixtures/maritime/sim-yellow-sea-seed3-15min';

describe('AIS NMEA encoder', () => {
  const sim = simulate('yellow-sea', 3, { hours: 0.25 });
  const lines = [...nmeaLines(sim)];

  it('is deterministic: the same seed writes the fixture byte for byte', () => {
    expect(`${lines.join('\n')}\n`).toBe(readFileSync(`${FIX}.nmea`, 'utf8'));
  });

  it('writes valid tag blocks and sentence checksums', () => {
    for (const l of lines) {
      const m = /^\\([^*]*)\*([0-9A-F]{2})\\!(AIVDM,[^*]*)\*([0-9A-F]{2})$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(nmeaChecksum(m![1]!)).toBe(m![2]);
      expect(nmeaChecksum(m![3]!)).toBe(m![4]);
      expect(m![1]).toMatch(/^s:wk-sim,c:\d{10}(,g:[12]-2-\d+)?$/);
    }
  });

  it('gpsd decodes every message back to the fields we encoded', () => {
    const ref = readFileSync(`${FIX}.gpsdecode.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(ref).toHaveLength(sim.messages.length);
    const types: Record<number, number> = {};
    sim.messages.forEach((m, i) => {
      const g = ref[i]!;
      types[m.msgType] = (types[m.msgType] ?? 0) + 1;
      expect(g.type).toBe(m.msgType);
      expect(g.mmsi).toBe(m.mmsi);
      if (m.kind === 'pos') {
        expect(g.lat as number).toBeCloseTo(m.lat, 5);
        expect(g.lon as number).toBeCloseTo(m.lon, 5);
        expect(g.speed).toBe(m.sogKn);
        expect(g.course as number).toBeCloseTo(m.cogDeg, 5);
        expect(g.heading).toBe(m.headingDeg);
        if (m.msgType !== 18) expect(g.status).toBe(m.navStatus);
      } else {
        const s = m.static!;
        expect(g.shipname).toBe(s.name);
        expect(g.callsign).toBe(s.callsign);
        expect(g.shiptype).toBe(s.shipType);
        expect(g.to_bow).toBe(s.toBow);
        expect(g.to_starboard).toBe(s.toStarboard);
        if (m.msgType === 5) {
          expect(g.imo).toBe(s.imo ?? 0);
          expect(g.draught).toBe(s.draughtM);
          expect(g.destination).toBe(s.destination);
        }
      }
    });
    expect(types).toEqual({ 1: 133, 3: 12, 5: 27, 18: 457, 24: 15 });
  });
});
