import type { UtxoTx } from './model.js';

/**
 * Bitcoin address clustering with the multi-input (common-input-ownership) heuristic: the addresses whose outputs
 * a transaction spends together are controlled by one entity. CoinJoin-like transactions break that assumption
 * and are excluded: several distinct input addresses and a set of equal-valued outputs (at least 2, and at least
 * half of the outputs or of the input addresses), the shape of Wasabi, Whirlpool and JoinMarket rounds.
 */

export interface ClusterResult {
  /** Address → cluster id (the smallest address of the cluster, so ids are stable). */
  clusterOf: Map<string, string>;
  clusterCount: number;
  largest: number;
  /** Txids excluded as CoinJoin-like. */
  coinjoinTxs: string[];
}

export function isCoinJoinLike(tx: UtxoTx): boolean {
  const inputs = new Set(tx.inputs.map((i) => i.address).filter((a): a is string => a !== null));
  if (inputs.size < 2 || tx.outputs.length < 2) return false;
  const counts = new Map<bigint, number>();
  for (const o of tx.outputs) counts.set(o.value, (counts.get(o.value) ?? 0) + 1);
  let best = 0;
  for (const c of counts.values()) best = Math.max(best, c);
  return best >= 2 && (best * 2 >= tx.outputs.length || best * 2 >= inputs.size);
}

export function clusterAddresses(txs: UtxoTx[]): ClusterResult {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const parent: number[] = [];
  const id = (a: string): number => {
    let i = ids.get(a);
    if (i === undefined) {
      i = names.length;
      ids.set(a, i);
      names.push(a);
      parent.push(i);
    }
    return i;
  };
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const coinjoinTxs: string[] = [];
  for (const tx of txs) {
    if (tx.coinbase) continue;
    const addrs = tx.inputs.map((i) => i.address).filter((a): a is string => a !== null);
    for (const o of tx.outputs) if (o.address) id(o.address);
    if (addrs.length === 0) continue;
    if (isCoinJoinLike(tx)) {
      coinjoinTxs.push(tx.txid);
      for (const a of addrs) id(a);
      continue;
    }
    const first = find(id(addrs[0]!));
    for (const a of addrs.slice(1)) {
      const r = find(id(a));
      if (r !== first) parent[r] = first;
    }
  }
  // Name each cluster by its smallest address.
  const rootName = new Map<number, string>();
  for (let i = 0; i < names.length; i++) {
    const r = find(i);
    const cur = rootName.get(r);
    if (cur === undefined || names[i]! < cur) rootName.set(r, names[i]!);
  }
  const clusterOf = new Map<string, string>();
  const sizes = new Map<number, number>();
  for (let i = 0; i < names.length; i++) {
    const r = find(i);
    clusterOf.set(names[i]!, rootName.get(r)!);
    sizes.set(r, (sizes.get(r) ?? 0) + 1);
  }
  let largest = 0;
  for (const s of sizes.values()) largest = Math.max(largest, s);
  return { clusterOf, clusterCount: sizes.size, largest, coinjoinTxs };
}
