import { entitiesFromStatements } from '../model/entity.js';
import { ScreeningIndex } from '../screening/index.js';
import { DEFAULT_THRESHOLD, featureTable, scoreCandidate, scoreValue } from '../screening/score.js';
import { CURRENT_VERSIONS_SQL } from '../store/repositories/statements.js';
import type { Store } from '../store/store.js';
import { ensureResolvedOnce } from './canonical.js';
import { pairKey } from './judgement.js';
import { loadJudgements } from './judgement-store.js';
import { groupOf, RESOLVABLE_SCHEMATA } from './strong-keys.js';

/**
 * Candidate pairs for analysts: entities the screening matcher (src/screening) scores as likely the same, among
 * entities not already in one canonical entity and not yet judged. The matcher is the one `/match` uses, so the
 * features shown beside each pair are the ones a screening result would explain itself with. Nothing is merged
 * here: an analyst says positive, negative or unsure (`dedupe judge`, `POST /dedupe/judgements`, the Dedupe page).
 *
 * How the pairs are found (fast: a few seconds on the ≈ 17,000 people, organisations, vessels and wallets of the
 * bundled lists): every entity is prepared once in a screening index; each one's candidates come from the index's
 * blocking (posting lists of name tokens, phonetic keys, trigrams, identifiers, typed-array vote accumulators),
 * restricted to the same kind of thing; each unordered pair is scored once (the features are symmetric), cheaply
 * first and explained only when it reaches the threshold. The scored pairs are kept per store and list state in
 * this process, so the API pages through them and drops judged pairs without scoring again.
 */

export interface CandidateSide {
  id: string;
  caption: string;
  schema: string;
  datasets: string[];
  /** The entity's properties (FtM), for a side-by-side view. */
  properties: Record<string, string[]>;
}

export interface Candidate {
  left: CandidateSide;
  right: CandidateSide;
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
  /** Pairs skipped first (paging; default 0). */
  offset?: number;
  /** Only pairs whose left or right entity has this schema. */
  schema?: string;
}

/** Every pair at or above the threshold (before canonical and judged pairs are dropped), best first. */
interface Scored {
  threshold: number;
  pairs: Candidate[];
}

const scoredCache = new WeakMap<Store, { signature: string; threshold: number; run: Promise<Scored> }>();

/** What the matcher's pairs depend on: the current list versions and the statements outside versions. */
async function entitySignature(store: Store): Promise<string> {
  const versions = await store.db.query(`SELECT id FROM (${CURRENT_VERSIONS_SQL}) v ORDER BY id`);
  const loose = await store.db.query('SELECT COUNT(*) AS n, MAX(ord) AS m FROM statements WHERE version_id IS NULL');
  return `${versions.map((v) => String(v.id)).join(',')}|${String(loose[0]?.n)}|${String(loose[0]?.m)}`;
}

/** Score every pair of the store's current resolvable entities at or above `threshold` (cached per list state). */
async function scoredPairs(store: Store, threshold: number): Promise<Scored> {
  const signature = await entitySignature(store);
  const cached = scoredCache.get(store);
  if (cached && cached.signature === signature && cached.threshold <= threshold) return cached.run;
  const run = scoreAll(store, threshold);
  scoredCache.set(store, { signature, threshold, run });
  run.catch(() => scoredCache.delete(store));
  return run;
}

async function scoreAll(store: Store, threshold: number): Promise<Scored> {
  const statements = await store.currentStatements();
  const resolvable = new Set(RESOLVABLE_SCHEMATA);
  const entities = entitiesFromStatements(statements.filter((s) => resolvable.has(s.schema)));
  const index = ScreeningIndex.build(
    entities.map((e) => ({ id: e.id, schema: e.schema, properties: e.properties, datasets: e.datasets })),
  );
  const n = index.entities.length;
  const groups = new Int8Array(n);
  const groupIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const g = groupOf(index.entities[i]!.schema) ?? 'other';
    groups[i] = groupIds.get(g) ?? groupIds.set(g, groupIds.size + 1).get(g)!;
  }
  const ordinal = new Map<object, number>(index.entities.map((e, i) => [e, i]));
  const table = featureTable();
  const done = new Set<number>();
  const pairs: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const q = index.entities[i]!;
    const group = groups[i]!;
    const compatible = index.compatibleSchemata(q.schema);
    const ranked = index.candidates(
      q,
      15,
      (e) => e !== q && compatible.has(e.schema) && groups[ordinal.get(e)!] === group,
    );
    for (const j of ranked) {
      const key = i < j ? i * n + j : j * n + i;
      if (done.has(key)) continue;
      done.add(key);
      const e = index.entities[j]!;
      if (scoreValue(q, e, table) < threshold) continue;
      const s = scoreCandidate(q, e, threshold, table);
      if (s.score < threshold) continue;
      const [a, b] = q.id < e.id ? [q, e] : [e, q];
      const side = (p: typeof q): CandidateSide => ({
        id: p.id,
        caption: p.caption,
        schema: p.schema,
        datasets: [...p.datasets].sort(),
        properties: p.properties,
      });
      pairs.push({ left: side(a), right: side(b), score: s.score, features: s.features });
    }
  }
  pairs.sort((x, y) => y.score - x.score || cmp(x.left.id, y.left.id) || cmp(x.right.id, y.right.id));
  return { threshold, pairs };
}

/** Candidate pairs and how many there are in all (before offset and limit). */
export async function candidatePage(
  store: Store,
  opts: CandidateOptions = {},
): Promise<{ total: number; results: Candidate[] }> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  await ensureResolvedOnce(store);
  const canonical = new Map<string, string>();
  for (const r of await store.db.query('SELECT entity_id, canonical_id FROM resolve_canonical'))
    canonical.set(String(r.entity_id), String(r.canonical_id));
  const judged = new Set(
    (await loadJudgements(store.db, { origins: ['analyst', 'imported'] })).map((j) => pairKey(j.left, j.right)),
  );
  const canon = (id: string) => canonical.get(id) ?? id;
  const wanted = opts.sources ? new Set(opts.sources) : undefined;
  const { pairs } = await scoredPairs(store, threshold);
  const kept = pairs.filter(
    (p) =>
      p.score >= threshold &&
      (!wanted || p.left.datasets.some((d) => wanted.has(d)) || p.right.datasets.some((d) => wanted.has(d))) &&
      (!opts.schema || p.left.schema === opts.schema || p.right.schema === opts.schema) &&
      canon(p.left.id) !== canon(p.right.id) &&
      !judged.has(pairKey(p.left.id, p.right.id)),
  );
  const offset = opts.offset ?? 0;
  return { total: kept.length, results: kept.slice(offset, offset + (opts.limit ?? 100)) };
}

/** Candidate pairs, best first (see candidatePage for paging and the total). */
export async function findCandidates(store: Store, opts: CandidateOptions = {}): Promise<Candidate[]> {
  return (await candidatePage(store, opts)).results;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
