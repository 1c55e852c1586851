import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import aisRoutes from './routes/ais.js';
import casesRoutes from './routes/cases.js';
import cryptoRoutes from './routes/crypto.js';
import findingsRoutes from './routes/findings.js';
import healthRoutes from './routes/health.js';
import maritimeRoutes from './routes/maritime.js';
import screeningRoutes from './routes/screening.js';
import webRoutes from './routes/web.js';

/** What every route plugin receives. */
export interface ApiDeps {
  store: Store;
}

export interface ServerOptions extends ApiDeps {
  /** pino level, or false for silence (tests). */
  logLevel?: string | false;
}

/**
 * The HTTP API: Fastify with JSON-schema validated routes and OpenAPI at /docs. Errors are always JSON
 * `{error, message}`; a stack trace never reaches a client.
 */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logLevel === false ? false : { level: opts.logLevel ?? 'info' },
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Watchkeeper API',
        version: VERSION,
        description:
          'Sanctions screening (yente-compatible /match, /search, /entities and W3C reconciliation), AIS vessels and ' +
          'maritime findings, crypto screening and tracing, cases and reports.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof UserError) {
      return reply.status(err.status).send({ error: err.code, message: err.message });
    }
    if (err.validation) {
      return reply.status(400).send({ error: 'bad_request', message: err.message });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ error: 'internal_error', message: 'internal error; see the server log' });
    }
    return reply.status(status).send({ error: err.code ?? 'bad_request', message: err.message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url}` });
  });

  const deps: ApiDeps = { store: opts.store };
  await app.register(healthRoutes, deps);
  await app.register(findingsRoutes, deps);
  await app.register(screeningRoutes, deps);
  await app.register(aisRoutes, deps);
  await app.register(maritimeRoutes, deps);
  await app.register(cryptoRoutes, deps);
  await app.register(casesRoutes, deps);
  await app.register(webRoutes, deps);
  return app;
}
