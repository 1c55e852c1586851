import type { FastifyInstance } from 'fastify';
import { addZone, detectStore, storedZones } from '../../maritime/detect.js';
import { builtinZones, zoneSummary } from '../../maritime/geo/zones.js';
import { MARITIME_KINDS, topRiskFromStore, vesselRiskFromStore } from '../../maritime/risk/store.js';
import type { ApiDeps } from '../server.js';
import { registerTrackColumns } from './track-columns.js';

/**
 * Maritime detection routes: vessel risk profiles, the riskiest vessels, running detection, zones. Findings
 * themselves are served by GET /findings (kind=ais.*).
 */

const evidenceSchema = {
  type: 'object',
  properties: {
    source: { type: 'string' },
    record: { type: 'string' },
    contentHash: { type: 'string' },
    note: { type: 'string' },
  },
} as const;

const factorSchema = {
  type: 'object',
  properties: {
    code: { type: 'string', description: 'red-flag code (findings/red-flags.ts) or DPRK_FLAGGED' },
    title: { type: 'string' },
    description: { type: 'string' },
    weight: { type: 'number' },
    reference: { type: 'string' },
    score: { type: 'number' },
    count: { type: 'integer' },
    explanation: { type: 'string' },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          start: { type: 'string' },
          score: { type: 'number' },
          explanation: { type: 'string' },
        },
      },
    },
    evidence: { type: 'array', items: evidenceSchema },
  },
} as const;

const profileSchema = {
  type: 'object',
  properties: {
    mmsis: { type: 'array', items: { type: 'integer' } },
    imo: { type: ['integer', 'null'] },
    name: { type: ['string', 'null'] },
    score: { type: 'number', minimum: 0, maximum: 1 },
    severity: { type: 'string', enum: ['high', 'medium', 'low', 'none'] },
    explanation: { type: 'string' },
    factors: { type: 'array', items: factorSchema },
    findingCount: { type: 'integer' },
    findingsByKind: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

const zoneSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['eez', 'sts_hotspot', 'user'] },
    redFlags: { type: 'array', items: { type: 'string' } },
    reference: { type: 'string' },
    bbox: { type: 'object', additionalProperties: { type: 'number' } },
    geometry: { type: 'object', additionalProperties: true },
  },
} as const;

const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;

export default async function maritimeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  registerTrackColumns(app, deps);

  app.get<{ Params: { mmsi: string } }>(
    '/vessels/:mmsi/risk',
    {
      schema: {
        operationId: 'getVesselRisk',
        summary:
          'Risk profile of a vessel (MMSI or IMO): its maritime findings combined into the May 2020 advisory red flags',
        tags: ['vessels'],
        params: {
          type: 'object',
          required: ['mmsi'],
          properties: {
            mmsi: {
              type: 'string',
              pattern: '^(IMO)?[0-9]{7,9}$',
              description: '9-digit MMSI, or a 7-digit IMO number',
            },
          },
        },
        response: { 200: profileSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => vesselRiskFromStore(deps.store, req.params.mmsi),
  );

  app.get<{ Querystring: { top?: number } }>(
    '/risk',
    {
      schema: {
        operationId: 'listRiskiestVessels',
        summary: 'The riskiest vessels by their maritime findings',
        tags: ['vessels'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { top: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } },
        },
        response: { 200: { type: 'object', properties: { results: { type: 'array', items: profileSchema } } } },
      },
    },
    async (req) => ({ results: await topRiskFromStore(deps.store, req.query.top ?? 20) }),
  );

  app.post<{ Body: { kinds?: string[]; since?: string; until?: string; full?: boolean; screen?: boolean } }>(
    '/detect',
    {
      schema: {
        operationId: 'runDetection',
        summary: 'Run the maritime detectors over new AIS imports (or a window / everything) and store the findings',
        tags: ['maritime'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kinds: { type: 'array', items: { type: 'string', enum: MARITIME_KINDS } },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
            full: { type: 'boolean', default: false },
            screen: { type: 'boolean', default: true },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              runId: { type: 'string' },
              upToDate: { type: 'boolean' },
              window: { type: ['object', 'null'], properties: { start: { type: 'string' }, end: { type: 'string' } } },
              newImports: { type: 'array', items: { type: 'string' } },
              positions: { type: 'integer' },
              vessels: { type: 'integer' },
              findings: { type: 'integer' },
              byKind: { type: 'object', additionalProperties: { type: 'integer' } },
              timingsMs: { type: 'object', additionalProperties: { type: 'number' } },
            },
          },
        },
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

  app.get<{ Querystring: { geometry?: boolean } }>(
    '/zones',
    {
      schema: {
        operationId: 'listZones',
        summary: 'Zones whose entry is a finding: DPRK EEZ, UN Panel STS hotspots and user zones',
        tags: ['maritime'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { geometry: { type: 'boolean', default: true, description: 'include GeoJSON geometry' } },
        },
        response: { 200: { type: 'object', properties: { results: { type: 'array', items: zoneSchema } } } },
      },
    },
    async (req) => {
      const zones = [...builtinZones(), ...(await storedZones(deps.store))];
      return { results: zones.map((z) => zoneSummary(z, req.query.geometry !== false)) };
    },
  );

  app.post<{ Body: { id: string; name?: string; geojson: Record<string, unknown> } }>(
    '/zones',
    {
      schema: {
        operationId: 'putZone',
        summary:
          'Add (or replace) a user zone from GeoJSON (Polygon/MultiPolygon geometry, Feature or FeatureCollection)',
        tags: ['maritime'],
        body: {
          type: 'object',
          required: ['id', 'geojson'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
            name: { type: 'string', maxLength: 200 },
            geojson: { type: 'object', additionalProperties: true },
          },
        },
        response: {
          200: { type: 'object', properties: { results: { type: 'array', items: zoneSchema } } },
          400: errorSchema,
        },
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
        results: zones.map((z) => zoneSummary({ ...z, id: req.body.id, name: req.body.name ?? req.body.id }, true)),
      };
    },
  );
}
