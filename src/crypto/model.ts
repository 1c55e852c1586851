import type { Chain } from './addresses.js';

/**
 * One transfer model across chains. Amounts are exact integers in base units (wei, satoshi, token units) with the
 * asset's decimals kept alongside, so nothing is lost between a node, the store and a report.
 */

/** Native asset code per chain (what `asset` holds for native-coin transfers). */
export const NATIVE_ASSET: Record<Chain, { symbol: string; decimals: number }> = {
  eth: { symbol: 'ETH', decimals: 18 },
  btc: { symbol: 'BTC', decimals: 8 },
  'btc-testnet': { symbol: 'BTC', decimals: 8 },
  ltc: { symbol: 'LTC', decimals: 8 },
  trx: { symbol: 'TRX', decimals: 6 },
};

export type TransferKind =
  /** Top-level value of a transaction (account chains). */
  | 'native'
  /** Value moved by a contract call inside a transaction (call tracer / trace_block). */
  | 'internal'
  /** ERC-20 / TRC-20 Transfer event. */
  | 'token'
  /** Bitcoin-like: an input address paying an output address (derived from the UTXO view, for the graph). */
  | 'utxo';

export interface Transfer {
  chain: Chain;
  /** Transaction hash (0x… on Ethereum, txid hex on Bitcoin); file imports without hashes use `<file>:L<line>`. */
  txHash: string;
  blockNumber: number | null;
  /** Block time, epoch milliseconds UTC. */
  tsMs: number;
  /** Normalised addresses (see addresses.ts). */
  from: string;
  to: string;
  /** Native symbol ("ETH", "BTC") or the token contract address (normalised). */
  asset: string;
  /** Exact amount in base units. */
  amount: bigint;
  decimals: number;
  /**
   * Position inside the transaction: log index for token transfers, output index for UTXO, the call's depth-first
   * position for internal transfers, -1 for the top-level native value.
   */
  index: number;
  kind: TransferKind;
}

/** A Bitcoin-like transaction kept as inputs and outputs, so taint can follow exact outputs (UTXO). */
export interface UtxoTx {
  chain: Chain;
  txid: string;
  blockHeight: number | null;
  blockHash: string | null;
  tsMs: number;
  coinbase: boolean;
  inputs: UtxoInput[];
  outputs: UtxoOutput[];
}

export interface UtxoInput {
  /** Previous output spent (null for coinbase). */
  prevTxid: string | null;
  prevVout: number | null;
  /** Address and value of the spent output when known (Core verbosity 3, Esplora prevout). */
  address: string | null;
  value: bigint | null;
}

export interface UtxoOutput {
  n: number;
  address: string | null;
  value: bigint;
  scriptHex: string;
}

/** The key of a transfer, unique within a chain (Citus: distribute by chain, tx_hash). */
export function transferKey(t: Pick<Transfer, 'chain' | 'txHash' | 'kind' | 'index'>): string {
  return `${t.chain}:${t.txHash}:${t.kind}:${t.index}`;
}

/**
 * Account-style transfers derived from a UTXO transaction for the address graph: each input address pays each
 * output address its share of the output, apportioned by input value (largest-remainder, exact in total).
 * Inputs with unknown values are split evenly.
 */
export function utxoToTransfers(tx: UtxoTx, decimals = 8): Transfer[] {
  if (tx.coinbase) {
    return tx.outputs
      .filter((o) => o.address !== null && o.value > 0n)
      .map((o) => ({
        chain: tx.chain,
        txHash: tx.txid,
        blockNumber: tx.blockHeight,
        tsMs: tx.tsMs,
        from: 'coinbase',
        to: o.address!,
        asset: NATIVE_ASSET[tx.chain].symbol,
        amount: o.value,
        decimals,
        index: o.n,
        kind: 'utxo' as const,
      }));
  }
  const byAddr = new Map<string, bigint>();
  let unknown = 0;
  for (const i of tx.inputs) {
    const a = i.address ?? 'unknown';
    if (i.value === null) unknown++;
    byAddr.set(a, (byAddr.get(a) ?? 0n) + (i.value ?? 0n));
  }
  const senders = [...byAddr.entries()];
  const totalIn = senders.reduce((s, [, v]) => s + v, 0n);
  const out: Transfer[] = [];
  for (const o of tx.outputs) {
    if (o.address === null || o.value === 0n) continue;
    const shares: Array<[string, bigint]> = [];
    if (totalIn === 0n || unknown > 0) {
      const each = o.value / BigInt(senders.length);
      let rest = o.value - each * BigInt(senders.length);
      for (const [a] of senders) {
        shares.push([a, each + (rest > 0n ? 1n : 0n)]);
        if (rest > 0n) rest--;
      }
    } else {
      let given = 0n;
      senders.forEach(([a, v], k) => {
        const share = k === senders.length - 1 ? o.value - given : (o.value * v) / totalIn;
        given += share;
        shares.push([a, share]);
      });
    }
    for (const [k, [from, amount]] of shares.entries()) {
      if (amount === 0n || from === o.address) continue;
      out.push({
        chain: tx.chain,
        txHash: tx.txid,
        blockNumber: tx.blockHeight,
        tsMs: tx.tsMs,
        from,
        to: o.address,
        asset: NATIVE_ASSET[tx.chain].symbol,
        amount,
        decimals,
        index: o.n * 1000 + k,
        kind: 'utxo',
      });
    }
  }
  return out;
}
