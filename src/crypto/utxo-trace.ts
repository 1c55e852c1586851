import { InputError } from '../errors.js';
import { roundBaseUnits } from './amounts.js';
import type { UtxoTx } from './model.js';
import { ROLE_NONE, ROLE_STOP, type TraceEdge, type TraceParams, type TraceResult } from './trace.js';

/**
 * Forward taint over Bitcoin-like transactions at the level of outputs (UTXO), the way the methods are defined:
 * a transaction mixes its inputs and pays its outputs, and the method decides which outputs carry the taint.
 *
 * - poison: any tainted input taints every output in full;
 * - haircut: each output carries the transaction's tainted share (tainted input value / input value);
 * - fifo (Anderson et al., "Bitcoin Redux"): inputs laid end to end in order, outputs likewise; an output is
 *   tainted where its range overlaps tainted input ranges; the fee (the tail) takes what is left.
 *
 * Seeds: outputs paid to a seed address are the starting taint (hop 0); seed transactions taint all their
 * outputs (hop 1). Outputs paid to a service (role stop) absorb their taint; taint beyond maxHops or below
 * minAmount is not followed. Amounts are satoshi as float64 (exact below 2^53).
 *
 * Two phases, so that the report depends only on the transactions the taint touches, never on the others (a
 * store-backed trace reads only those: src/crypto/utxo-frontier.ts):
 * 1. `propagateUtxo` walks the transactions parents first and computes each output's taint. An output's taint is
 *    a function of its transaction's inputs alone, so any parents-first order gives the same values.
 * 2. `aggregateUtxo` lists and sums what the tainted transactions paid in one canonical order: `topoOrder` of
 *    those transactions alone (block, time, txid; a parent in the same block first). Edge numbers, address ids and
 *    haircut's float sums all follow it.
 */

export interface OutTaint {
  tainted: number;
  hop: number;
  /** FIFO: tainted intervals relative to the output start, flat [start, end) pairs. */
  iv?: number[];
}

export interface UtxoTraceInput {
  txs: UtxoTx[];
  seedAddresses: string[];
  seedTxids?: string[];
  params?: Partial<TraceParams>;
  roleOf?: (address: string) => number;
}

/** `${txid}:${n}`: the key of an output (outpoint). */
export const outpoint = (txid: string, n: number): string => `${txid}:${n}`;

/** Block (no block sorts first), time, txid: the order transactions are listed in before parents are pulled forward. */
function compareTx(a: UtxoTx, b: UtxoTx): number {
  return (
    (a.blockHeight ?? 0) - (b.blockHeight ?? 0) || a.tsMs - b.tsMs || (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : 0)
  );
}

/**
 * Transactions in an order where every spend comes after the transaction it spends: by block, time and txid, a
 * parent among `txs` pulled forward before its first child (depth first). The order depends on the set only, not
 * on the order it is given in.
 */
export function topoOrder(txs: UtxoTx[]): UtxoTx[] {
  const byId = new Map(txs.map((t) => [t.txid, t]));
  const sorted = [...txs].sort(compareTx);
  const done = new Set<string>();
  const out: UtxoTx[] = [];
  const visit = (t: UtxoTx, depth: number): void => {
    if (done.has(t.txid)) return;
    if (depth > 10_000) throw new InputError(`transaction ${t.txid}: spend chain deeper than 10,000 inside the data`);
    done.add(t.txid);
    for (const i of t.inputs) {
      const p = i.prevTxid ? byId.get(i.prevTxid) : undefined;
      if (p && !done.has(p.txid)) visit(p, depth + 1);
    }
    out.push(t);
  };
  for (const t of sorted) visit(t, 0);
  return out;
}

export function utxoTraceParams(given: Partial<TraceParams> | undefined): TraceParams {
  return {
    method: given?.method ?? 'haircut',
    direction: 'forward',
    maxHops: given?.maxHops ?? 6,
    minAmount: given?.minAmount ?? 0,
    sinceMs: given?.sinceMs,
    untilMs: given?.untilMs,
    maxListed: given?.maxListed ?? 100_000,
  };
}

const K_RETURNED = 0;
const K_HOP_LIMIT = 1;
const K_BELOW_MIN = 2;
const K_EDGE = 3;
const K_SERVICE = 4;

/** What a tainted transaction did with one output's taint. */
interface OutEvent {
  kind: number;
  address: string;
  value: bigint;
  tainted: number;
  hop: number;
  sender: string;
  /** Taint that left a seed (a seed transaction's outputs, or an input paid to a seed). */
  start: boolean;
}

export interface UtxoPropagation {
  /** Every output that holds taint: seed outputs (hop 0) and what tainted transactions passed on. */
  taint: Map<string, OutTaint>;
  /** Outputs spent by a transaction in the window. */
  spent: Set<string>;
  /** Per tainted transaction (txid), what happened to each of its outputs' taint, in output order. */
  events: Map<string, OutEvent[]>;
}

export interface UtxoSeeds {
  addresses: Set<string>;
  txids: Set<string>;
}

/** Phase 1: each output's taint, over `txs` in a parents-first order (see the module comment). */
export function propagateUtxo(
  txs: UtxoTx[],
  seeds: UtxoSeeds,
  p: TraceParams,
  roleOf: (address: string) => number,
): UtxoPropagation {
  const taint = new Map<string, OutTaint>();
  const spent = new Set<string>();
  const events = new Map<string, OutEvent[]>();
  for (const tx of topoOrder(txs)) {
    if ((p.sinceMs !== undefined && tx.tsMs < p.sinceMs) || (p.untilMs !== undefined && tx.tsMs > p.untilMs)) continue;
    // Seed outputs: value paid to a seed address is where the taint starts.
    for (const o of tx.outputs) {
      if (o.address && seeds.addresses.has(o.address))
        taint.set(outpoint(tx.txid, o.n), { tainted: Number(o.value), hop: 0, iv: [0, Number(o.value)] });
    }
    // Input taint, in input order.
    const ins = tx.inputs.map((i) => {
      const key = i.prevTxid ? outpoint(i.prevTxid, i.prevVout ?? -1) : '';
      const t = i.prevTxid ? taint.get(key) : undefined;
      if (i.prevTxid) spent.add(key);
      return { value: i.value === null ? 0 : Number(i.value), t, address: i.address };
    });
    const isSeedTx = seeds.txids.has(tx.txid);
    const fromSeed = ins.some((x) => x.t && x.t.hop === 0);
    if (!isSeedTx && !ins.some((x) => x.t && x.t.tainted > 0)) continue;
    const totalIn = ins.reduce((s, x) => s + x.value, 0);
    const taintedIn = ins.reduce((s, x) => s + (x.t?.tainted ?? 0), 0);
    const minHop = isSeedTx ? 0 : Math.min(...ins.filter((x) => x.t).map((x) => x.t!.hop));
    const hop = minHop + 1;
    const totalOut = tx.outputs.reduce((s, o) => s + Number(o.value), 0);
    const sender = ins.find((x) => x.t)?.address ?? ins[0]?.address ?? 'unknown';
    // FIFO: tainted ranges of the inputs laid end to end.
    const inIv: number[] = [];
    if (p.method === 'fifo') {
      let off = 0;
      for (const x of ins) {
        const iv = isSeedTx ? [0, x.value] : (x.t?.iv ?? []);
        for (let k = 0; k < iv.length; k += 2) inIv.push(off + iv[k]!, off + iv[k + 1]!);
        off += x.value;
      }
    }
    const out: OutEvent[] = [];
    events.set(tx.txid, out);
    let outOff = 0;
    for (const o of tx.outputs) {
      const v = Number(o.value);
      const start = outOff;
      outOff += v;
      if (v === 0 || !o.address) continue;
      let t = 0;
      let iv: number[] | undefined;
      if (isSeedTx || p.method === 'poison') {
        t = v;
        iv = [0, v];
      } else if (p.method === 'haircut') {
        t = totalIn > 0 ? (v * taintedIn) / totalIn : totalOut > 0 ? (v * taintedIn) / totalOut : 0;
      } else {
        iv = [];
        for (let k = 0; k < inIv.length; k += 2) {
          const a = Math.max(inIv[k]!, start);
          const b = Math.min(inIv[k + 1]!, start + v);
          if (b > a) {
            iv.push(a - start, b - start);
            t += b - a;
          }
        }
      }
      if (t <= 0) continue;
      const ev = { address: o.address, value: o.value, tainted: t, hop, sender, start: fromSeed || isSeedTx };
      if (seeds.addresses.has(o.address)) {
        if (!isSeedTx) out.push({ ...ev, kind: K_RETURNED });
        continue;
      }
      if (hop > p.maxHops) out.push({ ...ev, kind: K_HOP_LIMIT });
      else if (t < p.minAmount) out.push({ ...ev, kind: K_BELOW_MIN });
      else if (roleOf(o.address) === ROLE_STOP) out.push({ ...ev, kind: K_SERVICE });
      else {
        out.push({ ...ev, kind: K_EDGE });
        taint.set(outpoint(tx.txid, o.n), { tainted: t, hop, iv });
      }
    }
  }
  return { taint, spent, events };
}

/** Phase 2: the trace result from a propagation over `txs` (every transaction with an event among them). */
export function aggregateUtxo(
  txs: UtxoTx[],
  prop: UtxoPropagation,
  seedAddresses: string[],
  p: TraceParams,
  roleOf: (address: string) => number,
): { result: TraceResult; addresses: string[] } {
  const seeds = new Set(seedAddresses);
  const addresses: string[] = [];
  const ids = new Map<string, number>();
  const id = (a: string): number => {
    let i = ids.get(a);
    if (i === undefined) {
      i = addresses.length;
      addresses.push(a);
      ids.set(a, i);
    }
    return i;
  };
  for (const s of seeds) id(s);
  const received = new Map<number, number>();
  const hopOf = new Map<number, number>();
  const atService = new Map<number, number>();
  const stoppedAt = new Map<number, number>();
  const edges: TraceEdge[] = [];
  let edgeTotal = 0;
  const totals = { start: 0, atServices: 0, held: 0, hopLimit: 0, belowMin: 0, untracked: 0, returned: 0 };
  const add = (m: Map<number, number>, k: number, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const order = topoOrder(txs.filter((t) => prop.events.has(t.txid)));
  for (const tx of order) {
    for (const e of prop.events.get(tx.txid)!) {
      const node = id(e.address);
      const t = e.tainted;
      if (e.kind === K_RETURNED) {
        totals.returned += t;
        continue;
      }
      if (e.start) totals.start += t;
      if (e.kind === K_HOP_LIMIT) {
        add(stoppedAt, id(e.sender), t);
        totals.hopLimit += t;
        continue;
      }
      if (e.kind === K_BELOW_MIN) {
        totals.belowMin += t;
        continue;
      }
      edgeTotal++;
      if (edges.length < (p.maxListed ?? 100_000)) {
        edges.push({
          edge: edgeTotal - 1,
          txHash: tx.txid,
          from: e.sender,
          to: e.address,
          tsMs: tx.tsMs,
          amount: e.value,
          tainted: p.method === 'haircut' ? roundBaseUnits(t) : BigInt(Math.round(t)),
          hop: e.hop,
        });
      }
      add(received, node, t);
      if (!hopOf.has(node) || e.hop < hopOf.get(node)!) hopOf.set(node, e.hop);
      if (e.kind === K_SERVICE) {
        add(atService, node, t);
        totals.atServices += t;
      }
    }
  }
  // Unspent tainted outputs: where the funds are now.
  const held = new Map<number, number>();
  for (const tx of order) {
    for (const o of tx.outputs) {
      const key = outpoint(tx.txid, o.n);
      const t = prop.taint.get(key);
      if (!t || t.hop === 0 || prop.spent.has(key) || !o.address) continue;
      add(held, id(o.address), t.tainted);
    }
  }
  for (const v of held.values()) totals.held += v;
  for (const [k, v] of atService) add(held, k, v);
  for (const [k, v] of stoppedAt) add(held, k, v);
  const n = addresses.length;
  // Satoshi amounts are exact integers in float64 (< 2^53): poison and FIFO round trivially; haircut shares are
  // rounded like the account-model estimates.
  const toBase = (x: number): bigint => (p.method === 'haircut' ? roundBaseUnits(x) : BigInt(Math.round(x)));
  const receivedArr = new Float64Array(n);
  const heldArr = new Float64Array(n);
  const hopArr = new Int16Array(n).fill(-1);
  for (const [k, v] of received) receivedArr[k] = v;
  for (const [k, v] of held) heldArr[k] = v;
  for (const [k, v] of hopOf) hopArr[k] = v;
  const seedIds = [...seeds].map((s) => ids.get(s)!);
  for (const s of seedIds) hopArr[s] = 0;
  const nodes = [];
  for (let v = 0; v < n; v++) {
    if (hopArr[v]! < 0) continue;
    nodes.push({
      node: v,
      address: addresses[v]!,
      hop: hopArr[v]!,
      received: toBase(receivedArr[v]!),
      held: toBase(heldArr[v]!),
      role: roleOf(addresses[v]!),
      seed: seeds.has(addresses[v]!),
    });
  }
  return {
    addresses,
    result: {
      params: p,
      seeds: seedIds,
      edges,
      edgeTotal,
      exact: p.method !== 'haircut',
      nodes: nodes.slice(0, p.maxListed ?? 100_000),
      nodeTotal: nodes.length,
      totals: {
        start: toBase(totals.start),
        atServices: toBase(totals.atServices),
        held: toBase(totals.held),
        hopLimit: toBase(totals.hopLimit),
        belowMin: toBase(totals.belowMin),
        untracked: toBase(totals.untracked),
        returned: toBase(totals.returned),
        poisonedClean: 0n,
      },
      receivedByNode: receivedArr,
      heldByNode: heldArr,
      hopByNode: hopArr,
      watched: new Map(),
    },
  };
}

/** The whole-set trace: every transaction given (the store-backed one reads only what it needs). */
export function traceUtxo(input: UtxoTraceInput): { result: TraceResult; addresses: string[] } {
  const p = utxoTraceParams(input.params);
  const roleOf = input.roleOf ?? (() => ROLE_NONE);
  const seeds = { addresses: new Set(input.seedAddresses), txids: new Set(input.seedTxids ?? []) };
  const prop = propagateUtxo(input.txs, seeds, p, roleOf);
  return aggregateUtxo(input.txs, prop, input.seedAddresses, p, roleOf);
}
