/**
 * What auth adds per request: p50/p95 of GET /auth/me and GET /findings?limit=1 through Fastify inject, in local
 * mode (no auth) and with auth on through a session cookie and an API token (warm credential cache, as in steady
 * state, re-warmed after each uncached request; plus the uncached lookup, measured by clearing the cache before each request). The three modes alternate
 * request by request so they see the same machine load.
 *
 * Writes bench/results/auth.md. Run: npx tsx bench/auth.ts [--n 3000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { clearAuthCache } from '../src/api/auth/hook.js';
import { buildServer } from '../src/api/server.js';
import { createSession } from '../src/auth/sessions.js';
import { createToken } from '../src/auth/tokens.js';
import { createUser } from '../src/auth/users.js';
import { openStore } from '../src/store/open.js';

const i = process.argv.indexOf('--n');
const N = i > 0 ? Number(process.argv[i + 1]) : 3000;

const dir = mkdtempSync(path.join(tmpdir(), 'wk-bench-auth-'));
const store = await openStore({ url: path.join(dir, 'b.duckdb') });
const u = await createUser(store.db, { username: 'bench', password: 'bench password', role: 'analyst' });
const s = await createSession(store.db, u.id);
const { token } = await createToken(store.db, u.id, { name: 'bench', scope: 'read' });
const local = await buildServer({ store, logLevel: false });
const authed = await buildServer({ store, logLevel: false, auth: { enabled: true } });
await local.ready();
await authed.ready();

type Mode = 'local' | 'session' | 'token' | 'token, uncached';
const modes: Mode[] = ['local', 'session', 'token', 'token, uncached'];
const urls = ['/auth/me', '/findings?limit=1'];
const times: Record<string, number[]> = {};

async function once(mode: Mode, url: string): Promise<number> {
  const app = mode === 'local' ? local : authed;
  const headers: Record<string, string> =
    mode === 'local'
      ? {}
      : mode === 'session'
        ? { cookie: `wk_session=${s.id}` }
        : { authorization: `Bearer ${token}` };
  if (mode === 'token, uncached') clearAuthCache();
  const t0 = process.hrtime.bigint();
  const r = await app.inject({ url, headers });
  const dt = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.statusCode !== 200) throw new Error(`${mode} ${url}: ${r.statusCode} ${r.body}`);
  return dt;
}

for (const url of urls) {
  for (let k = 0; k < 200; k++) for (const m of modes) await once(m, url); // warm-up
  for (let k = 0; k < N; k++) {
    for (const m of modes) (times[`${url}|${m}`] ??= []).push(await once(m, url));
    // Re-warm the cache the uncached run cleared (not measured), so the warm modes stay warm.
    await once('session', url);
    await once('token', url);
  }
}

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
const lines = [
  '## Auth overhead (bench/auth.ts)',
  '',
  `${N} requests per cell through Fastify inject, modes interleaved; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the end. Target (issue 18): auth adds < 0.2 ms per request at p50.`,
  '',
  '| route | mode | p50 ms | p95 ms | p50 added vs local ms |',
  '|---|---|---:|---:|---:|',
];
for (const url of urls) {
  const base = q(times[`${url}|local`]!, 0.5);
  for (const m of modes) {
    const xs = times[`${url}|${m}`]!;
    lines.push(
      `| \`${url}\` | ${m} | ${q(xs, 0.5).toFixed(3)} | ${q(xs, 0.95).toFixed(3)} | ${(q(xs, 0.5) - base).toFixed(3)} |`,
    );
  }
}
const md = `${lines.join('\n')}\n`;
writeFileSync(path.join(import.meta.dirname, 'results', 'auth.md'), md);
process.stdout.write(md);
await local.close();
await authed.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
