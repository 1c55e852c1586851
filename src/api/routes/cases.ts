import type { FastifyInstance } from 'fastify';
import { tracks } from '../../cases/ais-tables.js';
import {
  addCaseItem,
  createCase,
  deleteCase,
  getCase,
  listCases,
  removeCaseItem,
  updateCase,
} from '../../cases/cases.js';
import { entityView } from '../../cases/entity-view.js';
import { buildEvidenceList, loadCaseMaterial } from '../../cases/evidence.js';
import { neighbourhood, shortestPath } from '../../cases/graph.js';
import { overview } from '../../cases/overview.js';
import { htmlToPdf } from '../../cases/pdf.js';
import { renderCaseHtml } from '../../cases/report.js';
import { CASE_ITEM_KINDS, WATCH_KINDS } from '../../cases/types.js';
import { vesselProfile } from '../../cases/vessel.js';
import { addWatch, listAlerts, listWatches, markAlertRead, refreshAlerts, removeWatch } from '../../cases/watch.js';
import { UserError } from '../../errors.js';
import { findingSchema } from '../../findings/schema.js';
import type { ApiDeps } from '../server.js';

/**
 * Cases, watchlists, alerts, case reports, and the investigation workspace's read models (overview, entity with
 * provenance, vessel profile, tracks, graph). Documented in docs/web.md and in OpenAPI at /docs.
 */

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;
const open = { type: 'object', additionalProperties: true } as const;
const caseSummary = {
  type: 'object',
  required: ['id', 'title', 'summary', 'status', 'createdAt', 'updatedAt', 'itemCount'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    summary: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    itemCount: { type: 'integer' },
  },
} as const;
const caseItem = {
  type: 'object',
  required: ['id', 'caseId', 'kind', 'ref', 'addedAt'],
  properties: {
    id: { type: 'string' },
    caseId: { type: 'string' },
    kind: { type: 'string', enum: [...CASE_ITEM_KINDS] },
    ref: { type: 'string' },
    note: { type: ['string', 'null'] },
    addedAt: { type: 'string' },
  },
} as const;
const caseRecord = {
  type: 'object',
  required: [...caseSummary.required, 'items'],
  properties: { ...caseSummary.properties, items: { type: 'array', items: caseItem } },
} as const;
const evidenceEntry = {
  type: 'object',
  properties: {
    ref: { type: 'string' },
    citedBy: { type: 'string' },
    kind: { type: 'string' },
    source: { type: 'string' },
    record: { type: 'string' },
    contentHash: { type: ['string', 'null'] },
    description: { type: 'string' },
  },
} as const;
const watch = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...WATCH_KINDS] },
    ref: { type: 'string' },
    label: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    subjects: { type: 'array', items: { type: 'string' } },
    alertCount: { type: 'integer' },
    unreadCount: { type: 'integer' },
  },
} as const;
const alert = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    watchId: { type: 'string' },
    watchKind: { type: 'string' },
    watchRef: { type: 'string' },
    watchLabel: { type: ['string', 'null'] },
    findingId: { type: 'string' },
    findingKind: { type: 'string' },
    findingStart: { type: 'string' },
    score: { type: 'number' },
    explanation: { type: 'string' },
    raisedAt: { type: 'string' },
    readAt: { type: ['string', 'null'] },
  },
} as const;
const graph = {
  type: 'object',
  properties: {
    nodes: { type: 'array', items: open },
    edges: { type: 'array', items: open },
    hops: { type: 'integer' },
    visited: { type: 'integer' },
  },
} as const;

function parseTime(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UserError(`${field}: "${v}" is not an ISO 8601 time`);
  return ms;
}

export default async function casesRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;
  const tags = ['cases'];

  app.get(
    '/cases',
    {
      schema: {
        summary: 'List cases, most recently changed first',
        tags,
        response: { 200: { type: 'object', properties: { results: { type: 'array', items: caseSummary } } } },
      },
    },
    async () => ({ results: await listCases(store) }),
  );

  app.post<{ Body: { title: string; summary?: string } }>(
    '/cases',
    {
      schema: {
        summary: 'Create a case',
        tags,
        body: {
          type: 'object',
          required: ['title'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 300 },
            summary: { type: 'string', maxLength: 20000 },
          },
        },
        response: { 201: caseRecord },
      },
    },
    async (req, reply) => reply.status(201).send(await createCase(store, req.body)),
  );

  app.get<{ Params: { id: string } }>(
    '/cases/:id',
    { schema: { summary: 'A case with its items', tags, params: idParams, response: { 200: caseRecord } } },
    async (req) => getCase(store, req.params.id),
  );

  app.patch<{ Params: { id: string }; Body: { title?: string; summary?: string; status?: 'open' | 'closed' } }>(
    '/cases/:id',
    {
      schema: {
        summary: 'Change a case title, summary or status',
        tags,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 300 },
            summary: { type: 'string', maxLength: 20000 },
            status: { type: 'string', enum: ['open', 'closed'] },
          },
        },
        response: { 200: caseRecord },
      },
    },
    async (req) => updateCase(store, req.params.id, req.body),
  );

  app.delete<{ Params: { id: string } }>(
    '/cases/:id',
    { schema: { summary: 'Delete a case and its items', tags, params: idParams } },
    async (req, reply) => {
      await deleteCase(store, req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: { kind: string; ref: string; note?: string } }>(
    '/cases/:id/items',
    {
      schema: {
        summary: 'Add a finding, entity, address or note to a case',
        tags,
        params: idParams,
        body: {
          type: 'object',
          required: ['kind', 'ref'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...CASE_ITEM_KINDS] },
            ref: {
              type: 'string',
              minLength: 1,
              maxLength: 20000,
              description: 'finding id, entity id, address, or note text',
            },
            note: { type: 'string', maxLength: 20000 },
          },
        },
        response: { 201: caseItem },
      },
    },
    async (req, reply) => reply.status(201).send(await addCaseItem(store, req.params.id, req.body)),
  );

  app.delete<{ Params: { id: string; itemId: string } }>(
    '/cases/:id/items/:itemId',
    {
      schema: {
        summary: 'Remove an item from a case',
        tags,
        params: {
          type: 'object',
          required: ['id', 'itemId'],
          properties: { id: { type: 'string' }, itemId: { type: 'string' } },
        },
      },
    },
    async (req, reply) => {
      await removeCaseItem(store, req.params.id, req.params.itemId);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    '/cases/:id/evidence',
    {
      schema: {
        summary: 'The evidence list of a case: sources, record references and hashes',
        tags,
        params: idParams,
        response: { 200: { type: 'object', properties: { results: { type: 'array', items: evidenceEntry } } } },
      },
    },
    async (req) => {
      const c = await getCase(store, req.params.id);
      return { results: buildEvidenceList(c, await loadCaseMaterial(store, c)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/cases/:id/report.html',
    {
      schema: {
        summary: 'The case as a report (UN Panel of Experts structure), self-contained HTML',
        tags,
        params: idParams,
        produces: ['text/html'],
      },
    },
    async (req, reply) => reply.type('text/html; charset=utf-8').send(await renderCaseHtml(store, req.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/cases/:id/report.pdf',
    {
      schema: {
        summary: 'The case report as PDF (printed by headless Chromium)',
        tags,
        params: idParams,
        produces: ['application/pdf'],
      },
    },
    async (req, reply) => {
      const c = await getCase(store, req.params.id);
      const pdf = await htmlToPdf(await renderCaseHtml(store, c.id), { title: c.title });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${c.id}.pdf"`).send(pdf);
    },
  );

  // ---- watchlist and alerts ---------------------------------------------------------------------------------
  app.get(
    '/watchlist',
    {
      schema: {
        summary: 'Watched vessels, entities and addresses',
        tags: ['watchlist'],
        response: { 200: { type: 'object', properties: { results: { type: 'array', items: watch } } } },
      },
    },
    async () => {
      await refreshAlerts(store);
      return { results: await listWatches(store) };
    },
  );

  app.post<{ Body: { kind: string; ref: string; label?: string; includeExisting?: boolean } }>(
    '/watchlist',
    {
      schema: {
        summary: 'Watch a vessel (MMSI or entity id), entity or address; new findings on it raise alerts',
        tags: ['watchlist'],
        body: {
          type: 'object',
          required: ['kind', 'ref'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...WATCH_KINDS] },
            ref: { type: 'string', minLength: 1, maxLength: 200 },
            label: { type: 'string', maxLength: 300 },
            includeExisting: { type: 'boolean', description: 'raise alerts for findings already in the store too' },
          },
        },
        response: { 201: watch },
      },
    },
    async (req, reply) => reply.status(201).send(await addWatch(store, req.body)),
  );

  app.delete<{ Params: { id: string } }>(
    '/watchlist/:id',
    { schema: { summary: 'Stop watching', tags: ['watchlist'], params: idParams } },
    async (req, reply) => {
      await removeWatch(store, req.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Querystring: { unread?: boolean; limit?: number } }>(
    '/alerts',
    {
      schema: {
        summary: 'Alerts raised by new findings on watched subjects, newest first',
        tags: ['watchlist'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            unread: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
        response: { 200: { type: 'object', properties: { results: { type: 'array', items: alert } } } },
      },
    },
    async (req) => ({ results: await listAlerts(store, req.query) }),
  );

  app.post<{ Params: { id: string } }>(
    '/alerts/:id/read',
    { schema: { summary: 'Mark an alert read', tags: ['watchlist'], params: idParams } },
    async (req, reply) => {
      await markAlertRead(store, req.params.id);
      return reply.status(204).send();
    },
  );

  // ---- workspace read models --------------------------------------------------------------------------------
  const wtags = ['workspace'];
  app.get(
    '/workspace/overview',
    {
      schema: {
        summary: 'Findings by kind and severity over time, newest findings, alerts, and what data is loaded',
        tags: wtags,
        response: {
          200: {
            type: 'object',
            properties: {
              findings: {
                type: 'object',
                properties: {
                  total: { type: 'integer' },
                  sampled: { type: 'integer' },
                  byKind: { type: 'array', items: open },
                  byMonth: { type: 'array', items: open },
                  newest: { type: 'array', items: findingSchema },
                },
              },
              alerts: { type: 'array', items: alert },
              lists: { type: 'array', items: open },
              ais: open,
              imports: { type: 'array', items: open },
            },
          },
        },
      },
    },
    async () => overview(store),
  );

  app.get<{ Params: { id: string } }>(
    '/workspace/entities/:id',
    {
      schema: {
        summary: 'An entity with each value and its source (list, version, record), its sanctions, links and findings',
        tags: wtags,
        params: idParams,
        response: { 200: open },
      },
    },
    async (req) => entityView(store, req.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/workspace/vessels/:id',
    {
      schema: {
        summary:
          'A vessel (MMSI, ais-<mmsi> or listed vessel id): identity history, list entries, owners, findings, risk',
        tags: wtags,
        params: idParams,
        response: { 200: open },
      },
    },
    async (req) => vesselProfile(store, req.params.id),
  );

  app.get<{ Querystring: { mmsi?: number[]; since?: string; until?: string; maxPoints?: number } }>(
    '/workspace/tracks',
    {
      schema: {
        summary: 'AIS positions per vessel as parallel arrays (ts ms, lat, lon, sog), thinned past maxPoints',
        tags: wtags,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            mmsi: { type: 'array', items: { type: 'integer' }, maxItems: 500 },
            since: { type: 'string' },
            until: { type: 'string' },
            maxPoints: { type: 'integer', minimum: 100, maximum: 2_000_000, default: 250_000 },
          },
        },
        response: { 200: open },
      },
    },
    async (req) =>
      tracks(store, {
        mmsi: req.query.mmsi,
        sinceMs: parseTime(req.query.since, 'since'),
        untilMs: parseTime(req.query.until, 'until'),
        maxPoints: req.query.maxPoints,
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/workspace/graph/:id',
    {
      schema: {
        summary: 'An entity or finding and its neighbours (links, findings tying subjects together)',
        tags: wtags,
        params: idParams,
        response: { 200: graph },
      },
    },
    async (req) => neighbourhood(store, req.params.id),
  );

  app.get<{ Querystring: { from: string; to: string; maxDepth?: number } }>(
    '/workspace/path',
    {
      schema: {
        summary: 'Shortest path between two entities (empty when none within maxDepth hops)',
        tags: wtags,
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: {
            from: { type: 'string', minLength: 1 },
            to: { type: 'string', minLength: 1 },
            maxDepth: { type: 'integer', minimum: 1, maximum: 8, default: 6 },
          },
        },
        response: { 200: graph },
      },
    },
    async (req) => shortestPath(store, req.query.from, req.query.to, { maxDepth: req.query.maxDepth }),
  );
}
