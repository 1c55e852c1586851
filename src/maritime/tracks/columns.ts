import { UserError } from '../../errors.js';
import type { Db, SqlValue } from '../../store/db.js';

/**
 * Tracks for the map as typed columns, thinned on the server for the zoom they are drawn at. A position is kept
 * when it falls in another cell of a half-pixel Web Mercator grid than the vessel's previous position (cells of
 * 0.5 / (256 × 2^zoom) of the world's width, the slippy-map zoom), and always at the first and last fix of a
 * vessel and on both sides of a silence over `breakMs` (so dark periods still break the line). Zoomed out, a
 * vessel costs what its pixels cost; zoomed in far enough every fix comes back. A `bbox` keeps positions inside a
 * lon/lat box (the client asks for its view plus a margin once it is zoomed in).
 *
 * The body is binary, so 400,000 positions are neither written nor parsed as JSON text:
 *   uint32 LE  header length H
 *   H bytes    UTF-8 JSON header (TrackColumnsHeader), padded with spaces to a multiple of 8 bytes after the length
 *   float64[n] ts (epoch ms), then float32[n] lat, then float32[n] lon; n = header.count, vessels one after another
 *   in header.tracks order, each ascending in time.
 */

export interface TrackColumnsQuery {
  mmsi?: number[];
  sinceMs?: number;
  untilMs?: number;
  /** Slippy-map zoom (0 = the world in 256 px); fractional allowed. Omitted: every position. */
  zoom?: number;
  /** [west, south, east, north] in degrees. */
  bbox?: [number, number, number, number];
  /** A silence longer than this breaks the line (default 6 h, the map's gap rule). */
  breakMs?: number;
}

export interface TrackColumnsHeader {
  /** Positions matching the filters before thinning. */
  total: number;
  /** Positions sent. */
  count: number;
  zoom: number | null;
  /** Grid cell in Web Mercator world fractions (0 when nothing is thinned). */
  cell: number;
  bbox: [number, number, number, number] | null;
  tracks: Array<{ mmsi: number; count: number }>;
}

export interface TrackColumns {
  header: TrackColumnsHeader;
  ts: Float64Array;
  lat: Float32Array;
  lon: Float32Array;
}

const MAX_LAT = 85.05112878;

export async function trackColumns(db: Db, q: TrackColumnsQuery): Promise<TrackColumns> {
  const params: SqlValue[] = [];
  const where: string[] = [];
  if (q.mmsi?.length) where.push(`mmsi IN (${q.mmsi.map((m) => `$${params.push(Math.trunc(m))}`).join(', ')})`);
  if (q.sinceMs !== undefined) where.push(`ts >= $${params.push(q.sinceMs)}`);
  if (q.untilMs !== undefined) where.push(`ts < $${params.push(q.untilMs)}`);
  if (q.bbox) {
    const [w, s, e, n] = q.bbox;
    if (![w, s, e, n].every(Number.isFinite) || w >= e || s >= n || s < -90 || n > 90)
      throw new UserError(`bbox: expected west,south,east,north in degrees, got ${q.bbox.join(',')}`);
    where.push(
      `lon >= $${params.push(w)} AND lon <= $${params.push(e)} AND lat >= $${params.push(s)} AND lat <= $${params.push(n)}`,
    );
  }
  if (q.zoom !== undefined && !(q.zoom >= 0 && q.zoom <= 30))
    throw new UserError(`zoom: expected 0..30, got ${q.zoom}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM positions ${w}`, params))[0]?.n ?? 0);
  const cell = q.zoom === undefined ? 0 : 0.5 / (256 * 2 ** q.zoom);
  const breakMs = q.breakMs ?? 6 * 3_600_000;
  // One row per vessel, its kept fixes as one comma-joined text (ts,lat,lon,...): far fewer driver row objects
  // than one per fix, with the same SQL on DuckDB and PostgreSQL (as tracks/load.ts reads positions).
  const agg = `string_agg(CAST(ts AS VARCHAR) || ',' || CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR), ',' ORDER BY ts)`;
  let sql: string;
  if (cell === 0) {
    sql = `SELECT mmsi, ${agg} AS fixes FROM positions ${w} GROUP BY mmsi ORDER BY mmsi`;
  } else {
    const pc = `$${params.push(cell)}`;
    const pb = `$${params.push(breakMs)}`;
    sql = `WITH p AS (
        SELECT mmsi, ts, lat, lon,
          floor((lon + 180) / 360 / ${pc}) AS cx,
          floor((0.5 - ln(tan(pi() / 4 + radians(greatest(least(lat, ${MAX_LAT}), -${MAX_LAT})) / 2)) / (2 * pi())) / ${pc}) AS cy
        FROM positions ${w}
      ), q AS (
        SELECT mmsi, ts, lat, lon, cx, cy,
          lag(cx) OVER win AS pcx, lag(cy) OVER win AS pcy, lag(ts) OVER win AS pts, lead(ts) OVER win AS nts
        FROM p WINDOW win AS (PARTITION BY mmsi ORDER BY ts)
      )
      SELECT mmsi, ${agg} AS fixes FROM q
      WHERE pts IS NULL OR nts IS NULL OR cx <> pcx OR cy <> pcy OR ts - pts > ${pb} OR nts - ts > ${pb}
      GROUP BY mmsi ORDER BY mmsi`;
  }
  const rows = await db.query<{ mmsi: number; fixes: string }>(sql, params);
  const parts = rows.map((r) => String(r.fixes).split(','));
  const count = parts.reduce((s, f) => s + Math.floor(f.length / 3), 0);
  const ts = new Float64Array(count);
  const lat = new Float32Array(count);
  const lon = new Float32Array(count);
  const tracks: TrackColumnsHeader['tracks'] = [];
  let k = 0;
  rows.forEach((r, i) => {
    const f = parts[i]!;
    const n = Math.floor(f.length / 3);
    for (let j = 0; j < n; j++, k++) {
      ts[k] = Number(f[3 * j]);
      lat[k] = Number(f[3 * j + 1]);
      lon[k] = Number(f[3 * j + 2]);
    }
    tracks.push({ mmsi: Number(r.mmsi), count: n });
  });
  return {
    header: { total, count, zoom: q.zoom ?? null, cell, bbox: q.bbox ?? null, tracks },
    ts,
    lat,
    lon,
  };
}

/** The binary body (see the module comment). */
export function encodeTrackColumns(c: TrackColumns): Buffer {
  let json = JSON.stringify(c.header);
  const pad = (8 - ((4 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const head = Buffer.from(json);
  const n = c.header.count;
  const out = Buffer.alloc(4 + head.length + n * 16);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let off = 4 + head.length;
  Buffer.from(c.ts.buffer, c.ts.byteOffset, n * 8).copy(out, off);
  off += n * 8;
  Buffer.from(c.lat.buffer, c.lat.byteOffset, n * 4).copy(out, off);
  off += n * 4;
  Buffer.from(c.lon.buffer, c.lon.byteOffset, n * 4).copy(out, off);
  return out;
}

/** Decode the binary body (the browser does the same in web/src/map/columns.ts; tests use this). */
export function decodeTrackColumns(buf: ArrayBuffer | Uint8Array): TrackColumns {
  // A plain Uint8Array view (a Node Buffer's slice() would share memory instead of copying).
  const bytes =
    buf instanceof Uint8Array ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : new Uint8Array(buf);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + h))) as TrackColumnsHeader;
  const n = header.count;
  // Copy into fresh aligned buffers (the input may sit at any byte offset).
  const at = 4 + h;
  const slice = (from: number, len: number) => bytes.slice(at + from, at + from + len).buffer;
  return {
    header,
    ts: new Float64Array(slice(0, n * 8)),
    lat: new Float32Array(slice(n * 8, n * 4)),
    lon: new Float32Array(slice(n * 12, n * 4)),
  };
}
