import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { BBox } from './polygon.js';

/**
 * Distance to shore from Natural Earth land polygons (world-atlas land-10m, public domain), precomputed into a
 * raster over the area being analysed: land is rasterised by scanline fill (even-odd), then a two-pass 8-neighbour
 * nearest-feature transform gives each water cell its distance to the nearest land cell and each land cell its
 * distance to the nearest water cell (negative). A lookup is one array read.
 *
 * Accuracy is about one cell (default ~1 km) plus Natural Earth's own generalisation; values further than
 * `marginDeg` from the raster edge are lower bounds (the raster only sees land within the margin).
 */

type LandRing = { ring: Float64Array; minLon: number; maxLon: number; minLat: number; maxLat: number };

let landRings: LandRing[] | undefined;

function loadLandRings(): LandRing[] {
  if (landRings) return landRings;
  const require = createRequire(import.meta.url);
  const file = require.resolve('world-atlas/land-10m.json');
  const topo = JSON.parse(readFileSync(file, 'utf8')) as Topology<{ land: GeometryCollection }>;
  const fc = feature(topo, topo.objects.land);
  const rings: LandRing[] = [];
  const features = 'features' in fc ? fc.features : [fc];
  for (const f of features) {
    const g = f.geometry;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    for (const poly of polys)
      for (const r of poly) {
        const ring = new Float64Array(r.length * 2);
        let minLon = Infinity;
        let maxLon = -Infinity;
        let minLat = Infinity;
        let maxLat = -Infinity;
        for (let i = 0; i < r.length; i++) {
          const x = r[i]![0]!;
          const y = r[i]![1]!;
          ring[2 * i] = x;
          ring[2 * i + 1] = y;
          if (x < minLon) minLon = x;
          if (x > maxLon) maxLon = x;
          if (y < minLat) minLat = y;
          if (y > maxLat) maxLat = y;
        }
        rings.push({ ring, minLon, maxLon, minLat, maxLat });
      }
  }
  landRings = rings;
  return rings;
}

export interface ShoreRasterOptions {
  /** Cell size in degrees; default chosen so the raster has at most ~6 million cells, never finer than 0.01°. */
  cellDeg?: number;
  /** Land further than this outside the bbox is still considered (degrees). */
  marginDeg?: number;
}

export class ShoreRaster {
  readonly minLon: number;
  readonly minLat: number;
  readonly width: number;
  readonly height: number;
  readonly cellDeg: number;
  /** Signed distance in km: positive at sea (to the nearest land), negative on land (to the nearest water). */
  readonly distKm: Float32Array;
  readonly landCells: number;

  constructor(bbox: BBox, opts: ShoreRasterOptions = {}) {
    const margin = opts.marginDeg ?? 3;
    this.minLon = Math.max(-180, bbox.minLon - margin);
    this.minLat = Math.max(-85, bbox.minLat - margin);
    const maxLon = Math.min(180, bbox.maxLon + margin);
    const maxLat = Math.min(85, bbox.maxLat + margin);
    const area = (maxLon - this.minLon) * (maxLat - this.minLat);
    this.cellDeg = opts.cellDeg ?? Math.min(0.1, Math.max(0.01, Math.sqrt(area / 6e6)));
    this.width = Math.max(1, Math.ceil((maxLon - this.minLon) / this.cellDeg));
    this.height = Math.max(1, Math.ceil((maxLat - this.minLat) / this.cellDeg));
    const land = this.rasterise();
    let n = 0;
    for (let i = 0; i < land.length; i++) n += land[i]!;
    this.landCells = n;
    this.distKm = new Float32Array(land.length);
    const toLand = this.transform(land, 1);
    const toWater = this.transform(land, 0);
    for (let i = 0; i < land.length; i++) this.distKm[i] = land[i] ? -toWater[i]! : toLand[i]!;
  }

  /** Signed distance to the coastline in metres (negative on land); Infinity-like large values far from any land. */
  distanceM(lat: number, lon: number): number {
    const x = Math.floor((lon - this.minLon) / this.cellDeg);
    const y = Math.floor((lat - this.minLat) / this.cellDeg);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return 1e7;
    return this.distKm[y * this.width + x]! * 1000;
  }

  /** True when the raster cell holding the position is land. */
  isLand(lat: number, lon: number): boolean {
    return this.distanceM(lat, lon) < 0;
  }

  private rasterise(): Uint8Array {
    const { width: w, height: h, cellDeg: c, minLon, minLat } = this;
    const maxLon = minLon + w * c;
    const maxLat = minLat + h * c;
    const land = new Uint8Array(w * h);
    const crossings: number[][] = Array.from({ length: h }, () => []);
    for (const r of loadLandRings()) {
      if (r.maxLon < minLon || r.minLon > maxLon || r.maxLat < minLat || r.minLat > maxLat) continue;
      const a = r.ring;
      const n = a.length / 2;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const x1 = a[2 * j]!;
        const y1 = a[2 * j + 1]!;
        const x2 = a[2 * i]!;
        const y2 = a[2 * i + 1]!;
        if (y1 === y2 || Math.abs(x2 - x1) > 180) continue;
        const lo = Math.min(y1, y2);
        const hi = Math.max(y1, y2);
        // Rows whose centre latitude lies in [lo, hi).
        let y0 = Math.ceil((lo - minLat) / c - 0.5);
        let yEnd = Math.ceil((hi - minLat) / c - 0.5) - 1;
        if (y0 < 0) y0 = 0;
        if (yEnd >= h) yEnd = h - 1;
        for (let y = y0; y <= yEnd; y++) {
          const lat = minLat + (y + 0.5) * c;
          crossings[y]!.push(x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1));
        }
      }
    }
    for (let y = 0; y < h; y++) {
      const xs = crossings[y]!;
      if (xs.length < 2) continue;
      xs.sort((p, q) => p - q);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        let xa = Math.ceil((xs[k]! - minLon) / c - 0.5);
        let xb = Math.ceil((xs[k + 1]! - minLon) / c - 0.5) - 1;
        if (xa < 0) xa = 0;
        if (xb >= w) xb = w - 1;
        for (let x = xa; x <= xb; x++) land[y * w + x] = 1;
      }
    }
    return land;
  }

  /** Distance (km) from each cell to the nearest cell whose land value equals `source` (8SSEDT-style propagation). */
  private transform(land: Uint8Array, source: number): Float32Array {
    const { width: w, height: h, cellDeg: c, minLat } = this;
    const nearest = new Int32Array(w * h).fill(-1);
    for (let i = 0; i < land.length; i++) if (land[i] === source) nearest[i] = i;
    const kmLat = 110.574 * c;
    const kmLon = new Float64Array(h);
    for (let y = 0; y < h; y++) kmLon[y] = 111.32 * c * Math.cos(((minLat + (y + 0.5) * c) * Math.PI) / 180);
    const dist2 = (i: number, s: number): number => {
      const yi = (i / w) | 0;
      const ys = (s / w) | 0;
      const dx = ((i % w) - (s % w)) * (kmLon[yi]! + kmLon[ys]!) * 0.5;
      const dy = (yi - ys) * kmLat;
      return dx * dx + dy * dy;
    };
    const best = new Float64Array(w * h).fill(Infinity);
    for (let i = 0; i < land.length; i++) if (nearest[i] === i) best[i] = 0;
    const tryFrom = (i: number, j: number): void => {
      const s = nearest[j]!;
      if (s < 0) return;
      const d = dist2(i, s);
      if (d < best[i]!) {
        best[i] = d;
        nearest[i] = s;
      }
    };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (x > 0) tryFrom(i, i - 1);
        if (y > 0) {
          tryFrom(i, i - w);
          if (x > 0) tryFrom(i, i - w - 1);
          if (x < w - 1) tryFrom(i, i - w + 1);
        }
      }
      for (let x = w - 2; x >= 0; x--) tryFrom(y * w + x, y * w + x + 1);
    }
    for (let y = h - 1; y >= 0; y--) {
      for (let x = w - 1; x >= 0; x--) {
        const i = y * w + x;
        if (x < w - 1) tryFrom(i, i + 1);
        if (y < h - 1) {
          tryFrom(i, i + w);
          if (x < w - 1) tryFrom(i, i + w + 1);
          if (x > 0) tryFrom(i, i + w - 1);
        }
      }
      for (let x = 1; x < w; x++) tryFrom(y * w + x, y * w + x - 1);
    }
    const out = new Float32Array(w * h);
    // No source in the raster at all: everything is "far" (10,000 km).
    for (let i = 0; i < out.length; i++) out[i] = best[i] === Infinity ? 10_000 : Math.sqrt(best[i]!);
    return out;
  }
}

/**
 * Exact land test against the same Natural Earth 10m polygons (even-odd ray casting), for checks the raster's
 * one-cell accuracy is too coarse for (a berth in a harbour basin, a lane past a headland). Edges are indexed by
 * latitude band, so a lookup reads only the edges crossing the point's band.
 */
export class LandMask {
  private readonly bandDeg: number;
  private readonly minLat: number;
  /** Per band: flat [x1, y1, x2, y2, ...] of the edges whose latitude span meets it. */
  private readonly bands: Float64Array[];

  constructor(minLat = -90, maxLat = 90, bandDeg = 0.05) {
    this.bandDeg = bandDeg;
    this.minLat = minLat;
    const n = Math.max(1, Math.ceil((maxLat - minLat) / bandDeg));
    const lists: number[][] = Array.from({ length: n }, () => []);
    for (const r of loadLandRings()) {
      if (r.maxLat < minLat || r.minLat > maxLat) continue;
      const a = r.ring;
      const m = a.length / 2;
      for (let i = 0, j = m - 1; i < m; j = i++) {
        const x1 = a[2 * j]!;
        const y1 = a[2 * j + 1]!;
        const x2 = a[2 * i]!;
        const y2 = a[2 * i + 1]!;
        if (y1 === y2 || Math.abs(x2 - x1) > 180) continue;
        const b0 = Math.max(0, Math.floor((Math.min(y1, y2) - minLat) / bandDeg));
        const b1 = Math.min(n - 1, Math.floor((Math.max(y1, y2) - minLat) / bandDeg));
        for (let b = b0; b <= b1; b++) lists[b]!.push(x1, y1, x2, y2);
      }
    }
    this.bands = lists.map((l) => Float64Array.from(l));
  }

  /** True when the point lies inside Natural Earth 10m land (points outside the mask's latitudes: false). */
  isLand(lat: number, lon: number): boolean {
    const b = Math.floor((lat - this.minLat) / this.bandDeg);
    const e = this.bands[b];
    if (!e) return false;
    let inside = false;
    for (let k = 0; k < e.length; k += 4) {
      const x1 = e[k]!;
      const y1 = e[k + 1]!;
      const x2 = e[k + 2]!;
      const y2 = e[k + 3]!;
      if (y1 > lat !== y2 > lat && lon < x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
    }
    return inside;
  }
}
