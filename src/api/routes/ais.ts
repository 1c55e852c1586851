import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.js';

/** HTTP routes for ais (documented in OpenAPI through their JSON schemas). */
export default async function aisRoutes(_app: FastifyInstance, _deps: ApiDeps): Promise<void> {}
