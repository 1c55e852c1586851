import type { NameForm } from '../normalise.js';
import { levenshteinBounded } from '../strings.js';

/**
 * Compact comparison: the phonetic keys of all tokens joined, so word splits stop mattering ("Jong Un",
 * "Jong-un", "Jongun"). When the word counts differ, the candidate's tokens are also tried in rotated order (family
 * name first or last; with equal counts the token alignment already handles order). The similarity is cubed:
 * joined strings are long, and one edit in a short name is a different name. Results below `atLeast` may be
 * returned as 0 (the edit distance is bounded accordingly).
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
