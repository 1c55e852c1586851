import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID_ROUTES, CLIENT_ROUTES } from '../../src/api/routes/web.js';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { ENDPOINTS, urlFor } from '../../web/src/api.js';

/** The web client's endpoint table checked against the server's OpenAPI document. */
let dir: string;
let store: Store;
let app: FastifyInstance;
let spec: { paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-openapi-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  app = await buildServer({ store, logLevel: false });
  await app.ready();
  spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('typed API client', () => {
  it('calls only paths that exist in the OpenAPI document, with the right method', () => {
    const missing = Object.entries(ENDPOINTS)
      .filter(([, ep]) => !spec.paths[ep.path]?.[ep.method.toLowerCase()])
      .map(([name, ep]) => `${name}: ${ep.method} ${ep.path}`);
    expect(missing).toEqual([]);
  });

  it('builds URLs with encoded path parameters and repeated query parameters', () => {
    expect(urlFor('vessel', { params: { id: 'ais-445123000' } })).toBe('/workspace/vessels/ais-445123000');
    expect(urlFor('entity', { params: { id: 'a/b c' } })).toBe('/workspace/entities/a%2Fb%20c');
    expect(urlFor('tracks', { query: { mmsi: [1, 2], since: undefined } })).toBe('/workspace/tracks?mmsi=1&mmsi=2');
    expect(() => urlFor('case', {})).toThrow(/missing path parameter id/);
  });

  it('keeps client routes apart from API paths', () => {
    const apiPaths = Object.keys(spec.paths);
    // Exact client pages are not API paths, and no API path lives under a client route that takes an id.
    expect(CLIENT_ROUTES.filter((r) => apiPaths.includes(r))).toEqual([]);
    expect(apiPaths.filter((p) => CLIENT_ID_ROUTES.some((r) => p === r || p.startsWith(`${r}/`)))).toEqual([]);
  });

  it('answers unknown API paths with JSON 404, not the SPA', async () => {
    const res = await app.inject({ method: 'GET', url: '/workspace/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });
});
