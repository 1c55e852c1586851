import { NotFoundError, UserError } from '../errors.js';
import { type Finding, severityOf } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import {
  type CanonicalEntity,
  canonicalEntities,
  canonicalEntity,
  canonicalIdsOf,
  mergeStatements,
} from '../resolve/canonical.js';
import { isCanonicalId } from '../resolve/canonical-id.js';
import { CURRENT_FILTER } from '../store/repositories/statements.js';
import type { Store } from '../store/store.js';
import { linksOf, safeCaption } from './entity-view.js';

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

/** `SELECT ... IN (...)` over many values, 1,000 per query. */
async function queryIn(
  store: Store,
  values: string[],
  sql: (inList: string) => string,
): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < values.length; i += 1000) {
    const part = values.slice(i, i + 1000);
    rows.push(...(await store.db.query(sql(part.map((_, k) => `$${k + 1}`).join(', ')), part)));
  }
  return rows;
}

/**
 * Per-request reads: each canonical entity is read once however many edges reach it, and the edges of many nodes
 * (a BFS level of the path search) are read together, in a fixed number of queries whatever their count: the
 * canonical ids and referents, the referents' statements, the entities referencing any referent, the findings
 * naming any referent, and the canonical ids of every far end. Each node's edges are the same, in the same order,
 * as read one node and one referent at a time.
 */
class GraphReader {
  private readonly entities = new Map<string, Promise<CanonicalEntity | undefined>>();
  /** Entities referencing a source id (not Sanction-filtered), by entity id, as `store.entitiesReferencing`. */
  private readonly referencing = new Map<string, Entity[]>();

  constructor(private readonly store: Store) {}

  canonical(id: string): Promise<CanonicalEntity | undefined> {
    let p = this.entities.get(id);
    if (!p) {
      p = canonicalEntity(this.store, id);
      this.entities.set(id, p);
    }
    return p;
  }

  private async referencingOf(id: string): Promise<Entity[]> {
    let r = this.referencing.get(id);
    if (!r) {
      r = await this.store.entitiesReferencing(id);
      this.referencing.set(id, r);
    }
    return r;
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
      sanctioned = (await this.referencingOf(r)).some((x) => x.schema === 'Sanction');
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
    return (await this.edgesOf([id])).get(id) ?? [];
  }

  /**
   * The canonical entities of many ids, as `canonicalEntity` gives them one by one (every referent of the
   * resolution, statements of those the store holds), cached for this request.
   */
  private async canonicalMany(ids: string[]): Promise<Map<string, CanonicalEntity | undefined>> {
    const out = new Map<string, CanonicalEntity | undefined>();
    const unread = [...new Set(ids)].filter((id) => !this.entities.has(id));
    if (unread.length > 0) {
      const canonOf = await canonicalIdsOf(this.store, unread);
      const canonicals = [...new Set(canonOf.values())];
      const refs = new Map<string, string[]>(canonicals.map((c) => [c, []]));
      const rows = await queryIn(
        this.store,
        canonicals,
        (list) =>
          `SELECT DISTINCT entity_id, canonical_id FROM resolve_canonical WHERE canonical_id IN (${list}) ORDER BY canonical_id, entity_id`,
      );
      for (const r of rows) refs.get(String(r.canonical_id))?.push(String(r.entity_id));
      for (const [c, list] of refs) if (list.length === 0 && !isCanonicalId(c)) list.push(c);
      const parts = await this.store.getEntities([...refs.values()].flat());
      const byId = new Map(parts.map((e) => [e.id, e]));
      for (const id of unread) {
        const c = canonOf.get(id) ?? id;
        const referents = refs.get(c) ?? [];
        const found = referents.flatMap((r) => byId.get(r) ?? []);
        const value: CanonicalEntity | undefined =
          found.length === 0
            ? undefined
            : {
                entity: mergeStatements(
                  c,
                  found.flatMap((p) => p.statements),
                ),
                referents,
                ...(c !== id ? { redirectedFrom: id } : {}),
              };
        this.entities.set(id, Promise.resolve(value));
      }
    }
    for (const id of ids) out.set(id, await this.entities.get(id));
    return out;
  }

  /** `store.entitiesReferencing` of many source ids in two queries, cached for this request. */
  async referencingMany(ids: string[]): Promise<void> {
    const unread = [...new Set(ids)].filter((id) => !this.referencing.has(id));
    if (unread.length === 0) return;
    const rows = await queryIn(
      this.store,
      unread,
      (list) =>
        `SELECT DISTINCT s.value, s.entity_id FROM statements s WHERE s.value IN (${list}) AND s.entity_id <> s.value AND ${CURRENT_FILTER} ORDER BY s.value, s.entity_id`,
    );
    const byValue = new Map<string, string[]>(unread.map((id) => [id, []]));
    for (const r of rows) byValue.get(String(r.value))?.push(String(r.entity_id));
    const entities = await this.store.getEntities(rows.map((r) => String(r.entity_id)));
    const byId = new Map(entities.map((e) => [e.id, e]));
    for (const [id, list] of byValue)
      this.referencing.set(
        id,
        list.flatMap((x) => byId.get(x) ?? []),
      );
  }

  /** Ids of the findings naming each subject, newest first, at most `limit` per subject (as `queryFindings`). */
  private async findingsOfSubjects(subjects: string[], limit: number): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(subjects.map((s) => [s, []]));
    const rows = await queryIn(
      this.store,
      [...new Set(subjects)],
      (list) =>
        `SELECT entity_id, id FROM (SELECT fs.entity_id, f.id, ROW_NUMBER() OVER (PARTITION BY fs.entity_id ORDER BY f.start_ms DESC, f.id) AS rn FROM (SELECT DISTINCT entity_id, finding_id FROM finding_subjects WHERE entity_id IN (${list})) fs JOIN findings f ON f.id = fs.finding_id) t WHERE rn <= ${limit} ORDER BY entity_id, rn`,
    );
    for (const r of rows) out.get(String(r.entity_id))?.push(String(r.id));
    return out;
  }

  /** Edges of many nodes (canonical or finding ids) read together; see the class comment. */
  async edgesOf(ids: string[]): Promise<Map<string, GraphEdge[]>> {
    const out = new Map<string, GraphEdge[]>();
    const findingIds = [...new Set(ids.filter(isFinding))];
    const canon = await this.canonicalMany(ids.filter((id) => !isFinding(id)));
    const referents = [...new Set([...canon.values()].flatMap((c) => c?.referents ?? []))];
    await this.referencingMany(referents);
    const findingsBy = referents.length > 0 ? await this.findingsOfSubjects(referents, 50) : new Map();
    const findings = new Map<string, Finding>();
    for (const r of await queryIn(
      this.store,
      findingIds,
      (list) => `SELECT id, doc FROM findings WHERE id IN (${list})`,
    ))
      findings.set(String(r.id), JSON.parse(String(r.doc)) as Finding);
    // Raw links of every entity node, then the canonical ids of every far end and finding subject at once.
    const raw = new Map<string, ReturnType<typeof linksOf>>();
    for (const [id, c] of canon) {
      if (!c) continue;
      const referencing = new Map<string, Entity>();
      for (const r of c.referents) for (const x of this.referencing.get(r) ?? []) referencing.set(x.id, x);
      raw.set(id, linksOf(c.entity, c.referents, referencing.values()));
    }
    const canonOf = await canonicalIdsOf(this.store, [
      ...new Set([
        ...[...raw.values()].flatMap((ls) => ls.map((l) => l.id)),
        ...[...findings.values()].flatMap((f) => f.subjects),
      ]),
    ]);
    for (const id of ids) {
      const edges: GraphEdge[] = [];
      out.set(id, edges);
      if (isFinding(id)) {
        const f = findings.get(id);
        if (!f) continue;
        for (const s of new Set(f.subjects.map((x) => canonOf.get(x) ?? x)))
          edges.push({ id: `${id}>${s}`, source: id, target: s, label: 'subject' });
        continue;
      }
      const c = canon.get(id);
      if (!c) continue;
      const cid = c.entity.id;
      const self = new Set([cid, ...c.referents]);
      const seen = new Set<string>();
      for (const l of raw.get(id) ?? []) {
        const far = canonOf.get(l.id) ?? l.id;
        const key = `${far}\u0000${l.relation}\u0000${l.direction}`;
        if (seen.has(key) || self.has(far)) continue;
        seen.add(key);
        const [source, target] = l.direction === 'out' ? [cid, far] : [far, cid];
        edges.push({ id: l.via ?? `${source}>${l.relation}>${target}`, source, target, label: l.relation });
      }
      const named = new Set<string>();
      for (const r of c.referents) for (const f of findingsBy.get(r) ?? []) named.add(f);
      for (const f of named) edges.push({ id: `${f}>${cid}`, source: f, target: cid, label: 'subject' });
    }
    return out;
  }
}

/** A node and its neighbours. Throws NotFoundError for an unknown id; a referent id gives its canonical node. */
export async function neighbourhood(store: Store, id: string): Promise<Graph> {
  const reader = new GraphReader(store);
  const centre = await reader.node(id);
  if (!centre) throw new NotFoundError(`no entity or finding with id "${id}"`);
  const edges = await reader.edges(centre.id);
  // Findings tie subjects together: bring in the other subjects of each finding next to this node.
  if (!isFinding(centre.id)) {
    const findings = edges.filter((e) => isFinding(e.source)).map((e) => e.source);
    const byFinding = await reader.edgesOf(findings);
    for (const f of findings) edges.push(...(byFinding.get(f) ?? []));
  }
  const nodes = new Map<string, GraphNode>([[centre.id, centre]]);
  const entityIds = new Set<string>();
  for (const e of edges) for (const n of [e.source, e.target]) if (!nodes.has(n) && !isFinding(n)) entityIds.add(n);
  const { entities } = await canonicalEntities(store, [...entityIds]);
  // The sanction tag of a node without the sanction topic asks which entities reference its referents: read them
  // all at once.
  await reader.referencingMany(
    [...entities.values()].filter((c) => !c.entity.get('topics').includes('sanction')).flatMap((c) => c.referents),
  );
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
    const level = await reader.edgesOf(frontier);
    for (const n of frontier) {
      for (const e of level.get(n) ?? []) {
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
