import type { NameForm } from '../normalise.js';
import type { Prepared } from '../prepare.js';
import { compareNameForms, type NameMethod } from './compare.js';

/**
 * The best name pair over every name and alias of a query and a candidate: strong names first, weak aliases
 * (FtM weakAlias) at a discount, then acronyms.
 */

/** Weak aliases (low-quality AKAs) count at this fraction. */
export const WEAK_ALIAS_FACTOR = 0.9;

/**
 * A one-word name equal to the other side's acronym (acronym.ts) scores this, below the default threshold: short
 * initials are weak evidence (AIG is Ammunition Industries Group and Armament Industries Group), so such a
 * candidate is returned for review, ranked, but not called a match on its name alone. (At 0.8 the evaluation's
 * pairs gained false positives and no hits.)
 */
export const ACRONYM_FACTOR = 0.65;

export interface NamePair {
  score: number;
  query: NameForm;
  candidate: NameForm;
  method: NameMethod;
}

/** The best name pair of two prepared entities, or undefined when either side has no name. */
export function bestNamePair(query: Prepared, candidate: Prepared): NamePair | undefined {
  let best = namesRound(query.names, candidate.names, 1, undefined);
  if (!best || best.score < WEAK_ALIAS_FACTOR) {
    best = namesRound(query.names, candidate.weakNames, WEAK_ALIAS_FACTOR, best);
    best = namesRound(query.weakNames, candidate.names, WEAK_ALIAS_FACTOR, best);
  }
  if (!best || best.score < ACRONYM_FACTOR) {
    best = acronymRound(query.names, candidate.acronyms, best, false);
    best = acronymRound(candidate.names, query.acronyms, best, true);
  }
  return best;
}

/** The score of bestNamePair (0 without names). */
export function bestNameScore(query: Prepared, candidate: Prepared): number {
  return bestNamePair(query, candidate)?.score ?? 0;
}

/**
 * Compare every pair of `qs` × `cs` (scores times `factor`) while the best is below `factor`; returns the better of
 * `best` and the round's best.
 */
function namesRound(qs: NameForm[], cs: NameForm[], factor: number, best: NamePair | undefined): NamePair | undefined {
  for (let a = 0; a < qs.length && (best?.score ?? 0) < factor; a++) {
    for (let b = 0; b < cs.length && (best?.score ?? 0) < factor; b++) {
      // A LegalEntity's name comes as a person and an organisation form: compare like with like when both exist.
      if (crossKind(qs, a, cs[b]!) || crossKind(cs, b, qs[a]!)) continue;
      const r = compareNameForms(qs[a]!, cs[b]!);
      const score = r.score * factor;
      if (best === undefined || score > best.score)
        best = { score, query: qs[a]!, candidate: cs[b]!, method: r.method };
    }
  }
  return best;
}

/** A one-word name of `names` equal to one of `acronyms`; `swapped` when the names are the candidate's. */
function acronymRound(
  names: NameForm[],
  acronyms: Prepared['acronyms'],
  best: NamePair | undefined,
  swapped: boolean,
): NamePair | undefined {
  if (acronyms.length === 0) return best;
  for (const form of names) {
    if (form.tokens.length !== 1) continue;
    const hit = acronyms.find((a) => a.key === form.tokens[0]);
    if (!hit) continue;
    return {
      score: ACRONYM_FACTOR,
      query: swapped ? hit.from : form,
      candidate: swapped ? form : hit.from,
      method: 'acronym',
    };
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
