import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';
import { StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

export const Health = Type.Object({
  status: StringEnum(['ok'] as const),
  store: StringEnum(['duckdb', 'postgres'] as const),
  version: Type.String(),
});
export type Health = Static<typeof Health>;

export default async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get<{ Reply: Health }>(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness and store check',
        tags: ['system'],
        response: { 200: Health },
      },
    },
    async () => {
      await deps.store.db.query('SELECT 1 AS one');
      return { status: 'ok', store: deps.store.kind, version: VERSION };
    },
  );
}
