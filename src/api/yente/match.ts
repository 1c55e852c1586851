import { NotFoundError, UserError } from '../../errors.js';
import { datasetAliases, storedDataset } from '../../screening/datasets.js';
import { ALL_DATASETS, type MatchResult, type ScreeningIndex } from '../../screening/index.js';
import type { EntityLike } from '../../screening/prepare.js';
import { MAX_LIMIT } from '../../screening/query.js';
import { ALGORITHM, FEATURES_BY_FAMILY, featureTable } from '../../screening/score.js';
import type { Store } from '../../store/store.js';
import {
  canonicalLookup,
  featureResult,
  listDates,
  type YenteEntity,
  yenteEntity,
  yenteFromIndex,
} from './entities.js';
import { canonicalMap } from './search.js';

/**
 * yente's `/match` semantics over the screening index: one result per canonical entity (the best-scoring
 * referent speaks for it), yente's filters, `total` counting candidates at or above the threshold.
 */

/** Algorithm names accepted in `?algorithm=`: ours, and yente's aliases for "the default" and "the best". */
export const ALGORITHM_NAMES = [ALGORITHM, 'best', 'default'];

export function checkAlgorithm(name: string | undefined): string {
  if (name === undefined || name === '') return ALGORITHM;
  if (!ALGORITHM_NAMES.includes(name)) {
    throw new UserError(`algorithm: unknown algorithm "${name}"; available: ${ALGORITHM_NAMES.join(', ')}`);
  }
  return ALGORITHM;
}

/** nomenklatura's FeatureDocs: feature name → {description, coefficient, url} (first declaration per name). */
export function featureDocs(weights?: Record<string, number>): Record<string, Record<string, unknown>> {
  const docs: Record<string, Record<string, unknown>> = {};
  for (const feats of Object.values(FEATURES_BY_FAMILY)) {
    for (const f of feats) {
      if (docs[f.name]) continue;
      docs[f.name] = {
        description: f.description,
        coefficient: weights?.[f.name] ?? f.weight,
        url: 'https://github.com/watchkeeper/watchkeeper/blob/main/docs/screening.md',
      };
    }
  }
  return docs;
}

/** Datasets the index holds, in both spellings, plus the "everything" names. */
const knownCache = new WeakMap<ScreeningIndex, Set<string>>();
export function knownDatasets(index: ScreeningIndex): Set<string> {
  let known = knownCache.get(index);
  if (!known) {
    known = new Set(ALL_DATASETS);
    for (const e of index.entities) for (const d of e.datasets) for (const a of datasetAliases(d)) known.add(a);
    knownCache.set(index, known);
  }
  return known;
}

/** 404 for a dataset the index does not hold (yente answers 404 for an unknown dataset too). */
export function checkDataset(index: ScreeningIndex, dataset: string): string {
  if (!knownDatasets(index).has(dataset)) {
    throw new NotFoundError(
      `dataset "${dataset}" not found; available: ${[...knownDatasets(index)].sort().join(', ')}`,
    );
  }
  return storedDataset(dataset);
}

export interface MatchFilters {
  includeDataset?: string[];
  excludeDataset?: string[];
  excludeSchema?: string[];
  topics?: string[];
  changedSince?: string;
  excludeEntityIds?: string[];
}

export function hasFilters(f: MatchFilters): boolean {
  return Boolean(
    f.includeDataset?.length ||
      f.excludeDataset?.length ||
      f.excludeSchema?.length ||
      f.topics?.length ||
      f.changedSince ||
      f.excludeEntityIds?.length,
  );
}

export type ScoredYente = YenteEntity & {
  score: number;
  match: boolean;
  features: Record<string, number>;
  explanations: Record<string, Record<string, unknown>>;
};

export interface MatchRun {
  limit: number;
  threshold: number;
  cutoff: number;
  dataset: string;
  weights?: Record<string, number>;
  filters: MatchFilters;
}

export interface QueryMatches {
  results: ScoredYente[];
  total: { value: number; relation: 'eq' | 'gte' };
}

function passes(e: YenteEntity, f: MatchFilters): boolean {
  const ds = new Set(e.datasets.flatMap(datasetAliases));
  if (f.includeDataset?.length && !f.includeDataset.some((d) => ds.has(d))) return false;
  if (f.excludeDataset?.some((d) => ds.has(d))) return false;
  if (f.excludeSchema?.includes(e.schema)) return false;
  if (f.topics?.length) {
    const topics = new Set(e.properties.topics as string[] | undefined);
    if (!f.topics.some((t) => topics.has(t))) return false;
  }
  if (f.changedSince && (e.last_change ?? '') < f.changedSince) return false;
  if (f.excludeEntityIds?.length) {
    const ids = new Set([e.id, ...e.referents]);
    if (f.excludeEntityIds.some((id) => ids.has(id))) return false;
  }
  return true;
}

/** Match a batch of queries; each query answers with at most `limit` canonical entities, best first. */
export async function matchBatch(
  store: Store,
  index: ScreeningIndex,
  batch: Array<[string, EntityLike]>,
  run: MatchRun,
): Promise<Map<string, QueryMatches>> {
  if (run.weights) featureTable(run.weights);
  const wide = Math.min(MAX_LIMIT, hasFilters(run.filters) ? run.limit * 4 + 20 : run.limit + 10);
  const raw = new Map<string, MatchResult[]>();
  for (const [id, query] of batch) {
    raw.set(
      id,
      index.match(query, {
        limit: wide,
        threshold: run.threshold,
        cutoff: run.cutoff,
        dataset: run.dataset,
        weights: run.weights,
      }),
    );
  }
  // Only merged entities need the store (their referents' statements); the others come from the index.
  const canonical = await canonicalMap(store);
  const dates = await listDates(store);
  const merged = [...raw.values()].flatMap((rs) => rs.map((r) => r.id)).filter((rid) => canonical.has(rid));
  const lookup = await canonicalLookup(store, merged);
  const shapes = new Map<string, YenteEntity>();
  const out = new Map<string, QueryMatches>();
  for (const [id, results] of raw) {
    const seen = new Set<string>();
    const scored: ScoredYente[] = [];
    for (const r of results) {
      const c = canonical.get(r.id) ?? r.id;
      if (seen.has(c)) continue;
      seen.add(c);
      let shape = shapes.get(c);
      if (!shape) {
        const m = lookup.entities.get(c);
        shape = m ? yenteEntity(m.entity, m.referents) : yenteFromIndex(index.get(r.id) ?? r, dates);
        shapes.set(c, shape);
      }
      if (!passes(shape, run.filters)) continue;
      const explanations: Record<string, Record<string, unknown>> = {};
      for (const [name, e] of Object.entries(r.explanations)) explanations[name] = featureResult(e);
      scored.push({ ...shape, score: r.score, match: r.match, features: r.features, explanations });
    }
    const above = scored.filter((s) => s.score >= run.threshold).length;
    out.set(id, {
      results: scored.slice(0, run.limit),
      total: { value: above, relation: results.length >= wide && above === scored.length ? 'gte' : 'eq' },
    });
  }
  return out;
}

/** yente's scoring `config`: scalar settings; a feature name sets its weight, other keys are reported back. */
export function applyConfig(
  raw: unknown,
  weights: Record<string, number> | undefined,
): { weights?: Record<string, number>; warnings: string[] } {
  if (raw === undefined || raw === null) return { weights, warnings: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('config: an object of setting → value');
  const docs = featureDocs();
  const merged: Record<string, number> = { ...(weights ?? {}) };
  const warnings: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object') throw new UserError(`config.${key}: a scalar value`);
    if (docs[key]) {
      if (typeof value !== 'number') throw new UserError(`config.${key}: a number (the feature's weight)`);
      if (merged[key] === undefined) merged[key] = value;
    } else {
      warnings.push(`config.${key}: not a setting of ${ALGORITHM}; ignored`);
    }
  }
  return { weights: Object.keys(merged).length > 0 ? merged : undefined, warnings };
}
