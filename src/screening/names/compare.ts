import type { NameForm } from '../normalise.js';
import { alignNames, CONFLICT_FACTOR } from './align.js';
import { compactSimilarity } from './compact.js';
import { ABJAD_FACTOR, alignSkeletons, skeletonSimilarity } from './skeleton.js';

/** How a name pair was judged similar. */
export type NameMethod = 'exact' | 'tokens' | 'compact' | 'skeleton' | 'acronym';

export interface NameComparison {
  score: number;
  method: NameMethod;
}

const EXACT: NameComparison = { score: 1, method: 'exact' };

/**
 * Similarity of two normalised names: the same tokens (exact), the token alignment, the compact phonetic key
 * (word splits), or, between an abjad-script name and a Latin one, the consonant skeletons; the best wins.
 */
export function compareNameForms(q: NameForm, c: NameForm): NameComparison {
  const n = q.tokens.length;
  if (n === c.tokens.length) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = q.tokens[i] === c.tokens[i];
    if (same) return EXACT;
  }
  const aligned = alignNames(q, c);
  let score = aligned;
  let method: NameMethod = 'tokens';
  // The compact key rescues word splits ("Jongun"); with equal word counts it only matters for near misses.
  if (aligned < 0.97 && (n !== c.tokens.length || aligned >= 0.4)) {
    const compact = compactSimilarity(q, c, Math.max(0.5, aligned / 0.97)) * 0.97;
    if (compact > score) {
      score = compact;
      method = 'compact';
    }
  }
  // Abjad scripts write no short vowels: compare consonant skeletons (محمد = MHMD ~ Muhammad).
  if (q.abjad !== c.abjad) {
    const words = alignSkeletons(q, c);
    // The whole skeleton and the transliterated words forgive word splits and a missing word, not one name being
    // the other's father's or brother's chain (alignSkeletons' leadingGivenName).
    if (words.parent) score *= CONFLICT_FACTOR;
    const whole = skeletonSimilarity(q.skeleton, c.skeleton) * (words.parent ? CONFLICT_FACTOR : 1);
    const sk = Math.max(whole, words.score) * ABJAD_FACTOR;
    if (sk > score) {
      score = sk;
      method = 'skeleton';
    }
  }
  return { score, method };
}
