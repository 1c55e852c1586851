import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { registerCryptoTools } from './tools-crypto.js';
import { registerEntityTools } from './tools-entities.js';
import { registerFindingTools } from './tools-findings.js';
import { registerVesselTools } from './tools-vessels.js';

/** The tool names, in the order a client lists them. */
export const TOOL_NAMES = [
  'search',
  'entity',
  'match',
  'path',
  'findings',
  'case_summary',
  'vessel',
  'screen_address',
  'trace',
] as const;

/**
 * The Watchkeeper MCP server over one store: every tool is a read-only question to the evidence graph (search,
 * entity with provenance, match, path, findings, case summary, vessel, address screening, trace). No tool writes
 * to the store or reaches the network.
 */
export function createMcpServer(store: Store): McpServer {
  const server = new McpServer(
    { name: 'watchkeeper', version: VERSION },
    {
      instructions:
        'Watchkeeper answers questions about sanctions evasion from its store: sanctions-list entities resolved across sources, vessels and their AIS identities, findings, cases and crypto transfers. Start with search, then entity for provenance.',
    },
  );
  registerEntityTools(server, store);
  registerFindingTools(server, store);
  registerVesselTools(server, store);
  registerCryptoTools(server, store);
  return server;
}
