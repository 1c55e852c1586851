import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createSession } from '../../src/auth/sessions.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Groups for their members (DuckDB, auth on): any signed-in user lists the groups they are in and reads them; a
 * group they are not in does not exist for them (404); the owner of a case shares it with a group they belong to,
 * not with another; an admin shares with any group; a viewer cannot share.
 */

const PW = 'correct horse battery';
let dir: string;
let store: Store;
let app: FastifyInstance;
const auth: Record<string, Record<string, string>> = {};

function as(user: string, method: string, url: string, payload?: object) {
  return app.inject({ method: method as 'GET', url, payload, headers: auth[user]! });
}
const names = (r: { json(): unknown }) => (r.json() as { results: Array<{ name: string }> }).results.map((g) => g.name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-group-members-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  for (const [username, role] of [
    ['root', 'admin'],
    ['alice', 'analyst'],
    ['bob', 'analyst'],
    ['vic', 'viewer'],
    ['eve', 'analyst'],
  ] as const) {
    const u = await createUser(store.db, { username, password: PW, role });
    if (username === 'root') {
      // A session: an admin's write token acts as an analyst at most.
      const s = await createSession(store.db, u.id);
      auth[username] = { cookie: `wk_session=${s.id}; wk_csrf=${s.csrf}`, 'x-csrf-token': s.csrf };
    } else {
      auth[username] = {
        authorization: `Bearer ${(await createToken(store.db, u.id, { name: 't', scope: 'write' })).token}`,
      };
    }
  }
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
  const group = async (name: string, members: string[]) => {
    const id = (await as('root', 'POST', '/groups', { name })).json().id as string;
    for (const username of members) await as('root', 'POST', `/groups/${id}/members`, { username });
    return id;
  };
  ids.desk = await group('desk', ['alice', 'vic']);
  ids.night = await group('night shift', ['bob']);
}, 60_000);
const ids: Record<string, string> = {};

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('groups seen by their members', () => {
  it('a member lists and reads their own groups; any other group is a 404; an admin sees all', async () => {
    const desk = await as('alice', 'GET', '/groups');
    expect(desk.statusCode).toBe(200);
    expect(desk.json().results).toEqual([expect.objectContaining({ id: ids.desk, name: 'desk', cases: 0 })]);
    expect(desk.json().results[0].members.map((m: { username: string }) => m.username)).toEqual(['alice', 'vic']);
    expect(names(await as('vic', 'GET', '/groups'))).toEqual(['desk']);
    expect(names(await as('bob', 'GET', '/groups'))).toEqual(['night shift']);
    expect(names(await as('eve', 'GET', '/groups'))).toEqual([]);
    expect(names(await as('root', 'GET', '/groups'))).toEqual(['desk', 'night shift']);

    expect((await as('alice', 'GET', `/groups/${ids.desk}`)).json().name).toBe('desk');
    // Not a member: the group does not exist for alice, just as an id nobody made.
    const other = await as('alice', 'GET', `/groups/${ids.night}`);
    const ghost = await as('alice', 'GET', '/groups/group-000000000000');
    expect([other.statusCode, ghost.statusCode]).toEqual([404, 404]);
    expect(other.json().message.replace(ids.night!, 'X')).toBe(ghost.json().message.replace('group-000000000000', 'X'));
    expect((await as('eve', 'GET', `/groups/${ids.desk}`)).statusCode).toBe(404);
    expect((await as('root', 'GET', `/groups/${ids.night}`)).statusCode).toBe(200);
    // Managing groups stays the admin's.
    expect((await as('alice', 'POST', `/groups/${ids.desk}/members`, { username: 'eve' })).statusCode).toBe(403);
    expect((await as('alice', 'POST', '/groups', { name: 'mine' })).statusCode).toBe(403);
  });

  it('the owner shares with a group they are in, not another; an admin with any; a viewer cannot share', async () => {
    const id = (await as('alice', 'POST', '/cases', { title: 'Desk only' })).json().id as string;
    const share = (user: string, group: string) => as(user, 'POST', `/cases/${id}/group-shares`, { group });
    // night shift exists, but alice is not in it: by name or id, the same 404 as a group nobody made.
    for (const g of ['night shift', ids.night!, 'no such group']) {
      const r = await share('alice', g);
      expect([r.statusCode, r.json().message]).toEqual([404, expect.stringContaining('among yours')]);
    }
    expect((await as('bob', 'GET', `/cases/${id}`)).statusCode).toBe(404);

    const shared = await share('alice', 'desk');
    expect(shared.statusCode).toBe(200);
    expect(shared.json().groups.map((g: { name: string }) => g.name)).toEqual(['desk']);
    expect((await as('vic', 'GET', `/cases/${id}`)).statusCode).toBe(200);
    expect((await as('alice', 'GET', '/groups')).json().results[0].cases).toBe(1);

    // vic sees the case through the desk but is a viewer: no sharing, with the desk or anyone.
    expect((await share('vic', 'desk')).statusCode).toBe(403);
    expect((await as('vic', 'POST', `/cases/${id}/shares`, { username: 'eve' })).statusCode).toBe(403);
    expect((await as('vic', 'DELETE', `/cases/${id}/group-shares/desk`)).statusCode).toBe(403);

    // An admin shares with any group; the owner may still stop that share.
    expect((await share('root', 'night shift')).statusCode).toBe(200);
    expect((await as('bob', 'GET', `/cases/${id}`)).statusCode).toBe(200);
    // bob sees it through night shift but is not the owner: he cannot pass it on.
    expect((await share('bob', 'night shift')).statusCode).toBe(400);
    const unshared = await as('alice', 'DELETE', `/cases/${id}/group-shares/night shift`);
    expect(unshared.json().groups.map((g: { name: string }) => g.name)).toEqual(['desk']);
    expect((await as('bob', 'GET', `/cases/${id}`)).statusCode).toBe(404);
  });
});
