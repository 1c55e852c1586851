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
let landCache: Array<{ ring: Ring; bbox: [number, number, number, number] }> | undefined;

function land(): Array<{ ring: Ring; bbox: [number, number, number, number] }> {
  if (landCache) return landCache;
  const file = createRequire(import.meta.url).resolve('world-atlas/land-50m.json');
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
  landCache = rings.map((ring) => {
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
  return landCache;
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

  let landPath = '';
  for (const { ring, bbox } of land()) {
    if (bbox[2] < viewLon0 || bbox[0] > viewLon1 || bbox[3] < viewLat0 || bbox[1] > viewLat1) continue;
    landPath += `M${ring.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join('L')}Z`;
  }
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
    `<path d="${landPath}" fill="#f3efe3" stroke="#a89f86" stroke-width="0.6"/>` +
    `<g stroke="#9fb3c8" stroke-width="0.4" font-size="9" fill="#53657a">${grid.join('')}</g>` +
    parts.join('') +
    '</svg>'
  );
}
