import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { refKey, resolveAisEvidence } from '../../evidence/ais-raw.js';
import { kindNames, parseKinds } from '../../findings/kinds.js';
import { RED_FLAGS } from '../../findings/red-flags.js';
import { findingSchema } from '../../findings/schema.js';
import { Limit, Num, Offset } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

interface FindingsQuery {
  kind?: string[];
  subject?: string;
  since?: string;
  until?: string;
  minScore?: number;
  redFlag?: string;
  limit?: number;
  offset?: number;
}

export default async function findingsRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get<{ Querystring: FindingsQuery }>(
    '/findings',
    {
      schema: {
        operationId: 'listFindings',
        summary: 'List stored findings, newest first, with filters',
        tags: ['findings'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: {
              type: 'array',
              items: { type: 'string' },
              description: `finding kinds, short or full names as the CLI's \`findings --kind\` takes them (repeat or comma-separate); an unknown name is a 400: ${kindNames()}`,
            },
            subject: { type: 'string', description: 'entity id among the subjects' },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
            minScore: Num({ minimum: 0, maximum: 1 }),
            redFlag: { type: 'string' },
            limit: Limit({ maximum: 1000, default: 100 }),
            offset: Offset(),
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, results: { type: 'array', items: findingSchema } },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const kinds = q.kind ? parseKinds(q.kind, 'kind') : [];
      const filter = {
        kinds: kinds.length ? kinds : undefined,
        subject: q.subject,
        since: q.since,
        until: q.until,
        minScore: q.minScore,
        redFlag: q.redFlag,
      };
      const [total, results] = await Promise.all([
        deps.store.countFindings(filter),
        deps.store.queryFindings({ ...filter, limit: q.limit ?? 100, offset: q.offset ?? 0 }),
      ]);
      return { total, results };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/findings/:id',
    {
      schema: {
        operationId: 'getFinding',
        summary: 'One finding with its evidence and parameters',
        tags: ['findings'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: { 200: findingSchema },
      },
    },
    async (req) => {
      const finding = await deps.store.getFinding(req.params.id);
      if (!finding) throw new NotFoundError(`no finding with id "${req.params.id}"`);
      return finding;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/findings/:id/raw-evidence',
    {
      schema: {
        operationId: 'getFindingRawEvidence',
        summary:
          "A finding's AIS evidence (positions and type 5/24 static reports) resolved to its raw source: file, sha256 at import, line and the raw sentence(s) read back (or why not)",
        tags: ['findings'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            required: ['results'],
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: true,
                  required: ['source', 'record', 'raw'],
                  properties: {
                    source: { type: 'string' },
                    record: { type: 'string' },
                    raw: { type: 'object', additionalProperties: true },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const finding = await deps.store.getFinding(req.params.id);
      if (!finding) throw new NotFoundError(`no finding with id "${req.params.id}"`);
      const raw = await resolveAisEvidence(deps.store, finding.evidence);
      return {
        results: finding.evidence.flatMap((e) => {
          const r = raw.get(refKey(e));
          return r ? [{ source: e.source, record: e.record, raw: r }] : [];
        }),
      };
    },
  );

  app.get(
    '/red-flags',
    {
      schema: {
        operationId: 'listRedFlags',
        summary: 'The red-flag taxonomy (May 2020 maritime advisory, list and crypto exposure)',
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: true,
              required: ['code', 'category', 'title', 'description', 'weight'],
              properties: {
                code: { type: 'string' },
                category: { type: 'string' },
                title: { type: 'string' },
                description: { type: 'string' },
                weight: { type: 'number' },
              },
            },
          },
        },
        tags: ['findings'],
      },
    },
    async () => Object.values(RED_FLAGS),
  );
}
