import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { tracks } from '../../src/cases/ais-tables.js';
import { entityView } from '../../src/cases/entity-view.js';
import { neighbourhood, shortestPath } from '../../src/cases/graph.js';
import { overview } from '../../src/cases/overview.js';
import { vesselProfile } from '../../src/cases/vessel.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FX, seedCaseFixture } from '../cases/fixture.js';

/**
 * The resource plugins (cases, watchlists, alerts, workspace, vessels) over the case fixture: replies go through
 * the TypeBox response schemas, so each is compared with what the domain function returns (a schema that forgot a
 * field would drop it from the reply).
 */
let dir: string;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-resources-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await seedCaseFixture(store);
  app = await buildServer({ store, logLevel: false });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const json = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('cases plugin', () => {
  it('creates, changes, lists and reports a case; bad input is a 400, a missing case a 404', async () => {
    const created = await app.inject({ method: 'POST', url: '/cases', payload: { title: 'CHON MA SAN STS' } });
    expect(created.statusCode).toBe(201);
    const c = created.json() as { id: string; status: string; items: unknown[]; itemCount: number };
    expect(c).toMatchObject({ status: 'open', items: [], itemCount: 0, summary: '' });
    const item = await app.inject({
      method: 'POST',
      url: `/cases/${c.id}/items`,
      payload: { kind: 'entity', ref: FX.tanker, note: 'listed tanker' },
    });
    expect(item.statusCode).toBe(201);
    expect(item.json()).toMatchObject({ caseId: c.id, kind: 'entity', ref: FX.tanker, note: 'listed tanker' });
    const patched = await app.inject({ method: 'PATCH', url: `/cases/${c.id}`, payload: { status: 'closed' } });
    expect(patched.json()).toMatchObject({ status: 'closed', itemCount: 1 });
    const list = (await app.inject({ url: '/cases' })).json() as { results: Array<{ id: string }> };
    expect(list.results.map((r) => r.id)).toContain(c.id);
    const evidence = (await app.inject({ url: `/cases/${c.id}/evidence` })).json() as {
      results: Array<{ ref: string; citedBy: string; kind: string }>;
    };
    // The tanker is cited as its canonical entity (one with the AIS vessel reporting its IMO, docs/graph.md).
    expect(evidence.results[0]).toMatchObject({
      ref: 'E-1',
      citedBy: expect.stringMatching(/^wk-/),
      kind: 'entity-statement',
    });
    const html = await app.inject({ url: `/cases/${c.id}/report.html` });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('CHON MA SAN STS');

    const bad = await app.inject({
      method: 'POST',
      url: `/cases/${c.id}/items`,
      payload: { kind: 'vessel', ref: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json()).sort()).toEqual(['error', 'message']);
    const extra = await app.inject({ method: 'POST', url: '/cases', payload: { title: 'x', owner: 'me' } });
    expect(extra.statusCode).toBe(400);
    const missing = await app.inject({ url: '/cases/case-nope' });
    expect([missing.statusCode, missing.json()]).toEqual([
      404,
      { error: 'not_found', message: 'no case with id "case-nope" (list them with: watchkeeper cases list)' },
    ]);
  });
});

describe('watchlists and alerts plugins', () => {
  it('raises alerts for existing findings when asked, marks them read (204)', async () => {
    const w = await app.inject({
      method: 'POST',
      url: '/watchlist',
      payload: { kind: 'vessel', ref: String(FX.mmsiTanker), label: 'tanker', includeExisting: true },
    });
    expect(w.statusCode).toBe(201);
    const watch = w.json() as { id: string; subjects: string[]; alertCount: number; unreadCount: number };
    expect(watch.subjects).toContain(FX.aisTanker);
    expect(watch.alertCount).toBeGreaterThan(0);
    const list = (await app.inject({ url: '/watchlist' })).json() as { results: Array<{ id: string }> };
    expect(list.results.map((x) => x.id)).toEqual([watch.id]);
    const alerts = (await app.inject({ url: '/alerts?unread=true' })).json() as {
      results: Array<{ id: string; watchId: string; watchLabel: string; readAt: null }>;
    };
    expect(alerts.results).toHaveLength(watch.alertCount);
    expect(alerts.results[0]).toMatchObject({ watchId: watch.id, watchLabel: 'tanker', readAt: null });
    const read = await app.inject({ method: 'POST', url: `/alerts/${alerts.results[0]!.id}/read` });
    expect([read.statusCode, read.body]).toEqual([204, '']);
    const unread = (await app.inject({ url: '/alerts?unread=true' })).json() as { results: unknown[] };
    expect(unread.results).toHaveLength(watch.alertCount - 1);
    expect((await app.inject({ method: 'POST', url: '/alerts/alert-nope/read' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/alerts?limit=0' })).statusCode).toBe(400);
  });
});

describe('workspace and vessels plugins', () => {
  it('serve the read models unchanged by their response schemas', async () => {
    const get = async (url: string) => {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      return r.json();
    };
    expect(await get(`/workspace/entities/${FX.tanker}`)).toEqual(json(await entityView(store, FX.tanker)));
    expect(await get(`/workspace/vessels/${FX.mmsiTanker}`)).toEqual(
      json(await vesselProfile(store, String(FX.mmsiTanker))),
    );
    expect(await get(`/workspace/graph/${FX.aisReceiver}`)).toEqual(json(await neighbourhood(store, FX.aisReceiver)));
    const p = (await get(`/workspace/path?from=${FX.trader}&to=${FX.owner}`)) as { hops: number; visited: number };
    expect(p).toEqual(json(await shortestPath(store, FX.trader, FX.owner)));
    expect(p.hops).toBe(4);
    expect(await get(`/workspace/tracks?mmsi=${FX.mmsiTanker}`)).toEqual(
      json(await tracks(store, { mmsi: [FX.mmsiTanker] })),
    );
    const ov = (await get('/workspace/overview')) as { findings: { total: number }; alerts: unknown[] };
    const expected = json(await overview(store));
    expect(ov).toEqual(expected);
    expect(ov.findings.total).toBe(5);
  });
});
