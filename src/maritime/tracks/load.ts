import type { Db } from '../../store/db.js';
import { PositionBuilder, type PositionColumns, type StaticReport } from './types.js';

/**
 * Read AIS positions and static reports from the store (tables owned by AIS ingestion, see docs/CONVENTIONS.md)
 * into typed columns ordered by (mmsi, ts). Reads in MMSI batches of about `batchRows` rows so the row objects
 * the driver creates never pile up; the columns themselves are typed arrays.
 */
export interface LoadOptions {
  sinceMs?: number;
  untilMs?: number;
  mmsis?: number[];
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

export async function loadPositions(db: Db, opts: LoadOptions = {}): Promise<PositionColumns> {
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
      let lastSrc = '';
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

export async function loadStatics(db: Db, opts: LoadOptions = {}): Promise<StaticReport[]> {
  const params: Array<number | string> = [];
  const mmsiFilter = opts.mmsis?.length ? `WHERE mmsi IN (${opts.mmsis.map((m) => Number(m)).join(',')})` : '';
  const rows = await db.query(
    `SELECT mmsi, ts, imo, name, callsign, ship_type, draught, destination, import_id FROM vessel_static ${mmsiFilter} ORDER BY mmsi, ts`,
    params,
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
