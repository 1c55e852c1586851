/**
 * A PostgreSQL for tests, shared by every module's test files.
 *
 *   const pg = await startTestPostgres('store-contract');   // undefined → skip (message already printed)
 *   ... pg.url ...
 *   await pg?.stop();
 *
 * - WATCHKEEPER_TEST_PG set (CI, see .ci/run): a fresh database is created on that server for the caller and
 *   dropped again by stop(), so test files running in parallel never see each other's tables.
 * - Otherwise, when PostgreSQL 15 binaries exist (/usr/lib/postgresql/15/bin), a throwaway cluster is initialised
 *   in a temp dir and started on a free loopback port (as root through `runuser -u postgres`, since initdb
 *   refuses to run as root); stop() shuts it down (immediate mode) and removes the directory. A process exit
 *   hook stops it too if a test run is interrupted.
 * - Otherwise undefined, after printing why; with WATCHKEEPER_REQUIRE_PG=1 that is an error instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const PG_BIN = process.env.WATCHKEEPER_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** Connection URL of a database private to the caller. */
  url: string;
  /** 'env' when WATCHKEEPER_TEST_PG provided the server, 'cluster' for a throwaway cluster. */
  origin: 'env' | 'cluster';
  stop(): Promise<void>;
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

function dbName(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `wk_${slug}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function fromEnv(serverUrl: string, label: string): Promise<TestPostgres> {
  const name = dbName(label);
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(serverUrl, name),
    origin: 'env',
    stop: async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    },
  };
}

async function throwawayCluster(label: string): Promise<TestPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-test-pg-'));
  const run = (bin: string, args: string[]): void => {
    const cmd = asRoot ? 'runuser' : path.join(PG_BIN, bin);
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args] : args;
    const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
    if (res.status !== 0) {
      throw new Error(`${bin} failed (${res.status}): ${(res.stderr || res.stdout || String(res.error)).trim()}`);
    }
  };
  if (asRoot) chownSync(dir, ...postgresIds());
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'wk', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  const serverUrl = `postgres://wk@127.0.0.1:${port}/postgres`;
  const name = dbName(label);
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(serverUrl, name),
    origin: 'cluster',
    stop: async () => {
      process.removeListener('exit', stopSync);
      stopSync();
    },
  };
}

function postgresIds(): [number, number] {
  const out = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  return [Number(out), Number(gid)];
}

/**
 * A PostgreSQL database for the calling test file, or undefined (with a console message) when none can be had.
 * Throws when WATCHKEEPER_REQUIRE_PG=1 and there is none, so CI never silently skips.
 */
export async function startTestPostgres(label = 'test'): Promise<TestPostgres | undefined> {
  const env = process.env.WATCHKEEPER_TEST_PG;
  if (env) return fromEnv(env, label);
  if (existsSync(path.join(PG_BIN, 'initdb'))) return throwawayCluster(label);
  const why = `no PostgreSQL for tests (${label}): WATCHKEEPER_TEST_PG is not set and ${PG_BIN}/initdb does not exist`;
  if (process.env.WATCHKEEPER_REQUIRE_PG === '1') throw new Error(`${why} (WATCHKEEPER_REQUIRE_PG=1)`);
  console.warn(`${why}: PostgreSQL tests skipped`);
  return undefined;
}

/** True when PostgreSQL tests can run here (for `describe.skipIf`/`runIf` at collection time). */
export function postgresAvailable(): boolean {
  if (process.env.WATCHKEEPER_TEST_PG) return true;
  if (existsSync(path.join(PG_BIN, 'initdb'))) return true;
  const why = `no PostgreSQL for tests: WATCHKEEPER_TEST_PG is not set and ${PG_BIN}/initdb does not exist`;
  if (process.env.WATCHKEEPER_REQUIRE_PG === '1') throw new Error(`${why} (WATCHKEEPER_REQUIRE_PG=1)`);
  console.warn(`${why}: PostgreSQL tests skipped`);
  return false;
}

/** Convenience: just the URL (the database is dropped / the cluster stopped when the process exits). */
export async function postgresUrlForTests(label = 'test'): Promise<string | undefined> {
  const handle = await startTestPostgres(label);
  if (!handle) return undefined;
  if (handle.origin === 'env') process.once('beforeExit', () => void handle.stop());
  return handle.url;
}
