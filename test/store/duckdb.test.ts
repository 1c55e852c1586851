import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import type { ColumnBatch, ColumnSpec } from '../../src/store/db.js';
import { bulkLoadStats, bulkLoadTuning } from '../../src/store/duckdb/scan-insert.js';
import { openStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wk-store-duckdb-'));
let seq = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Async sources are loaded in segments of 1 M rows; a smaller segment runs the same code over several segments
// with the contract's 520 k-row input.
bulkLoadTuning.asyncSegmentRows = 131_072;

storeContract('duckdb', () => {
  seq += 1;
  return openStore({ url: path.join(dir, `nested/s${seq}/store.duckdb`) });
});

describe('DuckDB store opening', () => {
  it('keeps data and migrations across reopen without re-applying', async () => {
    const file = path.join(dir, 'reopen.duckdb');
    const a = await openStore({ url: file });
    const first = await a.appliedMigrations();
    await a.recordImport({
      id: 'i1',
      kind: 'k',
      location: 'l',
      sha256: 's',
      importedAt: '2024-01-01T00:00:00.000Z',
      rowCount: 1,
    });
    await a.close();
    const b = await openStore({ url: file });
    expect(await b.appliedMigrations()).toEqual(first);
    expect((await b.listImports()).map((r) => r.id)).toEqual(['i1']);
    expect(b.location).toBe(file);
    const [ext] = await b.db.query(
      "SELECT current_setting('autoinstall_known_extensions') AS inst, current_setting('autoload_known_extensions') AS load",
    );
    expect(ext).toEqual({ inst: false, load: false });
    await b.close();
  });

  it('fails with one clear line when the file cannot be opened', async () => {
    const bad = '/etc/passwd/x.duckdb';
    const err = await openStore({ url: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/^cannot open DuckDB store at \/etc\/passwd\/x\.duckdb: /);
    expect((err as Error).message).not.toContain('\n');
  });

  it('takes its memory limit from WATCHKEEPER_DUCKDB_MEMORY, and names the variable when the value is bad', async () => {
    const before = process.env.WATCHKEEPER_DUCKDB_MEMORY;
    try {
      process.env.WATCHKEEPER_DUCKDB_MEMORY = '1GB';
      const s = await openStore({ url: path.join(dir, 'memory.duckdb') });
      const [r] = await s.db.query("SELECT current_setting('memory_limit') AS m");
      await s.close();
      expect(r?.m).toBe('953.6 MiB'); // 1 GB = 10^9 bytes, as DuckDB prints it
      process.env.WATCHKEEPER_DUCKDB_MEMORY = 'lots';
      await expect(openStore({ url: path.join(dir, 'memory2.duckdb') })).rejects.toThrow(
        /WATCHKEEPER_DUCKDB_MEMORY: "lots" is not a size/,
      );
    } finally {
      if (before === undefined) delete process.env.WATCHKEEPER_DUCKDB_MEMORY;
      else process.env.WATCHKEEPER_DUCKDB_MEMORY = before;
    }
  });

  it('reports a failing migration by id and leaves no partial schema', async () => {
    const file = path.join(dir, 'badmig.duckdb');
    const err = await openStore({
      url: file,
      migrations: [
        { id: '0001_ok', description: 'fine', sql: 'CREATE TABLE ok_t (a INTEGER)' },
        { id: '0002_bad', description: 'broken', sql: 'CREATE TABLE half_t (a INTEGER); CREATE TABLE oops (' },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/migration 0002_bad \(broken\) failed on duckdb: /);
    const s = await openStore({
      url: file,
      migrations: [{ id: '0001_ok', description: 'fine', sql: 'CREATE TABLE ok_t (a INTEGER)' }],
    });
    expect((await s.appliedMigrations()).map((m) => m.id)).toEqual(['0001_ok']);
    const tables = await s.db.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'half_t'");
    expect(tables).toEqual([]);
    await s.close();
  });
});

describe('DuckDB bulk load paths', () => {
  const spec: ColumnSpec[] = [
    { name: 'k', type: 'int' },
    { name: 'v', type: 'double' },
    { name: 'src', type: 'text' },
  ];
  function* rows(n: number, batch: number, failAt = Number.POSITIVE_INFINITY): Generator<ColumnBatch> {
    for (let k0 = 0; k0 < n; k0 += batch) {
      if (k0 >= failAt) throw new Error(`failed at ${k0}`);
      const len = Math.min(batch, n - k0);
      const k = new Int32Array(len);
      const v = new Float64Array(len);
      for (let i = 0; i < len; i++) {
        k[i] = k0 + i;
        v[i] = (k0 + i) * 0.5;
      }
      yield { length: len, columns: [k, v, new Array(len).fill('import-2024-05-01-scenario')] };
    }
  }
  const order = async (db: import('../../src/store/db.js').Db) =>
    db.transaction(async (tx) => {
      const [r] = await tx.query("SELECT current_setting('preserve_insertion_order') AS p");
      return r?.p;
    });

  it('takes the parallel scan for large loads, restores the session after success and failure, survives reopen', async () => {
    const file = path.join(dir, 'paths.duckdb');
    const s = await openStore({ url: file });
    await s.db.exec('CREATE TABLE t_paths (k INTEGER, v DOUBLE PRECISION, src TEXT)');
    const before = { ...bulkLoadStats };
    expect(await s.db.bulkInsert('t_paths', spec, rows(10_000, 3000))).toBe(10_000);
    expect(bulkLoadStats.scanInserts).toBe(before.scanInserts);
    // Below the threshold the appender keeps exact insertion order, even without ORDER BY.
    const small = await s.db.query('SELECT k FROM t_paths');
    expect(small.map((r) => r.k)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));

    expect(await s.db.bulkInsert('t_paths', spec, rows(400_000, 50_000))).toBe(400_000);
    expect(bulkLoadStats.scanInserts).toBe(before.scanInserts + 1);
    expect(bulkLoadStats.scanRows).toBe(before.scanRows + 400_000);
    expect(await order(s.db)).toBe(true);

    await expect(s.db.bulkInsert('t_paths', spec, rows(400_000, 50_000, 300_000))).rejects.toThrow('failed at 300000');
    expect(await order(s.db)).toBe(true);
    await s.close();

    const r = await openStore({ url: file });
    const [agg] = await r.db.query(
      'SELECT count(*) AS n, sum(k) AS sk, sum(v) AS sv, min(src) AS s0, max(src) AS s1 FROM t_paths',
    );
    const sk = (10_000 * 9_999) / 2 + (400_000 * 399_999) / 2;
    expect(agg).toEqual({
      n: 410_000,
      sk,
      sv: sk / 2,
      s0: 'import-2024-05-01-scenario',
      s1: 'import-2024-05-01-scenario',
    });
    await r.close();
  });

  it('loads an async source in segments, each one INSERT', async () => {
    const s = await openStore({ url: path.join(dir, 'segments.duckdb') });
    await s.db.exec('CREATE TABLE t_seg (k INTEGER, v DOUBLE PRECISION, src TEXT)');
    async function* slow(): AsyncGenerator<ColumnBatch> {
      for (const b of rows(600_000, 60_000)) {
        await new Promise((res) => setImmediate(res));
        yield b;
      }
    }
    const before = bulkLoadStats.scanInserts;
    expect(await s.db.bulkInsert('t_seg', spec, slow())).toBe(600_000);
    // 300 k rows read ahead (the threshold), then segments of at least 131,072 rows: 180 k, 120 k.
    expect(bulkLoadStats.scanInserts - before).toBe(3);
    const [agg] = await s.db.query('SELECT count(*) AS n, count(DISTINCT k) AS d, max(k) AS m FROM t_seg');
    expect(agg).toEqual({ n: 600_000, d: 600_000, m: 599_999 });
    await s.close();
  });
});
