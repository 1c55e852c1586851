import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { shortestPath } from '../cases/graph.js';
import { NotFoundError } from '../errors.js';
import { canonicalEntity, canonicalJson } from '../resolve/canonical.js';
import { screeningService } from '../screening/service.js';
import type { Store } from '../store/store.js';
import { answer } from './result.js';

const READ = { readOnlyHint: true, openWorldHint: false } as const;

/** Graph questions about entities: search by name, the canonical entity with provenance, match, path. */
export function registerEntityTools(server: McpServer, store: Store): void {
  const screening = () => screeningService(store);

  server.registerTool(
    'search',
    {
      title: 'Search entities by name',
      description:
        'Name search over every sanctions list and user entity (people, companies, vessels, wallets). Returns ids, captions, scores, datasets and key properties (imoNumber, mmsi, birthDate, ...).',
      inputSchema: {
        q: z.string().min(1).describe('name or part of a name, any script'),
        schema: z.string().optional().describe('FtM schema to restrict to: Person, Company, Vessel, CryptoWallet, ...'),
        dataset: z.string().optional().describe('only this dataset, e.g. us_ofac_sdn'),
        limit: z.number().int().min(1).max(100).optional().describe('default 10'),
      },
      annotations: READ,
    },
    ({ q, schema, dataset, limit }) =>
      answer(async () => {
        const results = await (await screening()).search(q, { schema, dataset, limit: limit ?? 10 });
        return { query: q, results: results.map(brief) };
      }),
  );

  server.registerTool(
    'entity',
    {
      title: 'Canonical entity with provenance',
      description:
        'One real-world thing: the canonical entity for a canonical (wk-...) or source id (ofac-..., un-..., gb-ofsi-...), with its referents (the source entities merged into it) and every statement with its source and record.',
      inputSchema: { id: z.string().min(1).describe('canonical or source entity id') },
      annotations: READ,
    },
    ({ id }) =>
      answer(async () => {
        const c = await canonicalEntity(store, id);
        if (!c) throw new NotFoundError(`no entity with id "${id}"`);
        const json = canonicalJson(c);
        const sources = [...new Set(c.entity.statements.map((s) => s.source))].sort();
        return { ...json, sources, ...(c.redirectedFrom ? { redirectedFrom: c.redirectedFrom } : {}) };
      }),
  );

  server.registerTool(
    'match',
    {
      title: 'Match an entity against the lists',
      description:
        'Score a described entity (FtM schema and properties, as yente /match) against every list entity; returns the best candidates with score, match verdict and feature explanations.',
      inputSchema: {
        schema: z.string().min(1).describe('FtM schema: Person, Company, Organization, Vessel, LegalEntity, ...'),
        properties: z
          .record(z.string(), z.array(z.string()))
          .describe('FtM properties, e.g. {"name": ["Choe Chun Sik"], "birthDate": ["1963"]}'),
        limit: z.number().int().min(1).max(50).optional().describe('default 5'),
        threshold: z.number().min(0).max(1).optional().describe('score at or above which a result is a match'),
      },
      annotations: READ,
    },
    ({ schema, properties, limit, threshold }) =>
      answer(async () => {
        const results = await (await screening()).match(
          { id: 'query', schema, properties },
          { limit: limit ?? 5, threshold },
        );
        return {
          results: results.map((r) => ({ ...brief(r), match: r.match, features: r.features })),
        };
      }),
  );

  server.registerTool(
    'path',
    {
      title: 'Path between two entities',
      description:
        'Shortest chain of links (ownership, directorship, sanctions, shared findings, ...) between two entities or findings, as ordered nodes and edges; hops is -1 when none is found within maxDepth.',
      inputSchema: {
        from: z.string().min(1).describe('entity or finding id'),
        to: z.string().min(1).describe('entity or finding id'),
        maxDepth: z.number().int().min(1).max(10).optional().describe('default 6'),
      },
      annotations: READ,
    },
    ({ from, to, maxDepth }) => answer(() => shortestPath(store, from, to, { maxDepth })),
  );
}

function brief(r: {
  id: string;
  schema: string;
  caption: string;
  score: number;
  datasets: string[];
  properties: Record<string, string[]>;
}) {
  const keep = ['imoNumber', 'mmsi', 'callSign', 'flag', 'birthDate', 'nationality', 'country', 'publicKey', 'alias'];
  const properties: Record<string, string[]> = {};
  for (const k of keep) if (r.properties[k]?.length) properties[k] = r.properties[k]!.slice(0, 10);
  return {
    id: r.id,
    schema: r.schema,
    caption: r.caption,
    score: Math.round(r.score * 1000) / 1000,
    datasets: r.datasets,
    properties,
  };
}
