import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PACKAGE_ROOT } from '../../paths.js';
import type { ApiDeps } from '../server.js';

/**
 * The web UI: the SPA built by Vite into dist/web, served at `/`. Client routes (the pages below) get index.html so
 * a shared URL opens straight on its view; every other unknown path stays a JSON 404, so API typos are not
 * answered with HTML. Client routes are singular (`/case/:id`, `/entity/:id`) so they never shadow API paths.
 */
export const WEB_ROOT = path.join(PACKAGE_ROOT, 'dist', 'web');
export const CLIENT_ROUTES = [
  '/map',
  '/search',
  '/network',
  '/crypto',
  '/case',
  '/watch',
  '/dedupe',
  '/trade',
  '/import',
];
/** Client routes that take an id (`/vessel/ais-445123000`); only these get a wildcard. */
export const CLIENT_ID_ROUTES = ['/vessel', '/entity', '/finding', '/case'];

export default async function webRoutes(app: FastifyInstance, _deps: ApiDeps): Promise<void> {
  const built = existsSync(path.join(WEB_ROOT, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: WEB_ROOT,
      prefix: '/',
      wildcard: false,
      index: false,
      // Hashed asset names: cache them; index.html is sent below without caching.
      maxAge: '1d',
      immutable: true,
    });
  }
  const sendIndex = (reply: FastifyReply) => {
    if (!built) {
      return reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Watchkeeper</title><p>The web UI is not built. Run <code>npm run build</code> (or <code>npm run build:web</code>), then reload. The API is at <a href="/docs">/docs</a>.</p>',
        );
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', WEB_ROOT, { maxAge: 0, immutable: false });
  };
  const hide = { schema: { hide: true } };
  app.get('/', hide, (_req, reply) => sendIndex(reply));
  for (const r of CLIENT_ROUTES) app.get(r, hide, (_req, reply) => sendIndex(reply));
  for (const r of CLIENT_ID_ROUTES) app.get(`${r}/*`, hide, (_req, reply) => sendIndex(reply));
}
