import { describe, expect, it } from 'vitest';
import { GraphBuilder, LIMB_BASE, TransferGraph } from '../../src/crypto/graph.js';
import type { Transfer } from '../../src/crypto/model.js';
import { trace } from '../../src/crypto/trace.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const E = 10n ** 18n;
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

describe('forward poison: one hop bucket per transfer, exact per-node records', () => {
  // S → A 100, A → B 60, B → C 50, A → S 10 (back to the seed), 2 hops; each amount has odd wei beyond 2^53.
  const transfers = [
    tr('S', 'A', 100n * E + 7n, 1),
    tr('A', 'B', 60n * E + 5n, 2),
    tr('B', 'C', 50n * E + 3n, 3),
    tr('A', 'S', 10n * E + 1n, 4),
  ];
  const g = TransferGraph.fromTransfers(transfers);
  const id = (a: string): number => g.id(a)!;

  it('stops at the hop limit, counts the return, keeps held = received − sent on, and fills watched by hop', () => {
    const r = trace({
      graph: g,
      seeds: [id('S')],
      watch: [id('A'), id('B'), id('C')],
      params: { method: 'poison', maxHops: 2 },
    });
    expect(r.totals).toEqual({
      start: 100n * E + 7n,
      atServices: 0n,
      held: 40n * E + 3n, // A keeps 100 − 60 − 10, B keeps 60 − 50
      hopLimit: 50n * E + 3n, // B → C would be hop 3
      belowMin: 0n,
      untracked: 0n,
      returned: 10n * E + 1n,
      poisonedClean: 0n,
    });
    expect(r.edges.map((e) => [e.from, e.to, e.tainted, e.hop])).toEqual([
      ['S', 'A', 100n * E + 7n, 1],
      ['A', 'B', 60n * E + 5n, 2],
      ['A', 'S', 10n * E + 1n, 2],
    ]);
    const byAddress = new Map(r.nodes.map((n) => [n.address, n]));
    expect(byAddress.get('A')).toMatchObject({ hop: 1, received: 100n * E + 7n, held: 30n * E + 1n });
    // B keeps 10 and holds the 50 the hop limit stopped there.
    expect(byAddress.get('B')).toMatchObject({ hop: 2, received: 60n * E + 5n, held: 60n * E + 5n });
    expect(byAddress.has('C')).toBe(false);
    expect(Array.from(r.watched.get(id('A'))!)).toEqual([0, 100e18, 0, 0]);
    expect(Array.from(r.watched.get(id('B'))!)).toEqual([0, 0, 60e18, 0]);
    expect(Array.from(r.watched.get(id('C'))!)).toEqual([0, 0, 0, 0]);
    expect(r.heldByNode[id('B')]).toBe(60e18);
    expect(r.receivedByNode[id('A')]).toBe(100e18);
  });

  it('traces a graph built from limbs (given out of time order) exactly as one built from bigints', () => {
    const b = new GraphBuilder(4);
    const hi = new Float64Array(transfers.length);
    const lo = new Float64Array(transfers.length);
    // Added newest first, so the build sorts and the limbs (indexed by ref) must follow their edges.
    for (let i = transfers.length - 1; i >= 0; i--) {
      const t = transfers[i]!;
      hi[i] = Number(t.amount >> 52n);
      lo[i] = Number(t.amount % BigInt(LIMB_BASE));
      b.add(t.from, t.to, t.tsMs, Number(t.amount), i);
    }
    const g2 = b.build(
      (r) => transfers[r]!.txHash,
      (r) => transfers[r]!.amount,
      { hi, lo },
    );
    const l2 = g2.exactLimbs();
    for (let e = 0; e < g2.edgeCount; e++) {
      expect((BigInt(l2.hi[e]!) << 52n) + BigInt(l2.lo[e]!)).toBe(g2.exactAmount(e));
    }
    for (const method of ['poison', 'fifo'] as const) {
      const seeds = (x: TransferGraph): number[] => [x.id('S')!];
      const a = trace({ graph: g, seeds: seeds(g), params: { method, maxHops: 2 } });
      const c = trace({ graph: g2, seeds: seeds(g2), params: { method, maxHops: 2 } });
      expect(c.totals, method).toEqual(a.totals);
      expect(c.edges.map((e) => [e.txHash, e.tainted])).toEqual(a.edges.map((e) => [e.txHash, e.tainted]));
    }
  });
});
