/**
 * The worker's own small HTTP listener (`watchkeeper worker --listen 127.0.0.1:9464`), for a worker running
 * without the API server: GET /healthz, /readyz and /metrics, the same answers as the server's routes.
 */
import { createServer, type Server } from 'node:http';
import type { Store } from '../store/store.js';
import { metricsText, readiness } from './status.js';

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new Error(`--listen: "${text}" is not host:port (e.g. 127.0.0.1:9464)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export async function startStatusServer(
  store: Store,
  where: { host: string; port: number },
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'application/json', '{"error":"method_not_allowed","message":"GET only"}');
    const run = async (): Promise<void> => {
      if (path === '/healthz') {
        await store.db.query('SELECT 1 AS one');
        return send(200, 'application/json', JSON.stringify({ status: 'ok', store: store.kind }));
      }
      if (path === '/readyz') {
        const r = await readiness(store);
        return send(r.ready ? 200 : 503, 'application/json', JSON.stringify(r));
      }
      if (path === '/metrics') return send(200, 'text/plain; version=0.0.4; charset=utf-8', await metricsText(store));
      send(404, 'application/json', JSON.stringify({ error: 'not_found', message: `no route for ${path}` }));
    };
    run().catch(() => send(500, 'application/json', '{"error":"internal_error","message":"see the worker log"}'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : where.port };
}
