import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { loadPositions, loadPositionsAggregated } from '../../src/maritime/tracks/load.js';
import type { PositionColumns } from '../../src/maritime/tracks/types.js';
import { openDb, openStore } from '../../src/store/open.js';
import { CopyBinaryDecoder, copyBinaryChunks } from '../../src/store/postgres/copy-binary.js';
import type { Store } from '../../src/store/store.js';
import { tempStore, writeSimulation } from '../maritime/helpers.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/** Typed-column reads (DuckDB chunks, PostgreSQL binary COPY OUT) give exactly what the former text path gave. */

const sim = simulate('yellow-sea', 7, { hours: 12 });

/** Rows the simulator never writes: NULL speed/course, and a position whose import key is unknown. */
async function addEdgeRows(store: Store): Promise<void> {
  await store.db.exec(`INSERT INTO positions (mmsi, ts, lat, lon, sog, cog, msg_type, import_key) VALUES
    (412000001, 1700000000000, 37.5, 124.25, NULL, NULL, 1, NULL),
    (412000001, 1700000060000, 37.51, 124.26, 3.5, NULL, 1, 999),
    (412000001, 1700000120000, 37.52, 124.27, NULL, 181.25, 1, NULL)`);
}

function expectSameColumns(a: PositionColumns, b: PositionColumns): void {
  expect(a.length).toBe(b.length);
  expect(a.mmsi).toEqual(b.mmsi);
  expect(a.tsMs).toEqual(b.tsMs);
  expect(a.lat).toEqual(b.lat);
  expect(a.lon).toEqual(b.lon);
  expect(a.sogKn).toEqual(b.sogKn);
  expect(a.cogDeg).toEqual(b.cogDeg);
  const src = (c: PositionColumns) => Array.from(c.sourceIdx, (i) => c.sources[i]);
  expect(src(a)).toEqual(src(b));
}

async function checkStore(store: Store): Promise<void> {
  await writeSimulation(store, sim, 'sim:a', (t) => t < sim.positions.tsMs[0]! + 6 * 3_600_000);
  await writeSimulation(store, sim, 'sim:b', (t) => t >= sim.positions.tsMs[0]! + 6 * 3_600_000);
  await addEdgeRows(store);
  const typed = await loadPositions(store.db);
  const text = await loadPositionsAggregated(store.db);
  expect(typed.length).toBe(sim.positions.length + 3);
  expectSameColumns(typed, text);
  expect(typed.sources).toContain('sim:a');
  expect(typed.sources).toContain('ais');
  const t0 = sim.positions.tsMs[0]! + 3_600_000;
  const win = { sinceMs: t0, untilMs: t0 + 6 * 3_600_000, mmsis: [sim.positions.mmsi[0]!, 412000001] };
  const w = await loadPositions(store.db, win);
  expect(w.length).toBeGreaterThan(0);
  expectSameColumns(w, await loadPositionsAggregated(store.db, win));
}

describe('typed position reads', () => {
  it('DuckDB chunks read the same columns as the aggregated text', async () => {
    const t = await tempStore();
    try {
      await checkStore(t.store);
    } finally {
      await t.cleanup();
    }
  });

  it('the binary COPY decoder reads rows split anywhere between chunks', async () => {
    const cols = [
      { name: 'a', type: 'int' as const },
      { name: 'b', type: 'bigint' as const },
      { name: 'c', type: 'double' as const },
      { name: 'd', type: 'real' as const },
    ];
    const batch = {
      length: 3,
      columns: [
        [1, -2, 2147483647],
        [1700000000123, -5, 2 ** 52],
        [0.1, null, -1e300],
        new Float32Array([1.5, Number.NaN, 3.25]),
      ],
    };
    const chunks: Buffer[] = [];
    for await (const c of copyBinaryChunks(cols, [batch], { rows: 0 })) chunks.push(Buffer.from(c));
    const all = Buffer.concat(chunks);
    for (let cut = 1; cut < all.length; cut += 3) {
      const rows: number[][] = [];
      const dec = new CopyBinaryDecoder(['int', 'bigint', 'double', 'real'], { row: (v) => rows.push([...v]) });
      dec.push(all.subarray(0, cut));
      dec.push(all.subarray(cut));
      dec.end();
      expect(rows).toEqual([
        [1, 1700000000123, 0.1, 1.5],
        [-2, -5, Number.NaN, Number.NaN],
        [2147483647, 2 ** 52, -1e300, 3.25],
      ]);
    }
    const dec = new CopyBinaryDecoder(['int', 'bigint', 'double', 'real'], { row: () => undefined });
    dec.push(all.subarray(0, all.length - 2));
    expect(() => dec.end()).toThrow(/truncated/);
  });
});

const available = postgresAvailable();
let pg: TestPostgres | undefined;

describe.runIf(available)('typed position reads on PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('typed-load');
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('binary COPY OUT reads the same columns as the aggregated text', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    const db = await openDb(pg.url);
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await db.close();
    const store = await openStore({ url: pg.url });
    try {
      await checkStore(store);
    } finally {
      await store.close();
    }
  });
});
