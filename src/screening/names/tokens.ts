import { isKoreanSyllableWord } from '../korean.js';
import { levenshteinBounded, phoneticDistance } from '../strings.js';

/**
 * Similarity of two words: 1 when equal, 0.92 when their phonetic keys agree (Jong/Chong, Ri/Lee), 0.8 for an
 * initial or an abbreviation, otherwise the Levenshtein similarity of the spelling or (discounted) of the phonetic
 * keys, raised to a power by length (lengthExponent). Squaring short words keeps short Korean syllables apart:
 * "Chol" and "Chon" are different names, not a typo.
 */

/** Two tokens below this similarity are not paired at all. */
export const TOKEN_FLOOR = 0.6;

/** Similarity of a word and its abbreviation ("Tech"/"Technology", "Balt"/"Baltiyskiy", "Shaf"/"Shafee"). */
export const PREFIX_SIMILARITY = 0.8;

/**
 * The exponent for words of five letters or fewer: 2 in person names (syllables), 1.5 between two company names,
 * where a short word is a brand spelled in several ways ("3D Moll"/"3D Mall", "West-Ost"/"Vest-Ost").
 */
export const PERSON_SHORT_EXPONENT = 2;
export const ORG_SHORT_EXPONENT = 1.5;

/** Memoised similarities per short-word exponent (a query compares the same words with many candidates). */
const personCache = new Map<string, Map<string, number>>();
const orgCache = new Map<string, Map<string, number>>();
let cacheSize = 0;
const CACHE_LIMIT = 200_000;

/** Forget memoised token similarities (called per query by the index; the cache is also size-capped). */
export function resetTokenCache(): void {
  personCache.clear();
  orgCache.clear();
  cacheSize = 0;
}

/**
 * Similarity of two tokens (spelling a/b, phonetic keys pa/pb). `initials`: a lone letter may stand for a word
 * with that first letter (person names; in a company name a lone letter is part of an initialism). `shortExponent`:
 * PERSON_SHORT_EXPONENT or ORG_SHORT_EXPONENT.
 */
export function tokenSimilarity(
  a: string,
  pa: string,
  b: string,
  pb: string,
  initials: boolean,
  shortExponent: number,
): number {
  if (a === b) return 1;
  if (pa === pb && pa !== '') return 0.92;
  // An initial stands for a word with that first letter ("Andrei N" ~ "Andrei Nikolaevich").
  if (initials && ((a.length === 1 && b.length > 1 && b[0] === a) || (b.length === 1 && a.length > 1 && a[0] === b)))
    return 0.8;
  const cache = shortExponent === PERSON_SHORT_EXPONENT ? personCache : orgCache;
  let inner = cache.get(a);
  const hit = inner?.get(b);
  if (hit !== undefined) return hit;
  const s = computeTokenSimilarity(a, pa, b, pb, shortExponent);
  if (cacheSize > CACHE_LIMIT) {
    resetTokenCache();
    inner = undefined;
  }
  if (!inner) cache.set(a, (inner = new Map()));
  inner.set(b, s);
  cacheSize++;
  return s;
}

/**
 * How sharply a spelling distance counts, by word length: short words (Korean syllables, "Chol"/"Chon") are
 * different names after one edit, so their similarity is raised to `shortExponent`; longer words carry typos and
 * transliteration noise ("Ellissa"/"Elessa", "Helios"/"Gelios") and are judged more gently.
 */
function lengthExponent(longer: number, shortExponent: number): number {
  return longer <= 5 ? shortExponent : longer <= 7 ? 1.5 : 1.25;
}

function computeTokenSimilarity(a: string, pa: string, b: string, pb: string, shortExponent: number): number {
  // A word of four letters or more that begins a word at least two letters longer is its abbreviation, unless it
  // is a Korean syllable: "Chon" does not abbreviate "Chongchongang", it is another name.
  const short = a.length <= b.length ? a : b;
  const long = short === a ? b : a;
  if (short.length >= 4 && long.length >= short.length + 2 && long.startsWith(short) && !isKoreanSyllableWord(short))
    return PREFIX_SIMILARITY;
  // Only similarities whose power reaches TOKEN_FLOOR matter: bound the edit distance accordingly.
  const longer = Math.max(a.length, b.length);
  const pw = lengthExponent(longer, shortExponent);
  const need = TOKEN_FLOOR ** (1 / pw);
  const maxLit = Math.floor((1 - need) * longer + 1e-9);
  let best = 0;
  if (maxLit > 0) {
    const d = levenshteinBounded(a, b, maxLit);
    if (d <= maxLit) best = (1 - d / longer) ** pw;
  }
  const plonger = Math.max(pa.length, pb.length);
  const ppw = lengthExponent(plonger, shortExponent);
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
