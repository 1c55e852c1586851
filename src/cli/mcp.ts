import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { createMcpHttpServer } from '../mcp/http.js';
import { createMcpServer, TOOL_NAMES } from '../mcp/server.js';
import { openStore } from '../store/open.js';
import { dbLocation } from './context.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `watchkeeper mcp`: the Model Context Protocol server (stdio by default, or streamable HTTP). */
export function register(program: Command): void {
  program
    .command('mcp')
    .description(
      `Model Context Protocol server for agents and programs: read-only tools ${TOOL_NAMES.join(', ')} over the store (stdio by default)`,
    )
    .option('--http', 'serve streamable HTTP instead of stdio')
    .option('-p, --port <port>', 'with --http: port (default 8765; 0 picks a free one)', '8765')
    .option('--host <host>', 'with --http: loopback address to bind (127.0.0.1, ::1 or localhost)', '127.0.0.1')
    .option('--path <path>', 'with --http: endpoint path', '/mcp')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper mcp --db var/watchkeeper.duckdb\n' +
        '  watchkeeper mcp --http --port 8765\n' +
        '  claude mcp add watchkeeper -- watchkeeper mcp --db /data/wk.duckdb\n' +
        '\nEvery tool only reads (search, entity, match, path, findings, case_summary, vessel, screen_address, trace);\n' +
        'on stdio, stdout carries only the protocol and messages go to stderr.\n',
    )
    .action(async function (this: Command, o: { http?: boolean; port: string; host: string; path: string }) {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`--port: a number 0..65535, got "${o.port}"`);
      if (o.http && !LOOPBACK.has(o.host))
        throw new UserError(
          `--host ${o.host}: the MCP server has no sign-in, so it binds to loopback only (127.0.0.1, ::1, localhost)`,
        );
      if (!o.path.startsWith('/')) throw new UserError(`--path: must start with "/", got "${o.path}"`);
      const store = await openStore({ url: dbLocation(this) });
      let closing = false;
      const close = async (code = 0) => {
        if (closing) return;
        closing = true;
        await store.close().catch(() => undefined);
        process.exit(code);
      };
      process.once('SIGINT', () => void close());
      process.once('SIGTERM', () => void close());
      if (!o.http) {
        const server = createMcpServer(store);
        const transport = new StdioServerTransport();
        transport.onclose = () => void close();
        process.stdin.once('end', () => void close());
        await server.connect(transport);
        process.stderr.write(`watchkeeper mcp: stdio, ${store.kind} store at ${store.location}\n`);
        return;
      }
      const http = createMcpHttpServer(store, { path: o.path });
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, o.host, () => resolve());
      });
      const addr = http.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      const host = o.host.includes(':') ? `[${o.host}]` : o.host;
      process.stdout.write(`watchkeeper mcp: streamable HTTP at http://${host}:${actual}${o.path}\n`);
    });
}
