import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { GpsdJsonWriter } from '../../maritime/ais/gpsd-json.js';
import { GPSD_COMPAT } from '../../maritime/ais/json-out.js';
import { NmeaAisDecoder } from '../../maritime/ais/nmea.js';
import { StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * AIS decoding: NMEA text in, gpsd JSON objects out. Vessels seen in AIS (identity, positions, tracks) are the
 * `vessels` resource (vessels.ts); AIS files are imported by the CLI (`ais import`).
 */

export const DecodeAisBody = Type.Object(
  {
    nmea: Type.String({ description: 'NMEA lines (tag blocks, $PGHP and leading timestamps allowed)' }),
    scaled: Type.Optional(Type.Boolean({ default: true, description: 'false: raw integer values (gpsdecode -u)' })),
    split24: Type.Optional(
      Type.Boolean({ default: false, description: 'type 24 parts A and B as separate objects (gpsdecode --split24)' }),
    ),
    gpsdCompat: Type.Optional(
      StringEnum(GPSD_COMPAT, {
        default: 'current',
        description:
          "JSON as current gpsd writes it, or as gpsd 3.22 (Debian 12's gpsdecode) does: the CLI's `ais decode --gpsd-compat`",
      }),
    ),
  },
  { additionalProperties: false },
);
export type DecodeAisBody = Static<typeof DecodeAisBody>;

export const DecodeAisReply = Type.Object({
  messages: Type.Array(
    Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      additionalProperties: true,
      description: 'one gpsd JSON object (`gpsdecode -j`, or `-u -j` when not scaled)',
    }),
  ),
  counters: Type.Unsafe<Record<string, number>>({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'lines seen, messages decoded, and lines not decoded by reason',
  }),
});
export type DecodeAisReply = Static<typeof DecodeAisReply>;

export default async function aisRoutes(app: FastifyInstance, _deps: ApiDeps): Promise<void> {
  app.post<{ Body: DecodeAisBody; Reply: DecodeAisReply }>(
    '/ais/decode',
    {
      schema: {
        operationId: 'decodeAis',
        summary: 'Decode NMEA AIVDM/AIVDO text to gpsd-compatible AIS JSON objects',
        tags: ['ais'],
        body: DecodeAisBody,
        response: { 200: DecodeAisReply },
      },
    },
    async (req) => {
      const writer = new GpsdJsonWriter({
        scaled: req.body.scaled ?? true,
        split24: req.body.split24,
        device: '',
        compat: req.body.gpsdCompat ?? 'current',
      });
      const messages: Array<Record<string, unknown>> = [];
      const decoder = new NmeaAisDecoder({
        onMessage: (msg, meta) => {
          const line = writer.render(msg, meta.channel);
          if (line !== null) messages.push(JSON.parse(line) as Record<string, unknown>);
        },
      });
      decoder.push(Buffer.from(req.body.nmea, 'utf8'));
      decoder.end();
      return { messages, counters: { ...decoder.counters } };
    },
  );
}
