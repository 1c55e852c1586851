import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import type { Graph, GraphEdge } from '../../src/cases/graph.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore } from '../support/demo-store.js';
import { FIXTURES } from './helpers.js';

// The network page walks ownership (issue 14): GET /workspace/graph/{id} on the seeded demo (the four real lists and
// the bundled registry extract data/ownership/registry.csv) draws the ownership network's links as edges with their
// role and sources. YU JONG 2 (OFAC 23736) is owned by KOREA YUJONG SHIPPING CO LTD: the registry extract says so
// with an FtM Ownership entity, the UN, EU and UK entries in their remarks, OFAC by "Linked To:" (an UnknownLink).
// The Ownership entity and the remarks are one "registered owner" edge with every source; "linked to" is another.

let dir: string;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-netgraph-'));
  store = await openStore({ url: await copyDemoStore('demo', path.join(dir, 'wk.duckdb')) });
  app = await buildServer({ store, logLevel: false });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function graph(id: string): Promise<Graph> {
  const res = await app.inject({ method: 'GET', url: `/workspace/graph/${id}` });
  expect(res.statusCode).toBe(200);
  return res.json() as Graph;
}

const between = (g: Graph, a: string, b: string): GraphEdge[] =>
  g.edges.filter((e) => (e.source === a && e.target === b) || (e.source === b && e.target === a));

describe('network page: ownership links as edges', () => {
  it("YU JONG 2's owner: one registered-owner edge read from the registry and the list remarks, and OFAC's link", async () => {
    const g = await graph('ofac-23736');
    const ship = g.nodes[0]!;
    expect(ship.referents).toContain('ofac-23736');
    const owner = g.nodes.find((n) => n.label === 'KOREA YUJONG SHIPPING CO LTD');
    expect(owner).toBeDefined();
    const edges = between(g, owner!.id, ship.id);
    // No duplicate: the FtM Ownership entity and the UN/EU/UK remarks naming the same owner are one edge.
    expect(edges.map((e) => e.label).sort()).toEqual(['linked to', 'registered owner']);
    const owned = edges.find((e) => e.label === 'registered owner')!;
    expect(owned.source).toBe(owner!.id);
    expect(owned.target).toBe(ship.id);
    expect(owned.id).toMatch(/^reg-own-/);
    expect(owned.ownership?.role).toBe('registered owner');
    expect(owned.ownership?.current).toBe(true);
    expect(owned.ownership?.sources).toEqual(['eu_fsf', 'gb_hmt_sanctions', 'ship_registry', 'un_sc_sanctions']);
    const un = owned.ownership?.links.filter((l) => l.source === 'un_sc_sanctions') ?? [];
    expect(un.length).toBeGreaterThan(0);
    expect(un.every((l) => l.via.startsWith('list'))).toBe(true);
    expect(owned.ownership?.links.some((l) => l.source === 'ship_registry' && l.via === 'FtM Ownership')).toBe(true);
    const linked = edges.find((e) => e.label === 'linked to')!;
    expect(linked.ownership?.sources).toEqual(['us_ofac_sdn']);
    // Drawn owner → asset, though OFAC's UnknownLink runs vessel → owner.
    expect([linked.source, linked.target]).toEqual([owner!.id, ship.id]);
    // Every edge is once per (nodes, role).
    const keys = g.edges.filter((e) => e.ownership).map((e) => `${e.source} ${e.target} ${e.ownership!.role}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("walks from an owner to its vessels: the EU's Ocean Maritime Management entry reaches the hulls OFAC links", async () => {
    // The EU entry is not merged with OFAC's by the resolver, but the ownership network joins the parties by
    // exact name; before, this node had no edge at all.
    const g = await graph('eu-fsf-eu-4196-56');
    const centre = g.nodes[0]!;
    expect(centre.id).toBe('eu-fsf-eu-4196-56');
    const owned = g.edges.filter((e) => e.source === centre.id && e.ownership);
    const vessels = owned.map((e) => g.nodes.find((n) => n.id === e.target)!);
    expect(vessels.every((v) => v.schema === 'Vessel')).toBe(true);
    expect(vessels.map((v) => v.label)).toEqual(expect.arrayContaining(['EVER BRIGHT 88', 'GRAND KARO', 'JIN TENG']));
    expect(vessels.length).toBeGreaterThanOrEqual(9);
    expect(owned.every((e) => e.label === 'linked to' && e.ownership!.sources.includes('us_ofac_sdn'))).toBe(true);
    // And the shortest path walks the same edges.
    const p = await app.inject({ method: 'GET', url: '/workspace/path?from=eu-fsf-eu-4196-56&to=ofac-19570' });
    expect(p.statusCode).toBe(200);
    expect(p.json().hops).toBe(1);
    expect(p.json().edges[0].label).toBe('linked to');
  });

  it('shares on the label: the constructed chains (FtM Ownership with percentages) over the registry extract', async () => {
    // Last: imports change the store. test/fixtures/ownership: ORIENT WAVE MANAGEMENT LTD (company no. 9900015) is
    // 60 % owned by the UN-listed KOREA ACHIM SHIPPING CO (un-kpe-061) and manages GREEN STAR;
    // HORIZON MARINE held BLUE HORIZON until 2023-03-31.
    await importOwnershipFile(store, path.join(FIXTURES, 'registry.csv'), { fetchedAt: '2026-09-01T00:00:00.000Z' });
    await importOwnershipFile(store, path.join(FIXTURES, 'chains.ftm.jsonl'), {
      fetchedAt: '2026-09-01T00:00:00.000Z',
    });
    const g = await graph('reg-company-9900015');
    const centre = g.nodes[0]!;
    const label = (id: string) => g.nodes.find((n) => n.id === id)?.label;
    const edges = g.edges
      .filter((e) => e.ownership)
      .map((e) => `${label(e.source)} -> ${e.label} -> ${label(e.target)}`)
      .sort();
    expect(edges).toEqual([
      'KOREA ACHIM SHIPPING CO -> shareholder · 60 % -> ORIENT WAVE MANAGEMENT LTD',
      'ORIENT WAVE MANAGEMENT LTD -> ship manager -> GREEN STAR',
    ]);
    const held = g.edges.find((e) => e.ownership?.role === 'shareholder')!;
    expect(held.id).toBe('own-test-y-owm');
    expect(held.target).toBe(centre.id);
    expect(held.ownership?.links).toEqual([
      expect.objectContaining({ percentage: 60, startDate: '2023-04-01', via: 'FtM Ownership' }),
    ]);
    // A holding that ended is labelled so.
    const blue = await graph('reg-company-9900016');
    expect(blue.edges.filter((e) => e.ownership).map((e) => e.label)).toEqual(['registered owner · 100 % (ended)']);
  });
});
