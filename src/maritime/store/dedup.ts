/**
 * Duplicate positions inside one import: a 52-bit hash of what makes a report the same (MMSI, time, position, message
 * type) and a sliding window of recent hashes. Repeats from several receivers arrive within seconds, far inside the
 * window; across imports the store itself is compared (import-session insertBuffers).
 */
import { doubled } from './vessels-seen.js';

/**
 * Positions compared for duplicates inside one import: the last 65,536 to 131,072 kept (two generations of hash
 * tables of 1 MB each, small enough to stay in the CPU caches).
 */
export const DEDUP_WINDOW = 65_536;

/**
 * The positions waiting for their duplicate check (the row builder's deferred mode), and the vessels seen in static
 * messages between them (hash -1), so that vessels are recorded in the order they are seen: per entry its hash,
 * time, line and MMSI, in typed arrays that can be handed to another thread (`take`).
 */
export class PendingChecks {
  n = 0;
  /** Entries that are positions (the last `rows` rows of the positions buffer). */
  rows = 0;
  h: Float64Array<ArrayBuffer>;
  ts: Float64Array<ArrayBuffer>;
  line: Float64Array<ArrayBuffer>;
  mmsi: Float64Array<ArrayBuffer>;

  constructor(size: number) {
    this.h = new Float64Array(size);
    this.ts = new Float64Array(size);
    this.line = new Float64Array(size);
    this.mmsi = new Float64Array(size);
  }

  /** Room for one more entry; returns its index. */
  slot(): number {
    const k = this.n;
    if (k === this.h.length) {
      this.h = doubled(this.h);
      this.ts = doubled(this.ts);
      this.line = doubled(this.line);
      this.mmsi = doubled(this.mmsi);
    }
    this.n = k + 1;
    return k;
  }

  /** Hand over the entries as [count, hashes, times, lines, MMSIs] and continue with `spare` arrays (or new ones). */
  take(spare?: ArrayBuffer[]): { n: number; buffers: ArrayBuffer[] } {
    const out = { n: this.n, buffers: [this.h.buffer, this.ts.buffer, this.line.buffer, this.mmsi.buffer] };
    const size = this.h.length;
    const ok = spare && spare.length === 4 && spare[0]!.byteLength >= size * 8;
    this.h = new Float64Array(ok ? spare[0]! : new ArrayBuffer(size * 8));
    this.ts = new Float64Array(ok ? spare[1]! : new ArrayBuffer(size * 8));
    this.line = new Float64Array(ok ? spare[2]! : new ArrayBuffer(size * 8));
    this.mmsi = new Float64Array(ok ? spare[3]! : new ArrayBuffer(size * 8));
    this.n = 0;
    this.rows = 0;
    return out;
  }
}

const mix = (h: number, v: number): number => {
  h = Math.imul(h ^ v, 0xcc9e2d51);
  return (h << 13) | (h >>> 19);
};

/** 52-bit hash of a position's identity (for duplicate detection; collisions are ~1 in 10^15 per pair). */
export function positionHash(mmsi: number, ts: number, lat: number, lon: number, type: number): number {
  const hi = Math.floor(ts / 4294967296);
  return hashParts(
    mmsi,
    (ts - hi * 4294967296) | 0,
    hi | 0,
    Math.round(lat * 1e7) | 0,
    Math.round(lon * 1e7) | 0,
    type,
  );
}
/** positionHash from its parts: ts as low and high 32-bit words, lat/lon in 1e-7 degrees (all int32). */
export function hashParts(mmsi: number, tl: number, th: number, la: number, lo: number, type: number): number {
  const h1 = mix(mix(mix(mix(0x9e3779b9 ^ mmsi, tl), th), la), lo);
  const h2 = mix(mix(mix(mix(0x85ebca6b ^ type, lo), la ^ h1), th), tl ^ mmsi);
  return (h1 >>> 0) * 1048576 + ((h2 >>> 0) & 0xfffff);
}

/**
 * The duplicate window: two generations of sets of non-zero 52-bit integers (open addressing, linear probing) in
 * one Float64Array, the two generations of a slot side by side, so the look-up in the older generation and the
 * insertion into the newer one touch the same cache lines (a million entries cost no GC). A value is a duplicate
 * when either generation holds it; after `generation` insertions the older generation is emptied and becomes the
 * newer one.
 */
export class DedupWindow {
  private readonly table: Float64Array;
  private readonly mask: number;
  /** Offset (0 or 1) of the newer generation in each slot pair; the older one is at 1 - cur. */
  private cur = 0;
  private size = 0;
  constructor(private readonly generation: number) {
    let cap = 1024;
    while (cap < generation * 2) cap *= 2;
    this.table = new Float64Array(cap * 2);
    this.mask = cap - 1;
  }
  /** Add h to the newer generation unless a generation holds it; false when it was there (a duplicate). */
  add(h: number): boolean {
    const v = h === 0 ? 1 : h;
    const t = this.table;
    const mask = this.mask;
    // The upper 32 bits of the 52-bit hash (an exact power-of-two division, no floating-point modulo).
    const start = ((v / 1048576) >>> 0) & mask;
    const o = 1 - this.cur;
    for (let i = start; ; i = (i + 1) & mask) {
      const x = t[2 * i + o]!;
      if (x === 0) break;
      if (x === v) return false;
    }
    const n = this.cur;
    for (let i = start; ; i = (i + 1) & mask) {
      const j = 2 * i + n;
      const x = t[j]!;
      if (x === v) return false;
      if (x === 0) {
        t[j] = v;
        if (++this.size >= this.generation) this.rotate();
        return true;
      }
    }
  }
  /** The home slot of a hash that will be checked soon (loaded now: an independent load the CPU overlaps). */
  peek(h: number): number {
    return this.table[2 * ((((h === 0 ? 1 : h) / 1048576) >>> 0) & this.mask)]!;
  }
  /** The last slot peeked by a settleRows (kept so its loads are not optimised away). */
  peeked = 0;

  private rotate(): void {
    const o = 1 - this.cur;
    // The fields first: the loop is compiled while it runs (on-stack replacement), and code after it that had
    // never run would have no type feedback and be thrown away on its first run.
    this.cur = o;
    this.size = 0;
    const t = this.table;
    for (let j = o; j < t.length; j += 2) t[j] = 0;
  }
}
