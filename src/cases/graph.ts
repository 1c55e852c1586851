import { NotFoundError, UserError } from '../errors.js';
import { severityOf } from '../findings/finding.js';
import type { Store } from '../store/store.js';
import { entityLinks, safeCaption } from './entity-view.js';

/**
 * The network page's graph: entities as nodes, links (ownership, directorships, vessel owners and operators, wallet
 * holders, ...) as edges, and findings as nodes tying their subjects together. Built on demand from the store,
 * one neighbourhood at a time; the shortest path between two entities is a breadth-first search over the same
 * neighbourhoods, bounded in depth and nodes visited.
 */

export interface GraphNode {
  id: string;
  /** FtM schema, or "Finding" for findings. */
  schema: string;
  label: string;
  /** Findings: 'high' | 'medium' | 'low'; entities: 'sanctioned' when a sanction names them. */
  tag: string | null;
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

async function nodeFor(store: Store, id: string): Promise<GraphNode | undefined> {
  if (id.startsWith('f-')) {
    const f = await store.getFinding(id);
    return f ? { id, schema: 'Finding', label: f.kind, tag: severityOf(f.score) } : undefined;
  }
  const e = await store.getEntity(id);
  if (!e) return undefined;
  const sanctioned =
    e.get('topics').includes('sanction') || (await store.entitiesReferencing(id)).some((r) => r.schema === 'Sanction');
  return { id, schema: e.schema, label: safeCaption(e), tag: sanctioned ? 'sanctioned' : null };
}

/** Edges from one node: entity links, and findings ↔ their subjects. */
async function edgesOf(store: Store, id: string): Promise<GraphEdge[]> {
  const edges: GraphEdge[] = [];
  if (id.startsWith('f-')) {
    const f = await store.getFinding(id);
    if (!f) return [];
    for (const s of f.subjects) edges.push({ id: `${id}>${s}`, source: id, target: s, label: 'subject' });
    return edges;
  }
  const e = await store.getEntity(id);
  if (!e) return [];
  for (const l of await entityLinks(store, e)) {
    const [source, target] = l.direction === 'out' ? [id, l.id] : [l.id, id];
    edges.push({ id: l.via ?? `${source}>${l.relation}>${target}`, source, target, label: l.relation });
  }
  for (const f of await store.queryFindings({ subject: id, limit: 50 })) {
    edges.push({ id: `${f.id}>${id}`, source: f.id, target: id, label: 'subject' });
  }
  return edges;
}

/** A node and its neighbours. Throws NotFoundError for an unknown id. */
export async function neighbourhood(store: Store, id: string): Promise<Graph> {
  const centre = await nodeFor(store, id);
  if (!centre) throw new NotFoundError(`no entity or finding with id "${id}"`);
  const edges = await edgesOf(store, id);
  // Findings tie subjects together: bring in the other subjects of each finding next to this node.
  if (!id.startsWith('f-')) {
    for (const e of [...edges]) if (e.source.startsWith('f-')) edges.push(...(await edgesOf(store, e.source)));
  }
  const nodes = new Map<string, GraphNode>([[id, centre]]);
  for (const e of edges) {
    for (const n of [e.source, e.target]) {
      if (nodes.has(n)) continue;
      const node = await nodeFor(store, n);
      nodes.set(n, node ?? { id: n, schema: 'Thing', label: n, tag: null });
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
 * Shortest path between two entities (undirected, findings count as hops). Returns the path's nodes and edges in
 * order, or an empty graph when none exists within `maxDepth` hops / `maxNodes` visited.
 */
export async function shortestPath(
  store: Store,
  from: string,
  to: string,
  opts: { maxDepth?: number; maxNodes?: number } = {},
): Promise<Graph & { hops: number; visited: number }> {
  if (!from || !to) throw new UserError('from and to: give two entity ids');
  for (const id of [from, to]) {
    if (!(await nodeFor(store, id))) throw new NotFoundError(`no entity or finding with id "${id}"`);
  }
  const maxDepth = opts.maxDepth ?? 6;
  const maxNodes = opts.maxNodes ?? 3000;
  const prev = new Map<string, { node: string; edge: GraphEdge } | null>([[from, null]]);
  let frontier = [from];
  let depth = 0;
  while (frontier.length && !prev.has(to) && depth < maxDepth && prev.size < maxNodes) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const e of await edgesOf(store, n)) {
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
  for (const id of ids) nodes.push((await nodeFor(store, id)) ?? { id, schema: 'Thing', label: id, tag: null });
  return { nodes, edges, hops: edges.length, visited: prev.size };
}
