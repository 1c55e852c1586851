import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createUser } from '../../src/auth/users.js';
import { verifyBundle } from '../../src/cases/bundle.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { detectStore } from '../../src/maritime/detect.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { readTar } from '../../src/util/tar.js';

/**
 * `GET /cases/{id}/bundle` with auth on: the 15-minute Yellow Sea NMEA fixture imported and the detectors run, a
 * case with a finding and a note made by alice and shared with vic (a viewer). vic downloads the bundle, which
 * `verify` passes with the finding re-run; bob, whom it is not shared with, gets a 404, as does an unknown case.
 */

let dir: string;
let store: Store;
let app: FastifyInstance;
const PW = 'correct horse battery';

async function login(username: string): Promise<{ cookie: string; csrf: string }> {
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PW } });
  const set = [r.headers['set-cookie'] ?? []].flat();
  const cookie = ['wk_session=', 'wk_csrf='].map((p) => set.find((c) => c.startsWith(p))!.split(';')[0]!).join('; ');
  return { cookie, csrf: (r.json() as { csrfToken: string }).csrfToken };
}

function as(s: { cookie: string; csrf: string }, method: string, url: string, payload?: object) {
  return app.inject({
    method: method as 'GET',
    url,
    payload,
    headers: { cookie: s.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrf }) },
  });
}

let caseId: string;
let findingId: string;
let vic: { cookie: string; csrf: string };
let bob: { cookie: string; csrf: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-api-bundle-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await importNmeaFile(store, path.join('test', 'fixtures', 'maritime', 'sim-yellow-sea-seed3-15min.nmea'));
  const r = await detectStore(store, { screen: false });
  findingId = r.findings[0]!.id;
  for (const [username, role] of [
    ['alice', 'analyst'],
    ['bob', 'analyst'],
    ['vic', 'viewer'],
  ] as const)
    await createUser(store.db, { username, password: PW, role });
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
  const alice = await login('alice');
  caseId = (await as(alice, 'POST', '/cases', { title: 'Bundle over the API' })).json().id;
  expect((await as(alice, 'POST', `/cases/${caseId}/items`, { kind: 'finding', ref: findingId })).statusCode).toBe(201);
  await as(alice, 'POST', `/cases/${caseId}/items`, { kind: 'note', ref: 'exported from the web' });
  expect((await as(alice, 'POST', `/cases/${caseId}/shares`, { username: 'vic' })).statusCode).toBe(200);
  vic = await login('vic');
  bob = await login('bob');
}, 300_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function saved(r: LightMyRequestResponse, name: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, r.rawPayload);
  return file;
}

describe('GET /cases/{id}/bundle', () => {
  it('sends a viewer the case as a download that verify passes, the finding re-run from the store', async () => {
    const r = await as(vic, 'GET', `/cases/${caseId}/bundle`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/x-tar');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="${caseId}.tar"`);
    expect(Number(r.headers['content-length'])).toBe(r.rawPayload.length);
    const file = await saved(r, 'download.tar');
    const members = (await readTar(file, () => false)).map((m) => m.path);
    expect(members).toEqual(expect.arrayContaining(['manifest.json', 'report/report.pdf', 'evidence/findings.json']));
    const v = await verifyBundle(file, store);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.caseId).toBe(caseId);
    expect(v.store?.chain).toBe('the store holds the same chain');
    expect(v.store?.findings.map((f) => [f.findingId, f.status])).toEqual([[findingId, 'reproduces']]);
    expect(v.reproducible).toBe(true);
    // Without the PDF (no Chromium) when asked.
    const lite = await as(vic, 'GET', `/cases/${caseId}/bundle?pdf=false`);
    const liteMembers = (await readTar(await saved(lite, 'lite.tar'), () => false)).map((m) => m.path);
    expect(liteMembers).not.toContain('report/report.pdf');
    expect((await verifyBundle(path.join(dir, 'lite.tar'))).ok).toBe(true);
  });

  it('answers 404 {error, message} for a case not shared with the caller and for an unknown case', async () => {
    const hidden = await as(bob, 'GET', `/cases/${caseId}/bundle?pdf=false`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual({ error: 'not_found', message: expect.stringContaining(caseId) });
    const none = await as(vic, 'GET', '/cases/case-0000000000/bundle?pdf=false');
    expect(none.statusCode).toBe(404);
    expect(Object.keys(none.json()).sort()).toEqual(['error', 'message']);
  });
});
