/** JSON Schema (draft 2020-12 subset that Fastify/Ajv and OpenAPI 3.1 accept) for the Finding contract. */
export const evidenceRefSchema = {
  type: 'object',
  required: ['source', 'record'],
  properties: {
    source: { type: 'string' },
    record: { type: 'string' },
    contentHash: { type: 'string' },
    note: { type: 'string' },
  },
} as const;

export const findingSchema = {
  $id: 'Finding',
  type: 'object',
  required: ['id', 'kind', 'subjects', 'start', 'score', 'redFlags', 'explanation', 'evidence', 'params'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', description: "e.g. 'ais.gap', 'ais.encounter', 'screening.match', 'crypto.exposure'" },
    subjects: { type: 'array', items: { type: 'string' } },
    start: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
    geometry: { type: 'object', additionalProperties: true, description: 'GeoJSON geometry' },
    score: { type: 'number', minimum: 0, maximum: 1 },
    redFlags: { type: 'array', items: { type: 'string' } },
    explanation: { type: 'string' },
    evidence: { type: 'array', items: evidenceRefSchema },
    params: { type: 'object', additionalProperties: { type: ['number', 'string', 'boolean'] } },
    vessels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['mmsi'],
        properties: {
          mmsi: { type: 'integer' },
          imo: { type: ['integer', 'null'] },
          name: { type: ['string', 'null'] },
        },
      },
    },
    details: { type: 'object', additionalProperties: true },
  },
} as const;
