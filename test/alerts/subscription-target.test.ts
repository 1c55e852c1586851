/**
 * Webhook subscriptions are checked for SSRF when they are created (issue 18), not only at delivery: a target that
 * is, or resolves to, a loopback, private, link-local (the cloud metadata address among them) or reserved address
 * is answered 400 `{error: 'refused_target', message}` naming the reason, unless WATCHKEEPER_WEBHOOK_ALLOW lists it.
 * A name that does not resolve here is let through (the delivery-time check still applies).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addSubscription, listSubscriptions } from '../../src/alerts/subscriptions.js';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wk-subs-'));
const saved = process.env.WATCHKEEPER_WEBHOOK_ALLOW;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  delete process.env.WATCHKEEPER_WEBHOOK_ALLOW;
  store = await openStore({ url: path.join(dir, 'subs.duckdb') });
  app = await buildServer({ store, logLevel: false });
  await app.ready();
});
afterEach(() => {
  if (saved === undefined) delete process.env.WATCHKEEPER_WEBHOOK_ALLOW;
  else process.env.WATCHKEEPER_WEBHOOK_ALLOW = saved;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const create = (target: string) =>
  app.inject({ method: 'POST', url: '/alerts/subscriptions', payload: { channel: 'webhook', target } });

describe('webhook subscriptions refused at creation', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1 is a loopback, link-local, private or reserved address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a loopback/],
    ['http://10.20.30.40/hook', /10\.20\.30\.40 is a loopback/],
    ['http://192.168.1.1/hook', /192\.168\.1\.1 is a loopback/],
    ['http://[::1]:9000/hook', /::1 is a loopback/],
    ['http://[::ffff:172.16.0.5]/hook', /172\.16\.0\.5 is a loopback/],
    ['http://[fe80::1]/hook', /fe80::1 is a loopback/],
    ['https://240.0.0.1/hook', /240\.0\.0\.1 is a loopback/],
    // A name: checked on what it resolves to (localhost is in /etc/hosts).
    ['http://localhost:3000/hook', /localhost resolves to (127\.0\.0\.1|::1) is a loopback/],
  ])('%s is 400 with the reason', async (target, reason) => {
    const r = await create(target);
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(body.error).toBe('refused_target');
    expect(body.message).toMatch(reason);
    expect(body.message).toMatch(/WATCHKEEPER_WEBHOOK_ALLOW/);
  });

  it('stores nothing refused, and takes what WATCHKEEPER_WEBHOOK_ALLOW lists', async () => {
    expect(await listSubscriptions(store.db)).toEqual([]);
    process.env.WATCHKEEPER_WEBHOOK_ALLOW = '127.0.0.1,10.20.0.0/16';
    const ok = await create('http://127.0.0.1:8080/hook');
    expect(ok.statusCode).toBe(201);
    expect((await create('http://10.20.30.40/hook')).statusCode).toBe(201);
    // Listed ranges only: the rest of the private space stays refused.
    expect((await create('http://10.21.0.1/hook')).statusCode).toBe(400);
    // A public address, and a name that does not resolve here, are taken (delivery checks again).
    delete process.env.WATCHKEEPER_WEBHOOK_ALLOW;
    expect((await create('https://93.184.215.14/hook')).statusCode).toBe(201);
    expect((await create('https://hooks.example.invalid/hook')).statusCode).toBe(201);
    expect((await listSubscriptions(store.db)).map((s) => s.target)).toEqual([
      'http://127.0.0.1:8080/hook',
      'http://10.20.30.40/hook',
      'https://93.184.215.14/hook',
      'https://hooks.example.invalid/hook',
    ]);
  });

  it('refuses the same through the library the CLI uses', async () => {
    await expect(
      addSubscription(store.db, { channel: 'webhook', target: 'http://169.254.169.254/latest/meta-data/' }),
    ).rejects.toThrow(/refused: 169\.254\.169\.254/);
  });
});
