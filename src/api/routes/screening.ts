import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, UserError } from '../../errors.js';
import type { Entity } from '../../model/entity.js';
import { schemaModel } from '../../model/schema.js';
import { canonicalEntity } from '../../resolve/canonical.js';
import type { MatchResult } from '../../screening/index.js';
import { MAX_NAME_LENGTH } from '../../screening/prepare.js';
import {
  isQuerySchema,
  validateBatch,
  validateLimit,
  validateThreshold,
  validateWeights,
} from '../../screening/query.js';
import {
  extend,
  manifest,
  parseParam,
  proposeProperties,
  reconcileBatch,
  suggestEntities,
  suggestProperties,
  suggestTypes,
} from '../../screening/reconcile.js';
import { ALGORITHM, DEFAULT_THRESHOLD, FEATURES_BY_FAMILY } from '../../screening/score.js';
import { screeningService } from '../../screening/service.js';
import type { ApiDeps } from '../server.js';

/**
 * Screening over HTTP: yente-compatible `/match/{dataset}`, `/search/{dataset}`, `/entities/{id}`, and the W3C
 * Reconciliation Service API 0.2 at `/reconcile/{dataset}`. Documented in docs/screening.md.
 */

const datasetParams = {
  type: 'object',
  required: ['dataset'],
  properties: {
    dataset: { type: 'string', description: 'list source (un_sc, us_ofac_sdn, ...) or "default" for all' },
  },
} as const;

const resultSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    caption: { type: 'string' },
    schema: { type: 'string' },
    score: { type: 'number' },
    match: { type: 'boolean' },
    datasets: { type: 'array', items: { type: 'string' } },
    features: { type: 'object', additionalProperties: { type: 'number' } },
    explanations: { type: 'object', additionalProperties: true },
    properties: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
} as const;

function yenteResult(r: MatchResult): Record<string, unknown> {
  return {
    id: r.id,
    caption: r.caption,
    schema: r.schema,
    properties: r.properties,
    datasets: r.datasets,
    score: r.score,
    match: r.match,
    features: r.features,
    explanations: r.explanations,
  };
}

function entityJson(e: Entity): Record<string, unknown> {
  return { ...e.toFtm(), caption: e.caption() };
}

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

export default async function screeningRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const service = screeningService(deps.store);
  // Reconciliation clients (OpenRefine) POST form-encoded `queries=` / `extend=`; scoped to this plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post<{ Params: { dataset: string }; Querystring: { limit?: number; threshold?: number }; Body: unknown }>(
    '/match/:dataset',
    {
      schema: {
        operationId: 'matchEntities',
        summary: 'Match a batch of FtM-shaped queries (yente-compatible)',
        description:
          'Body: {"queries": {"q1": {"schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984"]}}}}. ' +
          'At most 100 queries; each result carries score (0..1), match (score ≥ threshold) and per-feature explanations.',
        tags: ['screening'],
        params: datasetParams,
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 5 },
            threshold: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_THRESHOLD },
          },
        },
        body: {
          type: 'object',
          additionalProperties: true,
          properties: {
            queries: {},
            weights: {
              type: 'object',
              additionalProperties: { type: 'number' },
              description: 'feature name → weight, overriding the defaults for this request (yente-compatible)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              responses: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: {
                    status: { type: 'integer' },
                    results: { type: 'array', items: resultSchema },
                    total: { type: 'object', properties: { value: { type: 'integer' }, relation: { type: 'string' } } },
                    query: { type: 'object', additionalProperties: true },
                  },
                },
              },
              limit: { type: 'integer' },
              threshold: { type: 'number' },
              algorithm: { type: 'string' },
            },
          },
        },
      },
    },
    async (req) => {
      const body = (req.body ?? {}) as { queries?: unknown; limit?: unknown; threshold?: unknown; weights?: unknown };
      if (body.queries === undefined) throw new UserError('body.queries: missing (an object of id → FtM query)');
      const limit = validateLimit(req.query.limit ?? body.limit, 5);
      const threshold = validateThreshold(req.query.threshold ?? body.threshold, DEFAULT_THRESHOLD);
      const batch = validateBatch(body.queries);
      const weights = validateWeights(body.weights);
      const index = await service.index();
      const responses: Record<string, unknown> = {};
      for (const [id, query] of batch) {
        const results = index.match(query, { limit, threshold, dataset: req.params.dataset, weights });
        responses[id] = {
          status: 200,
          results: results.map(yenteResult),
          total: { value: results.length, relation: 'eq' },
          query: { id, schema: query.schema, properties: query.properties },
        };
      }
      return { responses, limit, threshold, algorithm: ALGORITHM };
    },
  );

  app.get<{
    Params: { dataset: string };
    Querystring: { q?: string; limit?: number; schema?: string; threshold?: number };
  }>(
    '/search/:dataset',
    {
      schema: {
        operationId: 'searchEntities',
        summary: 'Free-text name search (yente-compatible)',
        tags: ['screening'],
        params: datasetParams,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', description: 'a name, in any script' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 10 },
            schema: { type: 'string', description: 'FtM schema to restrict to (Person, Vessel, ...)' },
            threshold: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_THRESHOLD },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: { type: 'array', items: resultSchema },
              total: { type: 'object', properties: { value: { type: 'integer' }, relation: { type: 'string' } } },
              limit: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => {
      const q = (req.query.q ?? '').trim();
      if (q === '') throw new UserError('q: empty query; give a name, e.g. ?q=Kim%20Jong%20Un');
      if (q.length > MAX_NAME_LENGTH) throw new UserError(`q: longer than ${MAX_NAME_LENGTH} characters`);
      const schema = req.query.schema ?? 'Thing';
      if (!isQuerySchema(schema)) throw new UserError(`schema: unknown or unmatchable schema "${schema}"`);
      const limit = validateLimit(req.query.limit, 10);
      const threshold = validateThreshold(req.query.threshold, DEFAULT_THRESHOLD);
      const results = await service.search(q, { schema, limit, threshold, dataset: req.params.dataset, cutoff: 0.3 });
      return { results: results.map(yenteResult), total: { value: results.length, relation: 'eq' }, limit };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/entities/:id',
    {
      schema: {
        operationId: 'getEntity',
        summary: 'One entity with its sanctions and linked entities',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description:
              'the entity (id, schema, caption, properties, datasets) with sanctions, linked entities and statements',
          },
          308: {
            type: 'null',
            description: 'the id is a referent of a canonical entity: Location is /entities/{canonical id} (as yente)',
          },
        },
        tags: ['screening'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      },
    },
    async (req, reply) => {
      // The canonical entity (src/resolve): a referent id answers 308 to the canonical URL, as yente does.
      const resolved = await canonicalEntity(deps.store, req.params.id);
      if (!resolved) throw new NotFoundError(`no entity with id "${req.params.id}"`);
      if (resolved.redirectedFrom !== undefined) {
        const target = `/entities/${encodeURIComponent(resolved.entity.id)}`;
        return reply.redirect(req.url.replace(/\/entities\/[^?]*/, target), 308);
      }
      const entity = resolved.entity;
      const model = schemaModel();
      const ids = new Set(resolved.referents);
      const referencing = (await Promise.all(resolved.referents.map((r) => deps.store.entitiesReferencing(r))))
        .flat()
        .filter((e) => !ids.has(e.id));
      const sanctions = referencing.filter((e) => e.schema === 'Sanction');
      const linkedIds = new Set<string>();
      const schema = model.has(entity.schema) ? model.get(entity.schema) : undefined;
      for (const [prop, values] of entity.properties) {
        if (schema?.getProperty(prop)?.type === 'entity') for (const v of values) linkedIds.add(v);
      }
      const outgoing = linkedIds.size > 0 ? await deps.store.getEntities([...linkedIds]) : [];
      const linked = [...referencing.filter((e) => e.schema !== 'Sanction'), ...outgoing];
      return {
        ...entityJson(entity),
        referents: resolved.referents,
        sanctions: sanctions.map(entityJson),
        linked: linked.map(entityJson),
        statements: entity.statements.map((s) => ({
          entity_id: s.entityId,
          prop: s.prop,
          value: s.value,
          source: s.source,
          record: s.sourceRecord,
        })),
      };
    },
  );

  app.get(
    '/screening/algorithm',
    {
      schema: {
        operationId: 'getScreeningAlgorithm',
        summary: 'The declared features and weights per schema family',
        tags: ['screening'],
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: 'algorithm, default threshold, features and weights per schema family, index info',
          },
        },
      },
    },
    async () => {
      const families: Record<string, Array<{ name: string; weight: number; description: string }>> = {};
      for (const [family, feats] of Object.entries(FEATURES_BY_FAMILY)) {
        families[family] = feats.map((f) => ({ name: f.name, weight: f.weight, description: f.description }));
      }
      return { algorithm: ALGORITHM, threshold: DEFAULT_THRESHOLD, families, index: service.info() ?? null };
    },
  );

  // ---- W3C Reconciliation Service API 0.2 -------------------------------------------------------------------

  const reconcileHandler = async (
    req: FastifyRequest<{ Params: { dataset: string }; Querystring: Record<string, string | undefined> }>,
  ) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const queries = body.queries ?? req.query.queries;
    const ext = body.extend ?? req.query.extend;
    if (queries !== undefined) {
      const index = await service.index();
      return reconcileBatch(index, parseParam(queries, 'queries'), req.params.dataset);
    }
    if (ext !== undefined) {
      const index = await service.index();
      return extend((id) => index.get(id)?.properties, parseParam(ext, 'extend'));
    }
    return manifest(baseUrl(req), req.params.dataset);
  };
  const reconcileSchema = {
    summary: 'W3C reconciliation: manifest, or queries=/extend= (JSON) to reconcile or extend',
    response: {
      200: {
        type: 'object',
        additionalProperties: true,
        description: 'the service manifest, results per query, or extension rows',
      },
    },
    tags: ['reconciliation'],
    params: datasetParams,
    querystring: {
      type: 'object',
      properties: { queries: { type: 'string' }, extend: { type: 'string' }, callback: { type: 'string' } },
    },
  };
  app.get('/reconcile/:dataset', { schema: { ...reconcileSchema, operationId: 'reconcileGet' } }, reconcileHandler);
  app.post('/reconcile/:dataset', { schema: { ...reconcileSchema, operationId: 'reconcilePost' } }, reconcileHandler);

  const prefixQuery = {
    type: 'object',
    properties: {
      prefix: { type: 'string' },
      type: { type: 'string' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    },
  } as const;
  app.get<{ Params: { dataset: string }; Querystring: { prefix?: string; type?: string; limit?: number } }>(
    '/reconcile/:dataset/suggest/entity',
    {
      schema: {
        operationId: 'suggestEntities',
        summary: 'Suggest entities by name prefix',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: 'W3C suggest response: {result: [{id, name, description}]}',
          },
        },
        tags: ['reconciliation'],
        params: datasetParams,
        querystring: prefixQuery,
      },
    },
    async (req) => {
      const prefix = (req.query.prefix ?? '').trim();
      if (prefix === '') return { result: [] };
      if (prefix.length > MAX_NAME_LENGTH) throw new UserError(`prefix: longer than ${MAX_NAME_LENGTH} characters`);
      return suggestEntities(await service.index(), prefix, req.query.limit ?? 10, req.query.type);
    },
  );
  app.get<{ Params: { dataset: string }; Querystring: { prefix?: string; limit?: number } }>(
    '/reconcile/:dataset/suggest/type',
    {
      schema: {
        operationId: 'suggestTypes',
        summary: 'Suggest FtM schemata',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: 'W3C suggest response: {result: [{id, name}]}',
          },
        },
        tags: ['reconciliation'],
        params: datasetParams,
        querystring: prefixQuery,
      },
    },
    async (req) => suggestTypes(req.query.prefix ?? '', req.query.limit ?? 10),
  );
  app.get<{ Params: { dataset: string }; Querystring: { prefix?: string; type?: string; limit?: number } }>(
    '/reconcile/:dataset/suggest/property',
    {
      schema: {
        operationId: 'suggestProperties',
        summary: 'Suggest FtM properties',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: 'W3C suggest response: {result: [{id, name}]}',
          },
        },
        tags: ['reconciliation'],
        params: datasetParams,
        querystring: prefixQuery,
      },
    },
    async (req) => suggestProperties(req.query.prefix ?? '', req.query.limit ?? 10, req.query.type),
  );
  app.get<{ Params: { dataset: string }; Querystring: { type?: string; limit?: number } }>(
    '/reconcile/:dataset/extend/propose',
    {
      schema: {
        operationId: 'proposeExtendProperties',
        summary: 'Properties available for data extension',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: 'W3C extend proposal: {type, properties: [{id, name}]}',
          },
        },
        tags: ['reconciliation'],
        params: datasetParams,
        querystring: {
          type: 'object',
          properties: { type: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        },
      },
    },
    async (req) => {
      const type = req.query.type;
      if (type !== undefined && !isQuerySchema(type)) throw new UserError(`type: unknown type "${type}"`);
      return proposeProperties(type, req.query.limit ?? 50);
    },
  );
}
