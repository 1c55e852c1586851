/**
 * Atomicity under SIGKILL: a child process starts a large import inside one transaction, we kill it mid-way,
 * reopen the store and check the table holds exactly what it held before — on DuckDB and on PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = path.join(ROOT, 'test/store/kill-child.ts');
const TABLE = 'kill_positions';

async function prepare(store: Store): Promise<void> {
  await store.db.exec(`DROP TABLE IF EXISTS ${TABLE}`);
  await store.db.exec(
    `CREATE TABLE ${TABLE} (mmsi INTEGER, ts BIGINT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, note TEXT)`,
  );
  const n = 1000;
  const rows = {
    mmsi: [] as number[],
    ts: [] as number[],
    lat: [] as number[],
    lon: [] as number[],
    note: [] as string[],
  };
  for (let i = 0; i < n; i++) {
    rows.mmsi.push(i); // 0..99 are deleted by the child's transaction
    rows.ts.push(1_600_000_000_000 + i);
    rows.lat.push(i / 10);
    rows.lon.push(-i / 10);
    rows.note.push(`baseline ${i} 원산`);
  }
  await store.db.bulkInsert(
    TABLE,
    [
      { name: 'mmsi', type: 'int' },
      { name: 'ts', type: 'bigint' },
      { name: 'lat', type: 'double' },
      { name: 'lon', type: 'double' },
      { name: 'note', type: 'text' },
    ],
    [{ length: n, columns: [rows.mmsi, rows.ts, rows.lat, rows.lon, rows.note] }],
  );
}

async function snapshot(store: Store) {
  const [agg] = await store.db.query(
    `SELECT count(*) AS n, sum(ts) AS ts_sum, min(mmsi) AS mmsi_min, max(note) AS note_max FROM ${TABLE}`,
  );
  return agg;
}

/** Spawn the child and SIGKILL it once it has bulk-loaded at least `rows` rows inside its transaction. */
function killMidImport(
  url: string,
  rows: number,
  atKill: () => void = () => undefined,
): Promise<{ reported: number; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, url, TABLE], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let reported = 0;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/rows (\d+)/g)) reported = Math.max(reported, Number(m[1]));
      if (reported >= rows && child.exitCode === null && !child.killed) {
        atKill();
        child.kill('SIGKILL');
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (code ${code}): ${out}\n${err}`));
      else resolve({ reported, signal, out });
    });
  });
}

describe('import atomicity under SIGKILL: DuckDB', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the table exactly as it was', async () => {
    const file = path.join(dir, 'kill.duckdb');
    const before = await openStore({ url: file });
    await prepare(before);
    const expected = await snapshot(before);
    expect(expected).toEqual({
      n: 1000,
      ts_sum: 1000 * 1_600_000_000_000 + 499_500,
      mmsi_min: 0,
      note_max: 'baseline 999 원산',
    });
    await before.close(); // DuckDB allows one writing process per file

    // 2 M rows is past the point where DuckDB starts writing the uncommitted transaction's row groups into the
    // database file ("optimistic writes"), so the kill lands with uncommitted data on disk, not only in memory.
    const sizeBefore = statSync(file).size;
    let sizeAtKill = 0;
    const res = await killMidImport(file, 2_000_000, () => {
      sizeAtKill = statSync(file).size;
    });
    expect(res.signal).toBe('SIGKILL');
    expect(res.out).toContain('started');
    expect(res.out).not.toContain('committed');
    expect(res.reported).toBeGreaterThanOrEqual(2_000_000);
    expect(sizeAtKill).toBeGreaterThan(sizeBefore);

    const after = await openStore({ url: file });
    expect(await snapshot(after)).toEqual(expected);
    const [marker] = await after.db.query(`SELECT count(*) AS n FROM ${TABLE} WHERE note = $1 OR note LIKE $2`, [
      'marker',
      'killed-import-row-%',
    ]);
    expect(marker?.n).toBe(0);
    // The reopened store is fully usable.
    await after.db.query(`INSERT INTO ${TABLE} (mmsi, ts, lat, lon, note) VALUES ($1, $2, $3, $4, $5)`, [
      5,
      5,
      5,
      5,
      'after',
    ]);
    expect((await snapshot(after))?.n).toBe(1001);
    await after.close();
  });
});

const pgAvailable = postgresAvailable();
describe.runIf(pgAvailable)('import atomicity under SIGKILL: PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  beforeAll(async () => {
    pg = await startTestPostgres('store-kill');
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('leaves the table exactly as it was', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    const store = await openStore({ url: pg.url });
    await prepare(store);
    const expected = await snapshot(store);
    expect(expected?.n).toBe(1000);

    const res = await killMidImport(pg.url, 200_000);
    expect(res.signal).toBe('SIGKILL');
    expect(res.reported).toBeGreaterThanOrEqual(200_000);

    // The server notices the dropped connection and aborts the transaction; reads never saw it.
    expect(await snapshot(store)).toEqual(expected);
    await store.close();
    const reopened = await openStore({ url: pg.url });
    expect(await snapshot(reopened)).toEqual(expected);
    // No transaction of the killed client lingers holding locks: a write to the same table goes through.
    await reopened.db.query(`DELETE FROM ${TABLE} WHERE mmsi < $1`, [10]);
    expect((await snapshot(reopened))?.n).toBe(990);
    await reopened.close();
  });
});
