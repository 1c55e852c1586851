import { NotFoundError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import { schemaModel } from '../model/schema.js';
import type { ListVersion, Store } from '../store/store.js';

/**
 * The entity page's data: every property value with where it came from (list, version, record), the sanctions
 * that name the entity, its links in both directions, and the findings about it.
 */

export interface ValueWithSource {
  value: string;
  /** True when the property refers to another entity by id (owner, asset, entity, ...). */
  isEntity: boolean;
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
  properties: Record<string, ValueWithSource[]>;
  sanctions: Array<{ id: string; caption: string; properties: Record<string, string[]> }>;
  links: EntityLink[];
  findings: Finding[];
}

function propsOf(e: Entity): Record<string, string[]> {
  return Object.fromEntries([...e.properties].map(([k, v]) => [k, [...v]]));
}

export function safeCaption(e: Entity): string {
  try {
    return e.caption();
  } catch {
    return e.first('name') ?? e.id;
  }
}

/** Links of `e`: entity-typed properties out, entities referencing it in (edge entities collapsed to their far end). */
export async function entityLinks(store: Store, e: Entity): Promise<EntityLink[]> {
  const model = schemaModel();
  const schema = model.has(e.schema) ? model.get(e.schema) : undefined;
  const out: Array<Omit<EntityLink, 'schema' | 'caption'>> = [];
  for (const [prop, values] of e.properties) {
    if (schema?.getProperty(prop)?.type !== 'entity') continue;
    for (const v of values) out.push({ id: v, relation: prop, direction: 'out', via: null });
  }
  for (const r of await store.entitiesReferencing(e.id)) {
    if (r.schema === 'Sanction') continue;
    const rs = model.has(r.schema) ? model.get(r.schema) : undefined;
    if (rs?.edge) {
      const { source, target } = rs.edge;
      const isSource = r.get(source).includes(e.id);
      const far = isSource ? r.get(target) : r.get(source);
      for (const id of far) out.push({ id, relation: r.schema, direction: isSource ? 'out' : 'in', via: r.id });
    } else {
      const prop = [...r.properties].find(([, vals]) => vals.includes(e.id))?.[0] ?? 'related';
      out.push({ id: r.id, relation: prop, direction: 'in', via: null });
    }
  }
  const ids = [...new Set(out.map((l) => l.id))];
  const known = new Map((await store.getEntities(ids)).map((x) => [x.id, x]));
  const seen = new Set<string>();
  const links: EntityLink[] = [];
  for (const l of out) {
    const key = `${l.id}\u0000${l.relation}\u0000${l.direction}`;
    if (seen.has(key) || l.id === e.id) continue;
    seen.add(key);
    const x = known.get(l.id);
    links.push({ ...l, schema: x?.schema ?? 'Thing', caption: x ? safeCaption(x) : l.id });
  }
  return links;
}

export async function entityView(store: Store, id: string): Promise<EntityView> {
  const e = await store.getEntity(id);
  if (!e) throw new NotFoundError(`no entity with id "${id}"`);
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
      source: st.source,
      versionId: st.versionId ?? null,
      version: v ? { source: v.source, fetchedAt: v.fetchedAt, sha256: v.sha256, url: v.url } : null,
      sourceRecord: st.sourceRecord,
      seenAt: st.seenAt,
    });
  }
  const referencing = await store.entitiesReferencing(id);
  const sanctions = referencing
    .filter((r) => r.schema === 'Sanction')
    .map((s) => ({ id: s.id, caption: safeCaption(s), properties: propsOf(s) }));
  return {
    id: e.id,
    schema: e.schema,
    caption: safeCaption(e),
    datasets: [...e.datasets].sort(),
    properties,
    sanctions,
    links: await entityLinks(store, e),
    findings: await store.queryFindings({ subject: id, limit: 200 }),
  };
}
