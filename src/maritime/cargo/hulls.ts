import type { Db } from '../../store/db.js';
import type { StaticReport } from '../tracks/types.js';

/**
 * A vessel's hull as AIS reports it: length = to_bow + to_stern, beam = to_port + to_starboard (ITU-R M.1371-5
 * message 5 / 24B antenna offsets), ship type; deadweight and summer draught when another source gives them.
 */
export interface VesselHull {
  mmsi: number;
  lengthM: number;
  beamM: number;
  shipType: number | null;
  deadweightT?: number | null;
  summerDraughtM?: number | null;
}

/** The latest complete dimensions each MMSI reported (vessel_static, owned by AIS ingestion). */
export async function loadHulls(db: Db, mmsis?: number[]): Promise<Map<number, VesselHull>> {
  const filter = mmsis?.length ? `AND mmsi IN (${mmsis.map((m) => Number(m)).join(',')})` : '';
  const rows = await db.query(
    `SELECT mmsi, ts, ship_type, to_bow, to_stern, to_port, to_starboard FROM vessel_static
     WHERE to_bow IS NOT NULL AND to_stern IS NOT NULL AND to_port IS NOT NULL AND to_starboard IS NOT NULL
     ${filter} ORDER BY mmsi, ts`,
    [],
  );
  const out = new Map<number, VesselHull>();
  for (const r of rows) {
    const lengthM = Number(r.to_bow) + Number(r.to_stern);
    const beamM = Number(r.to_port) + Number(r.to_starboard);
    if (!(lengthM > 0 && beamM > 0)) continue;
    const mmsi = Number(r.mmsi);
    const prev = out.get(mmsi);
    const shipType = r.ship_type === null || r.ship_type === undefined ? (prev?.shipType ?? null) : Number(r.ship_type);
    out.set(mmsi, { mmsi, lengthM, beamM, shipType });
  }
  return out;
}

/** Static reports grouped per MMSI, in time order (the shape TrackSet.statics has). */
export function staticsByMmsi(statics: StaticReport[]): Map<number, StaticReport[]> {
  const out = new Map<number, StaticReport[]>();
  for (const s of statics) {
    let l = out.get(s.mmsi);
    if (!l) out.set(s.mmsi, (l = []));
    l.push(s);
  }
  for (const l of out.values()) l.sort((a, b) => a.tsMs - b.tsMs);
  return out;
}
