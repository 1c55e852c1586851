import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * The attachment routes on a case that exists (the OpenAPI fuzz in fuzz.test.ts only reaches them with a case id
 * that does not, so it stops at the 404): oversized bodies, with and without a Content-Length, path traversal in the
 * file name and in the sha256 segment, and hostile metadata in the query string. No 5xx, no stack trace, nothing
 * written outside the store's attachments, an oversized upload leaves no attachment.
 */

const PNG = path.join(import.meta.dirname, '..', 'fixtures', 'cases', 'korea-bay.png');
const STACK = /\n\s+at [^\n]*:\d+:\d+|node_modules\/|\/src\/[\w/.-]+\.ts:\d+/;
const saved = process.env.WATCHKEEPER_ATTACHMENT_MAX_MB;

let dir: string;
let store: Store;
let app: FastifyInstance;
let caseId: string;
let png: Buffer;

beforeAll(async () => {
  process.env.WATCHKEEPER_ATTACHMENT_MAX_MB = '1';
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-attach-hostile-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  app = await buildServer({ store, logLevel: false });
  await app.ready();
  png = await readFile(PNG);
  const c = await app.inject({ method: 'POST', url: '/cases', payload: { title: 'hostile uploads' } });
  caseId = c.json().id as string;
});

afterAll(async () => {
  if (saved === undefined) delete process.env.WATCHKEEPER_ATTACHMENT_MAX_MB;
  else process.env.WATCHKEEPER_ATTACHMENT_MAX_MB = saved;
  app?.server.closeAllConnections();
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

function clean(res: { statusCode: number; body: string }, what: string): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
  expect(STACK.test(res.body), what).toBe(false);
}

const q = (extra: Record<string, string> = {}) =>
  new URLSearchParams({ caption: 'scene', source: 'operator', ...extra }).toString();

async function listed(): Promise<Array<{ sha256: string; filename: string }>> {
  return (await app.inject({ url: `/cases/${caseId}/attachments` })).json().results;
}

describe('attachment routes under hostile input', () => {
  it('refuses an oversized body with 413 {error, message}, declared or streamed, and keeps nothing', async () => {
    const big = Buffer.concat([png, Buffer.alloc(2 * 1024 * 1024, 0x41)]);
    const declared = await app.inject({
      method: 'POST',
      url: `/cases/${caseId}/attachments?${q()}`,
      headers: { 'content-type': 'image/png' },
      payload: big,
    });
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    clean(declared, 'declared');
    // No Content-Length: chunked over a real socket, the cap is enforced while streaming (the server answers 413
    // before the client has finished sending).
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const streamed = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/cases/${caseId}/attachments?${q()}`,
          headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => {
            // The rest of the body is never read: drop the connection so the server can close.
            req.destroy();
            resolve({ statusCode: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
      });
      req.write(png);
      let sent = 0;
      const pump = () => {
        while (sent < 40) {
          sent++;
          if (!req.write(Buffer.alloc(64 * 1024, 0x42))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(streamed.statusCode).toBe(413);
    clean(streamed, 'streamed');
    expect(await listed()).toEqual([]);
  });

  it('keeps only the base name of a traversal file name and serves it without a path', async () => {
    for (const filename of [
      '../../../../etc/passwd',
      '..\\..\\..\\windows\\win.ini',
      '/etc/shadow',
      '..',
      '%2e%2e%2f',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: `/cases/${caseId}/attachments?${q({ filename })}`,
        headers: { 'content-type': 'image/png' },
        payload: png,
      });
      clean(res, filename);
      expect(res.statusCode, filename).toBe(201);
      const a = res.json() as { filename: string; sha256: string };
      expect(a.filename, filename).not.toMatch(/[/\\]/);
      expect(a.filename, filename).not.toBe('..');
      const got = await app.inject({ url: `/cases/${caseId}/attachments/${a.sha256}` });
      expect(got.statusCode).toBe(200);
      expect(String(got.headers['content-disposition'])).not.toMatch(/filename="[^"]*[/\\]/);
      expect(got.rawPayload.equals(png)).toBe(true);
    }
  });

  it('answers traversal in the sha256 segment and hostile metadata with a 4xx, never a 5xx', async () => {
    for (const seg of ['..%2F..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e', `${'a'.repeat(64)}%00`, 'A'.repeat(100_000)]) {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const res = await app.inject({
          method,
          url: `/cases/${caseId}/attachments/${seg}`,
          ...(method === 'PATCH' ? { payload: { caption: 'x' } } : {}),
        });
        clean(res, `${method} ${seg.slice(0, 40)}`);
        expect(res.statusCode, `${method} ${seg.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
      }
    }
    const hostile = ['1e400', 'Infinity', 'NaN', '\u0000', '../../etc/passwd', 'A'.repeat(300_000), '{"type":1}'];
    for (const key of ['caption', 'source', 'date', 'licence', 'bounds', 'footprint', 'filename']) {
      for (const v of hostile) {
        const res = await app.inject({
          method: 'POST',
          url: `/cases/${caseId}/attachments?${q({ [key]: v })}`,
          headers: { 'content-type': 'image/png' },
          payload: png,
        });
        clean(res, `${key}=${v.slice(0, 20)}`);
      }
    }
    const json = await app.inject({ method: 'POST', url: `/cases/${caseId}/attachments?${q()}`, payload: { a: 1 } });
    expect(json.statusCode).toBe(415);
  });
});
