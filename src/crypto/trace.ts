import { InputError } from '../errors.js';
import { roundBaseUnits } from './amounts.js';
import { LIMB_BASE, type TransferGraph } from './graph.js';

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
 * can be frozen (exchanges: role `stop`) and marks mixers and bridges it passes (role `mixer`).
 *
 * Amounts in the result are bigint base units. FIFO (both directions) and forward poison are exact: poison moves
 * whole transfer amounts, FIFO moves exact intervals of each address's tape (integer positions held as limbs, see
 * `Limbs`). Haircut shares are real-valued estimates computed in float64 and rounded to base units (12 significant
 * digits) in the result, as is backward poison.
 *
 * Conservation (forward): what left the seeds ends up somewhere, so
 * `start + poisonedClean = held + atServices + hopLimit + belowMin + returned` (exactly for poison and FIFO, up to
 * rounding for haircut). `held` is what an address received and did not send on (received − sent onwards);
 * `poisonedClean` is poison's own addition: when an address sends on more than the tainted value it received, the
 * poison rule taints its clean funds too, and that excess is counted there (0 for the other methods).
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
  /** Tainted part of it, base units (exact for poison and forward FIFO, a rounded estimate for haircut). */
  tainted: bigint;
  /** Hop of the taint it carried (the smallest, when it carried several). */
  hop: number;
}

export interface TraceNodeInfo {
  node: number;
  address: string;
  /** Smallest hop at which taint reached it (0 for seeds). */
  hop: number;
  /** Tainted value it received (forward) or explained (backward), base units. */
  received: bigint;
  /**
   * Tainted value still there at the end, base units: received − sent onwards (forward; at a service, all it
   * received; plus taint stopped here by the hop limit) or value originating here (backward).
   */
  held: bigint;
  role: number;
  seed: boolean;
}

/** Totals in base units (see the conservation rule above). */
export interface TraceTotals {
  /** Forward: tainted value that left the seeds. Backward: value received by the targets being explained. */
  start: bigint;
  /** Reached a service where the trace stops (exchange...). */
  atServices: bigint;
  /** Still held by ordinary addresses at the end of the window. */
  held: bigint;
  /** Stopped because it had made maxHops hops. */
  hopLimit: bigint;
  /** Dropped because the flow was below minAmount. */
  belowMin: bigint;
  /** Backward only: value from before the data (no recorded inflow explains it). */
  untracked: bigint;
  /** Forward only: tainted value sent back to a seed address (those transfers are listed too). */
  returned: bigint;
  /** Forward poison only: clean funds the poison rule tainted (sent on beyond the tainted value received). */
  poisonedClean: bigint;
}

/** Float totals of the estimating paths, before rounding to base units. */
interface FloatTotals {
  start: number;
  atServices: number;
  held: number;
  hopLimit: number;
  belowMin: number;
  untracked: number;
  returned: number;
}

const ZERO_FLOAT_TOTALS = (): FloatTotals => ({
  start: 0,
  atServices: 0,
  held: 0,
  hopLimit: 0,
  belowMin: 0,
  untracked: 0,
  returned: 0,
});

/** Round float totals to base units. */
export function roundTotals(t: FloatTotals): TraceTotals {
  return {
    start: roundBaseUnits(t.start),
    atServices: roundBaseUnits(t.atServices),
    held: roundBaseUnits(t.held),
    hopLimit: roundBaseUnits(t.hopLimit),
    belowMin: roundBaseUnits(t.belowMin),
    untracked: roundBaseUnits(t.untracked),
    returned: roundBaseUnits(t.returned),
    poisonedClean: 0n,
  };
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
  /** Amounts are exact (forward poison and FIFO); else rounded estimates whose sums are best taken in float. */
  exact: boolean;
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

const LB = LIMB_BASE;
/** Bits of the forward trace's per-node byte. */
const F_SEED = 1;
const F_STOP = 2;
const F_LIVE = 4;

/**
 * Exact per-slot sums in two float64 limbs, value = hi × 2^52 + lo with 0 ≤ lo < 2^52 (hi may be negative): exact
 * integer arithmetic over millions of transfers with no bigint allocated per update (storing a fresh bigint per
 * transfer into long-lived arrays made poison and FIFO 4-6x slower, mostly in the garbage collector). Exact while
 * |hi| < 2^53, i.e. sums below 2^105 base units (4·10^31; all the ether there is is about 1.2·10^26 wei).
 *
 * A slot's two limbs sit side by side, and `Limbs.group` interleaves the slots of several sums per node (FIFO's
 * out and in positions and untracked opening, poison's received and sent): the traces touch a random node per
 * transfer, and one cache line per node instead of one per limb array is what keeps exact sums at float speed.
 */
class Limbs {
  readonly x: Float64Array;
  private readonly stride: number;
  private readonly off: number;
  constructor(n: number, x?: Float64Array, stride = 2, off = 0) {
    this.x = x ?? new Float64Array(2 * n);
    this.stride = stride;
    this.off = off;
  }
  /** `count` sums over `n` slots in one buffer, slot i of sum j at i × 2·count + 2j. */
  static group(n: number, count: number): Limbs[] {
    const x = new Float64Array(2 * count * n);
    return Array.from({ length: count }, (_, j) => new Limbs(n, x, 2 * count, 2 * j));
  }
  hi(i: number): number {
    return this.x[i * this.stride + this.off]!;
  }
  lo(i: number): number {
    return this.x[i * this.stride + this.off + 1]!;
  }
  /** As a float (for ranking and exposure figures). */
  float(i: number): number {
    const k = i * this.stride + this.off;
    return this.x[k]! * LB + this.x[k + 1]!;
  }
  set(i: number, h: number, l: number): void {
    const k = i * this.stride + this.off;
    this.x[k] = h;
    this.x[k + 1] = l;
  }
  add(i: number, h: number, l: number): void {
    const x = this.x;
    const k = i * this.stride + this.off;
    let lo = x[k + 1]! + l;
    let hi = x[k]! + h;
    if (lo >= LB) {
      lo -= LB;
      hi += 1;
    }
    x[k] = hi;
    x[k + 1] = lo;
    if (hi >= LB || hi <= -LB) limbOverflow();
  }
  sub(i: number, h: number, l: number): void {
    const x = this.x;
    const k = i * this.stride + this.off;
    let lo = x[k + 1]! - l;
    let hi = x[k]! - h;
    if (lo < 0) {
      lo += LB;
      hi -= 1;
    }
    x[k] = hi;
    x[k + 1] = lo;
    if (hi >= LB || hi <= -LB) limbOverflow();
  }
  big(i: number): bigint {
    return limbsToBig(this.hi(i), this.lo(i));
  }
  isZero(i: number): boolean {
    return this.hi(i) === 0 && this.lo(i) === 0;
  }
}

function limbOverflow(): never {
  throw new InputError(
    'trace: an address moved more than 4·10^31 base units in the window, beyond exact poison/FIFO sums; use haircut',
  );
}

/**
 * Untracked funds each address must have held before the window for its outflows to add up (FIFO tapes, both
 * directions): per node the largest deficit of outflows over inflows, in limbs, written to `init`. They sit first
 * on its tape. Net flow and deficit of a node share one record [net hi, lo, deficit hi, lo] (one cache line per
 * transfer end).
 */
function untrackedOpeningExact(g: TransferGraph, lo: number, hi: number, init: Limbs): void {
  const n = g.nodeCount;
  const r = new Float64Array(4 * n);
  const { hi: aH, lo: aL } = g.exactLimbs();
  const src = g.src;
  const dst = g.dst;
  for (let e = lo; e < hi; e++) {
    const u = src[e]!;
    const v = dst[e]!;
    if (u === v) continue;
    const h = aH[e]!;
    const l = aL[e]!;
    // net[u] −= amount
    const ku = 4 * u;
    let nl = r[ku + 1]! - l;
    let nh = r[ku]! - h;
    if (nl < 0) {
      nl += LB;
      nh -= 1;
    }
    if (nh <= -LB) limbOverflow();
    r[ku] = nh;
    r[ku + 1] = nl;
    // −net[u] as limbs, compared with the deficit so far.
    const negH = nl === 0 ? -nh : -nh - 1;
    const negL = nl === 0 ? 0 : LB - nl;
    const dH = r[ku + 2]!;
    if (negH > dH || (negH === dH && negL > r[ku + 3]!)) {
      r[ku + 2] = negH;
      r[ku + 3] = negL;
    }
    // net[v] += amount
    const kv = 4 * v;
    let vl = r[kv + 1]! + l;
    let vh = r[kv]! + h;
    if (vl >= LB) {
      vl -= LB;
      vh += 1;
    }
    if (vh >= LB) limbOverflow();
    r[kv] = vh;
    r[kv + 1] = vl;
  }
  for (let v = 0; v < n; v++) init.set(v, r[4 * v + 2]!, r[4 * v + 3]!);
}

/**
 * FIFO tapes with exact positions in limbs (hi × 2^52 + lo, see `Limbs`): per node, tainted intervals [start, end)
 * with their hop, kept in start order. No bigint: positions and lengths are pairs of float64 integers.
 */
class LimbTapes {
  /** Per node: index of its record list in `lists`, or −1 (no Map lookup per transfer). */
  private readonly slot: Int32Array;
  private readonly lists: number[][] = []; // flat [sH, sL, eH, eL, hop] records
  private readonly order: number[] = []; // nodes in the order their tapes began
  private readonly heads: Int32Array;

  constructor(n: number) {
    this.slot = new Int32Array(n).fill(-1);
    this.heads = new Int32Array(n);
  }

  push(node: number, sH: number, sL: number, eH: number, eL: number, hop: number): void {
    const i = this.slot[node]!;
    if (i >= 0) this.lists[i]!.push(sH, sL, eH, eL, hop);
    else {
      this.slot[node] = this.lists.length;
      this.lists.push([sH, sL, eH, eL, hop]);
      this.order.push(node);
    }
  }

  has(node: number): boolean {
    return this.slot[node]! >= 0;
  }

  private list(node: number): number[] | undefined {
    const i = this.slot[node]!;
    return i >= 0 ? this.lists[i] : undefined;
  }

  /**
   * Call fn(aH, aL, bH, bL, hop) for each tainted piece inside [start, end). With `consume` (forward FIFO, where
   * out positions only grow) start at the node's head, drop for good the intervals that end at or before `start`
   * and stop at the first that starts at or after the end; without (backward traces push intervals out of order)
   * read them all and consume nothing.
   */
  pieces(
    node: number,
    stH: number,
    stL: number,
    enH: number,
    enL: number,
    consume: boolean,
    fn: (aH: number, aL: number, bH: number, bL: number, hop: number) => void,
  ): void {
    const l = this.list(node);
    if (!l) return;
    let k = 0;
    if (consume) {
      k = this.heads[node]!;
      while (k < l.length && lte(l[k + 2]!, l[k + 3]!, stH, stL)) k += 5;
      this.heads[node] = k;
    }
    for (; k < l.length; k += 5) {
      const sH = l[k]!;
      const sL = l[k + 1]!;
      if (consume && lte(enH, enL, sH, sL)) break; // starts at or after the end
      const eH = l[k + 2]!;
      const eL = l[k + 3]!;
      const startFirst = lte(sH, sL, stH, stL);
      const aH = startFirst ? stH : sH;
      const aL = startFirst ? stL : sL;
      const endFirst = lte(eH, eL, enH, enL);
      const bH = endFirst ? eH : enH;
      const bL = endFirst ? eL : enL;
      if (!lte(bH, bL, aH, aL)) fn(aH, aL, bH, bL, l[k + 4]!);
    }
  }

  /** Tainted length still on a node's tape from `from` on, added to slot `slot` of `out`. */
  remaining(node: number, fH: number, fL: number, out: Limbs, slot: number): void {
    const l = this.list(node);
    if (!l) return;
    for (let k = this.heads[node]!; k < l.length; k += 5) {
      const startFirst = lte(l[k]!, l[k + 1]!, fH, fL);
      const aH = startFirst ? fH : l[k]!;
      const aL = startFirst ? fL : l[k + 1]!;
      const eH = l[k + 2]!;
      const eL = l[k + 3]!;
      if (lte(eH, eL, aH, aL)) continue;
      out.add(slot, eH - aH - (eL < aL ? 1 : 0), eL < aL ? eL - aL + LB : eL - aL);
    }
  }

  nodes(): readonly number[] {
    return this.order;
  }
}

/** (aH, aL) ≤ (bH, bL) for limb pairs. */
function lte(aH: number, aL: number, bH: number, bL: number): boolean {
  return aH < bH || (aH === bH && aL <= bL);
}

/** Difference of limb pairs (a − b ≥ 0) into `out[0]`, `out[1]`. */
function limbSub(aH: number, aL: number, bH: number, bL: number, out: Float64Array): void {
  let l = aL - bL;
  let h = aH - bH;
  if (l < 0) {
    l += LB;
    h -= 1;
  }
  out[0] = h;
  out[1] = l;
}

/** Sum of limb pairs into `out[0]`, `out[1]`. */
function limbAdd(aH: number, aL: number, bH: number, bL: number, out: Float64Array): void {
  let l = aL + bL;
  let h = aH + bH;
  if (l >= LB) {
    l -= LB;
    h += 1;
  }
  out[0] = h;
  out[1] = l;
}

const limbsToBig = (h: number, l: number): bigint => (h === 0 ? BigInt(l) : (BigInt(h) << 52n) + BigInt(l));

/**
 * Sums of the tainted pieces one transfer takes from a FIFO tape (both directions): what moves on (its hop after
 * this transfer is below the limit) and what the hop limit stops, in limbs, plus the moved value by hop in float
 * (ranking and exposure).
 */
class PieceSums {
  mH = 0;
  mL = 0;
  bH = 0;
  bL = 0;
  private readonly K: number;
  private readonly byHop: Float64Array;
  constructor(K: number, byHop: Float64Array) {
    this.K = K;
    this.byHop = byHop;
  }
  reset(): void {
    this.mH = 0;
    this.mL = 0;
    this.bH = 0;
    this.bL = 0;
  }
  /** Count the piece [a, b) that arrived at hop `hop`; returns its hop after this transfer. */
  add(aH: number, aL: number, bH: number, bL: number, hop: number): number {
    let dL = bL - aL;
    let dH = bH - aH;
    if (dL < 0) {
      dL += LB;
      dH -= 1;
    }
    const h = hop + 1;
    const beyond = h >= this.K;
    let l = (beyond ? this.bL : this.mL) + dL;
    let t = (beyond ? this.bH : this.mH) + dH;
    if (l >= LB) {
      l -= LB;
      t += 1;
    }
    if (beyond) {
      this.bH = t;
      this.bL = l;
    } else {
      this.mH = t;
      this.mL = l;
    }
    this.byHop[Math.min(h, this.K)]! += dH * LB + dL;
    return h;
  }
}

/**
 * Haircut: move the share `f` of each hop bucket x[base + h] (from ≤ h < to) one hop on, into byHop[h + 1];
 * returns the total moved.
 */
function moveShare(x: Float64Array, base: number, from: number, to: number, f: number, byHop: Float64Array): number {
  let moved = 0;
  for (let h = from; h < to; h++) {
    const t = x[base + h]!;
    if (t > 0) {
      const m = t * f;
      x[base + h] = t - m;
      byHop[h + 1] = m;
      moved += m;
    }
  }
  return moved;
}

/** A listed tainted transfer e from node u to node v. */
function listedEdge(
  g: TransferGraph,
  e: number,
  u: number,
  v: number,
  amount: bigint,
  tainted: bigint,
  hop: number,
): TraceEdge {
  const [from, to] = [g.addresses[u]!, g.addresses[v]!];
  return { edge: e, txHash: g.txHash(e), from, to, tsMs: g.tsMs[e]!, amount, tainted, hop };
}

function traceForward(input: TraceInput, p: TraceParams): TraceResult {
  const g = input.graph;
  const n = g.nodeCount;
  const K = p.maxHops + 1; // hop buckets 0..maxHops (0 unused except by seeds)
  const roles = input.roles ?? new Uint8Array(n);
  const isSeed = new Uint8Array(n);
  for (const s of input.seeds) isSeed[s] = 1;
  // What the hot loop asks of a node per transfer (seed, service, live) in one byte: one cache line, not three.
  const flag = new Uint8Array(n);
  for (let v = 0; v < n; v++) flag[v] = (isSeed[v] === 1 ? F_SEED : 0) | (roles[v] === ROLE_STOP ? F_STOP : 0);
  const [lo, hi] = windowRange(g, p);
  const method = p.method;
  const poison = method === 'poison';
  const haircut = method === 'haircut';
  const exact = !haircut; // poison and FIFO move exact base units
  const minAmount = p.minAmount;
  const maxListed = p.maxListed ?? 100_000;

  // Float state: haircut's arithmetic, and for every method the per-node figures used for ranking and exposure.
  // Haircut: one record per node, [balance, tainted value by hop 1..K−1, their sum] (S = K + 1 floats, one cache
  // line at the default 6 hops): a transfer reads its sender's and receiver's record, not three scattered arrays.
  const S = K + 1;
  const BAL = 0;
  const SUM = K;
  const rec = haircut ? new Float64Array(n * S) : new Float64Array(0);
  // Poison: F_LIVE once poisoned; FIFO: F_LIVE once its tape holds taint (in `flag`).
  const received = new Float64Array(n);
  const atService = new Float64Array(n);
  const stoppedAt = new Float64Array(n);
  const hopOf = new Int16Array(n).fill(-1);
  for (const s of input.seeds) hopOf[s] = 0;
  const watched = new Map<number, Float64Array>();
  for (const w of input.watch ?? []) watched.set(w, new Float64Array(K + 1));

  // Exact state (poison, FIFO): per-node sums in limbs (interleaved per node, see `Limbs.group`), totals in limb
  // slots. FIFO: out and in positions, untracked opening and received; poison: received and sent on.
  const limbs = exact ? g.exactLimbs() : null;
  const fifoMode = method === 'fifo';
  const [cumOut, cumIn, init, recvF] = Limbs.group(fifoMode ? n : 0, 4) as [Limbs, Limbs, Limbs, Limbs];
  // Poison: one 64-byte record per node, [received, sent on, stopped by the hop limit] in limbs and received and
  // stopped as floats: a tainted transfer touches one record at each end (the floats are copied out at the end).
  const [recvP, sentX, stopP, floatP] = Limbs.group(poison ? n : 0, 4) as [Limbs, Limbs, Limbs, Limbs];
  const pf = floatP.x;
  const recvX = fifoMode ? recvF : recvP;
  const stopX = poison ? stopP : new Limbs(fifoMode ? n : 0);
  const svcX = new Limbs(exact ? n : 0);
  const T_START = 0;
  const T_SVC = 1;
  const T_HOP = 2;
  const T_BELOW = 3;
  const T_RET = 4;
  const tx = new Limbs(5);

  const fifo = fifoMode ? new LimbTapes(n) : null;
  if (fifo) untrackedOpeningExact(g, lo, hi, init);

  const edges: TraceEdge[] = [];
  let edgeTotal = 0;
  const ft = ZERO_FLOAT_TOTALS();
  const movedByHop = new Float64Array(K + 1);
  const pieces: number[] = []; // FIFO: flat [offset start H, L, offset end H, L, hop] inside the transfer
  const seedTxs = input.seedTxs && input.seedTxs.size > 0 ? input.seedTxs : null;

  // Locals for the hot loop: V8 cannot always hoist property loads across the calls below.
  const src = g.src;
  const dst = g.dst;
  const amount = g.amount;
  const aH = limbs?.hi ?? new Float64Array(0);
  const aL = limbs?.lo ?? new Float64Array(0);
  const hasWatch = watched.size > 0;
  // FIFO per-transfer state in limbs, one object for the whole pass (no closure, no bigint per iteration).
  const fs = { stH: 0, stL: 0, inH: 0, inL: 0, any: false };
  const sums = new PieceSums(K, movedByHop);
  const tmp = new Float64Array(2);
  const tmp2 = new Float64Array(2);
  const onPiece = (aH: number, aL: number, bH: number, bL: number, hop: number): void => {
    const h = sums.add(aH, aL, bH, bL, hop);
    limbSub(aH, aL, fs.stH, fs.stL, tmp);
    limbSub(bH, bL, fs.stH, fs.stL, tmp2);
    pieces.push(tmp[0]!, tmp[1]!, tmp2[0]!, tmp2[1]!, h);
    fs.any = true;
  };
  for (let e = lo; e < hi; e++) {
    const u = src[e]!;
    const v = dst[e]!;
    const a = amount[e]!;
    if (u === v) continue;
    const fu = flag[u]!;
    const seedEdge = (fu & F_SEED) !== 0 || seedTxs?.has(g.txHash(e)) === true;
    let any = false;
    let ph = K; // poison: the hop bucket of this transfer
    if (seedEdge) {
      if ((flag[v]! & F_SEED) === 0) {
        if (!poison) {
          for (let h = 0; h <= K; h++) movedByHop[h] = 0;
          movedByHop[1] = a;
        }
        ph = 1;
        ft.start += a;
        any = true;
        if (fifo) {
          sums.mH = aH[e]!;
          sums.mL = aL[e]!;
          sums.bH = 0;
          sums.bL = 0;
        }
      }
    } else if (haircut ? rec[u * S + SUM]! > 0 : (fu & F_LIVE) !== 0) {
      if (poison) {
        ph = Math.min(hopOf[u]! + 1, K);
        any = true;
      } else if (haircut) {
        for (let h = 0; h <= K; h++) movedByHop[h] = 0;
        const base = u * S;
        const denom = Math.max(rec[base + BAL]!, a);
        const moved = moveShare(rec, base, 1, K, a / denom, movedByHop);
        const left = rec[base + SUM]! - moved;
        rec[base + SUM] = left < 1e-9 * denom ? 0 : left;
        any = moved > 0;
      } else {
        for (let h = 0; h <= K; h++) movedByHop[h] = 0;
        fs.stH = cumOut.hi(u);
        fs.stL = cumOut.lo(u);
        sums.reset();
        fs.any = false;
        pieces.length = 0;
        limbAdd(fs.stH, fs.stL, aH[e]!, aL[e]!, tmp2);
        fifo!.pieces(u, fs.stH, fs.stL, tmp2[0]!, tmp2[1]!, true, onPiece);
        any = fs.any;
      }
    }
    // Balances and tapes move whether or not the transfer carried taint.
    if (fifo) {
      if (any) {
        limbAdd(init.hi(v), init.lo(v), cumIn.hi(v), cumIn.lo(v), tmp);
        fs.inH = tmp[0]!;
        fs.inL = tmp[1]!;
      }
      cumOut.add(u, aH[e]!, aL[e]!);
      cumIn.add(v, aH[e]!, aL[e]!);
    } else if (haircut) {
      const bu = u * S + BAL;
      rec[bu] = rec[bu]! > a ? rec[bu]! - a : 0;
      rec[v * S + BAL]! += a;
    }
    if (!any) continue;

    // Taint that has made maxHops hops stops at the address that holds it.
    let moved = 0;
    let minHop = K;
    if (poison) {
      // The whole transfer moves at one hop: no per-hop buckets unless exposure asks for them.
      if (ph >= K) {
        ft.hopLimit += a;
        pf[8 * u + 7]! += a;
        stopX.add(u, aH[e]!, aL[e]!);
        tx.add(T_HOP, aH[e]!, aL[e]!);
        continue;
      }
      moved = a;
      minHop = ph;
      if (hasWatch) {
        movedByHop.fill(0);
        movedByHop[ph] = a;
      }
    } else {
      const beyond = movedByHop[K]!;
      if (beyond > 0) {
        stoppedAt[u]! += beyond;
        ft.hopLimit += beyond;
        movedByHop[K] = 0;
        if (fifo) {
          stopX.add(u, sums.bH, sums.bL);
          tx.add(T_HOP, sums.bH, sums.bL);
        }
      }
      for (let h = 1; h < K; h++) {
        if (movedByHop[h]! > 0) {
          moved += movedByHop[h]!;
          if (h < minHop) minHop = h;
        }
      }
    }
    if (moved <= 0) continue;
    // Exact amount moved (poison: the transfer; FIFO: its tainted pieces), as limbs and, when listed, a bigint.
    let mH = 0;
    let mL = 0;
    if (poison) {
      mH = aH[e]!;
      mL = aL[e]!;
      if (seedEdge) tx.add(T_START, mH, mL);
      else sentX.add(u, mH, mL);
    } else if (fifo) {
      mH = sums.mH;
      mL = sums.mL;
      if (seedEdge) tx.add(T_START, mH, mL);
    }
    if (poison ? a < minAmount : moved < minAmount) {
      ft.belowMin += moved;
      if (exact) tx.add(T_BELOW, mH, mL);
      continue;
    }
    if (hasWatch) {
      const w = watched.get(v);
      if (w) for (let h = 1; h <= K; h++) w[h]! += movedByHop[h]!;
    }
    edgeTotal++;
    if (edges.length < maxListed) {
      const amountX = g.exactAmount(e);
      const tainted = poison ? amountX : fifo ? limbsToBig(mH, mL) : roundBaseUnits(moved);
      edges.push(listedEdge(g, e, u, v, amountX, tainted, minHop));
    }
    if (poison) pf[8 * v + 6]! += moved;
    else received[v]! += moved;
    if (exact) recvX.add(v, mH, mL);
    const fv = flag[v]!;
    if ((fv & F_SEED) !== 0) {
      // Back to where it started: listed (the transfer is shown), counted as returned, not followed again.
      ft.returned += moved;
      if (exact) tx.add(T_RET, mH, mL);
      continue;
    }
    if (hopOf[v] === -1 || minHop < hopOf[v]!) hopOf[v] = minHop;
    if ((fv & F_STOP) !== 0) {
      atService[v]! += moved;
      ft.atServices += moved;
      if (exact) {
        svcX.add(v, mH, mL);
        tx.add(T_SVC, mH, mL);
      }
      continue;
    }
    if (poison) {
      flag[v] = fv | F_LIVE;
    } else if (haircut) {
      const base = v * S;
      for (let h = 1; h < K; h++) {
        if (movedByHop[h]! > 0) rec[base + h]! += movedByHop[h]!;
      }
      rec[base + SUM]! += moved;
    } else if (seedEdge) {
      // FIFO: the whole transfer is tainted at hop 1.
      limbAdd(fs.inH, fs.inL, aH[e]!, aL[e]!, tmp);
      fifo!.push(v, fs.inH, fs.inL, tmp[0]!, tmp[1]!, 1);
      flag[v] = fv | F_LIVE;
    } else {
      // FIFO: place the tainted pieces on v's tape at the same offsets inside this transfer.
      for (let k = 0; k < pieces.length; k += 5) {
        if (pieces[k + 4]! >= K) continue;
        limbAdd(fs.inH, fs.inL, pieces[k]!, pieces[k + 1]!, tmp);
        limbAdd(fs.inH, fs.inL, pieces[k + 2]!, pieces[k + 3]!, tmp2);
        fifo!.push(v, tmp[0]!, tmp[1]!, tmp2[0]!, tmp2[1]!, pieces[k + 4]!);
        flag[v] = fv | F_LIVE;
      }
    }
  }

  if (poison) {
    for (let v = 0; v < n; v++) {
      received[v] = pf[8 * v + 6]!;
      stoppedAt[v] = pf[8 * v + 7]!;
    }
  }
  // What is still held where: received − sent onwards (forward), at services all they received, plus taint
  // stopped by the hop limit.
  const held = new Float64Array(n);
  const out: Outcome = { g, p, seeds: input.seeds, edges, edgeTotal, received, held, hopOf, roles, isSeed, watched };
  if (haircut) {
    for (let v = 0; v < n; v++) {
      const sum = rec[v * S + SUM]!;
      if (sum > 0 && isSeed[v] !== 1) held[v] = sum;
      ft.held += held[v]!;
      if (roles[v] === ROLE_STOP) held[v] = atService[v]!;
      held[v]! += stoppedAt[v]!;
    }
    return finish(out, roundTotals(ft), null);
  }
  // Exact methods: what an ordinary address keeps (limbs), and poison's tainted clean funds.
  const keep = new Limbs(n);
  const totalsX = new Limbs(2); // 0: held, 1: poisonedClean
  if (fifo) {
    for (const v of fifo.nodes()) {
      if (isSeed[v] === 1) continue;
      fifo.remaining(v, cumOut.hi(v), cumOut.lo(v), keep, v);
      totalsX.add(0, keep.hi(v), keep.lo(v));
    }
  } else {
    for (let v = 0; v < n; v++) {
      if (isSeed[v] === 1 || roles[v] === ROLE_STOP || hopOf[v]! < 0) continue;
      // d = received − sent onwards − stopped by the hop limit, in limbs.
      keep.add(v, recvX.hi(v), recvX.lo(v));
      keep.sub(v, sentX.hi(v), sentX.lo(v));
      keep.sub(v, stopX.hi(v), stopX.lo(v));
      if (keep.hi(v) < 0) {
        totalsX.sub(1, keep.hi(v), keep.lo(v));
        keep.set(v, 0, 0);
      } else totalsX.add(0, keep.hi(v), keep.lo(v));
    }
  }
  // Shown per address: at a service all it received, elsewhere what it keeps; plus what the hop limit stopped.
  const shown = new Limbs(n);
  for (let v = 0; v < n; v++) {
    if (hopOf[v]! < 0) continue;
    if (roles[v] === ROLE_STOP && isSeed[v] !== 1) shown.add(v, svcX.hi(v), svcX.lo(v));
    else shown.add(v, keep.hi(v), keep.lo(v));
    shown.add(v, stopX.hi(v), stopX.lo(v));
    held[v] = shown.float(v);
  }
  const totals: TraceTotals = {
    start: tx.big(T_START),
    atServices: tx.big(T_SVC),
    held: totalsX.big(0),
    hopLimit: tx.big(T_HOP),
    belowMin: tx.big(T_BELOW),
    untracked: 0n,
    returned: tx.big(T_RET),
    poisonedClean: totalsX.big(1),
  };
  return finish(out, totals, { received: (v) => recvX.big(v), held: (v) => shown.big(v) });
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
  // FIFO: exact tapes in limbs (inflows left, untracked openings, positions), like forward FIFO.
  const fifoX = method === 'fifo';
  const limbs = fifoX ? g.exactLimbs() : null;
  const aH = limbs?.hi ?? new Float64Array(0);
  const aL = limbs?.lo ?? new Float64Array(0);
  const nx = fifoX ? n : 0;
  // Per node: inflows left, outflows left, untracked opening (one cache line per transfer end, see Limbs.group).
  const [inLeftX, outLeftX, initX] = Limbs.group(nx, 3) as [Limbs, Limbs, Limbs];
  if (fifoX) {
    for (let e = lo; e < hi; e++) {
      if (g.src[e] === g.dst[e]) continue;
      inLeftX.add(g.dst[e]!, aH[e]!, aL[e]!);
      outLeftX.add(g.src[e]!, aH[e]!, aL[e]!);
    }
  }
  if (fifoX) untrackedOpeningExact(g, lo, hi, initX);
  const tapesX = fifoX ? new LimbTapes(n) : null;
  const recvX = new Limbs(nx);
  const svcX = new Limbs(nx);
  const stopX = new Limbs(nx);
  const tx = new Limbs(5); // start, atServices, hopLimit, belowMin, untracked
  const bs = { inH: 0, inL: 0, obH: 0, obL: 0, u: 0 };
  const tmp = new Float64Array(2);
  const tmp2 = new Float64Array(2);
  const onPieceBack = (pH: number, pL: number, qH: number, qL: number, hop: number): void => {
    const h = sums.add(pH, pL, qH, qL, hop);
    if (h < K) {
      // Same offset inside the transfer on u's out tape, which under FIFO is u's in tape.
      limbSub(pH, pL, bs.inH, bs.inL, tmp);
      limbAdd(bs.obH, bs.obL, tmp[0]!, tmp[1]!, tmp);
      limbSub(qH, qL, bs.inH, bs.inL, tmp2);
      limbAdd(bs.obH, bs.obL, tmp2[0]!, tmp2[1]!, tmp2);
      tapesX!.push(bs.u, tmp[0]!, tmp[1]!, tmp2[0]!, tmp2[1]!, h);
    }
  };
  const interest = method === 'haircut' ? new Float64Array(n * K) : new Float64Array(0);
  const interestSum = new Float64Array(n);
  const hopOf = new Int16Array(n).fill(-1);
  const received = new Float64Array(n);
  const totals = ZERO_FLOAT_TOTALS();
  for (const s of input.seeds) {
    hopOf[s] = 0;
    totals.start += inLeft[s]!;
    if (method === 'haircut') interest[s * K] = inLeft[s]!;
    if (fifoX) {
      limbAdd(initX.hi(s), initX.lo(s), inLeftX.hi(s), inLeftX.lo(s), tmp);
      tapesX!.push(s, initX.hi(s), initX.lo(s), tmp[0]!, tmp[1]!, 0);
      tx.add(0, inLeftX.hi(s), inLeftX.lo(s));
    }
    interestSum[s] = method === 'poison' ? 1 : inLeft[s]!;
  }
  const edges: TraceEdge[] = [];
  let edgeTotal = 0;
  const atService = new Float64Array(n);
  const stoppedAt = new Float64Array(n);
  const movedByHop = new Float64Array(K + 1);
  const sums = new PieceSums(K, movedByHop);

  for (let e = hi - 1; e >= lo; e--) {
    const u = g.src[e]!;
    const v = g.dst[e]!;
    const a = g.amount[e]!;
    if (u === v) continue;
    const inBefore = inLeft[v]! - a; // inflow to v before this transfer
    const outBefore = outLeft[u]! - a;
    inLeft[v] = inBefore;
    outLeft[u] = outBefore;
    if (fifoX) {
      inLeftX.sub(v, aH[e]!, aL[e]!);
      outLeftX.sub(u, aH[e]!, aL[e]!);
    }
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
      moved = moveShare(interest, v * K, 0, K, a / denom, movedByHop);
      interestSum[v] = interestSum[v]! - moved;
    } else {
      // v's in-tape slice of this transfer: [init + inflows before it, + amount).
      limbAdd(initX.hi(v), initX.lo(v), inLeftX.hi(v), inLeftX.lo(v), tmp);
      bs.inH = tmp[0]!;
      bs.inL = tmp[1]!;
      bs.obH = outLeftX.hi(u);
      bs.obL = outLeftX.lo(u);
      bs.u = u;
      sums.reset();
      limbAdd(bs.inH, bs.inL, aH[e]!, aL[e]!, tmp2);
      tapesX!.pieces(v, bs.inH, bs.inL, tmp2[0]!, tmp2[1]!, false, onPieceBack);
      moved = sums.mH * LB + sums.mL + (sums.bH * LB + sums.bL);
    }
    const beyond = movedByHop[K]!;
    if (beyond > 0) {
      stoppedAt[v]! += beyond;
      totals.hopLimit += method === 'poison' ? 0 : beyond;
      moved -= beyond;
      movedByHop[K] = 0;
      if (fifoX) {
        stopX.add(v, sums.bH, sums.bL);
        tx.add(2, sums.bH, sums.bL);
      }
    }
    if (moved <= 0 || (fifoX && sums.mH === 0 && sums.mL === 0)) continue;
    if (method !== 'poison' && moved < p.minAmount) {
      totals.belowMin += moved;
      if (fifoX) tx.add(3, sums.mH, sums.mL);
      continue;
    }
    let minHop = K;
    for (let h = 1; h < K; h++) if (movedByHop[h]! > 0 && h < minHop) minHop = h;
    // The same arrival bookkeeping as traceForward, kept inline on purpose: a shared method for it measured about
    // 35 % slower on the 10 M-transfer haircut benchmark (bench/crypto.ts), with identical results.
    edgeTotal++;
    if (edges.length < maxListed) {
      const tainted = fifoX ? limbsToBig(sums.mH, sums.mL) : roundBaseUnits(moved);
      edges.push(listedEdge(g, e, u, v, g.exactAmount(e), tainted, minHop));
    }
    received[u]! += moved;
    if (fifoX) recvX.add(u, sums.mH, sums.mL);
    if (hopOf[u] === -1 || minHop < hopOf[u]!) hopOf[u] = minHop;
    if (roles[u] === ROLE_STOP) {
      atService[u]! += moved;
      totals.atServices += method === 'poison' ? 0 : moved;
      if (fifoX) {
        svcX.add(u, sums.mH, sums.mL);
        tx.add(1, sums.mH, sums.mL);
      }
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
  const out: Outcome = { g, p, seeds: input.seeds, edges, edgeTotal, received, held, hopOf, roles, isSeed };
  if (fifoX) {
    // Exact: at a service what it sent; elsewhere the interest in the untracked opening [0, init) of its tape.
    const shown = new Limbs(n);
    for (let v = 0; v < n; v++) {
      if (hopOf[v]! < 0) continue;
      if (roles[v] === ROLE_STOP && isSeed[v] !== 1) shown.add(v, svcX.hi(v), svcX.lo(v));
      else {
        tapesX!.pieces(v, 0, 0, initX.hi(v), initX.lo(v), false, (pH, pL, qH, qL) => {
          limbSub(qH, qL, pH, pL, tmp);
          shown.add(v, tmp[0]!, tmp[1]!);
          tx.add(4, tmp[0]!, tmp[1]!);
        });
      }
      shown.add(v, stopX.hi(v), stopX.lo(v));
      held[v] = shown.float(v);
    }
    const totalsX: TraceTotals = {
      start: tx.big(0),
      atServices: tx.big(1),
      held: 0n,
      hopLimit: tx.big(2),
      belowMin: tx.big(3),
      untracked: tx.big(4),
      returned: 0n,
      poisonedClean: 0n,
    };
    return finish(out, totalsX, { received: (v) => recvX.big(v), held: (v) => shown.big(v) });
  }
  for (let v = 0; v < n; v++) {
    if (roles[v] === ROLE_STOP && isSeed[v] !== 1) held[v] = atService[v]!;
    else if (method === 'haircut') held[v] = Math.max(interestSum[v]!, 0);
    else held[v] = received[v]!;
    if (!(roles[v] === ROLE_STOP && isSeed[v] !== 1) && method !== 'poison') totals.untracked += held[v]!;
    held[v]! += stoppedAt[v]!;
  }
  return finish(out, roundTotals(totals), null);
}

/** What a trace pass leaves for `finish` (per-node figures are indexed by node id). */
interface Outcome {
  g: TransferGraph;
  p: TraceParams;
  seeds: number[];
  edges: TraceEdge[];
  edgeTotal: number;
  received: Float64Array;
  held: Float64Array;
  hopOf: Int16Array;
  roles: Uint8Array;
  isSeed: Uint8Array;
  /** Forward with `watch` nodes only. */
  watched?: Map<number, Float64Array>;
}

function finish(
  o: Outcome,
  totals: TraceTotals,
  /** Exact per-node figures when the method has them (forward poison and FIFO); else the floats are rounded. */
  exactNodes: { received: (v: number) => bigint; held: (v: number) => bigint } | null,
): TraceResult {
  const { g, p, seeds, edges, edgeTotal, received, held, hopOf, roles, isSeed } = o;
  const maxListed = p.maxListed ?? 100_000;
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
    received: exactNodes ? exactNodes.received(v) : roundBaseUnits(received[v]!),
    held: exactNodes ? exactNodes.held(v) : roundBaseUnits(held[v]!),
    role: roles[v]!,
    seed: isSeed[v] === 1,
  }));
  return {
    params: p,
    seeds,
    edges,
    edgeTotal,
    exact: exactNodes !== null,
    nodes,
    nodeTotal: touched.length,
    totals,
    receivedByNode: received,
    heldByNode: held,
    hopByNode: hopOf,
    watched: o.watched ?? new Map(),
  };
}
