import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AuthOptions } from '../auth/config.js';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import groupRoutes from './auth/groups.js';
import { installAuth } from './auth/hook.js';
import authRoutes from './auth/routes.js';
import aisRoutes from './routes/ais.js';
import alertRoutes from './routes/alerts.js';
import cargoRoutes from './routes/cargo.js';
import caseBundleRoutes from './routes/case-bundle.js';
import casesRoutes from './routes/cases.js';
import cryptoRoutes from './routes/crypto.js';
import dedupeRoutes from './routes/dedupe.js';
import entityRoutes from './routes/entities.js';
import findingsRoutes from './routes/findings.js';
import healthRoutes from './routes/health.js';
import importRoutes from './routes/imports.js';
import maritimeRoutes from './routes/maritime.js';
import ownershipRoutes from './routes/ownership.js';
import screeningRoutes from './routes/screening.js';
import tradeRoutes from './routes/trade.js';
import vesselRoutes from './routes/vessels.js';
import watchlistRoutes from './routes/watchlists.js';
import webRoutes from './routes/web.js';
import workspaceRoutes from './routes/workspace.js';
import { ErrorReply } from './schemas/common.js';

/** What every route plugin receives. */
export interface ApiDeps {
  store: Store;
}

/** One tag per resource, in the order /docs shows them. */
export const API_TAGS = [
  { name: 'system', description: 'Liveness and version' },
  { name: 'findings', description: 'Findings from every analyser and the red-flag taxonomy' },
  { name: 'screening', description: 'Sanctions screening, yente-compatible: /match, /search, /entities' },
  { name: 'reconciliation', description: 'W3C Reconciliation Service API 0.2 over the sanctions lists' },
  { name: 'vessels', description: 'Vessels: AIS identity history, tracks, risk, the workspace vessel page' },
  { name: 'ais', description: 'AIS decoding' },
  { name: 'maritime', description: 'Maritime detection runs and zones' },
  { name: 'crypto', description: 'Crypto screening, tracing and exposure' },
  {
    name: 'trade',
    description: 'Shipment records screened for listed parties, DPRK-banned goods and origins; mirror statistics',
  },
  { name: 'cases', description: 'Cases, their evidence and reports' },
  { name: 'watchlists', description: 'Watched vessels, entities and addresses' },
  { name: 'alerts', description: 'Alerts raised by new findings on watched subjects' },
  { name: 'workspace', description: 'Read models of the web workspace: overview, entity with provenance, graph' },
  { name: 'resolution', description: 'Entity resolution: candidate pairs and analyst judgements (docs/graph.md)' },
  { name: 'entities', description: 'User entities and links: what an analyst knows, with the analyst as source' },
  { name: 'auth', description: 'Sign-in, API tokens, users, groups and roles, case sharing, the audit trail' },
  { name: 'imports', description: 'Imports over HTTP: lists, AIS files and transfers streamed to disk, run as jobs' },
] as const;

/**
 * The error answers every route may give, added to each route's declared responses (a route may declare its own
 * first): 400 (invalid input), 404 (no such resource or route), 500 (a bug; the message says to read the log);
 * 409 (the change conflicts with the stored state) on routes that change something, 413 (body over the limit) on
 * routes that take a body. Their body is always `{error, message}`.
 */
export function errorResponsesFor(method: string, hasBody: boolean): Record<number, typeof ErrorReply> {
  const out: Record<number, typeof ErrorReply> = { 400: ErrorReply, 404: ErrorReply };
  if (method !== 'GET' && method !== 'HEAD') out[409] = ErrorReply;
  if (hasBody) out[413] = ErrorReply;
  out[500] = ErrorReply;
  return out;
}

export interface ServerOptions extends ApiDeps {
  /** pino level, or false for silence (tests). */
  logLevel?: string | false;
  /** Users, roles and tokens (src/api/auth); default off: local single-user mode, loopback Host names only. */
  auth?: AuthOptions;
  /** The address the server will bind, so its Host name is accepted. */
  host?: string;
  /** PEM certificate and key: serve HTTPS (node:https) instead of HTTP. */
  https?: { cert: Buffer; key: Buffer };
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
    ...(opts.https ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance;
  const auth = opts.auth ?? { enabled: false };
  installAuth(app, opts.store, auth, opts.host);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Watchkeeper API',
        version: VERSION,
        description:
          'Sanctions screening (yente-compatible /match, /search, /entities and W3C reconciliation), AIS vessels and ' +
          'maritime findings, crypto screening and tracing, cases and reports. Every error is `{error, message}`.',
      },
      tags: API_TAGS.map((t) => ({ ...t })),
    },
  });
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; body?: unknown; response?: Record<string, unknown> } | undefined;
    if (!schema || schema.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const errors = errorResponsesFor(String(methods[0]).toUpperCase(), schema.body !== undefined);
    const declared = schema.response ?? {};
    const missing = Object.entries(errors).filter(([status]) => !(status in declared));
    schema.response = { ...declared, ...Object.fromEntries(missing) };
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
  await app.register(cargoRoutes, deps);
  await app.register(cryptoRoutes, deps);
  await app.register(tradeRoutes, deps);
  await app.register(vesselRoutes, deps);
  await app.register(ownershipRoutes, deps);
  await app.register(casesRoutes, deps);
  await app.register(caseBundleRoutes, deps);
  await app.register(watchlistRoutes, deps);
  await app.register(alertRoutes, deps);
  await app.register(workspaceRoutes, deps);
  await app.register(dedupeRoutes, deps);
  await app.register(entityRoutes, deps);
  await app.register(importRoutes, deps);
  await app.register(authRoutes, { store: opts.store, auth });
  await app.register(groupRoutes, { store: opts.store });
  await app.register(webRoutes, deps);
  return app;
}
