/**
 * Forward UTXO traces, whole set against frontier expansion (issue 19): a random Bitcoin-like chain of about N
 * transactions (test/crypto/random-utxo.ts: heavy-tailed addresses, children often in their parent's block)
 * written to a DuckDB store, then traces from a quiet and a busy address read either every transaction of the chain
 * (`read: 'whole'`, what `traceFromStore` did before) or only those their taint reaches (the default, see
 * src/crypto/utxo-frontier.ts). Both reports are checked equal. Figures to stdout.
 * Run: npx tsx bench/crypto-utxo-frontier.ts [--txs N] [--no-whole]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type TraceRequest, traceFromStore } from '../src/crypto/service.js';
import { insertUtxoTxs } from '../src/crypto/store/repo.js';
import type { UtxoFrontierStats } from '../src/crypto/utxo-frontier.js';
import { openStore } from '../src/store/open.js';
import { randomChain } from '../test/crypto/random-utxo.js';
import { numberArg, timed } from './crypto-synthetic.js';

const N = numberArg('txs', 500_000);
const WHOLE = !process.argv.includes('--no-whole');

// About 21 transactions per block (coinbase + 0.5-1.5 × 20); one address per 20 transactions.
const blocks = Math.max(10, Math.round(N / 21));
const chain = randomChain(20261206, Math.max(300, Math.floor(N / 20)), blocks, 20, [], []);
const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-bench-utxo-frontier-'));
const store = await openStore({ url: path.join(dir, 'bench.duckdb') });
try {
  const write = await timed(async () => {
    for (let i = 0; i < chain.txs.length; i += 50_000)
      await store.db.transaction((tx) => insertUtxoTxs(tx, chain.txs.slice(i, i + 50_000), 'bench'));
  });
  const inputs = chain.txs.reduce((n, t) => n + t.inputs.length, 0);
  const outputs = chain.txs.reduce((n, t) => n + t.outputs.length, 0);
  console.log(
    `chain: ${chain.txs.length} transactions, ${inputs} inputs, ${outputs} outputs, ${blocks} blocks; written in ${write.wallS.toFixed(1)} s`,
  );
  const quiet = chain.addresses[chain.addresses.length - 7]!;
  const mid = chain.addresses[Math.floor(chain.addresses.length / 50)]!;
  const cases: Array<[string, TraceRequest]> = [
    ['quiet, haircut, 6 hops', { chain: 'btc', from: [quiet], method: 'haircut', hops: 6 }],
    ['quiet, fifo, 6 hops', { chain: 'btc', from: [quiet], method: 'fifo', hops: 6 }],
    ['busier, poison, 3 hops', { chain: 'btc', from: [mid], method: 'poison', hops: 3 }],
  ];
  console.log('| trace | frontier wall / CPU | txs read | statements | rounds | whole-set wall / CPU | equal |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, req] of cases) {
    let stats: UtxoFrontierStats | undefined;
    const f = await timed(() => traceFromStore(store, req, { onUtxoStats: (s) => (stats = s) }));
    const w = WHOLE ? await timed(() => traceFromStore(store, req, { read: 'whole' })) : undefined;
    const eq = w ? String(isDeepStrictEqual(f.value, w.value)) : 'not run';
    console.log(
      `| ${name} | ${f.wallS.toFixed(2)} s / ${f.cpuS.toFixed(2)} s | ${stats!.txsRead} | ${stats!.queries} | ${stats!.rounds} | ${w ? `${w.wallS.toFixed(1)} s / ${w.cpuS.toFixed(1)} s` : '-'} | ${eq} |`,
    );
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
