import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TAGS, buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/** The OpenAPI document at /docs/json, walked operation by operation. */

interface Operation {
  operationId?: string;
  parameters?: Array<{ in: string; name: string; schema?: NumberSchema & { items?: NumberSchema } }>;
  tags?: string[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
interface NumberSchema {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  allOf?: Array<{ type?: string }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; tags?: Array<{ name: string }> };

let dir: string;
let store: Store;
let app: FastifyInstance;
let spec: Spec;
const ops: Array<{ method: string; path: string; op: Operation }> = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-openapi-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  app = await buildServer({ store, logLevel: false });
  await app.ready();
  spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as Spec;
  for (const [p, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) ops.push({ method: method.toUpperCase(), path: p, op });
  }
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const name = (o: { method: string; path: string }) => `${o.method} ${o.path}`;

describe('OpenAPI document', () => {
  it('has the operations of every resource', () => {
    expect(ops.length).toBeGreaterThan(40);
    for (const p of ['/cases', '/watchlist', '/alerts', '/workspace/overview', '/workspace/vessels/{id}', '/healthz'])
      expect(Object.keys(spec.paths)).toContain(p);
  });

  it('gives every operation a unique operationId', () => {
    expect(ops.filter((o) => !o.op.operationId).map(name)).toEqual([]);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('tags every operation with one of the declared resource tags', () => {
    const declared = new Set<string>(API_TAGS.map((t) => t.name));
    expect((spec.tags ?? []).map((t) => t.name)).toEqual([...declared]);
    expect(ops.filter((o) => !o.op.tags?.length || !o.op.tags.every((t) => declared.has(t))).map(name)).toEqual([]);
  });

  it('declares a success response with a schema on every operation (204: no body)', () => {
    const bad = ops.filter(({ op }) => {
      const success = Object.entries(op.responses ?? {}).filter(([s]) => /^2\d\d$/.test(s));
      if (success.length === 0) return true;
      return !success.every(([status, r]) => {
        if (status === '204') return r.content === undefined;
        const contents = Object.values(r.content ?? {});
        return contents.length > 0 && contents.every((c) => c.schema && Object.keys(c.schema).length > 0);
      });
    });
    expect(bad.map(name)).toEqual([]);
  });

  it('declares the {error, message} answers: 400, 404, 500 everywhere, 409 on changes, 413 with a body', () => {
    const missing: string[] = [];
    for (const o of ops) {
      const want = ['400', '404', '500'];
      if (o.method !== 'GET') want.push('409');
      if (o.op.requestBody) want.push('413');
      for (const status of want) {
        const schema = o.op.responses?.[status]?.content?.['application/json']?.schema as
          | { required?: string[]; properties?: Record<string, unknown> }
          | undefined;
        if (!schema?.properties?.error || !schema.properties.message) missing.push(`${name(o)} ${status}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declares 204 (and no 200) exactly on the routes that answer 204', async () => {
    const declared204 = ops.filter((o) => o.op.responses?.['204']).map(name);
    expect(declared204.sort()).toEqual(
      [
        'DELETE /alerts/subscriptions/{id}',
        'DELETE /cases/{id}',
        'DELETE /cases/{id}/items/{itemId}',
        'DELETE /watchlist/{id}',
        'POST /alerts/{id}/read',
      ].sort(),
    );
    for (const o of ops.filter((x) => x.op.responses?.['204'])) expect(o.op.responses?.['200']).toBeUndefined();
    // And they do answer 204 with an empty body.
    const created = (await app.inject({ method: 'POST', url: '/cases', payload: { title: 'OpenAPI 204' } })).json() as {
      id: string;
    };
    const item = (
      await app.inject({ method: 'POST', url: `/cases/${created.id}/items`, payload: { kind: 'note', ref: 'x' } })
    ).json() as { id: string };
    const removed = await app.inject({ method: 'DELETE', url: `/cases/${created.id}/items/${item.id}` });
    expect([removed.statusCode, removed.body]).toEqual([204, '']);
    const deleted = await app.inject({ method: 'DELETE', url: `/cases/${created.id}` });
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    const watch = (
      await app.inject({ method: 'POST', url: '/watchlist', payload: { kind: 'vessel', ref: '445123000' } })
    ).json() as { id: string };
    const unwatched = await app.inject({ method: 'DELETE', url: `/watchlist/${watch.id}` });
    expect([unwatched.statusCode, unwatched.body]).toEqual([204, '']);
  });
  it('bounds every numeric query and path parameter and refuses non-finite values (Int/Num/Limit/Offset)', () => {
    const loose: string[] = [];
    for (const o of ops) {
      for (const p of o.op.parameters ?? []) {
        for (const s of [p.schema, p.schema?.items]) {
          if (!s || (s.type !== 'integer' && s.type !== 'number')) continue;
          const finite = s.allOf?.some((a) => a.type === s.type) === true;
          if (typeof s.minimum !== 'number' || typeof s.maximum !== 'number' || !finite)
            loose.push(`${name(o)} ${p.in} ${p.name}`);
        }
      }
    }
    expect(loose).toEqual([]);
  });
});
