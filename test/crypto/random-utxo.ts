import { createHash } from 'node:crypto';
import { createBase58check } from '@scure/base';
import type { UtxoTx } from '../../src/crypto/model.js';
import { randomHex, xorshift32 } from '../support/prng.js';

/**
 * Seeded random Bitcoin-like chains for the UTXO frontier tests (test/crypto/utxo-frontier.test.ts, Citus in
 * test/store/citus.test.ts), with what makes a trace's order hard: a parent and its child in the same block whose
 * txids sort the other way, transactions without a block, inputs whose prevout is unknown or outside the data,
 * OP_RETURN and zero-value outputs, and given services and mixers among the busy addresses.
 */

export const prng = xorshift32;

const b58 = createBase58check((b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest()));

/** A valid P2PKH address from 20 random bytes. */
export function p2pkh(r: () => number): string {
  const bytes = new Uint8Array(21);
  for (let i = 1; i < 21; i++) bytes[i] = Math.floor(r() * 256);
  return b58.encode(bytes);
}

const txid = (r: () => number): string => randomHex(r, 64);

export interface RandomChain {
  txs: UtxoTx[];
  addresses: string[];
  t0: number;
  spanMs: number;
}

/** `blocks` blocks of about `perBlock` transactions each, spending a pool of unspent outputs. */
export function randomChain(
  seed: number,
  nAddr: number,
  blocks: number,
  perBlock: number,
  stops: string[],
  mixers: string[],
): RandomChain {
  const r = prng(seed);
  const addresses = Array.from({ length: nAddr }, () => p2pkh(r));
  addresses[3] = stops[0]!;
  addresses[7] = stops[1]!;
  addresses[11] = mixers[0] ?? addresses[11]!;
  const pick = () => addresses[Math.floor(nAddr * r() ** 2)]!; // heavy-tailed: a few busy addresses
  const t0 = Date.parse('2024-03-01T00:00:00Z');
  const pool: Array<{ txid: string; n: number; address: string | null; value: bigint }> = [];
  const txs: UtxoTx[] = [];
  for (let b = 0; b < blocks; b++) {
    const height = 830_000 + b;
    const tsMs = t0 + b * 600_000;
    const coinbase: UtxoTx = {
      chain: 'btc',
      txid: txid(r),
      blockHeight: height,
      blockHash: null,
      tsMs,
      coinbase: true,
      inputs: [{ prevTxid: null, prevVout: null, address: null, value: null }],
      outputs: [{ n: 0, address: pick(), value: 312_500_000n, scriptHex: '' }],
    };
    txs.push(coinbase);
    pool.push({ txid: coinbase.txid, n: 0, address: coinbase.outputs[0]!.address, value: 312_500_000n });
    const k = Math.floor(perBlock * (0.5 + r()));
    for (let j = 0; j < k && pool.length > 0; j++) {
      const nIn = 1 + Math.floor(r() * r() * 4);
      const inputs: UtxoTx['inputs'] = [];
      let sum = 0n;
      for (let i = 0; i < nIn && pool.length > 0; i++) {
        // Mostly recent outputs, so children often sit in their parent's block.
        const at =
          r() < 0.6 ? pool.length - 1 - Math.floor(r() * Math.min(pool.length, 8)) : Math.floor(r() * pool.length);
        // Swap-remove: O(1), so a bench can build a million transactions.
        const o = pool[at]!;
        pool[at] = pool[pool.length - 1]!;
        pool.pop();
        const unknown = r() < 0.03;
        inputs.push({
          prevTxid: o.txid,
          prevVout: o.n,
          address: unknown ? null : o.address,
          value: unknown ? null : o.value,
        });
        sum += o.value;
      }
      if (r() < 0.05) {
        // A prevout outside the data (an older transaction never imported).
        const v = BigInt(1 + Math.floor(r() * 50_000_000));
        inputs.push({ prevTxid: txid(r), prevVout: 0, address: pick(), value: v });
        sum += v;
      }
      const fee = sum / 1000n;
      let left = sum - fee;
      const nOut = 1 + Math.floor(r() * 4);
      const outputs: UtxoTx['outputs'] = [];
      for (let n = 0; n < nOut; n++) {
        const last = n === nOut - 1;
        const kind = r();
        if (kind < 0.03) {
          outputs.push({ n, address: null, value: 0n, scriptHex: '6a' }); // OP_RETURN
          continue;
        }
        const v = last ? left : kind < 0.06 ? 0n : (left * BigInt(Math.floor(r() * 1000))) / 1000n;
        left -= v;
        outputs.push({ n, address: pick(), value: v, scriptHex: '' });
      }
      const tx: UtxoTx = {
        chain: 'btc',
        txid: txid(r),
        blockHeight: r() < 0.04 ? null : height,
        blockHash: null,
        tsMs: r() < 0.04 ? tsMs + 1 : tsMs,
        coinbase: false,
        inputs,
        outputs,
      };
      txs.push(tx);
      for (const o of outputs)
        if (o.value > 0n) pool.push({ txid: tx.txid, n: o.n, address: o.address, value: o.value });
    }
  }
  return { txs, addresses, t0, spanMs: blocks * 600_000 };
}
