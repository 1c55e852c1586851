/**
 * Per-vessel detection spread over worker processes (issue 19): a run is cut into work units (contiguous MMSI
 * ranges of about the same number of positions), each unit is a job in the shared job table `monitor_jobs`
 * (src/monitor/jobs.ts: claimed `FOR UPDATE SKIP LOCKED` on PostgreSQL, leased with an expiry, so a unit whose
 * worker died is claimed again once its lease runs out), and workers (`watchkeeper cluster detect-worker`) take
 * units until none is left.
 *
 * A unit's findings are written in one transaction with the unit's completion (`finishJob`, which checks that the
 * worker still holds the lease): a worker killed mid-unit leaves nothing of that unit, and a worker that lost its
 * lease rolls back instead of writing beside the one that took over.
 *
 * Units are MMSI ranges rather than Citus shard ids: a range reads through the (mmsi, ts) index of every shard
 * (each shard answers only its vessels in the range), the same SQL as single-node PostgreSQL and DuckDB, and a
 * vessel's whole track is in one unit, which is all the per-vessel detectors need. Encounters (pairs of vessels,
 * across shards) run in a second stage of grid cell × time slot units: src/cluster/encounter-units.ts.
 *
 * Every unit uses the same geo context (built from the run's bounding box, recorded with the run), so a vessel's
 * findings do not depend on which other vessels share its unit: the findings (ids and content) are those of one
 * run over all vessels with the same kinds.
 */
import { randomUUID } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { vesselEntityId } from '../maritime/events/common.js';
import { ENCOUNTER_DEFAULTS } from '../maritime/events/encounter.js';
import { DETECTOR_KINDS, runDetectors } from '../maritime/events/index.js';
import { buildGeoContext } from '../maritime/geo/context.js';
import type { BBox } from '../maritime/geo/polygon.js';
import { loadPositions, loadStatics } from '../maritime/tracks/load.js';
import { buildTracks } from '../maritime/tracks/segment.js';
import { PositionBuilder } from '../maritime/tracks/types.js';
import { claimJob, finishJob, renewJob } from '../monitor/jobs.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import {
  type CellUnit,
  detectCellUnit,
  type EncounterGrid,
  ensurePointsTable,
  GRID_DEFAULTS,
  ownerCells,
  POINTS_TABLE,
  planCellUnits,
  pointsTableOutdated,
  unchangedBeforeSlot,
  writeUnitPoints,
} from './encounter-units.js';

export const UNIT_KIND = 'cluster.detect.unit';
/** The unit that plans a run's encounter units once every per-vessel unit is done. */
export const PLAN_KIND = 'cluster.detect.encounter-plan';
/** An encounter unit: cells of one time slot. */
export const CELL_KIND = 'cluster.detect.cell';
const ALL_KINDS = [UNIT_KIND, PLAN_KIND, CELL_KIND];
const RUN_KIND = 'cluster.detect.run';

/** The detectors of the per-vessel units (MMSI ranges and the identity unit). */
export const PER_VESSEL_KINDS: readonly string[] = DETECTOR_KINDS.filter((k) => k !== 'ais.encounter');

export interface RunParams {
  bbox: BBox;
  kinds: string[];
  /** Encounter grid (when the run has encounters). */
  grid?: EncounterGrid;
  /** An incremental run: only the vessels with positions from this time (epoch ms) on, and the cells they reach. */
  sinceMs?: number;
}

export interface ClusterRun extends RunParams {
  runId: string;
  /** Why a run asked for with `sinceMs` runs every vessel instead (no earlier run, a larger bounding box, ...). */
  fullBecause?: string;
  /** Units queued at planning: MMSI ranges, the identity unit, the encounter plan unit (cell units come later). */
  units: Array<{ id: string; lo: number; hi: number; positions: number }>;
}

export function unitId(runId: string, lo: number, hi: number): string {
  return `cdetect:${runId}:${lo}-${hi}`;
}

export function cellUnitId(runId: string, u: Pick<CellUnit, 'sb' | 'sbHi' | 'klo' | 'khi'>): string {
  const slots = u.sbHi !== undefined && u.sbHi > u.sb ? `${u.sb}-${u.sbHi}` : `${u.sb}`;
  return `cdetect:${runId}:cell:${slots}:${u.klo}-${u.khi}`;
}

/** A unit: an MMSI range, the run's identity unit (lo = hi = -1), its encounter plan (lo = hi = -2) or a cell unit. */
export function parseUnitId(id: string): {
  runId: string;
  lo: number;
  hi: number;
  cell?: { sb: number; sbHi?: number; klo: number; khi: number };
} {
  const ident = /^cdetect:([^:]+):(identity|encounters)$/.exec(id);
  if (ident) return { runId: ident[1]!, lo: ident[2] === 'identity' ? -1 : -2, hi: ident[2] === 'identity' ? -1 : -2 };
  const c = /^cdetect:([^:]+):cell:(\d+)(?:-(\d+))?:(\d+)-(\d+)$/.exec(id);
  if (c) {
    const cell = { sb: Number(c[2]), klo: Number(c[4]), khi: Number(c[5]) };
    return { runId: c[1]!, lo: -3, hi: -3, cell: c[3] === undefined ? cell : { ...cell, sbHi: Number(c[3]) } };
  }
  const m = /^cdetect:([^:]+):(\d+)-(\d+)$/.exec(id);
  if (!m) throw new Error(`not a detection unit id: ${id}`);
  return { runId: m[1]!, lo: Number(m[2]), hi: Number(m[3]) };
}

/**
 * Identity changes are per vessel except flag hopping (one IMO broadcast by several MMSIs, which may fall in
 * different units). They need only the static reports and each vessel's first fix, so they run as one unit of
 * their own over all vessels: the static reports (small) and one position per vessel.
 */
async function detectIdentityUnit(store: Store, geo: ReturnType<typeof buildGeoContext>): Promise<Finding[]> {
  const rows = await store.db.query(
    `SELECT p.mmsi AS mmsi, p.ts AS ts, p.lat AS lat, p.lon AS lon
     FROM positions p JOIN (SELECT mmsi, min(ts) AS ts FROM positions GROUP BY mmsi) f
       ON f.mmsi = p.mmsi AND f.ts = p.ts ORDER BY p.mmsi, p.ts, p.lat, p.lon`,
  );
  const pb = new PositionBuilder(rows.length + 1);
  const src = pb.sourceId('ais');
  let last = Number.NaN;
  for (const r of rows) {
    const m = Number(r.mmsi);
    if (m === last) continue;
    last = m;
    pb.push(m, Number(r.ts), Number(r.lat), Number(r.lon), Number.NaN, Number.NaN, src);
  }
  const tracks = buildTracks(pb.finish(), await loadStatics(store.db));
  return runDetectors(tracks, geo, { kinds: ['ais.identity_change'] });
}

/**
 * Plan a run: MMSI ranges of about `unitPositions` positions each (at least `minUnits`), queued as jobs, and the
 * run's parameters (bounding box, kinds) recorded as a finished job row `cdetect:<runId>` whose result holds them.
 */
export async function planRun(
  store: Store,
  opts: {
    unitPositions?: number;
    minUnits?: number;
    kinds?: readonly string[];
    grid?: Partial<EncounterGrid>;
    /** Re-run only the vessels with positions from this time on (and the encounter cells they reach). */
    sinceMs?: number;
  } = {},
): Promise<ClusterRun> {
  const db = store.db;
  const runId = randomUUID();
  // One run at a time: runs share the stored encounter points.
  const [busy] = await db.query(
    `SELECT count(*) AS n FROM monitor_jobs WHERE kind IN ($1, $2, $3) AND state IN ('queued', 'running')`,
    ALL_KINDS,
  );
  if (Number(busy?.n ?? 0) > 0)
    throw new UserError(
      `another detection run is in progress (${Number(busy?.n)} units queued or running): let its workers finish first`,
    );
  const [b] = await db.query(
    'SELECT min(lon) AS min_lon, min(lat) AS min_lat, max(lon) AS max_lon, max(lat) AS max_lat, count(*) AS n FROM positions',
  );
  const total = Number(b?.n ?? 0);
  const bbox: BBox = {
    minLon: Number(b?.min_lon ?? 0),
    minLat: Number(b?.min_lat ?? 0),
    maxLon: Number(b?.max_lon ?? 0),
    maxLat: Number(b?.max_lat ?? 0),
  };
  const kinds = [...(opts.kinds ?? DETECTOR_KINDS)];
  // An incremental run continues the last run: same kinds, grid and bounding box (the geo context), else it
  // would not give what a full run gives, and it runs every vessel instead.
  let sinceMs: number | undefined;
  let fullBecause: string | undefined;
  let grid: EncounterGrid | undefined;
  if (opts.sinceMs !== undefined) {
    const prev = await lastRun(db);
    if (!prev) fullBecause = 'no earlier run';
    else if (JSON.stringify(prev.bbox) !== JSON.stringify(bbox))
      fullBecause =
        "the positions reach outside the last run's bounding box (the geo context changes for every vessel)";
    else if (JSON.stringify([...prev.kinds].sort()) !== JSON.stringify([...kinds].sort()))
      fullBecause = 'other detectors than the last run';
    else if (kinds.includes('ais.encounter') && !prev.grid) fullBecause = 'the last run had no encounter grid';
    else if (kinds.includes('ais.encounter') && (await pointsTableOutdated(db)))
      fullBecause = 'the encounter points of the last run are stored in an older layout';
    else {
      sinceMs = opts.sinceMs;
      grid = prev.grid;
    }
  }
  const counts = await db.query<{ mmsi: number; n: number }>(
    sinceMs === undefined
      ? 'SELECT mmsi, count(*) AS n FROM positions GROUP BY mmsi ORDER BY mmsi'
      : 'SELECT mmsi, count(*) AS n FROM positions WHERE mmsi IN (SELECT DISTINCT mmsi FROM positions WHERE ts >= $1) GROUP BY mmsi ORDER BY mmsi',
    sinceMs === undefined ? [] : [sinceMs],
  );
  const per = Math.max(1, Math.min(opts.unitPositions ?? 2_000_000, Math.ceil(total / (opts.minUnits ?? 1))));
  const units: ClusterRun['units'] = [];
  let k = 0;
  while (k < counts.length) {
    const lo = Number(counts[k]!.mmsi);
    let n = 0;
    let hi = lo;
    while (k < counts.length && (n === 0 || n + Number(counts[k]!.n) <= per)) {
      n += Number(counts[k]!.n);
      hi = Number(counts[k]!.mmsi);
      k++;
    }
    units.push({ id: unitId(runId, lo, hi), lo, hi, positions: n });
  }
  if (kinds.includes('ais.identity_change'))
    units.push({ id: `cdetect:${runId}:identity`, lo: -1, hi: -1, positions: 0 });
  if (kinds.includes('ais.encounter')) {
    grid ??= { ...GRID_DEFAULTS, ...opts.grid };
    if (!(grid.cellDeg >= 0.01 && grid.cellDeg <= 90)) throw new Error(`cell size ${grid.cellDeg}: 0.01 to 90 degrees`);
    if (!(Number.isInteger(grid.blockSlots) && grid.blockSlots >= 1))
      throw new Error(`time slot ${grid.blockSlots}: a whole number of 10-minute slots`);
    await ensurePointsTable(db);
    // A full run stores every vessel's points afresh (the grid may differ from the last run's).
    if (sinceMs === undefined) await db.exec(`DELETE FROM ${POINTS_TABLE}`);
    units.push({ id: `cdetect:${runId}:encounters`, lo: -2, hi: -2, positions: 0 });
  }
  const now = Date.now();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO monitor_jobs (id, kind, state, run_after, attempts, created_at, finished_at, result)
       VALUES ($1, $2, 'done', $3, 0, $4, $4, $5)`,
      [
        `cdetect:${runId}`,
        RUN_KIND,
        BigInt(now),
        new Date(now).toISOString(),
        JSON.stringify({ bbox, kinds, ...(grid ? { grid } : {}), ...(sinceMs !== undefined ? { sinceMs } : {}) }),
      ],
    );
    for (const u of units)
      await tx.query(
        `INSERT INTO monitor_jobs (id, kind, state, run_after, attempts, created_at)
         VALUES ($1, $2, 'queued', $3, 0, $4)`,
        [u.id, u.lo === -2 ? PLAN_KIND : UNIT_KIND, BigInt(now), new Date(now).toISOString()],
      );
  });
  return {
    runId,
    bbox,
    kinds,
    ...(grid ? { grid } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(fullBecause ? { fullBecause } : {}),
    units,
  };
}

/** The parameters of the latest planned run. */
async function lastRun(db: Db): Promise<RunParams | undefined> {
  const [r] = await db.query('SELECT result FROM monitor_jobs WHERE kind = $1 ORDER BY created_at DESC LIMIT 1', [
    RUN_KIND,
  ]);
  return r ? (JSON.parse(String(r.result)) as RunParams) : undefined;
}

/** Findings of `kinds` with a subject among `mmsis` (ids). */
async function findingsOf(db: Db, kinds: string[], mmsis: number[], endFrom?: string): Promise<string[]> {
  const out = new Set<string>();
  for (let i = 0; i < mmsis.length; i += 1000) {
    const ids = mmsis.slice(i, i + 1000).map((m) => `'${vesselEntityId(Number(m))}'`);
    const rows = await db.query(
      `SELECT DISTINCT f.id AS id FROM findings f JOIN finding_subjects s ON s.finding_id = f.id
       WHERE f.kind IN (${kinds.map((_, k) => `$${k + 1}`).join(', ')}) AND s.entity_id IN (${ids.join(',')})
       ${endFrom ? `AND f.end_ts >= $${kinds.length + 1}` : ''}`,
      endFrom ? [...kinds, endFrom] : kinds,
    );
    for (const r of rows) out.add(String(r.id));
  }
  return [...out];
}

async function deleteFindingIds(db: Db, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    const part = ids.slice(i, i + 1000);
    const ph = part.map((_, k) => `$${k + 1}`).join(', ');
    await db.query(`DELETE FROM finding_subjects WHERE finding_id IN (${ph})`, part);
    await db.query(`DELETE FROM findings WHERE id IN (${ph})`, part);
  }
}

/** Vessels with positions from `sinceMs` on (all within [lo, hi] when given). */
async function vesselsSince(db: Db, sinceMs: number, range?: [number, number]): Promise<number[]> {
  const rows = await db.query(
    `SELECT DISTINCT mmsi FROM positions WHERE ts >= $1 ${range ? 'AND mmsi >= $2 AND mmsi <= $3' : ''} ORDER BY mmsi`,
    range ? [sinceMs, range[0], range[1]] : [sinceMs],
  );
  return rows.map((r) => Number(r.mmsi));
}

async function runParams(store: Store, runId: string): Promise<RunParams> {
  const [r] = await store.db.query('SELECT result FROM monitor_jobs WHERE id = $1', [`cdetect:${runId}`]);
  if (!r) throw new Error(`no detection run ${runId}`);
  return JSON.parse(String(r.result)) as RunParams;
}

/** The last resample slot holding a point of the run (recorded by its plan unit). */
async function runMaxSlot(store: Store, runId: string): Promise<number> {
  const [r] = await store.db.query('SELECT result FROM monitor_jobs WHERE id = $1', [`cdetect:${runId}:encounters`]);
  return Number((JSON.parse(String(r?.result ?? 'null')) as { maxSlot?: number } | null)?.maxSlot ?? -1);
}

export interface UnitResult {
  findings: Finding[];
  positions: number;
  /** Writes besides the findings (the encounter points of a range unit, the cell units of a plan unit), done in
   * the transaction that finishes the unit. */
  write?: (store: Store) => Promise<void>;
  /** Extra figures for the unit's result row. */
  info?: Record<string, number>;
}

/**
 * The findings of one unit (no writes): the per-vessel detectors over the vessels of [lo, hi] (and their
 * encounter points to store), the identity unit, the encounter plan or a cell unit's encounters.
 */
export async function detectUnit(
  store: Store,
  unit: ReturnType<typeof parseUnitId>,
  params: RunParams,
  geo: ReturnType<typeof buildGeoContext> = buildGeoContext(params.bbox),
): Promise<UnitResult> {
  if (unit.lo === -1)
    return {
      findings: await detectIdentityUnit(store, geo),
      positions: 0,
      // Identity changes run over every vessel each time: they replace the stored ones.
      write: async (s) => void (await s.deleteFindings({ kinds: ['ais.identity_change'] })),
    };
  if (unit.lo === -2) {
    const grid = params.grid ?? GRID_DEFAULTS;
    let stale: string[] | undefined;
    let plan: Awaited<ReturnType<typeof planCellUnits>>;
    if (params.sinceMs === undefined) plan = await planCellUnits(store.db, grid);
    else {
      // Encounters that may change: those of a vessel with new positions ending after the unchanged time. Their
      // owners' cells are planned again beside every cell from the unchanged time on.
      const before = unchangedBeforeSlot(params.sinceMs);
      const slotMs = ENCOUNTER_DEFAULTS.slotS * 1000;
      stale = await findingsOf(
        store.db,
        ['ais.encounter'],
        await vesselsSince(store.db, params.sinceMs),
        new Date(before * slotMs).toISOString(),
      );
      const extra: Array<{ sb: number; cell: number }> = [];
      for (const id of stale) {
        const f = await store.getFinding(id);
        if (!f) continue;
        const lower = Math.min(...f.subjects.map((x) => Number(x.replace(/^ais-/, ''))));
        extra.push(...(await ownerCells(store.db, lower, Math.round(Date.parse(f.start) / slotMs))));
      }
      plan = await planCellUnits(store.db, grid, { fromSb: Math.floor(before / grid.blockSlots), extra });
    }
    return {
      findings: [],
      positions: 0,
      info: { maxSlot: plan.maxSlot, units: plan.units.length, ...(stale ? { replaced: stale.length } : {}) },
      write: async (s) => {
        // A full run replaces every stored encounter; an incremental one those that may change.
        if (stale) await deleteFindingIds(s.db, stale);
        else await s.deleteFindings({ kinds: ['ais.encounter'] });
        const now = Date.now();
        for (const c of plan.units)
          await s.db.query(
            `INSERT INTO monitor_jobs (id, kind, state, run_after, attempts, created_at)
             VALUES ($1, $2, 'queued', $3, 0, $4)`,
            [cellUnitId(unit.runId, c), CELL_KIND, BigInt(now), new Date(now).toISOString()],
          );
      },
    };
  }
  if (unit.cell) {
    const grid = params.grid ?? GRID_DEFAULTS;
    const maxSlot = await runMaxSlot(store, unit.runId);
    const { sb, sbHi, klo, khi } = unit.cell;
    // A packed unit is its time slots one after the other, each exactly as a unit of its own would run it.
    const slots =
      sbHi === undefined
        ? [sb]
        : (
            await store.db.query(
              `SELECT DISTINCT sb FROM ${POINTS_TABLE} WHERE sb >= $1 AND sb <= $2 AND cell >= $3 AND cell <= $4 ORDER BY sb`,
              [sb, sbHi, klo, khi],
            )
          ).map((r) => Number(r.sb));
    const info = { points: 0, candidates: 0, extensions: 0 };
    const findings: Finding[] = [];
    for (const s of slots) {
      const r = await detectCellUnit(store.db, { sb: s, klo, khi }, grid, maxSlot, geo);
      findings.push(...r.findings);
      info.points += r.points;
      info.candidates += r.candidates;
      info.extensions += r.extensions;
    }
    return { findings, positions: 0, info: sbHi === undefined ? info : { ...info, slots: slots.length } };
  }
  const rangeKinds = params.kinds.filter((k) => k !== 'ais.identity_change' && k !== 'ais.encounter');
  const encounters = params.kinds.includes('ais.encounter');
  // An incremental run's unit: only its vessels with new positions.
  const only =
    params.sinceMs === undefined ? undefined : await vesselsSince(store.db, params.sinceMs, [unit.lo, unit.hi]);
  if (only?.length === 0) return { findings: [], positions: 0 };
  const positions = await loadPositions(store.db, { mmsiRange: [unit.lo, unit.hi], ...(only ? { mmsis: only } : {}) });
  if (positions.length === 0) return { findings: [], positions: 0 };
  const statics = await loadStatics(store.db, only ? { mmsis: only } : { mmsiRange: [unit.lo, unit.hi] });
  const tracks = buildTracks(positions, statics);
  const vessels = tracks.vessels.map((v) => v.mmsi);
  return {
    findings: runDetectors(tracks, geo, { kinds: rangeKinds }),
    positions: positions.length,
    write: async (s: Store) => {
      // The unit's vessels' findings of these kinds are replaced (a re-run never leaves one that no longer holds).
      await deleteFindingIds(s.db, await findingsOf(s.db, rangeKinds, vessels));
      if (encounters) await writeUnitPoints(s.db, [unit.lo, unit.hi], tracks, params.grid ?? GRID_DEFAULTS);
    },
  };
}

export interface WorkerStats {
  units: number;
  positions: number;
  findings: number;
  lostLeases: number;
}

/**
 * Take units until none is due: detect, then write the findings and finish the unit in one transaction (rolled
 * back when the lease was lost). `leaseMs` must cover one unit; `afterDetect` is a test hook (called between the
 * detection and the write, where a kill hurts most).
 */
export async function runWorker(
  store: Store,
  opts: {
    owner?: string;
    leaseMs?: number;
    log?: (s: string) => void;
    afterDetect?: (id: string) => Promise<void>;
  } = {},
): Promise<WorkerStats> {
  const owner = opts.owner ?? `detect-worker:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? 10 * 60_000;
  const stats: WorkerStats = { units: 0, positions: 0, findings: 0, lostLeases: 0 };
  const geos = new Map<string, ReturnType<typeof buildGeoContext>>();
  const params = new Map<string, RunParams>();
  const pending = async (kinds: string[]) => {
    const [r] = await store.db.query(
      `SELECT count(*) AS n, min(lease_until) AS until FROM monitor_jobs
       WHERE kind IN (${kinds.map((_, i) => `$${i + 1}`).join(', ')}) AND state IN ('running', 'queued')`,
      kinds,
    );
    return { n: Number(r?.n ?? 0), until: r?.until === null || r?.until === undefined ? Date.now() : Number(r.until) };
  };
  for (;;) {
    // Per-vessel units first; the encounter plan and cell units only once no per-vessel unit is left anywhere
    // (they read the points the per-vessel units store).
    let job = await claimJob(store.db, owner, [UNIT_KIND], leaseMs);
    if (!job && (await pending([UNIT_KIND])).n === 0)
      job = await claimJob(store.db, owner, [PLAN_KIND, CELL_KIND], leaseMs);
    if (!job) {
      // Nothing due. Units still running elsewhere may yet come back (their worker dies): wait for the earliest
      // lease to run out, and stop only when no unit is queued or running.
      const r = await pending(ALL_KINDS);
      if (r.n === 0) break;
      await new Promise((res) => setTimeout(res, Math.min(5000, Math.max(100, r.until - Date.now() + 50))));
      continue;
    }
    const u = parseUnitId(job.id);
    let p = params.get(u.runId);
    if (!p) {
      p = await runParams(store, u.runId);
      params.set(u.runId, p);
    }
    let geo = geos.get(u.runId);
    if (!geo) {
      geo = buildGeoContext(p.bbox);
      geos.set(u.runId, geo);
    }
    const r = await detectUnit(store, u, p, geo);
    await opts.afterDetect?.(job.id);
    const ok = await store.db
      .transaction(async () => {
        if (!(await renewJob(store.db, job.id, owner, leaseMs))) throw new LeaseLost();
        // The unit's own writes first: they replace (delete) what the findings below supersede.
        await r.write?.(store);
        await store.putFindings(r.findings);
        const result = { positions: r.positions, findings: r.findings.length, ...r.info };
        if (!(await finishJob(store.db, job.id, owner, result))) throw new LeaseLost();
        return true;
      })
      .catch((err: unknown) => {
        if (err instanceof LeaseLost) return false;
        throw err;
      });
    if (!ok) {
      stats.lostLeases++;
      opts.log?.(`${job.id}: lease lost, nothing written`);
      continue;
    }
    stats.units++;
    stats.positions += r.positions;
    stats.findings += r.findings.length;
    opts.log?.(`${job.id}: ${r.positions} positions, ${r.findings.length} findings`);
  }
  return stats;
}

class LeaseLost extends Error {}

/** Units of a run by state. */
export async function runProgress(store: Store, runId: string): Promise<Record<string, number>> {
  const rows = await store.db.query(
    'SELECT state, count(*) AS n FROM monitor_jobs WHERE kind IN ($1, $2, $3) AND id LIKE $4 GROUP BY state',
    [...ALL_KINDS, `cdetect:${runId}:%`],
  );
  const out: Record<string, number> = {};
  for (const r of rows) out[String(r.state)] = Number(r.n);
  return out;
}
