import { describe, expect, it } from 'vitest';
import { LIMB_BASE, TransferGraph } from '../../src/crypto/graph.js';
import type { Transfer } from '../../src/crypto/model.js';
import { ROLE_STOP, trace } from '../../src/crypto/trace.js';
import { xorshift32 } from '../support/prng.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const tr = (from: string, to: string, amount: bigint, i: number): Transfer => ({
  chain: 'eth',
  txHash: `0x${i.toString(16)}`,
  blockNumber: i,
  tsMs: T0 + i * 1000,
  from,
  to,
  asset: 'ETH',
  amount,
  decimals: 18,
  index: -1,
  kind: 'native',
});

// Deterministic PRNG (xorshift32).
const rand = xorshift32(0x51f15e);
const randBig = (bits: number): bigint => {
  let x = 0n;
  for (let b = 0; b < bits; b += 24) x = (x << 24n) | BigInt(Math.floor(rand() * 2 ** 24));
  return x & ((1n << BigInt(bits)) - 1n);
};

describe('exact trace arithmetic (limbs)', () => {
  it('splits every amount into exact limbs: small, round, at the 2^52 / 2^53 / 2^100 edges and arbitrary', () => {
    const amounts: bigint[] = [1n, 2n ** 52n - 1n, 2n ** 52n, 2n ** 52n + 1n, 2n ** 53n - 1n, 2n ** 53n + 1n];
    amounts.push(1_500_000_000_000_000_000n, 10n ** 24n, 2n ** 100n - 1n, 2n ** 100n, 2n ** 100n + 1n, 2n ** 104n - 3n);
    for (let i = 0; i < 2000; i++) amounts.push(randBig(20 + Math.floor(rand() * 84)) + 1n);
    const g = TransferGraph.fromTransfers(amounts.map((a, i) => tr(`a${i % 7}`, `b${i % 5}`, a, i)));
    const { hi, lo } = g.exactLimbs();
    for (let e = 0; e < g.edgeCount; e++) {
      expect(lo[e]! >= 0 && lo[e]! < LIMB_BASE, `edge ${e}`).toBe(true);
      expect((BigInt(hi[e]!) << 52n) + BigInt(lo[e]!), `edge ${e}`).toBe(g.exactAmount(e));
    }
  });

  it('poison and FIFO conserve to the base unit on a random graph with amounts up to 2^90', () => {
    const nodes = 300;
    const transfers: Transfer[] = [];
    for (let i = 0; i < 20_000; i++) {
      const u = Math.floor(nodes * rand() ** 2);
      let v = Math.floor(nodes * rand());
      if (v === u) v = (v + 1) % nodes;
      // Mostly wei-sized amounts (beyond 2^53), some round, some tiny, a few near 2^90.
      const r = rand();
      const amount =
        r < 0.6
          ? randBig(60 + Math.floor(rand() * 10)) + 1n
          : r < 0.8
            ? BigInt(1 + Math.floor(rand() * 100)) * 10n ** 17n
            : r < 0.97
              ? BigInt(1 + Math.floor(rand() * 1000))
              : randBig(90) + 1n;
      transfers.push(tr(`n${u}`, `n${v}`, amount, i));
    }
    const g = TransferGraph.fromTransfers(transfers);
    const roles = new Uint8Array(g.nodeCount);
    for (let k = 5; k < nodes; k += 37) roles[g.id(`n${k}`)!] = ROLE_STOP;
    const seeds = [g.id('n0')!, g.id('n1')!];
    for (const method of ['poison', 'fifo'] as const) {
      for (const maxHops of [3, 6]) {
        const r = trace({ graph: g, seeds, roles, params: { method, maxHops, maxListed: 1_000_000 } });
        expect(r.exact).toBe(true);
        const t = r.totals;
        const label = `${method}, ${maxHops} hops`;
        expect(t.start + t.poisonedClean, label).toBe(t.held + t.atServices + t.hopLimit + t.belowMin + t.returned);
        expect(t.start > 2n ** 90n, label).toBe(true);
        // Every tainted transfer listed: what left the seeds is the sum of the seeds' tainted transfers, to the unit.
        const fromSeeds = r.edges.filter((e) => e.from === 'n0' || e.from === 'n1').reduce((s, e) => s + e.tainted, 0n);
        expect(fromSeeds, label).toBe(t.start);
        // Held per address (at a service all it received, plus what the hop limit stopped there) adds up too.
        const heldByNode = r.nodes.reduce((s, n) => s + n.held, 0n);
        expect(heldByNode, label).toBe(t.held + t.atServices + t.hopLimit);
      }
    }
  });
});
