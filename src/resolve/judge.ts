import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError, NotFoundError } from '../errors.js';
import type { Store } from '../store/store.js';
import { referentsOf } from './canonical.js';
import { isCanonicalId } from './canonical-id.js';
import {
  formatJudgementLine,
  type Judgement,
  orderedJudgement,
  parseJudgementLine,
  type Verdict,
} from './judgement.js';
import { addJudgements, loadJudgements } from './judgement-store.js';
import { ensureResolved } from './run.js';

/**
 * Analyst judgements: record one, export them as a JSON-lines file another team can apply, apply such a file.
 * Judgements name source entity ids (they outlive canonical ids, which change as referents come and go); a
 * canonical id given here stands for its smallest referent.
 */

export async function sourceId(store: Store, id: string): Promise<string> {
  if (isCanonicalId(id)) {
    const refs = await referentsOf(store, id);
    if (refs.length === 0) throw new NotFoundError(`no canonical entity with id "${id}"`);
    return refs[0]!;
  }
  const rows = await store.db.query('SELECT 1 AS x FROM statements WHERE entity_id = $1 LIMIT 1', [id]);
  if (rows.length === 0) throw new NotFoundError(`no entity with id "${id}"`);
  return id;
}

/** Record an analyst's judgement on two entities, then re-resolve. */
export async function judgePair(
  store: Store,
  a: string,
  b: string,
  verdict: Verdict,
  opts: { reason?: string; author: string; now?: string },
): Promise<Judgement> {
  const left = await sourceId(store, a);
  const right = await sourceId(store, b);
  if (left === right) throw new InputError(`"${a}" and "${b}" are the same entity`);
  const j = orderedJudgement({
    left,
    right,
    verdict,
    reason: opts.reason ?? '',
    author: opts.author,
    createdAt: opts.now ?? new Date().toISOString(),
    origin: 'analyst',
  });
  await addJudgements(store.db, [j]);
  await ensureResolved(store);
  return j;
}

/** Judgements as JSON lines: analysts' and imported ones; with `automatic`, the resolver's merges too. */
export async function exportJudgements(store: Store, opts: { automatic?: boolean } = {}): Promise<string[]> {
  if (opts.automatic) await ensureResolved(store);
  const list = await loadJudgements(store.db, {
    origins: opts.automatic ? ['analyst', 'imported', 'automatic'] : ['analyst', 'imported'],
  });
  return list.map(formatJudgementLine);
}

export interface ApplyResult {
  read: number;
  added: number;
  /** Already stored (same pair, judgement, author and time). */
  known: number;
  /** Resolver merges in the file (origin automatic): not applied, they are re-derived from the data. */
  automatic: number;
}

/** Apply a judgements file (JSON lines); the whole file is checked before anything is written. */
export async function applyJudgementsFile(store: Store, file: string): Promise<ApplyResult> {
  const parsed: Judgement[] = [];
  let automatic = 0;
  let line = 0;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      const j = parseJudgementLine(text, `${file}:${line}`);
      if (/"origin"\s*:\s*"automatic"/.test(text)) {
        automatic++;
        continue;
      }
      parsed.push(j);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${file}: no such file`);
    throw err;
  }
  const known = new Set(
    (await loadJudgements(store.db, { origins: ['analyst', 'imported'] })).map(
      (j) => `${j.left}\u0000${j.right}\u0000${j.verdict}\u0000${j.author}\u0000${j.createdAt}`,
    ),
  );
  const fresh = parsed.filter(
    (j) => !known.has(`${j.left}\u0000${j.right}\u0000${j.verdict}\u0000${j.author}\u0000${j.createdAt}`),
  );
  await addJudgements(store.db, fresh);
  await ensureResolved(store);
  return { read: parsed.length + automatic, added: fresh.length, known: parsed.length - fresh.length, automatic };
}
