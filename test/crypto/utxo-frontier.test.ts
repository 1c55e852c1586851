import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBase58check } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UtxoTx } from '../../src/crypto/model.js';
import { roleOfTags } from '../../src/crypto/report.js';
import { attributionIndex, importAttribution, type TraceRequest, traceFromStore } from '../../src/crypto/service.js';
import { insertUtxoTxs, loadTags } from '../../src/crypto/store/repo.js';
import { ROLE_MIXER, ROLE_STOP } from '../../src/crypto/trace.js';
import type { UtxoFrontierStats } from '../../src/crypto/utxo-frontier.js';
import { NotFoundError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Forward traces on a UTXO chain read only the transactions their taint reaches (src/crypto/utxo-frontier.ts):
 * for every method, hop limit, window, minimum amount, seed transaction and listing cap, the frontier report is the
 * whole-set report, on seeded random Bitcoin-like chains with what makes the order hard: a parent and its child in
 * the same block whose txids sort the other way, transactions without a block, inputs whose prevout is unknown or
 * outside the data, OP_RETURN and zero-value outputs, exchanges (where taint stops) and a mixer among the busy
 * addresses. And it reads a small part of the chain.
 */

let dir: string;
let store: Store;
let stops: string[];
let mixers: string[];

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

const b58 = createBase58check((b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest()));

/** A valid P2PKH address from 20 random bytes. */
function p2pkh(r: () => number): string {
  const bytes = new Uint8Array(21);
  for (let i = 1; i < 21; i++) bytes[i] = Math.floor(r() * 256);
  return b58.encode(bytes);
}

const txid = (r: () => number): string => Array.from({ length: 64 }, () => Math.floor(r() * 16).toString(16)).join('');

interface RandomChain {
  txs: UtxoTx[];
  addresses: string[];
  t0: number;
  spanMs: number;
}

/** `blocks` blocks of about `perBlock` transactions each, spending a pool of unspent outputs. */
function randomChain(seed: number, nAddr: number, blocks: number, perBlock: number): RandomChain {
  const r = prng(seed);
  const addresses = Array.from({ length: nAddr }, () => p2pkh(r));
  addresses[3] = stops[0]!;
  addresses[7] = stops[1]!;
  addresses[11] = mixers[0] ?? addresses[11]!;
  const pick = () => addresses[Math.floor(nAddr * r() ** 2)]!; // heavy-tailed: a few busy addresses
  const t0 = Date.parse('2024-03-01T00:00:00Z');
  const pool: Array<{ txid: string; n: number; address: string | null; value: bigint }> = [];
  const txs: UtxoTx[] = [];
  for (let b = 0; b < blocks; b++) {
    const height = 830_000 + b;
    const tsMs = t0 + b * 600_000;
    const coinbase: UtxoTx = {
      chain: 'btc',
      txid: txid(r),
      blockHeight: height,
      blockHash: null,
      tsMs,
      coinbase: true,
      inputs: [{ prevTxid: null, prevVout: null, address: null, value: null }],
      outputs: [{ n: 0, address: pick(), value: 312_500_000n, scriptHex: '' }],
    };
    txs.push(coinbase);
    pool.push({ txid: coinbase.txid, n: 0, address: coinbase.outputs[0]!.address, value: 312_500_000n });
    const k = Math.floor(perBlock * (0.5 + r()));
    for (let j = 0; j < k && pool.length > 0; j++) {
      const nIn = 1 + Math.floor(r() * r() * 4);
      const inputs: UtxoTx['inputs'] = [];
      let sum = 0n;
      for (let i = 0; i < nIn && pool.length > 0; i++) {
        // Mostly recent outputs, so children often sit in their parent's block.
        const at =
          r() < 0.6 ? pool.length - 1 - Math.floor(r() * Math.min(pool.length, 8)) : Math.floor(r() * pool.length);
        const [o] = pool.splice(at, 1);
        const unknown = r() < 0.03;
        inputs.push({
          prevTxid: o!.txid,
          prevVout: o!.n,
          address: unknown ? null : o!.address,
          value: unknown ? null : o!.value,
        });
        sum += o!.value;
      }
      if (r() < 0.05) {
        // A prevout outside the data (an older transaction never imported).
        const v = BigInt(1 + Math.floor(r() * 50_000_000));
        inputs.push({ prevTxid: txid(r), prevVout: 0, address: pick(), value: v });
        sum += v;
      }
      const fee = sum / 1000n;
      let left = sum - fee;
      const nOut = 1 + Math.floor(r() * 4);
      const outputs: UtxoTx['outputs'] = [];
      for (let n = 0; n < nOut; n++) {
        const last = n === nOut - 1;
        const kind = r();
        if (kind < 0.03) {
          outputs.push({ n, address: null, value: 0n, scriptHex: '6a' }); // OP_RETURN
          continue;
        }
        const v = last ? left : kind < 0.06 ? 0n : (left * BigInt(Math.floor(r() * 1000))) / 1000n;
        left -= v;
        outputs.push({ n, address: pick(), value: v, scriptHex: '' });
      }
      const tx: UtxoTx = {
        chain: 'btc',
        txid: txid(r),
        blockHeight: r() < 0.04 ? null : height,
        blockHash: null,
        tsMs: r() < 0.04 ? tsMs + 1 : tsMs,
        coinbase: false,
        inputs,
        outputs,
      };
      txs.push(tx);
      for (const o of outputs)
        if (o.value > 0n) pool.push({ txid: tx.txid, n: o.n, address: o.address, value: o.value });
    }
  }
  return { txs, addresses, t0, spanMs: blocks * 600_000 };
}

async function both(req: TraceRequest): Promise<{ frontier: unknown; whole: unknown; stats: UtxoFrontierStats }> {
  let stats: UtxoFrontierStats | undefined;
  const frontier = await traceFromStore(store, req, { onUtxoStats: (x) => (stats = x) });
  const whole = await traceFromStore(store, req, { read: 'whole' });
  return { frontier, whole, stats: stats! };
}

let chains: RandomChain[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-utxo-frontier-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await importAttribution(store, { packs: ['exchange-wallets-binance', 'mixing_fc2021'] });
  const index = await attributionIndex(store);
  const btc = [...new Set((await loadTags(store.db, 'btc')).map((t) => t.address))].sort();
  stops = btc.filter((a) => roleOfTags(index.get('btc', a)) === ROLE_STOP).slice(0, 2);
  mixers = btc.filter((a) => roleOfTags(index.get('btc', a)) === ROLE_MIXER).slice(0, 1);
  expect(stops).toHaveLength(2);
  // One chain only: both would share the Binance and mixer addresses.
  chains = [randomChain(20261206, 300, 90, 16)];
  await store.db.transaction((tx) => insertUtxoTxs(tx, chains[0]!.txs, 'random-0'));
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('UTXO frontier trace = whole-set trace', () => {
  it('on a random chain: methods, hops, windows, min amounts, seed transactions, listing caps', async () => {
    const c = chains[0]!;
    const table = c.txs.length;
    // Same-block parent after its child by txid: the case the processing order must not depend on.
    const byId = new Map(c.txs.map((t) => [t.txid, t]));
    const inverted = c.txs.filter((t) =>
      t.inputs.some((i) => {
        const p = i.prevTxid ? byId.get(i.prevTxid) : undefined;
        return p && p.blockHeight === t.blockHeight && p.tsMs === t.tsMs && p.txid > t.txid;
      }),
    );
    expect(inverted.length).toBeGreaterThan(20);
    const busy = c.addresses[0]!;
    const quiet = c.addresses[c.addresses.length - 7]!;
    const mid = new Date(c.t0 + c.spanMs / 2).toISOString();
    const late = new Date(c.t0 + (3 * c.spanMs) / 4).toISOString();
    const seedTx = c.txs[Math.floor(table / 3)]!.txid;
    const configs: Array<Partial<TraceRequest>> = [
      { hops: 1, from: [quiet] },
      { hops: 3, from: [busy] },
      { hops: 6, from: [busy], since: mid },
      { hops: 4, from: [quiet], until: late, minAmount: '0.05' },
      { hops: 2, txs: [seedTx] },
      { hops: 5, from: [quiet], txs: [seedTx], limit: 7 },
      { hops: 6, from: [busy, quiet], since: mid, until: late },
    ];
    let cases = 0;
    let smaller = 0;
    for (const method of ['haircut', 'poison', 'fifo'] as const)
      for (const conf of configs) {
        const req = { chain: 'btc', method, ...conf } as TraceRequest;
        const { frontier, whole, stats } = await both(req);
        expect(frontier, `${method} ${JSON.stringify(conf)}`).toEqual(whole);
        expect(stats.txsRead).toBeLessThanOrEqual(table);
        if (stats.txsRead < table / 2) smaller++;
        cases++;
      }
    expect(cases).toBe(21);
    expect(smaller).toBeGreaterThanOrEqual(cases / 2);
    // A one-hop trace from a quiet address reads its payers and the spenders of what it received.
    const one = await both({ chain: 'btc', from: [quiet], method: 'poison', hops: 1 });
    expect(one.stats.txsRead).toBeLessThan(table / 10);
    expect((one.frontier as { nodes: unknown[] }).nodes.length).toBeGreaterThan(1);
  });

  it('refuses a seed no stored output pays, as the whole-set trace does', async () => {
    const r = prng(99);
    const nobody = p2pkh(r);
    for (const read of ['frontier', 'whole'] as const)
      await expect(traceFromStore(store, { chain: 'btc', from: [nobody] }, { read })).rejects.toThrow(NotFoundError);
  });
});
