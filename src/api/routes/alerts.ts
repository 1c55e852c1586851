import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WATCH_KINDS } from '../../cases/types.js';
import { listAlerts, markAlertRead } from '../../cases/watch.js';
import { IdParams, Limit, NoContent, Nullable, Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/** Alerts: raised when a new finding names a watched subject (watchlists.ts). */

const tags = ['alerts'];

export const Alert = Type.Object({
  id: Type.String(),
  watchId: Type.String(),
  watchKind: StringEnum(WATCH_KINDS),
  watchRef: Type.String(),
  watchLabel: Nullable(Type.String()),
  findingId: Type.String(),
  findingKind: Type.String(),
  findingStart: Type.String({ description: 'ISO 8601; empty when the finding is no longer in the store' }),
  score: Type.Number(),
  explanation: Type.String(),
  raisedAt: Type.String({ format: 'date-time' }),
  readAt: Nullable(Type.String({ format: 'date-time' })),
});
export type Alert = Static<typeof Alert>;

export const AlertList = Results(Alert);
export type AlertList = Static<typeof AlertList>;

export const AlertsQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'only alerts not marked read' })),
    limit: Type.Optional(Limit({ maximum: 1000, default: 200 })),
  },
  { additionalProperties: false },
);
export type AlertsQuery = Static<typeof AlertsQuery>;

export default async function alertRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Querystring: AlertsQuery; Reply: AlertList }>(
    '/alerts',
    {
      schema: {
        operationId: 'listAlerts',
        summary: 'Alerts raised by new findings on watched subjects, newest first',
        tags,
        querystring: AlertsQuery,
        response: { 200: AlertList },
      },
    },
    async (req) => ({ results: await listAlerts(store, req.query) }),
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/alerts/:id/read',
    {
      schema: {
        operationId: 'markAlertRead',
        summary: 'Mark an alert read',
        tags,
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await markAlertRead(store, req.params.id);
      return reply.status(204).send();
    },
  );
}
