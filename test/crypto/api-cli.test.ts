import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { seedCryptoDemo } from '../../src/crypto/demo.js';
import { importAttribution, importTransferFile } from '../../src/crypto/service.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { runCli } from '../support/cli.js';

const RONIN = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';
const FILE = dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv');

describe('crypto HTTP API', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wk-crypto-api-'));
    store = await openStore({ url: path.join(dir, 'api.duckdb') });
    const lines = await seedCryptoDemo(store);
    expect(lines[1]).toBe('crypto transfers: 436 Lazarus / Ronin ETH transfers (2022)');
    expect(lines[2]).toBe(
      'crypto trace: Ronin exploiter → 7 other listed Lazarus addresses, 70 transfers (finding stored)',
    );
    app = await buildServer({ store, logLevel: false });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('POST /crypto/trace returns the trace graph and the summary by service', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/crypto/trace',
      payload: { chain: 'eth', address: RONIN, method: 'haircut', maxHops: 4 },
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.totals.start).toBe('182163.95603');
    expect(body.listedReached).toHaveLength(7);
    expect(body.edges[0]).toMatchObject({ from: RONIN, hop: 1 });
    expect(body.nodes.find((n: { address: string }) => n.address === RONIN)).toMatchObject({ role: 'seed', hop: 0 });
  });

  it('bad input is a 4xx with a clear message, never a 500', async () => {
    const bad = await app.inject({ method: 'POST', url: '/crypto/trace', payload: { address: '0x12' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('--from: invalid eth address "0x12": must be 0x + 40 hex digits, got 2');
    const none = await app.inject({
      method: 'POST',
      url: '/crypto/trace',
      payload: { address: '0x0000000000000000000000000000000000000001' },
    });
    expect(none.statusCode).toBe(404);
    const method = await app.inject({
      method: 'POST',
      url: '/crypto/trace',
      payload: { address: RONIN, method: 'lifo' },
    });
    expect(method.statusCode).toBe(400);
    const addr = await app.inject({ method: 'GET', url: '/crypto/addresses/1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh' });
    expect(addr.statusCode).toBe(400);
    expect(addr.json().message).toContain('base58check: invalid checksum');
  });

  it('screen, exposure and address endpoints', async () => {
    const s = await app.inject({
      method: 'POST',
      url: '/crypto/screen',
      payload: { addresses: ['0x3cffd56b47b7b41c56258d9c7731abadc360e073', 'nonsense'] },
    });
    expect(s.statusCode).toBe(200);
    const [hit, invalid] = s.json().results;
    expect(hit).toMatchObject({ listed: true, entities: [{ entityId: 'ofac-27307', name: 'LAZARUS GROUP' }] });
    expect(hit.counterparties.find((c: { address: string }) => c.address === RONIN)).toMatchObject({
      direction: 'in',
      totals: { ETH: '10129.935' },
    });
    expect(invalid).toMatchObject({ valid: false, reason: 'not an Ethereum, Bitcoin, Litecoin or Tron address' });
    // 'nonsense' is not even base58-shaped; a base58 string with a bad checksum gets the precise reason.
    const g = await app.inject({ method: 'GET', url: `/crypto/screen?address=${RONIN}` });
    expect(g.json().results[0].listed).toBe(true);
    const e = await app.inject({
      method: 'GET',
      url: '/crypto/exposure/0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073?hops=2',
    });
    expect(e.statusCode).toBe(200);
    // Everything it received came straight from the Ronin exploiter except 0.0013603 ETH from unlisted senders.
    expect(e.json()).toMatchObject({ direct: { amount: '10129.935' }, indirect: { amount: '0' } });
    expect(e.json().received).toBe('10129.9363603');
    const a = await app.inject({ method: 'GET', url: `/crypto/addresses/${RONIN}?limit=3` });
    expect(a.json().transfers).toHaveLength(3);
    expect(a.json().screen.entities[0].entityId).toBe('ofac-27307');
    const f = await app.inject({ method: 'GET', url: '/findings?kind=crypto.trace' });
    expect(f.json().total).toBe(1);
    expect(f.json().results[0]).toMatchObject({
      subjects: ['wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96', 'ofac-27307'],
      start: '2022-03-23T13:46:46.000Z',
      redFlags: ['CRYPTO_EXPOSURE'],
      params: { method: 'haircut', direction: 'forward', maxHops: 4, asset: 'ETH' },
    });
    const x = await app.inject({ method: 'GET', url: '/findings?kind=crypto.exposure' });
    expect(x.json().results[0]).toMatchObject({
      subjects: ['wallet-eth-0x3cffd56b47b7b41c56258d9c7731abadc360e073', 'ofac-27307'],
      redFlags: ['CRYPTO_EXPOSURE', 'CRYPTO_SANCTIONED_COUNTERPARTY'],
      params: { method: 'haircut', maxHops: 4, asset: 'ETH' },
    });
    expect(x.json().results[0].evidence[0]).toMatchObject({
      source: 'chain:eth',
      record: 'tx:dspytdao_LazarusTabularTxs1322519.csv:L23',
    });
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining([
        '/crypto/trace',
        '/crypto/screen',
        '/crypto/exposure/{address}',
        '/crypto/addresses/{address}',
      ]),
    );
  });
});

describe('POST /crypto/screen with 10,000 addresses', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  // The eight OFAC-listed Lazarus addresses of the Ronin exploit (data/crypto/traces/dspytdao_LazarusGroup.txt).
  const LISTED = [
    ...new Set(
      readFileSync(dataPath('crypto', 'traces', 'dspytdao_LazarusGroup.txt'), 'utf8')
        .split('\n')
        .map((l) => /\\x([0-9a-fA-F]{40})/.exec(l)?.[1]?.toLowerCase())
        .filter((x): x is string => !!x)
        .map((x) => `0x${x}`),
    ),
  ];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wk-crypto-screen-'));
    store = await openStore({ url: path.join(dir, 'screen.duckdb') });
    await importAttribution(store, { packs: ['lazarus', 'ronin_bridge'] });
    await importTransferFile(store, FILE);
    app = await buildServer({ store, logLevel: false });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers each address as single screening does, and sees a new attribution import', async () => {
    expect(LISTED).toHaveLength(8);
    // 9,992 unlisted addresses (hex of their position), the 8 listed ones spread among them in three spellings.
    const addresses = Array.from({ length: 10_000 }, (_, i) => `0x${i.toString(16).padStart(40, '0')}`);
    LISTED.forEach((a, k) => {
      addresses[k * 1250 + 7] = k % 3 === 0 ? a : k % 3 === 1 ? a.toUpperCase() : `0X${a.slice(2)}`;
    });
    const r = await app.inject({ method: 'POST', url: '/crypto/screen', payload: { addresses } });
    expect(r.statusCode).toBe(200);
    const results = r.json().results as Array<{
      input: string;
      valid: boolean;
      listed: boolean;
      counterparties: unknown[];
    }>;
    expect(results).toHaveLength(10_000);
    expect(results.every((x) => x.valid)).toBe(true);
    const hits = results.flatMap((x, i) => (x.listed ? [i] : []));
    expect(hits).toEqual(LISTED.map((_, k) => k * 1250 + 7));
    // Each hit's counterparties are exactly what screening that address alone says.
    for (const i of hits) {
      const one = await app.inject({ method: 'POST', url: '/crypto/screen', payload: { addresses: [addresses[i]] } });
      expect(results[i], addresses[i]).toEqual(one.json().results[0]);
    }
    expect(results.filter((x) => x.counterparties.length > 0)).toHaveLength(8);
    // Binance's reserve wallet is untagged until its TagPack is imported; the cached index is refreshed by it.
    const binance = '0xbe0eb53f46cd790cd13851d5eff43d12404d33e8';
    const before = await app.inject({ method: 'GET', url: `/crypto/screen?address=${binance}` });
    expect(before.json().results[0].tags).toEqual([]);
    await importAttribution(store, { packs: ['exchange-wallets-binance'] });
    const after = await app.inject({ method: 'GET', url: `/crypto/screen?address=${binance}` });
    expect(after.json().results[0].tags.map((t: { category: string }) => t.category)).toContain('exchange');
  });
});

describe('crypto CLI', () => {
  it('imports the Lazarus file, traces the Ronin exploiter and screens addresses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-crypto-cli-'));
    const db = path.join(dir, 'cli.duckdb');
    try {
      // Attribution in-process (the CLI command runs the same service function), then the CLI on the same store.
      const s = await openStore({ url: db });
      await importAttribution(s, { packs: ['lazarus', 'ronin_bridge'] });
      await s.close();
      const imp = await runCli(['--db', db, 'crypto', 'import', FILE]);
      expect(imp.stdout).toContain('imported 436 transfers');
      const tr = await runCli(['--db', db, 'crypto', 'trace', '--from', RONIN, '--hops', '3']);
      expect(tr.code).toBe(0);
      expect(tr.stdout).toContain('start 182163.95603');
      expect(tr.stdout).toContain('LAZARUS GROUP (ofac-27307)');
      const sc = await runCli(['--db', db, 'crypto', 'screen', '0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B', '0x12']);
      expect(sc.stdout).toContain('LISTED: LAZARUS GROUP (ofac-27307, DPRK3)');
      expect(sc.stdout).toContain('0x12: invalid address: must be 0x + 40 hex digits, got 2');
      // Bulk screening is strict by default: a bad checksum is an invalid row with its line, never a clean address.
      const list = path.join(dir, 'deposits.txt');
      writeFileSync(
        list,
        [
          '0X3CFFD56B47B7B41C56258D9C7731ABADC360E073', // listed, upper case with a 0X prefix
          '',
          '1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh', // base58check with its last letter's case changed
          '1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH',
        ].join('\n'),
      );
      const bulk = await runCli(['--db', db, 'crypto', 'screen', '--file', list]);
      expect(bulk.code).toBe(0);
      expect(bulk.stdout).toContain('3 screened, 1 invalid, 1 hits');
      expect(bulk.stdout).toContain(
        `${list}:3: invalid address "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh": base58check: invalid checksum`,
      );
      const loose = await runCli(['--db', db, 'crypto', 'screen', '--file', list, '--no-strict']);
      expect(loose.stdout).toContain('3 screened, 0 invalid, 1 hits');
      const bad = await runCli(['--db', db, 'crypto', 'trace', '--from', RONIN, '--method', 'lifo']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('watchkeeper: --method: one of poison, haircut, fifo, got "lifo"\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
