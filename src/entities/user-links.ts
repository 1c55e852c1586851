import { InputError, NotFoundError } from '../errors.js';
import type { FtmEntity } from '../model/entity.js';
import { makeId } from '../model/ids.js';
import { schemaModel } from '../model/schema.js';
import type { Statement } from '../model/statement.js';
import { canonicalEntities, canonicalEntity, canonicalIdsOf, referentsOf } from '../resolve/canonical.js';
import { isCanonicalId } from '../resolve/canonical-id.js';
import { judgePair, sourceId } from '../resolve/judge.js';
import { latestPerPair } from '../resolve/judgement.js';
import { loadJudgements } from '../resolve/judgement-store.js';
import { groupOf } from '../resolve/strong-keys.js';
import type { Store } from '../store/store.js';
import { checkUserEntity, userStatementsOf } from './user-entities.js';
import { type Author, authorOf, editUserDataset, userStatements } from './user-store.js';

/**
 * Links an analyst adds between two entities (POST /entities/{id}/links):
 * - `same_as`: a positive analyst judgement through the resolver's judgement machinery (src/resolve/judge.ts), so
 *   the two become one canonical entity; removing it records an `unsure` judgement, which undoes the merge unless a
 *   strong identifier joins them anyway;
 * - `owned_by` / `owns`: an FtM Ownership (owner, asset, percentage, start and end dates);
 * - `directed_by` / `director_of`: an FtM Directorship (director, organization);
 * - `associate_of`: an FtM UnknownLink (subject, object) with a role.
 * Edge links are entities of the user dataset (ids `user-link-...`), read by the graph, the ownership network and
 * the entity page like the lists' own links.
 */

export const LINK_TYPES = ['same_as', 'owned_by', 'owns', 'directed_by', 'director_of', 'associate_of'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export interface LinkInput {
  type: LinkType;
  /** The entity at the other end (a source id, or a canonical `wk-` id standing for its smallest referent). */
  target: string;
  /** Ownership: the share held, 0-100 (a number or a numeric string, "%" allowed). */
  percentage?: number | string;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  startDate?: string;
  endDate?: string;
  /** associate_of, directed_by, director_of: the role ("associate", "chairman"); owned_by: e.g. "beneficial owner". */
  role?: string;
  /** Free text kept on the link (FtM `summary`), or the judgement's reason for same_as. */
  notes?: string;
}

export interface UserLink {
  /** The edge entity id, or `same-as:<left>~<right>` for a same-as judgement. */
  id: string;
  type: LinkType;
  /** The entity the link was read or made from (a source id). */
  entity: string;
  target: string;
  /** FtM schema of the edge entity; null for same_as. */
  schema: string | null;
  percentage?: string;
  startDate?: string;
  endDate?: string;
  role?: string;
  notes?: string;
  author: string;
  created_at: string;
  /** Canonical ids of both ends now (equal after same_as). */
  canonical: { entity: string; target: string };
  /** The display name of the target's canonical entity. */
  target_caption: string;
}

/** Which edge schema each type makes, and which of its properties hold the route's entity and the target. */
const EDGES: Record<Exclude<LinkType, 'same_as'>, { schema: string; self: string; other: string }> = {
  owned_by: { schema: 'Ownership', self: 'asset', other: 'owner' },
  owns: { schema: 'Ownership', self: 'owner', other: 'asset' },
  directed_by: { schema: 'Directorship', self: 'organization', other: 'director' },
  director_of: { schema: 'Directorship', self: 'director', other: 'organization' },
  associate_of: { schema: 'UnknownLink', self: 'subject', other: 'object' },
};

const DATE_RE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

/** A share as stored: "60"; a share of at most 1 gets a "%" ("0.5%"), as FtM readers take a bare 0.5 for 50 %. */
export function formatPercentage(p: number | string): string {
  const t = typeof p === 'number' ? String(p) : p.trim().replace(/\s*%$/, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) throw new InputError(`percentage: "${String(p).slice(0, 20)}" is not a number`);
  const v = Number(t);
  if (!(v >= 0 && v <= 100)) throw new InputError(`percentage: ${v} is not between 0 and 100`);
  return v <= 1 ? `${v}%` : String(v);
}

/** "a Person", "an Asset". */
function article(schema: string): string {
  return `${/^[AEIOU]/.test(schema) ? 'an' : 'a'} ${schema}`;
}

function linkId(author: Author, type: LinkType, self: string, other: string): string {
  return makeId('user-link', type, self, other, author.user, author.at);
}

function sameAsId(a: string, b: string): string {
  return a < b ? `same-as:${a}~${b}` : `same-as:${b}~${a}`;
}

async function schemaOf(store: Store, id: string): Promise<string> {
  const c = await canonicalEntity(store, id);
  if (!c) throw new NotFoundError(`no entity with id "${id}"`);
  return c.entity.schema;
}

/** Add a link from `id` to `input.target` by `author`. */
export async function addUserLink(store: Store, id: string, input: LinkInput, author: Author): Promise<UserLink> {
  const self = await sourceId(store, id);
  const target = await sourceId(store, input.target);
  const canon = await canonicalIdsOf(store, [self, target]);
  if (canon.get(self) === canon.get(target))
    throw new InputError(`"${id}" and "${input.target}" are already one entity: a link needs two`);
  if (input.type === 'same_as') {
    // The resolver joins things of one kind (src/resolve/strong-keys.ts): a person and a company are never one.
    const [a, b] = [await schemaOf(store, self), await schemaOf(store, target)];
    if (!groupOf(a) || groupOf(a) !== groupOf(b))
      throw new InputError(
        `same_as: ${article(a)} and ${article(b)} cannot be one entity (same_as joins two people, two organisations, two vessels, two wallets or two aircraft)`,
      );
    const j = await judgePair(store, self, target, 'positive', {
      author: author.user,
      now: author.at,
      ...(input.notes ? { reason: input.notes } : { reason: 'same-as link' }),
    });
    const [link] = await withCanonical(store, [
      {
        id: sameAsId(j.left, j.right),
        type: 'same_as',
        entity: self,
        target,
        schema: null,
        ...(j.reason ? { notes: j.reason } : {}),
        author: j.author,
        created_at: j.createdAt,
      },
    ]);
    return link!;
  }
  const edge = EDGES[input.type];
  const model = schemaModel();
  const schema = model.get(edge.schema);
  // The FtM ranges: an Ownership's asset is an Asset (a Company, a Vessel; not a Person), its owner a LegalEntity.
  for (const [prop, who, whoId] of [
    [edge.self, 'this entity', self],
    [edge.other, 'the target', target],
  ] as const) {
    const range = schema.getProperty(prop)?.range;
    const s = await schemaOf(store, whoId);
    if (range && model.has(s) && !model.get(s).isA(range))
      throw new InputError(
        `${input.type}: ${who} is ${article(s)}, and ${edge.schema}.${prop} must be ${article(range)}`,
      );
  }
  const properties: Record<string, string[]> = { [edge.self]: [self], [edge.other]: [target] };
  if (input.percentage !== undefined && input.percentage !== '') {
    if (edge.schema !== 'Ownership') throw new InputError(`percentage: only an ownership link has one`);
    properties.percentage = [formatPercentage(input.percentage)];
  }
  for (const k of ['startDate', 'endDate'] as const) {
    const v = input[k]?.trim();
    if (!v) continue;
    if (!DATE_RE.test(v)) throw new InputError(`${k}: "${v.slice(0, 30)}" is not YYYY, YYYY-MM or YYYY-MM-DD`);
    properties[k] = [v];
  }
  if (properties.startDate && properties.endDate && properties.endDate[0]! < properties.startDate[0]!)
    throw new InputError('endDate is before startDate');
  const role = input.role?.trim() || (input.type === 'associate_of' ? 'associate' : '');
  if (role) properties.role = [role];
  if (input.notes?.trim()) properties.summary = [input.notes.trim()];
  const entity: FtmEntity = checkUserEntity(
    { id: linkId(author, input.type, self, target), schema: edge.schema, properties },
    'link',
    { model },
  );
  await editUserDataset(store, async (current) => ({
    statements: [...current, ...userStatementsOf(entity, author)],
    result: undefined,
  }));
  const [link] = await withCanonical(store, [
    linkFields(entity.id, input.type, self, target, edge.schema, properties, author),
  ]);
  return link!;
}

function linkFields(
  id: string,
  type: LinkType,
  self: string,
  target: string,
  schema: string,
  props: Record<string, string[]>,
  author: Author,
): Omit<UserLink, 'canonical' | 'target_caption'> {
  const one = (k: string) => props[k]?.[0];
  const out: Omit<UserLink, 'canonical' | 'target_caption'> = {
    id,
    type,
    entity: self,
    target,
    schema,
    author: author.user,
    created_at: author.at,
  };
  for (const [k, prop] of [
    ['percentage', 'percentage'],
    ['startDate', 'startDate'],
    ['endDate', 'endDate'],
    ['role', 'role'],
    ['notes', 'summary'],
  ] as const) {
    const v = one(prop);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The links with the canonical ids of both ends and the target's caption, as they are now. */
async function withCanonical(
  store: Store,
  links: Array<Omit<UserLink, 'canonical' | 'target_caption'>>,
): Promise<UserLink[]> {
  const { canonicalOf, entities } = await canonicalEntities(
    store,
    links.flatMap((l) => [l.entity, l.target]),
  );
  return links.map((l) => {
    const entity = canonicalOf.get(l.entity) ?? l.entity;
    const target = canonicalOf.get(l.target) ?? l.target;
    const t = entities.get(target)?.entity;
    let caption = l.target;
    try {
      caption = t?.caption() ?? l.target;
    } catch {
      // a schema the model does not know: keep the id
    }
    return { ...l, canonical: { entity, target }, target_caption: caption };
  });
}

/** The entity's referents (a canonical id's source ids; a source id stands for its canonical entity). */
async function referentSet(store: Store, id: string): Promise<Set<string>> {
  const canon = isCanonicalId(id) ? id : (await canonicalIdsOf(store, [id])).get(id)!;
  const refs = await referentsOf(store, canon);
  if (refs.length === 0) throw new NotFoundError(`no entity with id "${id}"`);
  return new Set(refs);
}

/** User links of an entity (any of its referents): the user dataset's edges naming it and the same-as judgements. */
export async function userLinksOf(store: Store, id: string): Promise<UserLink[]> {
  const refs = await referentSet(store, id);
  const byEdge = new Map<string, Statement[]>();
  for (const s of await userStatements(store)) {
    let g = byEdge.get(s.entityId);
    if (!g) byEdge.set(s.entityId, (g = []));
    g.push(s);
  }
  const out: Array<Omit<UserLink, 'canonical' | 'target_caption'>> = [];
  for (const [edgeId, sts] of byEdge) {
    const schema = sts[0]!.schema;
    const props: Record<string, string[]> = {};
    for (const s of sts) (props[s.prop] ??= []).push(s.value);
    for (const [type, e] of Object.entries(EDGES) as Array<[LinkType, (typeof EDGES)['owns']]>) {
      if (e.schema !== schema || type === 'owns' || type === 'director_of') continue;
      const a = props[e.self]?.[0];
      const b = props[e.other]?.[0];
      if (a === undefined || b === undefined) continue;
      const author = authorOf(sts[0]!.sourceRecord);
      // The type as seen from this entity: an Ownership whose owner it is reads "owns".
      if (refs.has(a)) out.push(linkFields(edgeId, type, a, b, schema, props, author));
      else if (refs.has(b)) {
        const reverse: LinkType =
          type === 'owned_by' ? 'owns' : type === 'directed_by' ? 'director_of' : 'associate_of';
        out.push(linkFields(edgeId, reverse, b, a, schema, props, author));
      }
    }
  }
  const judgements = latestPerPair(await loadJudgements(store.db, { origins: ['analyst', 'imported'] }));
  for (const j of judgements) {
    if (j.verdict !== 'positive') continue;
    // After the merge both sides are referents: the id asked for is this end when it is one of them.
    const [self, other] =
      j.right === id
        ? [j.right, j.left]
        : refs.has(j.left)
          ? [j.left, j.right]
          : refs.has(j.right)
            ? [j.right, j.left]
            : [];
    if (!self || !other) continue;
    out.push({
      id: sameAsId(j.left, j.right),
      type: 'same_as',
      entity: self,
      target: other,
      schema: null,
      ...(j.reason ? { notes: j.reason } : {}),
      author: j.author,
      created_at: j.createdAt,
    });
  }
  return (await withCanonical(store, out)).sort((a, b) =>
    a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1,
  );
}

/**
 * Remove a user link of `id` (DELETE /entities/{id}/links/{linkId}): an edge of the user dataset, or a same-as
 * judgement (then an `unsure` judgement by `author` is recorded: judgements are never erased, the latest counts).
 */
export async function removeUserLink(store: Store, id: string, link: string, author: Author): Promise<UserLink> {
  const found = (await userLinksOf(store, id)).find((l) => l.id === link);
  if (!found) throw new NotFoundError(`entity "${id}" has no user link "${link}"`);
  if (found.type === 'same_as') {
    await judgePair(store, found.entity, found.target, 'unsure', {
      author: author.user,
      now: author.at,
      reason: `same-as link removed by ${author.user}`,
    });
  } else {
    await editUserDataset(store, async (current) => ({
      statements: current.filter((s) => s.entityId !== link),
      result: undefined,
    }));
  }
  const [after] = await withCanonical(store, [found]);
  return after!;
}
