import type { ValidateFunction } from 'ajv';
import * as AjvModule from 'ajv';
import { expect } from 'vitest';
import { schemaModel } from '../../src/model/schema.js';

/**
 * yente's response models, re-typed from its source (yente/data/common.py: EntityResponse, ScoredEntityResponse,
 * EntityMatches, EntityMatchResponse, SearchResponse, AlgorithmResponse, DataCatalogModel, ErrorResponse;
 * nomenklatura's FeatureDocs and FtResult) as JSON schemas, and tests/conftest.py's `assert_entity_shape`.
 * Pydantic fields with a default are optional in input but always present in yente's output: they are required
 * here, as yente's tests (REQUIRED_ENTITY_KEYS) pin them.
 */

const Ajv = AjvModule.Ajv;

const dateTime = { type: ['string', 'null'] };

const entityResponse = {
  $id: 'EntityResponse',
  type: 'object',
  required: [
    'id',
    'caption',
    'schema',
    'properties',
    'datasets',
    'referents',
    'target',
    'first_seen',
    'last_seen',
    'last_change',
  ],
  properties: {
    id: { type: 'string' },
    caption: { type: 'string' },
    schema: { type: 'string' },
    // EntityProperties = Dict[str, List[Union[str, "EntityResponse"]]]
    properties: {
      type: 'object',
      additionalProperties: { type: 'array', items: { anyOf: [{ type: 'string' }, { $ref: 'EntityResponse' }] } },
    },
    datasets: { type: 'array', items: { type: 'string' } },
    referents: { type: 'array', items: { type: 'string' } },
    target: { type: 'boolean' },
    first_seen: dateTime,
    last_seen: dateTime,
    last_change: dateTime,
  },
};

/** nomenklatura.matching.types.FtResult: a feature's score with what was compared. */
const featureResult = {
  type: 'object',
  required: ['score', 'detail'],
  properties: {
    score: { type: 'number' },
    detail: { type: ['string', 'null'] },
    query: { type: ['string', 'null'] },
    candidate: { type: ['string', 'null'] },
  },
};

const scoredEntityResponse = {
  $id: 'ScoredEntityResponse',
  allOf: [{ $ref: 'EntityResponse' }],
  type: 'object',
  required: ['score', 'features', 'match'],
  properties: {
    score: { type: 'number' },
    features: { type: 'object', additionalProperties: { type: 'number' } },
    match: { type: 'boolean' },
    explanations: { type: 'object', additionalProperties: featureResult },
  },
};

const totalSpec = {
  type: 'object',
  required: ['value', 'relation'],
  properties: { value: { type: 'integer' }, relation: { type: 'string' } },
};

const entityExample = {
  type: 'object',
  required: ['schema', 'properties'],
  properties: {
    id: { type: ['string', 'null'] },
    schema: { type: 'string' },
    properties: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array' }] } },
  },
};

/** nomenklatura.matching.types.FeatureDocs: name → {description, coefficient, url}. */
const featureDocs = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['description', 'coefficient', 'url'],
    properties: {
      description: { type: ['string', 'null'] },
      coefficient: { type: 'number' },
      url: { type: ['string', 'null'] },
    },
  },
};

const entityMatchResponse = {
  $id: 'EntityMatchResponse',
  type: 'object',
  required: ['responses', 'matcher', 'limit'],
  properties: {
    responses: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['status', 'results', 'total', 'query'],
        properties: {
          status: { type: 'integer' },
          results: { type: 'array', items: { $ref: 'ScoredEntityResponse' } },
          total: totalSpec,
          query: entityExample,
        },
      },
    },
    matcher: featureDocs,
    limit: { type: 'integer' },
  },
};

const searchFacet = {
  type: 'object',
  required: ['label', 'values'],
  properties: {
    label: { type: 'string' },
    values: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'label', 'count'],
        properties: { name: { type: 'string' }, label: { type: 'string' }, count: { type: 'integer' } },
      },
    },
  },
};

const searchResponse = {
  $id: 'SearchResponse',
  type: 'object',
  required: ['limit', 'offset', 'total', 'results', 'facets'],
  properties: {
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    total: totalSpec,
    results: { type: 'array', items: { $ref: 'EntityResponse' } },
    facets: { type: 'object', additionalProperties: searchFacet },
  },
};

const algorithmResponse = {
  $id: 'AlgorithmResponse',
  type: 'object',
  required: ['algorithms', 'default', 'best'],
  properties: {
    algorithms: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'features'],
        properties: { name: { type: 'string' }, description: { type: ['string', 'null'] }, features: featureDocs },
      },
    },
    default: { type: 'string' },
    best: { type: 'string' },
  },
};

const dataCatalog = {
  $id: 'DataCatalogModel',
  type: 'object',
  required: ['datasets', 'current', 'outdated'],
  properties: {
    datasets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'title', 'load', 'version', 'children'],
        properties: {
          name: { type: 'string' },
          title: { type: 'string' },
          summary: { type: ['string', 'null'] },
          url: { type: ['string', 'null'] },
          load: { type: 'boolean' },
          entities_url: { type: ['string', 'null'] },
          version: { type: 'string' },
          index_version: { type: ['string', 'null'] },
          index_current: { type: 'boolean' },
          children: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    current: { type: 'array', items: { type: 'string' } },
    outdated: { type: 'array', items: { type: 'string' } },
    index_stale: { type: 'boolean' },
  },
};

const errorResponse = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['detail'],
  properties: { detail: { type: 'string' } },
};

export type YenteModel =
  | 'EntityResponse'
  | 'ScoredEntityResponse'
  | 'EntityMatchResponse'
  | 'SearchResponse'
  | 'AlgorithmResponse'
  | 'DataCatalogModel'
  | 'ErrorResponse';

export function yenteValidators(): Record<YenteModel, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const s of [
    entityResponse,
    scoredEntityResponse,
    entityMatchResponse,
    searchResponse,
    algorithmResponse,
    dataCatalog,
    errorResponse,
  ]) {
    ajv.addSchema(s);
  }
  const names: YenteModel[] = [
    'EntityResponse',
    'ScoredEntityResponse',
    'EntityMatchResponse',
    'SearchResponse',
    'AlgorithmResponse',
    'DataCatalogModel',
    'ErrorResponse',
  ];
  return Object.fromEntries(names.map((n) => [n, ajv.getSchema(n)!])) as Record<YenteModel, ValidateFunction>;
}

/** Check a document against a yente model, failing with ajv's errors. */
export function expectModel(v: Record<YenteModel, ValidateFunction>, model: YenteModel, doc: unknown): void {
  const ok = v[model](doc);
  expect(ok, `${model}: ${JSON.stringify(v[model].errors)}`).toBe(true);
}

/** yente's wire format for first_seen / last_seen / last_change: seconds, no zone (conftest ISO_SECONDS_NO_TZ). */
const ISO_SECONDS_NO_TZ = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** followthemoney's dataset_name_check: lower-case letters, digits and underscores. */
const DATASET_NAME = /^[a-z][a-z0-9_]*$/;

const REQUIRED_ENTITY_KEYS = [
  'id',
  'caption',
  'schema',
  'properties',
  'datasets',
  'referents',
  'target',
  'first_seen',
  'last_seen',
  'last_change',
];

/** tests/conftest.py `assert_entity_shape`, line by line; returns how many entities (nested included) it checked. */
export function assertEntityShape(data: Record<string, unknown>): number {
  const missing = REQUIRED_ENTITY_KEYS.filter((k) => !(k in data));
  expect(missing, JSON.stringify(Object.keys(data).sort())).toEqual([]);
  expect(typeof data.id === 'string' && data.id !== '', String(data.id)).toBe(true);
  expect(typeof data.caption === 'string' && data.caption !== '', String(data.caption)).toBe(true);
  expect(schemaModel().has(data.schema as string), String(data.schema)).toBe(true);
  expect(typeof data.properties === 'object' && data.properties !== null && !Array.isArray(data.properties)).toBe(true);
  let checked = 1;
  for (const [prop, values] of Object.entries(data.properties as Record<string, unknown>)) {
    expect(Array.isArray(values), prop).toBe(true);
    for (const value of values as unknown[]) {
      if (typeof value === 'object' && value !== null) checked += assertEntityShape(value as Record<string, unknown>);
      else expect(typeof value, `${prop}: ${String(value)}`).toBe('string');
    }
  }
  expect(Array.isArray(data.datasets)).toBe(true);
  for (const name of data.datasets as unknown[]) {
    expect(typeof name).toBe('string');
    expect(name as string).toMatch(DATASET_NAME);
  }
  expect(Array.isArray(data.referents)).toBe(true);
  expect((data.referents as unknown[]).every((r) => typeof r === 'string')).toBe(true);
  expect(typeof data.target).toBe('boolean');
  for (const key of ['first_seen', 'last_seen', 'last_change']) {
    const v = data[key];
    if (v !== null) {
      expect(v as string).toMatch(ISO_SECONDS_NO_TZ);
      expect(new Date(`${v as string}Z`).toISOString().slice(0, 19)).toBe(v);
    }
  }
  return checked;
}
