/**
 * Duplicate positions inside one import: a 52-bit hash of what makes a report the same (MMSI, time, position, message
 * type) and a sliding window of recent hashes. Repeats from several receivers arrive within seconds, far inside the
 * window; across imports the store itself is compared (import-session insertBuffers).
 */

/**
 * Positions compared for duplicates inside one import: the last 65,536 to 131,072 kept (two generations of hash
 * tables of 1 MB each, small enough to stay in the CPU caches).
 */
export const DEDUP_WINDOW = 65_536;

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
