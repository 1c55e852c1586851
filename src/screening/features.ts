import type { NameForm } from './normalise.js';
import type { Prepared } from './prepare.js';
import { levenshteinBounded } from './strings.js';

/**
 * Named, pure feature functions over a prepared query and a prepared candidate. Each returns a value in 0..1
 * and a one-line detail a person can check; score.ts weighs them. Qualifiers (birth date, country, gender, flag)
 * return 0 when either side lacks the data, so a missing fact never counts for or against a match.
 */

export interface FeatureResult {
  value: number;
  detail: string;
}

export type FeatureFn = (query: Prepared, candidate: Prepared) => FeatureResult;

const NONE: FeatureResult = { value: 0, detail: '' };

/** Weak aliases (low-quality AKAs) count at this fraction. */
export const WEAK_ALIAS_FACTOR = 0.9;
/** Two tokens below this similarity are not paired at all. */
const TOKEN_FLOOR = 0.6;
/** Applied when both names keep an unpaired full-weight word. */
export const CONFLICT_FACTOR = 0.8;

/**
 * Similarity of two tokens: 1 when equal, 0.92 when their phonetic keys agree (Jong/Chong, Ri/Lee), otherwise
 * the squared Levenshtein similarity of the spelling or (discounted) of the phonetic keys. Squaring keeps short
 * Korean syllables apart: "Chol" and "Chon" are different names, not a typo.
 */
export function tokenSimilarity(a: string, pa: string, b: string, pb: string): number {
  if (a === b) return 1;
  if (pa === pb && pa !== '') return 0.92;
  // Only similarities whose square reaches TOKEN_FLOOR matter: bound the edit distance accordingly.
  const need = Math.sqrt(TOKEN_FLOOR);
  const longer = Math.max(a.length, b.length);
  const maxLit = Math.floor((1 - need) * longer + 1e-9);
  let best = 0;
  if (maxLit > 0) {
    const d = levenshteinBounded(a, b, maxLit);
    if (d <= maxLit) best = 1 - d / longer;
  }
  const plonger = Math.max(pa.length, pb.length);
  const maxPh = Math.floor((1 - need / 0.95) * plonger + 1e-9);
  if (maxPh > 0 && pa.length > 0 && pb.length > 0) {
    const d = levenshteinBounded(pa, pb, maxPh);
    if (d <= maxPh) best = Math.max(best, (1 - d / plonger) * 0.95);
  }
  return best * best;
}

/**
 * Token alignment: pair tokens greedily by similarity (each used once, any order) and score the paired share of
 * all token weight on both sides (token weight = length × kind weight, so "llc" or "co" count little).
 */
export function alignNames(q: NameForm, c: NameForm): number {
  const nq = q.tokens.length;
  const nc = c.tokens.length;
  if (nq === 0 || nc === 0) return 0;
  const pairs: Array<[number, number, number]> = [];
  for (let i = 0; i < nq; i++) {
    for (let j = 0; j < nc; j++) {
      const s = tokenSimilarity(q.tokens[i]!, q.phonetic[i]!, c.tokens[j]!, c.phonetic[j]!);
      if (s >= TOKEN_FLOOR) pairs.push([s, i, j]);
    }
  }
  pairs.sort((x, y) => y[0] - x[0]);
  const usedQ = new Uint8Array(nq);
  const usedC = new Uint8Array(nc);
  let matched = 0;
  let total = 0;
  const wq = (i: number): number => q.weights[i]! * Math.max(2, q.tokens[i]!.length);
  const wc = (j: number): number => c.weights[j]! * Math.max(2, c.tokens[j]!.length);
  for (let i = 0; i < nq; i++) total += wq(i);
  for (let j = 0; j < nc; j++) total += wc(j);
  for (const [s, i, j] of pairs) {
    if (usedQ[i] || usedC[j]) continue;
    usedQ[i] = 1;
    usedC[j] = 1;
    matched += s * (wq(i) + wc(j));
  }
  if (total <= 0) return 0;
  // A name word left over on both sides is conflicting evidence (Kim Jong Un / Kim Yo Jong), not just a longer
  // form of the same name (Kim Chol / Kim Chol Nam).
  const leftover = (used: Uint8Array, weights: number[]): boolean => {
    for (let k = 0; k < used.length; k++) if (!used[k] && weights[k]! >= 0.9) return true;
    return false;
  };
  const conflict = leftover(usedQ, q.base) && leftover(usedC, c.base);
  return (matched / total) * (conflict ? CONFLICT_FACTOR : 1);
}

/**
 * Compact comparison: the phonetic keys of all tokens joined, so word splits stop mattering ("Jong Un",
 * "Jong-un", "Jongun"). The candidate's tokens are also tried in rotated order (family name first or last). The
 * similarity is cubed: joined strings are long, and one edit in a short name is a different name.
 */
export function compactSimilarity(q: NameForm, c: NameForm, atLeast = 0): number {
  const longer = Math.max(q.compact.length, c.compact.length);
  if (longer < 4) return q.compact === c.compact && longer > 0 ? 1 : 0;
  // cube(1 - d / longer) must exceed `atLeast` to matter.
  const maxDist = Math.floor((1 - Math.cbrt(Math.max(0, atLeast))) * longer + 1e-9);
  let bestDist = levenshteinBounded(q.compact, c.compact, maxDist);
  const n = c.phonetic.length;
  if (bestDist > 0 && n > 1 && n <= 6 && Math.abs(q.compact.length - c.compact.length) <= maxDist) {
    for (let r = 1; r < n && bestDist > 0; r++) {
      const rotated = c.phonetic.slice(r).join('') + c.phonetic.slice(0, r).join('');
      bestDist = Math.min(bestDist, levenshteinBounded(q.compact, rotated, Math.min(maxDist, bestDist)));
    }
  }
  if (bestDist > maxDist) return 0;
  const s = 1 - bestDist / longer;
  return s * s * s;
}

/** Skeleton matches (consonants only) are discounted: they ignore every vowel. */
export const ABJAD_FACTOR = 0.92;

export function skeletonSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  if (longer < 3) return a === b && longer > 0 ? 0.8 : 0;
  const maxDist = Math.floor(longer * 0.3);
  const d = levenshteinBounded(a, b, maxDist);
  if (d > maxDist) return 0;
  // Short skeletons (three or four consonants) say little: scale them down.
  return (1 - d / longer) ** 1.5 * Math.min(1, longer / 6);
}

export interface NamePairScore {
  score: number;
  query: string;
  candidate: string;
  method: 'exact' | 'tokens' | 'compact' | 'skeleton';
}

/** Similarity of two normalised names: exact token match, token alignment, or compact phonetic match. */
export function compareNames(q: NameForm, c: NameForm): NamePairScore {
  const base = { query: q.original, candidate: c.original };
  if (q.tokens.length === c.tokens.length && q.tokens.every((t, i) => t === c.tokens[i])) {
    return { ...base, score: 1, method: 'exact' };
  }
  const aligned = alignNames(q, c);
  const compact = compactSimilarity(q, c, Math.max(0.3, aligned / 0.97)) * 0.97;
  let best: NamePairScore =
    compact > aligned ? { ...base, score: compact, method: 'compact' } : { ...base, score: aligned, method: 'tokens' };
  // Abjad scripts write no short vowels: compare consonant skeletons (محمد = MHMD ~ Muhammad).
  if (q.abjad !== c.abjad) {
    const sk = skeletonSimilarity(q.skeleton, c.skeleton) * ABJAD_FACTOR;
    if (sk > best.score) best = { ...base, score: sk, method: 'skeleton' };
  }
  return best;
}

/** The best name pair over every name and alias of both sides (weak aliases discounted). */
export function bestNamePair(query: Prepared, candidate: Prepared): NamePairScore | undefined {
  let best: NamePairScore | undefined;
  const consider = (qs: NameForm[], cs: NameForm[], factor: number): void => {
    for (const q of qs) {
      for (const c of cs) {
        const r = compareNames(q, c);
        const score = r.score * factor;
        if (!best || score > best.score) best = { ...r, score };
        if (best.score >= 1) return;
      }
    }
  };
  consider(query.names, candidate.names, 1);
  if (!best || best.score < 1) {
    consider(query.names, candidate.weakNames, WEAK_ALIAS_FACTOR);
    consider(query.weakNames, candidate.names, WEAK_ALIAS_FACTOR);
  }
  return best;
}

// ---- the features -----------------------------------------------------------------------------------------

export const nameSimilarity: FeatureFn = (q, c) => {
  const best = bestNamePair(q, c);
  if (!best) return NONE;
  return {
    value: best.score,
    detail: `"${best.query}" ~ "${best.candidate}" (${best.method}, ${best.score.toFixed(3)})`,
  };
};

function intersect(a: Set<string>, b: Set<string>): string | undefined {
  for (const v of a) if (b.has(v)) return v;
  return undefined;
}

function exactIdentifier(label: string, pick: (p: Prepared) => Set<string>): FeatureFn {
  return (q, c) => {
    const hit = intersect(pick(q), pick(c));
    return hit ? { value: 1, detail: `${label} ${hit} on both` } : NONE;
  };
}

export const imoMatch = exactIdentifier('IMO', (p) => p.imo);
export const mmsiMatch = exactIdentifier('MMSI', (p) => p.mmsi);
export const callSignMatch = exactIdentifier('call sign', (p) => p.callSigns);
export const documentMatch = exactIdentifier('document number', (p) => p.documents);
export const cryptoAddressMatch = exactIdentifier('address', (p) => p.cryptoAddresses);

/** Both sides carry a (check-digit valid) IMO number and none agree: a different ship. */
export const imoMismatch: FeatureFn = (q, c) => {
  if (q.imo.size === 0 || c.imo.size === 0 || intersect(q.imo, c.imo)) return NONE;
  return { value: 1, detail: `IMO ${[...q.imo].join('/')} vs ${[...c.imo].join('/')}` };
};

function years(dates: string[]): Set<string> {
  return new Set(dates.map((d) => d.slice(0, 4)));
}

/** Some birth date agrees at the precision both give (day, month or year). */
export const birthDateMatch: FeatureFn = (q, c) => {
  for (const a of q.birthDates) {
    for (const b of c.birthDates) {
      const n = Math.min(a.length, b.length);
      if (a.slice(0, n) === b.slice(0, n)) return { value: 1, detail: `born ${a} / ${b}` };
    }
  }
  return NONE;
};

/** Both give birth dates and no year is shared. */
export const birthYearMismatch: FeatureFn = (q, c) => {
  if (q.birthDates.length === 0 || c.birthDates.length === 0) return NONE;
  if (intersect(years(q.birthDates), years(c.birthDates))) return NONE;
  return { value: 1, detail: `born ${q.birthDates.join('/')} vs ${c.birthDates.join('/')}` };
};

export const countryMatch: FeatureFn = (q, c) => {
  const hit = intersect(q.countries, c.countries);
  return hit ? { value: 1, detail: `country ${hit.toUpperCase()} on both` } : NONE;
};

export const countryMismatch: FeatureFn = (q, c) => {
  if (q.countries.size === 0 || c.countries.size === 0 || intersect(q.countries, c.countries)) return NONE;
  const fmt = (s: Set<string>): string => [...s].map((x) => x.toUpperCase()).join('/');
  return { value: 1, detail: `country ${fmt(q.countries)} vs ${fmt(c.countries)}` };
};

export const genderMismatch: FeatureFn = (q, c) => {
  if (!q.gender || !c.gender || q.gender === c.gender) return NONE;
  return { value: 1, detail: `gender ${q.gender} vs ${c.gender}` };
};

export const flagMismatch: FeatureFn = (q, c) => {
  if (q.flags.size === 0 || c.flags.size === 0 || intersect(q.flags, c.flags)) return NONE;
  return { value: 1, detail: `flag ${[...q.flags].join('/')} vs ${[...c.flags].join('/')}`.toUpperCase() };
};
