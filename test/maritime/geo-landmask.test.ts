import { describe, expect, it } from 'vitest';
import { LandMask, ShoreRaster } from '../../src/maritime/geo/shore.js';

describe('LandMask (exact Natural Earth 10m land test)', () => {
  const mask = new LandMask(28, 42);
  it('knows land from sea at places whose answer is not in doubt', () => {
    expect(mask.isLand(39.03, 125.75)).toBe(true); // Pyongyang
    expect(mask.isLand(36.2, 118.3)).toBe(true); // inland Shandong
    expect(mask.isLand(38.9167, 121.6667)).toBe(true); // the WPI point of Dalian, on its headland
    expect(mask.isLand(35.5, 123.0)).toBe(false); // the middle of the Yellow Sea
    expect(mask.isLand(38.932, 121.684)).toBe(false); // Dalian Bay
    expect(mask.isLand(50, 125)).toBe(false); // outside the mask's latitudes
  });
  it('agrees with the raster wherever the raster is sure (more than 2 cells from the coast)', () => {
    const r = new ShoreRaster({ minLon: 118, minLat: 34, maxLon: 126, maxLat: 40 }, { cellDeg: 0.05, marginDeg: 0.5 });
    let compared = 0;
    for (let lat = 34.025; lat < 40; lat += 0.1)
      for (let lon = 118.025; lon < 126; lon += 0.1) {
        const d = r.distanceM(lat, lon);
        if (Math.abs(d) < 12_000) continue;
        compared++;
        expect(mask.isLand(lat, lon), `${lat},${lon}`).toBe(d < 0);
      }
    expect(compared).toBeGreaterThan(3000);
  });
});
