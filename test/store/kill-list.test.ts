/**
 * addListVersion atomicity under SIGKILL: a child process streams an endless list version into the store, we
 * kill it mid-way, reopen and check the statements and list versions are exactly the earlier ones — on DuckDB
 * and on PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Statement } from '../../src/model/statement.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = path.join(ROOT, 'test/store/kill-list-child.ts');

const baseline: Statement[] = Array.from({ length: 500 }, (_, i) => ({
  entityId: `base-${Math.floor(i / 5)}`,
  schema: 'Person',
  prop: i % 5 === 0 ? 'name' : 'alias',
  value: `baseline ${i} 원산`,
  source: 'kill_src',
  sourceRecord: `base.csv:${Math.floor(i / 5)}`,
  seenAt: '2024-05-01T00:00:00.000Z',
}));

async function seed(store: Store): Promise<void> {
  await store.addListVersion(
    {
      id: 'kill_src@base',
      source: 'kill_src',
      format: 'ftm',
      url: null,
      fetchedAt: '2024-05-01T00:00:00.000Z',
      importedAt: '2024-05-01T00:00:00.000Z',
      sha256: 'b',
      recordCount: 100,
    },
    baseline,
  );
}

async function check(store: Store): Promise<void> {
  expect((await store.listVersions()).map((v) => v.id)).toEqual(['kill_src@base']);
  expect(await store.currentStatements()).toEqual(
    baseline
      .map((s) => ({ ...s, versionId: 'kill_src@base' }))
      .sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0)),
  );
  const [n] = await store.db.query<{ n: number }>('SELECT count(*) AS n FROM statements');
  expect(n?.n).toBe(500);
}

function killMidList(url: string, statements: number): Promise<{ reported: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let reported = 0;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/statements (\d+)/g)) reported = Math.max(reported, Number(m[1]));
      if (reported >= statements && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own (code ${code}): ${out}\n${err}`));
      else resolve({ reported, out });
    });
  });
}

describe('addListVersion atomicity under SIGKILL: DuckDB', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-kill-list-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves statements and list versions exactly as they were', async () => {
    const file = path.join(dir, 'kill.duckdb');
    const before = await openStore({ url: file });
    await seed(before);
    await check(before);
    await before.close(); // one writing process per DuckDB file
    const res = await killMidList(file, 300_000);
    expect(res.out).toContain('started');
    expect(res.out).not.toContain('committed');
    expect(res.reported).toBeGreaterThanOrEqual(300_000);
    const after = await openStore({ url: file });
    await check(after);
    await after.close();
  });
});

describe.runIf(postgresAvailable())('addListVersion atomicity under SIGKILL: PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  beforeAll(async () => {
    pg = await startTestPostgres('store-kill-list');
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('leaves statements and list versions exactly as they were', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    const store = await openStore({ url: pg.url });
    await seed(store);
    const res = await killMidList(pg.url, 300_000);
    expect(res.out).not.toContain('committed');
    expect(res.reported).toBeGreaterThanOrEqual(300_000);
    await check(store);
    await store.close();
    const reopened = await openStore({ url: pg.url });
    await check(reopened);
    await reopened.close();
  });
});
