import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { candidatePage } from '../../resolve/candidates.js';
import { canonicalIdsOf } from '../../resolve/canonical.js';
import { judgePair } from '../../resolve/judge.js';
import { VERDICTS } from '../../resolve/judgement.js';
import { Limit, Num, Offset, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * Entity resolution for analysts (docs/graph.md): candidate pairs from the screening matcher, side by side with
 * their features, and the judgements that merge (positive), keep apart (negative) or leave open (unsure) a pair.
 * A judgement is stored with who made it and when, and the graph is re-resolved at once. In auth mode judging
 * needs the analyst role (a write: src/api/auth/policy.ts); listing candidates needs a viewer.
 */

const tags = ['resolution'];

const Side = Type.Object({
  id: Type.String({ description: 'source entity id' }),
  caption: Type.String(),
  schema: Type.String(),
  datasets: Type.Array(Type.String()),
  properties: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'FtM properties' }),
});

export const DedupeCandidate = Type.Object({
  left: Side,
  right: Side,
  score: Type.Number({ description: 'the screening matcher’s score, 0..1' }),
  features: Type.Record(Type.String(), Type.Number(), {
    description: 'the matcher’s features that fired (name_similarity, birth_date_match, ...)',
  }),
});
export type DedupeCandidate = Static<typeof DedupeCandidate>;

export const CandidatesQuery = Type.Object(
  {
    limit: Type.Optional(Limit({ maximum: 500, default: 50 })),
    offset: Type.Optional(Offset({ maximum: 1_000_000 })),
    schema: Type.Optional(
      Type.String({ minLength: 1, maxLength: 50, description: 'only pairs with an entity of this FtM schema' }),
    ),
    threshold: Type.Optional(Num({ minimum: 0.5, maximum: 1, default: 0.7 })),
  },
  { additionalProperties: false },
);
export type CandidatesQuery = Static<typeof CandidatesQuery>;

export const CandidateList = Type.Object({
  total: Type.Integer({ description: 'pairs not merged nor judged at or above the threshold' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  results: Type.Array(DedupeCandidate),
});
export type CandidateList = Static<typeof CandidateList>;

export const JudgementBody = Type.Object(
  {
    left: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'entity id (a canonical wk- id stands for its smallest referent)',
    }),
    right: Type.String({ minLength: 1, maxLength: 300 }),
    judgement: StringEnum(VERDICTS),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type JudgementBody = Static<typeof JudgementBody>;

export const JudgementReply = Type.Object({
  left: Type.String(),
  right: Type.String(),
  judgement: StringEnum(VERDICTS),
  reason: Type.String(),
  author: Type.String({ description: 'the signed-in user; "local" in local mode' }),
  created_at: Type.String({ format: 'date-time' }),
  origin: Type.Literal('analyst'),
  canonical: Type.Object(
    { left: Type.String(), right: Type.String() },
    { description: 'the canonical ids of both entities after re-resolution (equal after a positive judgement)' },
  ),
});
export type JudgementReply = Static<typeof JudgementReply>;

export default async function dedupeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Querystring: CandidatesQuery; Reply: CandidateList }>(
    '/dedupe/candidates',
    {
      schema: {
        operationId: 'listDedupeCandidates',
        summary:
          'Candidate pairs from the screening matcher, best first, with their features: not in one canonical entity and not yet judged',
        tags,
        querystring: CandidatesQuery,
        response: { 200: CandidateList },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const offset = req.query.offset ?? 0;
      const page = await candidatePage(store, {
        limit,
        offset,
        ...(req.query.schema ? { schema: req.query.schema } : {}),
        ...(req.query.threshold !== undefined ? { threshold: req.query.threshold } : {}),
      });
      return { total: page.total, limit, offset, results: page.results };
    },
  );

  app.post<{ Body: JudgementBody; Reply: JudgementReply }>(
    '/dedupe/judgements',
    {
      schema: {
        operationId: 'addDedupeJudgement',
        summary:
          'Judge a pair: positive merges it, negative keeps it apart (even against a strong identifier), unsure leaves it open; re-resolves at once',
        tags,
        body: JudgementBody,
        response: { 201: JudgementReply },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const j = await judgePair(store, b.left, b.right, b.judgement, {
        author: req.principal?.username ?? 'local',
        ...(b.reason ? { reason: b.reason } : {}),
      });
      const canon = await canonicalIdsOf(store, [j.left, j.right]);
      return reply.status(201).send({
        left: j.left,
        right: j.right,
        judgement: j.verdict,
        reason: j.reason,
        author: j.author,
        created_at: j.createdAt,
        origin: 'analyst',
        canonical: { left: canon.get(j.left) ?? j.left, right: canon.get(j.right) ?? j.right },
      });
    },
  );
}
