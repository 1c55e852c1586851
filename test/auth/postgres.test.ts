import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/** Auth on PostgreSQL: the same migration, sharing and audit trail, and the trigger that keeps audit_log append-only. */

const PW = 'correct horse battery';
let pg: TestPostgres | undefined;
let store: Store;
let app: FastifyInstance;

async function login(username: string): Promise<Record<string, string>> {
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PW } });
  expect(r.statusCode).toBe(200);
  const cookies = ([] as string[]).concat(r.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
  return { cookie: cookies.join('; '), 'x-csrf-token': r.json().csrfToken as string };
}

describe.runIf(postgresAvailable())('auth on PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('auth');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
    await createUser(store.db, { username: 'root', password: PW, role: 'admin' });
    await createUser(store.db, { username: 'alice', password: PW, role: 'analyst' });
    await createUser(store.db, { username: 'bob', password: PW, role: 'analyst' });
    await createUser(store.db, { username: 'vic', password: PW, role: 'viewer' });
    app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await pg?.stop();
  });

  it('shares cases, refuses viewers, revokes tokens and audits every write with its user', async () => {
    const alice = await login('alice');
    const c = await app.inject({ method: 'POST', url: '/cases', payload: { title: 'PG case' }, headers: alice });
    expect(c.statusCode).toBe(201);
    const id = c.json().id as string;
    const bob = await login('bob');
    expect((await app.inject({ url: `/cases/${id}`, headers: bob })).statusCode).toBe(404);
    expect((await app.inject({ url: `/cases/${id}/report.html`, headers: bob })).statusCode).toBe(404);
    const vic = await login('vic');
    expect(
      (await app.inject({ method: 'POST', url: '/cases', payload: { title: 'no' }, headers: vic })).statusCode,
    ).toBe(403);
    const share = await app.inject({
      method: 'POST',
      url: `/cases/${id}/shares`,
      payload: { username: 'bob' },
      headers: alice,
    });
    expect(share.statusCode).toBe(200);
    expect((await app.inject({ url: `/cases/${id}`, headers: bob })).statusCode).toBe(200);

    const tok = await app.inject({
      method: 'POST',
      url: '/auth/tokens',
      payload: { name: 'w', scope: 'write' },
      headers: alice,
    });
    const { id: tokId, token } = tok.json() as { id: string; token: string };
    const auth = { authorization: `Bearer ${token}` };
    const patched = await app.inject({
      method: 'PATCH',
      url: `/cases/${id}`,
      payload: { title: 'PG case, renamed' },
      headers: auth,
    });
    expect(patched.statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/auth/tokens/${tokId}`, headers: alice })).statusCode).toBe(200);
    expect((await app.inject({ url: '/cases', headers: auth })).statusCode).toBe(401);

    const audit = await app.inject({ url: '/audit?limit=100', headers: await login('root') });
    const rows = audit.json().results as Array<Record<string, unknown>>;
    expect(rows.find((r) => r.method === 'PATCH')).toMatchObject({
      username: 'alice',
      via: 'token',
      before: { title: 'PG case' },
      after: { title: 'PG case, renamed' },
    });
    expect(rows.find((r) => r.username === 'vic' && r.route === '/cases')).toMatchObject({ status: 403 });
  });

  it('shares a case with a group: a member sees it within their role, a removed member gets 404 at once', async () => {
    const alice = await login('alice');
    const root = await login('root');
    const vic = await login('vic');
    const id = (
      await app.inject({ method: 'POST', url: '/cases', payload: { title: 'PG desk' }, headers: alice })
    ).json().id as string;
    const g = await app.inject({ method: 'POST', url: '/groups', payload: { name: 'pg desk' }, headers: root });
    expect(g.statusCode).toBe(201);
    const groupId = g.json().id as string;
    const add = { method: 'POST' as const, url: `/groups/${groupId}/members`, headers: root };
    expect((await app.inject({ ...add, payload: { username: 'vic' } })).statusCode).toBe(200);
    const urls = [`/cases/${id}`, `/cases/${id}/report.html`, `/cases/${id}/bundle?pdf=false`];
    const codes = async () =>
      Promise.all(urls.map(async (url) => (await app.inject({ url, headers: vic })).statusCode));
    const listed = async () =>
      ((await app.inject({ url: '/cases', headers: vic })).json().results as Array<{ id: string }>).some(
        (c) => c.id === id,
      );
    expect([await codes(), await listed()]).toEqual([[404, 404, 404], false]);
    const share = { method: 'POST' as const, url: `/cases/${id}/group-shares`, payload: { group: 'pg desk' } };
    // The owner shares only with a group she is in.
    expect((await app.inject({ ...share, headers: alice })).statusCode).toBe(404);
    expect((await app.inject({ ...add, payload: { username: 'alice' } })).statusCode).toBe(200);
    expect((await app.inject({ ...share, headers: alice })).statusCode).toBe(200);
    expect([await codes(), await listed()]).toEqual([[200, 200, 200], true]);
    const patch = { method: 'PATCH' as const, url: `/cases/${id}`, payload: { title: 'x' }, headers: vic };
    expect((await app.inject(patch)).statusCode).toBe(403);
    const removed = await app.inject({ method: 'DELETE', url: `/groups/${groupId}/members/vic`, headers: root });
    expect(removed.json().members.map((m: { username: string }) => m.username)).toEqual(['alice']);
    expect([await codes(), await listed()]).toEqual([[404, 404, 404], false]);
    const audit = (await app.inject({ url: '/audit?limit=50', headers: root })).json().results as Array<{
      operation: string;
      status: number;
    }>;
    expect(audit.filter((r) => r.status === 200 && r.operation.includes('Group')).map((r) => r.operation)).toEqual([
      'removeGroupMember',
      'shareCaseWithGroup',
      'addGroupMember',
      'addGroupMember',
    ]);
  });

  it('keeps audit_log append-only', async () => {
    await expect(store.db.query("UPDATE audit_log SET username = 'nobody'")).rejects.toThrow(/append-only/);
    await expect(store.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });
});
