import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { WATCH_KINDS } from '../../cases/types.js';
import { addWatch, listWatches, refreshAlerts, removeWatch } from '../../cases/watch.js';
import { IdParams, NoContent, Nullable, Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/** The watchlist: vessels, entities and addresses whose new findings raise alerts (see alerts.ts). */

const tags = ['watchlists'];

export const Watch = Type.Object({
  id: Type.String(),
  kind: StringEnum(WATCH_KINDS),
  ref: Type.String({ description: 'what was typed: entity id, MMSI / ais-<mmsi>, or address' }),
  label: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  subjects: Type.Array(Type.String(), { description: 'entity ids a finding must name to concern this watch' }),
  alertCount: Type.Integer(),
  unreadCount: Type.Integer(),
});
export type Watch = Static<typeof Watch>;

export const WatchList = Results(Watch);
export type WatchList = Static<typeof WatchList>;

export const AddWatchBody = Type.Object(
  {
    kind: StringEnum(WATCH_KINDS),
    ref: Type.String({ minLength: 1, maxLength: 200 }),
    label: Type.Optional(Type.String({ maxLength: 300 })),
    includeExisting: Type.Optional(Type.Boolean({ description: 'raise alerts for findings already in the store too' })),
  },
  { additionalProperties: false },
);
export type AddWatchBody = Static<typeof AddWatchBody>;

export default async function watchlistRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Reply: WatchList }>(
    '/watchlist',
    {
      schema: {
        operationId: 'listWatches',
        summary: 'Watched vessels, entities and addresses',
        tags,
        response: { 200: WatchList },
      },
    },
    async () => {
      await refreshAlerts(store);
      return { results: await listWatches(store) };
    },
  );

  app.post<{ Body: AddWatchBody; Reply: Watch }>(
    '/watchlist',
    {
      schema: {
        operationId: 'addWatch',
        summary:
          'Watch a vessel (MMSI or entity id), entity or address; new findings on it raise alerts (watching it again returns the existing watch)',
        tags,
        body: AddWatchBody,
        response: { 201: Watch },
      },
    },
    async (req, reply) => reply.status(201).send(await addWatch(store, req.body)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/watchlist/:id',
    {
      schema: {
        operationId: 'removeWatch',
        summary: 'Stop watching',
        tags,
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await removeWatch(store, req.params.id);
      return reply.status(204).send();
    },
  );
}
