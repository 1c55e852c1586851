import { type Chain, displayAddress } from './addresses.js';
import { formatUnits, roundBaseUnits } from './amounts.js';
import { type AttributionIndex, serviceOf, type Tag } from './attribution.js';
import type { TransferGraph } from './graph.js';
import { detectPeelChains, type PeelChain } from './peel.js';
import { ROLE_MIXER, ROLE_NONE, ROLE_STOP, type TraceParams, type TraceResult } from './trace.js';

/**
 * A trace made readable: amounts in asset units (decimal strings), addresses with their tags, where the funds
 * ended up grouped by service, the listed addresses reached, mixers passed and peel chains found.
 */

export interface TagBrief {
  label: string;
  category: string;
  source: string;
  /** Where the source says it: URL, or `file:line sha256:...` for a user-added pack. */
  sourceRecord: string;
  entityId: string | null;
  sanctioned: boolean;
  dprk: boolean;
}

export interface ReportNode {
  address: string;
  hop: number;
  /** Tainted value received (forward) / explained (backward), asset units. */
  received: string;
  /** Still there at the end (forward) / originating there (backward), asset units. */
  held: string;
  role: 'seed' | 'service' | 'mixer' | 'listed' | 'none';
  service: string | null;
  tags: TagBrief[];
}

export interface ReportEdge {
  txHash: string;
  from: string;
  to: string;
  time: string;
  amount: string;
  tainted: string;
  hop: number;
}

export interface TraceReport {
  chain: Chain;
  asset: string;
  decimals: number;
  method: TraceParams['method'];
  direction: TraceParams['direction'];
  params: { maxHops: number; minAmount: string; since: string | null; until: string | null };
  seeds: Array<{ address: string; tags: TagBrief[] }>;
  /**
   * Forward: start + poisonedClean = held + atServices + hopLimit + belowMin + returned (exact for poison and
   * FIFO; haircut's shares are rounded to base units).
   */
  totals: Record<
    'start' | 'atServices' | 'held' | 'hopLimit' | 'belowMin' | 'untracked' | 'returned' | 'poisonedClean',
    string
  >;
  /** Where the funds ended up (forward) or came from (backward), by service; largest first. */
  byService: Array<{ service: string; category: string; amount: string; addresses: number }>;
  listedReached: Array<{
    address: string;
    entityId: string | null;
    label: string;
    hop: number;
    received: string;
    held: string;
  }>;
  mixers: Array<{ address: string; label: string; received: string }>;
  peelChains: Array<{
    path: string[];
    peels: Array<{ from: string; to: string; amount: string; txHash: string }>;
    peeledTotal: string;
  }>;
  nodes: ReportNode[];
  edges: ReportEdge[];
  counts: { nodes: number; edges: number; nodesListed: number; edgesListed: number };
}

export function tagBrief(t: Tag): TagBrief {
  return {
    label: t.label,
    category: t.category,
    source: t.source,
    sourceRecord: t.sourceRecord,
    entityId: t.entityId,
    sanctioned: t.sanctioned,
    dprk: t.dprk,
  };
}

/** The trace role of an address from its tags (exchanges stop, mixers and bridges are marked). */
export function roleOfTags(tags: Tag[]): number {
  if (tags.length === 0) return ROLE_NONE;
  const s = serviceOf(tags);
  return s.role === 'stop' ? ROLE_STOP : s.role === 'mixer' ? ROLE_MIXER : ROLE_NONE;
}

/** Per-node roles for a graph from attribution. */
export function rolesFor(graph: TransferGraph, index: AttributionIndex, chain: Chain): Uint8Array {
  const roles = new Uint8Array(graph.nodeCount);
  for (let v = 0; v < graph.nodeCount; v++) roles[v] = roleOfTags(index.get(chain, graph.addresses[v]!));
  return roles;
}

export function buildReport(
  result: TraceResult,
  /** Node id → address (graph.addresses). */
  addresses: string[],
  index: AttributionIndex,
  meta: { chain: Chain; asset: string; decimals: number },
): TraceReport {
  const { chain, decimals } = meta;
  const fmt = (x: bigint): string => formatUnits(x, decimals);
  const show = (a: string): string => displayAddress(chain, a);
  const p = result.params;
  const nodes: ReportNode[] = result.nodes.map((n) => {
    const tags = index.get(chain, n.address);
    const s = serviceOf(tags);
    const listed = tags.some((t) => t.sanctioned || t.dprk);
    const role: ReportNode['role'] = n.seed
      ? 'seed'
      : n.role === ROLE_STOP
        ? 'service'
        : n.role === ROLE_MIXER
          ? 'mixer'
          : listed
            ? 'listed'
            : 'none';
    return {
      address: show(n.address),
      hop: n.hop,
      received: fmt(n.received),
      held: fmt(n.held),
      role,
      service: s.label,
      tags: tags.map(tagBrief),
    };
  });
  // Group end positions by service.
  // Exact methods sum base units; haircut's estimates are summed in float and rounded once (rounding each
  // address first would turn 350 + 3 × 33.333… into 449.9999999999).
  const groups = new Map<
    string,
    { service: string; category: string; amount: bigint; estimate: number; addresses: number }
  >();
  for (const n of result.nodes) {
    if (n.seed || n.held <= 0n) continue;
    const tags = index.get(chain, n.address);
    const s = serviceOf(tags);
    const listed = tags.find((t) => t.sanctioned || t.dprk);
    let key: string;
    let category: string;
    if (n.role === ROLE_STOP) {
      key = s.label ?? 'service';
      category = s.category ?? 'service';
    } else if (n.role === ROLE_MIXER) {
      key = s.label ?? 'mixer';
      category = s.category ?? 'mixing_service';
    } else if (listed) {
      key = `${listed.label}${listed.entityId ? ` (${listed.entityId})` : ''}`;
      category = listed.sanctioned ? 'sanctioned' : 'dprk_attributed';
    } else if (tags.length > 0 && s.label) {
      // Tagged, but neither a service nor listed (e.g. "Ronin bridge exploiter 4"): keep the tag's name.
      key = s.label;
      category = s.category ?? 'tagged';
    } else {
      key = 'unattributed addresses';
      category = 'unknown';
    }
    const g = groups.get(key) ?? { service: key, category, amount: 0n, estimate: 0, addresses: 0 };
    g.amount += n.held;
    g.estimate += result.heldByNode[n.node] ?? 0;
    g.addresses++;
    groups.set(key, g);
  }
  if (!result.exact) for (const g of groups.values()) g.amount = roundBaseUnits(g.estimate);
  const byService = [...groups.values()]
    .sort((a, b) => (b.amount > a.amount ? 1 : b.amount < a.amount ? -1 : 0))
    .map((g) => ({ service: g.service, category: g.category, amount: fmt(g.amount), addresses: g.addresses }));
  const listedReached = result.nodes
    .filter((n) => !n.seed)
    .flatMap((n) => {
      const t = index.get(chain, n.address).find((x) => x.sanctioned || x.dprk);
      return t
        ? [
            {
              address: show(n.address),
              entityId: t.entityId,
              label: t.label,
              hop: n.hop,
              received: fmt(n.received),
              held: fmt(n.held),
            },
          ]
        : [];
    });
  const mixers = result.nodes
    .filter((n) => n.role === ROLE_MIXER && !n.seed)
    .map((n) => ({
      address: show(n.address),
      label: serviceOf(index.get(chain, n.address)).label ?? 'mixer',
      received: fmt(n.received),
    }));
  const peels: PeelChain[] = p.direction === 'forward' ? detectPeelChains(result.edges) : [];
  return {
    chain,
    asset: meta.asset,
    decimals,
    method: p.method,
    direction: p.direction,
    params: {
      maxHops: p.maxHops,
      minAmount: formatUnits(roundBaseUnits(p.minAmount), decimals),
      since: p.sinceMs === undefined ? null : new Date(p.sinceMs).toISOString(),
      until: p.untilMs === undefined ? null : new Date(p.untilMs).toISOString(),
    },
    seeds: result.seeds.map((s) => ({
      address: show(addresses[s]!),
      tags: index.get(chain, addresses[s]!).map(tagBrief),
    })),
    totals: {
      start: fmt(result.totals.start),
      atServices: fmt(result.totals.atServices),
      held: fmt(result.totals.held),
      hopLimit: fmt(result.totals.hopLimit),
      belowMin: fmt(result.totals.belowMin),
      untracked: fmt(result.totals.untracked),
      returned: fmt(result.totals.returned),
      poisonedClean: fmt(result.totals.poisonedClean),
    },
    byService,
    listedReached,
    mixers,
    peelChains: peels.map((c) => ({
      path: c.path.map(show),
      peels: c.peels.map((x) => ({
        from: show(x.from),
        to: show(x.to),
        amount: formatUnits(x.amount, decimals),
        txHash: x.txHash,
      })),
      peeledTotal: formatUnits(c.peeledTotal, decimals),
    })),
    nodes,
    edges: result.edges.map((e) => ({
      txHash: e.txHash,
      from: show(e.from),
      to: show(e.to),
      time: new Date(e.tsMs).toISOString(),
      amount: formatUnits(e.amount, decimals),
      tainted: fmt(e.tainted),
      hop: e.hop,
    })),
    counts: {
      nodes: result.nodeTotal,
      edges: result.edgeTotal,
      nodesListed: result.nodes.length,
      edgesListed: result.edges.length,
    },
  };
}
