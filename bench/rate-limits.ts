/**
 * What the shared window counter costs (src/api/auth/limits.ts): on PostgreSQL every sign-in and every heavy
 * request (PDF report, bundle, POST /ais/decode) makes one upsert into rate_windows; on DuckDB the count stays in
 * memory. Ordinary requests never touch it.
 *
 * - `take()` alone: the store counter through two stores on one database (as two server processes), against the
 *   in-memory counter; keys cycle over 1,000 clients (each stays under its limit).
 * - A whole heavy request: POST /ais/decode of one NMEA line through Fastify inject, on a PostgreSQL-backed server
 *   (shared counter) and a DuckDB-backed one (in memory), interleaved; auth off, one client address per key as above.
 *
 * Writes bench/results/rate-limits.md. Run: npx tsx bench/rate-limits.ts [--n 3000] [--pg <url>]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { StoreWindowCounter, WindowCounter } from '../src/api/auth/limits.js';
import { buildServer } from '../src/api/server.js';
import { createUser } from '../src/auth/users.js';
import { openStore } from '../src/store/open.js';
import { startTestPostgres } from '../test/support/postgres.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const N = Number(arg('n', '3000'));
const pgArg = arg('pg', process.env.WATCHKEEPER_BENCH_PG ?? '');
const handle = pgArg ? undefined : await startTestPostgres('bench-rate-limits');
const pgUrl = pgArg || handle?.url;
if (!pgUrl) throw new Error('no PostgreSQL: pass --pg <url> or install PostgreSQL 15');

const dir = mkdtempSync(path.join(tmpdir(), 'wk-bench-limits-'));
const pgA = await openStore({ url: pgUrl });
const pgB = await openStore({ url: pgUrl });
const duck = await openStore({ url: path.join(dir, 'b.duckdb') });

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const times: Record<string, number[]> = {};
const record = (k: string, v: number) => (times[k] ??= []).push(v);

// 1. take() alone. A huge limit: every try is counted and allowed, as under normal use.
const shared = [
  new StoreWindowCounter(pgA.db, 'bench', 1e9, 60_000),
  new StoreWindowCounter(pgB.db, 'bench', 1e9, 60_000),
];
const memory = new WindowCounter(1e9, 60_000);
for (let k = 0; k < 300; k++) await shared[k % 2]!.take(`warm-${k % 1000}`);
for (let k = 0; k < N; k++) {
  const key = `10.0.${(k % 1000) >> 8}.${k % 256}`;
  let t0 = process.hrtime.bigint();
  await shared[k % 2]!.take(key);
  record('take|PostgreSQL (shared)', ms(t0));
  t0 = process.hrtime.bigint();
  await memory.take(key);
  record('take|in memory (DuckDB)', ms(t0));
}

// 2. A whole heavy request on each backend.
const onPg = await buildServer({ store: pgA, logLevel: false });
const onDuck = await buildServer({ store: duck, logLevel: false });
await onPg.ready();
await onDuck.ready();
const NMEA = '!AIVDM,1,1,,A,19o::tPgNLd=:fC?BLsJhG=vjmca,0*2F\n';
let client = 0;
async function decode(app: typeof onPg): Promise<number> {
  // A fresh address cycle per run: each client stays under HEAVY_RATE (30 a minute) during the bench.
  const remoteAddress = `10.${1 + Math.floor(client / 65536)}.${(client >> 8) & 255}.${client & 255}`;
  client++;
  const t0 = process.hrtime.bigint();
  const r = await app.inject({ method: 'POST', url: '/ais/decode', payload: { nmea: NMEA }, remoteAddress });
  const dt = ms(t0);
  if (r.statusCode !== 200) throw new Error(`decode: ${r.statusCode} ${r.body}`);
  return dt;
}
for (let k = 0; k < 200; k++) {
  await decode(onPg);
  await decode(onDuck);
}
async function me(app: typeof onPg): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await app.inject({ url: '/auth/me' });
  const dt = ms(t0);
  if (r.statusCode !== 200) throw new Error(`me: ${r.statusCode} ${r.body}`);
  return dt;
}
for (let k = 0; k < N; k++) {
  record('POST /ais/decode|PostgreSQL (shared)', await decode(onPg));
  record('POST /ais/decode|DuckDB (in memory)', await decode(onDuck));
  // An ordinary request on the same two servers, for scale: it never reaches the counter.
  record('GET /auth/me (ordinary)|PostgreSQL server', await me(onPg));
  record('GET /auth/me (ordinary)|DuckDB server', await me(onDuck));
}
// 3. A failed sign-in (auth on; the scrypt check dominates): the counter's share of it. Fewer tries, each from its
// own address so that none reaches the limit.
const PW = 'bench password 1';
await createUser(pgA.db, { username: 'bench', password: PW, role: 'analyst' });
await createUser(duck.db, { username: 'bench', password: PW, role: 'analyst' });
const authPg = await buildServer({ store: pgA, logLevel: false, auth: { enabled: true } });
const authDuck = await buildServer({ store: duck, logLevel: false, auth: { enabled: true } });
await authPg.ready();
await authDuck.ready();
async function failedSignIn(app: typeof onPg): Promise<number> {
  const remoteAddress = `10.200.${(client >> 8) & 255}.${client & 255}`;
  client++;
  const t0 = process.hrtime.bigint();
  const r = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username: 'bench', password: 'wrong' },
    remoteAddress,
  });
  const dt = ms(t0);
  if (r.statusCode !== 401) throw new Error(`sign-in: ${r.statusCode} ${r.body}`);
  return dt;
}
for (let k = 0; k < Math.min(300, N / 10); k++) {
  record('failed sign-in|PostgreSQL (shared)', await failedSignIn(authPg));
  record('failed sign-in|DuckDB (in memory)', await failedSignIn(authDuck));
}
await authPg.close();
await authDuck.close();
const fsync = String((await pgA.db.query('SHOW fsync'))[0]?.fsync ?? '?');
const rows = Number((await pgA.db.query('SELECT COUNT(*) AS n FROM rate_windows'))[0]!.n);

const lines = [
  '## Shared window counters (bench/rate-limits.ts)',
  '',
  `${N} tries per cell (failed sign-ins: ${times['failed sign-in|DuckDB (in memory)']!.length}), interleaved; ` +
    `${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end; PostgreSQL on loopback, fsync ${fsync}; ` +
    `${rows} rows in rate_windows at the end. The counter runs on sign-ins and heavy requests only (PDF report, ` +
    'bundle, POST /ais/decode); ordinary requests never reach it (target, issue 18: auth adds < 0.2 ms p50 to them).',
  '',
  '| what | counter | p50 ms | p95 ms |',
  '|---|---|---:|---:|',
];
for (const [k, xs] of Object.entries(times)) {
  const [what, mode] = k.split('|');
  lines.push(`| ${what} | ${mode} | ${q(xs, 0.5).toFixed(3)} | ${q(xs, 0.95).toFixed(3)} |`);
}
const md = `${lines.join('\n')}\n`;
writeFileSync(path.join(import.meta.dirname, 'results', 'rate-limits.md'), md);
process.stdout.write(md);
await onPg.close();
await onDuck.close();
await pgA.close();
await pgB.close();
await duck.close();
await handle?.stop();
rmSync(dir, { recursive: true, force: true });
