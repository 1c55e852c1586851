import type { Finding } from '../../../src/findings/finding.js';

/** The lon/lat box [west, south, east, north] around tracks and located findings, or null when there is none. */
export function bboxOf(
  tracks: Array<{ lat: ArrayLike<number>; lon: ArrayLike<number> }>,
  findings: Finding[],
): [number, number, number, number] | null {
  let x0 = 180;
  let y0 = 90;
  let x1 = -180;
  let y1 = -90;
  const add = (lon: number, lat: number) => {
    if (lon < x0) x0 = lon;
    if (lon > x1) x1 = lon;
    if (lat < y0) y0 = lat;
    if (lat > y1) y1 = lat;
  };
  for (const t of tracks) for (let i = 0; i < t.lat.length; i++) add(t.lon[i]!, t.lat[i]!);
  for (const f of findings) {
    const g = f.geometry;
    if (!g) continue;
    const flat =
      JSON.stringify(g.coordinates)
        .match(/-?\d+(\.\d+)?(e-?\d+)?/g)
        ?.map(Number) ?? [];
    for (let i = 0; i + 1 < flat.length; i += 2) add(flat[i]!, flat[i + 1]!);
  }
  return x0 <= x1 ? [x0, y0, x1, y1] : null;
}
