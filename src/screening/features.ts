import { isKoreanSyllableWord, looksKorean } from './korean.js';
import type { NameForm } from './normalise.js';
import type { Prepared } from './prepare.js';
import { levenshteinBounded, phoneticDistance } from './strings.js';

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
/** Share of the extra words' weight forgiven when one name is wholly contained in the other. */
export const SUBSET_DISCOUNT = 0.5;

/**
 * Similarity of two tokens: 1 when equal, 0.92 when their phonetic keys agree (Jong/Chong, Ri/Lee), otherwise
 * the Levenshtein similarity of the spelling or (discounted) of the phonetic keys, raised to a power by length
 * (lengthExponent). Squaring short words keeps short
 * Korean syllables apart: "Chol" and "Chon" are different names, not a typo.
 */
const pairCache = new Map<string, Map<string, number>>();
const orgPairCache = new Map<string, Map<string, number>>();
let pairCacheSize = 0;

/** Forget memoised token similarities (called per query by the index; the cache is also size-capped). */
export function resetTokenCache(): void {
  pairCache.clear();
  orgPairCache.clear();
  pairCacheSize = 0;
}

export function tokenSimilarity(a: string, pa: string, b: string, pb: string, initials = true): number {
  if (a === b) return 1;
  if (pa === pb && pa !== '') return 0.92;
  // An initial stands for a word with that first letter ("Andrei N" ~ "Andrei Nikolaevich"); in a company name a
  // lone letter is part of an initialism ("I&S Holding"), not an initial.
  if (initials && ((a.length === 1 && b.length > 1 && b[0] === a) || (b.length === 1 && a.length > 1 && a[0] === b)))
    return 0.8;
  const cache = shortExponent === 2 ? pairCache : orgPairCache;
  let inner = cache.get(a);
  const hit = inner?.get(b);
  if (hit !== undefined) return hit;
  const s = computeTokenSimilarity(a, pa, b, pb);
  if (pairCacheSize > 200_000) resetTokenCache();
  if (!inner) cache.set(a, (inner = new Map()));
  inner.set(b, s);
  pairCacheSize++;
  return s;
}

/**
 * How sharply a spelling distance counts, by word length: short words (Korean syllables, "Chol"/"Chon") are
 * different names after one edit, so their similarity is squared; longer words carry typos and transliteration
 * noise ("Ellissa"/"Elessa", "Helios"/"Gelios") and are judged more gently.
 */
function lengthExponent(longer: number): number {
  return longer <= 5 ? shortExponent : longer <= 7 ? 1.5 : 1.25;
}

/**
 * The exponent for words of five letters or fewer: 2 in person names (syllables), 1.5 in company names, where a
 * short word is a brand spelled in several ways ("3D Moll"/"3D Mall", "West-Ost"/"Vest-Ost"). Set per name pair.
 */
let shortExponent = 2;

/** Similarity of a word and its abbreviation ("Tech"/"Technology", "Balt"/"Baltiyskiy", "Shaf"/"Shafee"). */
export const PREFIX_SIMILARITY = 0.8;

function computeTokenSimilarity(a: string, pa: string, b: string, pb: string): number {
  // A word of four letters or more that begins a word at least two letters longer is its abbreviation, unless it
  // is a Korean syllable: "Chon" does not abbreviate "Chongchongang", it is another name.
  const short = a.length <= b.length ? a : b;
  const long = short === a ? b : a;
  if (short.length >= 4 && long.length >= short.length + 2 && long.startsWith(short) && !isKoreanSyllableWord(short))
    return PREFIX_SIMILARITY;
  // Only similarities whose power reaches TOKEN_FLOOR matter: bound the edit distance accordingly.
  const longer = Math.max(a.length, b.length);
  const pw = lengthExponent(longer);
  const need = TOKEN_FLOOR ** (1 / pw);
  const maxLit = Math.floor((1 - need) * longer + 1e-9);
  let best = 0;
  if (maxLit > 0) {
    const d = levenshteinBounded(a, b, maxLit);
    if (d <= maxLit) best = (1 - d / longer) ** pw;
  }
  const plonger = Math.max(pa.length, pb.length);
  const ppw = lengthExponent(plonger);
  const maxPh = (1 - TOKEN_FLOOR ** (1 / ppw) / 0.95) * plonger + 1e-9;
  if (maxPh >= 0.5 && pa.length > 0 && pb.length > 0) {
    // Vowel classes disagree at half cost in keys of four letters or more (Nasir/Naser); in shorter keys, such as
    // Korean syllables (Yong/Yang), a vowel is the name.
    const d =
      Math.min(pa.length, pb.length) >= 4
        ? phoneticDistance(pa, pb, maxPh)
        : levenshteinBounded(pa, pb, Math.floor(maxPh));
    if (d <= maxPh) best = Math.max(best, ((1 - d / plonger) * 0.95) ** ppw);
  }
  return best;
}

/**
 * Token alignment: pair tokens greedily by similarity (each used once, any order) and score the paired share of
 * all token weight on both sides (token weight = length × kind weight, so "llc" or "co" count little).
 */
export function alignNames(q: NameForm, c: NameForm): number {
  const nq = q.tokens.length;
  const nc = c.tokens.length;
  if (nq === 0 || nc === 0) return 0;
  const cells = nq * nc;
  if (sim.length < cells) sim = new Float64Array(cells * 2);
  if (usedQ.length < nq) usedQ = new Uint8Array(nq * 2);
  if (usedC.length < nc) usedC = new Uint8Array(nc * 2);
  let total = 0;
  const initials = q.kind !== 'org' && c.kind !== 'org';
  shortExponent = q.kind === 'org' && c.kind === 'org' ? 1.5 : 2;
  for (let i = 0; i < nq; i++) {
    usedQ[i] = 0;
    total += q.weights[i]! * Math.max(q.tokens[i]!.length, 2);
    for (let j = 0; j < nc; j++) {
      const s = tokenSimilarity(q.tokens[i]!, q.phonetic[i]!, c.tokens[j]!, c.phonetic[j]!, initials);
      sim[i * nc + j] = s >= TOKEN_FLOOR ? s : 0;
    }
  }
  for (let j = 0; j < nc; j++) {
    usedC[j] = 0;
    total += c.weights[j]! * Math.max(c.tokens[j]!.length, 2);
  }
  if (total <= 0) return 0;
  // A word written as two on the other side ("TAI PEN" / "TAIPEN", "HAMMEDI, Ben" / "BENHAMMEDI"), spelled or keyed
  // the same, pairs first (before "hammedi" settles for "mohammed").
  let matched = 0;
  let pairs = 0;
  // Only between names of a few name words (persons, short company names; "co", "llc" do not count): in long
  // names the loops cost more than the rare split word they find.
  if ((nq > 1 || nc > 1) && nameWords(q) <= MERGE_MAX_WORDS && nameWords(c) <= MERGE_MAX_WORDS) {
    const m = mergeWords(q, usedQ, c, usedC) + mergeWords(c, usedC, q, usedQ);
    if (m > 0) {
      matched += m;
      pairs++;
    }
  }
  // Greedy pairing, best pair first; each token is used once. Names are short, so a scan per pick is cheap.
  for (let pick = 0; pick < nq && pick < nc; pick++) {
    let best = 0;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < nq; i++) {
      if (usedQ[i]) continue;
      for (let j = 0; j < nc; j++) {
        const s = sim[i * nc + j]!;
        if (s > best && !usedC[j]) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    pairs++;
    usedQ[bi] = 1;
    usedC[bj] = 1;
    const wq = q.weights[bi]! * Math.max(q.tokens[bi]!.length, 2);
    const wc = c.weights[bj]! * Math.max(c.tokens[bj]!.length, 2);
    matched += best * (wq + wc);
  }
  // A name word left over on both sides is conflicting evidence (Kim Jong Un / Kim Yo Jong), not just a longer
  // form of the same name (Kim Chol / Kim Chol Nam).
  let leftQ = false;
  let restQ = 0;
  for (let i = 0; i < nq; i++) {
    if (usedQ[i]) continue;
    if (q.base[i]! >= 0.9) leftQ = true;
    restQ += q.weights[i]! * Math.max(q.tokens[i]!.length, 2);
  }
  let leftC = false;
  let restC = 0;
  for (let j = 0; j < nc; j++) {
    if (usedC[j]) continue;
    if (c.base[j]! >= 0.9) leftC = true;
    restC += c.weights[j]! * Math.max(c.tokens[j]!.length, 2);
  }
  if (leftQ && leftC) return (matched / total) * CONFLICT_FACTOR;
  // Korean given names are two syllables (sometimes one): a syllable more or less is another given name, "Jo Chol"
  // is not "Jo Yong Chol".
  if ((leftQ || leftC) && looksKorean(q.tokens) && looksKorean(c.tokens)) return (matched / total) * CONFLICT_FACTOR;
  // One name of two words or more fully inside the other (a missing middle name or patronymic): the extra words
  // count half. A one-word name (a nickname, "MIKE") gets no such allowance, nor do Korean names, whose given
  // names are syllables: "Jo Chol" and "Jo Yong Chol" are different names, not a short and a long form.
  if (pairs >= 2 && (restQ === 0 || restC === 0) && !(looksKorean(q.tokens) && looksKorean(c.tokens)))
    return matched / (total - SUBSET_DISCOUNT * (restQ + restC));
  return matched / total;
}

/** "abd" and a name pair with a joined 'abd name at this similarity (Abd al-Nasir / Abdelnasser). */
const ABD_JOIN_FLOOR = 0.8;

/** Names with more name words than this are not searched for words written as two (mergeWords). */
const MERGE_MAX_WORDS = 4;

/** Words of full weight (not organisation types or symbols). */
function nameWords(f: NameForm): number {
  let n = 0;
  for (let i = 0; i < f.base.length; i++) if (f.base[i]! >= 0.9) n++;
  return n;
}

/**
 * Pair two unpaired words of `a` (joined, in either order: list names put the family name first or last) with one
 * unpaired word of `b` of five letters or more that is spelled like the join (1) or has its phonetic key (0.92).
 * Checked without building strings: this runs for every candidate name pair. (A near join, one edit away, was
 * tried too: one more hit in the evaluation for 30% more time per query.) Returns the weight matched and marks the
 * words used.
 */
function mergeWords(a: NameForm, usedA: Uint8Array, b: NameForm, usedB: Uint8Array): number {
  const na = a.tokens.length;
  if (na < 2) return 0;
  let matched = 0;
  for (let j = 0; j < b.tokens.length; j++) {
    const target = b.tokens[j]!;
    const tl = target.length;
    if (usedB[j] || tl < 5) continue;
    const tph = b.phonetic[j]!;
    const pl = tph.length;
    let best = 0;
    let bi = -1;
    let bk = -1;
    for (let i = 0; i < na; i++) {
      const ti = a.tokens[i]!;
      const pi = a.phonetic[i]!;
      // The join starts with word i: shorter than the target, and its first letter (or key letter) starts it.
      if (usedA[i] || ti.length >= tl) continue;
      if (ti.charCodeAt(0) !== target.charCodeAt(0) && pi.charCodeAt(0) !== tph.charCodeAt(0)) continue;
      for (let k = 0; k < na; k++) {
        if (k === i || usedA[k]) continue;
        const tk = a.tokens[k]!;
        const pk = a.phonetic[k]!;
        let s = 0;
        if (ti.length + tk.length === tl && target.startsWith(ti) && target.endsWith(tk)) s = 1;
        else if (pi.length + pk.length === pl && tph.startsWith(pi) && tph.endsWith(pk)) s = 0.92;
        else if (ti === 'abd' && target.startsWith('abd') && Math.abs(3 + tk.length - tl) <= 2) {
          // "abd nasir" and Abdelnasser (canonical abdnasser, normalise.ts): the name after 'abd may vary.
          s = tokenSimilarity(ti + tk, pi + pk, target, tph, false);
        }
        if (s > best) {
          best = s;
          bi = i;
          bk = k;
        }
      }
    }
    if (best < (bi >= 0 && a.tokens[bi] === 'abd' ? ABD_JOIN_FLOOR : 0.92)) {
      // Three words in order, spelled as one: Korean syllables ("Chong Chon Gang" / CHONGCHONGANG).
      const bm = na >= 3 ? joinOfThree(a, usedA, target) : -1;
      if (bm < 0) continue;
      usedA[bm] = usedA[bm + 1] = usedA[bm + 2] = 1;
      usedB[j] = 1;
      matched += 0.97 * (tokenWeight(a, bm) + tokenWeight(a, bm + 1) + tokenWeight(a, bm + 2) + tokenWeight(b, j));
      continue;
    }
    usedA[bi] = 1;
    usedA[bk] = 1;
    usedB[j] = 1;
    // A split word is a small difference, as in compactSimilarity ("Jongun" / "Jong Un": 0.97).
    matched += Math.min(best, 0.97) * (tokenWeight(a, bi) + tokenWeight(a, bk) + tokenWeight(b, j));
  }
  return matched;
}

/** A token's weight in the alignment: its weight times its length (at least 2). */
function tokenWeight(f: NameForm, x: number): number {
  return f.weights[x]! * Math.max(f.tokens[x]!.length, 2);
}

/** The first of three adjacent unpaired words of `a` that spell `target` joined, or -1. */
function joinOfThree(a: NameForm, usedA: Uint8Array, target: string): number {
  for (let m = 0; m + 2 < a.tokens.length; m++) {
    if (usedA[m] || usedA[m + 1] || usedA[m + 2]) continue;
    const x = a.tokens[m]!;
    const y = a.tokens[m + 1]!;
    const z = a.tokens[m + 2]!;
    if (x.length + y.length + z.length !== target.length || !target.startsWith(x) || !target.endsWith(z)) continue;
    if (target.startsWith(y, x.length)) return m;
  }
  return -1;
}

let sim = new Float64Array(64);
let usedQ = new Uint8Array(16);
let usedC = new Uint8Array(16);

/**
 * Compact comparison: the phonetic keys of all tokens joined, so word splits stop mattering ("Jong Un",
 * "Jong-un", "Jongun"). When the word counts differ, the candidate's tokens are also tried in rotated order (family
 * name first or last; with equal counts the token alignment already handles order). The
 * similarity is cubed: joined strings are long, and one edit in a short name is a different name.
 */
export function compactSimilarity(q: NameForm, c: NameForm, atLeast = 0): number {
  const longer = Math.max(q.compact.length, c.compact.length);
  if (longer < 4) return q.compact === c.compact && longer > 0 ? 1 : 0;
  // cube(1 - d / longer) must exceed `atLeast` to matter.
  const maxDist = Math.floor((1 - Math.cbrt(Math.max(0, atLeast))) * longer + 1e-9);
  let bestDist = levenshteinBounded(q.compact, c.compact, maxDist);
  const n = c.phonetic.length;
  const rotate = n !== q.phonetic.length && n > 1 && n <= 6;
  if (bestDist > 0 && rotate && Math.abs(q.compact.length - c.compact.length) <= maxDist) {
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

/**
 * Word-by-word skeleton alignment (abjad-script name against a Latin one): words pair when their consonant
 * skeletons are equal (0.9) or one edit apart with four consonants or more (0.75); the paired share of the
 * skeleton weight on both sides is the score, with the conflict penalty of alignNames.
 */
export function alignSkeletons(q: NameForm, c: NameForm): number {
  const nq = q.skTokens.length;
  const nc = c.skTokens.length;
  if (nq === 0 || nc === 0) return 0;
  const usedQs = new Uint8Array(nq);
  const usedCs = new Uint8Array(nc);
  const w = (f: NameForm, i: number): number => f.skWeights[i]! * Math.max(1, f.skTokens[i]!.length);
  let total = 0;
  for (let i = 0; i < nq; i++) total += w(q, i);
  for (let j = 0; j < nc; j++) total += w(c, j);
  let matched = 0;
  for (const pass of [0.9, 0.75]) {
    for (let i = 0; i < nq; i++) {
      if (usedQs[i]) continue;
      const a = q.skTokens[i]!;
      for (let j = 0; j < nc; j++) {
        if (usedCs[j]) continue;
        const b = c.skTokens[j]!;
        const ok = pass === 0.9 ? a === b : a.length >= 4 && b.length >= 4 && levenshteinBounded(a, b, 1) <= 1;
        if (!ok) continue;
        usedQs[i] = 1;
        usedCs[j] = 1;
        matched += pass * (w(q, i) + w(c, j));
        break;
      }
    }
    // Compound names written as one word on one side and two or three on the other (عبد الله / Abdullah,
    // شمس الدين / Shamsuddin, ولی جان / Walijan): adjacent unpaired words joined pair with one word.
    matched += mergeRun(
      q.skTokens,
      usedQs,
      c.skTokens,
      usedCs,
      pass,
      (i) => w(q, i),
      (j) => w(c, j),
    );
    matched += mergeRun(
      c.skTokens,
      usedCs,
      q.skTokens,
      usedQs,
      pass,
      (j) => w(c, j),
      (i) => w(q, i),
    );
  }
  let leftQ = false;
  for (let i = 0; i < nq; i++) if (!usedQs[i] && q.skWeights[i]! >= 0.9 && q.skTokens[i]!.length >= 2) leftQ = true;
  let leftC = false;
  for (let j = 0; j < nc; j++) if (!usedCs[j] && c.skWeights[j]! >= 0.9 && c.skTokens[j]!.length >= 2) leftC = true;
  const leadQ = leadingGivenName(q, usedQs, c);
  const leadC = leadingGivenName(c, usedCs, q);
  // Siblings: both first words left over and plainly different (not one skeleton the start of the other: the
  // transliteration of طه, Taha, is "th", read as one consonant).
  const a = q.skTokens[0] ?? '';
  const b = c.skTokens[0] ?? '';
  const siblings = leadQ && leadC && !a.startsWith(b) && !b.startsWith(a);
  skeletonParent = siblings || (leadQ && allPaired(c, usedCs, 0)) || (leadC && allPaired(q, usedQs, 0));
  return total > 0 ? (matched / total) * (skeletonParent || (leftQ && leftC) ? CONFLICT_FACTOR : 1) : 0;
}

/** First words of compound Arabic names, in Latin spelling and in the abjad transliteration (ابو = abw). */
const COMPOUND_STARTS = new Set(['abu', 'abw', 'abou', 'abd', 'bd', 'abdul', 'abdel', 'umm', 'am', 'ibn', 'bin', 'bn']);

/**
 * Every word of the name from `from` on paired, articles aside (a short word left over means the alignment is
 * unsure).
 */
function allPaired(f: NameForm, used: Uint8Array, from: number): boolean {
  for (let i = from; i < f.skTokens.length; i++) if (!used[i] && f.skTokens[i] !== 'L') return false;
  return true;
}

/**
 * Whether the last alignSkeletons call found one name to be the other's father's chain (leadingGivenName): read
 * by nameScore, which then discounts the whole-skeleton score as well.
 */
let skeletonParent = false;

/**
 * A name whose first word is left over while the words after it all pair with the other name (the other name
 * fully paired, or its first word left over too: siblings): in an Arabic name
 * chain (given name + father's name + grandfather's or family name, in natural order, as the abjad script and
 * the UN list write it) the other name is the father's chain, another person: عدي صدام حسين, Uday son of Saddam
 * son of Hussein, is not SADDAM HUSSEIN. A family-name-first Latin name ("AL-TIKRITI, Uday Saddam") never
 * triggers it: its first word pairs.
 */
function leadingGivenName(f: NameForm, used: Uint8Array, other: NameForm): boolean {
  const n = f.skTokens.length;
  // The first word may be short in skeleton form (عدي, Uday, and Ali are one consonant) but not the article, nor
  // the first half of a compound name (Abu Bakr, Abd al-Latif) that the other name writes as one word. A
  // one-consonant first word pairs by accident with an article ("ALI" and "al-"): unless the other name starts
  // with the same consonant, it counts as left over.
  const first = f.tokens[0] ?? '';
  const sk = f.skTokens[0] ?? '';
  const accidental = sk.length === 1 && other.skTokens[0] !== sk;
  if (n < 3 || (used[0] && !accidental) || first.length < 2 || COMPOUND_STARTS.has(first)) return false;
  if (f.abjad && first.length > 4 && first.startsWith('al')) return false;
  let paired = 0;
  for (let i = 1; i < n; i++) if (used[i]) paired++;
  return paired >= 2 && allPaired(f, used, 1);
}

/** Join two word skeletons, collapsing a consonant repeated across the join (JLL + L + DN → JLLDN). */
export function joinSkeletons(a: string, b: string): string {
  return a.length > 0 && b.length > 0 && a[a.length - 1] === b[0] ? a + b.slice(1) : a + b;
}

/**
 * Pair runs of two or three adjacent unpaired words of `a` with one unpaired word of `b` whose skeleton is their
 * concatenation (exactly at pass 0.9, within one edit at 0.75 with five consonants or more). Returns the weight
 * matched and marks the words used.
 */
function mergeRun(
  a: string[],
  usedA: Uint8Array,
  b: string[],
  usedB: Uint8Array,
  pass: number,
  wa: (i: number) => number,
  wb: (j: number) => number,
): number {
  let matched = 0;
  for (let j = 0; j < b.length; j++) {
    if (usedB[j] || b[j]!.length < 3) continue;
    const target = b[j]!;
    for (let i = 0; i + 1 < a.length && !usedB[j]; i++) {
      let joined = '';
      for (let k = i; k < a.length && k < i + 3; k++) {
        if (usedA[k]) break;
        joined = joinSkeletons(joined, a[k]!);
        if (k === i) continue;
        const ok = pass === 0.9 ? joined === target : joined.length >= 5 && levenshteinBounded(joined, target, 1) <= 1;
        if (!ok) continue;
        let wsum = 0;
        for (let m = i; m <= k; m++) {
          usedA[m] = 1;
          wsum += wa(m);
        }
        usedB[j] = 1;
        matched += pass * (wsum + wb(j));
        break;
      }
    }
  }
  return matched;
}

export function skeletonSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  if (longer < 3) return a === b && longer > 0 ? 0.8 : 0;
  const maxDist = Math.floor(longer * 0.3);
  const d = levenshteinBounded(a, b, maxDist);
  if (d > maxDist) return 0;
  // Short skeletons (three or four consonants) say little: scale them down.
  return (1 - d / longer) ** 2 * Math.min(1, longer / 6);
}

export interface NamePairScore {
  score: number;
  query: string;
  candidate: string;
  method: 'exact' | 'tokens' | 'compact' | 'skeleton' | 'acronym';
}

/** Similarity of two normalised names: exact token match, token alignment, or compact phonetic match. */
export function compareNames(q: NameForm, c: NameForm): NamePairScore {
  const score = nameScore(q, c);
  return { score, query: q.original, candidate: c.original, method: lastMethod };
}

let lastMethod: NamePairScore['method'] = 'tokens';

/** compareNames without allocation (hot path); the method used is left in `lastMethod`. */
function nameScore(q: NameForm, c: NameForm): number {
  const n = q.tokens.length;
  if (n === c.tokens.length) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = q.tokens[i] === c.tokens[i];
    if (same) {
      lastMethod = 'exact';
      return 1;
    }
  }
  const aligned = alignNames(q, c);
  let score = aligned;
  lastMethod = 'tokens';
  // The compact key rescues word splits ("Jongun"); with equal word counts it only matters for near misses.
  if (aligned < 0.97 && (n !== c.tokens.length || aligned >= 0.4)) {
    const compact = compactSimilarity(q, c, Math.max(0.5, aligned / 0.97)) * 0.97;
    if (compact > score) {
      score = compact;
      lastMethod = 'compact';
    }
  }
  // Abjad scripts write no short vowels: compare consonant skeletons (محمد = MHMD ~ Muhammad).
  if (q.abjad !== c.abjad) {
    const aligned = alignSkeletons(q, c);
    // The whole skeleton and the transliterated words forgive word splits and a missing word, not one name being
    // the other's father's or brother's chain (alignSkeletons' leadingGivenName).
    if (skeletonParent) score *= CONFLICT_FACTOR;
    const whole = skeletonSimilarity(q.skeleton, c.skeleton) * (skeletonParent ? CONFLICT_FACTOR : 1);
    const sk = Math.max(whole, aligned) * ABJAD_FACTOR;
    if (sk > score) {
      score = sk;
      lastMethod = 'skeleton';
    }
  }
  return score;
}

/** The best name pair over every name and alias of both sides (weak aliases discounted). */
export function bestNamePair(query: Prepared, candidate: Prepared): NamePairScore | undefined {
  const best = bestNameScore(query, candidate);
  if (!bestQ || !bestC) return undefined;
  return { score: best, query: bestQ.original, candidate: bestC.original, method: bestMethod };
}

let bestQ: NameForm | undefined;
let bestC: NameForm | undefined;
let bestMethod: NamePairScore['method'] = 'tokens';

/** The score of bestNamePair without building the pair (the hot path of candidate scoring). */
export function bestNameScore(query: Prepared, candidate: Prepared): number {
  bestQ = undefined;
  bestC = undefined;
  let best = 0;
  best = namesRound(query.names, candidate.names, 1, best);
  if (best < WEAK_ALIAS_FACTOR) {
    best = namesRound(query.names, candidate.weakNames, WEAK_ALIAS_FACTOR, best);
    best = namesRound(query.weakNames, candidate.names, WEAK_ALIAS_FACTOR, best);
  }
  if (best < ACRONYM_FACTOR) {
    best = acronymRound(query.names, candidate.acronyms, best, false);
    best = acronymRound(candidate.names, query.acronyms, best, true);
  }
  return best;
}

/**
 * A one-word name equal to the other side's acronym (acronym.ts) scores this, below the default threshold: short
 * initials are weak evidence (AIG is Ammunition Industries Group and Armament Industries Group), so such a
 * candidate is returned for review, ranked, but not called a match on its name alone. (At 0.8 the evaluation's
 * pairs gained false positives and no hits.)
 */
export const ACRONYM_FACTOR = 0.65;

/** A one-word name of `names` equal to one of `acronyms`; `swapped` when the names are the candidate's. */
function acronymRound(names: NameForm[], acronyms: Prepared['acronyms'], best: number, swapped: boolean): number {
  if (acronyms.length === 0) return best;
  for (const form of names) {
    if (form.tokens.length !== 1) continue;
    const hit = acronyms.find((a) => a.key === form.tokens[0]);
    if (!hit) continue;
    bestQ = swapped ? hit.from : form;
    bestC = swapped ? form : hit.from;
    bestMethod = 'acronym';
    return ACRONYM_FACTOR;
  }
  return best;
}

function namesRound(qs: NameForm[], cs: NameForm[], factor: number, best: number): number {
  for (let a = 0; a < qs.length && best < factor; a++) {
    for (let b = 0; b < cs.length && best < factor; b++) {
      // A LegalEntity's name comes as a person and an organisation form: compare like with like when both exist.
      if (crossKind(qs, a, cs[b]!) || crossKind(cs, b, qs[a]!)) continue;
      const score = nameScore(qs[a]!, cs[b]!) * factor;
      if (score > best || bestQ === undefined) {
        best = Math.max(best, score);
        bestQ = qs[a];
        bestC = cs[b];
        bestMethod = lastMethod;
      }
    }
  }
  return best;
}

/**
 * forms[i] is a person (or organisation) form of a name whose other-kind form is also in `forms` (adjacent, as
 * prepare() adds them), and `other` is of that other kind: the pair is compared through the twin instead.
 */
function crossKind(forms: NameForm[], i: number, other: NameForm): boolean {
  const f = forms[i]!;
  if (
    f.kind === other.kind ||
    (f.kind !== 'person' && f.kind !== 'org') ||
    (other.kind !== 'person' && other.kind !== 'org')
  )
    return false;
  const twin = f.kind === 'person' ? forms[i + 1] : forms[i - 1];
  return twin !== undefined && twin.kind === other.kind && twin.original === f.original;
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
