import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { oidcOptionsFromEnv } from '../../src/auth/config.js';
import { verifyIdToken } from '../../src/auth/oidc.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { type OidcProvider, startOidcProvider } from '../support/oidc-provider.js';

/**
 * OIDC sign-in against a local provider the test starts: discovery, code flow with PKCE, an RS256 id_token checked
 * against the provider's JWKS. A good sign-in creates the user with the mapped role and a session; a bad signature,
 * another audience, an expired token, a replayed state, a state from another browser and a foreign domain are refused.
 */

let dir: string;
let store: Store;
let app: FastifyInstance;
let app2: FastifyInstance;
let idp: OidcProvider;
const REDIRECT = 'http://localhost/auth/oidc/callback';

function cookiesOf(r: LightMyRequestResponse): string[] {
  const h = r.headers['set-cookie'];
  return Array.isArray(h) ? h : h ? [h] : [];
}

function cookieValue(r: LightMyRequestResponse, name: string): string | undefined {
  const c = cookiesOf(r).find((x) => x.startsWith(`${name}=`));
  return c ? decodeURIComponent(c.slice(name.length + 1).split(';')[0]!) : undefined;
}

/** Start at /auth/oidc/login, follow the provider's authorize redirect: the callback URL and the state cookie. */
async function authorize(
  returnTo = '/case',
): Promise<{ callback: string; stateCookie: string; login: LightMyRequestResponse }> {
  const login = await app.inject({ method: 'GET', url: `/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}` });
  expect(login.statusCode).toBe(302);
  const at = new URL(String(login.headers.location));
  expect(at.origin).toBe(idp.issuer);
  expect(at.searchParams.get('code_challenge_method')).toBe('S256');
  expect(at.searchParams.get('scope')).toBe('openid profile email');
  const back = await fetch(at, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const callback = new URL(back.headers.get('location')!);
  expect(callback.origin + callback.pathname).toBe(REDIRECT);
  return { callback: callback.pathname + callback.search, stateCookie: cookieValue(login, 'wk_oidc')!, login };
}

function callback(url: string, stateCookie: string | undefined) {
  return app.inject({
    method: 'GET',
    url,
    headers: stateCookie ? { cookie: `wk_oidc=${encodeURIComponent(stateCookie)}` } : {},
  });
}

beforeAll(async () => {
  idp = await startOidcProvider();
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-oidc-'));
  store = await openStore({ url: path.join(dir, 'oidc.duckdb') });
  await createUser(store.db, { username: 'root', password: 'correct horse battery', role: 'admin' });
  // The configuration as an operator writes it (environment variables), parsed by the server's own reader.
  const oidc = oidcOptionsFromEnv({
    WATCHKEEPER_OIDC_ISSUER: idp.issuer,
    WATCHKEEPER_OIDC_CLIENT_ID: idp.clientId,
    WATCHKEEPER_OIDC_CLIENT_SECRET: idp.clientSecret,
    WATCHKEEPER_OIDC_REDIRECT_URL: REDIRECT,
    WATCHKEEPER_OIDC_NAME: 'Example IdP',
    WATCHKEEPER_OIDC_ROLE_MAP: 'wk-analysts=analyst,wk-admins=admin',
    WATCHKEEPER_OIDC_ALLOWED_DOMAINS: 'example.org',
  });
  app = await buildServer({ store, logLevel: false, auth: { enabled: true, oidc } });
  // A second server process behind the same load balancer: same store, same configuration, nothing else shared.
  app2 = await buildServer({ store, logLevel: false, auth: { enabled: true, oidc } });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await app2?.close();
  await store?.close();
  await idp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OIDC sign-in', () => {
  it('names the provider in /auth/me for the sign-in page', async () => {
    const me = await app.inject({ method: 'GET', url: '/auth/me' });
    expect(me.json()).toEqual({ authEnabled: true, user: null, via: null, oidc: { name: 'Example IdP' } });
    const form = await app.inject({ method: 'GET', url: '/login' });
    expect(form.body).toContain('<a href="/auth/oidc/login">Sign in with Example IdP</a>');
  });

  it('signs in through the provider: user created by subject with the mapped role, a session, back to the page', async () => {
    idp.user = {
      sub: 'sub-ines',
      email: 'Ines@example.org',
      email_verified: true,
      preferred_username: 'ines',
      groups: ['staff', 'wk-analysts'],
    };
    const { callback: cb, stateCookie } = await authorize('/case?x=1');
    const done = await callback(cb, stateCookie);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/case?x=1');
    const sid = cookieValue(done, 'wk_session')!;
    expect(sid).toBeTruthy();
    expect(cookiesOf(done).find((c) => c.startsWith('wk_session='))).toMatch(/HttpOnly/);
    const me = await app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: `wk_session=${sid}` } });
    expect(me.json()).toMatchObject({ user: { username: 'ines', role: 'analyst' }, via: 'session' });
    const cases = await app.inject({ method: 'GET', url: '/cases', headers: { cookie: `wk_session=${sid}` } });
    expect(cases.statusCode).toBe(200);

    // Again, now in the admins group: the same user (matched by subject), its role follows the provider.
    idp.user = { ...idp.user, preferred_username: 'ines-renamed', groups: ['wk-admins'] };
    const again = await authorize();
    const done2 = await callback(again.callback, again.stateCookie);
    expect(done2.statusCode).toBe(303);
    const me2 = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { cookie: `wk_session=${cookieValue(done2, 'wk_session')}` },
    });
    expect(me2.json()).toMatchObject({ user: { id: me.json().user.id, username: 'ines', role: 'admin' } });
    const users = await store.db.query("SELECT count(*)::INTEGER AS n FROM users WHERE username LIKE 'ines%'");
    expect(Number(users[0]!.n)).toBe(1);
    // Both sign-ins are in the audit trail, with the user and no code or state.
    const trail = await store.db.query(
      "SELECT username, via, status, path FROM audit_log WHERE operation = 'oidcCallback' ORDER BY ts",
    );
    expect(trail.map((r) => [r.username, r.via, Number(r.status), r.path])).toEqual([
      ['ines', 'oidc', 303, '/auth/oidc/callback'],
      ['ines', 'oidc', 303, '/auth/oidc/callback'],
    ]);
  });

  it('refuses a replayed state, and a state not bound to this browser', async () => {
    const { callback: cb, stateCookie } = await authorize();
    const requestsBefore = idp.tokenRequests;
    const other = await callback(cb, 'some-other-state');
    expect(other.statusCode).toBe(400);
    expect(other.json()).toMatchObject({ error: 'oidc_state' });
    // The state was spent by that attempt: the real browser cannot use it afterwards either.
    const replay = await callback(cb, stateCookie);
    expect(replay.statusCode).toBe(400);
    expect(idp.tokenRequests).toBe(requestsBefore);

    const fresh = await authorize();
    expect((await callback(fresh.callback, fresh.stateCookie)).statusCode).toBe(303);
    const replayed = await callback(fresh.callback, fresh.stateCookie);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json().message).toMatch(/already used/);
    expect(cookiesOf(replayed).some((c) => c.startsWith('wk_session='))).toBe(false);
  });

  it('finishes on another server process a sign-in started on this one, once; an expired one is refused', async () => {
    idp.user = { sub: 'sub-noor', email: 'noor@example.org', email_verified: true, groups: ['wk-analysts'] };
    const { callback: cb, stateCookie } = await authorize('/watchlist');
    // In the store, by its hash: the state itself (what the browser and the provider carry) is not kept.
    const pending = await store.db.query('SELECT state_hash, return_to FROM oidc_pending');
    expect(pending.map((r) => r.return_to)).toEqual(['/watchlist']);
    expect(JSON.stringify(pending)).not.toContain(stateCookie);
    const done = await app2.inject({
      method: 'GET',
      url: cb,
      headers: { cookie: `wk_oidc=${encodeURIComponent(stateCookie)}` },
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/watchlist');
    const sid = cookieValue(done, 'wk_session')!;
    const me = await app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: `wk_session=${sid}` } });
    expect(me.json()).toMatchObject({ user: { username: 'noor@example.org', role: 'analyst' } });
    // Used up on the second server: the first one refuses it too.
    const replay = await callback(cb, stateCookie);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().message).toMatch(/already used/);
    expect(await store.db.query('SELECT state_hash FROM oidc_pending')).toEqual([]);

    // A sign-in left at the provider past its time: refused wherever it comes back, and not used to sign in.
    const late = await authorize();
    await store.db.query('UPDATE oidc_pending SET expires_ms = $1', [BigInt(Date.now() - 1)]);
    const requestsBefore = idp.tokenRequests;
    const r = await app2.inject({
      method: 'GET',
      url: late.callback,
      headers: { cookie: `wk_oidc=${encodeURIComponent(late.stateCookie)}` },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'oidc_state', message: expect.stringMatching(/expired/) });
    expect(idp.tokenRequests).toBe(requestsBefore);
  });

  it.each([
    ['a signature by a key not in the JWKS', { foreignKey: true }, /signature does not verify/],
    ['another audience', { audience: 'someone-else' }, /not for this client/],
    ['an expired token', { expiredFor: 3600 }, /expired/],
    ['another nonce', { claims: { nonce: 'forged' } }, /nonce/],
    ['another issuer', { claims: { iss: 'https://evil.example' } }, /issuer/],
  ])('refuses an id_token with %s', async (_what, tamper, message) => {
    idp.user = { sub: 'sub-mallory', email: 'mallory@example.org', email_verified: true, groups: ['wk-admins'] };
    const { callback: cb, stateCookie } = await authorize();
    idp.next = tamper;
    const r = await callback(cb, stateCookie);
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ error: 'oidc_token', message: expect.stringMatching(message) });
    expect(cookiesOf(r).some((c) => c.startsWith('wk_session='))).toBe(false);
    const made = await store.db.query("SELECT count(*)::INTEGER AS n FROM users WHERE username LIKE 'mallory%'");
    expect(Number(made[0]!.n)).toBe(0);
    const refused = await store.db.query(
      "SELECT username, status FROM audit_log WHERE operation = 'oidcCallback' ORDER BY ts DESC LIMIT 1",
    );
    expect(refused.map((r) => [r.username, Number(r.status)])).toEqual([['anonymous', 401]]);
  });

  it('refuses an address outside the allowed domains', async () => {
    idp.user = { sub: 'sub-out', email: 'out@elsewhere.net', email_verified: true };
    const { callback: cb, stateCookie } = await authorize();
    const r = await callback(cb, stateCookie);
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toContain('example.org');
  });

  it('never sends the browser to another site after signing in', async () => {
    idp.user = { sub: 'sub-ines', email: 'ines@example.org', email_verified: true, groups: ['wk-analysts'] };
    const { callback: cb, stateCookie } = await authorize('//evil.example/x');
    const r = await callback(cb, stateCookie);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/');
  });
});

describe('OIDC not configured', () => {
  it('answers 404 with {error, message}, and /auth/me offers no provider', async () => {
    const plain = await buildServer({ store, logLevel: false, auth: { enabled: true } });
    try {
      const r = await plain.inject({ method: 'GET', url: '/auth/oidc/login' });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({
        error: 'not_found',
        message: expect.stringContaining('WATCHKEEPER_OIDC_ISSUER'),
      });
      expect((await plain.inject({ method: 'GET', url: '/auth/me' })).json().oidc).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('OIDC with an ES256 provider', () => {
  it('signs in with an ES256 id_token, refuses one signed by another EC key, and never alg none or HS256', async () => {
    const ec = await startOidcProvider({ alg: 'ES256' });
    const oidc = oidcOptionsFromEnv({
      WATCHKEEPER_OIDC_ISSUER: ec.issuer,
      WATCHKEEPER_OIDC_CLIENT_ID: ec.clientId,
      WATCHKEEPER_OIDC_CLIENT_SECRET: ec.clientSecret,
      WATCHKEEPER_OIDC_REDIRECT_URL: REDIRECT,
      WATCHKEEPER_OIDC_ROLE_MAP: 'wk-analysts=analyst',
    });
    const server = await buildServer({ store, logLevel: false, auth: { enabled: true, oidc } });
    const signIn = async () => {
      const login = await server.inject({ method: 'GET', url: '/auth/oidc/login' });
      const back = await fetch(String(login.headers.location), { redirect: 'manual' });
      const cb = new URL(back.headers.get('location')!);
      return server.inject({
        method: 'GET',
        url: cb.pathname + cb.search,
        headers: { cookie: `wk_oidc=${encodeURIComponent(cookieValue(login, 'wk_oidc')!)}` },
      });
    };
    try {
      const jwks = (await (await fetch(`${ec.issuer}/jwks`)).json()) as { keys: Array<{ kty: string; crv: string }> };
      expect(jwks.keys.map((k) => [k.kty, k.crv])).toEqual([['EC', 'P-256']]);
      ec.user = { sub: 'sub-ec', email: 'ec@example.org', email_verified: true, preferred_username: 'ecuser' };
      ec.user.groups = ['wk-analysts'];
      const ok = await signIn();
      expect(ok.statusCode).toBe(303);
      const me = await server.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { cookie: `wk_session=${cookieValue(ok, 'wk_session')}` },
      });
      expect(me.json()).toMatchObject({ user: { username: 'ecuser', role: 'analyst' } });
      ec.next = { foreignKey: true };
      const forged = await signIn();
      expect(forged.statusCode).toBe(401);
      expect(forged.json().message).toMatch(/signature does not verify/);
    } finally {
      await server.close();
      await ec.close();
    }
    // Unsigned and shared-secret tokens are refused before any key is looked at.
    const body = Buffer.from(JSON.stringify({ iss: 'x', sub: 's', aud: 'c', exp: 2e9, nonce: 'n' })).toString(
      'base64url',
    );
    for (const alg of ['none', 'HS256']) {
      const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      expect(() => verifyIdToken(`${head}.${body}.`, [], { issuer: 'x', clientId: 'c', nonce: 'n' })).toThrow(
        new RegExp(`algorithm ${alg} is not accepted`),
      );
    }
  });
});
