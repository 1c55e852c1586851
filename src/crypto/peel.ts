import type { TraceEdge } from './trace.js';

/**
 * Peel chains: a tainted address receives funds and splits them into a small "peel" (a payment or an exchange
 * deposit) and a large "change" sent to a fresh address, which repeats the split. Detected on a forward trace's
 * edges: a run of at least `minLength` addresses, each with exactly two tainted outgoing transfers where the
 * larger carries at least `minChangeShare` of what left it.
 */
export interface PeelChain {
  /** The addresses along the change path, in order. */
  path: string[];
  /** Each peel: from which address, to where, how much (exact base units), in which tx. */
  peels: Array<{ from: string; to: string; amount: bigint; txHash: string }>;
  /** Exact base units peeled off in total. */
  peeledTotal: bigint;
}

export interface PeelParams {
  minLength: number;
  minChangeShare: number;
}

export const DEFAULT_PEEL_PARAMS: PeelParams = { minLength: 3, minChangeShare: 0.6 };

export function detectPeelChains(edges: TraceEdge[], params: Partial<PeelParams> = {}): PeelChain[] {
  const p = { ...DEFAULT_PEEL_PARAMS, ...params };
  const outs = new Map<string, TraceEdge[]>();
  for (const e of edges) {
    const l = outs.get(e.from);
    if (l) l.push(e);
    else outs.set(e.from, [e]);
  }
  // step(a) = [change edge, peel edge] when a splits once into change + peel.
  const step = new Map<string, [TraceEdge, TraceEdge]>();
  for (const [a, l] of outs) {
    if (l.length !== 2) continue;
    const [x, y] = l[0]!.amount >= l[1]!.amount ? [l[0]!, l[1]!] : [l[1]!, l[0]!];
    const total = Number(x.amount + y.amount);
    if (total > 0 && Number(x.amount) / total >= p.minChangeShare && x.to !== a) step.set(a, [x, y]);
  }
  const isTarget = new Set<string>();
  for (const [change] of step.values()) isTarget.add(change.to);
  const chains: PeelChain[] = [];
  for (const start of step.keys()) {
    if (isTarget.has(start)) continue; // not the head of a chain
    const path = [start];
    const peels: PeelChain['peels'] = [];
    const seen = new Set([start]);
    let cur = start;
    for (;;) {
      const s = step.get(cur);
      if (!s) break;
      const [change, peel] = s;
      peels.push({ from: cur, to: peel.to, amount: peel.amount, txHash: peel.txHash });
      if (seen.has(change.to)) break;
      path.push(change.to);
      seen.add(change.to);
      cur = change.to;
    }
    if (peels.length >= p.minLength)
      chains.push({ path, peels, peeledTotal: peels.reduce((s, x) => s + x.amount, 0n) });
  }
  return chains.sort((a, b) => b.peels.length - a.peels.length);
}
