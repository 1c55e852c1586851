/**
 * Union-find (disjoint sets) over dense integer ids, in typed arrays: path halving on find, union by size. The
 * resolver numbers entities 0..n-1 once and unions them by shared strong identifiers; 40,000 entities and their
 * keys resolve in milliseconds without a Map per set.
 */
export class UnionFind {
  readonly parent: Int32Array;
  readonly size: Int32Array;

  constructor(readonly n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x]! !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }

  /** Join the sets of `a` and `b`; returns the new root, or -1 when they were already one set. */
  union(a: number, b: number): number {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return -1;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return ra;
  }
}
