import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { GpsdJsonWriter } from '../../maritime/ais/gpsd-json.js';
import { NmeaAisDecoder } from '../../maritime/ais/nmea.js';
import type { ApiDeps } from '../server.js';

/**
 * AIS decoding: NMEA text in, gpsd JSON objects out. Vessels seen in AIS (identity, positions, tracks) are the
 * `vessels` resource (vessels.ts); AIS files are imported by the CLI (`ais import`).
 */

export const DecodeAisBody = Type.Object(
  {
    nmea: Type.String({ description: 'NMEA lines (tag blocks, $PGHP and leading timestamps allowed)' }),
    scaled: Type.Optional(Type.Boolean({ default: true })),
    split24: Type.Optional(Type.Boolean({ default: false })),
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
      const writer = new GpsdJsonWriter({ scaled: req.body.scaled ?? true, split24: req.body.split24, device: '' });
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
