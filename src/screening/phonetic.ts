import { koreanSurnameKey } from './korean.js';

/**
 * A phonetic key for one folded Latin token, built for the romanization noise of sanctions lists rather than for
 * English spelling: the consonant pairs that Korean (and Russian, Arabic) romanizations disagree on fall into one
 * class, vowels collapse to four classes, and Korean family-name spellings go through the surname table first.
 *
 * - k g q c kh kk ck gh → K      t d th tt → T      p b ph pp → P      f v → F
 * - j ch tch jj zh dz dj (ts at the start) → J      s ss sh z → S      r l rr ll → R      ng → G
 * - a → A;  e ae ai ay → E;  i ee y(final) → I;  o u eo eu oo ou ŏ ŭ → O;  oe oi oy we wae → W
 * - h is kept only before a vowel at the start or after a vowel; r after a vowel and before a consonant is
 *   dropped (Park = Pak); runs of one class collapse.
 *
 * So Ri = Rhee = Lee = Yi, Pak = Park, Jong = Chong = Jung = Jeong, Choe = Ch'oe = Choi, Hyok = Hyeok = Hyuk.
 */
const cache = new Map<string, string>();
const CACHE_MAX = 500_000;

export function phoneticKey(token: string): string {
  let key = cache.get(token);
  if (key === undefined) {
    key = computePhoneticKey(token);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(token, key);
  }
  return key;
}

function computePhoneticKey(token: string): string {
  const n0 = token.length;
  for (let k = 0; k < n0; k++) {
    const code = token.charCodeAt(k);
    if (code < 97 || code > 122) return token;
  }
  const t = koreanSurnameKey(token) ?? token;
  const n = t.length;
  let out = '';
  let last = '';
  const push = (c: string): void => {
    if (c !== last) {
      out += c;
      last = c;
    }
  };
  let i = 0;
  while (i < n) {
    const c = t[i]!;
    const d = i + 1 < n ? t[i + 1]! : '';
    const e = i + 2 < n ? t[i + 2]! : '';
    // vowels and glides
    if (VOWEL.has(c)) {
      if (c === 'w' && d === 'a' && e === 'e') {
        push('W');
        i += 3;
        continue;
      }
      const di = c + d;
      const two = DIGRAPH_VOWEL[di];
      if (two !== undefined) {
        push(two);
        i += 2;
        continue;
      }
      if (c === 'y') push(i === n - 1 || !VOWEL_ONLY.has(d) ? 'I' : 'Y');
      else push(SINGLE_VOWEL[c]!);
      i++;
      continue;
    }
    // affricates and consonant digraphs
    if ((c === 't' && d === 'c' && e === 'h') || (c === 't' && d === 's' && e === 'h')) {
      push('J');
      i += 3;
      continue;
    }
    const di = c + d;
    const two = DIGRAPH_CONSONANT[di];
    if (two !== undefined) {
      push(two);
      i += 2;
      continue;
    }
    if (di === 'ts' && i === 0) {
      push('J');
      i += 2;
      continue;
    }
    switch (c) {
      case 'c':
        push(d === 'e' || d === 'i' ? 'S' : 'K');
        break;
      case 'x':
        push('K');
        push('S');
        break;
      case 'r':
        // "Park" → Pak: r after a vowel before a consonant is silent in these spellings. A final r stays (Omar,
        // Bakr, Dhar are not Oma, Bak, Da).
        if (i > 0 && VOWEL_ONLY.has(t[i - 1]!) && d !== '' && !VOWEL_ONLY.has(d)) break;
        push('R');
        break;
      case 'h':
        // Kept at the start before a vowel, and between vowels (Taha is not Ta; Sohail, Mahan).
        if (VOWEL_ONLY.has(d) && (i === 0 || VOWEL_ONLY.has(t[i - 1]!))) push('H');
        break;
      default:
        push(SINGLE_CONSONANT[c] ?? c);
    }
    i++;
  }
  return out;
}

const VOWEL = new Set(['a', 'e', 'i', 'o', 'u', 'y', 'w']);
const VOWEL_ONLY = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const SINGLE_VOWEL: Record<string, string> = { a: 'A', e: 'E', i: 'I', o: 'O', u: 'O', w: 'W' };
const DIGRAPH_VOWEL: Record<string, string> = {
  oe: 'W',
  oi: 'W',
  oy: 'W',
  we: 'W',
  eo: 'O',
  eu: 'O',
  oo: 'O',
  ou: 'O',
  ae: 'E',
  ai: 'E',
  ay: 'E',
  ee: 'I',
};
const DIGRAPH_CONSONANT: Record<string, string> = {
  ch: 'J',
  jj: 'J',
  zh: 'J',
  dz: 'J',
  dj: 'J',
  ng: 'G',
  kh: 'K',
  kk: 'K',
  ck: 'K',
  gh: 'K',
  th: 'T',
  tt: 'T',
  ph: 'P',
  sh: 'S',
  ss: 'S',
  rh: 'R',
};
const SINGLE_CONSONANT: Record<string, string> = {
  k: 'K',
  g: 'K',
  q: 'K',
  t: 'T',
  d: 'T',
  p: 'P',
  b: 'P',
  f: 'F',
  v: 'F',
  s: 'S',
  z: 'S',
  l: 'R',
  j: 'J',
  m: 'M',
  n: 'N',
};
