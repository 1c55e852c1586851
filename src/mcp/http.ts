import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Store } from '../store/store.js';
import { createMcpServer } from './server.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Streamable HTTP (stateless): each POST to `path` gets a fresh server and transport over the shared store, as the
 * SDK's stateless example does; GET and DELETE answer 405 (no server-initiated streams, no sessions).
 */
export function createMcpHttpServer(store: Store, opts: { path?: string } = {}): Server {
  const mcpPath = opts.path ?? '/mcp';
  return createServer((req, res) => {
    handle(store, mcpPath, req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: (e as Error).message }, id: null }));
      }
    });
  });
}

async function handle(store: Store, mcpPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== mcpPath) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the MCP endpoint is ${mcpPath}\n`);
    return;
  }
  if (req.method !== 'POST') {
    res
      .writeHead(405, { 'content-type': 'application/json', allow: 'POST' })
      .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
    return;
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (e) {
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: (e as Error).message }, id: null }));
    return;
  }
  const server = createMcpServer(store);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}
