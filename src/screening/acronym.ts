import { foldTokens } from './normalise.js';

/**
 * Acronyms of organisation names. Investigators search by acronym ("IMU", "BNC", "RIHS") and lists do not always
 * carry it as an alias, so an organisation's names also yield their initials: every word but articles and
 * prepositions, and again without a trailing legal form ("KOREA KWANGSON BANKING CORPORATION" → kkbc and kkb).
 * Compared only for equality with a one-word name on the other side (features.ts), at a discount: a short
 * acronym is weak evidence.
 */

/** Words that do not give an initial (English, Romance, German, Arabic articles and prepositions). */
const SKIP = new Set(
  'of the and for de la le les del della di da do dos das du des et y e und fur in on at al el an a wa ul i'.split(' '),
);

/** Legal forms that an acronym often leaves out when they end the name. */
const LEGAL_TAIL = new Set(
  'ltd llc co inc corp company corporation limited sa sarl gmbh ag jsc ooo oao pjsc cjsc fze fzco plc bv nv spa srl sl ab as kft doo pte pvt sdn bhd cv'.split(
    ' ',
  ),
);

const MIN = 3;
const MAX = 8;

/** The acronyms of one name (folded, lower case): none for a name of fewer than three words giving initials. */
export function acronymsOf(name: string): string[] {
  const words = foldTokens(name).filter((w) => !SKIP.has(w));
  const out: string[] = [];
  const add = (ws: string[]): void => {
    if (ws.length < MIN || ws.length > MAX) return;
    const key = ws.map((w) => w[0]).join('');
    if (!out.includes(key)) out.push(key);
  };
  add(words);
  let end = words.length;
  while (end > 0 && LEGAL_TAIL.has(words[end - 1]!)) end--;
  if (end < words.length) add(words.slice(0, end));
  return out;
}
