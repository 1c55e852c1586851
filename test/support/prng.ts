/**
 * xorshift32 (Marsaglia 2003): a seeded generator, so a test or a benchmark builds the same data on every run.
 * Returns values in [0, 1).
 */
export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

/** `n` random hex digits from `r`. */
export const randomHex = (r: () => number, n: number): string =>
  Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
