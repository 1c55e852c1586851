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
 */

interface OutTaint {
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

/** Transactions in an order where every spend comes after the transaction it spends (Kahn's algorithm). */
export function topoOrder(txs: UtxoTx[]): UtxoTx[] {
  const byId = new Map(txs.map((t) => [t.txid, t]));
  const sorted = [...txs].sort((a, b) => (a.blockHeight ?? 0) - (b.blockHeight ?? 0) || a.tsMs - b.tsMs);
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

export function traceUtxo(input: UtxoTraceInput): { result: TraceResult; addresses: string[] } {
  const p: TraceParams = {
    method: input.params?.method ?? 'haircut',
    direction: 'forward',
    maxHops: input.params?.maxHops ?? 6,
    minAmount: input.params?.minAmount ?? 0,
    sinceMs: input.params?.sinceMs,
    untilMs: input.params?.untilMs,
    maxListed: input.params?.maxListed ?? 100_000,
  };
  const roleOf = input.roleOf ?? (() => ROLE_NONE);
  const seeds = new Set(input.seedAddresses);
  const seedTx = new Set(input.seedTxids ?? []);
  const taint = new Map<string, OutTaint>();
  const spent = new Set<string>();
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

  for (const tx of topoOrder(input.txs)) {
    if ((p.sinceMs !== undefined && tx.tsMs < p.sinceMs) || (p.untilMs !== undefined && tx.tsMs > p.untilMs)) continue;
    // Seed outputs: value paid to a seed address is where the taint starts.
    for (const o of tx.outputs) {
      if (o.address && seeds.has(o.address))
        taint.set(`${tx.txid}:${o.n}`, { tainted: Number(o.value), hop: 0, iv: [0, Number(o.value)] });
    }
    // Input taint, in input order.
    const ins = tx.inputs.map((i) => {
      const key = `${i.prevTxid}:${i.prevVout}`;
      const t = i.prevTxid ? taint.get(key) : undefined;
      if (i.prevTxid) spent.add(key);
      return { value: i.value === null ? 0 : Number(i.value), t, address: i.address };
    });
    const isSeedTx = seedTx.has(tx.txid);
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
      const node = id(o.address);
      if (seeds.has(o.address)) {
        if (!isSeedTx) totals.returned += t;
        continue;
      }
      if (fromSeed || isSeedTx) totals.start += t;
      if (hop > p.maxHops) {
        add(stoppedAt, id(sender), t);
        totals.hopLimit += t;
        continue;
      }
      if (t < p.minAmount) {
        totals.belowMin += t;
        continue;
      }
      edgeTotal++;
      if (edges.length < (p.maxListed ?? 100_000)) {
        edges.push({
          edge: edgeTotal - 1,
          txHash: tx.txid,
          from: sender,
          to: o.address,
          tsMs: tx.tsMs,
          amount: o.value,
          tainted: p.method === 'haircut' ? roundBaseUnits(t) : BigInt(Math.round(t)),
          hop,
        });
      }
      add(received, node, t);
      if (!hopOf.has(node) || hop < hopOf.get(node)!) hopOf.set(node, hop);
      if (roleOf(o.address) === ROLE_STOP) {
        add(atService, node, t);
        totals.atServices += t;
        continue;
      }
      taint.set(`${tx.txid}:${o.n}`, { tainted: t, hop, iv });
    }
  }
  // Unspent tainted outputs: where the funds are now.
  const held = new Map<number, number>();
  const txById = new Map(input.txs.map((t) => [t.txid, t]));
  for (const [key, t] of taint) {
    if (spent.has(key) || t.hop === 0) continue;
    const cut = key.lastIndexOf(':');
    const n = Number(key.slice(cut + 1));
    const addr = txById.get(key.slice(0, cut))?.outputs.find((o) => o.n === n)?.address;
    if (addr) add(held, id(addr), t.tainted);
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
