import { simulate } from '../maritime/simulate/generate.js';
import { insertStatics, newPositionImportKey, recordPositionImport } from '../maritime/store/repository.js';
import type { PositionColumns, StaticReport } from '../maritime/tracks/types.js';
import type { Store } from '../store/store.js';

/**
 * Large simulated AIS datasets for the store and cluster benchmarks (bench/detect-store.ts, bench/cluster.ts):
 * copies of the Yellow Sea scenario (src/maritime/simulate) with different seeds, each copy's MMSIs shifted by
 * `copy × 1,000,000` so the fleets do not collide, written straight into `positions` / `vessel_static` as one
 * import per copy (as `watchkeeper ais import` would, without the NMEA round trip). About 430,000 positions and
 * 44 vessels per copy (three days of the scenario).
 *
 * `layout` says where the copies sit in time:
 * - `stacked`: every copy over the same three days, so the fleets pile up in the same sea (n copies put n times
 *   one fleet's ships in each grid cell at each hour, and the candidate pairs of an encounter cell grow with the
 *   square of that);
 * - `sequential`: copy k starts k × 3 days later, so each cell holds one fleet's density at a time and n copies
 *   are n × 3 days of traffic (the large benchmarks use this: a density no real sea reaches is not a scale test).
 */
export type SimLayout = 'stacked' | 'sequential';

/** The time one copy of the scenario spans (its positions fall within [start, start + COPY_SPAN_MS)). */
export const COPY_SPAN_MS = 3 * 86_400_000;
export interface SimCopy {
  positions: PositionColumns;
  statics: StaticReport[];
}

export function simulatedCopy(copy: number, seed0 = 101, layout: SimLayout = 'stacked'): SimCopy {
  const sim = simulate('yellow-sea', seed0 + copy);
  const shift = copy * 1_000_000;
  const dt = layout === 'sequential' ? copy * COPY_SPAN_MS : 0;
  const p = sim.positions;
  const mmsi = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) mmsi[i] = p.mmsi[i]! + shift;
  let tsMs = p.tsMs;
  if (dt !== 0) {
    tsMs = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) tsMs[i] = p.tsMs[i]! + dt;
  }
  return {
    positions: { ...p, mmsi, tsMs },
    statics: sim.statics.map((s) => ({ ...s, mmsi: s.mmsi + shift, tsMs: s.tsMs + dt })),
  };
}

export const POSITION_SPEC = [
  { name: 'mmsi', type: 'int' as const },
  { name: 'ts', type: 'bigint' as const },
  { name: 'lat', type: 'double' as const },
  { name: 'lon', type: 'double' as const },
  { name: 'sog', type: 'real' as const },
  { name: 'cog', type: 'real' as const },
  { name: 'msg_type', type: 'smallint' as const },
  { name: 'import_key', type: 'int' as const },
];

/** Write one copy as one import (positions, static reports, position_imports); returns the positions written. */
export async function writeCopy(store: Store, c: SimCopy, importId: string): Promise<number> {
  const p = c.positions;
  const n = p.length;
  await store.db.transaction(async () => {
    const key = await newPositionImportKey(store.db);
    await recordPositionImport(store.db, key, importId);
    await store.db.bulkInsert('positions', POSITION_SPEC, [
      {
        length: n,
        columns: [
          p.mmsi,
          Array.from(p.tsMs, (t) => BigInt(t)),
          p.lat,
          p.lon,
          p.sogKn,
          p.cogDeg,
          new Int16Array(n).fill(1),
          new Int32Array(n).fill(key),
        ],
      },
    ]);
    await writeStatics(store, c.statics, importId);
  });
  return n;
}

/** Write copies until at least `target` positions are stored; returns the count and the generation/write times. */
export async function writeSimulated(
  store: Store,
  target: number,
  log: (s: string) => void = () => {},
): Promise<{ positions: number; copies: number; simMs: number; writeMs: number }> {
  let total = 0;
  let copies = 0;
  let simMs = 0;
  let writeMs = 0;
  while (total < target) {
    let t = performance.now();
    const c = simulatedCopy(copies);
    simMs += performance.now() - t;
    t = performance.now();
    total += await writeCopy(store, c, `sim:copy-${copies}`);
    writeMs += performance.now() - t;
    copies++;
    log(`  copy ${copies}: ${total.toLocaleString('en-US')} positions`);
  }
  return { positions: total, copies, simMs, writeMs };
}

/** Static reports written straight into `vessel_static` under one import (as an NMEA import would store them). */
export async function writeStatics(store: Store, st: readonly StaticReport[], importId: string): Promise<void> {
  await insertStatics(
    store.db,
    st.map((s) => ({
      mmsi: s.mmsi,
      ts: s.tsMs,
      imo: s.imo,
      name: s.name,
      callsign: s.callsign,
      shipType: s.shipType,
      toBow: null,
      toStern: null,
      toPort: null,
      toStarboard: null,
      draughtM: s.draughtM,
      destination: s.destination,
      eta: null,
    })),
    importId,
  );
}
