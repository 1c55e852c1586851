import { NotFoundError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import { schemaModel } from '../model/schema.js';
import { canonicalEntities, canonicalEntity } from '../resolve/canonical.js';
import type { ListVersion, Store } from '../store/store.js';

/**
 * The entity page's data: every property value with where it came from (list, version, record), the sanctions
 * that name the entity, its links in both directions, and the findings about it. Every read is of the canonical
 * entity (docs/graph.md): one real-world thing with the statements of every source that lists it.
 */

export interface ValueWithSource {
  value: string;
  /** True when the property refers to another entity by id (owner, asset, entity, ...). */
  isEntity: boolean;
  /** The source entity that holds the value (one of the referents). */
  entityId: string;
  source: string;
  versionId: string | null;
  /** The list version's dataset, publication time and file hash, when the value came from a list version. */
  version: { source: string; fetchedAt: string; sha256: string; url: string | null } | null;
  sourceRecord: string;
  seenAt: string;
}

export interface EntityLink {
  /** The entity at the other end. */
  id: string;
  schema: string;
  caption: string;
  /** Property or relationship schema that links them ("owner", "Ownership", "director", ...). */
  relation: string;
  direction: 'out' | 'in';
  /** The edge entity (Ownership, Directorship, ...) when the link is one. */
  via: string | null;
}

export interface EntityView {
  id: string;
  schema: string;
  caption: string;
  datasets: string[];
  /** The source entities merged into this one (docs/graph.md); `[id]` when nothing was merged. */
  referents: string[];
  properties: Record<string, ValueWithSource[]>;
  sanctions: Array<{ id: string; caption: string; properties: Record<string, string[]> }>;
  links: EntityLink[];
  findings: Finding[];
}

function propsOf(e: Entity): Record<string, string[]> {
  return Object.fromEntries([...e.properties].map(([k, v]) => [k, [...v]]));
}

/**
 * The entity's caption. A canonical entity merging a list entry and an AIS vessel (or any unversioned statements)
 * is captioned by the list's name: the listed identity is the one an investigator looks for.
 */
export function safeCaption(e: Entity): string {
  const merged = e.statements.some((s) => s.entityId !== e.statements[0]?.entityId);
  if (merged) {
    const listed = e.statements.find((s) => s.prop === 'name' && s.versionId);
    if (listed) return listed.value;
  }
  try {
    return e.caption();
  } catch {
    return e.first('name') ?? e.id;
  }
}

/**
 * Links of an entity: entity-typed properties out, entities referencing it in (edge entities collapsed to their far
 * end). `referents` are the source entities merged into `e` (docs/graph.md): links of every referent are read, and
 * the far ends are canonical ids, so one real-world thing is one link however many sources name it.
 */
export async function entityLinks(store: Store, e: Entity, referents: string[] = [e.id]): Promise<EntityLink[]> {
  const raw = await rawLinks(store, e, referents);
  const { canonicalOf, entities } = await canonicalEntities(
    store,
    raw.map((l) => l.id),
  );
  const self = new Set([e.id, ...referents]);
  const seen = new Set<string>();
  const links: EntityLink[] = [];
  for (const l of raw) {
    const id = canonicalOf.get(l.id) ?? l.id;
    const key = `${id}\u0000${l.relation}\u0000${l.direction}`;
    if (seen.has(key) || self.has(id) || self.has(l.id)) continue;
    seen.add(key);
    const x = entities.get(id)?.entity;
    links.push({ ...l, id, schema: x?.schema ?? 'Thing', caption: x ? safeCaption(x) : l.id });
  }
  return links;
}

/** Links of `e` and its referents with the far end's source id (not yet canonical), without captions. */
export async function rawLinks(
  store: Store,
  e: Entity,
  referents: string[] = [e.id],
): Promise<Array<Omit<EntityLink, 'schema' | 'caption'>>> {
  const referencing = new Map<string, Entity>();
  for (const id of referents) for (const r of await store.entitiesReferencing(id)) referencing.set(r.id, r);
  return linksOf(e, referents, referencing.values());
}

/**
 * The links of `rawLinks` from entities already read: `referencing` are the entities referencing any referent, each
 * once, in the order `rawLinks` reads them (per referent, by entity id). The graph's path search reads them for a
 * whole BFS level at once.
 */
export function linksOf(
  e: Entity,
  referents: string[],
  referencing: Iterable<Entity>,
): Array<Omit<EntityLink, 'schema' | 'caption'>> {
  const model = schemaModel();
  const schema = model.has(e.schema) ? model.get(e.schema) : undefined;
  const mine = new Set([e.id, ...referents]);
  const out: Array<Omit<EntityLink, 'schema' | 'caption'>> = [];
  for (const [prop, values] of e.properties) {
    if (schema?.getProperty(prop)?.type !== 'entity') continue;
    for (const v of values) out.push({ id: v, relation: prop, direction: 'out', via: null });
  }
  for (const r of referencing) {
    if (r.schema === 'Sanction') continue;
    const rs = model.has(r.schema) ? model.get(r.schema) : undefined;
    if (rs?.edge) {
      const { source, target } = rs.edge;
      const isSource = r.get(source).some((v) => mine.has(v));
      const far = isSource ? r.get(target) : r.get(source);
      for (const id of far) out.push({ id, relation: r.schema, direction: isSource ? 'out' : 'in', via: r.id });
    } else {
      const prop = [...r.properties].find(([, vals]) => vals.some((v) => mine.has(v)))?.[0] ?? 'related';
      out.push({ id: r.id, relation: prop, direction: 'in', via: null });
    }
  }
  return out;
}

/** The sanctions (FtM Sanction entities) naming any of the referents of a canonical entity, by id. */
export async function sanctionsOf(store: Store, e: Entity): Promise<Entity[]> {
  const out = new Map<string, Entity>();
  const ids = new Set([e.id, ...e.statements.map((s) => s.entityId)]);
  for (const id of ids) {
    for (const r of await store.entitiesReferencing(id)) if (r.schema === 'Sanction') out.set(r.id, r);
  }
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Findings naming any of `ids` among their subjects, newest first, each once. */
export async function findingsAbout(store: Store, ids: string[], limit = 200): Promise<Finding[]> {
  const byId = new Map<string, Finding>();
  for (const id of ids) for (const f of await store.queryFindings({ subject: id, limit })) byId.set(f.id, f);
  return [...byId.values()]
    .sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : a.id < b.id ? -1 : 1))
    .slice(0, limit);
}

/**
 * The entity page of any id: the canonical entity (src/resolve/canonical.ts) with every referent's values, each
 * with its source entity, list version and record; the sanctions naming any referent; links and findings of all.
 */
export async function entityView(store: Store, id: string): Promise<EntityView> {
  const c = await canonicalEntity(store, id);
  if (!c) throw new NotFoundError(`no entity with id "${id}"`);
  const e = c.entity;
  const versions = new Map<string, ListVersion | undefined>();
  for (const st of e.statements) {
    if (st.versionId && !versions.has(st.versionId))
      versions.set(st.versionId, await store.getListVersion(st.versionId));
  }
  const properties: Record<string, ValueWithSource[]> = {};
  const model = schemaModel();
  const schema = model.has(e.schema) ? model.get(e.schema) : undefined;
  for (const st of e.statements) {
    const v = st.versionId ? versions.get(st.versionId) : undefined;
    (properties[st.prop] ??= []).push({
      value: st.value,
      isEntity: schema?.getProperty(st.prop)?.type === 'entity',
      entityId: st.entityId,
      source: st.source,
      versionId: st.versionId ?? null,
      version: v ? { source: v.source, fetchedAt: v.fetchedAt, sha256: v.sha256, url: v.url } : null,
      sourceRecord: st.sourceRecord,
      seenAt: st.seenAt,
    });
  }
  const sanctions = (await sanctionsOf(store, e)).map((s) => ({
    id: s.id,
    caption: safeCaption(s),
    properties: propsOf(s),
  }));
  return {
    id: e.id,
    schema: e.schema,
    caption: safeCaption(e),
    datasets: [...e.datasets].sort(),
    referents: c.referents,
    properties,
    sanctions,
    links: await entityLinks(store, e, c.referents),
    findings: await findingsAbout(store, c.referents),
  };
}
