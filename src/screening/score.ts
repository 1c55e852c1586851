import { UserError } from '../errors.js';
import {
  birthDateMatch,
  birthYearMismatch,
  callSignMatch,
  countryMatch,
  countryMismatch,
  cryptoAddressMatch,
  documentMatch,
  type FeatureFn,
  flagMismatch,
  genderMismatch,
  imoMatch,
  imoMismatch,
  mmsiMatch,
  nameSimilarity,
} from './features.js';
import { bestNameScore } from './names/best.js';
import type { Prepared } from './prepare.js';

/**
 * Scoring as data, nomenklatura-style: per schema family, a declared list of (feature, weight). Main features (the
 * name, identifiers) make the base score, their weighted sum clamped to 0..1. Qualifiers (country, birth date,
 * gender, flag, a conflicting IMO number) only adjust that score once a name or an identifier matched, as
 * nomenklatura's logic-v2 does: with a base of 0 they add nothing, so a shared nationality alone never makes a
 * candidate. Every feature that fired is reported with its value, weight and detail, so a result always says why
 * it scored what it did. Weights can be overridden per request (yente's `weights`). The default threshold for
 * `match: true` is 0.70.
 */

export const DEFAULT_THRESHOLD = 0.7;
export const ALGORITHM = 'watchkeeper-v1';

export interface WeightedFeature {
  name: string;
  fn: FeatureFn;
  /** Value only, without building the explanation (hot path); defaults to fn(...).value. */
  value?: (query: Prepared, candidate: Prepared) => number;
  weight: number;
  /** A qualifier adjusts the score only once a main feature (a name or an identifier) scored above 0. */
  qualifier: boolean;
  /** One line for docs and the explanation output. */
  description: string;
}

const f = (name: string, fn: FeatureFn, weight: number, description: string): WeightedFeature => ({
  name,
  fn,
  weight,
  qualifier: false,
  description,
});

/** A qualifier feature (see WeightedFeature.qualifier). */
const qf = (name: string, fn: FeatureFn, weight: number, description: string): WeightedFeature => ({
  ...f(name, fn, weight, description),
  qualifier: true,
});

const NAME: WeightedFeature = {
  ...f('name_similarity', nameSimilarity, 1, 'best name/alias pair: exact, token alignment or phonetic compact'),
  value: bestNameScore,
};
const COUNTRY_MISMATCH = qf('country_mismatch', countryMismatch, -0.1, 'both give countries and none agree');
const COUNTRY_MATCH = qf('country_match', countryMatch, 0.03, 'a nationality/country in common');
const DOCUMENT = f('document_match', documentMatch, 0.5, 'same passport / registration / id number');

export const FEATURES_BY_FAMILY: Record<'person' | 'organization' | 'vessel' | 'wallet' | 'other', WeightedFeature[]> =
  {
    person: [
      NAME,
      DOCUMENT,
      qf('birth_date_match', birthDateMatch, 0.05, 'a birth date agrees at the shared precision'),
      qf('birth_year_mismatch', birthYearMismatch, -0.2, 'both give birth dates and no year is shared'),
      COUNTRY_MATCH,
      COUNTRY_MISMATCH,
      qf('gender_mismatch', genderMismatch, -0.2, 'both give a gender and they differ'),
    ],
    organization: [NAME, DOCUMENT, COUNTRY_MATCH, COUNTRY_MISMATCH],
    vessel: [
      NAME,
      f('imo_match', imoMatch, 0.9, 'same check-digit-valid IMO number'),
      f('mmsi_match', mmsiMatch, 0.6, 'same MMSI'),
      f('call_sign_match', callSignMatch, 0.3, 'same call sign'),
      qf('imo_mismatch', imoMismatch, -0.4, 'both give valid IMO numbers and none agree'),
      qf('flag_mismatch', flagMismatch, -0.05, 'both give flags and none agree'),
    ],
    wallet: [
      f('crypto_address_match', cryptoAddressMatch, 1, 'same address (normalised per chain)'),
      { ...NAME, weight: 0.3, description: 'wallet label or holder name' },
    ],
    other: [NAME, DOCUMENT, COUNTRY_MISMATCH],
  };

export function familyOf(schema: string): keyof typeof FEATURES_BY_FAMILY {
  switch (schema) {
    case 'Person':
      return 'person';
    case 'Organization':
    case 'Company':
    case 'PublicBody':
      return 'organization';
    case 'Vessel':
      return 'vessel';
    case 'CryptoWallet':
      return 'wallet';
    default:
      return 'other';
  }
}

function familyFor(query: Prepared, candidate: Prepared): Family {
  const fam = familyOf(candidate.schema);
  return fam !== 'other' ? fam : familyOf(query.schema);
}

export type Family = keyof typeof FEATURES_BY_FAMILY;
export type FeatureTable = Record<Family, WeightedFeature[]>;

/** Every feature name, with the weights it has by default (per family where they differ). */
export function featureNames(): string[] {
  const names = new Set<string>();
  for (const list of Object.values(FEATURES_BY_FAMILY)) for (const feat of list) names.add(feat.name);
  return [...names].sort();
}

/** Largest absolute weight a request may set. */
export const MAX_WEIGHT = 1;

/**
 * The feature table with per-request weight overrides (yente's `weights`: feature name → weight), checked: an
 * unknown feature name or a weight that is not a number from -MAX_WEIGHT to MAX_WEIGHT is a UserError naming it.
 * No overrides: the default table itself.
 */
export function featureTable(weights?: Record<string, unknown>): FeatureTable {
  if (!weights || Object.keys(weights).length === 0) return FEATURES_BY_FAMILY;
  const cached = tables.get(weights);
  if (cached) return cached;
  const known = new Set(featureNames());
  const parsed = new Map<string, number>();
  for (const [name, raw] of Object.entries(weights)) {
    if (!known.has(name)) throw new UserError(`weights.${name}: unknown feature (one of ${[...known].join(', ')})`);
    const w = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof w !== 'number' || !Number.isFinite(w) || Math.abs(w) > MAX_WEIGHT)
      throw new UserError(`weights.${name}: a number from -${MAX_WEIGHT} to ${MAX_WEIGHT}`);
    parsed.set(name, w);
  }
  const table = {} as FeatureTable;
  for (const [fam, list] of Object.entries(FEATURES_BY_FAMILY) as Array<[Family, WeightedFeature[]]>) {
    table[fam] = list.map((feat) => {
      const w = parsed.get(feat.name);
      return w === undefined ? feat : { ...feat, weight: w };
    });
  }
  tables.set(weights, table);
  return table;
}

/** Tables already built, per weights object (a batch passes the same object for every row). */
const tables = new WeakMap<object, FeatureTable>();

/**
 * Combine weighted values: main features summed and clamped to 0..1; qualifiers added only when that base is above
 * 0; the result clamped to 0..1 and rounded.
 */
function combine(main: number, qualifiers: number): number {
  const base = Math.min(1, Math.max(0, main));
  if (base === 0) return 0;
  return round(Math.min(1, Math.max(0, base + qualifiers)));
}

/** The score alone (no explanations): used to rank candidates before the best few are explained. */
export function scoreValue(query: Prepared, candidate: Prepared, table: FeatureTable = FEATURES_BY_FAMILY): number {
  let main = 0;
  let qual = 0;
  const list = table[familyFor(query, candidate)];
  for (const feat of list) {
    if (feat.qualifier || feat.weight === 0) continue;
    const v = feat.value ? feat.value(query, candidate) : feat.fn(query, candidate).value;
    if (v !== 0) main += feat.weight * v;
  }
  if (main <= 0) return 0;
  for (const feat of list) {
    if (!feat.qualifier || feat.weight === 0) continue;
    const v = feat.value ? feat.value(query, candidate) : feat.fn(query, candidate).value;
    if (v !== 0) qual += feat.weight * v;
  }
  return combine(main, qual);
}

export interface Explanation {
  value: number;
  weight: number;
  detail: string;
  /** Set on qualifiers: they adjust a score a name or identifier made, and are left out when there is none. */
  qualifier?: boolean;
}

export interface Scored {
  score: number;
  match: boolean;
  /** feature → value, for every feature that fired (yente's `features`). */
  features: Record<string, number>;
  explanations: Record<string, Explanation>;
}

/**
 * Score a candidate against a query. The feature list is chosen by the candidate's schema (a LegalEntity query
 * matched against a Person uses the person features), falling back to the query's. Qualifiers are reported only
 * when they count (a main feature scored above 0).
 */
export function scoreCandidate(
  query: Prepared,
  candidate: Prepared,
  threshold = DEFAULT_THRESHOLD,
  table: FeatureTable = FEATURES_BY_FAMILY,
): Scored {
  const list = table[familyFor(query, candidate)];
  let main = 0;
  let qual = 0;
  const features: Record<string, number> = {};
  const explanations: Record<string, Explanation> = {};
  for (const pass of [false, true]) {
    if (pass && main <= 0) break;
    for (const feat of list) {
      if (feat.qualifier !== pass) continue;
      const r = feat.fn(query, candidate);
      if (r.value === 0) continue;
      if (pass) qual += feat.weight * r.value;
      else main += feat.weight * r.value;
      features[feat.name] = round(r.value);
      explanations[feat.name] = pass
        ? { value: round(r.value), weight: feat.weight, detail: r.detail, qualifier: true }
        : { value: round(r.value), weight: feat.weight, detail: r.detail };
    }
  }
  const score = main <= 0 ? 0 : combine(main, qual);
  return { score, match: score >= threshold, features, explanations };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
