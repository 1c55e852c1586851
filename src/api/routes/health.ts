import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { metrics } from '../../monitor/metrics.js';
import { metricsText, readiness } from '../../monitor/status.js';
import { screeningService } from '../../screening/service.js';
import { VERSION } from '../../version.js';
import { Nullable, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

export const Health = Type.Object({
  status: StringEnum(['ok'] as const),
  store: StringEnum(['duckdb', 'postgres'] as const),
  version: Type.String(),
});
export type Health = Static<typeof Health>;

const Check = Type.Object({ ok: Type.Boolean(), message: Type.String() });

export const Ready = Type.Object({
  status: StringEnum(['ok', 'not_ready'] as const, { description: "yente's readiness field" }),
  ready: Type.Boolean(),
  checks: Type.Object({ store: Check, migrations: Check, worker: Check, screening: Check }),
  workerLagS: Nullable(Type.Number({ description: 'seconds since the freshest worker heartbeat; null: no worker' })),
  detectionLagS: Nullable(
    Type.Number({ description: 'seconds the oldest committed live positions have waited for detection' }),
  ),
});
export type Ready = Static<typeof Ready>;

/**
 * Liveness (/healthz), readiness (/readyz: store reachable, every migration applied, a registered worker's heartbeat
 * recent) and Prometheus metrics (/metrics). The plugin is not encapsulated (skip-override), so its onResponse hook
 * counts every route's requests by route pattern and status.
 */
async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.addHook('onResponse', async (req, reply) => {
    metrics.inc('watchkeeper_http_requests_total', 'HTTP requests by method, route pattern and status', {
      method: req.method,
      route: req.routeOptions.url ?? '(no route)',
      status: String(reply.statusCode),
    });
  });

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

  app.get<{ Reply: Ready }>(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: store reachable, migrations applied, worker heartbeat recent (503 when not ready)',
        tags: ['system'],
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_req, reply) => {
      const r = await readiness(deps.store);
      // As yente's /readyz: ready once the screening index is built (this waits for the build).
      let screening = { ok: true, message: 'screening index built' };
      if (r.checks.store.ok) {
        try {
          await screeningService(deps.store).index();
        } catch (err) {
          screening = { ok: false, message: `screening index: ${(err as Error).message}` };
        }
      } else screening = { ok: false, message: 'store unreachable' };
      const ready = r.ready && screening.ok;
      return reply
        .status(ready ? 200 : 503)
        .send({ ...r, ready, status: ready ? 'ok' : 'not_ready', checks: { ...r.checks, screening } });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        tags: ['system'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
    },
    async (_req, reply) => {
      const text = await metricsText(deps.store);
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
    },
  );
}

// Hooks of this plugin apply to every route (what fastify-plugin does).
(healthRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export default healthRoutes;
