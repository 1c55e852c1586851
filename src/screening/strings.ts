/**
 * String distances used by the name features. Hot paths: one reusable Int32Array row, no allocation per call.
 */

let row = new Int32Array(64);

/** Levenshtein edit distance (insert, delete, substitute: cost 1 each). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  if (a.length < b.length) [a, b] = [b, a];
  const n = b.length;
  if (row.length <= n) row = new Int32Array(n * 2 + 1);
  for (let j = 0; j <= n; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const tmp = row[j]!;
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const del = row[j]! + 1;
      const ins = row[j - 1]! + 1;
      const sub = prev + cost;
      row[j] = Math.min(del, ins, sub);
      prev = tmp;
    }
  }
  return row[n]!;
}

/** 1 - distance / longer length: 1 for equal strings, 0 for nothing in common. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return 1;
  return 1 - levenshtein(a, b) / longer;
}

/** Jaro-Winkler similarity (prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const ma = new Uint8Array(la);
  const mb = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (mb[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      ma[i] = 1;
      mb[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!ma[i]) continue;
    while (!mb[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  const jaro = (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Levenshtein distance if it is at most `max`, else `max + 1` (computed in a diagonal band and stopped as soon
 * as every cell of a row exceeds `max`). This is what keeps scoring cheap: most token pairs are far apart.
 */
export function levenshteinBounded(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (max <= 0) return 1;
  if (row.length <= lb) row = new Int32Array(lb * 2 + 1);
  const big = max + 1;
  for (let j = 0; j <= lb; j++) row[j] = j <= max ? j : big;
  for (let i = 1; i <= la; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(lb, i + max);
    let prev = row[lo - 1]!;
    row[lo - 1] = lo - 1 === 0 ? (i <= max ? i : big) : big;
    let rowMin = row[lo - 1]!;
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const tmp = row[j]!;
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      let v = prev + cost;
      const del = tmp + 1;
      const ins = row[j - 1]! + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      if (v > big) v = big;
      row[j] = v;
      if (v < rowMin) rowMin = v;
      prev = tmp;
    }
    if (hi < lb) row[hi + 1] = big;
    if (rowMin > max) return big;
  }
  return row[lb]! > max ? big : row[lb]!;
}

let frow = new Float64Array(64);

/** Cost of one vowel class written for another in phonetic keys (a consonant edit costs 1). */
export const VOWEL_SWAP = 0.5;

/** Vowel classes of phonetic keys (phonetic.ts): A E I O W, and the glide Y. */
function isKeyVowel(c: number): boolean {
  return c === 65 || c === 69 || c === 73 || c === 79 || c === 87 || c === 89;
}

/**
 * Edit distance between two phonetic keys where one vowel class written for another costs a quarter
 * (Nasir/Naser, Mohamed/Muhamid): romanizations of Arabic and Persian names disagree on vowels far more than on
 * consonants. Returns the distance if at most `max`, else `max + 1`.
 */
export function phoneticDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0 || lb === 0) return Math.max(la, lb);
  if (frow.length <= lb) frow = new Float64Array(lb * 2 + 1);
  // Only cells within `band` of the diagonal can stay under `max` (every off-diagonal step costs a whole edit).
  const band = Math.floor(max);
  const big = max + 1;
  for (let j = 0; j <= lb; j++) frow[j] = j <= band ? j : big;
  for (let i = 1; i <= la; i++) {
    const lo = Math.max(1, i - band);
    const hi = Math.min(lb, i + band);
    let prev = frow[lo - 1]!;
    frow[lo - 1] = lo === 1 ? (i <= band ? i : big) : big;
    let rowMin = frow[lo - 1]!;
    const ca = a.charCodeAt(i - 1);
    const va = isKeyVowel(ca);
    for (let j = lo; j <= hi; j++) {
      const tmp = frow[j]!;
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : va && isKeyVowel(cb) ? VOWEL_SWAP : 1;
      let v = prev + cost;
      if (tmp + 1 < v) v = tmp + 1;
      if (frow[j - 1]! + 1 < v) v = frow[j - 1]! + 1;
      frow[j] = v;
      if (v < rowMin) rowMin = v;
      prev = tmp;
    }
    if (hi < lb) frow[hi + 1] = big;
    if (rowMin > max) return big;
  }
  return frow[lb]! > max ? big : frow[lb]!;
}
