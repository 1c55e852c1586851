/**
 * Backward UTXO traces, whole graph against frontier expansion (issue 19): a random Bitcoin-like chain of about N
 * transactions (test/crypto/random-utxo.ts) written to a DuckDB store, then backward traces read either every
 * transaction of the chain turned into transfers (`read: 'whole'`, loadGraph) or only the transactions of the
 * addresses the trace reaches (the default, src/crypto/utxo-transfer-reader.ts). Both reports are checked equal.
 * Figures (rows read against the rows the tables hold, statements, wall and CPU seconds) to stdout.
 * `--postgres` runs it on a throwaway PostgreSQL cluster (test/support/postgres.ts) instead: CPU is then this
 * process's only, the server's is not counted.
 * Run: npx tsx bench/crypto-utxo-backward.ts [--txs N] [--txs-per-address K] [--no-whole] [--postgres]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FrontierStats } from '../src/crypto/frontier.js';
import { importAttribution, type TraceRequest, traceFromStore } from '../src/crypto/service.js';
import { insertUtxoTxs, loadTags } from '../src/crypto/store/repo.js';
import { openStore } from '../src/store/open.js';
import { randomChain } from '../test/crypto/random-utxo.js';
import { startTestPostgres } from '../test/support/postgres.js';
import { numberArg, timed } from './crypto-synthetic.js';

const N = numberArg('txs', 200_000);
/** Transactions per address: 20 is a dense graph (every trace reaches most addresses within 3 hops). */
const PER_ADDRESS = numberArg('txs-per-address', 2);
const WHOLE = !process.argv.includes('--no-whole');
const PG = process.argv.includes('--postgres');

const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-bench-utxo-backward-'));
const pg = PG ? await startTestPostgres('bench-utxo-backward') : undefined;
if (PG && !pg) throw new Error('--postgres: no PostgreSQL available');
const store = await openStore({ url: pg ? pg.url : path.join(dir, 'bench.duckdb') });
// The two busiest addresses but three are exchanges from the bundled tags (traces stop there).
await importAttribution(store, { packs: ['exchange-wallets-binance'] });
const stops = (await loadTags(store.db, 'btc')).map((t) => t.address).sort();
// About 21 transactions per block (coinbase + 0.5-1.5 × 20).
const blocks = Math.max(10, Math.round(N / 21));
const chain = randomChain(20261206, Math.max(300, Math.floor(N / PER_ADDRESS)), blocks, 20, stops.slice(0, 2), []);
try {
  for (let i = 0; i < chain.txs.length; i += 50_000)
    await store.db.transaction((tx) => insertUtxoTxs(tx, chain.txs.slice(i, i + 50_000), 'bench'));
  // Planner statistics, as autovacuum would gather them on a live store (without them PostgreSQL picks nested loops
  // for the frontier's joins on freshly loaded tables).
  if (pg) await store.db.query('ANALYZE');
  const inputs = chain.txs.reduce((n, t) => n + t.inputs.length, 0);
  const outputs = chain.txs.reduce((n, t) => n + t.outputs.length, 0);
  const table = chain.txs.length + inputs + outputs;
  console.log(
    `chain: ${chain.txs.length} transactions, ${inputs} inputs, ${outputs} outputs (${table} rows), ${blocks} blocks, ${chain.addresses.length} addresses`,
  );
  const n = chain.addresses.length;
  const quiet = chain.addresses[Math.floor(n / 4)]!;
  const mid = chain.addresses[Math.floor(n / 50)]!;
  const hub = chain.addresses[0]!;
  const back = { chain: 'btc', direction: 'backward' } as const;
  const cases: Array<[string, TraceRequest]> = [
    ['quiet, haircut, 6 hops', { ...back, from: [quiet], method: 'haircut', hops: 6 }],
    ['quiet, fifo, 6 hops', { ...back, from: [quiet], method: 'fifo', hops: 6 }],
    ['busier, poison, 3 hops', { ...back, from: [mid], method: 'poison', hops: 3 }],
    ['hub, haircut, 2 hops', { ...back, from: [hub], method: 'haircut', hops: 2 }],
  ];
  console.log(
    '| trace | frontier wall / CPU | rows read (of the tables) | statements | rounds | reached | whole wall / CPU | equal |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, req] of cases) {
    let stats: FrontierStats | undefined;
    const f = await timed(() => traceFromStore(store, req, { onStats: (s) => (stats = s) }));
    const w = WHOLE ? await timed(() => traceFromStore(store, req, { read: 'whole' })) : undefined;
    const eq = w ? String(isDeepStrictEqual(f.value, w.value)) : 'not run';
    const s = stats!;
    console.log(
      `| ${name} | ${f.wallS.toFixed(2)} s / ${f.cpuS.toFixed(2)} s | ${s.rowsRead} (${((100 * s.rowsRead) / table).toFixed(2)} %) | ${s.queries} | ${s.rounds} | ${f.value.nodes.length} | ${w ? `${w.wallS.toFixed(1)} s / ${w.cpuS.toFixed(1)} s` : '-'} | ${eq} |`,
    );
  }
} finally {
  await store.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
