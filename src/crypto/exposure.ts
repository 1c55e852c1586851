import { InputError } from '../errors.js';
import type { Chain } from './addresses.js';
import { formatUnits, roundBaseUnits } from './amounts.js';
import { type AttributionIndex, isIllicitSource } from './attribution.js';
import type { TransferGraph } from './graph.js';
import { type TraceMethod, type TraceResult, trace } from './trace.js';

/**
 * Exposure: the share of the value an address (or a cluster of addresses) received that traces back to
 * sanctioned or DPRK-attributed sources. Every listed / attributed address in the graph is a source; a forward
 * trace (haircut by default, poison for an upper bound) carries their funds, and what reaches the target is
 * split by hop count: hop 1 is direct exposure (received straight from a source), hops 2+ indirect.
 */

export interface ExposureParams {
  method: TraceMethod;
  maxHops: number;
  sinceMs?: number;
  untilMs?: number;
}

export interface ExposureResult {
  chain: Chain;
  asset: string;
  targets: string[];
  method: TraceMethod;
  maxHops: number;
  /** Value the targets received from outside themselves, asset units. */
  received: string;
  exposed: string;
  /** exposed / received, 0..1. */
  share: number;
  direct: { amount: string; share: number };
  indirect: { amount: string; share: number };
  byHop: Array<{ hop: number; amount: string; share: number }>;
  /** Listed / attributed sources in the graph that sent funds toward the targets. */
  sources: Array<{ address: string; label: string; entityId: string | null; direct: boolean }>;
  /** The tainted transfers into the targets (evidence), largest first. */
  evidence: Array<{ txHash: string; from: string; amount: string; tainted: string; hop: number; time: string }>;
}

export function computeExposure(
  graph: TransferGraph,
  index: AttributionIndex,
  meta: { chain: Chain; asset: string; decimals: number },
  targetAddresses: string[],
  params: Partial<ExposureParams> = {},
): ExposureResult {
  const p: ExposureParams = {
    method: params.method ?? 'haircut',
    maxHops: params.maxHops ?? 4,
    sinceMs: params.sinceMs,
    untilMs: params.untilMs,
  };
  const targets = targetAddresses.map((a) => graph.id(a)).filter((x): x is number => x !== undefined);
  const targetSet = new Set(targets);
  const fmt = (x: number) => formatUnits(roundBaseUnits(x), meta.decimals);
  const sources: number[] = [];
  for (let v = 0; v < graph.nodeCount; v++) {
    if (!targetSet.has(v) && isIllicitSource(index.get(meta.chain, graph.addresses[v]!))) sources.push(v);
  }
  // Value received from outside the target set inside the window.
  let received = 0;
  for (let e = 0; e < graph.edgeCount; e++) {
    const t = graph.tsMs[e]!;
    if ((p.sinceMs !== undefined && t < p.sinceMs) || (p.untilMs !== undefined && t > p.untilMs)) continue;
    if (targetSet.has(graph.dst[e]!) && !targetSet.has(graph.src[e]!)) received += graph.amount[e]!;
  }
  const byHopRaw = new Float64Array(p.maxHops + 2);
  let result: TraceResult | null = null;
  if (sources.length > 0 && targets.length > 0) {
    // Every tainted transfer listed (no cap): the evidence is the tainted transfers into the targets, wherever they
    // fall among the rest (past a cap of 100,000, a busy chain's evidence came out empty).
    result = trace({
      graph,
      seeds: sources,
      watch: targets,
      params: {
        method: p.method,
        direction: 'forward',
        maxHops: p.maxHops,
        sinceMs: p.sinceMs,
        untilMs: p.untilMs,
        maxListed: Number.MAX_SAFE_INTEGER,
      },
    });
    for (const w of result.watched.values())
      for (let h = 1; h < w.length && h < byHopRaw.length; h++) byHopRaw[h]! += w[h]!;
  }
  let exposed = 0;
  for (let h = 1; h <= p.maxHops; h++) exposed += byHopRaw[h]!;
  // Poison can count the same value at several hops; shares are capped at 1.
  const share = (x: number) => (received > 0 ? Math.min(1, x / received) : 0);
  const evidence = (result?.edges ?? [])
    .filter((e) => targetSet.has(graph.id(e.to)!) && !targetSet.has(graph.id(e.from)!))
    .sort((a, b) => (b.tainted > a.tainted ? 1 : b.tainted < a.tainted ? -1 : 0))
    .slice(0, 50)
    .map((e) => ({
      txHash: e.txHash,
      from: e.from,
      amount: formatUnits(e.amount, meta.decimals),
      tainted: formatUnits(e.tainted, meta.decimals),
      hop: e.hop,
      time: new Date(e.tsMs).toISOString(),
    }));
  const directFrom = new Set(evidence.filter((e) => e.hop === 1).map((e) => e.from));
  // A source counts when tainted value left it. Each transfer a source sends in the window to another address that
  // is not a source is tainted in full (hop 1), so the graph says which sent (one pass over the edges, not a search
  // of the tainted transfers per source).
  const sent = new Set<number>();
  if (result) {
    const isSource = new Uint8Array(graph.nodeCount);
    for (const s of sources) isSource[s] = 1;
    for (let e = 0; e < graph.edgeCount; e++) {
      const t = graph.tsMs[e]!;
      if ((p.sinceMs !== undefined && t < p.sinceMs) || (p.untilMs !== undefined && t > p.untilMs)) continue;
      const u = graph.src[e]!;
      const v = graph.dst[e]!;
      if (isSource[u] === 1 && u !== v && isSource[v] !== 1) sent.add(u);
    }
  }
  const srcList = sources
    // Direct senders first.
    .filter((s) => directFrom.has(graph.addresses[s]!) || sent.has(s))
    .sort((a, b) => Number(directFrom.has(graph.addresses[b]!)) - Number(directFrom.has(graph.addresses[a]!)))
    .slice(0, 100)
    .map((s) => {
      const t = index.get(meta.chain, graph.addresses[s]!).find((x) => x.sanctioned || x.dprk)!;
      return {
        address: graph.addresses[s]!,
        label: t.label,
        entityId: t.entityId,
        direct: directFrom.has(graph.addresses[s]!),
      };
    });
  return {
    chain: meta.chain,
    asset: meta.asset,
    targets: targetAddresses,
    method: p.method,
    maxHops: p.maxHops,
    received: fmt(received),
    exposed: fmt(Math.min(exposed, p.method === 'poison' ? received : exposed)),
    share: share(exposed),
    direct: { amount: fmt(byHopRaw[1]!), share: share(byHopRaw[1]!) },
    indirect: { amount: fmt(exposed - byHopRaw[1]!), share: share(exposed - byHopRaw[1]!) },
    byHop: Array.from({ length: p.maxHops }, (_, i) => i + 1)
      .filter((h) => byHopRaw[h]! > 0)
      .map((h) => ({ hop: h, amount: fmt(byHopRaw[h]!), share: share(byHopRaw[h]!) })),
    sources: srcList,
    evidence,
  };
}

export function requireTargets(graph: TransferGraph, addresses: string[]): void {
  if (!addresses.some((a) => graph.id(a) !== undefined)) {
    throw new InputError(`no transfers stored for ${addresses.join(', ')}: import its transfers first (crypto import)`);
  }
}
