import type { Transfer } from './model.js';

/**
 * A compact transfer graph for one chain and one asset: addresses are interned to dense integer ids and edges live
 * in typed arrays sorted by time, so a trace over 10 million transfers is one linear pass over a few flat arrays
 * (about 30 bytes per edge) instead of millions of objects.
 *
 * Amounts are kept twice: exact (the original Transfer, reachable through `ref`) for reports, and as float64
 * base units in `amount` for taint arithmetic (a 1e-16 relative error on estimates that are shares anyway).
 * `amount[e]` must be `Number(exact amount)`, the nearest float (what `fromTransfers` stores): `exactLimbs` relies on
 * it.
 */
/** Base of the exact two-limb amounts (see `TransferGraph.exactLimbs`). */
export const LIMB_BASE = 2 ** 52;
const LIMB_MASK = (1n << 52n) - 1n;
const SPLIT_BY_FLOAT = 2 ** 100;

export class TransferGraph {
  readonly addresses: string[];
  private readonly ids: Map<string, number>;
  /** Edge arrays, all of length `edgeCount`, sorted by (tsMs, insertion order). */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly tsMs: Float64Array;
  readonly amount: Float64Array;
  /** Caller's reference per edge (index into the Transfer array for graphs built from transfers). */
  readonly ref: Uint32Array;
  readonly edgeCount: number;
  private readonly txHashOf: (ref: number) => string;
  private readonly exactOf: (ref: number) => bigint;

  constructor(parts: {
    addresses: string[];
    ids: Map<string, number>;
    src: Uint32Array;
    dst: Uint32Array;
    tsMs: Float64Array;
    amount: Float64Array;
    ref: Uint32Array;
    txHashOf: (ref: number) => string;
    exactOf: (ref: number) => bigint;
    /** Exact amounts already held as limbs, indexed by `ref` (see `GraphBuilder.build`). */
    refLimbs?: { hi: Float64Array; lo: Float64Array };
  }) {
    this.addresses = parts.addresses;
    this.ids = parts.ids;
    this.src = parts.src;
    this.dst = parts.dst;
    this.tsMs = parts.tsMs;
    this.amount = parts.amount;
    this.ref = parts.ref;
    this.edgeCount = parts.src.length;
    this.txHashOf = parts.txHashOf;
    this.exactOf = parts.exactOf;
    this.refLimbs = parts.refLimbs ?? null;
  }

  private readonly refLimbs: { hi: Float64Array; lo: Float64Array } | null;

  get nodeCount(): number {
    return this.addresses.length;
  }

  id(address: string): number | undefined {
    return this.ids.get(address);
  }

  txHash(edge: number): string {
    return this.txHashOf(this.ref[edge]!);
  }

  exactAmount(edge: number): bigint {
    return this.exactOf(this.ref[edge]!);
  }

  private limbs: { hi: Float64Array; lo: Float64Array } | null = null;

  /**
   * Exact amounts as two float64 limbs, amount = hi × 2^52 + lo (0 ≤ lo < 2^52), computed once per graph: exact
   * sums over millions of edges in float arithmetic, without a bigint allocated per edge (see `Limbs` in
   * trace.ts).
   */
  exactLimbs(): { hi: Float64Array; lo: Float64Array } {
    if (this.limbs) return this.limbs;
    const n = this.edgeCount;
    const hi = new Float64Array(n);
    const lo = new Float64Array(n);
    if (this.refLimbs) {
      // Given as limbs by the caller: put them in edge order.
      const ref = this.ref;
      const { hi: rh, lo: rl } = this.refLimbs;
      for (let e = 0; e < n; e++) {
        hi[e] = rh[ref[e]!]!;
        lo[e] = rl[ref[e]!]!;
      }
      this.limbs = { hi, lo };
      return this.limbs;
    }
    for (let e = 0; e < n; e++) {
      const f = this.amount[e]!;
      if (f < LIMB_BASE) {
        // Below 2^52 the float is the exact integer (it was made from it).
        lo[e] = f;
      } else if (f < SPLIT_BY_FLOAT) {
        const a = this.exactAmount(e);
        // bigint == number compares the exact mathematical values without allocating (the cast only quiets the
        // type checker, which refuses to compare the two types).
        // biome-ignore lint/suspicious/noDoubleEquals: the loose comparison is the point (exact, no allocation)
        if (a == (f as unknown as bigint)) {
          // The float is the exact amount (round amounts such as 1.5 ETH are): split it, no bigint arithmetic.
          const h = Math.floor(f / LIMB_BASE);
          hi[e] = h;
          lo[e] = f - h * LIMB_BASE;
        } else {
          // One bigint operation instead of two: lo = a mod 2^52 exactly, hi from the float. f is a rounded to the
          // nearest float (Number(a), as `fromTransfers` makes it), so (f − lo) / 2^52 lies within ulp(f) / 2^52
          // ≤ 2^-4 of the integer hi when f < 2^100.
          const l = Number(BigInt.asUintN(52, a));
          lo[e] = l;
          hi[e] = Math.round((f - l) / LIMB_BASE);
        }
      } else {
        const a = this.exactAmount(e);
        hi[e] = Number(a >> 52n);
        lo[e] = Number(a & LIMB_MASK);
      }
    }
    this.limbs = { hi, lo };
    return this.limbs;
  }

  /** Build from transfers of one asset (other assets are skipped; pass them through `filter` to choose). */
  static fromTransfers(transfers: Transfer[], filter: (t: Transfer) => boolean = () => true): TransferGraph {
    const b = new GraphBuilder(transfers.length);
    transfers.forEach((t, i) => {
      if (filter(t) && t.amount > 0n) b.add(t.from, t.to, t.tsMs, Number(t.amount), i);
    });
    return b.build(
      (r) => transfers[r]!.txHash,
      (r) => transfers[r]!.amount,
    );
  }
}

/** Accumulates edges in growable typed arrays; `build` sorts them by time (a no-op check when already sorted). */
export class GraphBuilder {
  private readonly addresses: string[] = [];
  private readonly ids = new Map<string, number>();
  private src: Uint32Array;
  private dst: Uint32Array;
  private ts: Float64Array;
  private amt: Float64Array;
  private ref: Uint32Array;
  private n = 0;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.src = new Uint32Array(c);
    this.dst = new Uint32Array(c);
    this.ts = new Float64Array(c);
    this.amt = new Float64Array(c);
    this.ref = new Uint32Array(c);
  }

  /** Intern an address, returning its node id. */
  node(address: string): number {
    let id = this.ids.get(address);
    if (id === undefined) {
      id = this.addresses.length;
      this.addresses.push(address);
      this.ids.set(address, id);
    }
    return id;
  }

  add(from: string, to: string, tsMs: number, amount: number, ref: number): void {
    this.addIds(this.node(from), this.node(to), tsMs, amount, ref);
  }

  /** Hot path for generators that already hold node ids (see `node`). */
  addIds(from: number, to: number, tsMs: number, amount: number, ref: number): void {
    if (this.n === this.src.length) this.grow();
    const i = this.n++;
    this.src[i] = from;
    this.dst[i] = to;
    this.ts[i] = tsMs;
    this.amt[i] = amount;
    this.ref[i] = ref;
  }

  private grow(): void {
    const c = this.src.length * 2;
    const g = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    this.src = g(this.src, (n) => new Uint32Array(n));
    this.dst = g(this.dst, (n) => new Uint32Array(n));
    this.ts = g(this.ts, (n) => new Float64Array(n));
    this.amt = g(this.amt, (n) => new Float64Array(n));
    this.ref = g(this.ref, (n) => new Uint32Array(n));
  }

  /**
   * `exactOf(ref)` is the exact amount of the edge added with `ref`; a caller that holds exact amounts as limbs
   * (hi × 2^52 + lo, 0 ≤ lo < 2^52, indexed by ref) passes them as `refLimbs` too, so traces need no bigint.
   */
  build(
    txHashOf: (ref: number) => string,
    exactOf: (ref: number) => bigint,
    refLimbs?: { hi: Float64Array; lo: Float64Array },
  ): TransferGraph {
    const n = this.n;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if (this.ts[i]! < this.ts[i - 1]!) {
        sorted = false;
        break;
      }
    }
    let src = this.src.subarray(0, n);
    let dst = this.dst.subarray(0, n);
    let ts = this.ts.subarray(0, n);
    let amt = this.amt.subarray(0, n);
    let ref = this.ref.subarray(0, n);
    if (!sorted) {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      const t = ts;
      order.sort((a, b) => t[a]! - t[b]! || a - b);
      const s2 = new Uint32Array(n);
      const d2 = new Uint32Array(n);
      const t2 = new Float64Array(n);
      const a2 = new Float64Array(n);
      const r2 = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const o = order[i]!;
        s2[i] = src[o]!;
        d2[i] = dst[o]!;
        t2[i] = ts[o]!;
        a2[i] = amt[o]!;
        r2[i] = ref[o]!;
      }
      src = s2;
      dst = d2;
      ts = t2;
      amt = a2;
      ref = r2;
    }
    return new TransferGraph({
      addresses: this.addresses,
      ids: this.ids,
      src,
      dst,
      tsMs: ts,
      amount: amt,
      ref,
      txHashOf,
      exactOf,
      ...(refLimbs ? { refLimbs } : {}),
    });
  }
}
