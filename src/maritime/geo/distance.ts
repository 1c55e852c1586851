/** Great-circle geometry on a spherical Earth (mean radius), enough for AIS work at metre scale. */

export const EARTH_RADIUS_M = 6_371_008.8;
export const NM_M = 1852;
export const KN_MS = NM_M / 3600;
const RAD = Math.PI / 180;

/** Haversine distance in metres between two WGS84 positions. */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLon / 2);
  const a = s1 * s1 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * s2 * s2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing in degrees (0..360) from the first position to the second. */
export function bearingDeg(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p1 = lat1 * RAD;
  const p2 = lat2 * RAD;
  const dl = (lon2 - lon1) * RAD;
  const y = Math.sin(dl) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return (Math.atan2(y, x) / RAD + 360) % 360;
}

/** The position reached from (lat, lon) after `distanceM` on initial bearing `bearing` (degrees). */
export function destination(lat: number, lon: number, bearing: number, distanceM: number): [number, number] {
  const d = distanceM / EARTH_RADIUS_M;
  const b = bearing * RAD;
  const p1 = lat * RAD;
  const l1 = lon * RAD;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [p2 / RAD, ((((l2 / RAD + 540) % 360) + 360) % 360) - 180];
}

/** Fast planar distance in metres (equirectangular), accurate to < 0.1 % below ~50 km; for hot loops. */
export function equirectM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const x = (lon2 - lon1) * RAD * Math.cos(((lat1 + lat2) / 2) * RAD);
  const y = (lat2 - lat1) * RAD;
  return EARTH_RADIUS_M * Math.sqrt(x * x + y * y);
}

/** Metres per degree of latitude, and of longitude at `lat`. */
export function metresPerDegree(lat: number): { lat: number; lon: number } {
  const m = EARTH_RADIUS_M * RAD;
  return { lat: m, lon: m * Math.cos(lat * RAD) };
}
