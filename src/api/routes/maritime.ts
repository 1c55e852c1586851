import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.js';

/** HTTP routes for maritime (documented in OpenAPI through their JSON schemas). */
export default async function maritimeRoutes(_app: FastifyInstance, _deps: ApiDeps): Promise<void> {}
