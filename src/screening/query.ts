import { UserError } from '../errors.js';
import { schemaModel } from '../model/schema.js';
import { type EntityLike, MAX_NAME_LENGTH } from './prepare.js';
import { featureTable } from './score.js';

/**
 * Validation of screening queries from the API and the CLI: FtM-shaped `{schema, properties}` objects. Bad
 * input is a UserError (HTTP 400) naming the query and field, never a crash.
 */

export const MAX_BATCH = 100;
export const MAX_VALUES_PER_PROPERTY = 50;
export const MAX_LIMIT = 500;

const NAME_PROPS = new Set(['name', 'alias', 'weakAlias', 'previousName', 'firstName', 'lastName', 'middleName']);
const IDENTIFIER_PROPS = [
  'imoNumber',
  'mmsi',
  'callSign',
  'publicKey',
  'passportNumber',
  'idNumber',
  'registrationNumber',
  'taxNumber',
  'innCode',
  'ogrnCode',
  'leiCode',
  'swiftBic',
];

/** Schemata a query may use: matchable FtM schemata plus the abstract Thing and LegalEntity. */
export function isQuerySchema(schema: string): boolean {
  const model = schemaModel();
  if (!model.has(schema)) return false;
  return schema === 'Thing' || schema === 'LegalEntity' || model.get(schema).matchable;
}

/** A request that parses but cannot be processed (yente answers 422 for a query without a schema). */
export class UnprocessableError extends UserError {
  override readonly status = 422;
  override readonly code = 'unprocessable';
}

export interface QueryValidation {
  /** yente's rules: `schema` is required (422 without it) and unknown properties are skipped with a warning. */
  yente?: boolean;
  /** Warnings collected in yente mode (skipped properties). */
  warnings?: string[];
}

/** Check and normalise one FtM-shaped query; `where` names it in error messages (e.g. `queries.q1`). */
export function validateQuery(raw: unknown, where: string, id = 'query', opts: QueryValidation = {}): EntityLike {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`${where}: a query must be an object {schema, properties}`);
  }
  const obj = raw as Record<string, unknown>;
  if (opts.yente && obj.schema === undefined) {
    throw new UnprocessableError(`${where}.schema: missing; every query names its FtM schema (Person, Company, ...)`);
  }
  const schema = obj.schema === undefined ? 'Thing' : obj.schema;
  if (typeof schema !== 'string' || !isQuerySchema(schema)) {
    throw new UserError(
      `${where}.schema: unknown or unmatchable schema ${JSON.stringify(schema)}; use Person, Organization, Company, LegalEntity, Vessel, CryptoWallet, ...`,
    );
  }
  const props = obj.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new UserError(`${where}.properties: must be an object of property → [values]`);
  }
  const model = schemaModel().get(schema);
  const properties: Record<string, string[]> = {};
  for (const [prop, value] of Object.entries(props as Record<string, unknown>)) {
    if (!model.getProperty(prop) && schema !== 'Thing') {
      if (opts.yente) {
        opts.warnings?.push(`${where}.properties.${prop}: not a property of ${schema}; skipped`);
        continue;
      }
      throw new UserError(`${where}.properties.${prop}: not a property of ${schema}`);
    }
    const list = Array.isArray(value) ? value : [value];
    if (list.length > MAX_VALUES_PER_PROPERTY) {
      throw new UserError(`${where}.properties.${prop}: at most ${MAX_VALUES_PER_PROPERTY} values`);
    }
    const values: string[] = [];
    for (const v of list) {
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new UserError(`${where}.properties.${prop}: values must be strings`);
      }
      const s = String(v).trim();
      if (NAME_PROPS.has(prop) && s.length > MAX_NAME_LENGTH) {
        throw new UserError(`${where}.properties.${prop}: name longer than ${MAX_NAME_LENGTH} characters`);
      }
      if (s.length > 2000) throw new UserError(`${where}.properties.${prop}: value longer than 2000 characters`);
      if (s !== '') values.push(s);
    }
    if (values.length === 0 && NAME_PROPS.has(prop)) throw new UserError(`${where}.properties.${prop}: empty name`);
    if (values.length > 0) properties[prop] = values;
  }
  const hasName = [...NAME_PROPS].some((p) => (properties[p]?.length ?? 0) > 0);
  const hasIdentifier = IDENTIFIER_PROPS.some((p) => (properties[p]?.length ?? 0) > 0);
  if (!hasName && !hasIdentifier) {
    throw new UserError(
      `${where}: a query needs a name (properties.name) or an identifier (imoNumber, mmsi, publicKey, ...)`,
    );
  }
  return { id, schema, properties };
}

/** Validate a batch (yente: an object keyed by query id; an array is accepted too, keyed "0", "1", ...). */
export function validateBatch(
  raw: unknown,
  opts: { yente?: boolean; warnings?: Map<string, string[]> } = {},
): Array<[string, EntityLike]> {
  if (typeof raw !== 'object' || raw === null) throw new UserError('queries: expected an object of id → query');
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((q, i) => [String(i), q])
    : Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new UserError('queries: empty batch');
  if (entries.length > MAX_BATCH) {
    throw new UserError(`queries: ${entries.length} queries in one batch; the limit is ${MAX_BATCH}`);
  }
  return entries.map(([id, q]) => {
    const warnings: string[] = [];
    const query = validateQuery(q, `queries.${id}`, id, { yente: opts.yente, warnings });
    if (warnings.length > 0) opts.warnings?.set(id, warnings);
    return [id, query];
  });
}

export function validateLimit(limit: unknown, fallback: number): number {
  if (limit === undefined || limit === null || limit === '') return fallback;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new UserError(`limit: an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

export function validateThreshold(threshold: unknown, fallback: number): number {
  if (threshold === undefined || threshold === null || threshold === '') return fallback;
  const n = Number(threshold);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UserError('threshold: a number from 0 to 1');
  return n;
}

/**
 * Per-request feature weights (yente's `weights`): an object of feature name → number, checked against the
 * declared features (score.ts featureTable). Absent or empty: undefined (the default weights).
 */
export function validateWeights(raw: unknown): Record<string, number> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new UserError('weights: an object of feature name → weight');
  const weights: Record<string, number> = {};
  for (const [name, w] of Object.entries(raw)) {
    if (typeof w !== 'number') throw new UserError(`weights.${name}: a number`);
    weights[name] = w;
  }
  if (Object.keys(weights).length === 0) return undefined;
  featureTable(weights);
  return weights;
}

/** `--weight name=value` options (repeatable) as a weights object, checked as validateWeights does. */
export function parseWeightOptions(options: string[] | undefined): Record<string, number> | undefined {
  if (!options || options.length === 0) return undefined;
  const weights: Record<string, number> = {};
  for (const opt of options) {
    const m = /^([a-z_]+)=(-?[0-9.]+)$/.exec(opt.trim());
    if (!m) throw new UserError(`--weight ${opt}: expected feature=weight, e.g. --weight country_mismatch=-0.3`);
    weights[m[1]!] = Number(m[2]);
  }
  return validateWeights(weights);
}
