import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import type { Geometry } from '../findings/finding.js';

/**
 * Static maps for reports: inline SVG with the Natural Earth 1:50m land from `world-atlas` (no tiles, no network),
 * an equirectangular projection scaled by cos(latitude) around the area of interest, and each finding's geometry
 * drawn as a labelled symbol. Pure string output so the HTML report and its PDF carry the map with them.
 */

type Ring = Array<[number, number]>;
type Land = Array<{ ring: Ring; bbox: [number, number, number, number] }>;
export type LandScale = '10m' | '50m' | '110m';
const landCache = new Map<LandScale, Land>();

/** Natural Earth land at 1:10m, 1:50m or 1:110m (world-atlas 2.0.2, parsed once per process). */
function land(scale: LandScale = '50m'): Land {
  const hit = landCache.get(scale);
  if (hit) return hit;
  const file = createRequire(import.meta.url).resolve(`world-atlas/land-${scale}.json`);
  const topo = JSON.parse(readFileSync(file, 'utf8')) as Topology;
  const fc = feature(topo, topo.objects.land!) as unknown as {
    features?: Array<{ geometry: { type: string; coordinates: unknown } }>;
    geometry?: { type: string; coordinates: unknown };
  };
  const geoms = fc.features ? fc.features.map((f) => f.geometry) : fc.geometry ? [fc.geometry] : [];
  const rings: Ring[] = [];
  for (const g of geoms) {
    if (g.type === 'Polygon') rings.push(...(g.coordinates as Ring[]));
    else if (g.type === 'MultiPolygon') for (const p of g.coordinates as Ring[][]) rings.push(...p);
  }
  const out: Land = rings.map((ring) => {
    let x0 = 180;
    let y0 = 90;
    let x1 = -180;
    let y1 = -90;
    for (const [x, y] of ring) {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    return { ring, bbox: [x0, y0, x1, y1] };
  });
  landCache.set(scale, out);
  return out;
}

export interface MapSymbol {
  geometry: Geometry;
  /** Short label drawn beside the symbol (e.g. the finding's reference "F-3"). */
  label: string;
  /** 'gap' draws dashed lines; 'encounter', 'zone', 'port', 'loiter' and 'other' pick colours. */
  style: 'gap' | 'encounter' | 'zone' | 'port' | 'loiter' | 'track' | 'other';
}

const COLOURS: Record<MapSymbol['style'], string> = {
  gap: '#b00020',
  encounter: '#d35400',
  zone: '#6a1b9a',
  port: '#00695c',
  loiter: '#1565c0',
  track: '#37474f',
  other: '#455a64',
};

function allCoords(g: Geometry): Array<[number, number]> {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'LineString':
    case 'MultiPoint':
      return g.coordinates;
    case 'Polygon':
    case 'MultiLineString':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
  }
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An SVG map of the symbols, framed on their extent (at least ~4° across). Empty string when nothing to draw. */
export function renderSvgMap(
  symbols: MapSymbol[],
  opts: { width?: number; height?: number; title?: string } = {},
): string {
  const pts = symbols
    .flatMap((s) => allCoords(s.geometry))
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) return '';
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  let lon0 = Math.min(...pts.map((p) => p[0]));
  let lon1 = Math.max(...pts.map((p) => p[0]));
  let lat0 = Math.min(...pts.map((p) => p[1]));
  let lat1 = Math.max(...pts.map((p) => p[1]));
  const minSpan = 4;
  const padLon = Math.max((minSpan - (lon1 - lon0)) / 2, (lon1 - lon0) * 0.15);
  const padLat = Math.max((minSpan - (lat1 - lat0)) / 2, (lat1 - lat0) * 0.15);
  lon0 -= padLon;
  lon1 += padLon;
  lat0 = Math.max(-85, lat0 - padLat);
  lat1 = Math.min(85, lat1 + padLat);
  const k = Math.cos((((lat0 + lat1) / 2) * Math.PI) / 180);
  // Fit the extent into the frame keeping the aspect ratio.
  const spanX = (lon1 - lon0) * k;
  const spanY = lat1 - lat0;
  const scale = Math.min(width / spanX, height / spanY);
  const cx = (lon0 + lon1) / 2;
  const cy = (lat0 + lat1) / 2;
  const px = (lon: number): number => width / 2 + (lon - cx) * k * scale;
  const py = (lat: number): number => height / 2 - (lat - cy) * scale;
  const viewLon0 = cx - width / 2 / (k * scale);
  const viewLon1 = cx + width / 2 / (k * scale);
  const viewLat0 = cy - height / 2 / scale;
  const viewLat1 = cy + height / 2 / scale;
  const f = (n: number): string => n.toFixed(1);

  const fr: Frame = { px, py, view: [viewLon0, viewLat0, viewLon1, viewLat1], scale, width, height };
  const landD = landPath(fr, '50m');
  const parts: string[] = [];
  for (const s of symbols) {
    const c = COLOURS[s.style];
    const g = s.geometry;
    const line = (coords: Array<[number, number]>) =>
      `<path d="M${coords.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join('L')}" fill="none" stroke="${c}" stroke-width="2"${s.style === 'gap' ? ' stroke-dasharray="6 4"' : ''}/>`;
    const point = ([x, y]: [number, number]) =>
      s.style === 'encounter'
        ? `<path d="M${f(px(x))},${f(py(y) - 7)}L${f(px(x) + 7)},${f(py(y))}L${f(px(x))},${f(py(y) + 7)}L${f(px(x) - 7)},${f(py(y))}Z" fill="${c}" stroke="#fff"/>`
        : `<circle cx="${f(px(x))}" cy="${f(py(y))}" r="5" fill="${c}" stroke="#fff"/>`;
    if (g.type === 'Point') parts.push(point(g.coordinates));
    else if (g.type === 'MultiPoint') parts.push(...g.coordinates.map(point));
    else if (g.type === 'LineString') parts.push(line(g.coordinates));
    else if (g.type === 'MultiLineString') parts.push(...g.coordinates.map(line));
    else {
      const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
      parts.push(
        `<path d="${rings.map((r) => `M${r.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join('L')}Z`).join('')}" fill="${c}" fill-opacity="0.15" stroke="${c}"/>`,
      );
    }
    const [lx, ly] = allCoords(g)[0]!;
    parts.push(
      `<text x="${f(px(lx) + 8)}" y="${f(py(ly) - 8)}" font-size="12" font-weight="bold" fill="${c}">${esc(s.label)}</text>`,
    );
  }
  const grid: string[] = [];
  const step = lon1 - lon0 > 20 ? 10 : lon1 - lon0 > 8 ? 5 : 1;
  for (let lon = Math.ceil(viewLon0 / step) * step; lon <= viewLon1; lon += step) {
    grid.push(
      `<line x1="${f(px(lon))}" y1="0" x2="${f(px(lon))}" y2="${height}"/><text x="${f(px(lon) + 2)}" y="${height - 4}">${lon}°${lon >= 0 ? 'E' : 'W'}</text>`,
    );
  }
  for (let lat = Math.ceil(viewLat0 / step) * step; lat <= viewLat1; lat += step) {
    grid.push(
      `<line x1="0" y1="${f(py(lat))}" x2="${width}" y2="${f(py(lat))}"/><text x="2" y="${f(py(lat) - 2)}">${lat}°${lat >= 0 ? 'N' : 'S'}</text>`,
    );
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(opts.title ?? 'Map')}">` +
    `<rect width="${width}" height="${height}" fill="#dbe9f4"/>` +
    `<path d="${landD}" fill="#f3efe3" stroke="#a89f86" stroke-width="0.6"/>` +
    `<g stroke="#9fb3c8" stroke-width="0.4" font-size="9" fill="#53657a">${grid.join('')}</g>` +
    parts.join('') +
    scaleBar(fr) +
    northArrow(fr) +
    '</svg>'
  );
}

/** A frame: an equirectangular projection scaled by cos(latitude) fitting [lon0, lat0, lon1, lat1] into w × h. */
interface Frame {
  px(lon: number): number;
  py(lat: number): number;
  view: [number, number, number, number];
  /** Pixels per degree of latitude. */
  scale: number;
  width: number;
  height: number;
}

function frame(extent: [number, number, number, number], width: number, height: number, padFrac = 0.12): Frame {
  let [lon0, lat0, lon1, lat1] = extent;
  const padLon = Math.max((lon1 - lon0) * padFrac, 0.005);
  const padLat = Math.max((lat1 - lat0) * padFrac, 0.005);
  lon0 -= padLon;
  lon1 += padLon;
  lat0 = Math.max(-85, lat0 - padLat);
  lat1 = Math.min(85, lat1 + padLat);
  const k = Math.cos((((lat0 + lat1) / 2) * Math.PI) / 180);
  const scale = Math.min(width / ((lon1 - lon0) * k), height / (lat1 - lat0));
  const cx = (lon0 + lon1) / 2;
  const cy = (lat0 + lat1) / 2;
  return {
    px: (lon) => width / 2 + (lon - cx) * k * scale,
    py: (lat) => height / 2 - (lat - cy) * scale,
    view: [
      cx - width / 2 / (k * scale),
      cy - height / 2 / scale,
      cx + width / 2 / (k * scale),
      cy + height / 2 / scale,
    ],
    scale,
    width,
    height,
  };
}

const f1 = (n: number): string => n.toFixed(1);

/** Sutherland-Hodgman: the part of a ring inside [x0, y0, x1, y1] (a ring that fills the box stays closed). */
export function clipRing(ring: Ring, box: [number, number, number, number]): Ring {
  let pts = ring;
  const edges: Array<
    [(p: [number, number]) => boolean, (a: [number, number], b: [number, number]) => [number, number]]
  > = [
    [(p) => p[0] >= box[0], (a, b) => [box[0], a[1] + ((b[1] - a[1]) * (box[0] - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= box[2], (a, b) => [box[2], a[1] + ((b[1] - a[1]) * (box[2] - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= box[1], (a, b) => [a[0] + ((b[0] - a[0]) * (box[1] - a[1])) / (b[1] - a[1]), box[1]]],
    [(p) => p[1] <= box[3], (a, b) => [a[0] + ((b[0] - a[0]) * (box[3] - a[1])) / (b[1] - a[1]), box[3]]],
  ];
  for (const [inside, cross] of edges) {
    if (pts.length === 0) break;
    const out: Ring = [];
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i]!;
      const prev = pts[(i + pts.length - 1) % pts.length]!;
      const ci = inside(cur);
      const pi = inside(prev);
      if (ci) {
        if (!pi) out.push(cross(prev, cur));
        out.push(cur);
      } else if (pi) out.push(cross(prev, cur));
    }
    pts = out;
  }
  return pts;
}

/**
 * The land inside the frame as one SVG path: rings clipped to the view (plus a margin) and vertices closer than
 * 0.4 px to the last one kept dropped, so a close-up at 1:10m does not carry a whole continent's coastline.
 */
function landPath(fr: Frame, scale: LandScale): string {
  const [v0, v1, v2, v3] = fr.view;
  const mx = (v2 - v0) * 0.02;
  const my = (v3 - v1) * 0.02;
  const box: [number, number, number, number] = [v0 - mx, v1 - my, v2 + mx, v3 + my];
  const parts: string[] = [];
  for (const { ring, bbox } of land(scale)) {
    if (bbox[2] < v0 || bbox[0] > v2 || bbox[3] < v1 || bbox[1] > v3) continue;
    const inside = bbox[0] >= box[0] && bbox[2] <= box[2] && bbox[1] >= box[1] && bbox[3] <= box[3];
    const pts = inside ? ring : clipRing(ring, box);
    if (pts.length < 3) continue;
    let d = '';
    let lx = Number.NaN;
    let ly = Number.NaN;
    for (const [x, y] of pts) {
      const px = fr.px(x);
      const py = fr.py(y);
      if (Math.abs(px - lx) < 0.4 && Math.abs(py - ly) < 0.4) continue;
      d += `${d ? 'L' : 'M'}${f1(px)},${f1(py)}`;
      lx = px;
      ly = py;
    }
    parts.push(`${d}Z`);
  }
  return parts.join('');
}

function graticule(fr: Frame): string {
  const [v0, v1, v2, v3] = fr.view;
  const span = Math.max(v2 - v0, v3 - v1);
  const step = span > 20 ? 10 : span > 8 ? 5 : span > 3 ? 1 : span > 1 ? 0.5 : span > 0.4 ? 0.2 : 0.05;
  const fmt = (v: number, pos: string, neg: string): string =>
    `${Number(Math.abs(v).toFixed(2))}°${v >= 0 ? pos : neg}`;
  const out: string[] = [];
  for (let lon = Math.ceil(v0 / step) * step; lon <= v2; lon += step)
    out.push(
      `<line x1="${f1(fr.px(lon))}" y1="0" x2="${f1(fr.px(lon))}" y2="${fr.height}"/><text x="${f1(fr.px(lon) + 2)}" y="${fr.height - 4}">${fmt(lon, 'E', 'W')}</text>`,
    );
  for (let lat = Math.ceil(v1 / step) * step; lat <= v3; lat += step)
    out.push(
      `<line x1="0" y1="${f1(fr.py(lat))}" x2="${fr.width}" y2="${f1(fr.py(lat))}"/><text x="2" y="${f1(fr.py(lat) - 2)}">${fmt(lat, 'N', 'S')}</text>`,
    );
  return `<g stroke="#9fb3c8" stroke-width="0.4" font-size="8" fill="#53657a">${out.join('')}</g>`;
}

/** A scale bar (km and nautical miles) in the lower left, sized to about a fifth of the frame. */
function scaleBar(fr: Frame): string {
  const kmPerPx = 111.32 / fr.scale;
  const target = (fr.width / 5) * kmPerPx;
  const pow = 10 ** Math.floor(Math.log10(target));
  const km =
    [1, 2, 5, 10]
      .map((m) => m * pow)
      .filter((v) => v <= target)
      .pop() ?? pow;
  const w = km / kmPerPx;
  const x = 12;
  const y = fr.height - 22;
  const label = km >= 1 ? `${Number(km.toFixed(1))} km` : `${Math.round(km * 1000)} m`;
  const nm = km / 1.852;
  const text = `${label} (${Number(nm.toFixed(nm < 10 ? 1 : 0))} nmi)`;
  return (
    `<g font-size="9" fill="#111"><rect x="${x - 4}" y="${y - 8}" width="${f1(w + 12 + text.length * 5)}" height="18" fill="#fff" fill-opacity="0.8"/>` +
    `<rect x="${x}" y="${y}" width="${f1(w / 2)}" height="4" fill="#111"/><rect x="${f1(x + w / 2)}" y="${y}" width="${f1(w / 2)}" height="4" fill="#fff" stroke="#111" stroke-width="0.6"/>` +
    `<text x="${f1(x + w + 5)}" y="${y + 5}">${text}</text></g>`
  );
}

function northArrow(fr: Frame): string {
  const x = fr.width - 22;
  const y = 14;
  return `<g><rect x="${x - 11}" y="${y - 6}" width="22" height="36" fill="#fff" fill-opacity="0.8"/><path d="M${x},${y}L${x + 6},${y + 18}L${x},${y + 14}L${x - 6},${y + 18}Z" fill="#111"/><text x="${x}" y="${y + 28}" font-size="9" font-weight="bold" text-anchor="middle">N</text></g>`;
}

/** A locator inset: the main map's extent as a red box on a wider 1:110m map. */
function locatorInset(main: [number, number, number, number], w: number, h: number): string {
  const cx = (main[0] + main[2]) / 2;
  const cy = (main[1] + main[3]) / 2;
  const half = Math.max(10, (main[2] - main[0]) * 3, (main[3] - main[1]) * 3);
  const fr = frame([cx - half, cy - half * 0.75, cx + half, cy + half * 0.75], w, h, 0);
  const box = `M${f1(fr.px(main[0]))},${f1(fr.py(main[1]))}L${f1(fr.px(main[2]))},${f1(fr.py(main[1]))}L${f1(fr.px(main[2]))},${f1(fr.py(main[3]))}L${f1(fr.px(main[0]))},${f1(fr.py(main[3]))}Z`;
  return (
    `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="#dbe9f4" stroke="#333"/>` +
    `<path d="${landPath(fr, '110m')}" fill="#f3efe3" stroke="#a89f86" stroke-width="0.4"/>` +
    `<path d="${box}" fill="#b00020" fill-opacity="0.15" stroke="#b00020" stroke-width="1.2"/></svg>`
  );
}

/** A zone's name inside its lower-left corner, moved left when it would run off the frame. */
function zoneLabel(name: string, x: number, y: number, width: number): string {
  const text = `${name} (STS area named by the Panel)`;
  const w = text.length * 4.6;
  const left = Math.max(4, Math.min(x, width - w - 4));
  return `<text x="${f1(left)}" y="${f1(y)}" font-size="9" font-style="italic" fill="#6a1b9a" stroke="#fff" stroke-width="2" paint-order="stroke">${esc(text)}</text>`;
}

export interface TrackFix {
  ts: number;
  lat: number;
  lon: number;
}

export interface MapTrack {
  /** Vessel name shown in the legend and beside the track. */
  label: string;
  colour: string;
  fixes: TrackFix[];
}

export interface MapGap {
  label: string;
  from: TrackFix;
  to: TrackFix;
}

export interface NamedPlace {
  name: string;
  lat: number;
  lon: number;
}

export interface TrackMapOptions {
  tracks: MapTrack[];
  /** Dark periods: a dashed line between the last fix before and the first after, both ends marked. */
  gaps?: MapGap[];
  /** The period of interest (the encounter): fixes inside are drawn heavier; before and after lighter. */
  period?: { startMs: number; endMs: number };
  /** The meeting site, marked with a diamond. */
  site?: NamedPlace;
  ports?: NamedPlace[];
  zones?: Array<{ name: string; ring: Array<[number, number]> }>;
  /** Imagery footprints [west, south, east, north], drawn as labelled boxes. */
  footprints?: Array<{ label: string; bounds: [number, number, number, number] }>;
  /** Fit the map to this extent instead of all the fixes. */
  extent?: [number, number, number, number];
  width?: number;
  height?: number;
  title?: string;
  /** Time labels on about this many fixes per track (0: none). */
  timeLabels?: number;
  inset?: boolean;
}

function hhmm(ts: number): string {
  const iso = new Date(ts).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)} ${iso.slice(11, 16)}`;
}

/**
 * A track map for a report figure: each vessel's fixes before, during and after the period (during heavier),
 * fixes with UTC time labels, dark periods as dashed gaps with both ends marked and timed, the meeting site, named
 * ports and zones, a scale bar, a north arrow and a locator inset. Natural Earth land at 1:10m when the map spans
 * under 3 degrees, else 1:50m.
 */
export function renderTrackMap(o: TrackMapOptions): string {
  const width = o.width ?? 680;
  const height = o.height ?? 460;
  const pts: Array<[number, number]> = [];
  for (const t of o.tracks) for (const p of t.fixes) pts.push([p.lon, p.lat]);
  for (const g of o.gaps ?? []) pts.push([g.from.lon, g.from.lat], [g.to.lon, g.to.lat]);
  if (o.site) pts.push([o.site.lon, o.site.lat]);
  if (pts.length === 0 && !o.extent) return '';
  const extent: [number, number, number, number] = o.extent ?? [
    Math.min(...pts.map((p) => p[0])),
    Math.min(...pts.map((p) => p[1])),
    Math.max(...pts.map((p) => p[0])),
    Math.max(...pts.map((p) => p[1])),
  ];
  const fr = frame(extent, width, height);
  const [v0, v1, v2, v3] = fr.view;
  const inView = (lon: number, lat: number): boolean => lon >= v0 && lon <= v2 && lat >= v1 && lat <= v3;
  const scale: LandScale = Math.max(v2 - v0, v3 - v1) < 3 ? '10m' : '50m';
  const out: string[] = [];
  out.push(
    `<rect width="${width}" height="${height}" fill="#dbe9f4"/>`,
    `<path d="${landPath(fr, scale)}" fill="#f3efe3" stroke="#a89f86" stroke-width="0.6"/>`,
    graticule(fr),
  );
  for (const z of o.zones ?? []) {
    const xs = z.ring.map((p) => p[0]);
    const ys = z.ring.map((p) => p[1]);
    if (Math.max(...xs) < v0 || Math.min(...xs) > v2 || Math.max(...ys) < v1 || Math.min(...ys) > v3) continue;
    out.push(
      `<path d="M${z.ring.map(([x, y]) => `${f1(fr.px(x))},${f1(fr.py(y))}`).join('L')}Z" fill="#6a1b9a" fill-opacity="0.05" stroke="#6a1b9a" stroke-width="1" stroke-dasharray="5 3"/>`,
      zoneLabel(z.name, fr.px(Math.max(Math.min(...xs), v0)) + 4, fr.py(Math.max(Math.min(...ys), v1)) - 5, width),
    );
  }
  for (const p of (o.ports ?? []).filter((q) => inView(q.lon, q.lat)).slice(0, 12)) {
    out.push(
      `<rect x="${f1(fr.px(p.lon) - 3)}" y="${f1(fr.py(p.lat) - 3)}" width="6" height="6" fill="#00695c"/>`,
      `<text x="${f1(fr.px(p.lon) + 5)}" y="${f1(fr.py(p.lat) + 3)}" font-size="9" fill="#00695c" font-weight="bold">${esc(p.name)}</text>`,
    );
  }
  for (const fp of o.footprints ?? []) {
    const [w, so, e, n] = fp.bounds;
    if (e < v0 || w > v2 || n < v1 || so > v3) continue;
    out.push(
      `<rect x="${f1(fr.px(w))}" y="${f1(fr.py(n))}" width="${f1(fr.px(e) - fr.px(w))}" height="${f1(fr.py(so) - fr.py(n))}" fill="#ef6c00" fill-opacity="0.06" stroke="#ef6c00" stroke-width="1.2"/>`,
      `<text x="${f1(fr.px(w) + 3)}" y="${f1(fr.py(so) - 4)}" font-size="9" font-weight="bold" fill="#ef6c00">${esc(fp.label)}</text>`,
    );
  }
  const during = (ts: number): boolean => !!o.period && ts >= o.period.startMs && ts <= o.period.endMs;
  const gapBreaks = (o.gaps ?? []).map((g) => [g.from.ts, g.to.ts] as const);
  // Label positions already used (time labels of every track, the site), so labels do not overprint.
  const placed: Array<[number, number]> = o.site ? [[fr.px(o.site.lon), fr.py(o.site.lat)]] : [];
  for (const t of o.tracks) {
    // Split the track into runs at dark periods (never draw a solid line across a gap) and at period changes.
    const runs: Array<{ phase: 'before' | 'during' | 'after'; fixes: TrackFix[] }> = [];
    let prev: TrackFix | undefined;
    for (const p of t.fixes) {
      const phase: 'before' | 'during' | 'after' = !o.period
        ? 'during'
        : p.ts < o.period.startMs
          ? 'before'
          : p.ts > o.period.endMs
            ? 'after'
            : 'during';
      const broken = prev && gapBreaks.some(([a, b]) => prev!.ts <= a && p.ts >= b);
      const last = runs[runs.length - 1];
      if (!last || broken || last.phase !== phase) {
        const run = { phase, fixes: prev && !broken ? [prev, p] : [p] };
        runs.push(run);
      } else last.fixes.push(p);
      prev = p;
    }
    for (const r of runs) {
      if (r.fixes.length < 2) continue;
      const d = `M${r.fixes.map((p) => `${f1(fr.px(p.lon))},${f1(fr.py(p.lat))}`).join('L')}`;
      const style =
        r.phase === 'during'
          ? 'stroke-width="2.6"'
          : r.phase === 'before'
            ? 'stroke-width="1.4" stroke-opacity="0.75"'
            : 'stroke-width="1.4" stroke-opacity="0.75" stroke-dasharray="2 2"';
      out.push(`<path d="${d}" fill="none" stroke="${t.colour}" ${style}/>`);
    }
    // Fixes as dots; time labels on evenly spaced fixes (at most `timeLabels`), plus the first and last fix.
    const shown = t.fixes.filter((p) => inView(p.lon, p.lat));
    const dotStep = Math.max(1, Math.floor(shown.length / 60));
    shown.forEach((p, i) => {
      if (i % dotStep === 0)
        out.push(
          `<circle cx="${f1(fr.px(p.lon))}" cy="${f1(fr.py(p.lat))}" r="${during(p.ts) ? 1.8 : 1.3}" fill="${t.colour}"/>`,
        );
    });
    const nLabels = o.timeLabels ?? 6;
    if (nLabels > 0 && shown.length) {
      const idx = new Set<number>([0, shown.length - 1]);
      for (let i = 1; i < nLabels - 1; i++) idx.add(Math.round((i * (shown.length - 1)) / (nLabels - 1)));
      for (const i of [...idx].sort((a, b) => a - b)) {
        const p = shown[i]!;
        const x = fr.px(p.lon);
        const y = fr.py(p.lat);
        if (placed.some(([a, b]) => Math.abs(a - x) < 64 && Math.abs(b - y) < 12)) continue;
        placed.push([x, y]);
        out.push(
          `<circle cx="${f1(x)}" cy="${f1(y)}" r="2.6" fill="#fff" stroke="${t.colour}" stroke-width="1.4"/>`,
          `<text x="${f1(x + 5)}" y="${f1(y - 4)}" font-size="8" fill="${t.colour}" stroke="#fff" stroke-width="2.2" paint-order="stroke">${hhmm(p.ts)}</text>`,
        );
      }
    }
  }
  for (const g of o.gaps ?? []) {
    const a = [fr.px(g.from.lon), fr.py(g.from.lat)] as const;
    const b = [fr.px(g.to.lon), fr.py(g.to.lat)] as const;
    out.push(
      `<path d="M${f1(a[0])},${f1(a[1])}L${f1(b[0])},${f1(b[1])}" stroke="#b00020" stroke-width="1.6" stroke-dasharray="7 5" fill="none"/>`,
      `<circle cx="${f1(a[0])}" cy="${f1(a[1])}" r="5" fill="#fff" stroke="#b00020" stroke-width="2"/>`,
      `<circle cx="${f1(b[0])}" cy="${f1(b[1])}" r="5" fill="#b00020" stroke="#fff" stroke-width="1"/>`,
      `<text x="${f1(a[0] + 8)}" y="${f1(a[1] + 4)}" font-size="9" font-weight="bold" fill="#b00020" stroke="#fff" stroke-width="2.5" paint-order="stroke">${esc(g.label)}: AIS off ${hhmm(g.from.ts)}</text>`,
      `<text x="${f1(b[0] + 8)}" y="${f1(b[1] + 4)}" font-size="9" font-weight="bold" fill="#b00020" stroke="#fff" stroke-width="2.5" paint-order="stroke">AIS on ${hhmm(g.to.ts)}</text>`,
    );
  }
  if (o.site && inView(o.site.lon, o.site.lat)) {
    const x = fr.px(o.site.lon);
    const y = fr.py(o.site.lat);
    out.push(
      `<path d="M${f1(x)},${f1(y - 8)}L${f1(x + 8)},${f1(y)}L${f1(x)},${f1(y + 8)}L${f1(x - 8)},${f1(y)}Z" fill="#d35400" fill-opacity="0.85" stroke="#fff"/>`,
      `<text x="${f1(x + 10)}" y="${f1(y + 14)}" font-size="10" font-weight="bold" fill="#d35400" stroke="#fff" stroke-width="2.5" paint-order="stroke">${esc(o.site.name)}</text>`,
    );
  }
  // Legend.
  const legend: string[] = [];
  o.tracks.forEach((t, i) => {
    legend.push(
      `<line x1="8" y1="${14 + i * 13}" x2="28" y2="${14 + i * 13}" stroke="${t.colour}" stroke-width="2.6"/><text x="32" y="${17 + i * 13}" class="cjk">${esc(t.label)}</text>`,
    );
  });
  let ly = 14 + o.tracks.length * 13;
  if (o.period) {
    legend.push(
      `<line x1="8" y1="${ly}" x2="28" y2="${ly}" stroke="#555" stroke-width="1.4"/><text x="32" y="${ly + 3}">before (thin), during (thick), after (dotted)</text>`,
    );
    ly += 13;
  }
  if (o.gaps?.length) {
    legend.push(
      `<line x1="8" y1="${ly}" x2="28" y2="${ly}" stroke="#b00020" stroke-width="1.6" stroke-dasharray="5 3"/><text x="32" y="${ly + 3}">AIS dark period (last and first fix)</text>`,
    );
    ly += 13;
  }
  out.push(
    `<g font-size="9" fill="#111"><rect x="4" y="4" width="250" height="${ly - 2}" fill="#fff" fill-opacity="0.85" stroke="#999" stroke-width="0.5"/>${legend.join('')}</g>`,
    scaleBar(fr),
    northArrow(fr),
  );
  if (o.inset !== false) {
    const iw = 140;
    const ih = 100;
    out.push(`<g transform="translate(${width - iw - 6},${height - ih - 6})">${locatorInset(fr.view, iw, ih)}</g>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(o.title ?? 'Map')}">` +
    out.join('') +
    '</svg>'
  );
}
