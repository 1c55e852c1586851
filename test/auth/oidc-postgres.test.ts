import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { oidcOptionsFromEnv } from '../../src/auth/config.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { type OidcProvider, startOidcProvider } from '../support/oidc-provider.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/** OIDC sign-in on PostgreSQL: the identity table, user matched by subject on the second sign-in, the audit rows. */

let pg: TestPostgres | undefined;
let store: Store;
let app: FastifyInstance;
/** A second server process: its own connection pool to the same database. */
let store2: Store;
let app2: FastifyInstance;
let idp: OidcProvider;
const REDIRECT = 'http://localhost/auth/oidc/callback';

async function signIn(
  startOn = () => app,
  finishOn = () => app,
): Promise<{ status: number; sid: string | undefined; replay: () => Promise<number> }> {
  const login = await startOn().inject({ method: 'GET', url: '/auth/oidc/login' });
  const state = ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('wk_oidc='))!
    .split(';')[0]!;
  const back = await fetch(String(login.headers.location), { redirect: 'manual' });
  const cb = new URL(back.headers.get('location')!);
  const done = await finishOn().inject({ method: 'GET', url: cb.pathname + cb.search, headers: { cookie: state } });
  const sid = ([] as string[])
    .concat(done.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('wk_session='))
    ?.split(';')[0];
  const replay = async () =>
    (await startOn().inject({ method: 'GET', url: cb.pathname + cb.search, headers: { cookie: state } })).statusCode;
  return { status: done.statusCode, sid, replay };
}

describe.runIf(postgresAvailable())('OIDC sign-in on PostgreSQL', () => {
  beforeAll(async () => {
    idp = await startOidcProvider();
    pg = await startTestPostgres('oidc');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
    await createUser(store.db, { username: 'root', password: 'correct horse battery', role: 'admin' });
    const oidc = oidcOptionsFromEnv({
      WATCHKEEPER_OIDC_ISSUER: idp.issuer,
      WATCHKEEPER_OIDC_CLIENT_ID: idp.clientId,
      WATCHKEEPER_OIDC_CLIENT_SECRET: idp.clientSecret,
      WATCHKEEPER_OIDC_REDIRECT_URL: REDIRECT,
      WATCHKEEPER_OIDC_ROLE_MAP: 'wk-analysts=analyst',
    });
    app = await buildServer({ store, logLevel: false, auth: { enabled: true, oidc } });
    await app.ready();
    store2 = await openStore({ url: pg.url });
    app2 = await buildServer({ store: store2, logLevel: false, auth: { enabled: true, oidc } });
    await app2.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await app2?.close();
    await store2?.close();
    await store?.close();
    await pg?.stop();
    await idp?.close();
  });

  it('creates the user once, matches it by subject after, and audits both sign-ins', async () => {
    idp.user = { sub: 'pg-sub-1', email: 'pat@example.org', email_verified: true, preferred_username: 'pat' };
    const first = await signIn();
    expect(first.status).toBe(303);
    idp.user = { ...idp.user, groups: ['wk-analysts'] };
    const second = await signIn();
    expect(second.status).toBe(303);
    const me = await app.inject({ url: '/auth/me', headers: { cookie: second.sid! } });
    expect(me.json()).toMatchObject({ user: { username: 'pat', role: 'analyst' }, via: 'session' });
    const ids = await store.db.query('SELECT user_id FROM oidc_identities WHERE subject = $1', ['pg-sub-1']);
    expect(ids.map((r) => r.user_id)).toEqual([me.json().user.id]);
    const trail = await store.db.query(
      "SELECT username, status FROM audit_log WHERE operation = 'oidcCallback' ORDER BY ts",
    );
    expect(trail.map((r) => [r.username, Number(r.status)])).toEqual([
      ['pat', 303],
      ['pat', 303],
    ]);
  });

  it('finishes on a second server process a sign-in started on the first, once', async () => {
    idp.user = { sub: 'pg-sub-2', email: 'lee@example.org', email_verified: true, preferred_username: 'lee' };
    const r = await signIn(
      () => app,
      () => app2,
    );
    expect(r.status).toBe(303);
    const me = await app.inject({ url: '/auth/me', headers: { cookie: r.sid! } });
    expect(me.json()).toMatchObject({ user: { username: 'lee', role: 'viewer' }, via: 'session' });
    // Taken by the second process: the first cannot use it again.
    expect(await r.replay()).toBe(400);
    expect(await store.db.query('SELECT state_hash FROM oidc_pending')).toEqual([]);
  });
});
