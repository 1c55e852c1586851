import type { Row, SqlValue } from '../store/db.js';
import type { Store } from '../store/store.js';

/**
 * Read-only access to the AIS tables documented in docs/CONVENTIONS.md (owned by the AIS module). Each reader
 * returns an empty result when the table is not there yet, so the workspace works on a store without AIS data.
 */

export async function tryQuery(store: Store, sql: string, params: SqlValue[] = []): Promise<Row[]> {
  try {
    return await store.db.query(sql, params);
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    if (/does not exist|not found|no such table|Catalog Error/i.test(msg)) return [];
    throw err;
  }
}

export interface IdentityRow {
  mmsi: number;
  name: string | null;
  callsign: string | null;
  imo: number | null;
  shipType: number | null;
  flag: string | null;
  firstSeen: string;
  lastSeen: string;
  messages: number;
}

const n = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const t = (v: SqlValue | undefined): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** Identity history of an MMSI, and of every MMSI that broadcast the same IMO number (clones and re-flagging). */
export async function identityHistory(
  store: Store,
  mmsi: number | undefined,
  imo: number | undefined,
): Promise<IdentityRow[]> {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  if (mmsi !== undefined) {
    params.push(mmsi);
    clauses.push(`mmsi = $${params.length}`);
  }
  if (imo !== undefined) {
    params.push(imo);
    clauses.push(`imo = $${params.length}`);
  }
  if (clauses.length === 0) return [];
  const rows = await tryQuery(
    store,
    `SELECT mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages FROM vessel_identity
      WHERE ${clauses.join(' OR ')} ORDER BY first_seen, mmsi`,
    params,
  );
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    name: t(r.name),
    callsign: t(r.callsign),
    imo: n(r.imo),
    shipType: n(r.ship_type),
    flag: t(r.flag),
    firstSeen: new Date(Number(r.first_seen)).toISOString(),
    lastSeen: new Date(Number(r.last_seen)).toISOString(),
    messages: Number(r.messages ?? 0),
  }));
}

export interface Track {
  mmsi: number;
  /** Epoch ms, ascending. */
  ts: number[];
  lat: number[];
  lon: number[];
  sog: Array<number | null>;
}

/**
 * Positions per vessel in a time window, ascending in time. When more than `maxPoints` rows match, every k-th row
 * is kept (the response says so) so the browser still gets the whole window's shape.
 */
export async function tracks(
  store: Store,
  opts: { mmsi?: number[]; sinceMs?: number; untilMs?: number; maxPoints?: number },
): Promise<{ tracks: Track[]; total: number; stride: number }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (opts.mmsi?.length) {
    const ph = opts.mmsi.map((m) => `$${params.push(m)}`);
    where.push(`mmsi IN (${ph.join(', ')})`);
  }
  if (opts.sinceMs !== undefined) where.push(`ts >= $${params.push(opts.sinceMs)}`);
  if (opts.untilMs !== undefined) where.push(`ts < $${params.push(opts.untilMs)}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countRows = await tryQuery(store, `SELECT COUNT(*) AS n FROM positions ${w}`, params);
  const total = Number(countRows[0]?.n ?? 0);
  const maxPoints = opts.maxPoints ?? 250_000;
  const stride = total > maxPoints ? Math.ceil(total / maxPoints) : 1;
  if (total === 0) return { tracks: [], total: 0, stride: 1 };
  const rows = await tryQuery(
    store,
    stride === 1
      ? `SELECT mmsi, ts, lat, lon, sog FROM positions ${w} ORDER BY mmsi, ts`
      : `SELECT mmsi, ts, lat, lon, sog FROM (SELECT mmsi, ts, lat, lon, sog, ROW_NUMBER() OVER (PARTITION BY mmsi ORDER BY ts) AS rn FROM positions ${w}) x WHERE rn % ${stride} = 1 ORDER BY mmsi, ts`,
    params,
  );
  const byMmsi = new Map<number, Track>();
  for (const r of rows) {
    const m = Number(r.mmsi);
    let tr = byMmsi.get(m);
    if (!tr) byMmsi.set(m, (tr = { mmsi: m, ts: [], lat: [], lon: [], sog: [] }));
    tr.ts.push(Number(r.ts));
    tr.lat.push(Number(r.lat));
    tr.lon.push(Number(r.lon));
    tr.sog.push(r.sog === null ? null : Math.round(Number(r.sog) * 10) / 10);
  }
  return { tracks: [...byMmsi.values()], total, stride };
}

export interface AisCoverage {
  positions: number;
  vessels: number;
  from: string | null;
  to: string | null;
  bbox: [number, number, number, number] | null;
}

export async function aisCoverage(store: Store): Promise<AisCoverage> {
  const rows = await tryQuery(
    store,
    'SELECT COUNT(*) AS n, COUNT(DISTINCT mmsi) AS v, MIN(ts) AS t0, MAX(ts) AS t1, MIN(lon) AS x0, MIN(lat) AS y0, MAX(lon) AS x1, MAX(lat) AS y1 FROM positions',
  );
  const r = rows[0];
  if (!r || Number(r.n ?? 0) === 0) return { positions: 0, vessels: 0, from: null, to: null, bbox: null };
  return {
    positions: Number(r.n),
    vessels: Number(r.v),
    from: new Date(Number(r.t0)).toISOString(),
    to: new Date(Number(r.t1)).toISOString(),
    bbox: [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)],
  };
}
