import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { caseShares, restrictsCases, shareCaseWithGroup, unshareCaseWithGroup } from '../../auth/case-access.js';
import {
  addMember,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  listGroupsOf,
  removeMember,
  requireGroupOf,
} from '../../auth/groups.js';
import type { Store } from '../../store/store.js';
import { Results } from '../schemas/common.js';
import { CaseShares } from './routes.js';

/**
 * Groups of users and cases shared with groups. An admin manages groups and sees them all; any signed-in user lists
 * and reads the groups they are a member of (any other group does not exist for them: 404, as for cases). The owner
 * of a case shares it with a group they belong to, an admin with any group. Every write goes to the audit trail
 * through the guard (hook.ts), with the group or the case's shares before the change.
 *
 * `GET /groups` answers each user with what they may see, as `GET /cases` does, rather than a separate
 * `/me/groups`: the same resource and operation for the web panel, the CLI's admin view and scripts.
 */

const tags = ['auth'];

export const GroupMemberView = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  addedAt: Type.String({ format: 'date-time' }),
});
export const GroupView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  members: Type.Array(GroupMemberView),
  cases: Type.Integer({ description: 'how many cases are shared with the group' }),
});
export type GroupView = Static<typeof GroupView>;
export const GroupList = Results(GroupView);
export type GroupList = Static<typeof GroupList>;

export const CreateGroupBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type CreateGroupBody = Static<typeof CreateGroupBody>;
export const MemberBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type MemberBody = Static<typeof MemberBody>;
export const GroupShareBody = Type.Object(
  { group: Type.String({ minLength: 1, maxLength: 100, description: 'the group name or id' }) },
  { additionalProperties: false },
);
export type GroupShareBody = Static<typeof GroupShareBody>;

const GroupParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const MemberParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  userId: Type.String({ minLength: 1, maxLength: 100, description: 'the user id or name' }),
});
const CaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const CaseGroupParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  groupId: Type.String({ minLength: 1, maxLength: 100, description: 'the group id or name' }),
});

export default async function groupRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  const db = opts.store.db;

  app.get<{ Reply: GroupList }>(
    '/groups',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listGroups',
        summary: 'Groups of users with their members: all of them for an admin, your own for anyone else',
        tags,
        response: { 200: GroupList },
      },
    },
    async (req) => {
      const p = req.principal;
      return { results: restrictsCases(p) ? await listGroupsOf(db, p.userId) : await listGroups(db) };
    },
  );

  app.post<{ Body: CreateGroupBody; Reply: GroupView }>(
    '/groups',
    {
      config: { auth: 'admin' },
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'createGroup',
        summary: 'Create a group of users (cases can then be shared with it)',
        tags,
        body: CreateGroupBody,
        response: { 201: GroupView },
      },
    },
    async (req, reply) => reply.status(201).send(await createGroup(db, req.body.name, req.principal?.userId ?? null)),
  );

  app.get<{ Params: Static<typeof GroupParams>; Reply: GroupView }>(
    '/groups/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getGroup',
        summary: 'A group and its members (404 for a group you are not a member of, unless you are an admin)',
        tags,
        params: GroupParams,
        response: { 200: GroupView },
      },
    },
    async (req) => {
      const p = req.principal;
      return restrictsCases(p) ? requireGroupOf(db, req.params.id, p.userId) : getGroup(db, req.params.id);
    },
  );

  app.delete<{ Params: Static<typeof GroupParams>; Reply: GroupView }>(
    '/groups/:id',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deleteGroup',
        summary: 'Delete a group: its members stop seeing the cases shared with it at once',
        tags,
        params: GroupParams,
        response: { 200: GroupView },
      },
    },
    async (req) => deleteGroup(db, req.params.id),
  );

  app.post<{ Params: Static<typeof GroupParams>; Body: MemberBody; Reply: GroupView }>(
    '/groups/:id/members',
    {
      config: { auth: 'admin' },
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'addGroupMember',
        summary: 'Add a user to a group',
        tags,
        params: GroupParams,
        body: MemberBody,
        response: { 200: GroupView },
      },
    },
    async (req) => addMember(db, req.params.id, req.body.username, req.principal?.userId ?? null),
  );

  app.delete<{ Params: Static<typeof MemberParams>; Reply: GroupView }>(
    '/groups/:id/members/:userId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'removeGroupMember',
        summary: "Remove a user from a group: the group's cases disappear for them at once (404)",
        tags,
        params: MemberParams,
        response: { 200: GroupView },
      },
    },
    async (req) => removeMember(db, req.params.id, req.params.userId),
  );

  app.post<{ Params: Static<typeof CaseParams>; Body: GroupShareBody; Reply: CaseShares }>(
    '/cases/:id/group-shares',
    {
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'shareCaseWithGroup',
        summary:
          'Share a case with a group (its owner, with a group they are in; an admin, any): members see it within their role',
        tags,
        params: CaseParams,
        body: GroupShareBody,
        response: { 200: CaseShares },
      },
    },
    async (req) => {
      await shareCaseWithGroup(db, req.principal, req.params.id, req.body.group);
      return caseShares(db, req.params.id);
    },
  );

  app.delete<{ Params: Static<typeof CaseGroupParams>; Reply: CaseShares }>(
    '/cases/:id/group-shares/:groupId',
    {
      schema: {
        operationId: 'unshareCaseWithGroup',
        summary: 'Stop sharing a case with a group (owner or admin)',
        tags,
        params: CaseGroupParams,
        response: { 200: CaseShares },
      },
    },
    async (req) => {
      await unshareCaseWithGroup(db, req.principal, req.params.id, req.params.groupId);
      return caseShares(db, req.params.id);
    },
  );
}
