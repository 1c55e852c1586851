import { entitiesFromStatements } from '../model/entity.js';
import { ScreeningIndex } from '../screening/index.js';
import type { Store } from '../store/store.js';
import { ensureResolvedOnce } from './canonical.js';
import { pairKey } from './judgement.js';
import { loadJudgements } from './judgement-store.js';
import { groupOf } from './strong-keys.js';

/**
 * Candidate pairs for analysts: entities the screening matcher (src/screening) scores as likely the same, among
 * entities not already in one canonical entity and not yet judged. The matcher is the one `/match` uses, so the
 * features shown beside each pair are the ones a screening result would explain itself with. Nothing is merged
 * here: an analyst says positive, negative or unsure with `dedupe judge`.
 */

export interface Candidate {
  left: { id: string; caption: string; schema: string; datasets: string[] };
  right: { id: string; caption: string; schema: string; datasets: string[] };
  score: number;
  features: Record<string, number>;
}

export interface CandidateOptions {
  /** Query with the entities of these sources (default: every source). */
  sources?: string[];
  /** Minimum matcher score (default 0.7). */
  threshold?: number;
  /** Most pairs returned, best first (default 100). */
  limit?: number;
}

export async function findCandidates(store: Store, opts: CandidateOptions = {}): Promise<Candidate[]> {
  const threshold = opts.threshold ?? 0.7;
  await ensureResolvedOnce(store);
  const canonical = new Map<string, string>();
  for (const r of await store.db.query('SELECT entity_id, canonical_id FROM resolve_canonical'))
    canonical.set(String(r.entity_id), String(r.canonical_id));
  const judged = new Set(
    (await loadJudgements(store.db, { origins: ['analyst', 'imported'] })).map((j) => pairKey(j.left, j.right)),
  );
  const entities = entitiesFromStatements(await store.currentStatements()).filter((e) => groupOf(e.schema));
  const index = ScreeningIndex.build(
    entities.map((e) => ({ id: e.id, schema: e.schema, properties: e.properties, datasets: e.datasets })),
  );
  const byId = new Map(entities.map((e) => [e.id, e]));
  const wanted = opts.sources ? new Set(opts.sources) : undefined;
  const best = new Map<string, Candidate>();
  const canon = (id: string) => canonical.get(id) ?? id;
  for (const e of entities) {
    if (wanted && ![...e.datasets].some((d) => wanted.has(d))) continue;
    const group = groupOf(e.schema);
    const results = index.match(
      { id: e.id, schema: e.schema, properties: e.properties, datasets: e.datasets },
      { limit: 5, threshold, cutoff: threshold },
    );
    for (const r of results) {
      if (r.id === e.id || r.score < threshold || groupOf(r.schema) !== group) continue;
      if (canon(r.id) === canon(e.id)) continue;
      const key = pairKey(e.id, r.id);
      if (judged.has(key)) continue;
      const prior = best.get(key);
      if (prior && prior.score >= r.score) continue;
      const other = byId.get(r.id)!;
      const [a, b] = e.id < r.id ? [e, other] : [other, e];
      best.set(key, {
        left: { id: a.id, caption: a.caption(), schema: a.schema, datasets: [...a.datasets].sort() },
        right: { id: b.id, caption: b.caption(), schema: b.schema, datasets: [...b.datasets].sort() },
        score: r.score,
        features: r.features,
      });
    }
  }
  return [...best.values()]
    .sort((x, y) => y.score - x.score || cmp(x.left.id, y.left.id) || cmp(x.right.id, y.right.id))
    .slice(0, opts.limit ?? 100);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
