import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeStatics } from '../../src/cluster/sim-dataset.js';
import type { SimOutput } from '../../src/maritime/simulate/generate.js';
import { newPositionImportKey, recordPositionImport } from '../../src/maritime/store/repository.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/** A fresh DuckDB store in a temporary directory; `cleanup` closes and removes it. */
export async function tempStore(): Promise<{ store: Store; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-maritime-'));
  const store = await openStore({ url: path.join(dir, 'test.duckdb') });
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Position columns as a test or bench builds them (msg_type 1 for all; the other columns are left NULL). */
export interface PositionColumns {
  mmsi: Int32Array;
  ts: bigint[];
  lat: Float64Array;
  lon: Float64Array;
  sog: Float32Array;
  cog: Float32Array;
}

/** Positions written as one import: a key in position_imports (migration 0201) and one bulk insert. */
export async function insertPositions(store: Store, importId: string, c: PositionColumns): Promise<number> {
  const n = c.mmsi.length;
  const key = await newPositionImportKey(store.db);
  await recordPositionImport(store.db, key, importId);
  await store.db.bulkInsert(
    'positions',
    [
      { name: 'mmsi', type: 'int' },
      { name: 'ts', type: 'bigint' },
      { name: 'lat', type: 'double' },
      { name: 'lon', type: 'double' },
      { name: 'sog', type: 'real' },
      { name: 'cog', type: 'real' },
      { name: 'msg_type', type: 'smallint' },
      { name: 'import_key', type: 'int' },
    ],
    [
      {
        length: n,
        columns: [c.mmsi, c.ts, c.lat, c.lon, c.sog, c.cog, new Int16Array(n).fill(1), new Int32Array(n).fill(key)],
      },
    ],
  );
  return n;
}

/**
 * Write simulator output straight into the AIS tables (the layout in docs/CONVENTIONS.md), as one import, so
 * detection can be tested without the NMEA decoder. `filter` keeps a subset of positions and static reports (for
 * incremental tests).
 */
export async function writeSimulation(
  store: Store,
  sim: SimOutput,
  importId: string,
  filter?: (tsMs: number, mmsi: number) => boolean,
): Promise<number> {
  const p = sim.positions;
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) if (!filter || filter(p.tsMs[i]!, p.mmsi[i]!)) idx.push(i);
  const n = await insertPositions(store, importId, {
    mmsi: Int32Array.from(idx, (i) => p.mmsi[i]!),
    ts: idx.map((i) => BigInt(p.tsMs[i]!)),
    lat: Float64Array.from(idx, (i) => p.lat[i]!),
    lon: Float64Array.from(idx, (i) => p.lon[i]!),
    sog: Float32Array.from(idx, (i) => p.sogKn[i]!),
    cog: Float32Array.from(idx, (i) => p.cogDeg[i]!),
  });
  await writeStatics(
    store,
    sim.statics.filter((s) => !filter || filter(s.tsMs, s.mmsi)),
    importId,
  );
  return n;
}
