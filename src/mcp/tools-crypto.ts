import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { parseChain } from '../crypto/addresses.js';
import { screenFromStore, traceFromStore } from '../crypto/service.js';
import type { Store } from '../store/store.js';
import { answer } from './result.js';

const READ = { readOnlyHint: true, openWorldHint: false } as const;

/** Crypto questions: is an address listed or attributed, and where did funds go (stored transfers only). */
export function registerCryptoTools(server: McpServer, store: Store): void {
  server.registerTool(
    'screen_address',
    {
      title: 'Screen crypto addresses',
      description:
        'Exact list hits (with the SDN entity), attribution tags (bundled and user packs, with provenance) and listed direct counterparties of crypto addresses; the chain is detected.',
      inputSchema: {
        addresses: z.array(z.string().min(1)).min(1).max(1000),
        chain: z.string().optional().describe('eth, btc, ltc, trx (hint)'),
      },
      annotations: READ,
    },
    ({ addresses, chain }) =>
      answer(async () => {
        const r = await screenFromStore(store, addresses, { chain: chain ? parseChain(chain) : undefined });
        return { results: r.results, findings: r.findings };
      }),
  );

  server.registerTool(
    'trace',
    {
      title: 'Trace funds',
      description:
        'Follow funds from (forward) or to (backward) addresses over the stored transfers, by taint method (poison, haircut, fifo); returns totals, the listed addresses and services reached, and the flow graph. Never stores anything.',
      inputSchema: {
        from: z.array(z.string().min(1)).min(1).describe('seed addresses'),
        chain: z.string().optional().describe('eth (default), btc, ltc, trx'),
        method: z.enum(['poison', 'haircut', 'fifo']).optional(),
        direction: z.enum(['forward', 'backward']).optional(),
        hops: z.number().int().min(1).max(20).optional().describe('default 6'),
        asset: z.string().optional().describe('native (default) or a token contract address'),
        limit: z.number().int().min(1).max(10_000).optional().describe('edges and nodes listed (default 500)'),
      },
      annotations: READ,
    },
    (a) =>
      answer(() =>
        traceFromStore(store, {
          chain: parseChain(a.chain ?? 'eth'),
          from: a.from,
          method: a.method,
          direction: a.direction,
          hops: a.hops,
          asset: a.asset,
          limit: a.limit ?? 500,
          save: false,
        }),
      ),
  );
}
