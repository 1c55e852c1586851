/**
 * Time partitioning of `positions` on PostgreSQL (and Citus): the table is partitioned by day on `ts` (native
 * declarative RANGE partitions, one per UTC day, `positions_pYYYYMMDD`), with a DEFAULT partition
 * (`positions_default`) that catches rows of a day whose partition does not exist yet (writers that do not call
 * `ensurePositionPartitions`, e.g. test fixtures), so no insert ever fails for want of a partition.
 *
 * Imports call `ensurePositionPartitions(db, loMs, hiMs)` before they insert: it creates the missing day partitions
 * (moving rows of those days out of the default partition first, if any). On Citus the partitioned parent is the
 * distributed table, so each shard is itself partitioned by day and a new partition is distributed (colocated)
 * as it is created.
 *
 * Retention: `columnarAfter(db, days)` converts day partitions older than `days` to Citus columnar storage
 * (`alter_table_set_access_method`): about 5-10x smaller, read-only in practice (columnar refuses UPDATE/DELETE,
 * which the store never issues on positions). Plain PostgreSQL has no columnar access method: refused.
 *
 * DuckDB stays unpartitioned (its zone maps serve time ranges).
 */
import { UserError } from '../../errors.js';
import type { Db, Migration } from '../db.js';

const DAY_MS = 86_400_000;

/** Migration: rebuild `positions` as a table partitioned by day on `ts` (PostgreSQL only; DuckDB: nothing). */
export const partitionMigrations: Migration[] = [
  {
    id: '0290_positions_partitioned_by_day',
    description: 'positions partitioned by day on ts (PostgreSQL; a DEFAULT partition catches days not created yet)',
    sql: {
      duckdb: '',
      postgres: `
CREATE TABLE positions_by_day (LIKE positions INCLUDING DEFAULTS) PARTITION BY RANGE (ts);
CREATE TABLE positions_default PARTITION OF positions_by_day DEFAULT;
INSERT INTO positions_by_day SELECT * FROM positions;
DROP TABLE positions;
ALTER TABLE positions_by_day RENAME TO positions;
CREATE INDEX positions_mmsi_ts_idx ON positions (mmsi, ts);
CREATE INDEX positions_ts_idx ON positions (ts);
CREATE INDEX positions_import_idx ON positions (import_key);
`,
    },
  },
];

export function partitionName(dayStartMs: number): string {
  return `positions_p${new Date(dayStartMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export interface PositionPartition {
  name: string;
  /** [fromMs, toMs) or null for the default partition. */
  fromMs: number | null;
  toMs: number | null;
  accessMethod: string;
  rows: number;
}

/** The partitions of `positions` (empty when it is not partitioned, e.g. DuckDB). */
export async function positionPartitions(db: Db, withRows = false): Promise<PositionPartition[]> {
  if (db.dialect !== 'postgres') return [];
  const rows = await db.query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound, coalesce(am.amname, 'heap') AS am
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     LEFT JOIN pg_am am ON am.oid = c.relam
     WHERE p.relname = 'positions' AND p.relnamespace = 'public'::regnamespace ORDER BY c.relname`,
  );
  const out: PositionPartition[] = [];
  for (const r of rows) {
    const bound = String(r.bound);
    const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(bound);
    out.push({
      name: String(r.name),
      fromMs: m ? Number(m[1]) : null,
      toMs: m ? Number(m[2]) : null,
      accessMethod: String(r.am),
      rows: 0,
    });
  }
  if (withRows)
    for (const p of out) {
      const [c] = await db.query(`SELECT count(*) AS n FROM ${p.name}`);
      p.rows = Number(c?.n ?? 0);
    }
  return out;
}

/** Partitions known to exist, per Db (creating is idempotent; this only saves the catalogue look-up per batch). */
const known = new WeakMap<Db, Set<string>>();
/** Stores whose positions table is not partitioned (before the migration ran: a store opened by migrate only). */
const unpartitioned = new WeakSet<Db>();

async function isPartitioned(db: Db): Promise<boolean> {
  const [r] = await db.query(
    "SELECT c.relkind AS k FROM pg_class c WHERE c.relname = 'positions' AND c.relnamespace = 'public'::regnamespace",
  );
  return r?.k === 'p';
}

async function hasCitus(db: Db): Promise<boolean> {
  return (await db.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'")).length > 0;
}

/**
 * Create the day partitions covering [loMs, hiMs] that do not exist yet (PostgreSQL; nothing on DuckDB or when
 * positions is not partitioned). Rows of those days already in the default partition are moved into the new
 * partition. Serialised by an advisory lock (two imports creating the same day). Joins the caller's transaction.
 */
export async function ensurePositionPartitions(db: Db, loMs: number, hiMs: number): Promise<string[]> {
  if (db.dialect !== 'postgres' || !Number.isFinite(loMs) || !Number.isFinite(hiMs)) return [];
  if (unpartitioned.has(db)) return [];
  let set = known.get(db);
  const first = Math.floor(loMs / DAY_MS) * DAY_MS;
  const days: number[] = [];
  for (let d = first; d <= hiMs; d += DAY_MS) if (!set?.has(partitionName(d))) days.push(d);
  if (days.length === 0) return [];
  const created: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(1919191920)');
    if (!(await isPartitioned(tx))) {
      unpartitioned.add(db);
      return;
    }
    const existing = new Set((await positionPartitions(tx)).map((p) => p.name));
    const citus = await hasCitus(tx);
    for (const d of days) {
      const name = partitionName(d);
      if (existing.has(name)) continue;
      const lo = d;
      const hi = d + DAY_MS;
      const stray = await tx.query(`SELECT 1 FROM positions_default WHERE ts >= ${lo} AND ts < ${hi} LIMIT 1`);
      if (stray.length === 0) {
        await tx.exec(`CREATE TABLE ${name} PARTITION OF positions FOR VALUES FROM (${lo}) TO (${hi})`);
      } else {
        // Rows of this day sit in the default partition: move them into a new table, then attach it.
        await tx.exec(`CREATE TABLE ${name} (LIKE positions INCLUDING DEFAULTS)`);
        if (citus) await tx.query("SELECT create_distributed_table($1, 'mmsi', colocate_with => 'positions')", [name]);
        await tx.exec(`INSERT INTO ${name} SELECT * FROM positions_default WHERE ts >= ${lo} AND ts < ${hi}`);
        await tx.exec(`DELETE FROM positions_default WHERE ts >= ${lo} AND ts < ${hi}`);
        await tx.exec(`ALTER TABLE positions ATTACH PARTITION ${name} FOR VALUES FROM (${lo}) TO (${hi})`);
      }
      created.push(name);
    }
  });
  set = known.get(db) ?? new Set();
  for (const d of days) set.add(partitionName(d));
  known.set(db, set);
  return created;
}

export interface ColumnarResult {
  converted: string[];
  alreadyColumnar: number;
  kept: number;
}

/**
 * Convert day partitions that end more than `days` days before `nowMs` to Citus columnar storage. Needs Citus
 * (its columnar access method); refused on plain PostgreSQL and DuckDB.
 */
export async function columnarAfter(db: Db, days: number, nowMs = Date.now()): Promise<ColumnarResult> {
  if (!Number.isFinite(days) || days < 0) throw new UserError(`--columnar-after: not a number of days: ${days}`);
  if (db.dialect !== 'postgres' || !(await hasCitus(db)))
    throw new UserError('--columnar-after needs a PostgreSQL store with Citus (its columnar storage)');
  const am = await db.query("SELECT 1 FROM pg_am WHERE amname = 'columnar'");
  if (am.length === 0) await db.exec('CREATE EXTENSION IF NOT EXISTS citus_columnar');
  const cutoff = nowMs - days * DAY_MS;
  const result: ColumnarResult = { converted: [], alreadyColumnar: 0, kept: 0 };
  for (const p of await positionPartitions(db)) {
    if (p.toMs === null) continue;
    if (p.toMs > cutoff) {
      result.kept++;
      continue;
    }
    if (p.accessMethod === 'columnar') {
      result.alreadyColumnar++;
      continue;
    }
    await db.query("SELECT alter_table_set_access_method($1, 'columnar')", [p.name]);
    result.converted.push(p.name);
  }
  return result;
}
