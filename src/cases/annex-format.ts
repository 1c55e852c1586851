/**
 * Clean values for report prose and annexes: times in ISO-8601 UTC to the second, numbers without float artefacts
 * (a REAL column's 9.800000190734863 is 9.8), and geometry summarised in words instead of raw GeoJSON.
 */
import type { Geometry } from '../findings/finding.js';

const ISO_MS = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+Z/g;

/** ISO-8601 times in `s` cut to the second (`2024-03-03T05:17:16.000Z` -> `2024-03-03T05:17:16Z`). */
export function isoToSeconds(s: string): string {
  return s.replace(ISO_MS, '$1Z');
}

/** A number without float artefacts: float32 values to 7 significant digits, then at most 6 decimals. */
export function cleanNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  let x = v;
  if (Math.fround(x) === x) x = Number(x.toPrecision(7));
  return String(Number(x.toFixed(6)));
}

function lonLat(c: readonly number[]): string {
  const [lon = 0, lat = 0] = c;
  return `${cleanNumber(Math.abs(lat))}°${lat < 0 ? 'S' : 'N'} ${cleanNumber(Math.abs(lon))}°${lon < 0 ? 'W' : 'E'}`;
}

/** A geometry in words: a point's position, a line's ends and length in points, a polygon's bounds. */
export function summariseGeometry(g: Geometry): string {
  switch (g.type) {
    case 'Point':
      return `point at ${lonLat(g.coordinates)}`;
    case 'MultiPoint':
    case 'LineString': {
      const c = g.coordinates;
      if (c.length === 0) return `${g.type} (empty)`;
      const kind = g.type === 'LineString' ? 'line' : 'points';
      return `${kind} of ${c.length} points from ${lonLat(c[0]!)} to ${lonLat(c[c.length - 1]!)}`;
    }
    default: {
      const pts =
        JSON.stringify(g.coordinates)
          .match(/-?\d+(\.\d+)?(e-?\d+)?,-?\d+(\.\d+)?(e-?\d+)?/g)
          ?.map((p) => p.split(',').map(Number)) ?? [];
      if (pts.length === 0) return `${g.type} (empty)`;
      const lons = pts.map((p) => p[0]!);
      const lats = pts.map((p) => p[1]!);
      return `${g.type.toLowerCase()} of ${pts.length} vertices within ${lonLat([Math.min(...lons), Math.min(...lats)])} to ${lonLat([Math.max(...lons), Math.max(...lats)])}`;
    }
  }
}

function isGeometry(v: unknown): v is Geometry {
  return (
    typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && 'coordinates' in v
  );
}

/** Any detail value as clean text: numbers and times cleaned, geometry summarised, objects as `key value` pairs. */
export function cleanValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return cleanNumber(v);
  if (typeof v === 'string') return isoToSeconds(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isGeometry(v)) return summariseGeometry(v);
  if (Array.isArray(v)) {
    const parts = v.slice(0, 12).map(cleanValue);
    return `${parts.join('; ')}${v.length > 12 ? `; … (${v.length} in all)` : ''}`;
  }
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k} ${cleanValue(x)}`)
    .join(', ');
}
