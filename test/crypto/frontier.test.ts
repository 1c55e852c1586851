import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrontierStats } from '../../src/crypto/frontier.js';
import { roleOfTags } from '../../src/crypto/report.js';
import {
  attributionIndex,
  importAttribution,
  importTransferFile,
  type TraceRequest,
  traceFromStore,
} from '../../src/crypto/service.js';
import { insertTransfers, loadTags } from '../../src/crypto/store/repo.js';
import { ROLE_MIXER, ROLE_STOP } from '../../src/crypto/trace.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { type RandomGraph, randomGraph } from './random-transfers.js';

/**
 * Store-backed traces read only what they can reach (src/crypto/frontier.ts): for every method, direction, hop
 * limit and window, the frontier trace's report is the whole-graph trace's report, on the real Ronin/Lazarus
 * transfers and on seeded random graphs (ties in time, NULL blocks, multi-transfer transactions, zero amounts,
 * self-transfers, duplicated rows, amounts beyond 2^53, services and mixers), and it reads fewer transfers than
 * the table holds wherever the reach is smaller. The same parity on PostgreSQL is in test/crypto/postgres.test.ts
 * (and on Citus in test/store/citus.test.ts).
 */

const RONIN = '0x098b716b8aaf21512996dc57eb0615e2383e2f96';
const LAZARUS_2 = '0x3cffd56b47b7b41c56258d9c7731abadc360e073';
const LAZARUS_FILE = dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv');

let dir: string;
let store: Store;
let stops: string[];
let mixers: string[];

async function both(
  s: Store,
  req: TraceRequest,
  batchSize?: number,
): Promise<{ frontier: unknown; whole: unknown; stats: FrontierStats | undefined }> {
  let stats: FrontierStats | undefined;
  const frontier = await traceFromStore(s, req, { onStats: (x) => (stats = x), batchSize });
  const whole = await traceFromStore(s, req, { read: 'whole' });
  return { frontier, whole, stats };
}

const METHODS = ['haircut', 'poison', 'fifo'] as const;
const DIRECTIONS = ['forward', 'backward'] as const;

let graphs: RandomGraph[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-frontier-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await importAttribution(store, {
    packs: ['lazarus', 'ronin_bridge', 'tornado_cash', 'exchange-wallets-bybit'],
  });
  await importTransferFile(store, LAZARUS_FILE);
  const index = await attributionIndex(store);
  const eth = [...new Set((await loadTags(store.db)).filter((t) => t.chain === 'eth').map((t) => t.address))].sort();
  stops = eth.filter((a) => roleOfTags(index.get('eth', a)) === ROLE_STOP).slice(0, 2);
  mixers = eth.filter((a) => roleOfTags(index.get('eth', a)) === ROLE_MIXER).slice(0, 1);
  expect(stops).toHaveLength(2);
  expect(mixers).toHaveLength(1);
  // Services and mixers sit among the busy addresses.
  const placed: Array<[number, string]> = [
    [3, stops[0]!],
    [7, stops[1]!],
    [11, mixers[0]!],
  ];
  graphs = [randomGraph(20261206, 400, 1_200, placed), randomGraph(7, 1_200, 1_500, placed)];
  await store.db.transaction(async (tx) => {
    for (const [i, g] of graphs.entries()) await insertTransfers(tx, g.transfers, `random-${i}`);
  });
}, 60_000);

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('frontier trace = whole-graph trace', () => {
  it('on the Ronin/Lazarus transfers: every method, direction, hop limit and window', async () => {
    const table = 436;
    const configs = [
      { hops: 1 },
      { hops: 6, since: '2022-03-28T00:00:00Z', until: '2022-05-15T00:00:00Z' },
      { hops: 2, since: '2022-04-01T00:00:00Z' },
      { hops: 6 },
    ];
    let cases = 0;
    let smaller = 0;
    for (const method of METHODS)
      for (const direction of DIRECTIONS)
        for (let j = 0; j < 2; j++) {
          const c = configs[(cases + (method === 'poison' ? 2 : 0)) % configs.length]!;
          const from = direction === 'forward' ? [RONIN] : [LAZARUS_2];
          const { frontier, whole, stats } = await both(store, { chain: 'eth', from, method, direction, ...c });
          expect(frontier, `${method} ${direction} ${JSON.stringify(c)}`).toEqual(whole);
          expect(stats!.rowsRead).toBeLessThanOrEqual(table);
          cases++;
          if (stats!.rowsRead < table) smaller++;
          if (c.hops === 1) expect(stats!.rowsRead).toBeLessThan(table);
        }
    expect(cases).toBe(12);
    expect(smaller).toBeGreaterThanOrEqual(cases / 2);
    // A seed transaction of the file (its hashes are `<file>:L<line>`), with and without the exploiter.
    const [row] = await store.db.query(
      "SELECT tx_hash FROM crypto_transfers WHERE chain = 'eth' AND from_addr = $1 AND amount <> '0' ORDER BY ts LIMIT 1",
      [LAZARUS_2],
    );
    for (const from of [[], [RONIN]]) {
      const tx = await both(store, { chain: 'eth', from, txs: [String(row!.tx_hash)], method: 'fifo', hops: 3 });
      expect(tx.frontier).toEqual(tx.whole);
    }
    // Forward poison from the exploiter at one hop reads its own transfers only.
    const one = await both(store, { chain: 'eth', from: [RONIN], method: 'poison', hops: 1 });
    expect(one.frontier).toEqual(one.whole);
    expect(one.stats!.rowsRead).toBeLessThan(table / 2);
  });

  it('on random graphs: methods, directions, hops, windows, min amounts, seed transactions, listing caps', async () => {
    let cases = 0;
    for (const [gi, g] of graphs.entries()) {
      const table = g.transfers.filter((t) => t.amount > 0n).length;
      // Seeds: a hub; a quiet address with a service.
      const hub = g.addresses[0]!;
      const quiet = g.addresses[g.addresses.length - 5]!;
      const mid = new Date(g.t0 + g.spanMs / 2).toISOString();
      const late = new Date(g.t0 + (3 * g.spanMs) / 4).toISOString();
      // Hop limits, windows and seeds in rotation over the methods and directions.
      const configs = [
        { hops: 1, from: [quiet, stops[0]!] },
        { hops: 3, from: [hub], since: mid },
        { hops: 8, from: [hub], until: late },
        { hops: 2, from: [quiet, stops[0]!], since: mid, until: late },
        { hops: 8, from: [quiet, stops[0]!] },
        { hops: 4, from: [hub] },
      ];
      let k = gi;
      for (const method of METHODS)
        for (const direction of DIRECTIONS) {
          const c = configs[k++ % configs.length]!;
          const req: TraceRequest = { chain: 'eth', asset: g.asset, method, direction, ...c };
          // Every other case reads in batches of 7 addresses (more statements, rows met twice across them).
          const { frontier, whole, stats } = await both(store, req, cases % 2 === 0 ? 7 : undefined);
          expect(frontier, `graph ${gi}: ${JSON.stringify(req)}`).toEqual(whole);
          expect(stats!.transfers).toBeLessThanOrEqual(table);
          if (c.hops === 1) expect(stats!.rowsRead).toBeLessThan(table / 2);
          cases++;
        }
      // Min amounts (asset units, 6 decimals), seed transactions and small listing caps.
      const seedTx = g.transfers.find((t) => t.from === g.addresses[20] && t.amount > 0n)!.txHash;
      const extras: Array<Partial<TraceRequest>> = [
        { from: [hub], minAmount: '0.5', method: 'haircut' },
        { from: [hub], minAmount: '1000000', direction: 'backward', method: 'fifo' },
        { txs: [seedTx], method: 'poison' },
        { from: [quiet], txs: [seedTx], hops: 4, method: 'fifo' },
        { from: [hub], limit: 7, method: 'poison' },
        { from: [hub], limit: 3, direction: 'backward', method: 'haircut' },
      ];
      for (const x of extras) {
        const full: TraceRequest = { chain: 'eth', asset: g.asset, ...x };
        const { frontier, whole } = await both(store, full, 10);
        expect(frontier, `graph ${gi}: ${JSON.stringify(full)}`).toEqual(whole);
        cases++;
      }
    }
    expect(cases).toBe(2 * (6 + 6));
  });

  it('reads a small reach only, and refuses an unknown seed as the whole-graph trace does', async () => {
    const g = graphs[1]!;
    const quiet = g.addresses[g.addresses.length - 5]!;
    const { frontier, whole, stats } = await both(store, { chain: 'eth', asset: g.asset, from: [quiet], hops: 2 });
    expect(frontier).toEqual(whole);
    // The quiet address's few transfers and its receivers', against 1,500 in the table.
    expect(stats!.rowsRead).toBeLessThan(200);
    expect(stats!.rounds).toBeGreaterThanOrEqual(2);
    const unknown = `0x${'12'.repeat(20)}`;
    const req: TraceRequest = { chain: 'eth', asset: g.asset, from: [unknown] };
    const err = await traceFromStore(store, req).catch((e: Error) => e);
    const errWhole = await traceFromStore(store, req, { read: 'whole' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe((errWhole as Error).message);
    expect((err as Error).message).toMatch(/no .* transfers stored for/);
  });
});
