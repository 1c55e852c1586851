import { describe, expect, it } from 'vitest';
import { trackPieces } from '../../web/src/map/segments.js';

/** The map's track pieces: implied speed over 50 kn or silence over 6 h starts a new line. */
const MIN = 60_000;

function pieces(lat: number[], lon: number[], ts: number[]): number[][] {
  const { order, starts } = trackPieces(lat, lon, ts);
  const out: number[][] = [];
  for (let p = 0; p + 1 < starts.length; p++) out.push(Array.from(order.subarray(starts[p]!, starts[p + 1]!)));
  return out;
}

describe('map track pieces', () => {
  it('draws a cloned MMSI (two ships ~300 km apart, fixes interleaved) as two lines, not one zig-zag', () => {
    const lat: number[] = [];
    const lon: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < 200; i++) {
      // Ship A off Shandong and ship B off Korea, both at ~10 kn (0.0028° of latitude per minute).
      const a = i % 2 === 0;
      lat.push(a ? 37 + i * 0.0014 : 35.5 - i * 0.0014);
      lon.push(a ? 122.5 : 125.5);
      ts.push(i * 30_000);
    }
    const p = pieces(lat, lon, ts);
    expect(p).toHaveLength(2);
    expect(p[0]!.every((i) => i % 2 === 0)).toBe(true);
    expect(p[1]!.every((i) => i % 2 === 1)).toBe(true);
    expect(p[0]!.length + p[1]!.length).toBe(200);
  });

  it('breaks at an implied speed over 50 kn and across a dark period over 6 h, and isolates a lone jump fix', () => {
    // 12 kn eastbound (0.0045° of longitude per minute at 37°N is ~12 kn), then a fix 100 km away one minute later
    // (a jump), then back on track; then 7 h of silence and the ship reappears 50 km on.
    const lat = [37, 37, 37, 36.1, 37, 37, 37.2, 37.2];
    const lon = [122, 122.0045, 122.009, 122.009, 122.0135, 122.018, 122.5, 122.5045];
    const ts = [0, MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN, 5 * MIN + 7 * 3600_000, 6 * MIN + 7 * 3600_000];
    expect(pieces(lat, lon, ts)).toEqual([[0, 1, 2, 4, 5], [3], [6, 7]]);
    // 5 h of silence with a plausible move keeps one line.
    expect(pieces([37, 37.5], [122, 122], [0, 5 * 3600_000])).toEqual([[0, 1]]);
    // 60 km in one hour (32 kn) is plausible; 120 km in one hour (65 kn) is not.
    expect(pieces([37, 37.54], [122, 122], [0, 3600_000])).toEqual([[0, 1]]);
    expect(pieces([37, 38.08], [122, 122], [0, 3600_000])).toEqual([[0], [1]]);
  });
});
