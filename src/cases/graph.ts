import { NotFoundError, UserError } from '../errors.js';
import { severityOf } from '../findings/finding.js';
import { type CanonicalEntity, canonicalEntities, canonicalEntity, canonicalIdsOf } from '../resolve/canonical.js';
import type { Store } from '../store/store.js';
import { rawLinks, safeCaption } from './entity-view.js';

/**
 * The network page's graph: entities as nodes, links (ownership, directorships, vessel owners and operators, wallet
 * holders, ...) as edges, and findings as nodes tying their subjects together. Built on demand from the store,
 * one neighbourhood at a time; the shortest path between two entities is a breadth-first search over the same
 * neighbourhoods, bounded in depth and nodes visited.
 *
 * Nodes are canonical entities (docs/graph.md): a person listed by the UN, the EU, the UK and OFAC is one node
 * whose `referents` are the four source ids and whose `datasets` are the four sources; links and findings of every
 * referent meet on it, and any referent id given here stands for its canonical node.
 */

export interface GraphNode {
  id: string;
  /** FtM schema, or "Finding" for findings. */
  schema: string;
  label: string;
  /** Findings: 'high' | 'medium' | 'low'; entities: 'sanctioned' when a sanction names them. */
  tag: string | null;
  /** Source entity ids merged into this node (one when nothing was merged; empty for findings). */
  referents: string[];
  /** Sources (datasets) with statements on this node (empty for findings). */
  datasets: string[];
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const isFinding = (id: string) => id.startsWith('f-');

/** Per-request reads: each canonical entity is read once however many edges reach it. */
class GraphReader {
  private readonly entities = new Map<string, Promise<CanonicalEntity | undefined>>();

  constructor(private readonly store: Store) {}

  canonical(id: string): Promise<CanonicalEntity | undefined> {
    let p = this.entities.get(id);
    if (!p) {
      p = canonicalEntity(this.store, id);
      this.entities.set(id, p);
    }
    return p;
  }

  async node(id: string): Promise<GraphNode | undefined> {
    if (isFinding(id)) {
      const f = await this.store.getFinding(id);
      return f
        ? { id, schema: 'Finding', label: f.kind, tag: severityOf(f.score), referents: [], datasets: [] }
        : undefined;
    }
    const c = await this.canonical(id);
    return c ? this.nodeOf(c) : undefined;
  }

  async nodeOf(c: CanonicalEntity): Promise<GraphNode> {
    const e = c.entity;
    let sanctioned = e.get('topics').includes('sanction');
    for (const r of c.referents) {
      if (sanctioned) break;
      sanctioned = (await this.store.entitiesReferencing(r)).some((x) => x.schema === 'Sanction');
    }
    return {
      id: e.id,
      schema: e.schema,
      label: safeCaption(e),
      tag: sanctioned ? 'sanctioned' : null,
      referents: c.referents,
      datasets: [...e.datasets].sort(),
    };
  }

  /** Edges from one node (a canonical or finding id): links of every referent, and findings ↔ their subjects. */
  async edges(id: string): Promise<GraphEdge[]> {
    const edges: GraphEdge[] = [];
    if (isFinding(id)) {
      const f = await this.store.getFinding(id);
      if (!f) return [];
      const canon = await canonicalIdsOf(this.store, f.subjects);
      for (const s of new Set(f.subjects.map((x) => canon.get(x) ?? x)))
        edges.push({ id: `${id}>${s}`, source: id, target: s, label: 'subject' });
      return edges;
    }
    const c = await this.canonical(id);
    if (!c) return [];
    const cid = c.entity.id;
    for (const l of await canonicalLinks(this.store, c)) {
      const [source, target] = l.direction === 'out' ? [cid, l.id] : [l.id, cid];
      edges.push({ id: l.via ?? `${source}>${l.relation}>${target}`, source, target, label: l.relation });
    }
    const findings = new Set<string>();
    for (const r of c.referents) {
      for (const f of await this.store.queryFindings({ subject: r, limit: 50 })) findings.add(f.id);
    }
    for (const f of findings) edges.push({ id: `${f}>${cid}`, source: f, target: cid, label: 'subject' });
    return edges;
  }
}

/** Links of a canonical entity with canonical far ends, without reading the far ends. */
async function canonicalLinks(store: Store, c: CanonicalEntity) {
  const raw = await rawLinks(store, c.entity, c.referents);
  const canon = await canonicalIdsOf(
    store,
    raw.map((l) => l.id),
  );
  const self = new Set([c.entity.id, ...c.referents]);
  const seen = new Set<string>();
  const out: typeof raw = [];
  for (const l of raw) {
    const id = canon.get(l.id) ?? l.id;
    const key = `${id}\u0000${l.relation}\u0000${l.direction}`;
    if (seen.has(key) || self.has(id)) continue;
    seen.add(key);
    out.push({ ...l, id });
  }
  return out;
}

/** A node and its neighbours. Throws NotFoundError for an unknown id; a referent id gives its canonical node. */
export async function neighbourhood(store: Store, id: string): Promise<Graph> {
  const reader = new GraphReader(store);
  const centre = await reader.node(id);
  if (!centre) throw new NotFoundError(`no entity or finding with id "${id}"`);
  const edges = await reader.edges(centre.id);
  // Findings tie subjects together: bring in the other subjects of each finding next to this node.
  if (!isFinding(centre.id)) {
    for (const e of [...edges]) if (isFinding(e.source)) edges.push(...(await reader.edges(e.source)));
  }
  const nodes = new Map<string, GraphNode>([[centre.id, centre]]);
  const entityIds = new Set<string>();
  for (const e of edges) for (const n of [e.source, e.target]) if (!nodes.has(n) && !isFinding(n)) entityIds.add(n);
  const { entities } = await canonicalEntities(store, [...entityIds]);
  for (const e of edges) {
    for (const n of [e.source, e.target]) {
      if (nodes.has(n)) continue;
      const c = entities.get(n);
      const node = c ? await reader.nodeOf(c) : await reader.node(n);
      nodes.set(n, node ?? { id: n, schema: 'Thing', label: n, tag: null, referents: [n], datasets: [] });
    }
  }
  return { nodes: [...nodes.values()], edges: dedupe(edges) };
}

function dedupe(edges: GraphEdge[]): GraphEdge[] {
  const m = new Map<string, GraphEdge>();
  for (const e of edges) m.set(e.id, e);
  return [...m.values()];
}

/**
 * Shortest path between two entities (undirected, findings count as hops) over canonical nodes. Returns the path's
 * nodes and edges in order, or an empty graph when none exists within `maxDepth` hops / `maxNodes` visited.
 */
export async function shortestPath(
  store: Store,
  fromId: string,
  toId: string,
  opts: { maxDepth?: number; maxNodes?: number } = {},
): Promise<Graph & { hops: number; visited: number }> {
  if (!fromId || !toId) throw new UserError('from and to: give two entity ids');
  const reader = new GraphReader(store);
  const ends: string[] = [];
  for (const id of [fromId, toId]) {
    const n = await reader.node(id);
    if (!n) throw new NotFoundError(`no entity or finding with id "${id}"`);
    ends.push(n.id);
  }
  const [from, to] = ends as [string, string];
  const maxDepth = opts.maxDepth ?? 6;
  const maxNodes = opts.maxNodes ?? 3000;
  const prev = new Map<string, { node: string; edge: GraphEdge } | null>([[from, null]]);
  let frontier = [from];
  let depth = 0;
  while (frontier.length && !prev.has(to) && depth < maxDepth && prev.size < maxNodes) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const e of await reader.edges(n)) {
        const other = e.source === n ? e.target : e.source;
        if (prev.has(other)) continue;
        prev.set(other, { node: n, edge: e });
        next.push(other);
        if (other === to) break;
      }
      if (prev.has(to)) break;
    }
    frontier = next;
    depth++;
  }
  if (!prev.has(to)) return { nodes: [], edges: [], hops: -1, visited: prev.size };
  const ids = [to];
  const edges: GraphEdge[] = [];
  for (let cur = prev.get(to); cur; cur = prev.get(cur.node)) {
    ids.unshift(cur.node);
    edges.unshift(cur.edge);
  }
  const nodes: GraphNode[] = [];
  for (const id of ids)
    nodes.push((await reader.node(id)) ?? { id, schema: 'Thing', label: id, tag: null, referents: [id], datasets: [] });
  return { nodes, edges, hops: edges.length, visited: prev.size };
}
