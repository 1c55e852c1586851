import { describe, expect, it } from 'vitest';
import { bearingDeg, destination, haversineM } from '../../src/maritime/geo/distance.js';
import { PointGrid } from '../../src/maritime/geo/grid.js';
import { PreparedArea, pointInPolygon } from '../../src/maritime/geo/polygon.js';
import { loadAnchorages, loadPorts, PortIndex } from '../../src/maritime/geo/ports.js';
import { ShoreRaster } from '../../src/maritime/geo/shore.js';
import { builtinZones, userZones } from '../../src/maritime/geo/zones.js';

describe('distance', () => {
  it('haversine: one degree of latitude and Nampo to Dalian', () => {
    expect(haversineM(0, 0, 1, 0)).toBeCloseTo(111_195, -1);
    // WPI positions of Nampo (38.716667, 125.4) and Dalian (38.916667, 121.666667): about 324 km apart.
    const d = haversineM(38.716667, 125.4, 38.916667, 121.666667);
    expect(d / 1000).toBeGreaterThan(322);
    expect(d / 1000).toBeLessThan(326);
  });
  it('destination and bearing are inverse', () => {
    const [lat, lon] = destination(38.9, 123.7, 45, 10_000);
    expect(haversineM(38.9, 123.7, lat, lon)).toBeCloseTo(10_000, 0);
    expect(bearingDeg(38.9, 123.7, lat, lon)).toBeCloseTo(45, 1);
  });
});

describe('polygons and grids', () => {
  it('point in polygon honours holes', () => {
    const outer: Array<[number, number]> = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ];
    const hole: Array<[number, number]> = [
      [4, 4],
      [6, 4],
      [6, 6],
      [4, 6],
      [4, 4],
    ];
    expect(pointInPolygon(2, 2, [outer, hole])).toBe(true);
    expect(pointInPolygon(5, 5, [outer, hole])).toBe(false);
    expect(pointInPolygon(11, 5, [outer, hole])).toBe(false);
    const area = new PreparedArea({ type: 'MultiPolygon', coordinates: [[outer, hole]] });
    expect(area.contains(2, 2)).toBe(true);
    expect(area.bbox).toEqual({ minLon: 0, minLat: 0, maxLon: 10, maxLat: 10 });
  });
  it('point grid finds the nearest point within a radius only', () => {
    const g = new PointGrid([38.0, 38.05, 39.0], [124.0, 124.0, 124.0]);
    expect(g.nearest(38.04, 124.0, 2000)?.index).toBe(1);
    expect(g.nearest(38.5, 124.0, 2000)).toBeUndefined();
  });
});

describe('ports, anchorages and zones', () => {
  it('loads WPI ports with the DPRK additions flagged', () => {
    const ports = loadPorts();
    expect(ports.length).toBeGreaterThan(3600);
    const nampo = ports.find((p) => p.name === 'NAMPO');
    expect(nampo).toMatchObject({ iso3: 'PRK', dprk: true, lat: 38.716667, lon: 125.4 });
    for (const n of ['TAEAN', 'SINPO', 'TANCHON', 'RYONGAMPO'])
      expect(ports.find((p) => p.name === n)?.dprk).toBe(true);
    const idx = new PortIndex(ports);
    expect(idx.nearest(38.72, 125.39, 3000)?.port.name).toBe('NAMPO');
  });
  it('loads the GFW named anchorages', () => {
    const a = loadAnchorages();
    expect(a.length).toBe(60410);
    expect(a[0]).toMatchObject({ name: 'TONGYEONG', iso3: 'KOR', kind: 'anchorage' });
  });
  it('built-in zones: the DPRK EEZ and the UN Panel STS hotspots', () => {
    const zones = builtinZones();
    expect(zones.map((z) => z.id)).toEqual([
      'eez-prk',
      'sts-nampo-chodo',
      'sts-korea-bay',
      'sts-lianyungang',
      'sts-ningbo-zhoushan',
      'sts-gulf-of-tonkin',
    ]);
    const eez = zones[0]!;
    expect(eez.contains(40.0, 130.0)).toBe(true); // East Sea, off Kimchaek
    expect(eez.contains(37.0, 131.5)).toBe(false);
    expect(zones.find((z) => z.id === 'sts-korea-bay')!.contains(39.2, 123.75)).toBe(true);
  });
  it('user zones: GeoJSON features, and a clear error for non-polygons', () => {
    const z = userZones(
      JSON.stringify({
        type: 'Feature',
        properties: { name: 'Test box' },
        geometry: {
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
      }),
      'box.geojson',
    );
    expect(z[0]).toMatchObject({ id: 'user-test-box', name: 'Test box', kind: 'user' });
    expect(z[0]!.contains(30.5, 120.5)).toBe(true);
    expect(() => userZones('{"type":"Point","coordinates":[1,2]}', 'p.geojson')).toThrow(
      /p.geojson: feature 0 must be a Polygon/,
    );
  });
});

describe('distance to shore from Natural Earth land', () => {
  const raster = new ShoreRaster({ minLon: 121, minLat: 35, maxLon: 126, maxLat: 40 }, { cellDeg: 0.02, marginDeg: 1 });
  it('open sea, coast and land', () => {
    expect(raster.distanceM(35.5, 123.5) / 1000).toBeGreaterThan(120); // middle of the Yellow Sea
    expect(raster.distanceM(39.2, 123.75) / 1000).toBeGreaterThan(35); // Korea Bay
    expect(raster.distanceM(39.2, 123.75) / 1000).toBeLessThan(70);
    expect(Math.abs(raster.distanceM(38.716667, 125.4))).toBeLessThan(5000); // Nampo is on the coast
    expect(raster.distanceM(39.03, 125.75) / 1000).toBeLessThan(-20); // Pyongyang is inland
    expect(raster.isLand(39.03, 125.75)).toBe(true);
  });
});
