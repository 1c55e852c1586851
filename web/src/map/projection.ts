/**
 * Web Mercator in "world units": the whole world is WORLD × WORLD. Everything (land, tracks) is turned into world
 * units once; panning and zooming only change the canvas transform, so a frame never re-projects a point.
 */
export const WORLD = 1024;
const MAX_LAT = 85.05112878;

export function projectX(lon: number): number {
  return ((lon + 180) / 360) * WORLD;
}

export function projectY(lat: number): number {
  const l = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const r = (l * Math.PI) / 180;
  return ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * WORLD;
}

export function unprojectX(x: number): number {
  return (x / WORLD) * 360 - 180;
}

export function unprojectY(y: number): number {
  const n = Math.PI - (2 * Math.PI * y) / WORLD;
  return (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
}

/** The view: centre in world units and scale in CSS pixels per world unit. */
export interface View {
  cx: number;
  cy: number;
  k: number;
}

/** Fit a lon/lat box into a canvas of w × h CSS pixels. */
export function fitView(bbox: [number, number, number, number], w: number, h: number, pad = 0.1): View {
  const x0 = projectX(bbox[0]);
  const x1 = projectX(bbox[2]);
  const y0 = projectY(bbox[3]);
  const y1 = projectY(bbox[1]);
  const spanX = Math.max(x1 - x0, 0.05);
  const spanY = Math.max(y1 - y0, 0.05);
  const k = Math.min(w / (spanX * (1 + 2 * pad)), h / (spanY * (1 + 2 * pad)));
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, k: Math.max(0.5, Math.min(k, 2e6)) };
}
