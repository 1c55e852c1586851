import { UserError } from '../errors.js';
import { schemaModel } from '../model/schema.js';
import { VERSION } from '../version.js';
import type { MatchResult, ScreeningIndex } from './index.js';
import type { EntityLike, Prepared } from './prepare.js';
import { isQuerySchema, MAX_BATCH, MAX_VALUES_PER_PROPERTY } from './query.js';
import { DEFAULT_THRESHOLD } from './score.js';

/**
 * The W3C Entity Reconciliation Service API, version 0.2 (reconciliation-api.github.io/specs/0.2): service
 * manifest, reconciliation queries, suggest (entity, type, property) and data extension, over the screening
 * index. Types are FtM schemata; scores are on OpenRefine's 0-100 scale, `match` uses the screening threshold.
 */

export const DEFAULT_TYPES = ['Person', 'Organization', 'Company', 'LegalEntity', 'Vessel', 'CryptoWallet'];

export function typeRef(schema: string): { id: string; name: string } {
  const model = schemaModel();
  return { id: schema, name: model.has(schema) ? model.get(schema).label : schema };
}

/**
 * The identifier space: a stable name for Watchkeeper entity ids, the same whichever host or port answers (OpenRefine
 * keys reconciled cells by it). WATCHKEEPER_IDENTIFIER_SPACE sets another one for a deployment.
 */
export const DEFAULT_IDENTIFIER_SPACE = 'https://watchkeeper.dev/ns/entity/';

export function identifierSpace(): string {
  return process.env.WATCHKEEPER_IDENTIFIER_SPACE?.trim() || DEFAULT_IDENTIFIER_SPACE;
}

export function manifest(baseUrl: string, dataset: string): Record<string, unknown> {
  const root = `${baseUrl}/reconcile/${encodeURIComponent(dataset)}`;
  return {
    versions: ['0.2'],
    name: `Watchkeeper sanctions screening (${dataset})`,
    identifierSpace: identifierSpace(),
    schemaSpace: 'https://followthemoney.tech/explorer/schemata/',
    documentation: `${baseUrl}/docs`,
    serviceVersion: VERSION,
    defaultTypes: DEFAULT_TYPES.map(typeRef),
    // The HTML entity page of the web UI (src/api/routes/web.ts serves /entity/*).
    view: { url: `${baseUrl}/entity/{{id}}` },
    preview: { url: `${root}/preview?id={{id}}`, width: 430, height: 300 },
    suggest: {
      entity: { service_url: root, service_path: '/suggest/entity' },
      type: { service_url: root, service_path: '/suggest/type' },
      property: { service_url: root, service_path: '/suggest/property' },
    },
    extend: {
      propose_properties: { service_url: root, service_path: '/extend/propose' },
      property_settings: [],
    },
  };
}

interface ReconQuery {
  query?: string;
  type?: string | string[];
  limit?: number;
  properties?: Array<{ pid: string; v: unknown }>;
  type_strict?: string;
}

function valueStrings(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of list) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(String(x));
    else if (x && typeof x === 'object') {
      const o = x as { id?: unknown; name?: unknown };
      if (typeof o.name === 'string') out.push(o.name);
      else if (typeof o.id === 'string') out.push(o.id);
    }
  }
  return out.filter((s) => s.trim() !== '');
}

/** A reconciliation query → an FtM-shaped screening query. */
export function toScreeningQuery(id: string, raw: unknown): { query: EntityLike; limit: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`queries.${id}: each query must be an object with "query"`);
  }
  const q = raw as ReconQuery;
  const types = q.type === undefined ? [] : Array.isArray(q.type) ? q.type : [q.type];
  const schema =
    types.find((t) => typeof t === 'string' && isQuerySchema(t)) ?? (types.length > 0 ? types[0] : 'Thing');
  if (typeof schema !== 'string' || !isQuerySchema(schema)) {
    throw new UserError(`queries.${id}.type: unknown type ${JSON.stringify(schema)}; use an FtM schema such as Person`);
  }
  const properties: Record<string, string[]> = {};
  if (typeof q.query === 'string' && q.query.trim() !== '') properties.name = [q.query.trim()];
  const model = schemaModel().get(schema);
  for (const p of q.properties ?? []) {
    if (!p || typeof p.pid !== 'string') throw new UserError(`queries.${id}.properties: each needs "pid" and "v"`);
    if (!model.getProperty(p.pid)) continue;
    const values = valueStrings(p.v).slice(0, MAX_VALUES_PER_PROPERTY);
    if (values.length > 0) properties[p.pid] = [...(properties[p.pid] ?? []), ...values];
  }
  const limit = typeof q.limit === 'number' && q.limit >= 1 ? Math.min(100, Math.floor(q.limit)) : 5;
  return { query: { id, schema, properties }, limit };
}

export function reconResult(r: MatchResult): Record<string, unknown> {
  const description = [r.schema, ...r.datasets].join(' · ');
  return {
    id: r.id,
    name: r.caption,
    description,
    type: [typeRef(r.schema)],
    score: Math.round(r.score * 1000) / 10,
    match: r.match,
    features: Object.entries(r.features).map(([id, value]) => ({ id, value })),
  };
}

/** Parse the `queries` or `extend` parameter: a JSON string (GET/form) or an already parsed object (JSON body). */
export function parseParam(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new UserError(`${name}: not valid JSON (${(err as Error).message})`);
  }
}

export function checkBatch(batch: unknown): Array<[string, unknown]> {
  if (typeof batch !== 'object' || batch === null || Array.isArray(batch)) {
    throw new UserError('queries: expected a JSON object of query id → query');
  }
  const entries = Object.entries(batch as Record<string, unknown>);
  if (entries.length === 0) throw new UserError('queries: empty batch');
  if (entries.length > MAX_BATCH) throw new UserError(`queries: ${entries.length} queries; the limit is ${MAX_BATCH}`);
  return entries;
}

/** Source id → canonical id (identity when nothing was merged); candidates are one per canonical entity. */
export type CanonicalOf = (id: string) => string;

/** Keep the best result per canonical entity, renamed to the canonical id. */
export function onePerCanonical<T extends { id: string }>(items: T[], canonicalOf: CanonicalOf, limit: number): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const c = canonicalOf(item.id);
    if (seen.has(c)) continue;
    seen.add(c);
    out.push(c === item.id ? item : { ...item, id: c });
    if (out.length >= limit) break;
  }
  return out;
}

export function reconcileBatch(
  index: ScreeningIndex,
  batch: unknown,
  dataset: string,
  canonicalOf: CanonicalOf = (id) => id,
): Record<string, { result: Array<Record<string, unknown>> }> {
  const out: Record<string, { result: Array<Record<string, unknown>> }> = {};
  for (const [id, raw] of checkBatch(batch)) {
    const { query, limit } = toScreeningQuery(id, raw);
    const hasAny = Object.keys(query.properties).length > 0;
    const results = hasAny ? index.match(query, { limit: limit + 10, dataset, threshold: DEFAULT_THRESHOLD }) : [];
    out[id] = { result: onePerCanonical(results, canonicalOf, limit).map(reconResult) };
  }
  return out;
}

/** Lower case, accents and punctuation removed, split into words (for prefix completion). */
function words(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/**
 * Prefix completion: 0 when a name starts with the typed words (the last one may be unfinished), 1 when its words
 * contain them in order, undefined when the name does not complete the prefix.
 */
export function completes(name: string, prefix: string[]): number | undefined {
  const w = words(name);
  if (prefix.length === 0) return undefined;
  const fits = (start: number): boolean =>
    prefix.every((p, i) => {
      const word = w[start + i];
      if (word === undefined) return false;
      return i === prefix.length - 1 ? word.startsWith(p) : word === p;
    });
  if (fits(0)) return 0;
  for (let i = 1; i + prefix.length <= w.length; i++) if (fits(i)) return 1;
  return undefined;
}

export function suggestEntities(
  index: ScreeningIndex,
  prefix: string,
  limit: number,
  type?: string,
  canonicalOf: CanonicalOf = (id) => id,
) {
  const schema = type && isQuerySchema(type) ? type : undefined;
  const typed = words(prefix);
  // Candidates share a word starting with the last typed word; keep those whose names complete the prefix.
  const ranked: Array<[number, number, Prepared, string]> = [];
  let order = 0;
  for (const e of index.suggest(prefix, 500, schema)) {
    let best: [number, string] | undefined;
    for (const name of [e.caption, ...(e.properties.name ?? []), ...(e.properties.alias ?? [])]) {
      const rank = completes(name, typed);
      if (rank !== undefined && (best === undefined || rank < best[0])) best = [rank, name];
    }
    if (best) ranked.push([best[0], order++, e, best[1]]);
  }
  ranked.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const items = ranked.map(([, , e, name]) => ({ id: e.id, e, name }));
  return {
    result: onePerCanonical(items, canonicalOf, limit).map(({ id, e, name }) => ({
      id,
      name: e.caption,
      description: [e.schema, ...e.datasets, ...(name !== e.caption ? [`matched: ${name}`] : [])].join(' · '),
      notable: [typeRef(e.schema)],
    })),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The preview service: a small HTML card for OpenRefine's hover preview. */
export function preview(
  e: { id: string; caption: string; schema: string; properties: Record<string, unknown[]>; datasets: string[] },
  viewUrl: string,
): string {
  const rows: string[] = [];
  for (const prop of [
    'name',
    'alias',
    'birthDate',
    'nationality',
    'country',
    'imoNumber',
    'mmsi',
    'publicKey',
    'topics',
  ]) {
    const values = (e.properties[prop] ?? []).filter((v): v is string => typeof v === 'string');
    if (values.length === 0) continue;
    rows.push(`<tr><th>${escapeHtml(prop)}</th><td>${escapeHtml(values.slice(0, 6).join('; '))}</td></tr>`);
  }
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>',
    escapeHtml(e.caption),
    '</title><style>body{font:13px sans-serif;margin:8px}th{text-align:left;padding-right:8px;vertical-align:top}</style></head><body>',
    `<h3><a href="${escapeHtml(viewUrl)}" target="_blank">${escapeHtml(e.caption)}</a></h3>`,
    `<p>${escapeHtml(e.schema)} · ${escapeHtml(e.datasets.join(', '))} · <code>${escapeHtml(e.id)}</code></p>`,
    `<table>${rows.join('')}</table></body></html>`,
  ].join('');
}

export function suggestTypes(prefix: string, limit: number) {
  const model = schemaModel();
  const p = prefix.toLowerCase();
  const result = [...model.schemata.keys()]
    .filter((s) => isQuerySchema(s))
    .map(typeRef)
    .filter((t) => t.id.toLowerCase().startsWith(p) || t.name.toLowerCase().includes(p))
    .sort((a, b) => a.id.localeCompare(b.id))
    .slice(0, limit);
  return { result };
}

function propertiesOf(type: string | undefined): Array<{ id: string; name: string; description?: string }> {
  const model = schemaModel();
  const schema = type && model.has(type) ? model.get(type) : model.get('LegalEntity');
  return [...schema.properties.values()]
    .filter((p) => !p.hidden && p.matchable && p.type !== 'entity')
    .map((p) => ({ id: p.name, name: p.label, description: `${p.type} (${p.schema})` }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

export function suggestProperties(prefix: string, limit: number, type?: string) {
  const p = prefix.toLowerCase();
  const result = propertiesOf(type)
    .filter((x) => x.id.toLowerCase().startsWith(p) || x.name.toLowerCase().includes(p))
    .slice(0, limit)
    .map(({ id, name }) => ({ id, name }));
  return { result };
}

export function proposeProperties(type: string | undefined, limit: number) {
  const props = propertiesOf(type)
    .slice(0, limit)
    .map(({ id, name }) => ({ id, name }));
  return { type: type ?? 'LegalEntity', limit, properties: props };
}

/** Data extension: property values of the requested entities, as `{str}` cells. */
export function extend(
  lookup: (id: string) => Record<string, string[]> | undefined,
  raw: unknown,
): { meta: Array<{ id: string; name: string }>; rows: Record<string, Record<string, Array<{ str: string }>>> } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError('extend: expected {"ids": [...], "properties": [{"id": ...}]}');
  }
  const q = raw as { ids?: unknown; properties?: unknown };
  if (!Array.isArray(q.ids) || !q.ids.every((x) => typeof x === 'string')) {
    throw new UserError('extend.ids: expected an array of entity ids');
  }
  if (!Array.isArray(q.properties)) throw new UserError('extend.properties: expected an array of {"id": ...}');
  if (q.ids.length > 1000) throw new UserError('extend.ids: at most 1000 ids');
  const model = schemaModel();
  const props = q.properties.map((p, i) => {
    const id = (p as { id?: unknown })?.id;
    if (typeof id !== 'string') throw new UserError(`extend.properties[${i}].id: expected a property name`);
    return id;
  });
  const meta = props.map((id) => {
    const spec = model.get('Thing').getProperty(id) ?? model.get('LegalEntity').getProperty(id);
    return { id, name: spec?.label ?? id };
  });
  const rows: Record<string, Record<string, Array<{ str: string }>>> = {};
  for (const id of q.ids as string[]) {
    const properties = lookup(id) ?? {};
    const row: Record<string, Array<{ str: string }>> = {};
    for (const p of props) row[p] = (properties[p] ?? []).map((str) => ({ str }));
    rows[id] = row;
  }
  return { meta, rows };
}
