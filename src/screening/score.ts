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
import type { Prepared } from './prepare.js';

/**
 * Scoring as data, nomenklatura-style: per schema family, a declared list of (feature, weight). The score is the
 * weighted sum clamped to 0..1; every feature that fired is reported with its value, weight and detail, so a
 * result always says why it scored what it did. The default threshold for `match: true` is 0.70.
 */

export const DEFAULT_THRESHOLD = 0.7;
export const ALGORITHM = 'watchkeeper-v1';

export interface WeightedFeature {
  name: string;
  fn: FeatureFn;
  /** Value only, without building the explanation (hot path); defaults to fn(...).value. */
  value?: (query: Prepared, candidate: Prepared) => number;
  weight: number;
  /** One line for docs and the explanation output. */
  description: string;
}

const f = (name: string, fn: FeatureFn, weight: number, description: string): WeightedFeature => ({
  name,
  fn,
  weight,
  description,
});

const NAME = f(
  'name_similarity',
  nameSimilarity,
  1,
  'best name/alias pair: exact, token alignment or phonetic compact',
);
const COUNTRY_MISMATCH = f('country_mismatch', countryMismatch, -0.1, 'both give countries and none agree');
const COUNTRY_MATCH = f('country_match', countryMatch, 0.03, 'a nationality/country in common');
const DOCUMENT = f('document_match', documentMatch, 0.5, 'same passport / registration / id number');

export const FEATURES_BY_FAMILY: Record<'person' | 'organization' | 'vessel' | 'wallet' | 'other', WeightedFeature[]> =
  {
    person: [
      NAME,
      DOCUMENT,
      f('birth_date_match', birthDateMatch, 0.05, 'a birth date agrees at the shared precision'),
      f('birth_year_mismatch', birthYearMismatch, -0.2, 'both give birth dates and no year is shared'),
      COUNTRY_MATCH,
      COUNTRY_MISMATCH,
      f('gender_mismatch', genderMismatch, -0.2, 'both give a gender and they differ'),
    ],
    organization: [NAME, DOCUMENT, COUNTRY_MATCH, COUNTRY_MISMATCH],
    vessel: [
      NAME,
      f('imo_match', imoMatch, 0.9, 'same check-digit-valid IMO number'),
      f('mmsi_match', mmsiMatch, 0.6, 'same MMSI'),
      f('call_sign_match', callSignMatch, 0.3, 'same call sign'),
      f('imo_mismatch', imoMismatch, -0.4, 'both give valid IMO numbers and none agree'),
      f('flag_mismatch', flagMismatch, -0.05, 'both give flags and none agree'),
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

function familyFor(query: Prepared, candidate: Prepared): keyof typeof FEATURES_BY_FAMILY {
  const fam = familyOf(candidate.schema);
  return fam !== 'other' ? fam : familyOf(query.schema);
}

/** The score alone (no explanations): used to rank candidates before the best few are explained. */
export function scoreValue(query: Prepared, candidate: Prepared): number {
  let sum = 0;
  for (const feat of FEATURES_BY_FAMILY[familyFor(query, candidate)]) {
    const v = feat.value ? feat.value(query, candidate) : feat.fn(query, candidate).value;
    if (v !== 0) sum += feat.weight * v;
  }
  return round(Math.min(1, Math.max(0, sum)));
}

export interface Explanation {
  value: number;
  weight: number;
  detail: string;
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
 * matched against a Person uses the person features), falling back to the query's.
 */
export function scoreCandidate(query: Prepared, candidate: Prepared, threshold = DEFAULT_THRESHOLD): Scored {
  const fam = familyFor(query, candidate);
  let sum = 0;
  const features: Record<string, number> = {};
  const explanations: Record<string, Explanation> = {};
  for (const feat of FEATURES_BY_FAMILY[fam]) {
    const r = feat.fn(query, candidate);
    if (r.value === 0) continue;
    sum += feat.weight * r.value;
    features[feat.name] = round(r.value);
    explanations[feat.name] = { value: round(r.value), weight: feat.weight, detail: r.detail };
  }
  const score = round(Math.min(1, Math.max(0, sum)));
  return { score, match: score >= threshold, features, explanations };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
