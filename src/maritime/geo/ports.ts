import { readFileSync } from 'node:fs';
import { dataPath } from '../../paths.js';
import { PointGrid } from './grid.js';
import type { PortInfo } from './types.js';

/**
 * Ports and anchorages: the World Port Index as GFW pipe-anchorages ships it (gfw_wpi_ports.csv), GFW's 60,000
 * named anchorages (gfw_anchorage_overrides.csv), and DPRK ports: WPI's ten (dprk_ports_wpi.csv) plus ports the
 * UN Panel of Experts names that WPI lacks.
 */

/**
 * DPRK ports named in UN Panel of Experts reports (S/2019/171, S/2020/151, S/2021/211) that the WPI lacks.
 * Positions are the harbour basins read off public charts (OpenStreetMap), good to about 2 km.
 */
export const DPRK_EXTRA_PORTS: Array<{ name: string; lat: number; lon: number }> = [
  { name: 'TAEAN', lat: 38.868, lon: 125.255 },
  { name: 'SINPO', lat: 40.035, lon: 128.185 },
  { name: 'TANCHON', lat: 40.41, lon: 128.975 },
  { name: 'RYONGAMPO', lat: 39.935, lon: 124.36 },
  { name: 'SONGNIM', lat: 38.745, lon: 125.62 },
];

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    rows.push(line.split(','));
  }
  return rows;
}

let cachedPorts: PortInfo[] | undefined;
let cachedAnchorages: PortInfo[] | undefined;

/** WPI ports plus the DPRK additions (deduplicated against WPI by name). */
export function loadPorts(): PortInfo[] {
  if (cachedPorts) return cachedPorts;
  const ports: PortInfo[] = [];
  const rows = parseCsv(readFileSync(dataPath('ais', 'geo', 'gfw_wpi_ports.csv'), 'utf8'));
  const h = rows[0]!;
  const c = (n: string) => h.indexOf(n);
  for (const r of rows.slice(1)) {
    const iso3 = r[c('iso3')]!;
    ports.push({
      name: r[c('label')]!,
      iso3,
      lat: Number(r[c('latitude')]),
      lon: Number(r[c('longitude')]),
      kind: 'port',
      dprk: iso3 === 'PRK',
    });
  }
  const dprk = parseCsv(readFileSync(dataPath('ais', 'geo', 'dprk_ports_wpi.csv'), 'utf8'));
  const dh = dprk[0]!;
  for (const r of dprk.slice(1)) {
    const name = r[dh.indexOf('main_port_name')]!.toUpperCase();
    if (!ports.some((p) => p.dprk && p.name === name))
      ports.push({
        name,
        iso3: 'PRK',
        lat: Number(r[dh.indexOf('latitude')]),
        lon: Number(r[dh.indexOf('longitude')]),
        kind: 'port',
        dprk: true,
      });
  }
  for (const e of DPRK_EXTRA_PORTS)
    if (!ports.some((p) => p.dprk && p.name === e.name))
      ports.push({ name: e.name, iso3: 'PRK', lat: e.lat, lon: e.lon, kind: 'port', dprk: true });
  cachedPorts = ports.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  return cachedPorts;
}

/** GFW named anchorages (s2 cells with label and ISO3). */
export function loadAnchorages(): PortInfo[] {
  if (cachedAnchorages) return cachedAnchorages;
  const rows = parseCsv(readFileSync(dataPath('ais', 'geo', 'gfw_anchorage_overrides.csv'), 'utf8'));
  const h = rows[0]!;
  const iLat = h.indexOf('latitude');
  const iLon = h.indexOf('longitude');
  const iLabel = h.indexOf('label');
  const iIso = h.indexOf('iso3');
  const out: PortInfo[] = [];
  for (const r of rows.slice(1)) {
    const lat = Number(r[iLat]);
    const lon = Number(r[iLon]);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    out.push({ name: r[iLabel] ?? '', iso3: r[iIso] ?? '', lat, lon, kind: 'anchorage', dprk: r[iIso] === 'PRK' });
  }
  cachedAnchorages = out;
  return out;
}

/** Spatial index over a list of ports. */
export class PortIndex {
  private readonly grid: PointGrid;
  constructor(readonly ports: PortInfo[]) {
    this.grid = new PointGrid(
      ports.map((p) => p.lat),
      ports.map((p) => p.lon),
      0.1,
    );
  }
  nearest(lat: number, lon: number, maxM: number): { port: PortInfo; distanceM: number } | undefined {
    const r = this.grid.nearest(lat, lon, maxM);
    return r ? { port: this.ports[r.index]!, distanceM: r.distanceM } : undefined;
  }
}
