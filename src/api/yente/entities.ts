import type { Entity } from '../../model/entity.js';
import { schemaModel } from '../../model/schema.js';
import { canonicalEntities, ensureResolvedOnce } from '../../resolve/canonical.js';
import { publicDataset } from '../../screening/datasets.js';
import type { Explanation } from '../../screening/score.js';
import type { Store } from '../../store/store.js';

/**
 * yente's entity wire shape (yente/data/common.py `EntityResponse`): canonical entities with `referents`, `target`,
 * `first_seen`, `last_seen`, `last_change` (ISO seconds, no zone, as yente's tests pin), datasets under their
 * OpenSanctions names, and related entities nested in `properties` (yente's default `nested=true`).
 */

export type YenteValue = string | YenteEntity;

export interface YenteEntity {
  id: string;
  caption: string;
  schema: string;
  properties: Record<string, YenteValue[]>;
  datasets: string[];
  referents: string[];
  target: boolean;
  first_seen: string | null;
  last_seen: string | null;
  last_change: string | null;
}

/** Sanctions lists whose matchable entities are designated parties (OpenSanctions' `target`). */
const SANCTION_SOURCES = new Set(['un_sc_sanctions', 'gb_hmt_sanctions', 'us_ofac_sdn', 'eu_fsf', 'un_sc', 'gb_ofsi']);

/** `2024-05-03T00:00:00.000Z` → `2024-05-03T00:00:00` (yente's wire format); null when not a date. */
export function yenteTime(iso: string | undefined): string | null {
  if (!iso) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}))?/.exec(iso);
  if (!m) return null;
  return `${m[1]}T${m[2] ?? '00:00:00'}`;
}

function isTarget(schema: string, topics: string[], datasets: string[]): boolean {
  const model = schemaModel();
  const matchable = model.has(schema) && model.get(schema).matchable;
  return topics.some((t) => t.startsWith('sanction')) || (matchable && datasets.some((d) => SANCTION_SOURCES.has(d)));
}

/**
 * The yente shape of an indexed entity nothing was merged with, straight from the screening index: its statements
 * all come from its list's current version, so its dates are that version's date (`listDates`: source → date).
 */
export function yenteFromIndex(
  e: { id: string; schema: string; caption: string; properties: Record<string, string[]>; datasets: string[] },
  listDates: Map<string, string>,
): YenteEntity {
  let first: string | undefined;
  let last: string | undefined;
  for (const d of e.datasets) {
    const at = listDates.get(d);
    if (at === undefined) continue;
    if (first === undefined || at < first) first = at;
    if (last === undefined || at > last) last = at;
  }
  const properties: Record<string, string[]> = {};
  for (const k of Object.keys(e.properties).sort()) properties[k] = [...e.properties[k]!];
  return {
    id: e.id,
    caption: e.caption || e.id,
    schema: e.schema,
    properties,
    datasets: [...new Set(e.datasets.map(publicDataset))].sort(),
    referents: [],
    target: isTarget(e.schema, e.properties.topics ?? [], e.datasets),
    first_seen: yenteTime(first),
    last_seen: yenteTime(last),
    last_change: yenteTime(last),
  };
}

const datesCache = new WeakMap<Store, { atMs: number; dates: Promise<Map<string, string>> }>();

/** source → date of its current list version (cached for a second: the same window as the canonical map). */
export function listDates(store: Store): Promise<Map<string, string>> {
  const now = Date.now();
  const cached = datesCache.get(store);
  if (cached && now - cached.atMs < 1000) return cached.dates;
  const dates = store.currentVersions().then((vs) => new Map(vs.map((v) => [v.source, v.fetchedAt])));
  datesCache.set(store, { atMs: now, dates });
  dates.catch(() => datesCache.delete(store));
  return dates;
}

/** The yente shape of an entity (canonical or not) without nesting. */
export function yenteEntity(entity: Entity, referents: string[]): YenteEntity {
  let first: string | undefined;
  let last: string | undefined;
  for (const s of entity.statements) {
    if (!s.seenAt) continue;
    if (first === undefined || s.seenAt < first) first = s.seenAt;
    if (last === undefined || s.seenAt > last) last = s.seenAt;
  }
  const datasets = [...entity.datasets];
  const topics = entity.properties.get('topics') ?? [];
  const model = schemaModel();
  const matchable = model.has(entity.schema) && model.get(entity.schema).matchable;
  const target =
    topics.some((t) => t.startsWith('sanction')) || (matchable && datasets.some((d) => SANCTION_SOURCES.has(d)));
  const ftm = entity.toFtm();
  return {
    id: entity.id,
    caption: entity.caption() || entity.id,
    schema: entity.schema,
    properties: ftm.properties,
    datasets: [...new Set(datasets.map(publicDataset))].sort(),
    referents: referents.filter((r) => r !== entity.id),
    target,
    first_seen: yenteTime(first),
    last_seen: yenteTime(last),
    // Statements record when a source said a value, not when it first changed: the newest list date stands in.
    last_change: yenteTime(last),
  };
}

export interface CanonicalLookup {
  /** source id → canonical id */
  canonicalOf: Map<string, string>;
  /** canonical id → its merged entity and referents (source ids, sorted) */
  entities: Map<string, { entity: Entity; referents: string[] }>;
}

/** Canonical entities of many source ids at once (two small queries and one entity read). */
export async function canonicalLookup(store: Store, ids: string[]): Promise<CanonicalLookup> {
  if (ids.length === 0) return { canonicalOf: new Map(), entities: new Map() };
  await ensureResolvedOnce(store);
  return canonicalEntities(store, ids);
}

/** nomenklatura's `FeatureResult` (score, detail, query, candidate), with our weight kept beside it. */
export function featureResult(e: Explanation): Record<string, unknown> {
  let query: string | null = null;
  let candidate: string | null = null;
  const quoted = /^"(.*)" ~ "(.*)" \(/.exec(e.detail);
  const versus = /^(?:[A-Za-z]+ )?(.+?) vs (.+)$/.exec(e.detail);
  if (quoted) [query, candidate] = [quoted[1]!, quoted[2]!];
  else if (versus) [query, candidate] = [versus[1]!, versus[2]!];
  return {
    score: e.value,
    detail: e.detail,
    query,
    candidate,
    // `value` as before (the web UI and earlier clients read it), `weight` its weight in the score.
    value: e.value,
    weight: e.weight,
    ...(e.qualifier ? { qualifier: true } : {}),
  };
}

/** Schemata whose entities are links (Ownership, Directorship, Sanction's holder...): nested one level further. */
function isLink(schema: string): boolean {
  const model = schemaModel();
  if (!model.has(schema)) return false;
  const s = model.get(schema);
  return s.edge !== undefined || s.isA('Interval');
}

async function canonicalNode(store: Store, id: string): Promise<YenteEntity | undefined> {
  const found = await canonicalLookup(store, [id]);
  const c = found.entities.get(found.canonicalOf.get(id) ?? id);
  return c ? yenteEntity(c.entity, c.referents) : undefined;
}

/**
 * yente's `nested` entity: entity-typed property values replaced by the entities they name, and entities that
 * point at this one (sanctions, ownerships, family...) added under the reverse property. Link entities
 * (Ownership, Directorship, ...) carry their far end nested too; the path back to the root is left out.
 */
export async function nestedEntity(store: Store, root: Entity, referents: string[]): Promise<YenteEntity> {
  const model = schemaModel();
  const out = yenteEntity(root, referents);
  const seen = new Set<string>([root.id, ...referents]);
  const schema = model.has(root.schema) ? model.get(root.schema) : undefined;
  const props: Record<string, YenteValue[]> = { ...out.properties };
  for (const [prop, values] of Object.entries(out.properties)) {
    if (schema?.getProperty(prop)?.type !== 'entity') continue;
    const nested: YenteValue[] = [];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      nested.push((await canonicalNode(store, v)) ?? v);
    }
    props[prop] = nested;
  }
  const referencing = (await Promise.all(referents.map((r) => store.entitiesReferencing(r)))).flat();
  const adjacentIds = new Set<string>();
  for (const adj of referencing) {
    if (seen.has(adj.id) || adjacentIds.has(adj.id)) continue;
    adjacentIds.add(adj.id);
    const adjSchema = model.has(adj.schema) ? model.get(adj.schema) : undefined;
    const node = yenteEntity(adj, [adj.id]);
    for (const [prop, values] of adj.properties) {
      const spec = adjSchema?.getProperty(prop);
      if (spec?.type !== 'entity') continue;
      const pointsHome = values.filter((v) => seen.has(v));
      if (pointsHome.length === 0) continue;
      const reverse = spec.reverse ?? `${prop}Of`;
      // The back-reference to the root is implied by the nesting (yente drops it too).
      const rest = values.filter((v) => !seen.has(v));
      if (rest.length > 0) node.properties[prop] = rest;
      else delete node.properties[prop];
      if (isLink(adj.schema)) {
        for (const [p2, vs2] of Object.entries(node.properties)) {
          if (adjSchema?.getProperty(p2)?.type !== 'entity') continue;
          const far: YenteValue[] = [];
          for (const v of vs2) far.push(typeof v === 'string' ? ((await canonicalNode(store, v)) ?? v) : v);
          node.properties[p2] = far;
        }
      }
      props[reverse] = [...(props[reverse] ?? []), node];
      break;
    }
  }
  return { ...out, properties: props };
}
