/**
 * Encounters across worker processes (issue 19): grid cell × time slot units.
 *
 * Encounters pair vessels that may sit in different MMSI ranges and shards, so they cannot run in the per-vessel
 * units. They run in two stages on the same job queue:
 *
 * 1. Each per-vessel unit (an MMSI range, src/cluster/detect-queue.ts) has its vessels' whole tracks, so it does
 *    the per-vessel part of encounter detection exactly as one run over all vessels would: the segments and the
 *    slow points resampled on the 10-minute grid (`resampleSlowPoints`). It stores them in
 *    `cluster_encounter_points` (distributed by MMSI on Citus), each with its grid cell, its time block and the
 *    fixes the finding's evidence would cite, in the transaction that finishes the unit.
 * 2. When every per-vessel unit of the run is done, one plan unit cuts the stored points into blocks of grid cells
 *    (`cellDeg` degrees of latitude and longitude) × time slots (`blockSlots` resample slots, 6 h by default) and
 *    queues one unit per group of cells of one time slot (contiguous cell keys, about `unitPoints` points each).
 *
 * A cell unit reads the points of its block plus a margin of neighbouring cells (twice the encounter distance)
 * and finds the pairs that are close at a slot of its block (`findClosePairs`: whether two points pair up depends
 * on those two points only). It then reads the whole tracks of those vessels over the block's slot widened by the
 * time the encounter rule looks back and ahead (merge gap + minimum duration), and further ahead while an
 * encounter is still going on, and groups each pair's close slots as one run does (`encounterGroups`).
 *
 * Ownership: an encounter belongs to the unit whose time slot holds its first close slot and whose cells hold the
 * lower MMSI's resampled point at that slot. Cells and slots partition space and time, so every encounter is
 * reported by exactly one unit, with the content one run over all vessels gives (same points, same pairs, same
 * groups, same evidence fixes).
 *
 * The points stay stored between runs (one set, rewritten vessel by vessel): an incremental run (`--since`)
 * rewrites the points of the vessels with new positions only and reads the others' as the last run left them.
 */
import type { EvidenceRef, Finding } from '../findings/finding.js';
import {
  ENCOUNTER_DEFAULTS,
  type EncounterParams,
  encounterFinding,
  encounterGroups,
  findClosePairs,
  type PairSlots,
  type ResampledPoints,
  resampleSlowPoints,
} from '../maritime/events/encounter.js';
import type { GeoContext } from '../maritime/geo/types.js';
import { loadStatics } from '../maritime/tracks/load.js';
import { buildTracks } from '../maritime/tracks/segment.js';
import { PositionBuilder, type TrackSet } from '../maritime/tracks/types.js';
import type { ColumnSpec, Db } from '../store/db.js';
import { DuckDbDb } from '../store/duckdb/duckdb-db.js';
import { isCitus } from '../store/postgres/citus.js';
import { CopyBinaryDecoder } from '../store/postgres/copy-binary.js';
import { PostgresDb } from '../store/postgres/postgres-db.js';

export const POINTS_TABLE = 'cluster_encounter_points';

/** How a run cuts space and time for encounters (recorded with the run). */
export interface EncounterGrid {
  /** Grid cell side, degrees of latitude and of longitude. */
  cellDeg: number;
  /** Resample slots (10 min each) per time slot of a unit. */
  blockSlots: number;
  /** Points per cell unit (about; a unit is at least one cell of one time slot). */
  unitPoints: number;
}

export const GRID_DEFAULTS: EncounterGrid = { cellDeg: 0.5, blockSlots: 36, unitPoints: 200_000 };

const KEY_OFFSET = 50_000;
const KEY_ROW = 100_000;

/** Cell key of a cell (row cy, column cx): row-major, non-negative for any cell of at least 0.01°. */
export function cellKey(cy: number, cx: number): number {
  return (cy + KEY_OFFSET) * KEY_ROW + (cx + KEY_OFFSET);
}

export function cellOf(key: number): { cy: number; cx: number } {
  const cy = Math.floor(key / KEY_ROW) - KEY_OFFSET;
  return { cy, cx: key - (cy + KEY_OFFSET) * KEY_ROW - KEY_OFFSET };
}

/**
 * True when the points table exists in the layout of session 7 (the evidence fixes' sources as text, `start_src`):
 * its points cannot be read any more, so the next run must be a full one (which rebuilds the table).
 */
export async function pointsTableOutdated(db: Db): Promise<boolean> {
  const rows = await db.query(
    `SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND column_name = 'start_src'`,
    [POINTS_TABLE],
  );
  return rows.length > 0;
}

/**
 * Create the points table (and distribute it by MMSI on Citus, colocated with positions) if it is missing, or
 * rebuild it when it has an older layout (see pointsTableOutdated). Every column is a fixed-width number, so the
 * points go in and out as binary COPY (typed columns, no text): the evidence fixes' sources are stored as their
 * position import keys (`SOURCE_AIS` / `SOURCE_UNKNOWN` for a fix without an import).
 */
export async function ensurePointsTable(db: Db): Promise<void> {
  const citus = await isCitus(db);
  await db.transaction(async (tx) => {
    if (citus) await tx.query('SELECT pg_advisory_xact_lock(1919191919)');
    if (await pointsTableOutdated(tx)) await tx.exec(`DROP TABLE ${POINTS_TABLE}`);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${POINTS_TABLE} (
         mmsi INTEGER NOT NULL, seg INTEGER NOT NULL, slot BIGINT NOT NULL,
         sb BIGINT NOT NULL, cell BIGINT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL,
         spd DOUBLE PRECISION NOT NULL, start_ts BIGINT NOT NULL, start_key INTEGER NOT NULL, end_ts BIGINT NOT NULL,
         end_key INTEGER NOT NULL);
       CREATE INDEX IF NOT EXISTS ${POINTS_TABLE}_block ON ${POINTS_TABLE} (sb, cell);
       CREATE INDEX IF NOT EXISTS ${POINTS_TABLE}_vessel ON ${POINTS_TABLE} (mmsi, slot);`,
    );
    if (citus) {
      const done = await tx.query(`SELECT 1 FROM pg_dist_partition WHERE logicalrelid = '${POINTS_TABLE}'::regclass`);
      if (done.length === 0)
        await tx.query("SELECT create_distributed_table($1, 'mmsi', colocate_with => 'positions')", [POINTS_TABLE]);
    }
  });
}

const POINT_SPEC: ColumnSpec[] = [
  { name: 'mmsi', type: 'int' },
  { name: 'seg', type: 'int' },
  { name: 'slot', type: 'bigint' },
  { name: 'sb', type: 'bigint' },
  { name: 'cell', type: 'bigint' },
  { name: 'lat', type: 'double' },
  { name: 'lon', type: 'double' },
  { name: 'spd', type: 'double' },
  { name: 'start_ts', type: 'bigint' },
  { name: 'start_key', type: 'int' },
  { name: 'end_ts', type: 'bigint' },
  { name: 'end_key', type: 'int' },
];

/** Source keys of fixes without a position import: loadPositions names them 'ais'; 'unknown' is a fix without any. */
const SOURCE_AIS = -1;
const SOURCE_UNKNOWN = -2;

/** Position import keys by import id and back (position_imports: one row per import, a small table). */
async function importKeys(db: Db): Promise<{ keyOf: Map<string, number>; idOf: Map<number, string> }> {
  const keyOf = new Map<string, number>();
  const idOf = new Map<number, string>();
  for (const r of await db.query('SELECT import_key AS k, import_id AS id FROM position_imports ORDER BY import_key')) {
    const k = Number(r.k);
    const id = String(r.id);
    if (!keyOf.has(id)) keyOf.set(id, k);
    idOf.set(k, id);
  }
  return { keyOf, idOf };
}

/** The source string of a stored key, as loadPositions names a fix's source ('ais' for an unknown import key). */
function sourceOf(idOf: Map<number, string>, key: number): string {
  if (key === SOURCE_UNKNOWN) return 'unknown';
  return idOf.get(key) || 'ais';
}

/**
 * Stage 1, inside a per-vessel unit's transaction: the slow resampled points of the unit's tracks (all its
 * vessels are whole), written for the run, replacing what an earlier attempt of the same unit wrote.
 */
export async function writeUnitPoints(
  db: Db,
  range: [number, number],
  tracks: TrackSet,
  grid: EncounterGrid,
  params: EncounterParams = ENCOUNTER_DEFAULTS,
): Promise<number> {
  const mmsis = tracks.vessels.map((v) => v.mmsi);
  if (mmsis.length)
    await db.query(
      `DELETE FROM ${POINTS_TABLE} WHERE mmsi >= $1 AND mmsi <= $2 AND mmsi IN (${mmsis.map(Number).join(',')})`,
      [range[0], range[1]],
    );
  const pts = resampleSlowPoints(tracks, params);
  const n = pts.slot.length;
  if (n === 0) return 0;
  const { cols } = tracks;
  // A segment's place among its vessel's segments (the same in any unit holding the vessel's whole track).
  const ord = new Int32Array(tracks.segments.length);
  for (const v of tracks.vessels) for (let k = 0; k < v.segments.length; k++) ord[v.segments[k]!.id] = k;
  const mmsi = new Int32Array(n);
  const seg = new Int32Array(n);
  const slot = new Float64Array(n);
  const sb = new Float64Array(n);
  const cell = new Float64Array(n);
  const startTs = new Float64Array(n);
  const startSrc = new Int32Array(n);
  const endTs = new Float64Array(n);
  const endSrc = new Int32Array(n);
  const stepMs = params.slotS * 1000;
  // Each track source (an import id, or 'ais') as its import key, once per source.
  const { keyOf } = await importKeys(db);
  const srcKey = new Int32Array(cols.sources.length);
  for (let j = 0; j < cols.sources.length; j++) {
    const id = cols.sources[j]!;
    const key = id === 'ais' ? SOURCE_AIS : keyOf.get(id);
    if (key === undefined) throw new Error(`encounter points: source ${id} is not a position import`);
    srcKey[j] = key;
  }
  const src = (i: number) => {
    const j = cols.sourceIdx[i]!;
    return j < srcKey.length ? srcKey[j]! : SOURCE_UNKNOWN;
  };
  let lastSeg = -1;
  let k = 0;
  let m = 0;
  for (let r = 0; r < n; r++) {
    const s = tracks.segments[pts.seg[r]!]!;
    const idx = s.idx;
    if (pts.seg[r] !== lastSeg) {
      lastSeg = pts.seg[r]!;
      k = 0;
      m = 0;
    }
    const t = pts.slot[r]! * stepMs;
    // The evidence fixes of encounterFinding: the first fix at or after t, the last at or before t.
    while (k < idx.length - 1 && cols.tsMs[idx[k]!]! < t) k++;
    while (m + 1 < idx.length && cols.tsMs[idx[m + 1]!]! <= t) m++;
    mmsi[r] = s.mmsi;
    seg[r] = ord[s.id]!;
    slot[r] = pts.slot[r]!;
    sb[r] = Math.floor(pts.slot[r]! / grid.blockSlots);
    cell[r] = cellKey(Math.floor(pts.lat[r]! / grid.cellDeg), Math.floor(pts.lon[r]! / grid.cellDeg));
    startTs[r] = cols.tsMs[idx[k]!]!;
    startSrc[r] = src(idx[k]!);
    endTs[r] = cols.tsMs[idx[m]!]!;
    endSrc[r] = src(idx[m]!);
  }
  return db.bulkInsert(POINTS_TABLE, POINT_SPEC, [
    {
      length: n,
      columns: [
        mmsi,
        seg,
        slot,
        sb,
        cell,
        Float64Array.from(pts.lat),
        Float64Array.from(pts.lon),
        Float64Array.from(pts.spd),
        startTs,
        startSrc,
        endTs,
        endSrc,
      ],
    },
  ]);
}

export interface CellUnit {
  sb: number;
  /** Last time slot of a unit made of whole time slots sb..sbHi (sparse slots packed together). */
  sbHi?: number;
  klo: number;
  khi: number;
  points: number;
}

/**
 * Stage 2 planning: the stored points (from time slot `fromSb` on) grouped by time slot and cell, cut into units
 * of about `unitPoints` points each. A time slot holding more is cut into runs of contiguous cell keys (at least
 * one cell each); consecutive time slots holding fewer are packed whole into one unit (sb..sbHi), so sparse
 * traffic over a long time is not thousands of tiny units each paying a job's overhead. Also the last slot holding
 * a point.
 */
export async function planCellUnits(
  db: Db,
  grid: EncounterGrid,
  opts: { fromSb?: number; extra?: Array<{ sb: number; cell: number }> } = {},
): Promise<{ units: CellUnit[]; maxSlot: number }> {
  const rows = await db.query(
    `SELECT sb, cell, count(*) AS n, max(slot) AS max_slot FROM ${POINTS_TABLE} WHERE sb >= $1
     GROUP BY sb, cell ORDER BY sb, cell`,
    [opts.fromSb ?? -1],
  );
  const units: CellUnit[] = [];
  let maxSlot = -1;
  let packed: CellUnit | undefined;
  for (let i = 0; i < rows.length; ) {
    const sb = Number(rows[i]!.sb);
    let j = i;
    let total = 0;
    for (; j < rows.length && Number(rows[j]!.sb) === sb; j++) {
      total += Number(rows[j]!.n);
      maxSlot = Math.max(maxSlot, Number(rows[j]!.max_slot));
    }
    const klo = Number(rows[i]!.cell);
    const khi = Number(rows[j - 1]!.cell);
    if (total <= grid.unitPoints) {
      // A light time slot: whole, packed with the light slots before it while the unit has room.
      if (packed && packed.points + total <= grid.unitPoints) {
        packed.sbHi = sb;
        packed.klo = Math.min(packed.klo, klo);
        packed.khi = Math.max(packed.khi, khi);
        packed.points += total;
      } else {
        packed = { sb, klo, khi, points: total };
        units.push(packed);
      }
    } else {
      packed = undefined;
      let cur: CellUnit | undefined;
      for (let k = i; k < j; k++) {
        const cell = Number(rows[k]!.cell);
        const n = Number(rows[k]!.n);
        if (!cur || cur.points + n > grid.unitPoints) {
          cur = { sb, klo: cell, khi: cell, points: 0 };
          units.push(cur);
        }
        cur.khi = cell;
        cur.points += n;
      }
    }
    i = j;
  }
  // Single cells of earlier time slots (the owners of encounters an incremental run replaces).
  const seen = new Set<string>();
  for (const e of opts.extra ?? []) {
    const key = `${e.sb}:${e.cell}`;
    if (seen.has(key) || (opts.fromSb !== undefined && e.sb >= opts.fromSb)) continue;
    seen.add(key);
    units.push({ sb: e.sb, klo: e.cell, khi: e.cell, points: 0 });
  }
  if (opts.fromSb !== undefined) {
    const [m] = await db.query(`SELECT max(slot) AS m FROM ${POINTS_TABLE}`);
    maxSlot = Number(m?.m ?? -1);
  }
  return { units, maxSlot };
}

interface PointRow {
  mmsi: number;
  seg: number;
  slot: number;
  cell: number;
  lat: number;
  lon: number;
  spd: number;
  startTs: number;
  /** Import key of the evidence fix at or after the slot (see sourceOf). */
  startKey: number;
  endTs: number;
  endKey: number;
}

/** Points loaded for a unit, indexed as `findClosePairs` wants them (segments numbered locally). */
class PointSet {
  readonly rows: PointRow[] = [];
  readonly segIndex = new Map<string, number>();
  readonly segMmsi: number[] = [];
  readonly segKey: string[] = [];
  readonly pts: ResampledPoints = { slot: [], seg: [], lat: [], lon: [], spd: [] };
  /** localSeg * 1e7 + slot → row. */
  readonly at = new Map<number, number>();

  private lastMmsi = -1;
  private lastSeg = -1;
  private lastS = -1;

  add(r: PointRow): void {
    // Rows come ordered by (mmsi, seg, slot): look the segment up once per segment.
    let s = this.lastS;
    if (r.mmsi !== this.lastMmsi || r.seg !== this.lastSeg) {
      const key = `${r.mmsi}:${r.seg}`;
      let found = this.segIndex.get(key);
      if (found === undefined) {
        found = this.segMmsi.length;
        this.segIndex.set(key, found);
        this.segMmsi.push(r.mmsi);
        this.segKey.push(key);
      }
      s = found;
      this.lastMmsi = r.mmsi;
      this.lastSeg = r.seg;
      this.lastS = s;
    }
    const at = s * 1e7 + r.slot;
    if (this.at.has(at)) return;
    this.at.set(at, this.rows.length);
    this.rows.push(r);
    this.pts.slot.push(r.slot);
    this.pts.seg.push(s);
    this.pts.lat.push(r.lat);
    this.pts.lon.push(r.lon);
    this.pts.spd.push(r.spd);
  }

  row(seg: number, slot: number): PointRow {
    const i = this.at.get(seg * 1e7 + slot);
    if (i === undefined) throw new Error(`no point of segment ${this.segKey[seg]} at slot ${slot}`);
    return this.rows[i]!;
  }
}

/** The columns a unit reads, as typed columns: 32-bit integers, and doubles (BIGINT values are exact in them). */
const POINT_COLS = `mmsi, seg, CAST(slot AS DOUBLE PRECISION) AS slot, CAST(cell AS DOUBLE PRECISION) AS cell, lat, lon,
  spd, CAST(start_ts AS DOUBLE PRECISION) AS start_ts, start_key, CAST(end_ts AS DOUBLE PRECISION) AS end_ts, end_key`;
const POINT_TYPES = ['int', 'int', 'double', 'double', 'double', 'double', 'double', 'double', 'int', 'double', 'int'];
const POINT_NAMES = ['mmsi', 'seg', 'slot', 'cell', 'lat', 'lon', 'spd', 'start_ts', 'start_key', 'end_ts', 'end_key'];

/** A number written into SQL (COPY takes no parameters): integers as such, others as exact doubles. */
function lit(v: number, integer = false): string {
  if (!Number.isFinite(v)) throw new Error(`encounter points: ${v} is not a finite number`);
  // A string parses to the nearest double on both engines (a decimal literal might not on DuckDB).
  return integer ? String(Math.trunc(v)) : `CAST('${String(v)}' AS DOUBLE PRECISION)`;
}

/**
 * Stream the rows of `sql` (selecting POINT_COLS) as typed values: binary COPY on PostgreSQL and Citus, result
 * chunks on DuckDB (no row objects, no text), row objects on any other Db.
 */
async function readPointRows(db: Db, sql: string, onRow: (v: ArrayLike<number>) => void): Promise<void> {
  if (db instanceof PostgresDb) {
    const decoder = new CopyBinaryDecoder(POINT_TYPES as Array<'int' | 'double'>, { row: onRow });
    await db.copyOut(`COPY (${sql}) TO STDOUT (FORMAT binary)`, (chunk) => decoder.push(chunk));
    decoder.end();
    return;
  }
  const v = new Float64Array(POINT_TYPES.length);
  if (db instanceof DuckDbDb) {
    await db.streamChunks(sql, [], (chunk) => {
      const cols = POINT_TYPES.map((_, c) => {
        const vec = chunk.getColumnVector(c) as unknown as { items?: ArrayLike<number> };
        return vec.items && typeof vec.items.length === 'number'
          ? vec.items
          : chunk.getColumnValues(c).map((x) => Number(x));
      });
      for (let i = 0; i < chunk.rowCount; i++) {
        for (let c = 0; c < cols.length; c++) v[c] = cols[c]![i]!;
        onRow(v);
      }
    });
    return;
  }
  for (const r of await db.query(sql)) {
    for (let c = 0; c < POINT_NAMES.length; c++) v[c] = Number(r[POINT_NAMES[c]!]);
    onRow(v);
  }
}

async function loadPoints(db: Db, sql: string, into = new PointSet()) {
  await readPointRows(db, sql, (v) =>
    into.add({
      mmsi: v[0]!,
      seg: v[1]!,
      slot: v[2]!,
      cell: v[3]!,
      lat: v[4]!,
      lon: v[5]!,
      spd: v[6]!,
      startTs: v[7]!,
      startKey: v[8]!,
      endTs: v[9]!,
      endKey: v[10]!,
    }),
  );
  return into;
}

/** The vessels' points over [lo, hi) (resample slots), ordered so every load of the same rows is the same. */
async function loadVessels(db: Db, mmsis: number[], lo: number, hi: number): Promise<PointSet> {
  return loadPoints(
    db,
    `SELECT ${POINT_COLS} FROM ${POINTS_TABLE} WHERE mmsi IN (${mmsis.map((m) => lit(m, true)).join(',')})
       AND slot >= ${lit(lo, true)} AND slot < ${lit(hi, true)} ORDER BY mmsi, seg, slot`,
  );
}

/**
 * The time before which an incremental run (`--since`) changes no encounter: points before `sinceMs` minus the
 * interpolation gap are unchanged (segmentation and resampling only look back), and an encounter whose last close
 * slot is a merge gap plus a minimum duration before that cannot merge with anything new. Returns a resample slot.
 */
export function unchangedBeforeSlot(sinceMs: number, params: EncounterParams = ENCOUNTER_DEFAULTS): number {
  const slotMs = params.slotS * 1000;
  const firstChanged = Math.floor((sinceMs - params.maxInterpolationGapS * 1000) / slotMs);
  return firstChanged - Math.ceil(params.mergeGapS / params.slotS) - Math.ceil(params.minDurationS / params.slotS) - 2;
}

/** Cells (and time slots) of a vessel's resampled points at one slot: where an encounter starting there is owned. */
export async function ownerCells(db: Db, mmsi: number, slot: number): Promise<Array<{ sb: number; cell: number }>> {
  const rows = await db.query(`SELECT DISTINCT sb, cell FROM ${POINTS_TABLE} WHERE mmsi = $1 AND slot = $2`, [
    mmsi,
    slot,
  ]);
  return rows.map((r) => ({ sb: Number(r.sb), cell: Number(r.cell) }));
}

export interface CellUnitResult {
  findings: Finding[];
  points: number;
  /** Pairs close at a slot of the unit with the lower MMSI's point in its cells (checked further). */
  candidates: number;
  /** Extra reads of two vessels for encounters going on past the window. */
  extensions: number;
}

/**
 * Stage 2: the encounters a cell unit owns (no writes). `statics` is the vessels' static reports (names and IMOs
 * of the findings); `maxSlot` the run's last slot (no point after it, so no need to read further).
 */
export async function detectCellUnit(
  db: Db,
  unit: { sb: number; klo: number; khi: number },
  grid: EncounterGrid,
  maxSlot: number,
  geo: Pick<GeoContext, 'nearestAnchorage' | 'zones'>,
  params: EncounterParams = ENCOUNTER_DEFAULTS,
): Promise<CellUnitResult> {
  const s0 = unit.sb * grid.blockSlots;
  const s1 = s0 + grid.blockSlots;
  // Own cells (those holding points in this time slot) and the region to read: their cells and every neighbour,
  // clipped to the own cells' bounds widened by twice the encounter distance (a partner of a point in an own
  // cell is at most maxDistanceM away).
  const own = await db.query(`SELECT DISTINCT cell FROM ${POINTS_TABLE} WHERE sb = $1 AND cell >= $2 AND cell <= $3`, [
    unit.sb,
    unit.klo,
    unit.khi,
  ]);
  const cells = new Set<number>();
  let minCy = Infinity;
  let maxCy = -Infinity;
  let minCx = Infinity;
  let maxCx = -Infinity;
  for (const r of own) {
    const { cy, cx } = cellOf(Number(r.cell));
    minCy = Math.min(minCy, cy);
    maxCy = Math.max(maxCy, cy);
    minCx = Math.min(minCx, cx);
    maxCx = Math.max(maxCx, cx);
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) cells.add(cellKey(cy + dy, cx + dx));
  }
  const empty: CellUnitResult = { findings: [], points: 0, candidates: 0, extensions: 0 };
  if (cells.size === 0) return empty;
  const marginLat = (2 * params.maxDistanceM) / 111_000;
  const lat0 = minCy * grid.cellDeg - marginLat;
  const lat1 = (maxCy + 1) * grid.cellDeg + marginLat;
  const cos = Math.cos((Math.min(89.9, Math.max(Math.abs(lat0), Math.abs(lat1))) * Math.PI) / 180);
  const marginLon = cos > 0.01 ? marginLat / cos : 360;
  const region = await loadPoints(
    db,
    `SELECT ${POINT_COLS} FROM ${POINTS_TABLE} WHERE sb = ${lit(unit.sb, true)} AND cell IN (${[...cells].join(',')})
       AND lat >= ${lit(lat0)} AND lat <= ${lit(lat1)} AND lon >= ${lit(minCx * grid.cellDeg - marginLon)}
       AND lon <= ${lit((maxCx + 1) * grid.cellDeg + marginLon)} ORDER BY mmsi, seg, slot`,
  );
  const owns = (set: PointSet, seg: number, slot: number) => {
    const c = set.row(seg, slot).cell;
    return slot >= s0 && slot < s1 && c >= unit.klo && c <= unit.khi;
  };
  // Candidate pairs (segment keys of the lower and the higher MMSI).
  const candidates = new Map<string, [string, string]>();
  for (const ps of findClosePairs(region.pts, region.segMmsi, params).values()) {
    if (!ps.slots.some((slot) => owns(region, ps.a, slot))) continue;
    const ka = region.segKey[ps.a]!;
    const kb = region.segKey[ps.b]!;
    candidates.set(`${ka}|${kb}`, [ka, kb]);
  }
  if (candidates.size === 0) return { ...empty, points: region.rows.length };
  // The window an encounter starting in [s0, s1) needs: back far enough to see a run it would merge with, ahead
  // far enough to know it has ended (else read further for that pair).
  const minSlots = Math.ceil(params.minDurationS / params.slotS);
  const mergeSlots = Math.ceil(params.mergeGapS / params.slotS);
  const reach = mergeSlots + minSlots + 1;
  const lo = s0 - reach;
  let hi = s1 + reach;
  const mmsis = new Set<number>();
  for (const [ka, kb] of candidates.values()) {
    mmsis.add(Number(ka.split(':')[0]));
    mmsis.add(Number(kb.split(':')[0]));
  }
  let set = await loadVessels(db, [...mmsis], lo, hi);
  let pending = [...candidates.values()];
  const owned: Array<{ set: PointSet; ps: PairSlots; q0: number; q1: number }> = [];
  let extensions = 0;
  for (;;) {
    const pairs = findClosePairs(set.pts, set.segMmsi, params);
    const byKey = new Map<string, PairSlots>();
    for (const ps of pairs.values()) byKey.set(`${set.segKey[ps.a]}|${set.segKey[ps.b]}`, ps);
    const unfinished: Array<[string, string]> = [];
    for (const [ka, kb] of pending) {
      const ps = byKey.get(`${ka}|${kb}`);
      if (!ps) continue;
      const groups = encounterGroups(ps.slots, params).filter(([q0]) => owns(set, ps.a, ps.slots[q0]!));
      const open = groups.some(([, q1]) => ps.slots[q1]! + reach >= hi && hi <= maxSlot);
      if (open) unfinished.push([ka, kb]);
      else for (const [q0, q1] of groups) owned.push({ set, ps, q0, q1 });
    }
    if (unfinished.length === 0) break;
    // An owned encounter may still be going on at the window's end: read those pairs' vessels further ahead.
    extensions++;
    hi += 4 * (hi - lo);
    pending = unfinished;
    const ms = new Set<number>();
    for (const [ka, kb] of unfinished) {
      ms.add(Number(ka.split(':')[0]));
      ms.add(Number(kb.split(':')[0]));
    }
    set = await loadVessels(db, [...ms], lo, hi);
  }
  if (owned.length === 0) return { ...empty, points: region.rows.length, candidates: candidates.size, extensions };
  const statics = await loadStatics(db, {
    mmsis: [...new Set(owned.flatMap((o) => [o.set.segMmsi[o.ps.a]!, o.set.segMmsi[o.ps.b]!]))],
  });
  const tracks = buildTracks(new PositionBuilder(1).finish(), statics);
  const { idOf } = await importKeys(db);
  const findings: Finding[] = [];
  for (const { set: st, ps, q0, q1 } of owned) {
    const mA = st.segMmsi[ps.a]!;
    const mB = st.segMmsi[ps.b]!;
    const evidence = (): EvidenceRef[] => {
      const out: EvidenceRef[] = [];
      for (const [seg, m] of [
        [ps.a, mA],
        [ps.b, mB],
      ] as const) {
        const a = st.row(seg, ps.slots[q0]!);
        const b = st.row(seg, ps.slots[q1]!);
        out.push({
          source: sourceOf(idOf, a.startKey),
          record: `mmsi:${m}@${a.startTs}`,
          note: `MMSI ${m} at the start of the encounter`,
        });
        out.push({
          source: sourceOf(idOf, b.endKey),
          record: `mmsi:${m}@${b.endTs}`,
          note: `MMSI ${m} at the end of the encounter`,
        });
      }
      return out;
    };
    const f = encounterFinding(tracks, geo, params, {}, mA, mB, ps, q0, q1, evidence);
    if (f) findings.push(f);
  }
  return { findings, points: region.rows.length, candidates: candidates.size, extensions };
}
