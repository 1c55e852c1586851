import type { IdentityRow } from '../maritime/store/identities.js';
import type { Entity } from '../model/entity.js';
import { buildRegistry, type VesselRegistry } from '../registry/registry.js';
import {
  BLOCKED,
  buildControlGraph,
  type ControlGraph,
  type ControlResult,
  computeControl,
  controlPaths,
  LISTED,
  POSSIBLE,
  THRESHOLD_PCT,
} from './control.js';
import { hullNameIndex, hullOfNameKey, linksFromEntities } from './from-entities.js';
import type { FrontScore } from './front-company.js';
import type { OwnershipLink } from './link.js';
import { buildParties, type PartyIndex } from './parties.js';
import { isOwnershipRole } from './roles.js';

/**
 * Everything "who is behind the ship" needs, built once from entities (and AIS identities): the vessel registry,
 * the parties across lists, every ownership/management link, and the 50 % rule's closure over the equity links in
 * force at `asOf`.
 */
export interface OwnershipNetwork {
  registry: VesselRegistry;
  parties: PartyIndex;
  links: OwnershipLink[];
  nodeIds: string[];
  nodeIndex: Map<string, number>;
  graph: ControlGraph;
  /** The link each graph edge stands for (several statements of one holding are one edge). */
  edgeLinks: OwnershipLink[][];
  /** Percentage per edge (NaN: unknown). */
  edgePct: Float64Array;
  control: ControlResult;
  asOf: string;
  /** The parties and links, reusable by a rebuild for new AIS identities. */
  base: NetworkBase;
}

/** A link is in force at `asOf` (ISO date) when it started on or before and did not end before it. */
export function inForce(l: OwnershipLink, asOf: string): boolean {
  if (l.startDate && l.startDate.slice(0, 10) > asOf.slice(0, 10)) return false;
  if (l.endDate && l.endDate.slice(0, 10) < asOf.slice(0, 10)) return false;
  return true;
}

/**
 * The entity side of a network: the parties and the links, with what they read from the registry (the hulls the
 * list remarks' ship names resolved to, and the name-only list entries' hulls). New AIS identities change the
 * registry; when they change neither, the parties and links are reused (`baseFits`).
 */
export interface NetworkBase {
  parties: PartyIndex;
  links: OwnershipLink[];
  names: Map<string, string | undefined>;
  joins: string;
  /** The canonical ids the parties were joined on (issue 13), as `id=canonical` pairs. */
  canonical: string;
  /**
   * Front-company scores of every unlisted party owning a ship (front-company.ts), once computed: they read the
   * parties and links only (no AIS, no date), so a network on the same base reads them again.
   */
  front?: FrontScore[];
}

/** The merged pairs of a canonical map, as a comparable key. */
export function canonicalKey(canonical?: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (const [id, cid] of canonical ?? []) if (cid !== id) out.push(`${id}=${cid}`);
  return out.sort().join('|');
}

function nameJoins(registry: VesselRegistry): string {
  const out: string[] = [];
  for (const r of registry.byImo.values()) for (const id of r.joinedByName) out.push(`${id}=${r.imo}`);
  return out.sort().join('|');
}

/** Whether parties and links built on another registry are those this registry gives. */
export function baseFits(base: NetworkBase, registry: VesselRegistry, canonical = ''): boolean {
  if (nameJoins(registry) !== base.joins || canonical !== base.canonical) return false;
  const index = hullNameIndex(registry);
  for (const [key, hull] of base.names) if (hullOfNameKey(index, key) !== hull) return false;
  return true;
}

export function buildNetwork(
  entities: Entity[],
  opts: { ais?: IdentityRow[]; asOf?: string; base?: NetworkBase; canonical?: ReadonlyMap<string, string> } = {},
): OwnershipNetwork {
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const registry = buildRegistry({ entities, ais: opts.ais });
  const canonical = canonicalKey(opts.canonical);
  let base = opts.base && baseFits(opts.base, registry, canonical) ? opts.base : undefined;
  if (base) base.parties.registry = registry;
  else {
    const parties = buildParties(entities, registry, opts.canonical);
    const names = new Map<string, string | undefined>();
    const links = linksFromEntities(entities, registry, parties, names);
    base = { parties, links, names, joins: nameJoins(registry), canonical };
  }
  const { parties, links } = base;
  const nodeIds: string[] = [];
  const nodeIndex = new Map<string, number>();
  const node = (id: string): number => {
    let i = nodeIndex.get(id);
    if (i === undefined) {
      i = nodeIds.length;
      nodeIds.push(id);
      nodeIndex.set(id, i);
    }
    return i;
  };
  for (const id of parties.listedMembers.keys()) node(id);
  // One edge per (owner, asset): the largest stated percentage, unknown only when no source states one.
  const byPair = new Map<string, number>();
  const owners: number[] = [];
  const assets: number[] = [];
  const pcts: number[] = [];
  const edgeLinks: OwnershipLink[][] = [];
  for (const l of links) {
    if (!isOwnershipRole(l.role) || !inForce(l, asOf)) continue;
    const o = node(l.party);
    const a = node(l.asset);
    const key = `${o}:${a}`;
    let e = byPair.get(key);
    if (e === undefined) {
      e = owners.length;
      byPair.set(key, e);
      owners.push(o);
      assets.push(a);
      pcts.push(Number.NaN);
      edgeLinks.push([]);
    }
    edgeLinks[e]!.push(l);
    if (l.percentage !== undefined && (Number.isNaN(pcts[e]!) || l.percentage > pcts[e]!)) pcts[e] = l.percentage;
  }
  for (const l of links) {
    node(l.party);
    node(l.asset);
  }
  const listedHulls: number[] = [];
  for (const r of registry.byImo.values()) if (r.listed.length > 0) listedHulls.push(node(`imo-${r.imo}`));
  const edgePct = Float64Array.from(pcts);
  const graph = buildControlGraph(nodeIds.length, Int32Array.from(owners), Int32Array.from(assets), edgePct);
  const listed = new Uint8Array(nodeIds.length);
  for (const id of parties.listedMembers.keys()) listed[nodeIndex.get(id)!] = 1;
  for (const v of listedHulls) listed[v] = 1;
  const control = computeControl(graph, listed);
  return { registry, parties, links, nodeIds, nodeIndex, graph, edgeLinks, edgePct, control, asOf, base };
}

export type Blocked = true | false | 'possible';

export interface PathStep {
  owner: string;
  ownerName: string;
  ownerListed: boolean;
  asset: string;
  assetName: string;
  /** undefined: no source states it. */
  percentage?: number;
  role: string;
  startDate?: string;
  sources: Array<{ source: string; record: string; via: string }>;
}

export interface ControlReport {
  entity: string;
  node: string;
  name: string;
  listed: boolean;
  blocked: Blocked;
  /** Aggregate share (%) held by listed or blocked owners, known percentages only. */
  share: number;
  /** Upper bound counting unknown percentages and possibly blocked owners in full. */
  upperShare: number;
  threshold: number;
  asOf: string;
  paths: PathStep[][];
}

/** The 50 % rule's answer for one entity (any member id of a party, a vessel entity id or an IMO). */
export function controlOf(net: OwnershipNetwork, ref: string): ControlReport | undefined {
  const hull = net.registry.find(ref);
  const nodeId = hull ? `imo-${hull.imo}` : net.parties.node(ref);
  const v = net.nodeIndex.get(nodeId);
  const known = v !== undefined || net.parties.entities.has(ref) || hull !== undefined;
  if (!known) return undefined;
  const name = hull ? vesselName(net, hull.imo) : net.parties.caption(nodeId);
  if (v === undefined) {
    return {
      entity: ref,
      node: nodeId,
      name,
      listed: false,
      blocked: false,
      share: 0,
      upperShare: 0,
      threshold: THRESHOLD_PCT,
      asOf: net.asOf,
      paths: [],
    };
  }
  const st = net.control.state[v]!;
  const paths = controlPaths(net.graph, net.control, v).map((p) =>
    p.edges.map((e, i): PathStep => {
      const ls = net.edgeLinks[e]!;
      const owner = net.nodeIds[p.nodes[i]!]!;
      const asset = net.nodeIds[p.nodes[i + 1]!]!;
      const pct = net.edgePct[e];
      return {
        owner,
        ownerName: captionOf(net, owner),
        ownerListed: net.control.state[p.nodes[i]!] === LISTED,
        asset,
        assetName: captionOf(net, asset),
        percentage: pct === undefined || Number.isNaN(pct) ? undefined : pct,
        role: ls[0]!.role,
        startDate: ls.map((l) => l.startDate).find(Boolean),
        sources: ls.map((l) => ({ source: l.source, record: l.sourceRecord, via: l.via })),
      };
    }),
  );
  return {
    entity: ref,
    node: nodeId,
    name,
    listed: st === LISTED,
    blocked: st === LISTED || st === BLOCKED ? true : st === POSSIBLE ? 'possible' : false,
    share: round(net.control.share[v]!),
    upperShare: round(net.control.upper[v]!),
    threshold: THRESHOLD_PCT,
    asOf: net.asOf,
    paths,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function captionOf(net: OwnershipNetwork, node: string): string {
  if (node.startsWith('imo-')) return vesselName(net, Number(node.slice(4)));
  return net.parties.caption(node);
}

function vesselName(net: OwnershipNetwork, imo: number): string {
  const r = net.registry.get(imo);
  const f = r?.facts.find((x) => x.prop === 'name' && x.source !== 'ais') ?? r?.facts.find((x) => x.prop === 'name');
  return f ? `${f.value} (IMO ${imo})` : `IMO ${imo}`;
}
