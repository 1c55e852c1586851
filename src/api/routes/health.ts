import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';
import type { ApiDeps } from '../server.js';

export default async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness and store check',
        tags: ['system'],
        response: {
          200: {
            type: 'object',
            required: ['status', 'store', 'version'],
            properties: {
              status: { type: 'string', enum: ['ok'] },
              store: { type: 'string', enum: ['duckdb', 'postgres'] },
              version: { type: 'string' },
            },
          },
        },
      },
    },
    async () => {
      await deps.store.db.query('SELECT 1 AS one');
      return { status: 'ok', store: deps.store.kind, version: VERSION };
    },
  );
}
