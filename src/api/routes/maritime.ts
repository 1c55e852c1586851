import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addZone, detectStore, storedZones } from '../../maritime/detect.js';
import type { ZoneInfo } from '../../maritime/geo/types.js';
import { builtinZones, zoneSummary } from '../../maritime/geo/zones.js';
import { MARITIME_KINDS } from '../../maritime/risk/store.js';
import { Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/** `zoneSummary`'s object, typed as the reply schema describes it. */
const zoneOf = (z: ZoneInfo, withGeometry: boolean) => zoneSummary(z, withGeometry) as Zone;

/**
 * Maritime detection: running the detectors over the AIS store, and the zones whose entry is a finding. Vessel
 * risk is the `vessels` resource (vessels.ts); findings themselves are served by GET /findings (kind=ais.*).
 */

export const Zone = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: StringEnum(['eez', 'sts_hotspot', 'user'] as const),
  redFlags: Type.Array(Type.String()),
  reference: Type.String(),
  bbox: Type.Unsafe<Record<string, number>>({ type: 'object', additionalProperties: { type: 'number' } }),
  geometry: Type.Optional(
    Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      additionalProperties: true,
      description: 'GeoJSON geometry (left out when geometry=false)',
    }),
  ),
});
export type Zone = Static<typeof Zone>;
export const ZoneList = Results(Zone);
export type ZoneList = Static<typeof ZoneList>;

export const DetectBody = Type.Object(
  {
    kinds: Type.Optional(Type.Array(StringEnum(MARITIME_KINDS))),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    full: Type.Optional(Type.Boolean({ default: false })),
    screen: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type DetectBody = Static<typeof DetectBody>;

export const DetectReply = Type.Object({
  runId: Type.String(),
  upToDate: Type.Boolean(),
  window: Type.Unsafe<{ start: string; end: string } | null>({
    type: ['object', 'null'],
    properties: { start: { type: 'string' }, end: { type: 'string' } },
  }),
  newImports: Type.Array(Type.String()),
  positions: Type.Integer(),
  vessels: Type.Integer(),
  findings: Type.Integer(),
  byKind: Type.Unsafe<Record<string, number>>({ type: 'object', additionalProperties: { type: 'integer' } }),
  timingsMs: Type.Unsafe<Record<string, number>>({ type: 'object', additionalProperties: { type: 'number' } }),
});
export type DetectReply = Static<typeof DetectReply>;

export const ZonesQuery = Type.Object(
  { geometry: Type.Optional(Type.Boolean({ default: true, description: 'include GeoJSON geometry' })) },
  { additionalProperties: false },
);
export type ZonesQuery = Static<typeof ZonesQuery>;

export const PutZoneBody = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    geojson: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
  },
  { additionalProperties: false },
);
export type PutZoneBody = Static<typeof PutZoneBody>;

export default async function maritimeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.post<{ Body: DetectBody | undefined; Reply: DetectReply }>(
    '/detect',
    {
      schema: {
        operationId: 'runDetection',
        summary: 'Run the maritime detectors over new AIS imports (or a window / everything) and store the findings',
        tags: ['maritime'],
        body: DetectBody,
        response: { 200: DetectReply },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const r = await detectStore(deps.store, {
        kinds: b.kinds,
        since: b.since,
        until: b.until,
        full: b.full,
        screen: b.screen,
      });
      const byKind: Record<string, number> = {};
      for (const f of r.findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
      return { ...r, findings: r.findings.length, byKind };
    },
  );

  app.get<{ Querystring: ZonesQuery; Reply: ZoneList }>(
    '/zones',
    {
      schema: {
        operationId: 'listZones',
        summary: 'Zones whose entry is a finding: DPRK EEZ, UN Panel STS hotspots and user zones',
        tags: ['maritime'],
        querystring: ZonesQuery,
        response: { 200: ZoneList },
      },
    },
    async (req) => {
      const zones = [...builtinZones(), ...(await storedZones(deps.store))];
      return { results: zones.map((z) => zoneOf(z, req.query.geometry !== false)) };
    },
  );

  app.post<{ Body: PutZoneBody; Reply: ZoneList }>(
    '/zones',
    {
      schema: {
        operationId: 'putZone',
        summary:
          'Add (or replace) a user zone from GeoJSON (Polygon/MultiPolygon geometry, Feature or FeatureCollection)',
        tags: ['maritime'],
        body: PutZoneBody,
        response: { 200: ZoneList },
      },
    },
    async (req) => {
      const zones = await addZone(
        deps.store,
        req.body.id,
        req.body.name ?? req.body.id,
        JSON.stringify(req.body.geojson),
      );
      return {
        results: zones.map((z) => zoneOf({ ...z, id: req.body.id, name: req.body.name ?? req.body.id }, true)),
      };
    },
  );
}
