import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.js';

/** HTTP routes for web (documented in OpenAPI through their JSON schemas). */
export default async function webRoutes(_app: FastifyInstance, _deps: ApiDeps): Promise<void> {}
