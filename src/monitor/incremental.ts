/**
 * Incremental detection for the monitoring worker: which vessels a scheduled run has to look at.
 *
 * The detection cursor is durable and per import: every live batch the feed commits is an import (kind
 * `ais-live`), and a detection run marks the imports it covered in `maritime_detect_imports` in the transaction
 * that records the run (src/maritime/detect.ts). A run covers the imports not marked yet, so a worker that is
 * restarted (or another worker on the same PostgreSQL) resumes where the last completed run stopped; batches
 * committed while a run is in progress are left to the next run.
 *
 * A run then detects only:
 * - the vessels **touched** by those imports: positions or static reports committed in them;
 * - the vessels that **could meet** a touched vessel: positions in the same or a neighbouring cell of 0.1° of
 *   latitude by 0.25° of longitude (at least 11 km up to 64° N/S, against the encounter detector's 500 m and its
 *   1 h interpolation) within the same or a neighbouring hour of the touched vessel's new positions, so an
 *   encounter of a touched vessel with a quiet one is still found;
 * - the vessels broadcasting an IMO number one of those broadcast (one IMO under several MMSIs is a finding).
 *
 * Every vessel picked is detected over the whole window of the run, exactly as in a run over all vessels, and
 * finding ids are deterministic (kind, subjects, start): a finding found again replaces itself, and a finding of
 * a vessel not picked stays as the run that found it left it. When the vessels picked are (nearly) every vessel
 * known, the filter is dropped: the same findings, with a cheaper read.
 */
import type { Db } from '../store/db.js';

/** Cell size of the neighbourhood (degrees) and its time slot (ms). */
const CELL_LAT_DEG = 0.1;
const CELL_LON_DEG = 0.25;
const SLOT_MS = 3_600_000;
/** Above this share of the known vessels, a run goes over every vessel (same findings, one plain read). */
const ALL_SHARE = 0.9;

export interface VesselScope {
  /** Vessels with positions or static reports in the new imports. */
  touched: number[];
  /** Touched vessels, their possible encounter partners and IMO sharers (sorted); null: every vessel. */
  vessels: number[] | null;
}

const ints = (xs: Iterable<number>): string => {
  const out: string[] = [];
  for (const x of xs) {
    const n = Number(x);
    if (!Number.isInteger(n)) throw new Error(`not an integer: ${x}`);
    out.push(String(n));
  }
  return out.join(',');
};

/**
 * The vessels a run over `newImports` has to detect. An import id '' stands for positions without a mapped
 * import (imported before migration 0201): those cannot be told apart, so the run goes over every vessel.
 */
export async function vesselScope(db: Db, newImports: readonly string[]): Promise<VesselScope> {
  if (newImports.length === 0) return { touched: [], vessels: [] };
  if (newImports.includes('')) return { touched: [], vessels: null };
  const ph = newImports.map((_, i) => `$${i + 1}`).join(',');
  const keyRows = await db.query(`SELECT import_key FROM position_imports WHERE import_id IN (${ph})`, [...newImports]);
  const keys = keyRows.map((r) => Number(r.import_key));
  const touched = new Set<number>();
  if (keys.length) {
    const rows = await db.query(`SELECT DISTINCT mmsi FROM positions WHERE import_key IN (${ints(keys)})`);
    for (const r of rows) touched.add(Number(r.mmsi));
  }
  const staticRows = await db.query(`SELECT DISTINCT mmsi FROM vessel_static WHERE import_id IN (${ph})`, [
    ...newImports,
  ]);
  for (const r of staticRows) touched.add(Number(r.mmsi));
  const [known] = await db.query('SELECT count(*) AS n FROM vessel_identity');
  const knownN = Number(known?.n ?? 0);
  const nearlyAll = (n: number) => knownN > 0 && n >= ALL_SHARE * knownN;
  const sorted = [...touched].sort((a, b) => a - b);
  // Nearly every vessel touched already (a busy feed): no need to look for their neighbours.
  if (nearlyAll(touched.size)) return { touched: sorted, vessels: null };
  const picked = new Set(touched);
  if (keys.length) {
    const cell = (col: string, size: number) => `CAST(floor(${col} / ${size}) AS BIGINT)`;
    const [span] = await db.query(
      `SELECT min(ts) AS lo, max(ts) AS hi FROM positions WHERE import_key IN (${ints(keys)})`,
    );
    if (span && span.lo !== null && span.lo !== undefined) {
      const lo = (Math.floor(Number(span.lo) / SLOT_MS) - 1) * SLOT_MS;
      const hi = (Math.floor(Number(span.hi) / SLOT_MS) + 2) * SLOT_MS;
      const offsets = '(VALUES (-1), (0), (1))';
      const near = await db.query(
        `WITH cells AS (
           SELECT DISTINCT ${cell('lat', CELL_LAT_DEG)} AS gy, ${cell('lon', CELL_LON_DEG)} AS gx,
                  ${cell('ts', SLOT_MS)} AS gt
             FROM positions WHERE import_key IN (${ints(keys)})
         ), around AS (
           SELECT DISTINCT c.gy + a.d AS gy, c.gx + b.d AS gx, c.gt + t.d AS gt
             FROM cells c CROSS JOIN ${offsets} a(d) CROSS JOIN ${offsets} b(d) CROSS JOIN ${offsets} t(d)
         )
         SELECT DISTINCT p.mmsi AS mmsi FROM positions p JOIN around n
           ON n.gy = ${cell('p.lat', CELL_LAT_DEG)} AND n.gx = ${cell('p.lon', CELL_LON_DEG)}
          AND n.gt = ${cell('p.ts', SLOT_MS)}
          WHERE p.ts >= ${ints([lo])} AND p.ts < ${ints([hi])}`,
      );
      for (const r of near) picked.add(Number(r.mmsi));
    }
  }
  if (picked.size) {
    const sharers = await db.query(
      `SELECT DISTINCT mmsi FROM vessel_static WHERE imo IN (
         SELECT DISTINCT imo FROM vessel_static WHERE imo > 0 AND mmsi IN (${ints(picked)}))`,
    );
    for (const r of sharers) picked.add(Number(r.mmsi));
  }
  return { touched: sorted, vessels: nearlyAll(picked.size) ? null : [...picked].sort((a, b) => a - b) };
}
