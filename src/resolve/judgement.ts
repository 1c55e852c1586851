import { InputError } from '../errors.js';

/**
 * A judgement: someone (an analyst, another team's file, or the resolver itself) says two source entities are
 * the same thing (positive), are not (negative), or cannot tell (unsure). The pair is unordered and stored with
 * the smaller id on the left. For a pair the latest judgement counts; a negative one stops every merge that
 * would put the two in one canonical entity, automatic or not.
 */
export type Verdict = 'positive' | 'negative' | 'unsure';
export const VERDICTS: readonly Verdict[] = ['positive', 'negative', 'unsure'];

/** analyst: `dedupe judge`; imported: `dedupe apply`; automatic: a strong-identifier merge by the resolver. */
export type Origin = 'analyst' | 'imported' | 'automatic';

export interface Judgement {
  left: string;
  right: string;
  verdict: Verdict;
  reason: string;
  author: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  origin: Origin;
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** The judgement with its pair in order (left < right); refuses a pair of one id. */
export function orderedJudgement(j: Judgement): Judgement {
  if (j.left === j.right) throw new InputError(`a judgement needs two different ids ("${j.left}" twice)`);
  return j.left < j.right ? j : { ...j, left: j.right, right: j.left };
}

/** The latest judgement of each pair (input in the order they were made). */
export function latestPerPair(judgements: Iterable<Judgement>): Judgement[] {
  const byPair = new Map<string, Judgement>();
  for (const j of judgements) byPair.set(pairKey(j.left, j.right), j);
  return [...byPair.values()];
}

/** One line of a judgements file (JSON lines, one object per line; the fields of Judgement). */
export function formatJudgementLine(j: Judgement): string {
  return JSON.stringify({
    left: j.left,
    right: j.right,
    judgement: j.verdict,
    reason: j.reason,
    author: j.author,
    created_at: j.createdAt,
    origin: j.origin,
  });
}

/** Parse one judgements-file line; `where` is `file:line` for the error message. */
export function parseJudgementLine(line: string, where: string): Judgement {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new InputError(`${where}: not a JSON object`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InputError(`${where}: not a JSON object`);
  const o = v as Record<string, unknown>;
  const str = (k: string, required: boolean): string => {
    const x = o[k];
    if (x === undefined || x === null) {
      if (required) throw new InputError(`${where}: "${k}" is missing`);
      return '';
    }
    if (typeof x !== 'string') throw new InputError(`${where}: "${k}" must be a string`);
    return x;
  };
  const verdict = str('judgement', true);
  if (!(VERDICTS as readonly string[]).includes(verdict))
    throw new InputError(`${where}: "judgement" must be positive, negative or unsure (got "${verdict.slice(0, 40)}")`);
  const left = str('left', true);
  const right = str('right', true);
  if (left === '' || right === '') throw new InputError(`${where}: "left" and "right" must be entity ids`);
  if (left === right) throw new InputError(`${where}: "left" and "right" are the same id`);
  const createdAt = str('created_at', false) || new Date().toISOString();
  if (Number.isNaN(Date.parse(createdAt))) throw new InputError(`${where}: "created_at" is not an ISO-8601 time`);
  return orderedJudgement({
    left,
    right,
    verdict: verdict as Verdict,
    reason: str('reason', false),
    author: str('author', false) || 'unknown',
    createdAt: new Date(createdAt).toISOString(),
    origin: 'imported',
  });
}
