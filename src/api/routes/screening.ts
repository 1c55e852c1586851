import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, UserError } from '../../errors.js';
import { schemaModel } from '../../model/schema.js';
import { canonicalEntity } from '../../resolve/canonical.js';
import { DATASET_TITLES, publicDataset, storedDataset } from '../../screening/datasets.js';
import type { MatchResult } from '../../screening/index.js';
import { foldTokens } from '../../screening/normalise.js';
import { MAX_NAME_LENGTH, type Prepared } from '../../screening/prepare.js';
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
  preview,
  proposeProperties,
  reconcileBatch,
  suggestEntities,
  suggestProperties,
  suggestTypes,
} from '../../screening/reconcile.js';
import { ALGORITHM, DEFAULT_THRESHOLD, FEATURES_BY_FAMILY } from '../../screening/score.js';
import { screeningService } from '../../screening/service.js';
import { Int, Limit, Num, Offset } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';
import {
  canonicalLookup,
  featureResult,
  listDates,
  nestedEntity,
  yenteEntity,
  yenteFromIndex,
} from '../yente/entities.js';
import {
  ALGORITHM_NAMES,
  applyConfig,
  checkAlgorithm,
  checkDataset,
  featureDocs,
  knownDatasets,
  matchBatch,
} from '../yente/match.js';
import { browse, canonicalMap, facets, passesSearch, type SearchFilters } from '../yente/search.js';
import { statementRows } from '../yente/statements.js';

/**
 * Screening over HTTP, in yente's dialect: `/match/{dataset}`, `/search/{dataset}`, `/entities/{id}` (canonical
 * entities with referents, nested related entities), `/entities/{id}/adjacent`, `/statements`, `/algorithms`,
 * `/catalog`, `/readyz`; errors carry `detail` as yente's do. The W3C Reconciliation Service API 0.2 is at
 * `/reconcile/{dataset}` (CORS, JSONP, preview). Documented in docs/screening.md.
 */

const datasetParams = {
  type: 'object',
  required: ['dataset'],
  properties: {
    dataset: {
      type: 'string',
      description:
        'dataset (un_sc_sanctions, gb_hmt_sanctions, us_ofac_sdn, eu_fsf; old names un_sc, gb_ofsi too) or "default"',
    },
  },
} as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;

const entityShape = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    caption: { type: 'string' },
    schema: { type: 'string' },
    properties: { type: 'object', additionalProperties: true },
    datasets: stringList,
    referents: stringList,
    target: { type: 'boolean' },
    first_seen: { type: ['string', 'null'] },
    last_seen: { type: ['string', 'null'] },
    last_change: { type: ['string', 'null'] },
  },
} as const;

const resultSchema = {
  ...entityShape,
  properties: {
    ...entityShape.properties,
    score: { type: 'number' },
    match: { type: 'boolean' },
    features: { type: 'object', additionalProperties: { type: 'number' } },
    explanations: { type: 'object', additionalProperties: true },
  },
} as const;

const totalSchema = { type: 'object', properties: { value: { type: 'integer' }, relation: { type: 'string' } } };

/** A querystring value that may be repeated (`?topics=a&topics=b`) or comma-free single. */
function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x) => x !== '');
}

function boolParam(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  throw new UserError(`${name}: true or false`);
}

function changedSince(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?/.test(v) || Number.isNaN(Date.parse(v.slice(0, 19)))) {
    throw new UserError(`changed_since: an ISO date or date-time (e.g. 2024-05-01), not "${v}"`);
  }
  return v.length >= 19 ? v.slice(0, 19) : `${v.slice(0, 10)}T${(v.slice(11) || '00:00').padEnd(8, ':00').slice(0, 8)}`;
}

/** The public base URL for links (WATCHKEEPER_PUBLIC_URL, else the request's host). */
function baseUrl(req: FastifyRequest): string {
  const configured = process.env.WATCHKEEPER_PUBLIC_URL?.replace(/\/+$/, '');
  return configured || `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

interface MatchQuerystring {
  limit?: number;
  threshold?: number;
  cutoff?: number;
  algorithm?: string;
  fuzzy?: string;
  include_dataset?: string | string[];
  exclude_dataset?: string | string[];
  exclude_schema?: string | string[];
  topics?: string | string[];
  changed_since?: string;
  exclude_entity_ids?: string | string[];
}

export default async function screeningRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const service = screeningService(deps.store);
  // Reconciliation clients (OpenRefine) POST form-encoded `queries=` / `extend=`; scoped to this plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  // yente's clients read `detail` from an error body: add it beside our `error` and `message` (this plugin only).
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string' || !payload.startsWith('{')) return payload;
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      if (body.detail !== undefined || typeof body.message !== 'string') return payload;
      return JSON.stringify({ detail: body.message, ...body });
    } catch {
      return payload;
    }
  });

  const matchQuerystring = {
    type: 'object',
    properties: {
      limit: Limit({ maximum: 500, default: 5 }),
      threshold: Num({ minimum: 0, maximum: 1, default: DEFAULT_THRESHOLD }),
      cutoff: Num({ minimum: 0, maximum: 1, default: 0, description: 'leave out results scoring below' }),
      algorithm: { type: 'string', description: `one of ${ALGORITHM_NAMES.join(', ')} (400 otherwise)` },
      fuzzy: { type: 'string', description: 'accepted for yente compatibility; the matcher is always fuzzy' },
      include_dataset: { ...stringList, description: 'only entities in one of these datasets' },
      exclude_dataset: { ...stringList, description: 'leave out entities in these datasets' },
      exclude_schema: { ...stringList, description: 'leave out entities of these schemata' },
      topics: { ...stringList, description: 'only entities with one of these topics (sanction, ...)' },
      changed_since: { type: 'string', description: 'only entities whose last change is at or after this date' },
      exclude_entity_ids: { ...stringList, description: 'leave out these entities (canonical or referent ids)' },
    },
  } as const;

  app.post<{ Params: { dataset: string }; Querystring: MatchQuerystring; Body: unknown }>(
    '/match/:dataset',
    {
      schema: {
        operationId: 'matchEntities',
        summary: 'Match a batch of FtM-shaped queries (yente-compatible)',
        description:
          'Body: {"queries": {"q1": {"schema": "Person", "properties": {"name": ["Kim Jong Un"], "birthDate": ["1984"]}}}, "weights": {...}, "config": {...}}. ' +
          'At most 100 queries; one result per canonical entity with score (0..1), match (score ≥ threshold), ' +
          'features and explanations (nomenklatura FeatureResult). A query without schema is a 422; unknown ' +
          'properties are skipped with a warning; an unknown dataset is a 404.',
        tags: ['screening'],
        params: datasetParams,
        querystring: matchQuerystring,
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
            config: { type: 'object', additionalProperties: true, description: 'algorithm settings (yente)' },
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
                    total: totalSchema,
                    query: { type: 'object', additionalProperties: true },
                    warnings: stringList,
                  },
                },
              },
              matcher: { type: 'object', additionalProperties: true },
              limit: { type: 'integer' },
              threshold: { type: 'number' },
              algorithm: { type: 'string' },
              warnings: stringList,
            },
          },
        },
      },
    },
    async (req) => {
      const body = (req.body ?? {}) as {
        queries?: unknown;
        limit?: unknown;
        threshold?: unknown;
        weights?: unknown;
        config?: unknown;
      };
      const q = req.query;
      const algorithm = checkAlgorithm(q.algorithm);
      boolParam(q.fuzzy, 'fuzzy');
      if (body.queries === undefined) throw new UserError('body.queries: missing (an object of id → FtM query)');
      const limit = validateLimit(q.limit ?? body.limit, 5);
      const threshold = validateThreshold(q.threshold ?? body.threshold, DEFAULT_THRESHOLD);
      const queryWarnings = new Map<string, string[]>();
      const batch = validateBatch(body.queries, { yente: true, warnings: queryWarnings });
      const { weights, warnings } = applyConfig(body.config, validateWeights(body.weights));
      const index = await service.index();
      const dataset = checkDataset(index, req.params.dataset);
      const matches = await matchBatch(deps.store, index, batch, {
        limit,
        threshold,
        cutoff: q.cutoff ?? 0,
        dataset,
        weights,
        filters: {
          includeDataset: list(q.include_dataset),
          excludeDataset: list(q.exclude_dataset),
          excludeSchema: list(q.exclude_schema),
          topics: list(q.topics),
          changedSince: changedSince(q.changed_since),
          excludeEntityIds: list(q.exclude_entity_ids),
        },
      });
      const responses: Record<string, unknown> = {};
      for (const [id, query] of batch) {
        const m = matches.get(id)!;
        const w = queryWarnings.get(id);
        if (w) req.log.warn({ query: id, warnings: w }, 'match query properties skipped');
        responses[id] = {
          status: 200,
          results: m.results,
          total: m.total,
          query: { id, schema: query.schema, properties: query.properties },
          ...(w ? { warnings: w } : {}),
        };
      }
      return {
        responses,
        matcher: featureDocs(weights),
        limit,
        threshold,
        algorithm,
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    },
  );

  app.get<{
    Params: { dataset: string };
    Querystring: {
      q?: string;
      limit?: number;
      offset?: number;
      schema?: string;
      threshold?: number;
      countries?: string | string[];
      topics?: string | string[];
      datasets?: string | string[];
      exclude_dataset?: string | string[];
    };
  }>(
    '/search/:dataset',
    {
      schema: {
        operationId: 'searchEntities',
        summary: 'Name search and browsing with facets (yente-compatible)',
        description: 'An empty q browses every entity passing the filters, in caption order.',
        tags: ['screening'],
        params: datasetParams,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', description: 'a name, in any script; empty browses' },
            limit: Int({ minimum: 0, maximum: 500, default: 10 }),
            offset: Offset({ maximum: 10000 }),
            schema: { type: 'string', description: 'FtM schema to restrict to (Person, Vessel, ...)' },
            threshold: Num({ minimum: 0, maximum: 1, default: DEFAULT_THRESHOLD }),
            countries: { ...stringList, description: 'ISO codes (kp, ir, ...)' },
            topics: stringList,
            datasets: stringList,
            exclude_dataset: stringList,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: { type: 'array', items: entityShape },
              total: totalSchema,
              limit: { type: 'integer' },
              offset: { type: 'integer' },
              facets: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
    async (req) => {
      const text = (req.query.q ?? '').trim();
      if (text.length > MAX_NAME_LENGTH) throw new UserError(`q: longer than ${MAX_NAME_LENGTH} characters`);
      const schemaName = req.query.schema ?? 'Thing';
      if (!isQuerySchema(schemaName)) throw new UserError(`schema: unknown or unmatchable schema "${schemaName}"`);
      const limit = req.query.limit ?? 10;
      const offset = req.query.offset ?? 0;
      const threshold = validateThreshold(req.query.threshold, DEFAULT_THRESHOLD);
      const index = await service.index();
      const dataset = checkDataset(index, req.params.dataset);
      const model = schemaModel();
      const filters: SearchFilters = {
        schema:
          schemaName === 'Thing'
            ? undefined
            : new Set([...model.schemata.keys()].filter((s) => model.get(s).isA(schemaName))),
        datasets: [
          ...list(req.query.datasets),
          ...(knownDatasets(index).has(dataset) && !['default', 'all', 'sanctions', '*'].includes(req.params.dataset)
            ? [dataset]
            : []),
        ],
        excludeDataset: list(req.query.exclude_dataset),
        countries: list(req.query.countries),
        topics: list(req.query.topics),
      };
      const canonical = await canonicalMap(deps.store);
      let hits: Prepared[];
      const scores = new Map<string, MatchResult>();
      if (text === '') {
        hits = browse(index, canonical, filters);
      } else {
        // A span that does not depend on the first pages (10 hits, more for deep pages), so they agree on the total.
        const span = Math.min(500, Math.max(10, offset + limit));
        const query = { id: 'search', schema: schemaName, properties: { name: [text] } };
        const found = index.match(query, { limit: span, threshold, dataset, cutoff: 0.3 });
        // A search is a text search (yente's /search is): a name that contains every word of the query is a hit
        // however long the name, so "KIM" finds KIM JONG UN although their similarity is under the cut-off.
        // Names are folded as person names or not by schema: try the query both ways.
        const forms = [foldTokens(text), foldTokens(text, { personName: true })].filter((w) => w.length > 0);
        if (forms.length > 0) {
          const have = new Set(found.map((r) => r.id));
          for (const r of index.match(query, { limit: 500, threshold, dataset, cutoff: 0 })) {
            if (have.has(r.id)) continue;
            const e = index.get(r.id);
            const names = e ? [...e.names, ...e.weakNames] : [];
            if (names.some((n) => forms.some((words) => words.every((w) => n.tokens.includes(w))))) {
              found.push(r);
              have.add(r.id);
            }
          }
          found.sort((a, b) => b.score - a.score);
        }
        const seen = new Set<string>();
        hits = [];
        for (const r of found) {
          const e = index.get(r.id);
          if (!e || !passesSearch(e, filters)) continue;
          const c = canonical.get(r.id) ?? r.id;
          if (seen.has(c)) continue;
          seen.add(c);
          hits.push(e);
          scores.set(e.id, r);
        }
      }
      const page = hits.slice(offset, offset + limit);
      const lookup = await canonicalLookup(
        deps.store,
        page.map((e) => e.id).filter((id) => canonical.has(id)),
      );
      const dates = await listDates(deps.store);
      const results: Array<Record<string, unknown>> = [];
      for (const e of page) {
        const c = lookup.entities.get(canonical.get(e.id) ?? e.id);
        const shape = c ? yenteEntity(c.entity, c.referents) : yenteFromIndex(e, dates);
        const r = scores.get(e.id);
        // A name search also says how well each hit matched (yente's results carry no score; extra keys are fine).
        if (!r) results.push({ ...shape });
        else {
          const explanations: Record<string, Record<string, unknown>> = {};
          for (const [name, x] of Object.entries(r.explanations)) explanations[name] = featureResult(x);
          results.push({ ...shape, score: r.score, match: r.match, features: r.features, explanations });
        }
      }
      return { results, total: { value: hits.length, relation: 'eq' }, limit, offset, facets: facets(hits) };
    },
  );

  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

  /** The canonical entity of an id, or a 308 to its canonical URL (as yente does for referents). */
  async function resolveOr308(id: string, req: FastifyRequest, reply: FastifyReply) {
    const resolved = await canonicalEntity(deps.store, id);
    if (!resolved) throw new NotFoundError(`no entity with id "${id}"`);
    if (resolved.redirectedFrom !== undefined) {
      const target = `/entities/${encodeURIComponent(resolved.entity.id)}`;
      void reply.redirect(req.url.replace(/\/entities\/[^/?]*/, target), 308);
      return undefined;
    }
    return resolved;
  }

  app.get<{ Params: { id: string }; Querystring: { nested?: string } }>(
    '/entities/:id',
    {
      schema: {
        operationId: 'getEntity',
        summary: 'One canonical entity with related entities nested in its properties (yente-compatible)',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description:
              "yente's EntityResponse (nested=true: related entities inside properties), plus sanctions, linked entities and statements with their source",
          },
          308: {
            type: 'null',
            description: 'the id is a referent of a canonical entity: Location is /entities/{canonical id} (as yente)',
          },
        },
        tags: ['screening'],
        params: idParams,
        querystring: { type: 'object', properties: { nested: { type: 'string', default: 'true' } } },
      },
    },
    async (req, reply) => {
      const resolved = await resolveOr308(req.params.id, req, reply);
      if (!resolved) return reply;
      const nestedWanted = boolParam(req.query.nested, 'nested') ?? true;
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
      const shape = nestedWanted
        ? await nestedEntity(deps.store, entity, resolved.referents)
        : yenteEntity(entity, resolved.referents);
      const plain = (e: (typeof linked)[number]) => ({ ...e.toFtm(), caption: e.caption() });
      return {
        ...shape,
        // Our own reads: every referent (including an unmerged entity's own id), sanctions, links, provenance.
        referents: resolved.referents.filter((r) => r !== entity.id),
        sanctions: sanctions.map(plain),
        linked: linked.map(plain),
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

  app.get<{ Params: { id: string } }>(
    '/entities/:id/adjacent',
    {
      schema: {
        operationId: 'getEntityAdjacent',
        summary: "The entities related to one entity, by property (yente's /entities/{id}/adjacent)",
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: '{entity, adjacent: {property: {results, total, limit, offset}}}',
          },
          308: { type: 'null', description: 'a referent id: Location is the canonical URL' },
        },
        tags: ['screening'],
        params: idParams,
      },
    },
    async (req, reply) => {
      const resolved = await resolveOr308(req.params.id, req, reply);
      if (!resolved) return reply;
      const nested = await nestedEntity(deps.store, resolved.entity, resolved.referents);
      const entityProps: Record<string, unknown[]> = {};
      const adjacent: Record<string, unknown> = {};
      for (const [prop, values] of Object.entries(nested.properties)) {
        const objs = values.filter((v) => typeof v !== 'string');
        if (objs.length === 0) {
          entityProps[prop] = values;
          continue;
        }
        adjacent[prop] = {
          results: objs,
          total: { value: objs.length, relation: 'eq' },
          limit: objs.length,
          offset: 0,
        };
      }
      return { entity: { ...nested, properties: entityProps }, adjacent };
    },
  );

  app.get<{
    Querystring: {
      entity_id?: string;
      canonical_id?: string;
      prop?: string;
      dataset?: string;
      limit?: number;
      offset?: number;
    };
  }>(
    '/statements',
    {
      schema: {
        operationId: 'getStatements',
        summary: "Statements of a canonical entity in nomenklatura's layout (yente's /statements)",
        tags: ['screening'],
        querystring: {
          type: 'object',
          properties: {
            entity_id: { type: 'string' },
            canonical_id: { type: 'string' },
            prop: { type: 'string' },
            dataset: { type: 'string' },
            limit: Limit({ maximum: 5000, default: 50 }),
            offset: Offset(),
          },
        },
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description:
              '{results: [{id, entity_id, canonical_id, prop, prop_type, schema, value, dataset, lang, original_value, first_seen, last_seen}], total, limit, offset}',
          },
        },
      },
    },
    async (req) => {
      const id = req.query.canonical_id ?? req.query.entity_id;
      if (!id) throw new UserError('entity_id or canonical_id: one is required');
      const resolved = await canonicalEntity(deps.store, id);
      let rows = resolved ? statementRows(resolved.entity) : [];
      if (req.query.entity_id && !req.query.canonical_id)
        rows = rows.filter((r) => r.entity_id === req.query.entity_id);
      if (req.query.prop) rows = rows.filter((r) => r.prop === req.query.prop);
      if (req.query.dataset) {
        const ds = publicDataset(storedDataset(req.query.dataset));
        rows = rows.filter((r) => r.dataset === ds);
      }
      const limit = req.query.limit ?? 50;
      const offset = req.query.offset ?? 0;
      return {
        results: rows.slice(offset, offset + limit),
        total: { value: rows.length, relation: 'eq' },
        limit,
        offset,
      };
    },
  );

  app.get(
    '/algorithms',
    {
      schema: {
        operationId: 'getAlgorithms',
        summary: "The matching algorithms and their features (yente's /algorithms)",
        tags: ['screening'],
        response: { 200: { type: 'object', additionalProperties: true, description: '{algorithms, default, best}' } },
      },
    },
    async () => ({
      algorithms: [
        {
          name: ALGORITHM,
          description:
            'Watchkeeper screening: name comparison across scripts (Hangul, Cyrillic, Arabic, Chinese, ...) with identifiers and qualifiers; see docs/screening.md',
          features: featureDocs(),
        },
      ],
      default: ALGORITHM,
      best: ALGORITHM,
    }),
  );

  app.get(
    '/catalog',
    {
      schema: {
        operationId: 'getCatalog',
        summary: "The datasets served, with their current versions (yente's /catalog)",
        tags: ['screening'],
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            description: '{datasets, current, outdated, index_stale}',
          },
        },
      },
    },
    async () => {
      const versions = await deps.store.currentVersions();
      const index = await service.index();
      const indexVersion = service.info()?.signature ?? null;
      const datasets = versions.map((v) => {
        const name = publicDataset(v.source);
        return {
          name,
          title: DATASET_TITLES[name] ?? name,
          summary: null,
          url: v.url,
          load: true,
          entities_url: null,
          version: v.id,
          index_version: indexVersion,
          index_current: true,
          children: [] as string[],
        };
      });
      datasets.push({
        name: 'default',
        title: 'All lists served by this Watchkeeper',
        summary: null,
        url: null,
        load: true,
        entities_url: null,
        version: indexVersion ?? '',
        index_version: indexVersion,
        index_current: true,
        children: datasets.map((d) => d.name).sort(),
      });
      return {
        datasets,
        current: datasets.map((d) => d.name),
        outdated: [] as string[],
        index_stale: false,
        entities: index.size,
      };
    },
  );

  // GET /readyz (yente's "the index is built") is answered by routes/health.ts, with the store, migration and
  // worker checks of a Watchkeeper server; it keeps yente's `status: "ok"`.

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

  // CORS on the reconciliation routes (OpenRefine adds a service from the browser) and JSONP `callback`.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.url.startsWith('/reconcile/')) return payload;
    reply.header('access-control-allow-origin', '*');
    if (req.routeOptions.url === '/reconcile/:dataset/preview') {
      // OpenRefine shows the preview framed in its own page: allow framing, keep scripts out.
      reply.removeHeader('x-frame-options');
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *");
    }
    // Read from the raw URL: schemas without `callback` strip it from req.query.
    const callback = new URL(req.url, 'http://localhost').searchParams.get('callback');
    if (callback) {
      if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(callback) || callback.length > 100) {
        reply.code(400).header('content-type', 'application/json; charset=utf-8');
        const msg = 'callback: a JavaScript function name';
        return JSON.stringify({ detail: msg, error: 'bad_request', message: msg });
      }
      reply.header('content-type', 'application/javascript; charset=utf-8');
      return `/**/${callback}(${typeof payload === 'string' ? payload : '{}'});`;
    }
    return payload;
  });
  app.options<{ Params: { '*': string } }>('/reconcile/*', { schema: { hide: true } }, async (_req, reply) => {
    reply
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '86400')
      .code(204);
    return reply.send();
  });

  const canonicalOf = async () => {
    const map = await canonicalMap(deps.store);
    return (id: string) => map.get(id) ?? id;
  };

  const reconcileHandler = async (
    req: FastifyRequest<{ Params: { dataset: string }; Querystring: Record<string, string | undefined> }>,
  ) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const queries = body.queries ?? req.query.queries;
    const ext = body.extend ?? req.query.extend;
    if (queries !== undefined) {
      const index = await service.index();
      const dataset = checkDataset(index, req.params.dataset);
      return reconcileBatch(index, parseParam(queries, 'queries'), dataset, await canonicalOf());
    }
    if (ext !== undefined) {
      const parsed = parseParam(ext, 'extend') as { ids?: unknown };
      const ids = Array.isArray(parsed?.ids) ? parsed.ids.filter((x): x is string => typeof x === 'string') : [];
      const lookup = await canonicalLookup(deps.store, ids.slice(0, 1000));
      return extend((id) => {
        const c = lookup.entities.get(lookup.canonicalOf.get(id) ?? id);
        return c ? c.entity.toFtm().properties : undefined;
      }, parsed);
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
      limit: Limit({ maximum: 100, default: 10 }),
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
      return suggestEntities(await service.index(), prefix, req.query.limit ?? 10, req.query.type, await canonicalOf());
    },
  );
  app.get<{ Params: { dataset: string }; Querystring: { id?: string } }>(
    '/reconcile/:dataset/preview',
    {
      schema: {
        operationId: 'reconcilePreview',
        summary: 'Preview service: a small HTML card of one entity (OpenRefine hover)',
        tags: ['reconciliation'],
        params: datasetParams,
        querystring: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: { 200: { type: 'string', description: 'text/html' } },
      },
    },
    async (req, reply) => {
      const id = req.query.id ?? '';
      const resolved = await canonicalEntity(deps.store, id);
      if (!resolved) throw new NotFoundError(`no entity with id "${id}"`);
      const shape = yenteEntity(resolved.entity, resolved.referents);
      const view = `${baseUrl(req)}/entity/${encodeURIComponent(shape.id)}`;
      return reply.type('text/html; charset=utf-8').send(preview(shape, view));
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
          properties: { type: { type: 'string' }, limit: Limit({ maximum: 200, default: 50 }) },
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
