import type { FastifyInstance } from 'fastify';
import { UserError } from '../../errors.js';
import { encodeTrackColumns, type TrackColumnsQuery, trackColumns } from '../../maritime/tracks/columns.js';
import type { ApiDeps } from '../server.js';

/**
 * `GET /workspace/tracks/columns`: the map's tracks as binary typed columns, thinned on the server for the zoom
 * they are drawn at (src/maritime/tracks/columns.ts). Answers are kept in a small cache keyed by the query and the
 * positions table's version (row count and newest import), so the map's usual first view costs one query per import.
 */

const CACHE_BYTES = 64 * 1024 * 1024;

interface Query {
  mmsi?: number[];
  since?: string;
  until?: string;
  zoom?: number;
  bbox?: string;
}

function time(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UserError(`${field}: "${v}" is not an ISO 8601 time`);
  return ms;
}

export function registerTrackColumns(app: FastifyInstance, deps: ApiDeps): void {
  const cache = new Map<string, Buffer>();
  let cached = 0;
  app.get<{ Querystring: Query }>(
    '/workspace/tracks/columns',
    {
      schema: {
        operationId: 'getTrackColumns',
        summary:
          'AIS tracks for the map as binary typed columns (uint32 header length, JSON header, float64 ts, float32 lat, float32 lon), thinned to half a pixel at `zoom`',
        tags: ['vessels'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            mmsi: { type: 'array', items: { type: 'integer' }, maxItems: 500 },
            since: { type: 'string', description: 'ISO 8601 time' },
            until: { type: 'string', description: 'ISO 8601 time' },
            zoom: {
              type: 'number',
              minimum: 0,
              maximum: 30,
              description: 'slippy-map zoom the tracks are drawn at (omitted: every position)',
            },
            bbox: {
              type: 'string',
              pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$',
              description: 'west,south,east,north in degrees',
            },
          },
        },
        response: {
          200: {
            description: 'the binary body described in the summary (application/octet-stream)',
            type: 'string',
            format: 'binary',
          },
        },
      },
    },
    async (req, reply) => {
      const q: TrackColumnsQuery = {
        mmsi: req.query.mmsi,
        sinceMs: time(req.query.since, 'since'),
        untilMs: time(req.query.until, 'until'),
        zoom: req.query.zoom,
        bbox: req.query.bbox ? (req.query.bbox.split(',').map(Number) as TrackColumnsQuery['bbox']) : undefined,
      };
      const v = (
        await deps.store.db.query<{ n: number; k: number | null }>(
          'SELECT count(*) AS n, max(import_key) AS k FROM positions',
        )
      )[0];
      const key = `${v?.n}|${v?.k}|${JSON.stringify(q)}`;
      let body = cache.get(key);
      if (body) {
        cache.delete(key);
        cache.set(key, body);
      } else {
        body = encodeTrackColumns(await trackColumns(deps.store.db, q));
        cache.set(key, body);
        cached += body.length;
        for (const [k, b] of cache) {
          if (cached <= CACHE_BYTES || k === key) break;
          cache.delete(k);
          cached -= b.length;
        }
      }
      return reply.type('application/octet-stream').header('cache-control', 'no-cache').send(body);
    },
  );
}
