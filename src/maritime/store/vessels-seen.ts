/**
 * Vessels seen (first and last time, line of the last), in typed arrays indexed by first-seen order, found by MMSI
 * through an open-addressing table of int32 keys (MMSIs outside the int32 range, which only odd CSV input gives,
 * through a Map): per position no Map look-up and no object.
 */
export class VesselTable {
  private keys = new Int32Array(4096).fill(-1);
  private idx = new Int32Array(4096);
  private mask = 4095;
  private other = new Map<number, number>();
  length = 0;
  private mmsi = new Float64Array(1024);
  private first = new Float64Array(1024);
  private last = new Float64Array(1024);
  private line = new Float64Array(1024);

  seen(mmsi: number, ts: number, line: number): void {
    let i: number;
    if ((mmsi | 0) === mmsi && mmsi >= 0) {
      const keys = this.keys;
      const mask = this.mask;
      let s = (Math.imul(mmsi, 0x9e3779b1) >>> 16) & mask;
      for (;;) {
        const k = keys[s]!;
        if (k === mmsi) {
          i = this.idx[s]!;
          break;
        }
        if (k === -1) {
          i = this.append(mmsi, ts, line);
          keys[s] = mmsi;
          this.idx[s] = i;
          if (this.length * 2 > mask) this.rehash();
          return;
        }
        s = (s + 1) & mask;
      }
    } else {
      const j = this.other.get(mmsi);
      if (j === undefined) {
        this.other.set(mmsi, this.append(mmsi, ts, line));
        return;
      }
      i = j;
    }
    if (ts < this.first[i]!) this.first[i] = ts;
    if (ts > this.last[i]!) {
      this.last[i] = ts;
      this.line[i] = line;
    }
  }

  private append(mmsi: number, ts: number, line: number): number {
    if (this.length === this.mmsi.length) {
      this.mmsi = doubled(this.mmsi);
      this.first = doubled(this.first);
      this.last = doubled(this.last);
      this.line = doubled(this.line);
    }
    const i = this.length++;
    this.mmsi[i] = mmsi;
    this.first[i] = ts;
    this.last[i] = ts;
    this.line[i] = line;
    return i;
  }

  private rehash(): void {
    const cap = this.keys.length * 2;
    const keys = new Int32Array(cap).fill(-1);
    const idx = new Int32Array(cap);
    const mask = cap - 1;
    const old = this.keys;
    for (let s = 0; s < old.length; s++) {
      const k = old[s]!;
      if (k === -1) continue;
      let t = (Math.imul(k, 0x9e3779b1) >>> 16) & mask;
      while (keys[t] !== -1) t = (t + 1) & mask;
      keys[t] = k;
      idx[t] = this.idx[s]!;
    }
    this.keys = keys;
    this.idx = idx;
    this.mask = mask;
  }

  /** [mmsi, {first, last, line}] in first-seen order. */
  entries(): Array<[number, { first: number; last: number; line: number }]> {
    const out: Array<[number, { first: number; last: number; line: number }]> = new Array(this.length);
    for (let i = 0; i < this.length; i++)
      out[i] = [this.mmsi[i]!, { first: this.first[i]!, last: this.last[i]!, line: this.line[i]! }];
    return out;
  }

  clear(): void {
    this.keys.fill(-1);
    this.other.clear();
    this.length = 0;
  }
}

/** A copy of `a` with twice its length (the first half holds `a`). */
export function doubled(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
