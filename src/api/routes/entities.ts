import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createUserEntity, removeUserEntity } from '../../entities/user-entities.js';
import { addUserLink, LINK_TYPES, removeUserLink, userLinksOf } from '../../entities/user-links.js';
import type { Author } from '../../entities/user-store.js';
import { Entity } from '../../model/entity.js';
import { canonicalIdsOf } from '../../resolve/canonical.js';
import { Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * What a user knows (docs/graph.md, "User entities and links"): entities an analyst creates (a person, a company,
 * any concrete FtM schema) and links between entities (same as, owned by, directed by, associate of), stored in the
 * `user` dataset with the analyst and the time as the source of every value. They are read by the graph, the
 * network page, screening and ownership like any list entity. In auth mode the writes need the analyst role and go
 * to the audit trail (src/api/auth/hook.ts); reads need a viewer.
 */

const tags = ['entities'];

const Id = Type.String({ minLength: 1, maxLength: 300, description: 'entity id (source or canonical wk- id)' });
const Params = Type.Object({ id: Id });
const LinkParams = Type.Object({
  id: Id,
  linkId: Type.String({ minLength: 1, maxLength: 700, description: 'a link id from GET /entities/{id}/links' }),
});

export const CreateEntityBody = Type.Object(
  {
    id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'the id to use; default: a new `user-...` id' }),
    ),
    schema: Type.String({ minLength: 1, maxLength: 100, description: 'FtM schema: Person, Company, Vessel, ...' }),
    properties: Type.Record(
      Type.String({ maxLength: 100 }),
      Type.Array(Type.String({ maxLength: 4000 }), { maxItems: 200 }),
      {
        description: 'FtM properties, each an array of strings (name, country, idNumber, notes, ...)',
      },
    ),
  },
  {
    additionalProperties: true,
    description: 'An FtM entity (the shape of one line of an FtM JSON lines file), checked as imports are',
  },
);
export type CreateEntityBody = Static<typeof CreateEntityBody>;

export const CreatedEntity = Type.Object({
  id: Type.String(),
  schema: Type.String(),
  caption: Type.String(),
  properties: Type.Record(Type.String(), Type.Array(Type.String())),
  datasets: Type.Array(Type.String(), { description: 'always ["user"]' }),
  author: Type.String({ description: 'the signed-in user; "local" in local mode' }),
  created_at: Type.String({ format: 'date-time' }),
  canonical_id: Type.String({ description: 'the canonical id of the entity now' }),
});
export type CreatedEntity = Static<typeof CreatedEntity>;

export const LinkBody = Type.Object(
  {
    type: StringEnum(LINK_TYPES, {
      description:
        'same_as (a positive analyst judgement: the two are merged), owned_by / owns (FtM Ownership), directed_by / director_of (Directorship), associate_of (UnknownLink)',
    }),
    target: Id,
    percentage: Type.Optional(
      Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.String({ maxLength: 20 })], {
        description: 'owned_by / owns: the share held, 0-100',
      }),
    ),
    startDate: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY, YYYY-MM or YYYY-MM-DD' })),
    endDate: Type.Optional(Type.String({ maxLength: 10 })),
    role: Type.Optional(Type.String({ maxLength: 200, description: 'e.g. "associate", "chairman"' })),
    notes: Type.Optional(Type.String({ maxLength: 2000, description: 'kept on the link (the reason of a same_as)' })),
  },
  { additionalProperties: false },
);
export type LinkBody = Static<typeof LinkBody>;

export const UserLinkReply = Type.Object({
  id: Type.String({ description: 'the link entity id (user-link-...), or same-as:<left>~<right>' }),
  type: StringEnum(LINK_TYPES),
  entity: Type.String({ description: 'source id of this end' }),
  target: Type.String({ description: 'source id of the other end' }),
  schema: Type.Union([Type.String(), Type.Null()], { description: 'FtM schema of the link; null for same_as' }),
  percentage: Type.Optional(Type.String()),
  startDate: Type.Optional(Type.String()),
  endDate: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  notes: Type.Optional(Type.String()),
  author: Type.String(),
  created_at: Type.String(),
  canonical: Type.Object(
    { entity: Type.String(), target: Type.String() },
    { description: 'canonical ids of both ends now (equal after same_as)' },
  ),
  target_caption: Type.String({ description: 'the display name of the target now' }),
});
export type UserLinkReply = Static<typeof UserLinkReply>;

export const UserLinkList = Results(UserLinkReply);
export type UserLinkList = Static<typeof UserLinkList>;

export const RemovedEntity = Type.Object({
  id: Type.String(),
  statements: Type.Integer({ description: 'user statements removed' }),
  links: Type.Array(Type.String(), { description: 'user links naming the entity, removed with it' }),
});
export type RemovedEntity = Static<typeof RemovedEntity>;

function authorOf(req: FastifyRequest): Author {
  return { user: req.principal?.username ?? 'local', at: new Date().toISOString() };
}

export default async function entityRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.post<{ Body: CreateEntityBody; Reply: CreatedEntity }>(
    '/entities',
    {
      schema: {
        operationId: 'createUserEntity',
        summary: 'Create an entity (FtM-shaped: schema, properties, optional id) in the user dataset',
        tags,
        body: CreateEntityBody,
        response: { 201: CreatedEntity },
      },
    },
    async (req, reply) => {
      const { entity, author } = await createUserEntity(store, req.body, authorOf(req));
      const e = new Entity(entity.id, entity.schema);
      for (const [p, vals] of Object.entries(entity.properties)) for (const v of vals) e.add(p, v);
      const canon = await canonicalIdsOf(store, [entity.id]);
      return reply.status(201).send({
        id: entity.id,
        schema: entity.schema,
        caption: e.caption(),
        properties: entity.properties,
        datasets: ['user'],
        author: author.user,
        created_at: author.at,
        canonical_id: canon.get(entity.id) ?? entity.id,
      });
    },
  );

  app.delete<{ Params: Static<typeof Params>; Reply: RemovedEntity }>(
    '/entities/:id',
    {
      schema: {
        operationId: 'deleteUserEntity',
        summary:
          'Remove what the user dataset says about an entity, and the user links naming it (409 for an entity no user created)',
        tags,
        params: Params,
        response: { 200: RemovedEntity },
      },
    },
    async (req) => removeUserEntity(store, req.params.id),
  );

  app.get<{ Params: Static<typeof Params>; Reply: UserLinkList }>(
    '/entities/:id/links',
    {
      schema: {
        operationId: 'listUserLinks',
        summary: 'The links users added to an entity (any of its referents): edges of the user dataset and same-as',
        tags,
        params: Params,
        response: { 200: UserLinkList },
      },
    },
    async (req) => ({ results: await userLinksOf(store, req.params.id) }),
  );

  app.post<{ Params: Static<typeof Params>; Body: LinkBody; Reply: UserLinkReply }>(
    '/entities/:id/links',
    {
      schema: {
        operationId: 'addUserLink',
        summary:
          'Link an entity to another: same_as merges them (an analyst judgement); owned_by, directed_by, associate_of add an FtM link',
        tags,
        params: Params,
        body: LinkBody,
        response: { 201: UserLinkReply },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const link = await addUserLink(
        store,
        req.params.id,
        {
          type: b.type,
          target: b.target,
          ...(b.percentage !== undefined ? { percentage: b.percentage } : {}),
          ...(b.startDate !== undefined ? { startDate: b.startDate } : {}),
          ...(b.endDate !== undefined ? { endDate: b.endDate } : {}),
          ...(b.role !== undefined ? { role: b.role } : {}),
          ...(b.notes !== undefined ? { notes: b.notes } : {}),
        },
        authorOf(req),
      );
      return reply.status(201).send(link);
    },
  );

  app.delete<{ Params: Static<typeof LinkParams>; Reply: UserLinkReply }>(
    '/entities/:id/links/:linkId',
    {
      schema: {
        operationId: 'deleteUserLink',
        summary: 'Remove a user link (a same-as is undone by an unsure judgement; judgements are never erased)',
        tags,
        params: LinkParams,
        response: { 200: UserLinkReply },
      },
    },
    async (req) => removeUserLink(store, req.params.id, req.params.linkId, authorOf(req)),
  );
}
