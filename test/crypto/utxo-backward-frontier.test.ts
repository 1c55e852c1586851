import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBase58check } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/crypto/addresses.js';
import type { FrontierStats } from '../../src/crypto/frontier.js';
import type { Transfer, UtxoTx } from '../../src/crypto/model.js';
import { roleOfTags } from '../../src/crypto/report.js';
import { attributionIndex, importAttribution, type TraceRequest, traceFromStore } from '../../src/crypto/service.js';
import { insertTransfers, insertUtxoTxs, loadTags } from '../../src/crypto/store/repo.js';
import { ROLE_MIXER, ROLE_STOP } from '../../src/crypto/trace.js';
import { type CoreBlock, coreBlockToUtxo } from '../../src/ingest/btc-rpc.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { randomHex as hex, xorshift32 as prng } from '../support/prng.js';

/**
 * Backward traces and `--asset` traces on UTXO chains read their frontier (src/crypto/utxo-transfer-reader.ts): the
 * report is the whole-graph report (every stored transaction turned into transfers, plus the chain's
 * crypto_transfers rows) for every method, hop limit and window, on the recorded Bitcoin blocks 800000-800002 and
 * on seeded random UTXO graphs (multi-input / multi-output transactions, coinbases, parents and children in the
 * same block, NULL heights, inputs without value or address, addresses that only pay themselves, services and
 * mixers from the bundled tags, crypto_transfers rows tied in time with transactions), and it reads fewer rows than
 * the tables hold.
 */

const FIX = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'crypto', 'btc');
const HACKER = '3LU8wRu4ZnXP4UM8Yo6kkTiGHM9BubgyiG';
const EXCHANGE = '34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo';
const W1 = '1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i';

let dir: string;
let store: Store;
let stops: string[];
let mixers: string[];

const b58 = createBase58check((b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest()));
/** A P2PKH address (version `version`) of a random hash160. */
const p2pkh = (r: () => number, version: number): string =>
  b58.encode(Uint8Array.from([version, ...Array.from({ length: 20 }, () => Math.floor(r() * 256))]));

interface RandomUtxo {
  chain: Chain;
  /** A token (a valid address of the chain, as `--asset` wants) with crypto_transfers rows. */
  asset: string;
  txs: UtxoTx[];
  transfers: Transfer[];
  addresses: string[];
  /** An address that only pays itself in its first transaction. */
  selfPayer: string;
  t0: number;
  spanMs: number;
}

/**
 * `m` transactions among `n` addresses (heavy-tailed, a few services and mixers among the busy ones) over 200
 * minutes, one block a minute (5 % without height): 1-4 inputs (5 % without address, 5 % without value), 1-4
 * outputs (change to an input's address, OP_RETURN without address), 4 % coinbases; plus `k` crypto_transfers rows
 * of the native asset (some tied in time with the transactions) and `k` of a token, `asset`.
 */
function randomUtxo(chain: Chain, seed: number, n: number, m: number, k: number): RandomUtxo {
  const r = prng(seed);
  const version = chain === 'ltc' ? 0x30 : chain === 'btc-testnet' ? 0x6f : 0x00;
  const asset = p2pkh(r, version);
  const addresses = Array.from({ length: n }, () => p2pkh(r, version));
  if (chain === 'btc') {
    addresses[2] = stops[0]!;
    addresses[5] = stops[1]!;
    addresses[9] = mixers[0]!;
  }
  const pick = (): string => addresses[Math.floor(n * r() ** 2)]!;
  const t0 = Date.parse('2023-05-01T00:00:00Z');
  const txs: UtxoTx[] = [];
  // Its first transaction pays itself only (no transfer holds it there), then it pays others.
  const selfPayer = addresses[n - 3]!;
  for (let i = 0; i < m; i++) {
    const minute = Math.floor(r() * 200);
    const base = {
      chain,
      txid: hex(r, 64),
      blockHeight: r() < 0.05 ? null : 800_000 + minute,
      blockHash: null,
      tsMs: t0 + minute * 60_000,
    };
    if (r() < 0.04) {
      txs.push({
        ...base,
        coinbase: true,
        inputs: [{ prevTxid: null, prevVout: null, address: null, value: null }],
        outputs: [
          { n: 0, address: pick(), value: 625_000_000n + BigInt(Math.floor(r() * 1e6)), scriptHex: '' },
          { n: 1, address: null, value: 0n, scriptHex: '6a' },
        ],
      });
      continue;
    }
    const ins = 1 + Math.floor(r() * r() * 4);
    const inputs = Array.from({ length: ins }, () => {
      const u = r();
      return {
        prevTxid: hex(r, 64),
        prevVout: Math.floor(r() * 3),
        address: u < 0.05 ? null : pick(),
        value: u > 0.95 ? null : BigInt(1 + Math.floor(r() * 5e8)),
      };
    });
    const outs = 1 + Math.floor(r() * 4);
    const outputs = Array.from({ length: outs }, (_, o) => {
      const u = r();
      const address = u < 0.05 ? null : u < 0.2 ? (inputs[0]!.address ?? pick()) : pick();
      return { n: o, address, value: address === null ? 0n : BigInt(1 + Math.floor(r() * 3e8)), scriptHex: '' };
    });
    txs.push({ ...base, coinbase: false, inputs, outputs });
  }
  txs.push({
    chain,
    txid: hex(r, 64),
    blockHeight: 800_000,
    blockHash: null,
    tsMs: t0,
    coinbase: false,
    inputs: [{ prevTxid: hex(r, 64), prevVout: 0, address: selfPayer, value: 5_000n }],
    outputs: [{ n: 0, address: selfPayer, value: 4_000n, scriptHex: '' }],
  });
  // A child spending its parent in the same block (same time): its parent's outputs.
  for (let j = 0; j < 20; j++) {
    const parent = txs[Math.floor(r() * m)]!;
    const o = parent.outputs.find((x) => x.address !== null);
    if (!o) continue;
    txs.push({
      chain,
      txid: hex(r, 64),
      blockHeight: parent.blockHeight,
      blockHash: null,
      tsMs: parent.tsMs,
      coinbase: false,
      inputs: [{ prevTxid: parent.txid, prevVout: o.n, address: o.address, value: o.value }],
      outputs: [
        { n: 0, address: pick(), value: o.value / 2n, scriptHex: '' },
        { n: 1, address: o.address, value: o.value / 3n, scriptHex: '' },
      ],
    });
  }
  const transfers: Transfer[] = [];
  for (const [a, decimals] of [
    ['BTC', 8],
    [asset, 2],
  ] as const) {
    for (let i = 0; i < k; i++) {
      const minute = Math.floor(r() * 200);
      transfers.push({
        chain,
        txHash: `transfers.csv:L${i + 2}`,
        blockNumber: r() < 0.1 ? null : 800_000 + minute,
        tsMs: t0 + minute * 60_000,
        from: pick(),
        to: r() < 0.1 ? addresses[n - 1 - Math.floor(r() * 10)]! : pick(),
        asset: a,
        amount: r() < 0.03 ? 0n : BigInt(1 + Math.floor(r() * 1e8)),
        decimals,
        index: -1,
        kind: 'native',
      });
    }
  }
  return { chain, asset, txs, transfers, addresses, selfPayer, t0, spanMs: 200 * 60_000 };
}

async function both(
  req: TraceRequest,
  batchSize?: number,
): Promise<{ frontier: unknown; whole: unknown; stats: FrontierStats | undefined }> {
  let stats: FrontierStats | undefined;
  const frontier = await traceFromStore(store, req, { onStats: (x) => (stats = x), batchSize });
  const whole = await traceFromStore(store, req, { read: 'whole' });
  return { frontier, whole, stats };
}

async function tableRows(chain: Chain): Promise<number> {
  let n = 0;
  for (const t of ['crypto_utxo_txs', 'crypto_tx_inputs', 'crypto_tx_outputs', 'crypto_transfers']) {
    const [row] = await store.db.query(`SELECT COUNT(*) AS n FROM ${t} WHERE chain = $1`, [chain]);
    n += Number(row!.n);
  }
  return n;
}

const METHODS = ['haircut', 'poison', 'fifo'] as const;
let graphs: RandomUtxo[];
let testnetSeed: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-utxo-frontier-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await importAttribution(store, { packs: ['exchange-wallets-binance', 'lazarus2', 'blender_io'] });
  const index = await attributionIndex(store);
  const btc = [...new Set((await loadTags(store.db)).filter((t) => t.chain === 'btc').map((t) => t.address))].sort();
  // Not the recorded blocks' exchange: its traces stay among the blocks' addresses.
  stops = btc.filter((a) => roleOfTags(index.get('btc', a)) === ROLE_STOP && a !== EXCHANGE).slice(0, 2);
  mixers = btc.filter((a) => roleOfTags(index.get('btc', a)) === ROLE_MIXER).slice(0, 1);
  expect(stops).toHaveLength(2);
  expect(mixers).toHaveLength(1);
  // The recorded blocks 800000-800002 (Core verbosity 3: every input with its prevout).
  const chain: CoreBlock[] = JSON.parse(readFileSync(path.join(FIX, 'core', 'chain-800000-800002-v3.json'), 'utf8'));
  graphs = [randomUtxo('btc', 20261206, 1_000, 1_000, 150), randomUtxo('ltc', 99, 1_200, 700, 60)];
  // btc-testnet: crypto_transfers rows only (6 decimals), no transaction: the graph's decimals are the first row's.
  const testnet = randomUtxo('btc-testnet', 5, 40, 0, 120);
  await store.db.transaction(async (tx) => {
    await insertUtxoTxs(
      tx,
      chain.flatMap((b) => coreBlockToUtxo(b, 'btc')),
      'core-800000',
    );
    for (const [i, g] of graphs.entries()) {
      await insertUtxoTxs(tx, g.txs, `random-${i}`);
      await insertTransfers(tx, g.transfers, `random-${i}`);
    }
    const rows = testnet.transfers.filter((t) => t.asset === 'BTC').map((t) => ({ ...t, decimals: 6 }));
    await insertTransfers(tx, rows, 'testnet');
    testnetSeed = rows.find((t) => t.amount > 0n)!.to;
  });
}, 60_000);

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('UTXO backward and --asset traces by frontier = whole-graph trace', () => {
  it('on the recorded blocks 800000-800002: every method backward, hop limits, a window, --asset', async () => {
    let cases = 0;
    for (const method of METHODS)
      for (const [from, c] of method === 'poison'
        ? ([
            [EXCHANGE, { hops: 1 }],
            [W1, { hops: 3, since: '2023-07-24T03:20:00Z' }],
          ] as const)
        : ([
            [EXCHANGE, { hops: 6 }],
            [W1, { hops: 6 }],
          ] as const)) {
        const req: TraceRequest = { chain: 'btc', from: [from], method, direction: 'backward', ...c };
        const { frontier, whole, stats } = await both(req);
        expect(frontier, JSON.stringify(req)).toEqual(whole);
        expect(stats!.rounds).toBeGreaterThanOrEqual(2);
        cases++;
      }
    expect(cases).toBe(6);
    // The exchange deposit traced back reaches the hacker two hops up.
    const back = await traceFromStore(store, { chain: 'btc', from: [EXCHANGE], direction: 'backward', method: 'fifo' });
    expect(back.nodes.find((x) => x.address === HACKER)?.hop).toBe(2);
  });

  it('on random UTXO graphs: methods, hops, windows, min amounts, listing caps, batches; reads a part of the tables', async () => {
    let cases = 0;
    let smaller = 0;
    for (const [gi, g] of graphs.entries()) {
      const table = await tableRows(g.chain);
      const hub = g.addresses[0]!;
      const quiet = g.addresses[g.addresses.length - 7]!;
      const mid = new Date(g.t0 + g.spanMs / 2).toISOString();
      const late = new Date(g.t0 + (3 * g.spanMs) / 4).toISOString();
      const configs: Array<Partial<TraceRequest>> = [
        { hops: 1, from: [quiet] },
        { hops: 3, from: [hub], since: mid },
        { hops: 8, from: [hub], until: late },
        { hops: 2, from: [quiet, g.selfPayer], since: mid, until: late },
        { hops: 8, from: [quiet] },
        { hops: 4, from: [hub, g.addresses[5]!] },
      ];
      let k = gi;
      for (const method of METHODS)
        for (let j = 0; j < (gi === 0 ? 2 : 1); j++) {
          const c = configs[k++ % configs.length]!;
          const req: TraceRequest = { chain: g.chain, method, direction: 'backward', ...c };
          // Small reaches read in batches of 7 addresses (more statements, transactions met twice across them).
          const { frontier, whole, stats } = await both(req, (c.hops ?? 6) <= 2 ? 7 : undefined);
          expect(frontier, `graph ${gi}: ${JSON.stringify(req)}`).toEqual(whole);
          if (c.hops === 1) expect(stats!.rowsRead).toBeLessThan(table / 10);
          if (stats!.rowsRead < table) smaller++;
          cases++;
        }
      const extras: Array<Partial<TraceRequest>> = [
        { from: [hub], minAmount: '0.5', method: 'haircut', direction: 'backward' },
        { from: [hub], limit: 3, method: 'poison', direction: 'backward' },
        // The self-payer's first transaction gives it no transfer: its place comes from a later one.
        { from: [g.selfPayer], method: 'fifo', direction: 'backward', hops: 2 },
        // --asset: the chain's transactions plus the token's crypto_transfers rows, forward and backward.
        // (forward: haircut on the first graph, FIFO in a window on the second, poison from a transaction below)
        gi === 0
          ? { from: [hub], asset: g.asset, method: 'haircut', hops: 3 }
          : { from: [hub], asset: g.asset, method: 'fifo', hops: 4, since: mid },
        { from: [quiet], asset: g.asset, method: 'fifo', direction: 'backward', hops: 3 },
        { txs: [g.txs[10]!.txid], asset: g.asset, method: 'poison', hops: 2 },
      ];
      for (const x of gi === 0 ? extras : extras.slice(2, 4)) {
        const req: TraceRequest = { chain: g.chain, ...x };
        const { frontier, whole, stats } = await both(req, x.txs ? 10 : undefined);
        expect(frontier, `graph ${gi}: ${JSON.stringify(req)}`).toEqual(whole);
        if (stats!.rowsRead < table) smaller++;
        cases++;
      }
    }
    expect(cases).toBe(6 + 6 + 3 + 2);
    // A hub's reach at many hops is most of a small random graph; most traces read a part of the tables.
    expect(smaller).toBeGreaterThanOrEqual((2 * cases) / 3);
  });

  it('reaches coinbase and unresolved inputs, and refuses an unknown seed as the whole-graph trace does', async () => {
    const g = graphs[0]!;
    // Coinbase transactions and unresolved inputs appear as the senders `coinbase` and `unknown`.
    const cb = g.txs.find((t) => t.coinbase)!.outputs[0]!.address!;
    const un = g.txs.find((t) => !t.coinbase && t.inputs.some((i) => i.address === null))!;
    const payee = un.outputs.find((o) => o.address !== null && o.value > 0n)!.address!;
    for (const method of METHODS) {
      const req: TraceRequest = { chain: 'btc', from: [cb, payee], method, direction: 'backward', hops: 2 };
      const { frontier, whole } = await both(req);
      expect(frontier).toEqual(whole);
      const nodes = (frontier as Awaited<ReturnType<typeof traceFromStore>>).nodes.map((x) => x.address);
      expect(nodes).toEqual(expect.arrayContaining(['coinbase', 'unknown']));
    }
    // A chain with crypto_transfers rows only: their decimals (6) give the min amount and the report's units.
    for (const method of METHODS) {
      const req: TraceRequest = {
        chain: 'btc-testnet',
        from: [testnetSeed],
        method,
        direction: 'backward',
        minAmount: '0.5',
      };
      const { frontier, whole } = await both(req);
      expect(frontier).toEqual(whole);
      expect(frontier).toMatchObject({ decimals: 6, params: { minAmount: '0.5' } });
    }
    const missing = p2pkh(prng(5), 0x00);
    const req: TraceRequest = { chain: 'btc', from: [missing], direction: 'backward' };
    const err = await traceFromStore(store, req).catch((e: Error) => e);
    const errWhole = await traceFromStore(store, req, { read: 'whole' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe((errWhole as Error).message);
    expect((err as Error).message).toMatch(/no BTC transfers stored for/);
  });
});
