import type { FastifyInstance } from 'fastify';
import { UserError } from '../../../errors.js';
import {
  type TrackColumnsQuery as Columns,
  encodeTrackColumns,
  trackColumns,
} from '../../../maritime/tracks/columns.js';
import type { ApiDeps } from '../../server.js';
import { TrackColumnsBody, TrackColumnsQuery } from './schemas.js';
import { isoMs } from './time.js';

/**
 * `GET /workspace/tracks/columns`: the map's tracks as binary typed columns, thinned on the server for the zoom
 * they are drawn at (src/maritime/tracks/columns.ts). Answers are kept in a small cache keyed by the query and the
 * positions table's version (row count and newest import), so the map's usual first view costs one query per import.
 */

const CACHE_BYTES = 64 * 1024 * 1024;

/** `west,south,east,north` in degrees; the pattern lets through `1.2.3`, which is no number: a 400. */
function bboxOf(v: string): Columns['bbox'] {
  const b = v.split(',').map(Number);
  if (b.length !== 4 || !b.every(Number.isFinite) || Math.abs(b[0]!) > 180 || Math.abs(b[2]!) > 180)
    throw new UserError(`bbox: "${v}" is not west,south,east,north in degrees`);
  if (Math.abs(b[1]!) > 90 || Math.abs(b[3]!) > 90) throw new UserError(`bbox: "${v}": latitudes are within ±90`);
  return b as Columns['bbox'];
}

export function registerTrackColumns(app: FastifyInstance, deps: ApiDeps): void {
  const cache = new Map<string, Buffer>();
  let cached = 0;
  app.get<{ Querystring: TrackColumnsQuery }>(
    '/workspace/tracks/columns',
    {
      schema: {
        operationId: 'getTrackColumns',
        summary:
          'AIS tracks for the map as binary typed columns (uint32 header length, JSON header, float64 ts, float32 lat, float32 lon), thinned to half a pixel at `zoom`',
        tags: ['vessels'],
        querystring: TrackColumnsQuery,
        response: { 200: TrackColumnsBody },
      },
    },
    async (req, reply) => {
      const q: Columns = {
        mmsi: req.query.mmsi,
        sinceMs: isoMs(req.query.since, 'since'),
        untilMs: isoMs(req.query.until, 'until'),
        zoom: req.query.zoom,
        bbox: req.query.bbox ? bboxOf(req.query.bbox) : undefined,
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
