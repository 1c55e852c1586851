import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortestPath } from '../../src/cases/graph.js';
import { DEMO_LISTS } from '../../src/lists/demo.js';
import { importList } from '../../src/lists/import.js';
import { ensureResolved } from '../../src/resolve/run.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Path search reads neighbours a BFS level at a time (src/cases/graph.ts): the number of store reads grows with the
 * depth of the search, not with the nodes it visits. On the real bundled UN and OFAC lists, where OFAC's "Linked To"
 * entries tie BANK SEPAH to the IRISL fleet, a 4-hop search visits hundreds of nodes.
 */
describe('path search reads a level at a time', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-path-reads-'));
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ url: path.join(dir, 'path.duckdb') });
    for (const l of DEMO_LISTS.slice(0, 2)) {
      await importList(store, l.file, { format: l.format, fetchedAt: 'fetchedAt' in l ? l.fetchedAt : undefined });
    }
    await ensureResolved(store);
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The store with every SQL query and every per-entity read counted. */
  function counted(s: Store) {
    const n = { queries: 0, entitiesReferencing: 0, queryFindings: 0, getFinding: 0 };
    const db = new Proxy(s.db, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        if (k !== 'query' || typeof v !== 'function') return v;
        return (...a: unknown[]) => {
          n.queries++;
          return v.apply(t, a);
        };
      },
    });
    const store = new Proxy(s, {
      get(t, k) {
        if (k === 'db') return db;
        const v = Reflect.get(t, k, t);
        if (typeof v !== 'function') return v;
        return (...a: unknown[]) => {
          if (k in n) n[k as keyof typeof n]++;
          return v.apply(store, a);
        };
      },
    });
    return { store, n };
  }

  it('BANK SEPAH to the vessel HAPPINESS I: the path, and a bounded number of reads per level', async () => {
    const { store: s, n } = counted(store);
    const p = await shortestPath(s, 'ofac-25580', 'ofac-15055');
    expect(p.nodes.map((x) => `${x.id} ${x.schema} ${x.label}`)).toEqual([
      'ofac-25580 Organization BANK SEPAH',
      'ofac-10392 Organization MINISTRY OF DEFENSE AND ARMED FORCES LOGISTICS',
      'ofac-10465 Organization ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE',
      'ofac-15117 Organization NATIONAL IRANIAN TANKER COMPANY',
      'ofac-15055 Vessel HAPPINESS I',
    ]);
    expect(p.edges.map((e) => `${e.source} ${e.label} ${e.target} ${e.id}`)).toEqual([
      // OFAC's "Linked To:" links as the ownership network reads them (issue 14): role, drawn party → asset.
      'ofac-10392 linked to ofac-25580 ofac-link-88605e66f521af22d1e8',
      'ofac-10465 linked to ofac-10392 ofac-link-8d2bfd9e3799384abb51',
      'ofac-10465 linked to ofac-15117 ofac-link-e34a0edfc5c2e5f8d502',
      'ofac-15117 linked to ofac-15055 ofac-link-632af56a15d8fd6dcd08',
    ]);
    expect(p.hops).toBe(4);
    expect(p.visited).toBe(763);
    // Read one node and one referent at a time, this search made about 2,000 queries (two or more per node) and
    // called entitiesReferencing and queryFindings once per referent of every node it expanded.
    // A level costs at most 10 queries (canonical ids and referents, statements, referencing entities, findings,
    // far ends' canonical ids; more only past 1,000 ids), plus the two ends and the path's nodes.
    expect(n.queries).toBeLessThanOrEqual(10 * p.hops + 20);
    // No per-referent reads in the search: only the end nodes' sanction tags ask for referencing entities.
    expect(n.entitiesReferencing).toBeLessThanOrEqual(2);
    expect(n.queryFindings).toBe(0);
  });

  it('no path within the depth limit: a DPRK bank and an Iranian vessel, 4 hops', async () => {
    const { store: s, n } = counted(store);
    const p = await shortestPath(s, 'ofac-15603', 'ofac-15055', { maxDepth: 4 });
    expect(p).toMatchObject({ nodes: [], edges: [], hops: -1 });
    expect(p.visited).toBe(5);
    expect(n.queries).toBeLessThanOrEqual(10 * 4 + 20);
    expect(n.queryFindings).toBe(0);
  });
});
