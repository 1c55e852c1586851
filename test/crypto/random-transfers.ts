import type { Transfer } from '../../src/crypto/model.js';
import { randomHex as hex, xorshift32 } from '../support/prng.js';

/**
 * Seeded random token graphs for the account-chain frontier tests (test/crypto/frontier.test.ts,
 * test/crypto/exposure-frontier.test.ts): ties in time, NULL blocks, multi-transfer transactions, zero amounts,
 * self-transfers, duplicated rows and amounts beyond 2^53.
 */

export interface RandomGraph {
  asset: string;
  transfers: Transfer[];
  addresses: string[];
  t0: number;
  spanMs: number;
}

/**
 * A random token graph: `n` addresses, `m` transfers from heavy-tailed senders over 300 distinct minutes. `placed`
 * puts given addresses (services, mixers, illicit sources from the bundled tags) at given indexes: low indexes
 * are busy senders, high ones quiet.
 */
export function randomGraph(seed: number, n: number, m: number, placed: ReadonlyArray<[number, string]>): RandomGraph {
  const r = xorshift32(seed);
  const asset = `0x${hex(r, 40)}`;
  const addresses = Array.from({ length: n }, () => `0x${hex(r, 40)}`);
  for (const [i, a] of placed) addresses[i] = a;
  const t0 = Date.parse('2023-01-01T00:00:00Z');
  const transfers: Transfer[] = [];
  let tx = `0x${hex(r, 64)}`;
  let idx = 0;
  for (let i = 0; i < m; i++) {
    const u = Math.floor(n * r() ** 2);
    let v = Math.floor(n * r());
    if (r() < 0.02) v = u; // self-transfer
    const minute = Math.floor(r() * 300);
    const tsMs = t0 + minute * 60_000;
    if (r() < 0.7) {
      tx = `0x${hex(r, 64)}`;
      idx = 0;
    } else idx++;
    const k = r();
    const amount =
      k < 0.03 ? 0n : k < 0.5 ? BigInt(1 + Math.floor(r() * 1_000_000)) : BigInt(Math.floor(r() * 1e9)) * 10n ** 12n;
    const t: Transfer = {
      chain: 'eth',
      txHash: tx,
      blockNumber: r() < 0.05 ? null : 16_000_000 + minute * 5,
      tsMs,
      from: addresses[u]!,
      to: addresses[v]!,
      asset,
      amount,
      decimals: 6,
      index: idx,
      kind: 'token',
    };
    transfers.push(t);
    if (r() < 0.01) transfers.push({ ...t }); // the same row twice (a transfer imported from two files)
  }
  return { asset, transfers, addresses, t0, spanMs: 300 * 60_000 };
}
