import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleOfTags } from '../../src/crypto/report.js';
import { attributionIndex, importAttribution, type TraceRequest, traceFromStore } from '../../src/crypto/service.js';
import { insertUtxoTxs, loadTags } from '../../src/crypto/store/repo.js';
import { ROLE_MIXER, ROLE_STOP } from '../../src/crypto/trace.js';
import type { UtxoFrontierStats } from '../../src/crypto/utxo-frontier.js';
import { NotFoundError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { p2pkh, prng, type RandomChain, randomChain } from './random-utxo.js';

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
  chains = [randomChain(20261206, 300, 90, 16, stops, mixers)];
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
