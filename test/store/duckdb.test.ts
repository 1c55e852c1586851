import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wk-store-duckdb-'));
let seq = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
