import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMcpStore } from './seed.js';

/** The built CLI (run `npx tsc -p tsconfig.build.json` first), as an MCP client would start it. */
const BIN = path.join('bin', 'watchkeeper.js');
const RONIN = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';

// biome-ignore lint/suspicious/noExplicitAny: tool answers are JSON that the assertions walk
type Structured = Record<string, any>;

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Structured> {
  const r = await client.callTool({ name, arguments: args });
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  // The text content carries the same JSON as structuredContent.
  const text = (r.content as Array<{ type: string; text: string }>)[0]!.text;
  expect(JSON.parse(text)).toEqual(r.structuredContent);
  return r.structuredContent as Structured;
}

async function exited(pid: number | null | undefined): Promise<void> {
  if (!pid) return;
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watchkeeper mcp (the SDK client against the built CLI)', () => {
  let dir: string;
  let db: string;
  let caseId: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wk-mcp-'));
    db = path.join(dir, 'mcp.duckdb');
    caseId = (await seedMcpStore(db)).caseId;
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stdio: lists the read-only tools and answers the graph questions with real values', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--db', db],
      stderr: 'pipe',
    });
    const client = new Client({ name: 'watchkeeper-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('watchkeeper');
      const tools = (await client.listTools()).tools;
      expect(tools.map((t) => t.name)).toEqual([
        'search',
        'entity',
        'match',
        'path',
        'findings',
        'case_summary',
        'vessel',
        'screen_address',
        'trace',
      ]);
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);

      // search "YU JONG 2": the OFAC vessel with IMO 8604917 (and the UK entry of the same name).
      const search = await call(client, 'search', { q: 'YU JONG 2', limit: 3 });
      const ofac = search.results.find((r: Structured) => r.id === 'ofac-23736');
      expect(ofac).toMatchObject({
        schema: 'Vessel',
        caption: 'YU JONG 2',
        score: 1,
        datasets: ['us_ofac_sdn'],
        properties: { imoNumber: ['IMO8604917'], flag: ['kp'] },
      });
      expect(search.results.map((r: Structured) => r.id)).toContain('gb-ofsi-dpr0102');

      // entity: the canonical vessel, with the AIS vessel that broadcast IMO 8604917 as a referent.
      const entity = await call(client, 'entity', { id: 'ofac-23736' });
      expect(entity.id).toMatch(/^wk-/);
      expect(entity.redirectedFrom).toBe('ofac-23736');
      expect(entity.referents).toEqual(['ais-445112576', 'ofac-23736']);
      expect(entity.sources).toEqual(['ais', 'us_ofac_sdn']);
      expect(entity.properties.name.sort()).toEqual(['RYONG BONG 7', 'YU JONG 2']);
      expect(entity.statements).toContainEqual(
        expect.objectContaining({
          entity_id: 'ais-445112576',
          prop: 'imoNumber',
          value: 'IMO8604917',
          source: 'ais',
          record: 'sim-yellow-sea-seed3-15min.nmea:571',
        }),
      );
      expect(entity.statements).toContainEqual(
        expect.objectContaining({ entity_id: 'ofac-23736', prop: 'name', value: 'YU JONG 2', source: 'us_ofac_sdn' }),
      );

      // match: Choe Chun Sik on the UK and OFAC lists.
      const match = await call(client, 'match', { schema: 'Person', properties: { name: ['Choe Chun Sik'] } });
      const ids = match.results.filter((r: Structured) => r.match).map((r: Structured) => r.id);
      expect(ids).toEqual(expect.arrayContaining(['gb-ofsi-dpr0006', 'gb-ofsi-dpr0205', 'ofac-19498']));

      // vessel: list entry, AIS identity history and risk profile for IMO 8604917.
      const vessel = await call(client, 'vessel', { key: 'IMO8604917' });
      expect(vessel.listed.map((l: Structured) => l.id)).toEqual(['ofac-23736']);
      expect(vessel.mmsis).toEqual([445112576]);
      expect(vessel.identities['445112576']).toEqual([
        expect.objectContaining({ name: 'RYONG BONG 7', callsign: 'HMYJ2', imo: 8604917, flag: 'KP' }),
      ]);
      expect(vessel.risk).toMatchObject({ mmsis: [445112576], imo: 8604917, name: 'RYONG BONG 7' });

      // findings with a filter: the stored Ronin trace.
      const findings = await call(client, 'findings', { kinds: ['crypto.trace'] });
      expect(findings.total).toBe(1);
      expect(findings.findings[0].subjects).toEqual([`wallet-eth-${RONIN.toLowerCase()}`, 'ofac-27307']);
      expect((await call(client, 'findings', { kinds: ['ais.gap'] })).total).toBe(0);

      // trace through the crypto service: the Ronin exploiter's 182,163.95603 ETH reach 7 other listed addresses.
      const trace = await call(client, 'trace', { from: [RONIN], hops: 4, limit: 100 });
      expect(trace.totals.start).toBe('182163.95603');
      expect(trace.listedReached).toHaveLength(7);

      // path: the wallet is held by LAZARUS GROUP.
      const p = await call(client, 'path', { from: `wallet-eth-${RONIN.toLowerCase()}`, to: 'ofac-27307' });
      expect(p.hops).toBe(1);
      expect(p.edges[0]).toMatchObject({ target: 'ofac-27307', label: 'holder' });

      // case summary: items and evidence.
      const c = await call(client, 'case_summary', { id: caseId });
      expect(c).toMatchObject({ title: 'YU JONG 2 ship-to-ship transfers', status: 'open', itemCount: 2 });
      // YU JONG 2 is one canonical vessel with the AIS tanker reporting its IMO: its OFAC record and AIS statements.
      expect(c.evidence).toMatchObject({ count: 3, byKind: { 'entity-statement': 2, note: 1 } });

      const screen = await call(client, 'screen_address', { addresses: [RONIN] });
      expect(screen.results[0]).toMatchObject({
        listed: true,
        entities: [{ entityId: 'ofac-27307', name: 'LAZARUS GROUP' }],
      });

      // A bad id is a tool error the model can read, not a protocol failure.
      const missing = await client.callTool({ name: 'entity', arguments: { id: 'no-such-entity' } });
      expect(missing.isError).toBe(true);
      expect(missing.content).toEqual([{ type: 'text', text: 'no entity with id "no-such-entity"' }]);
      const badKey = await client.callTool({ name: 'vessel', arguments: { key: '12' } });
      expect(badKey.content).toEqual([{ type: 'text', text: 'key: a 7-digit IMO or 9-digit MMSI, got "12"' }]);
    } finally {
      const pid = transport.pid;
      await client.close();
      await exited(pid);
    }
  }, 300_000);

  it('streamable HTTP: the same tools over POST /mcp', async () => {
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, [BIN, 'mcp', '--http', '--port', '0', '--db', db], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child!.stderr!.on('data', (d) => (err += d));
        child!.stdout!.on('data', (d) => {
          out += d;
          const m = /streamable HTTP at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child!.on('exit', (code) => reject(new Error(`mcp --http exited ${code}: ${err}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: 'watchkeeper-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        expect((await client.listTools()).tools).toHaveLength(9);
        const search = await call(client, 'search', { q: 'YU JONG 2', schema: 'Vessel', limit: 3 });
        expect(search.results.find((r: Structured) => r.id === 'ofac-23736')?.properties.imoNumber).toEqual([
          'IMO8604917',
        ]);
        const entity = await call(client, 'entity', { id: 'ais-445112576' });
        expect(entity.referents).toEqual(['ais-445112576', 'ofac-23736']);
      } finally {
        await client.close();
      }
      const get = await fetch(url);
      expect(get.status).toBe(405);
    } finally {
      child?.kill('SIGTERM');
      await exited(child?.pid);
    }
  }, 300_000);

  it('refuses to bind the unauthenticated HTTP server beyond loopback', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp', '--http', '--host', '0.0.0.0', '--db', db], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    // A refused option value is a usage error (exit 2).
    expect(code).toBe(2);
    expect(err).toContain('--host 0.0.0.0: the MCP server has no sign-in, so it binds to loopback only');
  }, 60_000);
});
