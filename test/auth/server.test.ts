import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_ROOT } from '../../src/api/routes/web.js';
import { buildServer } from '../../src/api/server.js';
import { assertBindAllowed } from '../../src/auth/config.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/** The server with auth on, through Fastify inject: sign-in, cookies, CSRF, roles, tokens, case sharing, audit. */

let dir: string;
let store: Store;
let app: FastifyInstance;
const PW = 'correct horse battery';

interface Session {
  cookie: string;
  csrf: string;
}

function cookiesOf(r: LightMyRequestResponse): string[] {
  const h = r.headers['set-cookie'];
  return Array.isArray(h) ? h : h ? [h] : [];
}

async function login(username: string, password = PW): Promise<Session> {
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
  expect(r.statusCode).toBe(200);
  const set = cookiesOf(r);
  const session = set.find((c) => c.startsWith('wk_session='))!.split(';')[0]!;
  const csrfCookie = set.find((c) => c.startsWith('wk_csrf='))!.split(';')[0]!;
  return { cookie: `${session}; ${csrfCookie}`, csrf: (r.json() as { csrfToken: string }).csrfToken };
}

/** A request as a signed-in browser page would send it (cookie + CSRF header). */
function as(s: Session, method: string, url: string, payload?: object) {
  return app.inject({
    method: method as 'GET',
    url,
    payload,
    headers: { cookie: s.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrf }) },
  });
}

function bearer(token: string, method: string, url: string, payload?: object) {
  return app.inject({ method: method as 'GET', url, payload, headers: { authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-auth-'));
  store = await openStore({ url: path.join(dir, 'auth.duckdb') });
  await createUser(store.db, { username: 'root', password: PW, role: 'admin' });
  await createUser(store.db, { username: 'alice', password: PW, role: 'analyst' });
  await createUser(store.db, { username: 'bob', password: PW, role: 'analyst' });
  await createUser(store.db, { username: 'vic', password: PW, role: 'viewer' });
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('auth on', () => {
  it('answers 401 without credentials, except /healthz and the sign-in', async () => {
    expect((await app.inject({ url: '/cases' })).statusCode).toBe(401);
    const w = await app.inject({ method: 'POST', url: '/cases', payload: { title: 'x' } });
    expect(w.statusCode).toBe(401);
    expect(w.json()).toMatchObject({ error: 'unauthorized' });
    expect((await app.inject({ url: '/findings' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const me = (await app.inject({ url: '/auth/me' })).json();
    expect(me).toEqual({ authEnabled: true, user: null, via: null });
    // A token that does not exist is no credential either.
    expect((await bearer('wk_nope', 'GET', '/cases')).statusCode).toBe(401);
  });

  it('signs in with HttpOnly SameSite=Strict session cookies; a wrong password is a 401', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'alice', password: 'wrong-password' },
    });
    expect(bad.statusCode).toBe(401);
    expect(cookiesOf(bad)).toEqual([]);
    const nobody = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'mallory', password: PW },
    });
    expect(nobody.statusCode).toBe(401);
    expect(nobody.json().message).toBe(bad.json().message);

    const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'alice', password: PW } });
    expect(r.statusCode).toBe(200);
    const [session, csrf] = [
      cookiesOf(r).find((c) => c.startsWith('wk_session='))!,
      cookiesOf(r).find((c) => c.startsWith('wk_csrf='))!,
    ];
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).toMatch(/; Path=\//);
    expect(csrf).toMatch(/; SameSite=Strict/);
    expect(csrf).not.toMatch(/HttpOnly/); // the page reads it to send x-csrf-token
    // The session id is stored hashed, never as given to the browser.
    const sid = session.split(';')[0]!.split('=')[1]!;
    const rows = await store.db.query('SELECT id_hash FROM sessions');
    expect(rows.map((x) => x.id_hash)).not.toContain(sid);
    expect(r.json().user).toMatchObject({ username: 'alice', role: 'analyst' });
    expect(JSON.stringify(r.json())).not.toMatch(/scrypt\$/);

    const me = await app.inject({ url: '/auth/me', headers: { cookie: session.split(';')[0]! } });
    expect(me.json()).toMatchObject({
      authEnabled: true,
      via: 'session',
      user: { username: 'alice', role: 'analyst' },
    });
  });

  it('signs in from the /login form (no script) and refuses that form posted from another site', async () => {
    const page = await app.inject({ url: '/login' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/auth/login">');
    expect(page.body).not.toContain('<script');
    const form = {
      method: 'POST' as const,
      url: '/auth/login',
      payload: `username=alice&password=${encodeURIComponent(PW)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost', host: 'localhost' },
    };
    const r = await app.inject(form);
    expect([r.statusCode, r.headers.location]).toEqual([303, '/']);
    expect(cookiesOf(r).some((c) => c.startsWith('wk_session=') && c.includes('HttpOnly'))).toBe(true);
    const forged = await app.inject({ ...form, headers: { ...form.headers, origin: 'https://evil.example' } });
    expect(forged.statusCode).toBe(403);
    expect(cookiesOf(forged)).toEqual([]);
  });

  it('refuses cookie-authenticated changes without the CSRF token or from another origin', async () => {
    const s = await login('alice');
    const noToken = await app.inject({
      method: 'POST',
      url: '/cases',
      payload: { title: 'CSRF' },
      headers: { cookie: s.cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ error: 'csrf' });
    const wrong = await app.inject({
      method: 'POST',
      url: '/cases',
      payload: { title: 'CSRF' },
      headers: { cookie: s.cookie, 'x-csrf-token': 'guess' },
    });
    expect(wrong.statusCode).toBe(403);
    const foreign = await app.inject({
      method: 'POST',
      url: '/cases',
      payload: { title: 'CSRF' },
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'https://evil.example' },
    });
    expect(foreign.statusCode).toBe(403);
    // Same-origin browser request (Origin equals Host) or the token: accepted.
    const sameOrigin = await app.inject({
      method: 'POST',
      url: '/cases',
      payload: { title: 'CSRF same origin' },
      headers: { cookie: s.cookie, origin: 'http://localhost:80', host: 'localhost:80' },
    });
    expect(sameOrigin.statusCode).toBe(201);
    expect((await as(s, 'POST', '/cases', { title: 'CSRF token' })).statusCode).toBe(201);
    const titles = (await as(s, 'GET', '/cases')).json().results.map((c: { title: string }) => c.title);
    expect(titles).not.toContain('CSRF');
  });

  it('enforces roles: a viewer reads but cannot write, an analyst cannot manage users', async () => {
    const vic = await login('vic');
    expect((await as(vic, 'GET', '/cases')).statusCode).toBe(200);
    expect((await as(vic, 'GET', '/findings')).statusCode).toBe(200);
    for (const [method, url, body] of [
      ['POST', '/cases', { title: 'viewer case' }],
      ['POST', '/watchlist', { kind: 'vessel', ref: '445123000' }],
      ['POST', '/zones', {}],
      ['POST', '/detect', {}],
      ['DELETE', '/watchlist/w-0000000000', undefined],
    ] as const) {
      const r = await as(vic, method, url, body);
      expect([r.statusCode, `${method} ${url}`]).toEqual([403, `${method} ${url}`]);
    }
    // A read-only POST (screening) is open to viewers; saving its findings is not.
    expect(
      (await as(vic, 'POST', '/crypto/screen', { addresses: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'] }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await as(vic, 'POST', '/crypto/screen', {
          addresses: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'],
          save: true,
        })
      ).statusCode,
    ).toBe(403);

    const alice = await login('alice');
    const users = await as(alice, 'GET', '/users');
    expect(users.statusCode).toBe(403);
    expect(users.json()).toMatchObject({ error: 'forbidden' });
    expect((await as(alice, 'GET', '/audit')).statusCode).toBe(403);
    expect((await as(alice, 'POST', '/users', { username: 'eve', password: PW, role: 'admin' })).statusCode).toBe(403);
    const root = await login('root');
    const list = await as(root, 'GET', '/users');
    expect(list.statusCode).toBe(200);
    expect(list.json().results.map((u: { username: string }) => u.username)).toEqual(['alice', 'bob', 'root', 'vic']);
  });

  it('hides a case from users it is not shared with (404, in the list, the case, its evidence and report)', async () => {
    const alice = await login('alice');
    const bob = await login('bob');
    const created = await as(alice, 'POST', '/cases', { title: 'Alice only' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    for (const url of [`/cases/${id}`, `/cases/${id}/evidence`, `/cases/${id}/report.html`, `/cases/${id}/shares`]) {
      const r = await as(bob, 'GET', url);
      expect([url, r.statusCode]).toEqual([url, 404]);
    }
    const hidden = await as(bob, 'GET', `/cases/${id}`);
    const missing = await as(bob, 'GET', '/cases/case-0000000000');
    expect(hidden.json()).toEqual({
      ...missing.json(),
      message: missing.json().message.replace('case-0000000000', id),
    });
    expect((await as(bob, 'PATCH', `/cases/${id}`, { title: 'taken' })).statusCode).toBe(404);
    expect((await as(bob, 'POST', `/cases/${id}/items`, { kind: 'note', ref: 'x' })).statusCode).toBe(404);
    expect((await as(bob, 'DELETE', `/cases/${id}`)).statusCode).toBe(404);
    expect((await as(bob, 'GET', '/cases')).json().results.map((c: { id: string }) => c.id)).not.toContain(id);
    // Only the owner (or an admin) shares it; then bob sees it.
    expect((await as(bob, 'POST', `/cases/${id}/shares`, { username: 'bob' })).statusCode).toBe(404);
    const shared = await as(alice, 'POST', `/cases/${id}/shares`, { username: 'bob' });
    expect(shared.statusCode).toBe(200);
    expect(shared.json().results.map((s: { username: string; access: string }) => [s.username, s.access])).toEqual([
      ['bob', 'shared'],
      ['alice', 'owner'],
    ]);
    expect((await as(bob, 'GET', `/cases/${id}`)).json().title).toBe('Alice only');
    expect((await as(bob, 'GET', '/cases')).json().results.map((c: { id: string }) => c.id)).toContain(id);
    // Admins see every case.
    expect((await as(await login('root'), 'GET', `/cases/${id}`)).statusCode).toBe(200);
  });

  it('API tokens: shown once, stored hashed, scoped read or write, revoked at once', async () => {
    const alice = await login('alice');
    const rt = await as(alice, 'POST', '/auth/tokens', { name: 'reader', scope: 'read' });
    expect(rt.statusCode).toBe(201);
    const read = rt.json() as { id: string; token: string };
    expect(read.token).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    const wt = (await as(alice, 'POST', '/auth/tokens', { name: 'writer', scope: 'write' })).json() as {
      id: string;
      token: string;
    };
    const stored = await store.db.query('SELECT token_hash FROM api_tokens');
    expect(stored.map((r) => r.token_hash)).not.toContain(read.token);
    const listed = (await as(alice, 'GET', '/auth/tokens')).json();
    expect(JSON.stringify(listed)).not.toContain(read.token);
    expect(listed.results.map((t: { name: string }) => t.name)).toEqual(['reader', 'writer']);

    expect((await bearer(read.token, 'GET', '/cases')).statusCode).toBe(200);
    const refused = await bearer(read.token, 'POST', '/cases', { title: 'by read token' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/read token/);
    // A write token needs no CSRF token (no cookie is involved) but never reaches admin routes.
    expect((await bearer(wt.token, 'POST', '/cases', { title: 'by write token' })).statusCode).toBe(201);
    expect((await bearer(wt.token, 'POST', '/auth/tokens', { name: 'x', scope: 'write' })).statusCode).toBe(400);

    // Bob cannot revoke Alice's token; Alice can, and it stops working at once.
    expect((await as(await login('bob'), 'DELETE', `/auth/tokens/${wt.id}`)).statusCode).toBe(404);
    const rev = await as(alice, 'DELETE', `/auth/tokens/${wt.id}`);
    expect(rev.statusCode).toBe(200);
    expect(rev.json().revokedAt).not.toBeNull();
    expect((await bearer(wt.token, 'GET', '/cases')).statusCode).toBe(401);
    expect((await bearer(read.token, 'GET', '/cases')).statusCode).toBe(200);
  });

  it('writes every change to the audit trail with who, from where, before and after; admins read it', async () => {
    const alice = await login('alice');
    const c = (await as(alice, 'POST', '/cases', { title: 'Audited' })).json() as { id: string };
    const patched = await as(alice, 'PATCH', `/cases/${c.id}`, { title: 'Audited, renamed', status: 'closed' });
    expect(patched.statusCode).toBe(200);
    const vic = await login('vic');
    await as(vic, 'POST', '/cases', { title: 'refused' });

    const root = await login('root');
    const audit = await as(root, 'GET', '/audit?limit=50');
    expect(audit.statusCode).toBe(200);
    const rows = audit.json().results as Array<Record<string, unknown>>;
    const edit = rows.find((r) => r.method === 'PATCH' && r.path === `/cases/${c.id}`)!;
    expect(edit).toMatchObject({
      username: 'alice',
      via: 'session',
      route: '/cases/:id',
      operation: 'updateCase',
      status: 200,
      ip: '127.0.0.1',
      before: { id: c.id, title: 'Audited', status: 'open' },
      after: { id: c.id, title: 'Audited, renamed', status: 'closed' },
    });
    const create = rows.find((r) => r.method === 'POST' && (r.after as { id?: string } | null)?.id === c.id)!;
    expect(create).toMatchObject({ username: 'alice', operation: 'createCase', status: 201, before: null });
    expect(rows.find((r) => r.username === 'vic' && r.route === '/cases')).toMatchObject({ status: 403 });
    // Sign-ins are written too, without their secrets.
    const signIn = rows.find((r) => r.route === '/auth/login' && r.username === 'root')!;
    expect(signIn.after).toMatchObject({ csrfToken: '[redacted]', user: { username: 'root' } });
    expect(JSON.stringify(rows)).not.toContain(PW);
    // Reads are not written.
    expect(rows.some((r) => r.method === 'GET')).toBe(false);
  });

  it('rate-limits failed sign-ins per address and user name', async () => {
    const tries: number[] = [];
    for (let i = 0; i < 11; i++) {
      tries.push(
        (
          await app.inject({
            method: 'POST',
            url: '/auth/login',
            payload: { username: 'trudy', password: `wrong-${i}` },
          })
        ).statusCode,
      );
    }
    expect(tries.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(tries[10]).toBe(429);
  });
});

describe('hardened HTTP', () => {
  it('never writes on a GET: exposure saves only through POST, and only for analysts', async () => {
    const addr = '0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073';
    const before = (await store.db.query('SELECT COUNT(*) AS n FROM findings'))[0]!.n;
    const root = await login('root');
    const get = await as(root, 'GET', `/crypto/exposure/${addr}?save=true`);
    expect(get.statusCode).toBe(400);
    expect(get.json().message).toMatch(/additional properties/);
    // Without save the GET passes validation (this store has no transfers, so the answer is about the address).
    const plain = await as(root, 'GET', `/crypto/exposure/${addr}?hops=2`);
    expect(plain.json().message ?? '').not.toMatch(/additional properties/);
    const vic = await login('vic');
    expect((await as(vic, 'POST', `/crypto/exposure/${addr}`, { hops: 2 })).statusCode).not.toBe(403);
    const saving = await as(vic, 'POST', `/crypto/exposure/${addr}`, { hops: 2, save: true });
    expect([saving.statusCode, saving.json().message]).toEqual([403, expect.stringMatching(/analyst/)]);
    expect((await store.db.query('SELECT COUNT(*) AS n FROM findings'))[0]!.n).toBe(before);
  });

  it('sends security headers on every answer, errors included', async () => {
    for (const url of ['/healthz', '/cases', '/no-such-route']) {
      const r = await app.inject({ url });
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-frame-options']).toBe('DENY');
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
    }
  });
});

describe('local single-user mode (auth off, the default)', () => {
  let local: FastifyInstance;
  beforeAll(async () => {
    local = await buildServer({ store, logLevel: false });
    await local.ready();
  });
  afterAll(async () => {
    await local?.close();
  });

  it('needs no sign-in and writes the audit trail as the local user', async () => {
    expect((await local.inject({ url: '/cases' })).statusCode).toBe(200);
    const c = await local.inject({ method: 'POST', url: '/cases', payload: { title: 'Local case' } });
    expect(c.statusCode).toBe(201);
    expect((await local.inject({ url: '/auth/me' })).json()).toEqual({
      authEnabled: false,
      user: { id: null, username: 'local', role: 'admin' },
      via: 'local',
    });
    const rows = await store.db.query(
      "SELECT username, via, status FROM audit_log WHERE path = '/cases' AND via = 'local'",
    );
    expect(rows).toContainEqual({ username: 'local', via: 'local', status: 201 });
  });

  it('answers only loopback Host names (DNS rebinding) and refuses cross-site changes', async () => {
    const rebound = await local.inject({ url: '/cases', headers: { host: 'attacker.example:8080' } });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json()).toMatchObject({ error: 'forbidden_host' });
    expect((await local.inject({ url: '/cases', headers: { host: '127.0.0.1:8080' } })).statusCode).toBe(200);
    const csrf = await local.inject({
      method: 'POST',
      url: '/cases',
      payload: { title: 'from a hostile page' },
      headers: { origin: 'http://attacker.example' },
    });
    expect(csrf.statusCode).toBe(403);
    // Only the sign-in takes a form body: the rest of the API stays JSON-only (a form on any site cannot post to it).
    const form = await local.inject({
      method: 'POST',
      url: '/cases',
      payload: 'title=from+a+form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
    // Compute-only POSTs stay open to other origins (OpenRefine calls /reconcile cross-site); saving does not.
    const crossSiteRead = await local.inject({
      method: 'POST',
      url: '/crypto/screen',
      payload: { addresses: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'] },
      headers: { origin: 'http://notebook.example' },
    });
    expect(crossSiteRead.statusCode).toBe(200);
    // A compute-only POST changes nothing, so it is not in the audit trail.
    const screens = await store.db.query(
      "SELECT status FROM audit_log WHERE route = '/crypto/screen' AND status = 200",
    );
    expect(screens).toEqual([]);
    const crossSiteSave = await local.inject({
      method: 'POST',
      url: '/crypto/screen',
      payload: { addresses: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'], save: true },
      headers: { origin: 'http://notebook.example' },
    });
    expect(crossSiteSave.statusCode).toBe(403);
  });

  it('does not serve the UI source maps unless asked to', async () => {
    const assets = await readdir(path.join(WEB_ROOT, 'assets')).catch(() => [] as string[]);
    const map = assets.find((f) => f.endsWith('.js.map'));
    if (!map) throw new Error('the web UI is not built (npm run build)');
    expect((await local.inject({ url: `/assets/${map.replace(/\.map$/, '')}` })).statusCode).toBe(200);
    expect((await local.inject({ url: `/assets/${map}` })).statusCode).toBe(404);
    const dev = await buildServer({ store, logLevel: false, auth: { enabled: false, sourceMaps: true } });
    try {
      expect((await dev.inject({ url: `/assets/${map}` })).statusCode).toBe(200);
    } finally {
      await dev.close();
    }
  });

  it('adds the same item once under 20 concurrent requests', async () => {
    const c = (await local.inject({ method: 'POST', url: '/cases', payload: { title: 'Concurrent adds' } })).json();
    const adds = await Promise.all(
      Array.from({ length: 20 }, () =>
        local.inject({
          method: 'POST',
          url: `/cases/${c.id}/items`,
          payload: { kind: 'address', ref: '0x098B716B8Aaf21512996dC57EB0615e2383E2f96' },
        }),
      ),
    );
    expect(new Set(adds.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(new Set(adds.map((r) => r.json().id)).size).toBe(1);
    expect((await local.inject({ url: `/cases/${c.id}` })).json().items).toHaveLength(1);
  });

  it('refuses to bind beyond loopback without auth, and says how to turn it on', () => {
    expect(() => assertBindAllowed('127.0.0.1', { enabled: false })).not.toThrow();
    expect(() => assertBindAllowed('::1', { enabled: false })).not.toThrow();
    expect(() => assertBindAllowed('0.0.0.0', { enabled: false })).toThrow(
      /users add <name> --role admin.*WATCHKEEPER_AUTH=on/s,
    );
    expect(() => assertBindAllowed('192.168.1.20', { enabled: false })).toThrow(/refusing to listen on 192.168.1.20/);
    expect(() => assertBindAllowed('0.0.0.0', { enabled: true })).not.toThrow();
  });
});
