/**
 * AIS store access over the portable `Db`: bulk position and static inserts, identity history upsert, vessel
 * statements, and the queries behind `ais vessel` and the /vessels API. Same SQL on DuckDB and PostgreSQL.
 */
import type { Statement } from '../../model/statement.js';
import type { ColumnSpec, Db, Row } from '../../store/db.js';
import type { Store } from '../../store/store.js';
import { flagOf } from '../ais/mid.js';
import type { IdentityRow } from './identities.js';
import { className, POSITION_COLUMNS, type PositionBuffer } from './position-buffer.js';
import { STATIC_COLUMNS, type StaticRow, staticBatch } from './static-rows.js';

/**
 * Positions carry their import as an integer key (`positions.import_key`); `position_imports` maps it to the
 * import's id in the imports log. A new key for an import (from `position_import_seq`); the mapping is written by
 * `recordPositionImport`, normally in the same transaction.
 */
export async function newPositionImportKey(db: Db): Promise<number> {
  const [r] = await db.query("SELECT nextval('position_import_seq') AS k");
  return Number(r?.k);
}

export async function recordPositionImport(db: Db, importKey: number, importId: string): Promise<void> {
  await db.query('INSERT INTO position_imports (import_key, import_id) VALUES ($1, $2)', [importKey, importId]);
}

/** Append a buffer of positions tagged with a new key for `buf.importId` (recorded in `position_imports`). */
export async function insertPositions(db: Db, buf: PositionBuffer): Promise<number> {
  if (buf.length === 0) return 0;
  return db.transaction(async (tx) => {
    const key = await newPositionImportKey(tx);
    await recordPositionImport(tx, key, buf.importId);
    return tx.bulkInsert('positions', POSITION_COLUMNS, [buf.batch(key)]);
  });
}

export async function insertStatics(db: Db, rows: StaticRow[], importId: string): Promise<number> {
  if (rows.length === 0) return 0;
  return db.bulkInsert('vessel_static', STATIC_COLUMNS, [staticBatch(rows, importId)]);
}

/**
 * De-duplication across imports. The key is (mmsi, ts, lat, lon, msg_type): the same report from the same vessel at
 * the same receive time, the key the importer uses inside a file. An import reads the time range of the stored
 * positions once (`positionsTimeRange`); batches outside it (new data) are appended to `positions` directly, batches
 * inside it go to a staging table (`createPositionStage`) and are added at the end without the reports another
 * import stored (`insertNewPositions`). Deleting rows from the open transaction instead would make the commit
 * rewrite them.
 */
export async function positionsTimeRange(db: Db): Promise<{ lo: number; hi: number } | null> {
  const [r] = await db.query('SELECT min(ts) AS lo, max(ts) AS hi FROM positions');
  if (!r || r.lo === null || r.lo === undefined) return null;
  return { lo: Number(r.lo), hi: Number(r.hi) };
}

let positionStageSeq = 0;

/** A temporary table shaped like `positions` (dropped when the import ends). */
export async function createPositionStage(db: Db): Promise<string> {
  positionStageSeq += 1;
  const name = `wk_ais_positions_${process.pid}_${positionStageSeq}`;
  await db.exec(`CREATE TEMP TABLE ${name} AS SELECT * FROM positions WHERE false`);
  return name;
}

/**
 * Move staged positions into `positions`, leaving out those equal to a stored one (from any import, this one's
 * direct batches included). Drops the stage. `direct` is the number of
 * this import's rows already in `positions`. Returns the number of rows added.
 */
export async function insertNewPositions(db: Db, stage: string, importKey: number, direct: number): Promise<number> {
  const [range] = await db.query(`SELECT min(ts) AS lo, max(ts) AS hi FROM ${stage}`);
  if (!range || range.lo === null) {
    await db.exec(`DROP TABLE IF EXISTS ${stage}`);
    return 0;
  }
  // PostgreSQL: the same anti-join written as LEFT JOIN ... IS NULL (PostgreSQL plans both as an anti join; Citus
  // refuses a correlated NOT EXISTS between a local stage and the distributed positions, docs/cluster.md).
  await db.query(
    db.dialect === 'postgres'
      ? `INSERT INTO positions
     SELECT s.* FROM ${stage} s LEFT JOIN positions o ON o.ts >= $1 AND o.ts <= $2
         AND o.mmsi = s.mmsi AND o.ts = s.ts AND o.lat = s.lat AND o.lon = s.lon AND o.msg_type = s.msg_type
     WHERE o.mmsi IS NULL`
      : `INSERT INTO positions
     SELECT s.* FROM ${stage} s WHERE NOT EXISTS (
       SELECT 1 FROM positions o WHERE o.ts >= $1 AND o.ts <= $2
         AND o.mmsi = s.mmsi AND o.ts = s.ts AND o.lat = s.lat AND o.lon = s.lon AND o.msg_type = s.msg_type)`,
    [BigInt(Number(range.lo)), BigInt(Number(range.hi))],
  );
  await db.exec(`DROP TABLE IF EXISTS ${stage}`);
  const [r] = await db.query('SELECT count(*) AS n FROM positions WHERE import_key = $1', [importKey]);
  return Number(r?.n ?? 0) - direct;
}

/** The same for static rows: a row equal in every column to one another import stored is removed. */
export async function dropKnownStatics(db: Db, importId: string, rows: StaticRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.ts < lo) lo = r.ts;
    if (r.ts > hi) hi = r.ts;
  }
  const range = [BigInt(Math.floor(lo)), BigInt(Math.ceil(hi)), importId];
  const other = await db.query(
    'SELECT 1 AS x FROM vessel_static WHERE ts >= $1 AND ts <= $2 AND import_id IS DISTINCT FROM $3 LIMIT 1',
    range,
  );
  if (other.length === 0) return 0;
  const same = ['imo', 'name', 'callsign', 'ship_type', 'to_bow', 'to_stern', 'to_port', 'to_starboard', 'draught']
    .concat(['destination', 'eta'])
    .map((c) => `o.${c} IS NOT DISTINCT FROM vessel_static.${c}`)
    .join(' AND ');
  const before = await countOf(db, 'vessel_static', importId);
  await db.query(
    `DELETE FROM vessel_static WHERE import_id = $3 AND ts >= $1 AND ts <= $2 AND EXISTS (
       SELECT 1 FROM vessel_static o WHERE o.ts >= $1 AND o.ts <= $2 AND o.import_id IS DISTINCT FROM $3
         AND o.mmsi = vessel_static.mmsi AND o.ts = vessel_static.ts AND ${same})`,
    range,
  );
  return before - (await countOf(db, 'vessel_static', importId));
}

async function countOf(db: Db, table: 'vessel_static', importId: string): Promise<number> {
  const [r] = await db.query(`SELECT count(*) AS n FROM ${table} WHERE import_id = $1`, [importId]);
  return Number(r?.n ?? 0);
}

const IDENTITY_COLUMNS: ColumnSpec[] = [
  { name: 'mmsi', type: 'int' },
  { name: 'name', type: 'text' },
  { name: 'callsign', type: 'text' },
  { name: 'imo', type: 'int' },
  { name: 'ship_type', type: 'smallint' },
  { name: 'flag', type: 'text' },
  { name: 'first_seen', type: 'bigint' },
  { name: 'last_seen', type: 'bigint' },
  { name: 'messages', type: 'int' },
];

let stageSeq = 0;

/**
 * Merge identity tuples into `vessel_identity`: an existing (mmsi, name, callsign, imo, ship_type) row widens its
 * first/last seen and adds its message count; a new tuple is inserted. Set-based through a staging table.
 */
export async function mergeIdentities(db: Db, rows: IdentityRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return db.transaction(async (tx) => {
    stageSeq += 1;
    const stage = `wk_ais_identity_${process.pid}_${stageSeq}`;
    await tx.exec(
      `CREATE TEMP TABLE ${stage} (mmsi INTEGER, name TEXT, callsign TEXT, imo INTEGER, ship_type SMALLINT, flag TEXT, first_seen BIGINT, last_seen BIGINT, messages INTEGER)`,
    );
    try {
      await tx.bulkInsert(stage, IDENTITY_COLUMNS, [
        {
          length: rows.length,
          columns: [
            rows.map((r) => r.mmsi),
            rows.map((r) => r.name),
            rows.map((r) => r.callsign),
            rows.map((r) => r.imo),
            rows.map((r) => r.shipType),
            rows.map((r) => r.flag),
            rows.map((r) => r.firstSeen),
            rows.map((r) => r.lastSeen),
            rows.map((r) => r.messages),
          ],
        },
      ]);
      const same = `v.mmsi = s.mmsi AND v.name IS NOT DISTINCT FROM s.name AND v.callsign IS NOT DISTINCT FROM s.callsign
        AND v.imo IS NOT DISTINCT FROM s.imo AND v.ship_type IS NOT DISTINCT FROM s.ship_type`;
      await tx.exec(
        `UPDATE vessel_identity AS v SET
           first_seen = CASE WHEN s.first_seen < v.first_seen THEN s.first_seen ELSE v.first_seen END,
           last_seen = CASE WHEN s.last_seen > v.last_seen THEN s.last_seen ELSE v.last_seen END,
           messages = v.messages + s.messages
         FROM ${stage} AS s WHERE ${same}`,
      );
      await tx.exec(
        `INSERT INTO vessel_identity (mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages)
         SELECT s.mmsi, s.name, s.callsign, s.imo, s.ship_type, s.flag, s.first_seen, s.last_seen, s.messages
         FROM ${stage} AS s ${
           tx.dialect === 'postgres'
             ? `LEFT JOIN vessel_identity v ON ${same} WHERE v.mmsi IS NULL` // anti-join Citus accepts (see above)
             : `WHERE NOT EXISTS (SELECT 1 FROM vessel_identity v WHERE ${same})`
         }`,
      );
    } finally {
      await tx.exec(`DROP TABLE IF EXISTS ${stage}`);
    }
    return rows.length;
  });
}

/** FtM Vessel statements (`ais-<mmsi>`) for vessels seen, so screening can link AIS vessels to listed ones. */
export function vesselStatements(
  vessels: Iterable<{
    mmsi: number;
    name?: string | null;
    imo?: number | null;
    callsign?: string | null;
    lastSeen: number;
    record: string;
  }>,
): Statement[] {
  const out: Statement[] = [];
  for (const v of vessels) {
    const entityId = `ais-${v.mmsi}`;
    const seenAt = Number.isFinite(v.lastSeen) ? new Date(v.lastSeen).toISOString() : new Date().toISOString();
    const add = (prop: string, value: string | null | undefined) => {
      if (value === null || value === undefined || value === '') return;
      out.push({ entityId, schema: 'Vessel', prop, value, source: 'ais', sourceRecord: v.record, seenAt });
    };
    add('mmsi', String(v.mmsi));
    add('name', v.name);
    add('imoNumber', v.imo ? `IMO${v.imo}` : null);
    add('callSign', v.callsign);
    add('flag', flagOf(v.mmsi)?.toLowerCase());
  }
  return out;
}

// ---- queries ----------------------------------------------------------------------------------------------

/** A vessel's latest identity, seen from the first time of any of its identities to the last of its latest. */
export type VesselSummary = Omit<IdentityRow, 'messages'>;

export interface PositionOut {
  mmsi: number;
  ts: number;
  time: string;
  lat: number;
  lon: number;
  sog: number | null;
  cog: number | null;
  heading: number | null;
  navStatus: number | null;
  msgType: number;
  class: string | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toIdentity(r: Row): IdentityRow {
  return {
    mmsi: Number(r.mmsi),
    name: str(r.name),
    callsign: str(r.callsign),
    imo: num(r.imo),
    shipType: num(r.ship_type),
    flag: str(r.flag),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    messages: Number(r.messages),
  };
}

function toPosition(r: Row): PositionOut {
  const ts = Number(r.ts);
  return {
    mmsi: Number(r.mmsi),
    ts,
    time: new Date(ts).toISOString(),
    lat: Number(r.lat),
    lon: Number(r.lon),
    sog: num(r.sog) === null ? null : Math.round(Number(r.sog) * 10) / 10,
    cog: num(r.cog) === null ? null : Math.round(Number(r.cog) * 10) / 10,
    heading: num(r.heading),
    navStatus: num(r.nav_status),
    msgType: Number(r.msg_type),
    class: className(r.class),
  };
}

/** Identity history of one MMSI, oldest first. */
export async function identityHistory(db: Db, mmsi: number): Promise<IdentityRow[]> {
  const rows = await db.query('SELECT * FROM vessel_identity WHERE mmsi = $1 ORDER BY first_seen, last_seen', [mmsi]);
  return rows.map(toIdentity);
}

/** MMSIs that ever reported this IMO number. */
export async function mmsisForImo(db: Db, imo: number): Promise<number[]> {
  const rows = await db.query('SELECT DISTINCT mmsi FROM vessel_identity WHERE imo = $1 ORDER BY mmsi', [imo]);
  return rows.map((r) => Number(r.mmsi));
}

export async function lastPositions(db: Db, mmsi: number, limit = 10): Promise<PositionOut[]> {
  const rows = await db.query('SELECT * FROM positions WHERE mmsi = $1 ORDER BY ts DESC LIMIT $2', [mmsi, limit]);
  return rows.map(toPosition);
}

export async function track(
  db: Db,
  mmsi: number,
  opts: { sinceMs?: number; untilMs?: number; limit?: number } = {},
): Promise<PositionOut[]> {
  const rows = await db.query('SELECT * FROM positions WHERE mmsi = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4', [
    mmsi,
    opts.sinceMs ?? 0,
    opts.untilMs ?? 8.64e15,
    opts.limit ?? 10000,
  ]);
  return rows.map(toPosition);
}

export async function positionStats(
  db: Db,
  mmsi: number,
): Promise<{ count: number; first: number | null; last: number | null }> {
  const [r] = await db.query('SELECT count(*) AS n, min(ts) AS first, max(ts) AS last FROM positions WHERE mmsi = $1', [
    mmsi,
  ]);
  return { count: Number(r?.n ?? 0), first: num(r?.first), last: num(r?.last) };
}

/**
 * Vessels (one row per MMSI) with their latest identity; optional case-insensitive name / call sign / MMSI / IMO
 * filter. Ordered by most recently seen.
 */
export async function listVessels(
  db: Db,
  opts: { q?: string; limit?: number; offset?: number } = {},
): Promise<VesselSummary[]> {
  const params: Array<string | number> = [];
  let where = '';
  if (opts.q) {
    params.push(`%${opts.q.toUpperCase()}%`);
    where = `WHERE upper(coalesce(name, '')) LIKE $1 OR upper(coalesce(callsign, '')) LIKE $1 OR CAST(mmsi AS TEXT) LIKE $1 OR CAST(imo AS TEXT) LIKE $1`;
  }
  params.push(opts.limit ?? 100, opts.offset ?? 0);
  const rows = await db.query(
    `WITH latest AS (
       SELECT mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen,
              row_number() OVER (PARTITION BY mmsi ORDER BY last_seen DESC, first_seen DESC) AS rn,
              min(first_seen) OVER (PARTITION BY mmsi) AS first_any
       FROM vessel_identity)
     SELECT mmsi, name, callsign, imo, ship_type, flag, first_any AS first_seen, last_seen FROM latest
     WHERE rn = 1 ${where ? `AND (${where.slice(6)})` : ''}
     ORDER BY last_seen DESC, mmsi LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    name: str(r.name),
    callsign: str(r.callsign),
    imo: num(r.imo),
    shipType: num(r.ship_type),
    flag: str(r.flag),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
  }));
}

/** Full picture of one vessel for `ais vessel` and GET /vessels/{mmsi}. */
export async function vesselDetail(store: Store, mmsi: number, positions = 10) {
  const [identities, last, stats] = await Promise.all([
    identityHistory(store.db, mmsi),
    lastPositions(store.db, mmsi, positions),
    positionStats(store.db, mmsi),
  ]);
  return {
    mmsi,
    entityId: `ais-${mmsi}`,
    flag: flagOf(mmsi) ?? null,
    identities,
    positionCount: stats.count,
    firstPosition: stats.first,
    lastPosition: stats.last,
    lastPositions: last,
  };
}

// ---- the workspace's reads (cases/ais-tables.ts) ------------------------------------------------------------

/** Identity history of an MMSI and of every MMSI that broadcast the IMO number (clones, re-flagging), oldest first. */
export async function hullIdentities(
  db: Db,
  mmsi: number | undefined,
  imo: number | undefined,
): Promise<IdentityRow[]> {
  const clauses: string[] = [];
  const params: number[] = [];
  if (mmsi !== undefined) clauses.push(`mmsi = $${params.push(mmsi)}`);
  if (imo !== undefined) clauses.push(`imo = $${params.push(imo)}`);
  if (clauses.length === 0) return [];
  const rows = await db.query(
    `SELECT mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages FROM vessel_identity
      WHERE ${clauses.join(' OR ')} ORDER BY first_seen, mmsi`,
    params,
  );
  return rows.map(toIdentity);
}

/** Positions of some vessels (all when `mmsi` is absent) in [sinceMs, untilMs). */
export interface PositionFilter {
  mmsi?: number[];
  sinceMs?: number;
  untilMs?: number;
}

function positionWhere(f: PositionFilter): { where: string; params: number[] } {
  const where: string[] = [];
  const params: number[] = [];
  if (f.mmsi?.length) where.push(`mmsi IN (${f.mmsi.map((m) => `$${params.push(m)}`).join(', ')})`);
  if (f.sinceMs !== undefined) where.push(`ts >= $${params.push(f.sinceMs)}`);
  if (f.untilMs !== undefined) where.push(`ts < $${params.push(f.untilMs)}`);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export async function countPositions(db: Db, f: PositionFilter): Promise<number> {
  const { where, params } = positionWhere(f);
  const [r] = await db.query(`SELECT COUNT(*) AS n FROM positions ${where}`, params);
  return Number(r?.n ?? 0);
}

/** Time, place and speed of the matching positions, by vessel then time; every `stride`-th per vessel when > 1. */
export async function positionPoints(
  db: Db,
  f: PositionFilter,
  stride = 1,
): Promise<Array<{ mmsi: number; ts: number; lat: number; lon: number; sog: number | null }>> {
  const { where, params } = positionWhere(f);
  const s = Math.max(1, Math.floor(stride));
  const rows = await db.query(
    s === 1
      ? `SELECT mmsi, ts, lat, lon, sog FROM positions ${where} ORDER BY mmsi, ts`
      : `SELECT mmsi, ts, lat, lon, sog FROM (SELECT mmsi, ts, lat, lon, sog, ROW_NUMBER() OVER (PARTITION BY mmsi ORDER BY ts) AS rn FROM positions ${where}) x WHERE rn % ${s} = 1 ORDER BY mmsi, ts`,
    params,
  );
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    ts: Number(r.ts),
    lat: Number(r.lat),
    lon: Number(r.lon),
    sog: num(r.sog),
  }));
}

/** How many positions and vessels are stored, their time range (epoch ms) and bounding box; null when none. */
export async function positionCoverage(db: Db): Promise<{
  positions: number;
  vessels: number;
  fromMs: number;
  toMs: number;
  bbox: [number, number, number, number];
} | null> {
  const [r] = await db.query(
    'SELECT COUNT(*) AS n, COUNT(DISTINCT mmsi) AS v, MIN(ts) AS t0, MAX(ts) AS t1, MIN(lon) AS x0, MIN(lat) AS y0, MAX(lon) AS x1, MAX(lat) AS y1 FROM positions',
  );
  if (!r || Number(r.n ?? 0) === 0) return null;
  return {
    positions: Number(r.n),
    vessels: Number(r.v),
    fromMs: Number(r.t0),
    toMs: Number(r.t1),
    bbox: [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)],
  };
}

// ---- detection state (tables of migration 0300, read and written by maritime/detect.ts) --------------------

/** AIS imports the detectors have already run over (the incremental watermark). */
export async function detectedImportIds(db: Db): Promise<Set<string>> {
  const rows = await db.query<{ import_id: string }>('SELECT DISTINCT import_id FROM maritime_detect_imports');
  return new Set(rows.map((r) => r.import_id));
}

/** The imports-log id of every import that stored positions ('' for positions without a mapped import). */
export async function positionImportIds(db: Db): Promise<string[]> {
  const rows = await db.query<{ id: string | null }>(
    'SELECT i.import_id AS id FROM (SELECT DISTINCT import_key FROM positions) p LEFT JOIN position_imports i ON i.import_key = p.import_key',
  );
  return rows.map((r) => r.id ?? '');
}

/** Time range (epoch ms) of the positions of these imports ('' stands for unmapped positions); null when none. */
export async function importsTimeRange(db: Db, importIds: string[]): Promise<{ lo: number; hi: number } | null> {
  if (importIds.length === 0) return null;
  const ph = importIds.map((_, i) => `$${i + 1}`).join(',');
  const [r] = await db.query(
    `SELECT min(p.ts) AS lo, max(p.ts) AS hi FROM positions p LEFT JOIN position_imports i ON i.import_key = p.import_key WHERE coalesce(i.import_id, '') IN (${ph})`,
    importIds,
  );
  if (!r || r.lo === null || r.lo === undefined) return null;
  return { lo: Number(r.lo), hi: Number(r.hi) };
}

export interface StoredZoneRow {
  id: string;
  name: string;
  geojson: string;
}

/** User zones (GeoJSON text), by id. */
export async function zoneRows(db: Db): Promise<StoredZoneRow[]> {
  const rows = await db.query('SELECT id, name, geojson FROM maritime_zones ORDER BY id');
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), geojson: String(r.geojson) }));
}

/** Store a user zone, replacing one with the same id. */
export async function putZone(db: Db, zone: StoredZoneRow, addedAt: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM maritime_zones WHERE id = $1', [zone.id]);
    await tx.query('INSERT INTO maritime_zones (id, name, geojson, added_at) VALUES ($1, $2, $3, $4)', [
      zone.id,
      zone.name,
      zone.geojson,
      addedAt,
    ]);
  });
}

export interface DetectRunRow {
  runId: string;
  startedAt: string;
  windowStartMs: number | null;
  windowEndMs: number | null;
  positions: number;
  vessels: number;
  findings: number;
  kinds: readonly string[];
  durationMs: number;
}

/** Log a detection run and mark its new imports as seen, in one transaction. */
export async function recordDetectRun(db: Db, run: DetectRunRow, newImports: string[], at: string): Promise<void> {
  await db.transaction(async (tx) => {
    for (const id of newImports)
      await tx.query('INSERT INTO maritime_detect_imports (import_id, detected_at, run_id) VALUES ($1, $2, $3)', [
        id,
        at,
        run.runId,
      ]);
    await tx.query(
      'INSERT INTO maritime_detect_runs (run_id, started_at, window_start, window_end, positions, vessels, findings, kinds, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [
        run.runId,
        run.startedAt,
        run.windowStartMs,
        run.windowEndMs,
        run.positions,
        run.vessels,
        run.findings,
        run.kinds.join(','),
        run.durationMs,
      ],
    );
  });
}
