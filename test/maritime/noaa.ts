import { readFileSync } from 'node:fs';
import { PositionBuilder, type PositionColumns, type StaticReport } from '../../src/maritime/tracks/types.js';
import { dataPath } from '../../src/paths.js';

/** Read a NOAA MarineCadastre CSV (full or the Tracktable `mmsi,timestamp,lon,lat` form) into typed columns. */
export function readNoaaCsv(name: string): { positions: PositionColumns; statics: StaticReport[] } {
  const text = readFileSync(dataPath('ais', 'noaa-marinecadastre', name), 'utf8');
  const lines = text.split(/\r?\n/).filter(Boolean);
  const h = lines[0]!.split(',');
  const col = (...names: string[]) => h.findIndex((c) => names.includes(c));
  const iM = col('MMSI', 'mmsi');
  const iT = col('BaseDateTime', 'timestamp');
  const iLat = col('LAT', 'lat');
  const iLon = col('LON', 'lon');
  const iSog = col('SOG');
  const iCog = col('COG');
  const iName = col('VesselName');
  const iImo = col('IMO');
  const iCs = col('CallSign');
  const iType = col('VesselType');
  const iDraft = col('Draft');
  const pb = new PositionBuilder(lines.length);
  const src = pb.sourceId(name);
  const statics: StaticReport[] = [];
  const seen = new Set<number>();
  for (let i = 1; i < lines.length; i++) {
    const r = lines[i]!.split(',');
    const mmsi = Number(r[iM]);
    const ts = Date.parse(`${r[iT]!.replace(' ', 'T')}Z`);
    const sog = iSog >= 0 && r[iSog] !== '' ? Number(r[iSog]) : Number.NaN;
    const cog = iCog >= 0 && r[iCog] !== '' ? Number(r[iCog]) : Number.NaN;
    pb.push(mmsi, ts, Number(r[iLat]), Number(r[iLon]), sog, cog, src);
    if (iName >= 0 && !seen.has(mmsi)) {
      seen.add(mmsi);
      const imo = r[iImo]?.startsWith('IMO') ? Number(r[iImo]!.slice(3)) : null;
      statics.push({
        mmsi,
        tsMs: ts,
        imo: imo || null,
        name: r[iName] || null,
        callsign: r[iCs] || null,
        shipType: r[iType] ? Number(r[iType]) : null,
        draughtM: r[iDraft] ? Number(r[iDraft]) : null,
        destination: null,
        source: `${name}:${i + 1}`,
      });
    }
  }
  return { positions: pb.finish(), statics };
}
