import { countPositions, hullIdentities, positionCoverage, positionPoints } from '../maritime/store/repository.js';
import type { Store } from '../store/store.js';

/**
 * The workspace's views of the AIS data (identity history, tracks for the map, coverage), read through the
 * maritime repository: no SQL here, and a failing query is an error, not an empty result (the AIS tables are created
 * by the store's migrations, so an empty store simply has no rows).
 */

export type { IdentityRow } from '../maritime/store/identities.js';

/** Identity history of an MMSI, and of every MMSI that broadcast the same IMO number (clones and re-flagging). */
export function identityHistory(store: Store, mmsi: number | undefined, imo: number | undefined) {
  return hullIdentities(store.db, mmsi, imo);
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
  const filter = { mmsi: opts.mmsi, sinceMs: opts.sinceMs, untilMs: opts.untilMs };
  const total = await countPositions(store.db, filter);
  const maxPoints = opts.maxPoints ?? 250_000;
  const stride = total > maxPoints ? Math.ceil(total / maxPoints) : 1;
  if (total === 0) return { tracks: [], total: 0, stride: 1 };
  const byMmsi = new Map<number, Track>();
  for (const p of await positionPoints(store.db, filter, stride)) {
    let tr = byMmsi.get(p.mmsi);
    if (!tr) byMmsi.set(p.mmsi, (tr = { mmsi: p.mmsi, ts: [], lat: [], lon: [], sog: [] }));
    tr.ts.push(p.ts);
    tr.lat.push(p.lat);
    tr.lon.push(p.lon);
    tr.sog.push(p.sog === null ? null : Math.round(p.sog * 10) / 10);
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
  const c = await positionCoverage(store.db);
  if (c === null) return { positions: 0, vessels: 0, from: null, to: null, bbox: null };
  return {
    positions: c.positions,
    vessels: c.vessels,
    from: new Date(c.fromMs).toISOString(),
    to: new Date(c.toMs).toISOString(),
    bbox: c.bbox,
  };
}
