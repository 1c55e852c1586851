import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.js';

/** HTTP routes for cases (documented in OpenAPI through their JSON schemas). */
export default async function casesRoutes(_app: FastifyInstance, _deps: ApiDeps): Promise<void> {}
