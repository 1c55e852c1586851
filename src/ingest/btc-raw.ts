import { hex } from '@scure/base';
import { Block, Transaction } from 'bitcoinjs-lib';
import { addressFromScript } from '../crypto/addresses.js';
import type { UtxoTx } from '../crypto/model.js';
import { InputError } from '../errors.js';

/**
 * Raw Bitcoin transactions and blocks (consensus serialisation, hex) → UtxoTx, parsed with bitcoinjs-lib.
 * Output addresses come from the output script (P2PKH, P2SH, P2WPKH, P2WSH, P2TR; null for bare multisig,
 * P2PK and OP_RETURN). Input addresses and values are unknown from the raw bytes alone (they live in the spent
 * outputs) and stay null until the spent transactions are known (see `resolvePrevouts`).
 */

export type BtcChain = 'btc' | 'btc-testnet' | 'ltc';

const reverseHex = (b: Uint8Array): string => hex.encode(Uint8Array.from(b).reverse());

export function txFromBitcoinjs(
  tx: Transaction,
  chain: BtcChain,
  meta: { blockHeight?: number | null; blockHash?: string | null; tsMs?: number } = {},
): UtxoTx {
  const coinbase = tx.isCoinbase();
  return {
    chain,
    txid: tx.getId(),
    blockHeight: meta.blockHeight ?? null,
    blockHash: meta.blockHash ?? null,
    tsMs: meta.tsMs ?? 0,
    coinbase,
    inputs: coinbase
      ? [{ prevTxid: null, prevVout: null, address: null, value: null }]
      : tx.ins.map((i) => ({ prevTxid: reverseHex(i.hash), prevVout: i.index, address: null, value: null })),
    outputs: tx.outs.map((o, n) => ({
      n,
      address: addressFromScript(chain, o.script),
      value: o.value,
      scriptHex: hex.encode(o.script),
    })),
  };
}

export function parseRawTx(
  rawHex: string,
  chain: BtcChain = 'btc',
  meta: { blockHeight?: number | null; tsMs?: number } = {},
): UtxoTx {
  let tx: Transaction;
  try {
    tx = Transaction.fromHex(rawHex.trim());
  } catch (e) {
    throw new InputError(`raw transaction: ${(e as Error).message}`);
  }
  return txFromBitcoinjs(tx, chain, meta);
}

export interface ParsedBlock {
  hash: string;
  prevHash: string;
  merkleRoot: string;
  tsMs: number;
  txs: UtxoTx[];
}

export function parseRawBlock(rawHex: string, chain: BtcChain = 'btc', height: number | null = null): ParsedBlock {
  let block: Block;
  try {
    block = Block.fromHex(rawHex.trim());
  } catch (e) {
    throw new InputError(`raw block: ${(e as Error).message}`);
  }
  const hash = block.getId();
  const tsMs = block.timestamp * 1000;
  return {
    hash,
    prevHash: block.prevHash ? reverseHex(block.prevHash) : '0'.repeat(64),
    merkleRoot: block.merkleRoot ? reverseHex(block.merkleRoot) : '',
    tsMs,
    txs: (block.transactions ?? []).map((t) =>
      txFromBitcoinjs(t, chain, { blockHeight: height, blockHash: hash, tsMs }),
    ),
  };
}

/** Fill input addresses and values from the outputs they spend, when those transactions are known. */
export function resolvePrevouts(txs: UtxoTx[], known: Iterable<UtxoTx> = txs): number {
  const outputs = new Map<string, { address: string | null; value: bigint }>();
  for (const t of known)
    for (const o of t.outputs) outputs.set(`${t.txid}:${o.n}`, { address: o.address, value: o.value });
  let filled = 0;
  for (const t of txs) {
    for (const i of t.inputs) {
      if (i.prevTxid === null || i.value !== null) continue;
      const o = outputs.get(`${i.prevTxid}:${i.prevVout}`);
      if (o) {
        i.address = o.address;
        i.value = o.value;
        filled++;
      }
    }
  }
  return filled;
}
