import { InputError } from '../errors.js';
import type { TransferGraph } from './graph.js';

/**
 * Taint tracing over a time-ordered transfer graph (account model), forward (where did the funds go) or backward
 * (where did they come from), with three methods:
 *
 * - poison: any value leaving an address that holds taint is tainted in full (upper bound, reaches everything);
 * - haircut: each outgoing transfer carries the address's tainted share of its balance at that moment
 *   (balance = recorded inflows − outflows; a transfer larger than the recorded balance is covered by untracked,
 *   clean funds);
 * - fifo: first in, first out (Anderson, Shumailov, Ryan & Stajano, "Bitcoin Redux", WEIS 2018): each address is
 *   a tape; the k-th unit out is the k-th unit in, so taint moves as exact intervals. Funds an address spends
 *   before any recorded inflow are untracked funds placed first on its tape.
 *
 * Limits: `maxHops` (taint that has made that many hops is not followed further: it stops where it is),
 * `minAmount` (tainted flows below it are not followed), and a time window. Tracing stops at services where funds
 * can be frozen (exchanges: role `stop`) and marks mixers and bridges it passes (role `mixer`). Taint amounts are
 * float64 estimates in base units; transfer amounts in the output are exact.
 */

export type TraceMethod = 'poison' | 'haircut' | 'fifo';
export type TraceDirection = 'forward' | 'backward';

/** Per-node role: 0 none, 1 stop (exchange / service), 2 mixer or bridge (marked, passed through). */
export const ROLE_NONE = 0;
export const ROLE_STOP = 1;
export const ROLE_MIXER = 2;

export interface TraceParams {
  method: TraceMethod;
  direction: TraceDirection;
  /** Hops followed from the seeds (a seed's own transfer is hop 1). Default 6. */
  maxHops: number;
  /** Tainted flows smaller than this (base units) are not followed. Default 0. */
  minAmount: number;
  /** Only transfers at or after / before these times (epoch ms). */
  sinceMs?: number;
  untilMs?: number;
  /** Cap on the edges and nodes listed in the result (totals always count everything). Default 100,000. */
  maxListed?: number;
}

export const DEFAULT_TRACE_PARAMS: TraceParams = {
  method: 'haircut',
  direction: 'forward',
  maxHops: 6,
  minAmount: 0,
  maxListed: 100_000,
};

export interface TraceEdge {
  edge: number;
  txHash: string;
  from: string;
  to: string;
  tsMs: number;
  /** Exact transfer amount, base units. */
  amount: bigint;
  /** Tainted part of it (estimate, base units). */
  tainted: number;
  /** Hop of the taint it carried (the smallest, when it carried several). */
  hop: number;
}

export interface TraceNodeInfo {
  node: number;
  address: string;
  /** Smallest hop at which taint reached it (0 for seeds). */
  hop: number;
  /** Tainted value it received (forward) or explained (backward), base units. */
  received: number;
  /** Tainted value still there at the end: funds ended here (forward) or originate here (backward). */
  held: number;
  role: number;
  seed: boolean;
}

export interface TraceTotals {
  /** Forward: tainted value that left the seeds. Backward: value received by the targets being explained. */
  start: number;
  /** Reached a service where the trace stops (exchange...). */
  atServices: number;
  /** Still held by ordinary addresses at the end of the window. */
  held: number;
  /** Stopped because it had made maxHops hops. */
  hopLimit: number;
  /** Dropped because the flow was below minAmount. */
  belowMin: number;
  /** Backward only: value from before the data (no recorded inflow explains it). */
  untracked: number;
  /** Forward only: tainted value sent back to a seed address. */
  returned: number;
}

export interface TraceResult {
  params: TraceParams;
  seeds: number[];
  edges: TraceEdge[];
  /** Total tainted edges (edges may be truncated to maxListed). */
  edgeTotal: number;
  nodes: TraceNodeInfo[];
  nodeTotal: number;
  totals: TraceTotals;
  /** Typed per-node results for callers that aggregate (exposure, summaries). */
  receivedByNode: Float64Array;
  heldByNode: Float64Array;
  hopByNode: Int16Array;
  /** Tainted value reaching `watch` nodes by hop: watch node → array indexed by hop. */
  watched: Map<number, Float64Array>;
}

export interface TraceInput {
  graph: TransferGraph;
  seeds: number[];
  params?: Partial<TraceParams>;
  /** Per-node roles (ROLE_*), length graph.nodeCount; default none. */
  roles?: Uint8Array;
  /** Forward: also treat every edge of these transactions as fully tainted (seed transactions). */
  seedTxs?: Set<string>;
  /** Record tainted value reaching these nodes per hop (exposure). */
  watch?: number[];
}

export function trace(input: TraceInput): TraceResult {
  const given = Object.fromEntries(Object.entries(input.params ?? {}).filter(([, v]) => v !== undefined));
  const params: TraceParams = { ...DEFAULT_TRACE_PARAMS, ...given };
  if (!Number.isInteger(params.maxHops) || params.maxHops < 1 || params.maxHops > 100) {
    throw new InputError(`hops: must be an integer 1..100, got ${params.maxHops}`);
  }
  if (!(params.minAmount >= 0)) throw new InputError(`min amount: must be >= 0, got ${params.minAmount}`);
  if (!['poison', 'haircut', 'fifo'].includes(params.method)) {
    throw new InputError(`method: must be poison, haircut or fifo, got "${params.method}"`);
  }
  if (input.seeds.length === 0 && !input.seedTxs?.size)
    throw new InputError('trace: no seed address or transaction in the graph');
  return params.direction === 'backward' ? traceBackward(input, params) : traceForward(input, params);
}

/** Edge index range [lo, hi) inside the time window (edges are time-sorted). */
function windowRange(g: TransferGraph, p: TraceParams): [number, number] {
  const lower = (t: number): number => {
    let lo = 0;
    let hi = g.edgeCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (g.tsMs[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lo = p.sinceMs === undefined ? 0 : lower(p.sinceMs);
  const hi = p.untilMs === undefined ? g.edgeCount : lower(p.untilMs + 1);
  return [lo, hi];
}

/** Untracked funds each address must have held before the window for its outflows to add up (FIFO tapes). */
function untrackedOpening(g: TransferGraph, lo: number, hi: number): Float64Array {
  const n = g.nodeCount;
  const net = new Float64Array(n);
  const init = new Float64Array(n);
  for (let e = lo; e < hi; e++) {
    const u = g.src[e]!;
    const a = g.amount[e]!;
    if (u === g.dst[e]) continue;
    net[u]! -= a;
    if (-net[u]! > init[u]!) init[u] = -net[u]!;
    net[g.dst[e]!]! += a;
  }
  return init;
}

/** Interval lists per node for FIFO tapes: flat [start, end, hop] triples, kept sorted by start. */
class Tapes {
  private readonly lists = new Map<number, number[]>();
  /** Index of the first interval not yet fully consumed (forward: out positions only grow). */
  private readonly heads = new Map<number, number>();

  push(node: number, start: number, end: number, hop: number): void {
    let l = this.lists.get(node);
    if (!l) this.lists.set(node, (l = []));
    l.push(start, end, hop);
  }

  has(node: number): boolean {
    return this.lists.has(node);
  }

  /** Call fn for each tainted piece inside [start, end); forward mode skips consumed intervals for good. */
  take(
    node: number,
    start: number,
    end: number,
    fn: (s: number, e: number, hop: number) => void,
    consume: boolean,
  ): void {
    const l = this.lists.get(node);
    if (!l) return;
    let i = consume ? (this.heads.get(node) ?? 0) : 0;
    if (consume) {
      while (i < l.length && l[i + 1]! <= start) i += 3;
      this.heads.set(node, i);
    }
    for (let k = i; k < l.length; k += 3) {
      const s = l[k]!;
      if (s >= end) {
        if (consume) break;
        continue;
      }
      const e = l[k + 1]!;
      const a = Math.max(s, start);
      const b = Math.min(e, end);
      if (b > a) fn(a, b, l[k + 2]!);
    }
  }

  /** Total tainted length still on a node's tape from `from` on. */
  remaining(node: number, from: number): number {
    const l = this.lists.get(node);
    if (!l) return 0;
    let sum = 0;
    for (let k = 0; k < l.length; k += 3) {
      const a = Math.max(l[k]!, from);
      if (l[k + 1]! > a) sum += l[k + 1]! - a;
    }
    return sum;
  }

  nodes(): IterableIterator<number> {
    return this.lists.keys();
  }
}

function traceForward(input: TraceInput, p: TraceParams): TraceResult {
  const g = input.graph;
  const n = g.nodeCount;
  const K = p.maxHops + 1; // hop buckets 0..maxHops (0 unused except by seeds)
  const roles = input.roles ?? new Uint8Array(n);
  const isSeed = new Uint8Array(n);
  for (const s of input.seeds) isSeed[s] = 1;
  const [lo, hi] = windowRange(g, p);
  const method = p.method;
  const minAmount = p.minAmount;
  const maxListed = p.maxListed ?? 100_000;

  const bal = new Float64Array(n);
  const taint = method === 'haircut' ? new Float64Array(n * K) : new Float64Array(0);
  const taintSum = new Float64Array(n); // haircut: sum of buckets; poison: 1 when poisoned
  const received = new Float64Array(n);
  const atService = new Float64Array(n);
  const stoppedAt = new Float64Array(n);
  const hopOf = new Int16Array(n).fill(-1);
  for (const s of input.seeds) hopOf[s] = 0;
  const watched = new Map<number, Float64Array>();
  for (const w of input.watch ?? []) watched.set(w, new Float64Array(K + 1));

  const fifo = method === 'fifo' ? new Tapes() : null;
  const init = fifo ? untrackedOpening(g, lo, hi) : null;
  const cumIn = fifo ? new Float64Array(n) : null;
  const cumOut = fifo ? new Float64Array(n) : null;

  const edges: TraceEdge[] = [];
  let edgeTotal = 0;
  const totals: TraceTotals = { start: 0, atServices: 0, held: 0, hopLimit: 0, belowMin: 0, untracked: 0, returned: 0 };
  const movedByHop = new Float64Array(K + 1);
  const pieces: number[] = [];
  const seedTxs = input.seedTxs && input.seedTxs.size > 0 ? input.seedTxs : null;

  // Locals for the hot loop: V8 cannot always hoist property loads across the calls below.
  const src = g.src;
  const dst = g.dst;
  const amount = g.amount;
  const hasWatch = watched.size > 0;
  for (let e = lo; e < hi; e++) {
    const u = src[e]!;
    const v = dst[e]!;
    const a = amount[e]!;
    if (u === v) continue;
    const seedEdge = isSeed[u] === 1 || seedTxs?.has(g.txHash(e));
    let any = false;
    if (seedEdge) {
      if (isSeed[v] !== 1) {
        for (let h = 0; h <= K; h++) movedByHop[h] = 0;
        movedByHop[1] = a;
        totals.start += a;
        any = true;
      }
    } else if (taintSum[u]! > 0 || fifo?.has(u)) {
      for (let h = 0; h <= K; h++) movedByHop[h] = 0;
      if (method === 'poison') {
        movedByHop[Math.min(hopOf[u]! + 1, K)] = a;
        any = true;
      } else if (method === 'haircut') {
        const denom = Math.max(bal[u]!, a);
        const f = a / denom;
        const base = u * K;
        let moved = 0;
        for (let h = 1; h < K; h++) {
          const t = taint[base + h]!;
          if (t > 0) {
            const m = t * f;
            taint[base + h] = t - m;
            movedByHop[h + 1] = m;
            moved += m;
          }
        }
        taintSum[u] = taintSum[u]! - moved;
        if (taintSum[u]! < 1e-9 * denom) taintSum[u] = 0;
        any = moved > 0;
      } else {
        const start = cumOut![u]!;
        pieces.length = 0;
        fifo!.take(
          u,
          start,
          start + a,
          (s0, t0, hop) => {
            movedByHop[Math.min(hop + 1, K)]! += t0 - s0;
            pieces.push(s0 - start, t0 - start, hop + 1);
            any = true;
          },
          true,
        );
      }
    }
    // Balances and tapes move whether or not the transfer carried taint.
    const inStart = fifo ? init![v]! + cumIn![v]! : 0;
    const _outStart = fifo ? cumOut![u]! : 0;
    bal[u] = bal[u]! > a ? bal[u]! - a : 0;
    bal[v]! += a;
    if (fifo) {
      cumOut![u]! += a;
      cumIn![v]! += a;
    }
    if (!any) continue;

    // Taint that has made maxHops hops stops at the address that holds it.
    const beyond = movedByHop[K]!;
    if (beyond > 0) {
      stoppedAt[u]! += beyond;
      totals.hopLimit += method === 'poison' ? 0 : beyond;
      movedByHop[K] = 0;
    }
    let moved = 0;
    let minHop = K;
    for (let h = 1; h < K; h++) {
      if (movedByHop[h]! > 0) {
        moved += movedByHop[h]!;
        if (h < minHop) minHop = h;
      }
    }
    if (moved <= 0) continue;
    if (method !== 'poison' && moved < minAmount) {
      totals.belowMin += moved;
      continue;
    }
    if (method === 'poison' && a < minAmount) continue;
    if (hasWatch) {
      const w = watched.get(v);
      if (w) for (let h = 1; h <= K; h++) w[h]! += movedByHop[h]!;
    }
    if (isSeed[v] === 1) {
      if (method !== 'poison') totals.returned += moved;
      continue;
    }
    edgeTotal++;
    if (edges.length < maxListed) {
      edges.push({
        edge: e,
        txHash: g.txHash(e),
        from: g.addresses[u]!,
        to: g.addresses[v]!,
        tsMs: g.tsMs[e]!,
        amount: g.exactAmount(e),
        tainted: moved,
        hop: minHop,
      });
    }
    received[v]! += moved;
    if (hopOf[v] === -1 || minHop < hopOf[v]!) hopOf[v] = minHop;
    if (roles[v] === ROLE_STOP) {
      atService[v]! += moved;
      totals.atServices += method === 'poison' ? 0 : moved;
      continue;
    }
    if (method === 'poison') {
      if (minHop <= p.maxHops) taintSum[v] = 1;
    } else if (method === 'haircut') {
      const base = v * K;
      for (let h = 1; h < K; h++) {
        if (movedByHop[h]! > 0) taint[base + h]! += movedByHop[h]!;
      }
      taintSum[v]! += moved;
    } else {
      // FIFO: place the tainted pieces on v's tape at the same offsets inside this transfer.
      if (seedEdge) fifo!.push(v, inStart, inStart + a, 1);
      else {
        for (let k = 0; k < pieces.length; k += 3) {
          if (pieces[k + 2]! < K) fifo!.push(v, inStart + pieces[k]!, inStart + pieces[k + 1]!, pieces[k + 2]!);
        }
      }
    }
  }

  // What is still held where.
  const held = new Float64Array(n);
  if (method === 'haircut') {
    for (let v = 0; v < n; v++) if (taintSum[v]! > 0 && isSeed[v] !== 1) held[v] = taintSum[v]!;
  } else if (method === 'fifo') {
    for (const v of fifo!.nodes()) if (isSeed[v] !== 1) held[v] = fifo!.remaining(v, cumOut![v]!);
  } else {
    for (let v = 0; v < n; v++) if (received[v]! > 0 && roles[v] !== ROLE_STOP) held[v] = received[v]!;
  }
  for (let v = 0; v < n; v++) {
    if (method !== 'poison') totals.held += held[v]!;
    if (roles[v] === ROLE_STOP) held[v] = atService[v]!;
    held[v]! += stoppedAt[v]!;
  }
  if (method === 'poison') totals.start = Math.max(totals.start, 0);
  return finish(g, p, input.seeds, edges, edgeTotal, received, held, hopOf, roles, isSeed, totals, watched, maxListed);
}

function traceBackward(input: TraceInput, p: TraceParams): TraceResult {
  const g = input.graph;
  const n = g.nodeCount;
  const K = p.maxHops + 1;
  const roles = input.roles ?? new Uint8Array(n);
  const isSeed = new Uint8Array(n);
  for (const s of input.seeds) isSeed[s] = 1;
  const [lo, hi] = windowRange(g, p);
  const method = p.method;
  const maxListed = p.maxListed ?? 100_000;

  // Inflows per node inside the window; walking back, `inLeft` is what arrived before the current edge.
  const inLeft = new Float64Array(n);
  const outLeft = new Float64Array(n);
  for (let e = lo; e < hi; e++) {
    if (g.src[e] === g.dst[e]) continue;
    inLeft[g.dst[e]!]! += g.amount[e]!;
    outLeft[g.src[e]!]! += g.amount[e]!;
  }
  const init = method === 'fifo' ? untrackedOpening(g, lo, hi) : null;
  const interest = method === 'haircut' ? new Float64Array(n * K) : new Float64Array(0);
  const interestSum = new Float64Array(n);
  const hopOf = new Int16Array(n).fill(-1);
  const received = new Float64Array(n);
  const tapes = method === 'fifo' ? new Tapes() : null;
  const totals: TraceTotals = { start: 0, atServices: 0, held: 0, hopLimit: 0, belowMin: 0, untracked: 0, returned: 0 };
  for (const s of input.seeds) {
    hopOf[s] = 0;
    totals.start += inLeft[s]!;
    if (method === 'haircut') interest[s * K] = inLeft[s]!;
    if (tapes) tapes.push(s, init![s]!, init![s]! + inLeft[s]!, 0);
    interestSum[s] = method === 'poison' ? 1 : inLeft[s]!;
  }
  const edges: TraceEdge[] = [];
  let edgeTotal = 0;
  const atService = new Float64Array(n);
  const stoppedAt = new Float64Array(n);
  const movedByHop = new Float64Array(K + 1);

  for (let e = hi - 1; e >= lo; e--) {
    const u = g.src[e]!;
    const v = g.dst[e]!;
    const a = g.amount[e]!;
    if (u === v) continue;
    const inBefore = inLeft[v]! - a; // inflow to v before this transfer
    const outBefore = outLeft[u]! - a;
    inLeft[v] = inBefore;
    outLeft[u] = outBefore;
    if (interestSum[v]! <= 0 || isSeed[u] === 1) continue;
    if (roles[v] === ROLE_STOP && isSeed[v] !== 1) continue; // funds that came out of a service: not followed
    movedByHop.fill(0);
    let moved = 0;
    if (method === 'poison') {
      movedByHop[Math.min(hopOf[v]! + 1, K)] = a;
      moved = a;
    } else if (method === 'haircut') {
      // Interest beyond the recorded inflows stays at v as untracked (funds from before the data).
      const denom = Math.max(inBefore + a, interestSum[v]!);
      const f = a / denom;
      const base = v * K;
      for (let h = 0; h < K; h++) {
        const t = interest[base + h]!;
        if (t > 0) {
          const m = t * f;
          interest[base + h] = t - m;
          movedByHop[h + 1] = m;
          moved += m;
        }
      }
      interestSum[v] = interestSum[v]! - moved;
    } else {
      const inStart = init![v]! + inBefore;
      tapes!.take(
        v,
        inStart,
        inStart + a,
        (s, t, hop) => {
          movedByHop[Math.min(hop + 1, K)]! += t - s;
          moved += t - s;
          // Same offset inside the transfer on u's out tape, which under FIFO is u's in tape.
          if (hop + 1 < K) tapes!.push(u, outBefore + (s - inStart), outBefore + (t - inStart), hop + 1);
        },
        false,
      );
    }
    const beyond = movedByHop[K]!;
    if (beyond > 0) {
      stoppedAt[v]! += beyond;
      totals.hopLimit += method === 'poison' ? 0 : beyond;
      moved -= beyond;
      movedByHop[K] = 0;
    }
    if (moved <= 0) continue;
    if (method !== 'poison' && moved < p.minAmount) {
      totals.belowMin += moved;
      continue;
    }
    let minHop = K;
    for (let h = 1; h < K; h++) if (movedByHop[h]! > 0 && h < minHop) minHop = h;
    // The same arrival bookkeeping as traceForward, kept inline on purpose: a shared method for it measured about
    // 35 % slower on the 10 M-transfer haircut benchmark (bench/crypto.ts), with identical results.
    edgeTotal++;
    if (edges.length < maxListed) {
      edges.push({
        edge: e,
        txHash: g.txHash(e),
        from: g.addresses[u]!,
        to: g.addresses[v]!,
        tsMs: g.tsMs[e]!,
        amount: g.exactAmount(e),
        tainted: moved,
        hop: minHop,
      });
    }
    received[u]! += moved;
    if (hopOf[u] === -1 || minHop < hopOf[u]!) hopOf[u] = minHop;
    if (roles[u] === ROLE_STOP) {
      atService[u]! += moved;
      totals.atServices += method === 'poison' ? 0 : moved;
      continue;
    }
    if (method === 'poison') {
      if (minHop <= p.maxHops) interestSum[u] = 1;
    } else if (method === 'haircut') {
      const base = u * K;
      for (let h = 1; h < K; h++) {
        if (movedByHop[h]! > 0) {
          interest[base + h]! += movedByHop[h]!;
          interestSum[u]! += movedByHop[h]!;
        }
      }
    } else {
      interestSum[u] = 1;
    }
  }
  // What no earlier inflow explains: it originates at that address (funds from before the window, mining...).
  const held = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (roles[v] === ROLE_STOP && isSeed[v] !== 1) held[v] = atService[v]!;
    else if (method === 'haircut') held[v] = Math.max(interestSum[v]!, 0);
    else if (method === 'fifo') held[v] = tapes!.remaining(v, 0) > 0 ? untrackedPart(tapes!, v, init![v]!) : 0;
    else held[v] = received[v]!;
    if (!(roles[v] === ROLE_STOP && isSeed[v] !== 1) && method !== 'poison') totals.untracked += held[v]!;
    held[v]! += stoppedAt[v]!;
  }
  return finish(
    g,
    p,
    input.seeds,
    edges,
    edgeTotal,
    received,
    held,
    hopOf,
    roles,
    isSeed,
    totals,
    new Map(),
    maxListed,
  );
}

/** FIFO backward: the interest lying in the untracked opening part [0, init) of a node's tape. */
function untrackedPart(t: Tapes, node: number, init: number): number {
  let sum = 0;
  t.take(
    node,
    0,
    init,
    (s, e) => {
      sum += e - s;
    },
    false,
  );
  return sum;
}

function finish(
  g: TransferGraph,
  p: TraceParams,
  seeds: number[],
  edges: TraceEdge[],
  edgeTotal: number,
  received: Float64Array,
  held: Float64Array,
  hopOf: Int16Array,
  roles: Uint8Array,
  isSeed: Uint8Array,
  totals: TraceTotals,
  watched: Map<number, Float64Array>,
  maxListed: number,
): TraceResult {
  const touched: number[] = [];
  for (let v = 0; v < g.nodeCount; v++) if (hopOf[v]! >= 0) touched.push(v);
  let listed = touched;
  if (touched.length > maxListed) {
    // Top maxListed by received + held: a native typed-array sort finds the threshold (a comparator sort of
    // millions of ids would dominate the trace).
    const score = new Float64Array(touched.length);
    for (let i = 0; i < touched.length; i++) score[i] = received[touched[i]!]! + held[touched[i]!]!;
    const sorted = Float64Array.from(score).sort();
    const threshold = sorted[sorted.length - maxListed]!;
    listed = [];
    for (let i = 0; i < touched.length && listed.length < maxListed; i++)
      if (score[i]! > threshold) listed.push(touched[i]!);
    for (let i = 0; i < touched.length && listed.length < maxListed; i++)
      if (score[i] === threshold) listed.push(touched[i]!);
    listed.sort((a, b) => received[b]! + held[b]! - (received[a]! + held[a]!));
  }
  const nodes: TraceNodeInfo[] = listed.map((v) => ({
    node: v,
    address: g.addresses[v]!,
    hop: hopOf[v]!,
    received: received[v]!,
    held: held[v]!,
    role: roles[v]!,
    seed: isSeed[v] === 1,
  }));
  return {
    params: p,
    seeds,
    edges,
    edgeTotal,
    nodes,
    nodeTotal: touched.length,
    totals,
    receivedByNode: received,
    heldByNode: held,
    hopByNode: hopOf,
    watched,
  };
}
