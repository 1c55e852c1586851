import { bestNamePair } from './names/best.js';
import type { Prepared } from './prepare.js';

/**
 * Named, pure feature functions over a prepared query and a prepared candidate. Each returns a value in 0..1
 * and a one-line detail a person can check; score.ts weighs them. Name alignment lives in names/ (one file per
 * idea); here are the features built on it. Qualifiers (birth date, country, gender, flag) return 0 when either
 * side lacks the data, so a missing fact never counts for or against a match.
 */

export interface FeatureResult {
  value: number;
  detail: string;
}

export type FeatureFn = (query: Prepared, candidate: Prepared) => FeatureResult;

const NONE: FeatureResult = { value: 0, detail: '' };

// ---- the features -----------------------------------------------------------------------------------------

export const nameSimilarity: FeatureFn = (q, c) => {
  const best = bestNamePair(q, c);
  if (!best) return NONE;
  return {
    value: best.score,
    detail: `"${best.query.original}" ~ "${best.candidate.original}" (${best.method}, ${best.score.toFixed(3)})`,
  };
};

function intersect(a: Set<string>, b: Set<string>): string | undefined {
  for (const v of a) if (b.has(v)) return v;
  return undefined;
}

function exactIdentifier(label: string, pick: (p: Prepared) => Set<string>): FeatureFn {
  return (q, c) => {
    const hit = intersect(pick(q), pick(c));
    return hit ? { value: 1, detail: `${label} ${hit} on both` } : NONE;
  };
}

export const imoMatch = exactIdentifier('IMO', (p) => p.imo);
export const mmsiMatch = exactIdentifier('MMSI', (p) => p.mmsi);
export const callSignMatch = exactIdentifier('call sign', (p) => p.callSigns);
export const documentMatch = exactIdentifier('document number', (p) => p.documents);
export const cryptoAddressMatch = exactIdentifier('address', (p) => p.cryptoAddresses);

/** Both sides carry a (check-digit valid) IMO number and none agree: a different ship. */
export const imoMismatch: FeatureFn = (q, c) => {
  if (q.imo.size === 0 || c.imo.size === 0 || intersect(q.imo, c.imo)) return NONE;
  return { value: 1, detail: `IMO ${[...q.imo].join('/')} vs ${[...c.imo].join('/')}` };
};

function years(dates: string[]): Set<string> {
  return new Set(dates.map((d) => d.slice(0, 4)));
}

/** Some birth date agrees at the precision both give (day, month or year). */
export const birthDateMatch: FeatureFn = (q, c) => {
  for (const a of q.birthDates) {
    for (const b of c.birthDates) {
      const n = Math.min(a.length, b.length);
      if (a.slice(0, n) === b.slice(0, n)) return { value: 1, detail: `born ${a} / ${b}` };
    }
  }
  return NONE;
};

/** Both give birth dates and no year is shared. */
export const birthYearMismatch: FeatureFn = (q, c) => {
  if (q.birthDates.length === 0 || c.birthDates.length === 0) return NONE;
  if (intersect(years(q.birthDates), years(c.birthDates))) return NONE;
  return { value: 1, detail: `born ${q.birthDates.join('/')} vs ${c.birthDates.join('/')}` };
};

export const countryMatch: FeatureFn = (q, c) => {
  const hit = intersect(q.countries, c.countries);
  return hit ? { value: 1, detail: `country ${hit.toUpperCase()} on both` } : NONE;
};

export const countryMismatch: FeatureFn = (q, c) => {
  if (q.countries.size === 0 || c.countries.size === 0 || intersect(q.countries, c.countries)) return NONE;
  const fmt = (s: Set<string>): string => [...s].map((x) => x.toUpperCase()).join('/');
  return { value: 1, detail: `country ${fmt(q.countries)} vs ${fmt(c.countries)}` };
};

export const genderMismatch: FeatureFn = (q, c) => {
  if (!q.gender || !c.gender || q.gender === c.gender) return NONE;
  return { value: 1, detail: `gender ${q.gender} vs ${c.gender}` };
};

export const flagMismatch: FeatureFn = (q, c) => {
  if (q.flags.size === 0 || c.flags.size === 0 || intersect(q.flags, c.flags)) return NONE;
  return { value: 1, detail: `flag ${[...q.flags].join('/')} vs ${[...c.flags].join('/')}`.toUpperCase() };
};
