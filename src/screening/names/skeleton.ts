import type { NameForm } from '../normalise.js';
import { levenshteinBounded } from '../strings.js';
import { CONFLICT_FACTOR } from './align.js';

/** Skeleton matches (consonants only) are discounted: they ignore every vowel. */
export const ABJAD_FACTOR = 0.92;

export interface SkeletonAlignment {
  /** Paired share of the skeleton weight on both sides, discounted on a conflict. */
  score: number;
  /**
   * One name is the other's father's (or brother's) chain (leadingGivenName): the caller then discounts the
   * whole-skeleton score as well.
   */
  parent: boolean;
}

const NO_ALIGNMENT: SkeletonAlignment = { score: 0, parent: false };

/**
 * Word-by-word skeleton alignment (abjad-script name against a Latin one): words pair when their consonant
 * skeletons are equal (0.9) or one edit apart with four consonants or more (0.75); the paired share of the
 * skeleton weight on both sides is the score, with the conflict penalty of alignNames.
 */
export function alignSkeletons(q: NameForm, c: NameForm): SkeletonAlignment {
  const nq = q.skTokens.length;
  const nc = c.skTokens.length;
  if (nq === 0 || nc === 0) return NO_ALIGNMENT;
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
  const parent = siblings || (leadQ && allPaired(c, usedCs, 0)) || (leadC && allPaired(q, usedQs, 0));
  if (total <= 0) return NO_ALIGNMENT;
  if (parent || (leftQ && leftC)) return { score: (matched / total) * CONFLICT_FACTOR, parent };
  const middle = middleWordsLeftOut(q, usedQs, c, usedCs);
  if (middle > 0) return { score: matched / (total - SKELETON_SUBSET * middle), parent };
  return { score: matched / total, parent };
}

/**
 * Share of a left-out middle word's skeleton weight forgiven (middleWordsLeftOut). 0.5 as SUBSET_DISCOUNT in
 * alignNames; measured on the dev split of test/fixtures/screening/pairs (Arabic set F1 0.822 → 0.884) with the
 * UN and OFAC list evaluation unchanged.
 */
const SKELETON_SUBSET = 0.5;

/**
 * The skeleton weight of the word an abjad-script name of three name words (articles aside) has and the other name lacks, when
 * they are all between its first word (the given name) and its last (the family name or grandfather's name), both
 * paired, and every word of the other name is paired: محمد إبراهيم منصور / Mohammed Mansour, the father's name
 * left out. 0 otherwise: a shorter name that pairs with later words is a father's chain or a namesake.
 */
function middleWordsLeftOut(q: NameForm, usedQ: Uint8Array, c: NameForm, usedC: Uint8Array): number {
  const [a, usedA, b, usedB] = q.abjad ? [q, usedQ, c, usedC] : [c, usedC, q, usedQ];
  if (a.kind !== 'person' || b.kind !== 'person') return 0;
  const n = a.skTokens.length;
  // Articles split off a word (التكريتي → al + tkryty, normalise.ts) are not name words; علي (Ali), also "L", is.
  const split = (t: string): boolean => t.length > 4 && t.startsWith('al');
  const first = split(a.tokens[0] ?? '') ? 1 : 0;
  const words = n - a.tokens.filter(split).length;
  if (words !== 3 || !usedA[first] || !usedA[n - 1]) return 0;
  // One-consonant words (Ali, Ma) pair by accident too easily to anchor the name.
  if ((a.skTokens[first]?.length ?? 0) < 2 || (a.skTokens[n - 1]?.length ?? 0) < 2) return 0;
  for (let j = 0; j < b.skTokens.length; j++) if (!usedB[j] && b.skWeights[j]! > 0.2) return 0;
  let rest = 0;
  for (let i = first + 1; i < n - 1; i++) if (!usedA[i]) rest += a.skWeights[i]! * Math.max(1, a.skTokens[i]!.length);
  return rest;
}

/** The Arabic article as a Latin word. */
const LATIN_ARTICLES = new Set(['al', 'el', 'ul', 'as', 'ash', 'ad', 'ed', 'ud', 'at', 'az', 'ar']);

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
  // A family-name-first Latin name that starts with the article ("EL MASRY, Mustafa"): no given name.
  if (!f.abjad && LATIN_ARTICLES.has(first)) return false;
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
