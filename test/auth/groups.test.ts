import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { listAudit } from '../../src/auth/audit.js';
import { canSeeCase, setCaseOwner } from '../../src/auth/case-access.js';
import { listGroups } from '../../src/auth/groups.js';
import { createSession } from '../../src/auth/sessions.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/auth/users.js';
import { createCase } from '../../src/cases/cases.js';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Cases shared with groups, over HTTP with auth on (DuckDB): an admin makes a group, the owner shares a case with
 * it; members see the case in the list, the page, its report, bundle and attachments, each within their role; a
 * non-member and a removed member get 404; every change is in the audit trail.
 */

const PW = 'correct horse battery';
const FIX = path.resolve(import.meta.dirname, '../fixtures/cases');
const tif = readFileSync(path.join(FIX, 'korea-bay-4326.tif'));
const tifSha = createHash('sha256').update(tif).digest('hex');

let dir: string;
let dbFile: string;
let store: Store;
let app: FastifyInstance;
let open = false;
const ids: Record<string, string> = {};

async function closeServer(): Promise<void> {
  if (!open) return;
  open = false;
  await app.close();
  await store.close();
}
/** Per user, the headers a request carries: an API token, except root (a write token acts as analyst at most). */
const auth: Record<string, Record<string, string>> = {};

/** Signed in without the password round trip (test/auth/server.test.ts covers sign-in itself). */
async function signIn(username: string, userId: string): Promise<Record<string, string>> {
  if (username === 'root') {
    const s = await createSession(store.db, userId);
    return { cookie: `wk_session=${s.id}; wk_csrf=${s.csrf}`, 'x-csrf-token': s.csrf };
  }
  const { token } = await createToken(store.db, userId, { name: 'test', scope: 'write' });
  return { authorization: `Bearer ${token}` };
}

function as(user: string, method: string, url: string, body?: Buffer | object) {
  const headers = auth[user]!;
  return app.inject({
    method: method as 'GET',
    url,
    ...(Buffer.isBuffer(body)
      ? { body, headers: { 'content-type': 'application/octet-stream', ...headers } }
      : { payload: body, headers }),
  });
}

async function statuses(user: string, urls: string[]): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [];
  for (const url of urls) out.push([url, (await as(user, 'GET', url)).statusCode]);
  return out;
}

async function listed(user: string, id: string): Promise<boolean> {
  const r = await as(user, 'GET', '/cases');
  expect(r.statusCode).toBe(200);
  return (r.json().results as Array<{ id: string }>).some((c) => c.id === id);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-groups-'));
  dbFile = path.join(dir, 'wk.duckdb');
  store = await openStore({ url: dbFile });
  for (const [username, role] of [
    ['root', 'admin'],
    ['alice', 'analyst'],
    ['bob', 'analyst'],
    ['vic', 'viewer'],
    ['eve', 'analyst'],
  ] as const) {
    const u = await createUser(store.db, { username, password: PW, role });
    ids[username] = u.id;
    auth[username] = await signIn(username, u.id);
  }
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
  open = true;
}, 60_000);

afterAll(async () => {
  await closeServer();
  await rm(dir, { recursive: true, force: true });
});

describe('cases shared with groups', () => {
  it('members see the case everywhere, within their role; others and removed members get 404', async () => {
    // Groups are the admin's; a user lists only the groups they are in (none yet).
    expect((await as('alice', 'POST', '/groups', { name: 'desk' })).statusCode).toBe(403);
    expect((await as('alice', 'GET', '/groups')).json()).toEqual({ results: [] });
    const created = await as('root', 'POST', '/groups', { name: 'desk' });
    expect(created.statusCode).toBe(201);
    const groupId = created.json().id as string;
    expect((await as('root', 'POST', '/groups', { name: 'desk' })).statusCode).toBe(400);
    expect((await as('root', 'POST', `/groups/${groupId}/members`, { username: 'bob' })).statusCode).toBe(200);
    const members = await as('root', 'POST', `/groups/${groupId}/members`, { username: 'vic' });
    expect(members.json().members.map((m: { username: string }) => m.username)).toEqual(['bob', 'vic']);
    expect((await as('root', 'POST', `/groups/${groupId}/members`, { username: 'nobody' })).statusCode).toBe(404);

    // alice's case, with a note and an attachment.
    const id = (await as('alice', 'POST', '/cases', { title: 'Desk case' })).json().id as string;
    expect(
      (await as('alice', 'POST', `/cases/${id}/items`, { kind: 'note', ref: 'n1', note: 'seen' })).statusCode,
    ).toBe(201);
    const q = '?caption=Korea%20Bay&source=Natural%20Earth&date=2024-03-15&licence=public%20domain&filename=k.tif';
    expect((await as('alice', 'POST', `/cases/${id}/attachments${q}`, tif)).statusCode).toBe(201);

    const urls = [
      `/cases/${id}`,
      `/cases/${id}/report.html`,
      `/cases/${id}/bundle?pdf=false`,
      `/cases/${id}/attachments`,
      `/cases/${id}/attachments/${tifSha}`,
      `/cases/${id}/shares`,
    ];
    const all = (code: number) => urls.map((u): [string, number] => [u, code]);
    for (const u of ['bob', 'vic', 'eve']) {
      expect(await statuses(u, urls)).toEqual(all(404));
      expect(await listed(u, id)).toBe(false);
    }

    // Only the owner (or an admin) shares; a member of nothing cannot share it with a group.
    expect((await as('eve', 'POST', `/cases/${id}/group-shares`, { group: 'desk' })).statusCode).toBe(404);
    expect((await as('alice', 'POST', `/cases/${id}/group-shares`, { group: 'no-such' })).statusCode).toBe(404);
    // An admin passes the visibility check, but a share of a case that does not exist is still a 404.
    const ghost = await as('root', 'POST', '/cases/case-0000000000/group-shares', { group: 'desk' });
    expect([ghost.statusCode, ghost.json().message]).toEqual([404, expect.stringContaining('case-0000000000')]);
    // The owner shares only with a group she is in: the desk does not exist for alice until she joins it.
    expect((await as('alice', 'POST', `/cases/${id}/group-shares`, { group: 'desk' })).statusCode).toBe(404);
    expect((await as('root', 'POST', `/groups/${groupId}/members`, { username: 'alice' })).statusCode).toBe(200);
    const shared = await as('alice', 'POST', `/cases/${id}/group-shares`, { group: 'desk' });
    expect(shared.statusCode).toBe(200);
    expect(shared.json().groups.map((g: { groupId: string; name: string }) => [g.groupId, g.name])).toEqual([
      [groupId, 'desk'],
    ]);
    expect(shared.json().results.map((s: { username: string }) => s.username)).toEqual(['alice']);

    for (const u of ['bob', 'vic']) {
      expect(await statuses(u, urls)).toEqual(all(200));
      expect(await listed(u, id)).toBe(true);
    }
    const attachment = await as('vic', 'GET', `/cases/${id}/attachments/${tifSha}`);
    expect(createHash('sha256').update(attachment.rawPayload).digest('hex')).toBe(tifSha);
    expect(await statuses('eve', urls)).toEqual(all(404));
    expect(await listed('eve', id)).toBe(false);

    // The group never lifts a role: the analyst member writes, the viewer member only reads.
    expect((await as('bob', 'PATCH', `/cases/${id}`, { title: 'Desk case, by bob' })).statusCode).toBe(200);
    expect((await as('vic', 'PATCH', `/cases/${id}`, { title: 'vic was here' })).statusCode).toBe(403);
    expect((await as('vic', 'POST', `/cases/${id}/items`, { kind: 'note', ref: 'v' })).statusCode).toBe(403);
    // A member is not the owner: they cannot pass the case on.
    expect((await as('bob', 'POST', `/cases/${id}/shares`, { username: 'eve' })).statusCode).toBe(400);
    expect((await as('bob', 'POST', `/cases/${id}/group-shares`, { group: 'desk' })).statusCode).toBe(400);

    // Removing bob from the group hides the case from him at once; vic still sees it.
    const removed = await as('root', 'DELETE', `/groups/${groupId}/members/bob`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().members.map((m: { username: string }) => m.username)).toEqual(['alice', 'vic']);
    expect(await statuses('bob', urls)).toEqual(all(404));
    expect(await listed('bob', id)).toBe(false);
    expect((await as('bob', 'PATCH', `/cases/${id}`, { title: 'gone' })).statusCode).toBe(404);
    expect((await as('vic', 'GET', `/cases/${id}`)).json().title).toBe('Desk case, by bob');

    // Unsharing hides it from the remaining member; sharing again and deleting the group too.
    const unshared = await as('alice', 'DELETE', `/cases/${id}/group-shares/desk`);
    expect(unshared.statusCode).toBe(200);
    expect(unshared.json().groups).toEqual([]);
    expect(await statuses('vic', urls)).toEqual(all(404));
    expect((await as('alice', 'DELETE', `/cases/${id}/group-shares/desk`)).statusCode).toBe(404);
    expect((await as('alice', 'POST', `/cases/${id}/group-shares`, { group: groupId })).statusCode).toBe(200);
    expect((await as('vic', 'GET', `/cases/${id}`)).statusCode).toBe(200);
    const gone = await as('root', 'DELETE', `/groups/${groupId}`);
    expect(gone.statusCode).toBe(200);
    expect(gone.json()).toMatchObject({ name: 'desk', cases: 1 });
    expect((await as('vic', 'GET', `/cases/${id}`)).statusCode).toBe(404);
    expect((await as('root', 'GET', `/groups/${groupId}`)).statusCode).toBe(404);
    expect((await as('alice', 'GET', `/cases/${id}/shares`)).json().groups).toEqual([]);

    // Every change is in the audit trail, with who made it and the state before.
    const { results } = await listAudit(store.db, { limit: 200 });
    const ops = results
      .filter((r) => r.status < 400 && /Group|group/.test(r.operation ?? ''))
      .map((r) => [r.operation, r.username])
      .reverse();
    expect(ops).toEqual([
      ['createGroup', 'root'],
      ['addGroupMember', 'root'],
      ['addGroupMember', 'root'],
      ['addGroupMember', 'root'],
      ['shareCaseWithGroup', 'alice'],
      ['removeGroupMember', 'root'],
      ['unshareCaseWithGroup', 'alice'],
      ['shareCaseWithGroup', 'alice'],
      ['deleteGroup', 'root'],
    ]);
    const removal = results.find((r) => r.operation === 'removeGroupMember' && r.status === 200)!;
    const names = (doc: unknown) => (doc as { members: Array<{ username: string }> }).members.map((m) => m.username);
    expect([names(removal.before), names(removal.after)]).toEqual([
      ['alice', 'bob', 'vic'],
      ['alice', 'vic'],
    ]);
    const unshare = results.find((r) => r.operation === 'unshareCaseWithGroup' && r.status === 200)!;
    expect((unshare.before as { groups: Array<{ name: string }> }).groups.map((g) => g.name)).toEqual(['desk']);
  });
});

describe('watchkeeper groups (in process)', () => {
  async function cli(db: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
    process.stdout.write = ((c: string | Uint8Array) => {
      out += String(c);
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = ((c: string | Uint8Array) => {
      err += String(c);
      return true;
    }) as typeof process.stderr.write;
    try {
      return { code: await main(['node', 'watchkeeper', '--db', db, ...args]), out, err };
    } finally {
      process.stdout.write = write.out;
      process.stderr.write = write.err;
      process.exitCode = undefined;
    }
  }

  it('creates a group, adds members, shares a case, removes a member and deletes the group, all audited', async () => {
    // The same store as above, released by the server as a DuckDB CLI needs it (one process holds the file).
    const c = await createCase(store, { title: 'CLI case' });
    await setCaseOwner(store.db, c.id, ids.alice!);
    await closeServer();
    const db = dbFile;

    const created = await cli(db, 'groups', 'create', 'sanctions desk');
    expect(created.code).toBe(0);
    const groupId = created.out.trim();
    expect(groupId).toMatch(/^group-[0-9a-f]{12}$/);
    expect((await cli(db, 'groups', 'add', 'sanctions desk', 'bob', 'eve')).err).toBe('sanctions desk: bob, eve\n');
    expect((await cli(db, 'groups', 'share', c.id, groupId)).code).toBe(0);
    expect((await cli(db, 'groups', 'remove', 'sanctions desk', 'eve')).code).toBe(0);
    const listed = JSON.parse((await cli(db, 'groups', 'list', '--json')).out) as Array<Record<string, unknown>>;
    expect(
      listed.map((g) => [g.name, (g.members as Array<{ username: string }>).map((m) => m.username), g.cases]),
    ).toEqual([['sanctions desk', ['bob'], 1]]);

    const check = await openStore({ url: db });
    try {
      const sees = (u: string) => canSeeCase(check.db, { userId: ids[u]!, role: 'analyst' }, c.id);
      expect([await sees('alice'), await sees('bob'), await sees('eve')]).toEqual([true, true, false]);
    } finally {
      await check.close();
    }
    expect((await cli(db, 'groups', 'unshare', c.id, 'sanctions desk')).code).toBe(0);
    expect((await cli(db, 'groups', 'delete', 'sanctions desk')).err).toContain('deleted group sanctions desk');

    const after = await openStore({ url: db });
    try {
      expect(await listGroups(after.db)).toEqual([]);
      const routes = (await listAudit(after.db)).results
        .filter((r) => r.via === 'cli')
        .map((r) => [r.via, r.route])
        .reverse();
      expect(routes).toEqual(
        ['create', 'add', 'share', 'remove', 'unshare', 'delete'].map((v) => ['cli', `groups ${v}`]),
      );
    } finally {
      await after.close();
    }
  });
});
