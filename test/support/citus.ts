/**
 * A real Citus cluster for tests: a coordinator and two workers on loopback, each a throwaway PostgreSQL 15
 * cluster initialised in a temp dir (as the postgres system user when we are root: initdb refuses root), started
 * with `shared_preload_libraries='citus'`, with `CREATE EXTENSION citus` in a `watchkeeper` database on every
 * node, `citus_set_coordinator_host` and `citus_add_node` for both workers.
 *
 *   const available = citusAvailable();                 // false → skip (message printed); throws in CI
 *   const cluster = await startTestCitus();
 *   ... cluster.url (the coordinator's database) ...
 *   await cluster.stop();
 *
 * Needs the PostgreSQL 15 binaries and the Citus extension (vendor/citus/build.sh builds and installs it; .ci/run
 * does so in CI). When either is missing the tests skip saying why, or fail with WATCHKEEPER_REQUIRE_PG=1 (CI),
 * the convention of test/support/postgres.ts.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { PG_BIN } from './postgres.js';

const execFileP = promisify(execFile);

/** Where Debian's PostgreSQL 15 loads extensions from (vendor/citus/build.sh installs citus.so there). */
export const CITUS_SO = process.env.WATCHKEEPER_CITUS_SO ?? path.join(PG_BIN, '..', 'lib', 'citus.so');
export const CITUS_DB = 'watchkeeper';

export interface CitusNodeHandle {
  port: number;
  dir: string;
}

export interface TestCitus {
  /** The coordinator's `watchkeeper` database. */
  url: string;
  coordinator: CitusNodeHandle;
  workers: CitusNodeHandle[];
  /** A URL of the same database on a worker (to look at its shards directly). */
  workerUrl(i: number): string;
  stop(): Promise<void>;
}

function whyUnavailable(): string | undefined {
  if (!existsSync(path.join(PG_BIN, 'initdb'))) return `${PG_BIN}/initdb does not exist (PostgreSQL 15 not installed)`;
  if (!existsSync(CITUS_SO)) return `${CITUS_SO} does not exist (build Citus with: bash vendor/citus/build.sh)`;
  return undefined;
}

/** True when a Citus cluster can be started here; else prints why, or throws with WATCHKEEPER_REQUIRE_PG=1. */
export function citusAvailable(): boolean {
  const why = whyUnavailable();
  if (!why) return true;
  const msg = `no Citus for tests: ${why}`;
  if (process.env.WATCHKEEPER_REQUIRE_PG === '1') throw new Error(`${msg} (WATCHKEEPER_REQUIRE_PG=1)`);
  console.warn(`${msg}: Citus tests skipped`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function postgresIds(): Promise<[number, number]> {
  const uid = (await execFileP('id', ['-u', 'postgres'], { encoding: 'utf8' })).stdout.trim();
  const gid = (await execFileP('id', ['-g', 'postgres'], { encoding: 'utf8' })).stdout.trim();
  return [Number(uid), Number(gid)];
}

const asRoot = (): boolean => process.getuid?.() === 0;

async function pgRun(bin: string, args: string[]): Promise<void> {
  const cmd = asRoot() ? 'runuser' : path.join(PG_BIN, bin);
  const argv = asRoot() ? ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args] : args;
  try {
    await execFileP(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${bin} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

function stopSync(dirs: string[]): void {
  for (const dir of dirs) {
    const cmd = asRoot() ? 'runuser' : path.join(PG_BIN, 'pg_ctl');
    const args = ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop'];
    const argv = asRoot() ? ['-u', 'postgres', '--', path.join(PG_BIN, 'pg_ctl'), ...args] : args;
    spawnSync(cmd, argv, { timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startNode(ids: [number, number] | undefined): Promise<CitusNodeHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-test-citus-'));
  if (ids) chownSync(dir, ...ids);
  const data = path.join(dir, 'data');
  await pgRun('initdb', ['-D', data, '-U', 'wk', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const opts = [
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    '-c shared_preload_libraries=citus -c max_connections=200 -c shared_buffers=32MB',
    // Keep the test cluster small: 8 shards per distributed table, no background telemetry.
    '-c citus.shard_count=8 -c citus.enable_statistics_collection=off',
  ].join(' ');
  await pgRun('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  return { port, dir };
}

function nodeUrl(port: number, db: string): string {
  return `postgres://wk@127.0.0.1:${port}/${db}`;
}

async function sql(port: number, db: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: nodeUrl(port, db), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

/** Start a coordinator and two workers and join them; see the file comment. */
export async function startTestCitus(): Promise<TestCitus> {
  const why = whyUnavailable();
  if (why) throw new Error(`no Citus for tests: ${why}`);
  const ids = asRoot() ? await postgresIds() : undefined;
  const dirs: string[] = [];
  const onExit = (): void => stopSync(dirs);
  process.once('exit', onExit);
  try {
    const nodes = await Promise.all([0, 1, 2].map(() => startNode(ids)));
    for (const n of nodes) dirs.push(n.dir);
    await Promise.all(nodes.map((n) => sql(n.port, 'postgres', [`CREATE DATABASE ${CITUS_DB}`])));
    await Promise.all(nodes.map((n) => sql(n.port, CITUS_DB, ['CREATE EXTENSION citus'])));
    const [coordinator, ...workers] = nodes as [CitusNodeHandle, ...CitusNodeHandle[]];
    await sql(coordinator.port, CITUS_DB, [
      `SELECT citus_set_coordinator_host('127.0.0.1', ${coordinator.port})`,
      ...workers.map((w) => `SELECT citus_add_node('127.0.0.1', ${w.port})`),
    ]);
    return {
      url: nodeUrl(coordinator.port, CITUS_DB),
      coordinator,
      workers,
      workerUrl: (i) => nodeUrl((workers[i] as CitusNodeHandle).port, CITUS_DB),
      stop: async () => {
        process.removeListener('exit', onExit);
        stopSync(dirs);
      },
    };
  } catch (err) {
    process.removeListener('exit', onExit);
    stopSync(dirs);
    throw err;
  }
}
