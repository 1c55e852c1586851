import { Entity } from '../model/entity.js';
import { schemaModel } from '../model/schema.js';
import type { Statement } from '../model/statement.js';
import type { Store } from '../store/store.js';
import { isCanonicalId } from './canonical-id.js';
import { ensureResolved } from './run.js';

/**
 * Reads through the resolution: the canonical id of any source id, the referents of a canonical id, and the
 * canonical entity itself (every referent's statements, each keeping its own entity id, source and record).
 * These are store-level helpers over resolve_canonical; the Store interface is unchanged.
 */

/** One resolution at a time per store in this process (concurrent requests wait for the same run). */
const pending = new WeakMap<Store, Promise<void>>();
/** When each store's inputs were last checked: reads within CHECK_INTERVAL_MS trust the stored resolution. */
const checkedAt = new WeakMap<Store, number>();
const CHECK_INTERVAL_MS = 2000;

export async function ensureResolvedOnce(store: Store): Promise<void> {
  const running = pending.get(store);
  if (running) return running;
  if (Date.now() - (checkedAt.get(store) ?? -Infinity) < CHECK_INTERVAL_MS) return;
  const p = ensureResolved(store)
    .then(() => void checkedAt.set(store, Date.now()))
    .finally(() => pending.delete(store));
  pending.set(store, p);
  return p;
}

/** Forget when the store was last checked (after a judgement or an import in this process). */
export function resolutionChanged(store: Store): void {
  checkedAt.delete(store);
}

/** The canonical id of `id` (itself when nothing was merged with it). */
export async function canonicalIdOf(store: Store, id: string): Promise<string> {
  await ensureResolvedOnce(store);
  const rows = await store.db.query('SELECT canonical_id FROM resolve_canonical WHERE entity_id = $1', [id]);
  return rows.length > 0 ? String(rows[0]!.canonical_id) : id;
}

/** Canonical ids of many ids at once. */
export async function canonicalIdsOf(store: Store, ids: string[]): Promise<Map<string, string>> {
  await ensureResolvedOnce(store);
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const part = ids.slice(i, i + 1000);
    const rows = await store.db.query(
      `SELECT entity_id, canonical_id FROM resolve_canonical WHERE entity_id IN (${part.map((_, k) => `$${k + 1}`).join(', ')})`,
      part,
    );
    for (const r of rows) out.set(String(r.entity_id), String(r.canonical_id));
  }
  for (const id of ids) if (!out.has(id)) out.set(id, id);
  return out;
}

/** The source ids a canonical id stands for (sorted); `[id]` for an entity nothing was merged with. */
export async function referentsOf(store: Store, canonicalId: string): Promise<string[]> {
  await ensureResolvedOnce(store);
  const rows = await store.db.query(
    'SELECT DISTINCT entity_id FROM resolve_canonical WHERE canonical_id = $1 ORDER BY entity_id',
    [canonicalId],
  );
  if (rows.length > 0) return rows.map((r) => String(r.entity_id));
  return isCanonicalId(canonicalId) ? [] : [canonicalId];
}

export interface CanonicalEntity {
  /** The merged entity: id is the canonical id, statements keep their own entityId and source. */
  entity: Entity;
  /** Source entity ids merged into it (sorted); one id when nothing was merged. */
  referents: string[];
  /** The id asked for, when it was a referent rather than the canonical id (the API answers 308 for it). */
  redirectedFrom?: string;
}

/** The canonical entity for a canonical or source id, or undefined when neither exists. */
export async function canonicalEntity(store: Store, id: string): Promise<CanonicalEntity | undefined> {
  const canonical = await canonicalIdOf(store, id);
  const referents = await referentsOf(store, canonical);
  if (referents.length === 0) return undefined;
  const parts = await store.getEntities(referents);
  if (parts.length === 0) return undefined;
  const statements = parts.flatMap((p) => p.statements);
  const entity = mergeStatements(canonical, statements);
  return { entity, referents, ...(canonical !== id ? { redirectedFrom: id } : {}) };
}

/**
 * Statements of several source entities folded into one entity with id `id` (most specific common schema). List
 * statements (from a list version) come first, in their order, then the others (AIS, user entities): a listed
 * vessel merged with its AIS identity is captioned and described by the list first.
 */
export function mergeStatements(id: string, statements: Statement[]): Entity {
  const model = schemaModel();
  const entity = new Entity(id, statements[0]?.schema ?? 'Thing');
  const ordered = statements.some((s) => !s.versionId)
    ? [...statements.filter((s) => s.versionId), ...statements.filter((s) => !s.versionId)]
    : statements;
  for (const st of ordered) {
    if (entity.schema !== st.schema) {
      try {
        entity.schema = model.common(entity.schema, st.schema);
      } catch {
        // Different kinds of thing cannot be merged by the rules (keys are per kind); keep the first schema.
      }
    }
    entity.statements.push(st);
    entity.datasets.add(st.source);
    entity.add(st.prop, st.value);
  }
  return entity;
}

/** FtM JSON of a canonical entity with `referents`, and every statement with its entity, source and record. */
export function canonicalJson(c: CanonicalEntity): Record<string, unknown> {
  return {
    ...c.entity.toFtm(),
    referents: c.referents,
    statements: c.entity.statements.map((s) => ({
      entity_id: s.entityId,
      prop: s.prop,
      value: s.value,
      source: s.source,
      record: s.sourceRecord,
      seen_at: s.seenAt,
    })),
  };
}

/**
 * Canonical entities of many ids (source or canonical) at once: `canonicalOf` maps each id asked for to its
 * canonical id, `entities` holds each canonical entity with its referents. Ids the store does not know are left
 * out of `entities`.
 */
export async function canonicalEntities(
  store: Store,
  ids: string[],
): Promise<{ canonicalOf: Map<string, string>; entities: Map<string, CanonicalEntity> }> {
  const unique = [...new Set(ids)];
  const entities = new Map<string, CanonicalEntity>();
  if (unique.length === 0) return { canonicalOf: new Map(), entities };
  const canonicalOf = await canonicalIdsOf(store, unique);
  const canonicals = [...new Set(canonicalOf.values())];
  const referents = new Map<string, Set<string>>();
  for (const c of canonicals) referents.set(c, new Set(isCanonicalId(c) ? [] : [c]));
  for (let i = 0; i < canonicals.length; i += 1000) {
    const part = canonicals.slice(i, i + 1000);
    const rows = await store.db.query(
      `SELECT DISTINCT entity_id, canonical_id FROM resolve_canonical WHERE canonical_id IN (${part.map((_, k) => `$${k + 1}`).join(', ')})`,
      part,
    );
    for (const r of rows) referents.get(String(r.canonical_id))?.add(String(r.entity_id));
  }
  const parts = await store.getEntities([...new Set([...referents.values()].flatMap((s) => [...s]))]);
  const byId = new Map(parts.map((e) => [e.id, e]));
  for (const [c, refs] of referents) {
    const sorted = [...refs].filter((r) => byId.has(r)).sort();
    if (sorted.length === 0) continue;
    entities.set(c, {
      entity: mergeStatements(
        c,
        sorted.flatMap((r) => byId.get(r)!.statements),
      ),
      referents: sorted,
    });
  }
  return { canonicalOf, entities };
}
