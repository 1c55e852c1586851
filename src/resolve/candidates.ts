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
 * first and explained only when it reaches the threshold. The scored pairs are stored (resolve_candidates) with the
 * list state they were scored for, and kept in this process: until a list changes, `dedupe candidates` and the API
 * read them (well under a second), page through them and drop judged pairs without scoring again.
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

/** One scored pair before it is shown: ids, what the filters need, the score and features. */
interface ScoredPair {
  left: string;
  right: string;
  leftSchema: string;
  rightSchema: string;
  leftDatasets: string[];
  rightDatasets: string[];
  score: number;
  features: Record<string, number>;
}

/** Every pair at or above the threshold (before canonical and judged pairs are dropped), best first. */
interface Scored {
  threshold: number;
  pairs: ScoredPair[];
}

const scoredCache = new WeakMap<Store, { signature: string; threshold: number; run: Promise<Scored> }>();

/** What the matcher's pairs depend on: the current list versions and the statements outside versions. */
async function entitySignature(store: Store): Promise<string> {
  const versions = await store.db.query(`SELECT id FROM (${CURRENT_VERSIONS_SQL}) v ORDER BY id`);
  const loose = await store.db.query('SELECT COUNT(*) AS n, MAX(ord) AS m FROM statements WHERE version_id IS NULL');
  return `${versions.map((v) => String(v.id)).join(',')}|${String(loose[0]?.n)}|${String(loose[0]?.m)}`;
}

/**
 * The scored pairs of the store's current entities at or above `threshold`: from this process's cache, else from
 * resolve_candidates when they were scored for the same list state, else scored now and stored.
 */
async function scoredPairs(store: Store, threshold: number): Promise<Scored> {
  const signature = await entitySignature(store);
  const cached = scoredCache.get(store);
  if (cached && cached.signature === signature && cached.threshold <= threshold) return cached.run;
  const run = (async () =>
    (await storedPairs(store, signature, threshold)) ?? (await scoreAndStore(store, signature, threshold)))();
  scoredCache.set(store, { signature, threshold, run });
  run.catch(() => scoredCache.delete(store));
  return run;
}

const split = (v: unknown) => (String(v) === '' ? [] : String(v).split(','));

async function storedPairs(store: Store, signature: string, threshold: number): Promise<Scored | undefined> {
  const runs = await store.db.query(
    'SELECT threshold FROM resolve_candidate_runs WHERE signature = $1 AND threshold <= $2 ORDER BY threshold LIMIT 1',
    [signature, threshold],
  );
  if (runs.length === 0) return undefined;
  const stored = Number(runs[0]!.threshold);
  const rows = await store.db.query(
    `SELECT left_id, right_id, left_schema, right_schema, left_datasets, right_datasets, score, features
     FROM resolve_candidates WHERE score >= $1 ORDER BY score DESC, left_id, right_id`,
    [stored],
  );
  const pairs = rows.map((r) => ({
    left: String(r.left_id),
    right: String(r.right_id),
    leftSchema: String(r.left_schema),
    rightSchema: String(r.right_schema),
    leftDatasets: split(r.left_datasets),
    rightDatasets: split(r.right_datasets),
    score: Number(r.score),
    features: JSON.parse(String(r.features)) as Record<string, number>,
  }));
  return { threshold: stored, pairs };
}

async function scoreAndStore(store: Store, signature: string, threshold: number): Promise<Scored> {
  const scored = await scoreAll(store, threshold);
  const p = scored.pairs;
  const text = (f: (x: ScoredPair) => string) => p.map(f);
  await store.db.transaction(async (tx) => {
    await tx.exec('DELETE FROM resolve_candidates; DELETE FROM resolve_candidate_runs');
    if (p.length > 0) {
      await tx.bulkInsert(
        'resolve_candidates',
        [
          { name: 'left_id', type: 'text' },
          { name: 'right_id', type: 'text' },
          { name: 'left_schema', type: 'text' },
          { name: 'right_schema', type: 'text' },
          { name: 'left_datasets', type: 'text' },
          { name: 'right_datasets', type: 'text' },
          { name: 'score', type: 'double' },
          { name: 'features', type: 'text' },
        ],
        [
          {
            length: p.length,
            columns: [
              text((x) => x.left),
              text((x) => x.right),
              text((x) => x.leftSchema),
              text((x) => x.rightSchema),
              text((x) => x.leftDatasets.join(',')),
              text((x) => x.rightDatasets.join(',')),
              p.map((x) => x.score),
              text((x) => JSON.stringify(x.features)),
            ],
          },
        ],
      );
    }
    await tx.query(
      'INSERT INTO resolve_candidate_runs (signature, threshold, pairs, computed_at) VALUES ($1, $2, $3, $4)',
      [signature, threshold, p.length, new Date().toISOString()],
    );
  });
  return scored;
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
  const pairs: ScoredPair[] = [];
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
      pairs.push({
        left: a.id,
        right: b.id,
        leftSchema: a.schema,
        rightSchema: b.schema,
        leftDatasets: [...a.datasets].sort(),
        rightDatasets: [...b.datasets].sort(),
        score: s.score,
        features: s.features,
      });
    }
  }
  pairs.sort((x, y) => y.score - x.score || cmp(x.left, y.left) || cmp(x.right, y.right));
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
      (!wanted || p.leftDatasets.some((d) => wanted.has(d)) || p.rightDatasets.some((d) => wanted.has(d))) &&
      (!opts.schema || p.leftSchema === opts.schema || p.rightSchema === opts.schema) &&
      canon(p.left) !== canon(p.right) &&
      !judged.has(pairKey(p.left, p.right)),
  );
  const offset = opts.offset ?? 0;
  const page = kept.slice(offset, offset + (opts.limit ?? 100));
  // Only the page's entities are read in full (caption and properties for the side-by-side view).
  const byId = new Map(
    (await store.getEntities([...new Set(page.flatMap((p) => [p.left, p.right]))])).map((e) => [e.id, e]),
  );
  const side = (id: string, schema: string, datasets: string[]): CandidateSide => {
    const e = byId.get(id);
    let caption = id;
    try {
      caption = e ? e.caption() : id;
    } catch {
      caption = e?.first('name') ?? id;
    }
    const properties: Record<string, string[]> = {};
    if (e) for (const [k, v] of e.properties) properties[k] = [...v];
    return { id, caption, schema, datasets, properties };
  };
  return {
    total: kept.length,
    results: page.map((p) => ({
      left: side(p.left, p.leftSchema, p.leftDatasets),
      right: side(p.right, p.rightSchema, p.rightDatasets),
      score: p.score,
      features: p.features,
    })),
  };
}

/** Candidate pairs, best first (see candidatePage for paging and the total). */
export async function findCandidates(store: Store, opts: CandidateOptions = {}): Promise<Candidate[]> {
  return (await candidatePage(store, opts)).results;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
