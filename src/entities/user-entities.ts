import { InputError, NotFoundError } from '../errors.js';
import { Entity, type FtmEntity } from '../model/entity.js';
import { parseFtmObject, type UnknownProperties } from '../model/ftm-json.js';
import { makeId } from '../model/ids.js';
import { type SchemaModel, schemaModel } from '../model/schema.js';
import type { Statement } from '../model/statement.js';
import { referentsOf } from '../resolve/canonical.js';
import { isCanonicalId } from '../resolve/canonical-id.js';
import type { Store } from '../store/store.js';
import { type Author, ConflictError, editUserDataset, USER_SOURCE, userRecord } from './user-store.js';

/**
 * User entities: a person, a company or any concrete FtM thing an analyst knows about, checked by the same FtM
 * validation as imports (src/model/ftm-json.ts) and stored in the user dataset (src/entities/user-store.ts) with
 * the analyst as the source of every value.
 */

/** Ids a user may give: what FtM sources use (letters, digits, `.`, `_`, `-`, `:`), at most 200 characters. */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function checkEntityId(id: string, at: string): void {
  if (!ID_RE.test(id)) throw new InputError(`${at}: id "${id.slice(0, 60)}" must be letters, digits, . _ : - (≤ 200)`);
}

/** Ids (of `ids`) with no statement in the store, current or not. */
export async function unknownIds(store: Store, ids: Iterable<string>): Promise<string[]> {
  const all = [...new Set(ids)];
  const found = new Set<string>();
  for (let i = 0; i < all.length; i += 500) {
    const part = all.slice(i, i + 500);
    const rows = await store.db.query(
      `SELECT DISTINCT entity_id FROM statements WHERE entity_id IN (${part.map((_, k) => `$${k + 1}`).join(', ')})`,
      part,
    );
    for (const r of rows) found.add(String(r.entity_id));
  }
  return all.filter((id) => !found.has(id));
}

/**
 * Check an FtM entity given by a user: the import rules (known schema, defined properties, arrays of strings),
 * plus a concrete schema, its required properties, trimmed non-empty values and a usable id.
 */
export function checkUserEntity(
  obj: unknown,
  at: string,
  opts: { model?: SchemaModel; unknownProperties?: UnknownProperties; skipped?: string[] } = {},
): FtmEntity {
  const model = opts.model ?? schemaModel();
  const e = parseFtmObject(obj, at, model, opts.unknownProperties ?? 'error', opts.skipped ?? []);
  checkEntityId(e.id, at);
  const schema = model.get(e.schema);
  if (schema.abstract) throw new InputError(`${at}: schema ${e.schema} is abstract; use a concrete one (Person, ...)`);
  const properties: Record<string, string[]> = {};
  for (const [prop, values] of Object.entries(e.properties)) {
    const vals = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
    for (const v of vals)
      if (v.length > 4000) throw new InputError(`${at}: a value of ${prop} is over 4000 characters`);
    if (vals.length > 0) properties[prop] = vals;
  }
  for (const prop of schema.required)
    if (!properties[prop]) throw new InputError(`${at}: ${e.schema} needs "${prop}" (a required FtM property)`);
  if (Object.keys(properties).length === 0) throw new InputError(`${at}: the entity has no property values`);
  return { id: e.id, schema: e.schema, properties };
}

/** Entity-typed property values of an FtM entity (the ids it refers to). */
export function referencedIds(e: FtmEntity, model: SchemaModel = schemaModel()): string[] {
  const schema = model.get(e.schema);
  const out: string[] = [];
  for (const [prop, values] of Object.entries(e.properties))
    if (schema.getProperty(prop)?.type === 'entity') out.push(...values);
  return out;
}

/** The statements of an FtM entity, with `author` as their source record. */
export function userStatementsOf(e: FtmEntity, author: Author): Statement[] {
  return Entity.statementsFromFtm(e, USER_SOURCE, userRecord(author), author.at);
}

/** A fresh id for a user entity: `user-<hash of who, when and what>`. */
export function newUserEntityId(author: Author, schema: string, name: string): string {
  return makeId('user', author.user, author.at, schema, name, Math.random().toString(36).slice(2));
}

export interface CreatedEntity {
  entity: FtmEntity;
  author: Author;
}

/**
 * Create one user entity (POST /entities). The body is FtM-shaped (`schema`, `properties`, optional `id`); an id
 * that already names an entity (of any dataset) is a 409, and entity-typed values must name entities that exist.
 */
export async function createUserEntity(store: Store, body: unknown, author: Author): Promise<CreatedEntity> {
  const model = schemaModel();
  let obj = body;
  if (obj && typeof obj === 'object' && !Array.isArray(obj) && (obj as { id?: unknown }).id === undefined) {
    const o = obj as { schema?: unknown; properties?: { name?: unknown } };
    const name = Array.isArray(o.properties?.name) ? String(o.properties.name[0] ?? '') : '';
    obj = { ...o, id: newUserEntityId(author, String(o.schema ?? ''), name) };
  }
  const entity = checkUserEntity(obj, 'body', { model });
  const missing = await unknownIds(store, referencedIds(entity, model));
  if (missing.length > 0) throw new InputError(`body: no entity with id "${missing[0]}" (an entity-typed value)`);
  await editUserDataset(store, async (current) => {
    if (current.some((s) => s.entityId === entity.id) || (await unknownIds(store, [entity.id])).length === 0)
      throw new ConflictError(`an entity with id "${entity.id}" already exists`);
    return { statements: [...current, ...userStatementsOf(entity, author)], result: undefined };
  });
  return { entity, author };
}

export interface AddedEntities {
  /** Entities new to the user dataset. */
  added: number;
  /** Entities the user dataset already had, whose user statements were replaced by the file's. */
  replaced: number;
  /** Entities that exist in another dataset: the user's statements are added beside the source's. */
  annotated: number;
  statements: number;
  /** Entity-typed values naming no entity in the store or the file (kept, like an import keeps them). */
  unknownReferences: string[];
}

/**
 * Add many user entities at once (`entities import --as-user`): each entity's user statements replace the ones the
 * user dataset held for that id; an id another dataset holds gets the user's statements beside the source's.
 */
export async function addUserEntities(store: Store, entities: FtmEntity[], author: Author): Promise<AddedEntities> {
  const model = schemaModel();
  const ids = new Set(entities.map((e) => e.id));
  const refs = new Set(entities.flatMap((e) => referencedIds(e, model)).filter((r) => !ids.has(r)));
  const unknownReferences = await unknownIds(store, refs);
  const elsewhere = new Set(ids);
  for (const id of await unknownIds(store, ids)) elsewhere.delete(id);
  return editUserDataset(store, async (current) => {
    const mine = new Set(current.map((s) => s.entityId));
    const kept = current.filter((s) => !ids.has(s.entityId));
    const added = entities.flatMap((e) => userStatementsOf(e, author));
    let replaced = 0;
    let annotated = 0;
    for (const id of ids) {
      if (mine.has(id)) replaced++;
      else if (elsewhere.has(id)) annotated++;
    }
    return {
      statements: [...kept, ...added],
      result: {
        added: ids.size - replaced - annotated,
        replaced,
        annotated,
        statements: added.length,
        unknownReferences,
      },
    };
  });
}

export interface RemovedEntity {
  id: string;
  /** User statements removed. */
  statements: number;
  /** User link entities removed with it (links from or to it). */
  links: string[];
}

/**
 * Remove what the user dataset says about `id` (DELETE /entities/{id}): its user statements, and the user links
 * (Ownership, Directorship, UnknownLink, ... of the user dataset) that name it. An entity with no user statement is
 * a 404 when it does not exist, a 409 when another dataset holds it (a list entry is never deleted here).
 */
export async function removeUserEntity(store: Store, id: string): Promise<RemovedEntity> {
  const model = schemaModel();
  if (isCanonicalId(id)) {
    const refs = await referentsOf(store, id);
    if (refs.length === 0) throw new NotFoundError(`no entity with id "${id}"`);
    throw new InputError(`"${id}" is a canonical entity of ${refs.join(', ')}: give the id of the user entity`);
  }
  return editUserDataset(store, async (current) => {
    const own = current.filter((s) => s.entityId === id);
    if (own.length === 0) {
      if ((await unknownIds(store, [id])).length > 0) throw new NotFoundError(`no entity with id "${id}"`);
      throw new ConflictError(`"${id}" was not created by a user: only user entities and links can be deleted`);
    }
    const links = new Set<string>();
    for (const s of current)
      if (s.value === id && s.entityId !== id && model.has(s.schema) && model.get(s.schema).edge)
        if (model.get(s.schema).getProperty(s.prop)?.type === 'entity') links.add(s.entityId);
    const statements = current.filter((s) => s.entityId !== id && !links.has(s.entityId));
    return { statements, result: { id, statements: own.length, links: [...links].sort() } };
  });
}
