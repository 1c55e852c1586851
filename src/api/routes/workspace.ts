import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AisCoverage } from '../../cases/ais-tables.js';
import { entityView } from '../../cases/entity-view.js';
import { neighbourhood, shortestPath } from '../../cases/graph.js';
import { overview } from '../../cases/overview.js';
import type { Finding } from '../../findings/finding.js';
import { findingSchema } from '../../findings/schema.js';
import type { ListVersion } from '../../store/store.js';
import { IdParams, Int, Nullable, Opaque } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';
import { Alert } from './alerts.js';

/**
 * The investigation workspace's read models that are not one resource's own: the overview page, an entity with
 * the source of each value, and the evidence graph (neighbourhood and shortest path). Vessel pages and tracks are
 * in vessels.ts; cases, watchlists and alerts in their own plugins.
 */

const tags = ['workspace'];

const FindingT = Type.Unsafe<Finding>(findingSchema);
const SeverityCounts = { high: Type.Integer(), medium: Type.Integer(), low: Type.Integer() };

export const Overview = Type.Object({
  findings: Type.Object({
    total: Type.Integer(),
    sampled: Type.Integer({ description: 'findings looked at for the breakdowns (the newest of total)' }),
    byKind: Type.Array(Type.Object({ kind: Type.String(), ...SeverityCounts, total: Type.Integer() })),
    byMonth: Type.Array(Type.Object({ month: Type.String({ description: 'YYYY-MM' }), ...SeverityCounts })),
    newest: Type.Array(FindingT),
  }),
  alerts: Type.Array(Alert),
  lists: Type.Array(Opaque<ListVersion>('a current list version')),
  ais: Opaque<AisCoverage>('AIS positions, vessels and time span in the store'),
  imports: Type.Array(
    Type.Object({ kind: Type.String(), count: Type.Integer(), rows: Type.Integer(), last: Type.String() }),
  ),
});
export type Overview = Static<typeof Overview>;

export const EntityView = Opaque<Awaited<ReturnType<typeof entityView>>>(
  'the canonical entity: its referents, each value with its source entity and source (list, version, record), sanctions, links and findings',
);
export type EntityView = Static<typeof EntityView>;

export const GraphNode = Type.Object({
  id: Type.String(),
  schema: Type.String({ description: 'FtM schema, or "Finding"' }),
  label: Type.String(),
  tag: Nullable(Type.String({ description: "findings: 'high' | 'medium' | 'low'; entities: 'sanctioned'" })),
  referents: Type.Array(Type.String(), {
    description: 'source entity ids merged into this canonical node (docs/graph.md); empty for findings',
  }),
  datasets: Type.Array(Type.String(), { description: 'sources with statements on this node; empty for findings' }),
});
export const GraphEdge = Type.Object({
  id: Type.String(),
  source: Type.String(),
  target: Type.String(),
  label: Type.String({ description: 'FtM property or schema; for an ownership link its role and share' }),
  ownership: Type.Optional(
    Type.Object(
      {
        role: Type.String(),
        percentage: Type.Optional(Type.Number()),
        current: Type.Boolean(),
        sources: Type.Array(Type.String()),
        links: Type.Array(
          Type.Object({
            percentage: Type.Optional(Type.Number()),
            startDate: Type.Optional(Type.String()),
            endDate: Type.Optional(Type.String()),
            source: Type.String(),
            sourceRecord: Type.String(),
            via: Type.String(),
          }),
        ),
      },
      { description: 'an ownership or management link of the ownership network (owner → asset), with its statements' },
    ),
  ),
});
export const Graph = Type.Object({ nodes: Type.Array(GraphNode), edges: Type.Array(GraphEdge) });
export type Graph = Static<typeof Graph>;
export const GraphPath = Type.Composite([
  Graph,
  Type.Object({
    hops: Type.Integer({ description: 'edges on the path (0 when none was found)' }),
    visited: Type.Integer({ description: 'nodes visited by the search' }),
  }),
]);
export type GraphPath = Static<typeof GraphPath>;

export const PathQuery = Type.Object(
  {
    from: Type.String({ minLength: 1 }),
    to: Type.String({ minLength: 1 }),
    maxDepth: Type.Optional(Int({ minimum: 1, maximum: 8, default: 6 })),
  },
  { additionalProperties: false },
);
export type PathQuery = Static<typeof PathQuery>;

export default async function workspaceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Reply: Overview }>(
    '/workspace/overview',
    {
      schema: {
        operationId: 'getOverview',
        summary: 'Findings by kind and severity over time, newest findings, alerts, and what data is loaded',
        tags,
        response: { 200: Overview },
      },
    },
    async () => overview(store),
  );

  app.get<{ Params: Static<typeof IdParams>; Reply: EntityView }>(
    '/workspace/entities/:id',
    {
      schema: {
        operationId: 'getEntityView',
        summary:
          'The canonical entity of any id (source or canonical) with its referents, each value with its source entity and source (list, version, record), its sanctions, links and findings',
        tags,
        params: IdParams,
        response: { 200: EntityView },
      },
    },
    async (req) => entityView(store, req.params.id),
  );

  app.get<{ Params: Static<typeof IdParams>; Reply: Graph }>(
    '/workspace/graph/:id',
    {
      schema: {
        operationId: 'getNeighbourhood',
        summary:
          'An entity or finding and its neighbours (links, findings tying subjects together); nodes are canonical entities',
        tags,
        params: IdParams,
        response: { 200: Graph },
      },
    },
    async (req) => neighbourhood(store, req.params.id),
  );

  app.get<{ Querystring: PathQuery; Reply: GraphPath }>(
    '/workspace/path',
    {
      schema: {
        operationId: 'getShortestPath',
        summary: 'Shortest path between two entities (empty when none within maxDepth hops)',
        tags,
        querystring: PathQuery,
        response: { 200: GraphPath },
      },
    },
    async (req) => shortestPath(store, req.query.from, req.query.to, { maxDepth: req.query.maxDepth }),
  );
}
