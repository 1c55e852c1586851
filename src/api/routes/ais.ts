import type { FastifyInstance } from 'fastify';
import { NotFoundError, UserError } from '../../errors.js';
import { GpsdJsonWriter } from '../../maritime/ais/gpsd-json.js';
import { type AisCounters, NmeaAisDecoder } from '../../maritime/ais/nmea.js';
import { listVessels, track, vesselDetail } from '../../maritime/store/repository.js';
import type { ApiDeps } from '../server.js';

const nullable = (type: string) => ({ type: [type, 'null'] });
const identitySchema = {
  type: 'object',
  properties: {
    mmsi: { type: 'integer' },
    name: nullable('string'),
    callsign: nullable('string'),
    imo: nullable('integer'),
    shipType: nullable('integer'),
    flag: nullable('string'),
    firstSeen: { type: 'integer', description: 'epoch ms UTC' },
    lastSeen: { type: 'integer', description: 'epoch ms UTC' },
    messages: { type: 'integer' },
  },
};
const positionSchema = {
  type: 'object',
  properties: {
    mmsi: { type: 'integer' },
    ts: { type: 'integer', description: 'epoch ms UTC' },
    time: { type: 'string', format: 'date-time' },
    lat: { type: 'number' },
    lon: { type: 'number' },
    sog: { ...nullable('number'), description: 'speed over ground, knots' },
    cog: { ...nullable('number'), description: 'course over ground, degrees' },
    heading: nullable('integer'),
    navStatus: nullable('integer'),
    msgType: { type: 'integer' },
    class: nullable('string'),
  },
};
const countersSchema = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: 'lines seen, messages decoded, and lines not decoded by reason',
};
const mmsiParams = {
  type: 'object',
  required: ['mmsi'],
  properties: { mmsi: { type: 'integer', minimum: 1, maximum: 999999999 } },
};

function timeParam(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isNaN(t)) throw new UserError(`${name}: "${s}" is not an ISO-8601 time or epoch milliseconds`);
  return t;
}

/** HTTP routes for AIS vessels, tracks and decoding (documented in OpenAPI through their JSON schemas). */
export default async function aisRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get<{ Querystring: { q?: string; limit?: number; offset?: number } }>(
    '/vessels',
    {
      schema: {
        operationId: 'listVessels',
        summary: 'Vessels seen in AIS with their latest identity, most recently seen first',
        tags: ['vessels'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', description: 'substring of name, call sign, MMSI or IMO (case-insensitive)' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: Object.fromEntries(
                    Object.entries(identitySchema.properties).filter(([k]) => k !== 'messages'),
                  ),
                },
              },
            },
          },
        },
      },
    },
    async (req) => ({ results: await listVessels(deps.store.db, req.query) }),
  );

  app.get<{ Params: { mmsi: number }; Querystring: { positions?: number } }>(
    '/vessels/:mmsi',
    {
      schema: {
        operationId: 'getVessel',
        summary: 'One vessel: identity history (name, call sign, IMO, type, flag over time) and last positions',
        tags: ['vessels'],
        params: mmsiParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { positions: { type: 'integer', minimum: 0, maximum: 1000, default: 10 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              mmsi: { type: 'integer' },
              entityId: { type: 'string' },
              flag: nullable('string'),
              identities: { type: 'array', items: identitySchema },
              positionCount: { type: 'integer' },
              firstPosition: nullable('integer'),
              lastPosition: nullable('integer'),
              lastPositions: { type: 'array', items: positionSchema },
            },
          },
        },
      },
    },
    async (req) => {
      const d = await vesselDetail(deps.store, req.params.mmsi, req.query.positions ?? 10);
      if (d.identities.length === 0 && d.positionCount === 0)
        throw new NotFoundError(`MMSI ${req.params.mmsi}: no AIS data`);
      return d;
    },
  );

  app.get<{ Params: { mmsi: number }; Querystring: { since?: string; until?: string; limit?: number } }>(
    '/vessels/:mmsi/track',
    {
      schema: {
        operationId: 'getVesselTrack',
        summary: 'Positions of a vessel in a time range, oldest first',
        tags: ['vessels'],
        params: mmsiParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'string', description: 'ISO-8601 time or epoch ms (inclusive)' },
            until: { type: 'string', description: 'ISO-8601 time or epoch ms (exclusive)' },
            limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { mmsi: { type: 'integer' }, positions: { type: 'array', items: positionSchema } },
          },
        },
      },
    },
    async (req) => {
      const sinceMs = timeParam(req.query.since, 'since');
      const untilMs = timeParam(req.query.until, 'until');
      if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs)
        throw new UserError('until is before since');
      return {
        mmsi: req.params.mmsi,
        positions: await track(deps.store.db, req.params.mmsi, { sinceMs, untilMs, limit: req.query.limit }),
      };
    },
  );

  app.post<{ Body: { nmea: string; scaled?: boolean; split24?: boolean } }>(
    '/ais/decode',
    {
      schema: {
        operationId: 'decodeAis',
        summary: 'Decode NMEA AIVDM/AIVDO text to gpsd-compatible AIS JSON objects',
        tags: ['ais'],
        body: {
          type: 'object',
          required: ['nmea'],
          additionalProperties: false,
          properties: {
            nmea: { type: 'string', description: 'NMEA lines (tag blocks, $PGHP and leading timestamps allowed)' },
            scaled: { type: 'boolean', default: true },
            split24: { type: 'boolean', default: false },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              messages: { type: 'array', items: { type: 'object', additionalProperties: true } },
              counters: countersSchema,
            },
          },
        },
      },
    },
    async (req) => {
      const writer = new GpsdJsonWriter({ scaled: req.body.scaled ?? true, split24: req.body.split24, device: '' });
      const messages: unknown[] = [];
      const decoder = new NmeaAisDecoder({
        onMessage: (msg, meta) => {
          const line = writer.render(msg, meta.channel);
          if (line !== null) messages.push(JSON.parse(line));
        },
      });
      decoder.push(Buffer.from(req.body.nmea, 'utf8'));
      decoder.end();
      const counters: AisCounters = decoder.counters;
      return { messages, counters };
    },
  );
}
