import { NotFoundError, UserError } from '../errors.js';
import { type Finding, severityOf } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import type { OwnershipLink } from '../ownership/link.js';
import { loadNetwork } from '../ownership/load.js';
import { inForce, type OwnershipNetwork } from '../ownership/network.js';
import { parseRole } from '../ownership/roles.js';
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
 * holders, ...) as edges, and findings as nodes tying their subjects together. The ownership network's links
 * (src/ownership: FtM link entities, registry rows and list remarks) are edges with their role, share and sources. Built on demand from the store,
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
  /**
   * An ownership or management link of the ownership network (src/ownership): owner → asset with the role, the
   * share when a source states one, and every statement it rests on (list remarks, FtM link entities, registry
   * rows). An FtM link entity the network reads is this one edge, not two.
   */
  ownership?: EdgeOwnership;
}

export interface EdgeOwnership {
  role: string;
  /** The largest share a source states (0..100); absent when none does. */
  percentage?: number;
  /** Some statement of it is in force today. */
  current: boolean;
  /** Sources (datasets) stating it, sorted. */
  sources: string[];
  /** Each statement of it: share, dates, source and how it was read. */
  links: Array<Pick<OwnershipLink, 'percentage' | 'startDate' | 'endDate' | 'source' | 'sourceRecord' | 'via'>>;
}

/** "registered owner · 60 %", "shareholder", "ship manager (ended)". */
export function ownershipLabel(o: Pick<EdgeOwnership, 'role' | 'percentage' | 'current'>): string {
  const pct = o.percentage === undefined ? '' : ` · ${Math.round(o.percentage * 10) / 10} %`;
  return `${o.role}${pct}${o.current ? '' : ' (ended)'}`;
}

/** The ownership network's links by node (party or asset), once per network. */
const linksByNode = new WeakMap<OwnershipNetwork, Map<string, OwnershipLink[]>>();

function linkIndex(net: OwnershipNetwork): Map<string, OwnershipLink[]> {
  let m = linksByNode.get(net);
  if (!m) {
    m = new Map();
    for (const l of net.links)
      for (const n of l.party === l.asset ? [l.party] : [l.party, l.asset]) {
        const list = m.get(n);
        if (list) list.push(l);
        else m.set(n, [l]);
      }
    linksByNode.set(net, m);
  }
  return m;
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

  private network: Promise<OwnershipNetwork> | undefined;
  /** Ownership network node (`imo-<IMO>` or a party) → the canonical graph node standing for it. */
  private readonly nodeOfNet = new Map<string, string | undefined>();

  constructor(private readonly store: Store) {}

  /** The store's ownership network as load.ts keeps it (built once per list change, not per request). */
  private net(): Promise<OwnershipNetwork> {
    this.network ??= loadNetwork(this.store);
    return this.network;
  }

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
    await this.addOwnership(canon, out);
    return out;
  }

  /**
   * The ownership network's links touching each entity node (owner → asset, with role, share, dates and sources)
   * as edges. One edge per (owner node, asset node, role): the FtM edge of a link entity the network read (same
   * entity id, or the same vessel property and role between the same two nodes) becomes that edge, with every
   * source, rather than a second edge.
   */
  private async addOwnership(
    canon: Map<string, CanonicalEntity | undefined>,
    out: Map<string, GraphEdge[]>,
  ): Promise<void> {
    if (![...canon.values()].some(Boolean)) return;
    const net = await this.net();
    const index = linkIndex(net);
    if (index.size === 0) return;
    const touching = new Map<string, OwnershipLink[]>();
    const farNodes = new Set<string>();
    for (const [id, c] of canon) {
      if (!c) continue;
      const mine = new Set<string>();
      for (const x of [c.entity.id, ...c.referents]) {
        const n = net.parties.node(x);
        if (index.has(n)) mine.add(n);
      }
      const links: OwnershipLink[] = [];
      for (const n of mine) {
        if (!this.nodeOfNet.has(n)) this.nodeOfNet.set(n, c.entity.id);
        for (const l of index.get(n) ?? []) {
          links.push(l);
          farNodes.add(l.party === n ? l.asset : l.party);
        }
      }
      if (links.length > 0) touching.set(id, links);
    }
    if (touching.size === 0) return;
    await this.resolveNetNodes(net, [...farNodes]);
    for (const [id, links] of touching) {
      const cid = canon.get(id)!.entity.id;
      const edges = out.get(id)!;
      const groups = new Map<string, { source: string; target: string; role: string; links: OwnershipLink[] }>();
      for (const l of [...new Set(links)]) {
        const source = this.nodeOfNet.get(l.party);
        const target = this.nodeOfNet.get(l.asset);
        if (!source || !target || source === target || (source !== cid && target !== cid)) continue;
        const key = `${source}\u0000${target}\u0000${l.role}`;
        const g = groups.get(key);
        if (g) g.links.push(l);
        else groups.set(key, { source, target, role: l.role, links: [l] });
      }
      for (const g of groups.values()) {
        const ownership = edgeOwnership(g.role, g.links, net.asOf);
        const label = ownershipLabel(ownership);
        const viaIds = new Set(g.links.map((l) => l.id));
        const same = (e: GraphEdge) =>
          !e.ownership &&
          !isFinding(e.source) &&
          (viaIds.has(e.id) ||
            (parseRole(e.label) === g.role &&
              ((e.source === g.source && e.target === g.target) || (e.source === g.target && e.target === g.source))));
        const ftm = edges.find(same);
        if (ftm) {
          // The FtM link entity and the statements the network read are one link: keep its edge (and the nodes
          // it joins), with the role, drawn owner → asset (OFAC's "Linked To" links run vessel → owner).
          if ((ftm.source === cid) !== (g.source === cid)) [ftm.source, ftm.target] = [ftm.target, ftm.source];
          ftm.label = label;
          ftm.ownership = ownership;
        } else
          edges.push({
            id: `own:${g.source}>${g.role}>${g.target}`,
            source: g.source,
            target: g.target,
            label,
            ownership,
          });
      }
    }
  }

  /**
   * The canonical graph node of each ownership network node: a hull (`imo-<IMO>`) by its registry entities, a party
   * by its member entities; the canonical entity most of them resolve to (ties: the smallest id) among those the
   * store holds.
   */
  private async resolveNetNodes(net: OwnershipNetwork, nodes: string[]): Promise<void> {
    const unread = nodes.filter((n) => !this.nodeOfNet.has(n));
    if (unread.length === 0) return;
    const candidates = new Map<string, string[]>();
    for (const n of unread) {
      const ids = n.startsWith('imo-')
        ? (net.registry.get(Number(n.slice(4)))?.entityIds ?? [])
        : net.parties.members(n);
      candidates.set(n, ids.length > 0 ? ids : [n]);
    }
    const all = [...new Set([...candidates.values()].flat())];
    const canonOf = await canonicalIdsOf(this.store, all);
    const exists = await this.canonicalMany([...new Set(canonOf.values())]);
    for (const [n, ids] of candidates) {
      const count = new Map<string, number>();
      for (const id of ids) {
        const c = exists.get(canonOf.get(id) ?? id);
        if (c) count.set(c.entity.id, (count.get(c.entity.id) ?? 0) + 1);
      }
      const best = [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      this.nodeOfNet.set(n, best?.[0]);
    }
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

function edgeOwnership(role: string, links: OwnershipLink[], asOf: string): EdgeOwnership {
  const stated = links.flatMap((l) => (l.percentage === undefined ? [] : [l.percentage]));
  return {
    role,
    ...(stated.length > 0 ? { percentage: Math.max(...stated) } : {}),
    current: links.some((l) => inForce(l, asOf)),
    sources: [...new Set(links.map((l) => l.source))].sort(),
    links: links
      .map((l) => ({
        ...(l.percentage === undefined ? {} : { percentage: l.percentage }),
        ...(l.startDate ? { startDate: l.startDate } : {}),
        ...(l.endDate ? { endDate: l.endDate } : {}),
        source: l.source,
        sourceRecord: l.sourceRecord,
        via: l.via,
      }))
      .sort(
        (a, b) =>
          a.source.localeCompare(b.source) ||
          (a.startDate ?? '').localeCompare(b.startDate ?? '') ||
          a.via.localeCompare(b.via),
      ),
  };
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
