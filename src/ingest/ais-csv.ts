/**
 * `ais import` for CSV: NOAA/BOEM MarineCadastre exports (BaseDateTime, LAT, LON, MMSI, SOG, COG, Heading,
 * VesselName, IMO, CallSign, VesselType, Status, Draft, TranscieverClass, ...) and any other CSV whose columns are
 * recognised by name or given with a mapping (`--map col=field,...`). One transaction per file, idempotent by the
 * file's sha256 and position de-duplication.
 */
import { InputError } from '../errors.js';
import { EARLIEST_PLAUSIBLE_MS, FUTURE_SLACK_MS } from '../maritime/ais/nmea.js';
import { AisImportSession, type AisImportSummary, alreadyImported } from '../maritime/store/import-session.js';
import type { Store } from '../store/store.js';
import { printable } from '../util/printable.js';
import { openMaybeGzip, sha256File } from './ais-nmea.js';
import { readCsv } from './csv.js';

/** Fields a CSV column can map to (store units: degrees, knots, metres). */
export const CSV_FIELDS = [
  'mmsi',
  'time',
  'lat',
  'lon',
  'sog',
  'cog',
  'heading',
  'status',
  'name',
  'imo',
  'callsign',
  'shiptype',
  'class',
  'draught',
  'destination',
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/** Header names recognised without a mapping (lower case). */
const SYNONYMS: Record<CsvField, string[]> = {
  mmsi: ['mmsi'],
  time: ['basedatetime', 'timestamp', 'time', 'datetime', 'date_time', 'ts', 'time_utc'],
  lat: ['lat', 'latitude'],
  lon: ['lon', 'lng', 'long', 'longitude'],
  sog: ['sog', 'speed', 'speed_kn'],
  cog: ['cog', 'course'],
  heading: ['heading', 'hdg', 'true_heading'],
  status: ['status', 'nav_status', 'navstatus', 'navigational_status'],
  name: ['vesselname', 'vessel_name', 'shipname', 'name'],
  imo: ['imo', 'imo_number'],
  callsign: ['callsign', 'call_sign'],
  shiptype: ['vesseltype', 'vessel_type', 'shiptype', 'ship_type'],
  class: ['transceiverclass', 'transcieverclass', 'class', 'ais_class'],
  draught: ['draft', 'draught'],
  destination: ['destination'],
};

export interface CsvImportOptions {
  /** Explicit mapping: CSV column name → field. Columns not mapped are matched by name. */
  map?: Record<string, CsvField>;
  onProgress?: (rows: number) => void;
}

/** Parse `col=field,col2=field2` (the --map option). */
export function parseColumnMap(spec: string): Record<string, CsvField> {
  const out: Record<string, CsvField> = {};
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.lastIndexOf('=');
    if (eq <= 0) throw new InputError(`--map: "${p}" is not column=field`);
    const col = p.slice(0, eq).trim();
    const field = p.slice(eq + 1).trim() as CsvField;
    if (!CSV_FIELDS.includes(field))
      throw new InputError(`--map: unknown field "${field}" (one of ${CSV_FIELDS.join(', ')})`);
    out[col] = field;
  }
  return out;
}

/** Column index per field for a header row. */
export function resolveColumns(
  header: string[],
  map: Record<string, CsvField> = {},
): Partial<Record<CsvField, number>> {
  const cols: Partial<Record<CsvField, number>> = {};
  header.forEach((h, i) => {
    const f = map[h] ?? map[h.trim()];
    if (f) cols[f] = i;
  });
  header.forEach((h, i) => {
    const name = h
      .trim()
      .toLowerCase()
      .replace(/^\ufeff/, '');
    for (const f of CSV_FIELDS) {
      if (cols[f] === undefined && !Object.values(map).includes(f) && SYNONYMS[f].includes(name)) cols[f] = i;
    }
  });
  return cols;
}

/** Epoch ms of a CSV time: ISO-8601 (no zone = UTC), "YYYY-MM-DD HH:MM:SS", or unix seconds / milliseconds. */
export function parseCsvTime(s: string): number {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const v = Number(t);
    return v > 1e11 ? Math.round(v) : Math.round(v * 1000);
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) return Number.NaN;
  const base = Date.UTC(
    +m[1]!,
    +m[2]! - 1,
    +m[3]!,
    +m[4]!,
    +m[5]!,
    m[6] ? +m[6] : 0,
    m[7] ? Math.round(+m[7] * 1000) : 0,
  );
  const z = m[8];
  if (!z || z === 'Z') return base;
  const sign = z[0] === '-' ? -1 : 1;
  const hh = +z.slice(1, 3);
  const mm = +z.slice(-2);
  return base - sign * (hh * 60 + mm) * 60000;
}

const numOrNaN = (s: string | undefined): number => {
  if (s === undefined) return Number.NaN;
  const t = s.trim();
  return t === '' ? Number.NaN : Number(t);
};

export async function importCsvFile(
  store: Store,
  file: string,
  opts: CsvImportOptions = {},
): Promise<AisImportSummary> {
  const kind = 'ais-csv';
  const sha = await sha256File(file);
  const importId = `${kind}@${sha.slice(0, 16)}`;
  if (await store.findImport(kind, sha)) return alreadyImported(kind, file, sha, importId);
  return store.db.transaction(async (tx) => {
    const session = new AisImportSession(store, tx, importId, kind, file, sha);
    const b = session.builder;
    const counts = { rows: 0, badRows: 0, noTime: 0, badTime: 0 };
    /** The first row that could not be used, for the error when no row can be. */
    let firstBad = '';
    // Times before 1990 or more than a day ahead are not plausible (as for NMEA): such a row is skipped.
    const latestMs = Date.now() + FUTURE_SLACK_MS;
    let cols: Partial<Record<CsvField, number>> | null = null;
    let marineCadastre = false;
    const decoder = new TextDecoder('utf-8');
    async function* text(): AsyncGenerator<string> {
      for await (const chunk of await openMaybeGzip(file)) yield decoder.decode(chunk, { stream: true });
      const tail = decoder.decode();
      if (tail) yield tail;
    }
    for await (const rec of readCsv(text(), { name: file })) {
      const f = rec.fields;
      if (cols === null) {
        cols = resolveColumns(f, opts.map);
        const missing = (['mmsi', 'time', 'lat', 'lon'] as const).filter((k) => cols![k] === undefined);
        if (missing.length) {
          throw new InputError(
            `${file}:${rec.line}: no column for ${missing.join(', ')} (header: ${printable(f.join(','), 80)}); map them with --map column=field`,
          );
        }
        marineCadastre = f.some((h) => h.trim().toLowerCase() === 'basedatetime');
        continue;
      }
      if (f.length === 1 && f[0] === '') continue;
      counts.rows++;
      const get = (k: CsvField): string | undefined => (cols![k] === undefined ? undefined : f[cols![k]!]);
      const mmsi = numOrNaN(get('mmsi'));
      const ts = parseCsvTime(get('time') ?? '');
      const lat = numOrNaN(get('lat'));
      const lon = numOrNaN(get('lon'));
      if (!Number.isInteger(mmsi) || mmsi <= 0 || mmsi > 999_999_999 || Number.isNaN(lat) || Number.isNaN(lon)) {
        counts.badRows++;
        firstBad ||= `${file}:${rec.line}: no valid mmsi, lat and lon`;
        continue;
      }
      if (Number.isNaN(ts)) {
        counts.noTime++;
        firstBad ||= `${file}:${rec.line}: unreadable time "${printable(get('time') ?? '', 40)}"`;
        continue;
      }
      if (ts < EARLIEST_PLAUSIBLE_MS || ts > latestMs) {
        counts.badTime++;
        firstBad ||= `${file}:${rec.line}: time "${printable(get('time') ?? '', 40)}" is outside the plausible window (1990 to a day from now)`;
        continue;
      }
      let sog = numOrNaN(get('sog'));
      if (sog >= 102.2 || sog < 0) sog = Number.NaN;
      let cog = numOrNaN(get('cog'));
      // MarineCadastre's negative COG is the 12-bit AIS course read as signed: add 4096 tenths back.
      if (marineCadastre && cog < 0) cog += 409.6;
      if (!(cog >= 0 && cog < 360)) cog = Number.NaN;
      const hd = numOrNaN(get('heading'));
      const heading = hd >= 0 && hd < 360 ? Math.round(hd) : null;
      const st = numOrNaN(get('status'));
      const status = Number.isInteger(st) && st >= 0 && st < 15 ? st : null;
      const clsRaw = (get('class') ?? '').trim().toUpperCase();
      const cls = clsRaw === 'A' || clsRaw === 'B' ? clsRaw : null;
      b.positionUnits(mmsi, ts, lat, lon, sog, cog, heading, status, cls === 'B' ? 18 : 1, cls, rec.line);
      const name = (get('name') ?? '').trim() || null;
      const imoDigits = (get('imo') ?? '').replace(/\D/g, '');
      const imo = imoDigits ? Number(imoDigits) : null;
      const callsign = (get('callsign') ?? '').trim() || null;
      const shipTypeNum = numOrNaN(get('shiptype'));
      const shipType = Number.isInteger(shipTypeNum) && shipTypeNum > 0 && shipTypeNum < 256 ? shipTypeNum : null;
      const draught = numOrNaN(get('draught'));
      const destination = (get('destination') ?? '').trim() || null;
      if (name || imo || callsign || shipType !== null) {
        b.staticData(
          mmsi,
          ts,
          { name, imo: imo || null, callsign, shipType },
          { draughtM: draught > 0 ? draught : null, destination },
          rec.line,
        );
      }
      if ((counts.rows & 0xffff) === 0) {
        await session.maybeFlush();
        opts.onProgress?.(counts.rows);
      }
    }
    if (cols === null) throw new InputError(`${file}: empty file (no header row)`);
    const skipped = counts.badRows + counts.noTime + counts.badTime;
    if (counts.rows > 0 && skipped === counts.rows)
      throw new InputError(
        `${file}: no row could be used: ${counts.rows} rows (${counts.badRows} without valid mmsi/lat/lon, ` +
          `${counts.noTime} without a readable time, ${counts.badTime} with an implausible time). First: ${firstBad}`,
      );
    return session.finish(counts);
  });
}
