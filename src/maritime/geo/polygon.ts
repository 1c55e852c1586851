import type { Geometry } from '../../findings/finding.js';

/** Point-in-polygon for GeoJSON rings ([lon, lat] pairs), even-odd rule, so holes work without orientation. */

export type Ring = Array<[number, number]>;
export type PolygonCoords = Ring[];

export interface BBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** True when (lon, lat) lies inside the ring (ray casting). */
export function pointInRing(lon: number, lat: number, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0];
    const yi = ring[i]![1];
    const xj = ring[j]![0];
    const yj = ring[j]![1];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
export function pointInPolygon(lon: number, lat: number, polygon: PolygonCoords): boolean {
  if (polygon.length === 0 || !pointInRing(lon, lat, polygon[0]!)) return false;
  for (let h = 1; h < polygon.length; h++) if (pointInRing(lon, lat, polygon[h]!)) return false;
  return true;
}

/** A polygonal area prepared for many point tests: bounding box first, then ray casting. */
export class PreparedArea {
  readonly bbox: BBox;
  private readonly polygons: PolygonCoords[];

  constructor(geometry: Geometry) {
    if (geometry.type === 'Polygon') this.polygons = [geometry.coordinates];
    else if (geometry.type === 'MultiPolygon') this.polygons = geometry.coordinates;
    else throw new Error(`PreparedArea: expected a Polygon or MultiPolygon, got ${geometry.type}`);
    this.bbox = bboxOf(this.polygons);
  }

  contains(lat: number, lon: number): boolean {
    const b = this.bbox;
    if (lon < b.minLon || lon > b.maxLon || lat < b.minLat || lat > b.maxLat) return false;
    for (const p of this.polygons) if (pointInPolygon(lon, lat, p)) return true;
    return false;
  }
}

export function bboxOf(polygons: PolygonCoords[]): BBox {
  const b: BBox = { minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity };
  for (const poly of polygons)
    for (const ring of poly)
      for (const [x, y] of ring) {
        if (x < b.minLon) b.minLon = x;
        if (x > b.maxLon) b.maxLon = x;
        if (y < b.minLat) b.minLat = y;
        if (y > b.maxLat) b.maxLat = y;
      }
  return b;
}
