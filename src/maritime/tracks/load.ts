import type { DuckDBDataChunk } from '@duckdb/node-api';
import type { Db } from '../../store/db.js';
import { DuckDbDb } from '../../store/duckdb/duckdb-db.js';
import { CopyBinaryDecoder } from '../../store/postgres/copy-binary.js';
import { PostgresDb } from '../../store/postgres/postgres-db.js';
import { PositionBuilder, type PositionColumns, type StaticReport } from './types.js';

/**
 * Read AIS positions and static reports from the store (tables owned by AIS ingestion, see docs/CONVENTIONS.md)
 * into typed columns ordered by (mmsi, ts).
 *
 * `loadPositions` reads typed columns straight from the engine: DuckDB's result chunks (typed vectors copied into
 * the columns, ORDER BY mmsi, ts, lat, lon) and PostgreSQL's binary COPY OUT (decoded without row objects or text,
 * unordered, then put in the same order in the client by `sortByVesselTime`). `loadPositionsAggregated` is the
 * former path (one comma-joined text per vessel, parsed on the client), kept for the benchmark
 * (bench/detect-store.ts) and the parity test; any other `Db` uses it too.
 */
export interface LoadOptions {
  sinceMs?: number;
  untilMs?: number;
  mmsis?: number[];
  /** Only vessels with lo <= mmsi <= hi (a work unit of cluster detection, src/cluster/detect-queue.ts). */
  mmsiRange?: [number, number];
  batchRows?: number;
}

function timeWhere(opts: LoadOptions, params: Array<number | string>, col = 'ts'): string {
  const parts: string[] = [];
  if (opts.sinceMs !== undefined) {
    params.push(opts.sinceMs);
    parts.push(`${col} >= $${params.length}`);
  }
  if (opts.untilMs !== undefined) {
    params.push(opts.untilMs);
    parts.push(`${col} < $${params.length}`);
  }
  return parts.join(' AND ');
}

export async function loadPositionsAggregated(db: Db, opts: LoadOptions = {}): Promise<PositionColumns> {
  const params: Array<number | string> = [];
  const tw = timeWhere(opts, params);
  const mmsiFilter = opts.mmsis?.length ? `mmsi IN (${opts.mmsis.map((m) => Number(m)).join(',')})` : '';
  const where = [tw, mmsiFilter].filter(Boolean).join(' AND ');
  const counts = await db.query<{ mmsi: number; n: number }>(
    `SELECT mmsi, count(*) AS n FROM positions ${where ? `WHERE ${where}` : ''} GROUP BY mmsi ORDER BY mmsi`,
    params,
  );
  const total = counts.reduce((s, r) => s + Number(r.n), 0);
  const pb = new PositionBuilder(Math.max(16, total));
  const batchRows = opts.batchRows ?? 500_000;
  let k = 0;
  while (k < counts.length) {
    let rows = 0;
    const lo = Number(counts[k]!.mmsi);
    let hi = lo;
    while (k < counts.length && (rows === 0 || rows + Number(counts[k]!.n) <= batchRows)) {
      rows += Number(counts[k]!.n);
      hi = Number(counts[k]!.mmsi);
      k++;
    }
    const p2 = [...params, lo, hi];
    // One row per MMSI with its fixes as one comma-joined text (6 fields per fix): far fewer driver row objects
    // than one per fix, and string_agg(... ORDER BY ...) is the same SQL on DuckDB and PostgreSQL.
    const data = await db.query<{ mmsi: number; fixes: string }>(
      `SELECT mmsi, string_agg(
           CAST(ts AS VARCHAR) || ',' || CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR) || ',' ||
           coalesce(CAST(sog AS VARCHAR), '') || ',' || coalesce(CAST(cog AS VARCHAR), '') || ',' ||
           coalesce(replace(i.import_id, ',', ';'), ''), ',' ORDER BY ts) AS fixes
       FROM positions LEFT JOIN position_imports i ON i.import_key = positions.import_key
       WHERE ${where ? `${where} AND ` : ''}mmsi >= $${p2.length - 1} AND mmsi <= $${p2.length}
       GROUP BY mmsi ORDER BY mmsi`,
      p2,
    );
    for (const r of data) {
      const mmsi = Number(r.mmsi);
      const f = String(r.fixes).split(',');
      // Not '': a vessel whose first fix has no import must get 'ais', not the previous vessel's source.
      let lastSrc: string | undefined;
      let lastId = 0;
      for (let i = 0; i + 5 < f.length; i += 6) {
        const src = f[i + 5]!;
        if (src !== lastSrc) {
          lastSrc = src;
          lastId = pb.sourceId(src || 'ais');
        }
        const sog = f[i + 3]!;
        const cog = f[i + 4]!;
        pb.push(
          mmsi,
          Number(f[i]),
          Number(f[i + 1]),
          Number(f[i + 2]),
          sog === '' ? Number.NaN : Number(sog),
          cog === '' ? Number.NaN : Number(cog),
          lastId,
        );
      }
    }
  }
  return pb.finish();
}

/** The WHERE clause with numbers inlined (COPY takes no parameters); every value is checked to be a finite number. */
function inlineWhere(opts: LoadOptions): string {
  const num = (v: number, what: string): string => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`loadPositions: ${what} is not a finite number: ${v}`);
    return String(Math.trunc(n));
  };
  const parts: string[] = [];
  if (opts.sinceMs !== undefined) parts.push(`ts >= ${num(opts.sinceMs, 'sinceMs')}`);
  if (opts.untilMs !== undefined) parts.push(`ts < ${num(opts.untilMs, 'untilMs')}`);
  if (opts.mmsis?.length) parts.push(`mmsi IN (${opts.mmsis.map((m) => num(m, 'mmsi')).join(',')})`);
  if (opts.mmsiRange)
    parts.push(`mmsi >= ${num(opts.mmsiRange[0], 'mmsi')} AND mmsi <= ${num(opts.mmsiRange[1], 'mmsi')}`);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

/** Growable typed columns filled row by row or by chunk copies; `finish` keeps the (mmsi, ts) order check. */
class ColumnSink {
  readonly pb: PositionBuilder;
  /** import_key -> source index (the key's import id, or 'ais' when the key is unknown or NULL). */
  private readonly srcOf = new Map<number, number>();
  constructor(
    capacity: number,
    private readonly importIds: Map<number, string>,
  ) {
    this.pb = new PositionBuilder(Math.max(16, capacity));
  }
  source(key: number): number {
    let id = this.srcOf.get(key);
    if (id === undefined) {
      id = this.pb.sourceId(this.importIds.get(key) || 'ais');
      this.srcOf.set(key, id);
    }
    return id;
  }
}

/** The positions read of `loadPositions`, unordered (PostgreSQL: the client sorts, see `sortByVesselTime`). */
export const POSITION_SELECT_UNORDERED = (where: string) =>
  `SELECT mmsi, CAST(ts AS DOUBLE PRECISION) AS ts, lat, lon,
          coalesce(sog, CAST('NaN' AS REAL)) AS sog, coalesce(cog, CAST('NaN' AS REAL)) AS cog,
          coalesce(import_key, 0) AS import_key
   FROM positions ${where}`;

/** The ordered read (DuckDB sorts it; bench/cluster.ts times it on PostgreSQL against the unordered one). */
export const POSITION_SELECT = (where: string) => `${POSITION_SELECT_UNORDERED(where)}
   ORDER BY mmsi, ts, lat, lon`;

/**
 * Put the first `pb.length` rows of `pb` in (mmsi, ts, lat, lon) order, the order of POSITION_SELECT's ORDER BY;
 * rows equal on all four keep their arrival order. PostgreSQL reads a unit's positions unordered and this sorts
 * them in the client: the server's sort was about 40% of the read's server CPU (and on Citus it runs on the
 * coordinator, the one node every read goes through). Rows arrive partition by partition (day by day), so each
 * vessel's rows mostly come in time order already: a stable bucketing by vessel, then a check per vessel and a
 * comparison sort only of the vessels that need it, costs about one pass when the data allow.
 */
export function sortByVesselTime(pb: PositionBuilder): void {
  const n = pb.length;
  const { mmsi, tsMs, lat, lon } = pb;
  /** Rows a and b of one vessel by (ts, lat, lon). */
  const cmp = (a: number, b: number): number => tsMs[a]! - tsMs[b]! || lat[a]! - lat[b]! || lon[a]! - lon[b]!;
  const after = (a: number, b: number): boolean => cmp(a, b) > 0;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const dm = mmsi[i]! - mmsi[i - 1]!;
    if (dm < 0 || (dm === 0 && after(i - 1, i))) sorted = false;
  }
  if (sorted) return;
  // Stable bucketing by vessel (counting sort on the vessel's rank among the distinct MMSIs).
  const slotOf = new Map<number, number>();
  const keys: number[] = [];
  const counts: number[] = [];
  const slot = new Int32Array(n);
  let lastM = Number.NaN;
  let lastS = -1;
  for (let i = 0; i < n; i++) {
    const m = mmsi[i]!;
    if (m !== lastM) {
      let s = slotOf.get(m);
      if (s === undefined) {
        s = keys.length;
        slotOf.set(m, s);
        keys.push(m);
        counts.push(0);
      }
      lastM = m;
      lastS = s;
    }
    slot[i] = lastS;
    counts[lastS]!++;
  }
  const rank = keys.map((_, s) => s).sort((a, b) => keys[a]! - keys[b]!);
  const start = new Int32Array(keys.length);
  let off = 0;
  for (const s of rank) {
    start[s] = off;
    off += counts[s]!;
  }
  const order = new Int32Array(n);
  const next = start.slice();
  for (let i = 0; i < n; i++) order[next[slot[i]!]!++] = i;
  // Each vessel's rows: sorted by (ts, lat, lon) unless the arrival order already is.
  for (const s of rank) {
    const lo = start[s]!;
    const hi = lo + counts[s]!;
    let ok = true;
    for (let k = lo + 1; k < hi && ok; k++) if (after(order[k - 1]!, order[k]!)) ok = false;
    if (!ok) order.subarray(lo, hi).sort((a, b) => cmp(a, b) || a - b);
  }
  pb.permute(order);
}

/** Typed items of a DuckDB vector (the node-api keeps them as a typed array view over the chunk). */
function vectorItems(chunk: DuckDBDataChunk, col: number): ArrayLike<number> {
  const v = chunk.getColumnVector(col) as unknown as { items?: ArrayLike<number> };
  if (v.items && typeof v.items.length === 'number') return v.items;
  const vals = chunk.getColumnValues(col);
  return vals.map((x) => (x === null ? Number.NaN : Number(x)));
}

export async function loadPositions(db: Db, opts: LoadOptions = {}): Promise<PositionColumns> {
  if (!(db instanceof DuckDbDb) && !(db instanceof PostgresDb)) {
    if (opts.mmsiRange) throw new Error('loadPositions: mmsiRange needs DuckDB or PostgreSQL');
    return loadPositionsAggregated(db, opts);
  }
  const where = inlineWhere(opts);
  // The columns are sized by a count first, except for a cluster unit's MMSI range: a unit is bounded by its plan
  // (about 2 M positions at most), so growing the columns costs little, and on Citus the count of a unit cost its
  // shards' nodes more than half as much as the read itself (bench/results/cluster-server-cpu.md).
  const capacity = opts.mmsiRange
    ? 1 << 16
    : Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM positions ${where}`))[0]?.n ?? 0);
  const keys = await db.query<{ k: number; id: string }>(
    'SELECT import_key AS k, import_id AS id FROM position_imports',
  );
  const importIds = new Map<number, string>();
  for (const r of keys) importIds.set(Number(r.k), String(r.id));
  const sink = new ColumnSink(capacity, importIds);
  const pb = sink.pb;
  if (db instanceof DuckDbDb) {
    await db.streamChunks(POSITION_SELECT(where), [], (chunk) => {
      const n = chunk.rowCount;
      const mmsi = vectorItems(chunk, 0);
      const ts = vectorItems(chunk, 1);
      const lat = vectorItems(chunk, 2);
      const lon = vectorItems(chunk, 3);
      const sog = vectorItems(chunk, 4);
      const cog = vectorItems(chunk, 5);
      const key = vectorItems(chunk, 6);
      let lastKey = Number.NaN;
      let lastSrc = 0;
      for (let i = 0; i < n; i++) {
        const k = key[i]!;
        if (k !== lastKey) {
          lastKey = k;
          lastSrc = sink.source(k);
        }
        pb.push(mmsi[i]!, ts[i]!, lat[i]!, lon[i]!, sog[i]!, cog[i]!, lastSrc);
      }
    });
  } else {
    let lastKey = Number.NaN;
    let lastSrc = 0;
    const decoder = new CopyBinaryDecoder(['int', 'double', 'double', 'double', 'real', 'real', 'int'], {
      row(v) {
        const k = v[6]!;
        if (k !== lastKey) {
          lastKey = k;
          lastSrc = sink.source(k);
        }
        pb.push(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, lastSrc);
      },
    });
    // Unordered: the server's sort was about 40% of this read's server CPU, and on Citus it ran on the coordinator.
    await db.copyOut(`COPY (${POSITION_SELECT_UNORDERED(where)}) TO STDOUT (FORMAT binary)`, (chunk) =>
      decoder.push(chunk),
    );
    decoder.end();
    sortByVesselTime(pb);
  }
  return pb.finish();
}

export async function loadStatics(db: Db, opts: LoadOptions = {}): Promise<StaticReport[]> {
  // Only the MMSI filters apply (a vessel's identity is read from all its reports, whatever the time window).
  // A unit's range is pushed down: reading every vessel's reports for each unit grows with the whole store.
  const where = inlineWhere({
    ...(opts.mmsis?.length ? { mmsis: opts.mmsis } : {}),
    ...(opts.mmsiRange ? { mmsiRange: opts.mmsiRange } : {}),
  });
  const rows = await db.query(
    `SELECT mmsi, ts, imo, name, callsign, ship_type, draught, destination, import_id FROM vessel_static ${where} ORDER BY mmsi, ts`,
  );
  const s = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    tsMs: Number(r.ts),
    imo: n(r.imo),
    name: s(r.name),
    callsign: s(r.callsign),
    shipType: n(r.ship_type),
    draughtM: n(r.draught),
    destination: s(r.destination),
    source: String(r.import_id ?? 'ais'),
  }));
}
