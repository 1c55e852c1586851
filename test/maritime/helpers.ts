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

/**
 * Write simulator output straight into the AIS tables (the layout in docs/CONVENTIONS.md), as one import, so
 * detection can be tested without the NMEA decoder. `filter` keeps a subset of positions (for incremental tests).
 */
export async function writeSimulation(
  store: Store,
  sim: SimOutput,
  importId: string,
  filter?: (tsMs: number) => boolean,
): Promise<number> {
  const p = sim.positions;
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) if (!filter || filter(p.tsMs[i]!)) idx.push(i);
  const take = <T extends Float64Array | Int32Array | Float32Array>(a: T, C: new (n: number) => T): T => {
    const out = new C(idx.length);
    idx.forEach((i, k) => {
      out[k] = a[i]!;
    });
    return out;
  };
  const n = idx.length;
  // positions carry their import as a key into position_imports (migration 0201_ais_position_integers).
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
        columns: [
          take(p.mmsi, Int32Array),
          Array.from(take(p.tsMs, Float64Array), (t) => BigInt(t)),
          take(p.lat, Float64Array),
          take(p.lon, Float64Array),
          take(p.sogKn, Float32Array),
          take(p.cogDeg, Float32Array),
          new Int16Array(n).fill(1),
          new Int32Array(n).fill(key),
        ],
      },
    ],
  );
  await writeStatics(
    store,
    sim.statics.filter((s) => !filter || filter(s.tsMs)),
    importId,
  );
  return n;
}
