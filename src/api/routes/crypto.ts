import type { FastifyInstance } from 'fastify';
import { type Chain, detectAddress, displayAddress, parseChain } from '../../crypto/addresses.js';
import { formatUnits } from '../../crypto/amounts.js';
import type { UserAttributionFormat } from '../../crypto/attribution-user.js';
import { addUserAttribution, exposureFromStore, screenFromStore, traceFromStore } from '../../crypto/service.js';
import { clusterMembers, queryTransfers } from '../../crypto/store/repo.js';
import type { TraceMethod } from '../../crypto/trace.js';
import { UserError } from '../../errors.js';
import { findingSchema as findingWithId } from '../../findings/schema.js';
import { Int, Limit } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/** HTTP routes for crypto (documented in OpenAPI through their JSON schemas). */

// The Finding schema without its $id, so it can be nested in several response schemas.
const { $id: _findingId, ...findingSchema } = findingWithId;

const chainEnum = ['eth', 'btc', 'btc-testnet', 'ltc', 'trx'];
const methodEnum = ['poison', 'haircut', 'fifo'];
const open = (description: string) => ({ type: 'object', additionalProperties: true, description });
const str = { type: 'string' };
const tagSchema = {
  type: 'object',
  properties: {
    label: str,
    category: str,
    source: str,
    sourceRecord: { type: 'string', description: 'URL, or file:line sha256:<file hash> for a user-added pack' },
    entityId: { type: ['string', 'null'] },
    sanctioned: { type: 'boolean' },
    dprk: { type: 'boolean' },
  },
};
const screenResultSchema = {
  type: 'object',
  properties: {
    input: str,
    valid: { type: 'boolean' },
    reason: str,
    chain: str,
    address: str,
    listed: { type: 'boolean', description: 'exact match on a sanctions list' },
    dprk: { type: 'boolean', description: 'attributed to the DPRK (programme, FBI, Lazarus actor tag)' },
    entities: {
      type: 'array',
      items: { type: 'object', properties: { entityId: str, name: str, programs: { type: 'array', items: str } } },
    },
    tags: { type: 'array', items: tagSchema },
    counterparties: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          address: str,
          direction: { type: 'string', enum: ['in', 'out', 'both'] },
          transfers: { type: 'integer' },
          totals: { type: 'object', additionalProperties: str, description: 'asset → amount in asset units' },
          entityId: { type: ['string', 'null'] },
          label: str,
          txHashes: { type: 'array', items: str },
        },
      },
    },
  },
};
const amountMap = { type: 'object', additionalProperties: str };
const traceReportSchema = {
  type: 'object',
  properties: {
    chain: str,
    asset: str,
    decimals: { type: 'integer' },
    method: str,
    direction: str,
    params: open('maxHops, minAmount, since, until'),
    seeds: {
      type: 'array',
      items: { type: 'object', properties: { address: str, tags: { type: 'array', items: tagSchema } } },
    },
    totals: {
      ...amountMap,
      description:
        'start, atServices, held, hopLimit, belowMin, untracked, returned, poisonedClean (asset units); forward: ' +
        'start + poisonedClean = held + atServices + hopLimit + belowMin + returned',
    },
    byService: {
      type: 'array',
      items: {
        type: 'object',
        properties: { service: str, category: str, amount: str, addresses: { type: 'integer' } },
      },
    },
    listedReached: { type: 'array', items: open('address, entityId, label, hop, received, held') },
    mixers: { type: 'array', items: open('address, label, received') },
    peelChains: { type: 'array', items: open('path, peels, peeledTotal') },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          address: str,
          hop: { type: 'integer' },
          received: str,
          held: str,
          role: { type: 'string', enum: ['seed', 'service', 'mixer', 'listed', 'none'] },
          service: { type: ['string', 'null'] },
          tags: { type: 'array', items: tagSchema },
        },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        properties: { txHash: str, from: str, to: str, time: str, amount: str, tainted: str, hop: { type: 'integer' } },
      },
    },
    counts: open('nodes, edges, nodesListed, edgesListed'),
    finding: findingSchema,
  },
};
const exposureSchema = {
  type: 'object',
  properties: {
    chain: str,
    asset: str,
    targets: { type: 'array', items: str },
    cluster: { type: 'array', items: str },
    method: str,
    maxHops: { type: 'integer' },
    received: str,
    exposed: str,
    share: { type: 'number' },
    direct: open('amount, share'),
    indirect: open('amount, share'),
    byHop: { type: 'array', items: open('hop, amount, share') },
    sources: { type: 'array', items: open('address, label, entityId, direct') },
    evidence: { type: 'array', items: open('txHash, from, amount, tainted, hop, time') },
    finding: findingSchema,
  },
};

interface TraceBody {
  chain?: string;
  address?: string;
  from?: string[];
  txs?: string[];
  asset?: string;
  method?: string;
  direction?: 'forward' | 'backward';
  maxHops?: number;
  hops?: number;
  minAmount?: string;
  since?: string;
  until?: string;
  limit?: number;
  save?: boolean;
}

export default async function cryptoRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const chainOf = (c?: string): Chain | undefined => (c ? parseChain(c) : undefined);

  app.post<{ Body: { addresses: string[]; chain?: string; counterparties?: boolean; save?: boolean } }>(
    '/crypto/screen',
    {
      schema: {
        operationId: 'screenAddresses',
        summary: 'Screen addresses: exact list hits with the SDN entity, tags, listed direct counterparties',
        tags: ['crypto'],
        body: {
          type: 'object',
          required: ['addresses'],
          additionalProperties: false,
          properties: {
            addresses: { type: 'array', items: str, minItems: 1, maxItems: 10_000 },
            chain: { type: 'string', enum: chainEnum, description: 'chain hint; detected from the address otherwise' },
            counterparties: { type: 'boolean', default: true },
            save: { type: 'boolean', default: false, description: 'store crypto.sanctioned_counterparty findings' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: { type: 'array', items: screenResultSchema },
              findings: { type: 'array', items: findingSchema },
            },
          },
        },
      },
    },
    async (req) =>
      screenFromStore(deps.store, req.body.addresses, {
        chain: chainOf(req.body.chain),
        counterparties: req.body.counterparties,
        save: req.body.save,
      }),
  );

  app.post<{
    Body: {
      fileName: string;
      content: string;
      name?: string;
      actor?: string;
      label?: string;
      format?: UserAttributionFormat;
      confidence?: string;
      dprk?: boolean;
    };
  }>(
    '/crypto/attribution',
    {
      schema: {
        operationId: 'addAttribution',
        summary:
          'Add your own attribution beside the bundled packs: a GraphSense TagPack, a CSV address,chain,actor,label,source_url or an address list with one actor',
        tags: ['crypto'],
        body: {
          type: 'object',
          required: ['fileName', 'content'],
          additionalProperties: false,
          properties: {
            fileName: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description: 'file name (format and provenance)',
            },
            content: { type: 'string', minLength: 1, maxLength: 20_000_000, description: 'the file text' },
            name: { type: 'string', description: 'pack name: tags get source user:<name> (default: the file name)' },
            actor: { type: 'string', description: 'actor of every address of a list' },
            label: str,
            format: { type: 'string', enum: ['tagpack', 'csv', 'list'] },
            confidence: { type: 'string', description: 'GraphSense confidence level name' },
            dprk: { type: 'boolean', description: 'mark every address as DPRK-attributed' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              created: { type: 'boolean' },
              importId: str,
              source: str,
              format: str,
              sha256: str,
              tags: { type: 'integer' },
              dprk: { type: 'integer' },
              linked: { type: 'object', additionalProperties: { type: 'integer' } },
              bundledImported: { type: 'boolean' },
              rejected: {
                type: 'array',
                items: { type: 'object', properties: { where: str, reason: str } },
              },
              unsupported: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          },
        },
      },
    },
    async (req) => {
      const { fileName, content, ...opts } = req.body;
      return addUserAttribution(deps.store, fileName, content, opts);
    },
  );

  app.get<{ Querystring: { address: string[]; chain?: string } }>(
    '/crypto/screen',
    {
      schema: {
        operationId: 'screenAddressesGet',
        summary: 'Screen one or a few addresses (query form of POST /crypto/screen)',
        tags: ['crypto'],
        querystring: {
          type: 'object',
          required: ['address'],
          properties: {
            address: { type: 'array', items: str, minItems: 1, maxItems: 100 },
            chain: { type: 'string', enum: chainEnum },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              results: { type: 'array', items: screenResultSchema },
              findings: { type: 'array', items: findingSchema },
            },
          },
        },
      },
    },
    async (req) => screenFromStore(deps.store, req.query.address, { chain: chainOf(req.query.chain) }),
  );

  app.post<{ Body: TraceBody }>(
    '/crypto/trace',
    {
      schema: {
        operationId: 'traceFunds',
        summary: 'Trace funds forward or backward from addresses or transactions (poison, haircut, FIFO)',
        tags: ['crypto'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            chain: { type: 'string', enum: chainEnum, default: 'eth' },
            address: { type: 'string', description: 'one seed address (same as from: [address])' },
            from: { type: 'array', items: str, description: 'seed addresses' },
            txs: { type: 'array', items: str, description: 'seed transactions (forward)' },
            asset: { type: 'string', description: 'native symbol (default) or token contract address' },
            method: { type: 'string', enum: methodEnum, default: 'haircut' },
            direction: { type: 'string', enum: ['forward', 'backward'], default: 'forward' },
            maxHops: { type: 'integer', minimum: 1, maximum: 100 },
            hops: { type: 'integer', minimum: 1, maximum: 100, description: 'alias of maxHops' },
            minAmount: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$', description: 'asset units' },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 10_000 },
            save: { type: 'boolean', default: false, description: 'store a crypto.trace finding' },
          },
        },
        response: { 200: traceReportSchema },
      },
    },
    async (req) => {
      const b = req.body;
      const from = [...(b.from ?? []), ...(b.address ? [b.address] : [])];
      if (from.length === 0 && !(b.txs && b.txs.length > 0)) throw new UserError('give address, from or txs');
      return traceFromStore(deps.store, {
        chain: parseChain(b.chain ?? 'eth'),
        from,
        txs: b.txs,
        asset: b.asset,
        method: b.method as TraceMethod | undefined,
        direction: b.direction,
        hops: b.maxHops ?? b.hops,
        minAmount: b.minAmount,
        since: b.since,
        until: b.until,
        limit: b.limit,
        save: b.save,
      });
    },
  );

  // Exposure: GET only computes (a GET never writes: an <img> on any page could trigger it); POST can also save the
  // finding. The parameters are the same.
  const exposureParams = {
    chain: { type: 'string', enum: chainEnum },
    asset: str,
    method: { type: 'string', enum: methodEnum, default: 'haircut' },
    hops: Int({ minimum: 1, maximum: 100, default: 4 }),
    cluster: { type: 'boolean', default: false },
  } as const;
  type ExposureInput = {
    chain?: string;
    asset?: string;
    method?: string;
    hops?: number;
    cluster?: boolean;
    save?: boolean;
  };
  const exposure = (address: string, q: ExposureInput) =>
    exposureFromStore(deps.store, address, {
      chain: chainOf(q.chain),
      asset: q.asset,
      method: q.method as TraceMethod | undefined,
      hops: q.hops,
      cluster: q.cluster,
      save: q.save === true,
    });

  app.get<{ Params: { address: string }; Querystring: ExposureInput }>(
    '/crypto/exposure/:address',
    {
      schema: {
        operationId: 'getExposure',
        summary: 'Share of what an address (or its Bitcoin cluster) received from listed or DPRK-attributed sources',
        tags: ['crypto'],
        params: { type: 'object', required: ['address'], properties: { address: str } },
        querystring: { type: 'object', additionalProperties: false, properties: exposureParams },
        response: { 200: exposureSchema },
      },
    },
    async (req) => exposure(req.params.address, { ...req.query, save: false }),
  );

  app.post<{ Params: { address: string }; Body: ExposureInput }>(
    '/crypto/exposure/:address',
    {
      schema: {
        operationId: 'computeExposure',
        summary: 'Exposure of an address, as GET, and with save: true store the crypto.exposure finding',
        tags: ['crypto'],
        params: { type: 'object', required: ['address'], properties: { address: str } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...exposureParams,
            save: { type: 'boolean', default: false, description: 'store a crypto.exposure finding' },
          },
        },
        response: { 200: exposureSchema },
      },
    },
    async (req) => exposure(req.params.address, req.body ?? {}),
  );

  app.get<{ Params: { address: string }; Querystring: { chain?: string; limit?: number } }>(
    '/crypto/addresses/:address',
    {
      schema: {
        operationId: 'getAddress',
        summary: 'An address: validation, list hits and tags, its transfers (newest last) and its cluster',
        tags: ['crypto'],
        params: { type: 'object', required: ['address'], properties: { address: str } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            chain: { type: 'string', enum: chainEnum },
            limit: Limit({ maximum: 10_000, default: 500 }),
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              screen: screenResultSchema,
              transfers: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    txHash: str,
                    blockNumber: { type: ['integer', 'null'] },
                    time: str,
                    from: str,
                    to: str,
                    asset: str,
                    amount: { type: 'string', description: 'asset units' },
                    amountBaseUnits: str,
                    kind: str,
                  },
                },
              },
              cluster: { type: 'array', items: str },
            },
          },
        },
      },
    },
    async (req) => {
      const c = detectAddress(req.params.address, chainOf(req.query.chain) ?? null);
      if (!c.ok) throw new UserError(`invalid address "${req.params.address}": ${c.reason}`);
      const { results } = await screenFromStore(deps.store, [req.params.address], { chain: c.chain });
      const transfers = await queryTransfers(deps.store.db, {
        chain: c.chain,
        address: c.address,
        limit: req.query.limit ?? 500,
      });
      return {
        screen: results[0],
        transfers: transfers.map((t) => ({
          txHash: t.txHash,
          blockNumber: t.blockNumber,
          time: new Date(t.tsMs).toISOString(),
          from: displayAddress(c.chain, t.from),
          to: displayAddress(c.chain, t.to),
          asset: t.asset.startsWith('0x') ? displayAddress(c.chain, t.asset) : t.asset,
          amount: formatUnits(t.amount, t.decimals),
          amountBaseUnits: t.amount.toString(),
          kind: t.kind,
        })),
        cluster: await clusterMembers(deps.store.db, c.chain, c.address),
      };
    },
  );
}
