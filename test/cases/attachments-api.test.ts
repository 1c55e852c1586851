import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { listAudit } from '../../src/auth/audit.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/** POST/GET /cases/{id}/attachments and /cases/{id}/log with auth on: analysts write, unshared cases are 404. */

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/cases');
const bytes = (name: string) => readFileSync(path.join(FIX, name));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PW = 'correct horse battery';

let dir: string;
let store: Store;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

async function tokenFor(username: string): Promise<string> {
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PW } });
  const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  const csrf = (login.json() as { csrfToken: string }).csrfToken;
  const t = await app.inject({
    method: 'POST',
    url: '/auth/tokens',
    payload: { name: 'test', scope: 'write' },
    headers: { cookie, 'x-csrf-token': csrf },
  });
  return (t.json() as { token: string }).token;
}

function as(user: string, method: string, url: string, body?: Buffer | object, headers: Record<string, string> = {}) {
  return app.inject({
    method: method as 'GET',
    url,
    ...(Buffer.isBuffer(body)
      ? {
          body,
          headers: { 'content-type': 'application/octet-stream', ...headers, authorization: `Bearer ${tokens[user]}` },
        }
      : { payload: body, headers: { ...headers, authorization: `Bearer ${tokens[user]}` } }),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-attach-api-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  for (const [username, role] of [
    ['alice', 'analyst'],
    ['bob', 'analyst'],
    ['vic', 'viewer'],
  ] as const) {
    await createUser(store.db, { username, password: PW, role });
  }
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
  for (const u of ['alice', 'bob', 'vic']) tokens[u] = await tokenFor(u);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('attachments over HTTP', () => {
  let caseId: string;
  const q = '?caption=Korea%20Bay&source=Natural%20Earth&date=2024-03-15&licence=public%20domain';

  it('takes a raw upload from an analyst, reads the GeoTIFF bounds and serves the bytes back', async () => {
    caseId = ((await as('alice', 'POST', '/cases', { title: 'Imagery' })).json() as { id: string }).id;
    const tif = bytes('korea-bay-4326.tif');
    const r = await as('alice', 'POST', `/cases/${caseId}/attachments${q}&filename=sc%C3%A8ne.tif`, tif);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      sha256: sha(tif),
      mediaType: 'image/tiff',
      bbox: [124.5, 38.4, 125.2, 38.9],
      footprintFrom: 'geotiff',
      addedBy: 'alice',
      filename: 'scène.tif',
    });
    const list = (await as('alice', 'GET', `/cases/${caseId}/attachments`)).json() as { results: unknown[] };
    expect(list.results).toHaveLength(1);
    const got = await as('alice', 'GET', `/cases/${caseId}/attachments/${sha(tif)}`);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(tif)).toBe(true);
    expect(got.headers['content-type']).toBe('image/tiff');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(`inline; filename="sc_ne.tif"; filename*=UTF-8''sc%C3%A8ne.tif`);
  });

  it('never serves a web capture inline, and sandboxes it', async () => {
    const html = bytes('sdn-extract.html');
    const r = await as('alice', 'POST', `/cases/${caseId}/attachments${q}&filename=x.png`, html, {
      'content-type': 'image/png',
    });
    expect(r.json()).toMatchObject({ mediaType: 'text/html', kind: 'web-capture' });
    const got = await as('alice', 'GET', `/cases/${caseId}/attachments/${sha(html)}`);
    expect(got.headers['content-type']).toMatch(/^text\/html/);
    expect(got.headers['content-disposition']).toMatch(/^attachment; filename="x.png"/);
    expect(got.headers['content-security-policy']).toContain('sandbox');
  });

  it('refuses a wrong type (415), an oversized body (413) and JSON instead of bytes', async () => {
    const r = await as('alice', 'POST', `/cases/${caseId}/attachments${q}`, Buffer.from('GIF89a......'));
    expect([r.statusCode, (r.json() as { error: string }).error]).toEqual([415, 'unsupported_media_type']);
    process.env.WATCHKEEPER_ATTACHMENT_MAX_MB = '0.001';
    try {
      const big = await as('alice', 'POST', `/cases/${caseId}/attachments${q}`, bytes('korea-bay-4326.tif'));
      expect(big.statusCode).toBe(413);
    } finally {
      delete process.env.WATCHKEEPER_ATTACHMENT_MAX_MB;
    }
    const json = await as('alice', 'POST', `/cases/${caseId}/attachments${q}`, { not: 'a file' });
    expect(json.statusCode).toBe(415);
    const noCaption = await as('alice', 'POST', `/cases/${caseId}/attachments?source=x`, bytes('korea-bay.png'));
    expect(noCaption.statusCode).toBe(400);
    expect(
      ((await as('alice', 'GET', `/cases/${caseId}/attachments`)).json() as { results: unknown[] }).results,
    ).toHaveLength(2);
  });

  it('keeps attachments of an unshared case out of reach (404) and viewers from writing (403)', async () => {
    const png = bytes('korea-bay.png');
    expect((await as('bob', 'POST', `/cases/${caseId}/attachments${q}`, png)).statusCode).toBe(404);
    expect((await as('bob', 'GET', `/cases/${caseId}/attachments`)).statusCode).toBe(404);
    expect(
      (await as('bob', 'GET', `/cases/${caseId}/attachments/${sha(bytes('korea-bay-4326.tif'))}`)).statusCode,
    ).toBe(404);
    expect((await as('bob', 'GET', `/cases/${caseId}/log`)).statusCode).toBe(404);
    await as('alice', 'POST', `/cases/${caseId}/shares`, { username: 'vic' });
    expect((await as('vic', 'GET', `/cases/${caseId}/attachments`)).statusCode).toBe(200);
    expect((await as('vic', 'POST', `/cases/${caseId}/attachments${q}`, png)).statusCode).toBe(403);
  });

  it('shows the case log as a verified chain, by whom and when', async () => {
    const r = await as('alice', 'GET', `/cases/${caseId}/log`);
    const log = r.json() as {
      verified: boolean;
      head: string;
      results: Array<{ action: string; actor: string; hash: string; prevHash: string }>;
    };
    expect(log.verified).toBe(true);
    expect(log.results.map((e) => `${e.action} ${e.actor}`)).toEqual([
      'case.create alice',
      'attachment.add alice',
      'attachment.add alice',
    ]);
    expect(log.head).toBe(log.results[2]!.hash);
    expect(log.results[1]!.prevHash).toBe(log.results[0]!.hash);
  });

  it('ties each audit row of a case write to the case log entry it made', async () => {
    const note = await as('alice', 'POST', `/cases/${caseId}/items`, { kind: 'note', ref: 'Seen at Nampo' });
    expect(note.statusCode).toBe(201);
    const log = (await as('alice', 'GET', `/cases/${caseId}/log`)).json() as {
      results: Array<{ action: string; hash: string }>;
    };
    const { results } = await listAudit(store.db, { username: 'alice', limit: 1000 });
    const caseWrites = results
      .filter((r) => r.path.startsWith(`/cases/${caseId}`) || (r.route === '/cases' && r.method === 'POST'))
      .filter((r) => r.status < 400)
      .reverse();
    expect(caseWrites.map((r) => [r.route, r.chainHash])).toEqual([
      ['/cases', log.results[0]!.hash],
      ['/cases/:id/attachments', log.results[1]!.hash],
      ['/cases/:id/attachments', log.results[2]!.hash],
      ['/cases/:id/shares', null],
      ['/cases/:id/items', log.results[3]!.hash],
    ]);
    expect(log.results[3]!.action).toBe('item.add');
    // An edit of an attachment's caption: logged with before and after, and tied to its audit row.
    const tif = sha(bytes('korea-bay-4326.tif'));
    const patched = await as('alice', 'PATCH', `/cases/${caseId}/attachments/${tif}`, { caption: 'Korea Bay coast' });
    expect([patched.statusCode, (patched.json() as { caption: string }).caption]).toEqual([200, 'Korea Bay coast']);
    const last = (
      (await as('alice', 'GET', `/cases/${caseId}/log`)).json() as {
        results: Array<{ action: string; hash: string; detail: unknown }>;
      }
    ).results.at(-1)!;
    expect(last).toMatchObject({
      action: 'attachment.update',
      detail: { before: { caption: 'Korea Bay' }, after: { caption: 'Korea Bay coast' } },
    });
    expect(patched.headers['x-case-log-hash']).toBe(last.hash);
    // A refused write made no log entry and names none.
    expect(results.filter((r) => r.status >= 400).every((r) => r.chainHash === null)).toBe(true);
  });
});
