/**
 * Store-backed trace, whole graph against frontier expansion (issue 19): N synthetic ETH transfers written to a
 * DuckDB store, then traces from quiet addresses (small reach) read either every transfer of the chain and asset
 * (`read: 'whole'`, what `traceFromStore` did before) or only the transfers the answer depends on (the default, see
 * src/crypto/frontier.ts). Both reports are checked equal. Figures to stdout (the lead copies them to BENCHMARKS.md).
 * Run: npx tsx bench/crypto-frontier.ts [--transfers N] [--no-whole]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FrontierStats } from '../src/crypto/frontier.js';
import { type TraceRequest, traceFromStore } from '../src/crypto/service.js';
import { openStore } from '../src/store/open.js';
import { numberArg, syntheticAddress, timed, writeSyntheticEthYear } from './crypto-synthetic.js';

const N = numberArg('transfers', 2_000_000);
const WHOLE = !process.argv.includes('--no-whole');

const nodes = Math.max(1000, Math.floor(N / 10));
const addr = syntheticAddress;

const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-bench-frontier-'));
const store = await openStore({ url: path.join(dir, 'bench.duckdb') });
try {
  // One year of transfers (bench/crypto-synthetic.ts).
  const write = await timed(() => writeSyntheticEthYear(store.db, N, nodes, addr));
  process.stdout.write(
    `wrote ${N.toLocaleString('en-US')} transfers among ${nodes} addresses in ${write.wallS.toFixed(1)} s\n`,
  );

  // Quiet addresses: the last ids send least (senders are drawn as nodes × r³).
  const quiet = addr(nodes - 7);
  const quiet2 = addr(nodes - 123);
  const busier = addr(Math.floor(nodes / 20));
  const cases: Array<[string, TraceRequest]> = [
    ['haircut forward, 3 hops', { chain: 'eth', from: [quiet], method: 'haircut', hops: 3 }],
    [
      'poison forward, 6 hops, one month',
      {
        chain: 'eth',
        from: [quiet],
        method: 'poison',
        hops: 6,
        since: '2022-06-01T00:00:00Z',
        until: '2022-06-30T23:59:59Z',
      },
    ],
    ['FIFO forward, 2 hops', { chain: 'eth', from: [quiet2], method: 'fifo', hops: 2 }],
    [
      'haircut backward, 2 hops, one month',
      {
        chain: 'eth',
        from: [quiet2],
        method: 'haircut',
        direction: 'backward',
        hops: 2,
        since: '2022-09-01T00:00:00Z',
        until: '2022-09-30T23:59:59Z',
      },
    ],
    [
      'poison forward, 3 hops, one week, busier seed',
      {
        chain: 'eth',
        from: [busier],
        method: 'poison',
        hops: 3,
        since: '2022-03-01T00:00:00Z',
        until: '2022-03-07T23:59:59Z',
      },
    ],
    [
      'haircut forward, 3 hops, busier seed (wider reach)',
      { chain: 'eth', from: [busier], method: 'haircut', hops: 3 },
    ],
  ];
  const rows: string[] = [];
  for (const [name, req] of cases) {
    let stats: FrontierStats | undefined;
    const f = await timed(() => traceFromStore(store, req, { onStats: (x) => (stats = x) }));
    let wholeCell = 'not run';
    let same = '';
    if (WHOLE) {
      const w = await timed(() => traceFromStore(store, req, { read: 'whole' }));
      wholeCell = `${w.wallS.toFixed(2)} s / ${w.cpuS.toFixed(2)} s, ${N.toLocaleString('en-US')} read`;
      same = isDeepStrictEqual(JSON.parse(JSON.stringify(f.value)), JSON.parse(JSON.stringify(w.value))) ? 'yes' : 'NO';
    }
    const st = stats!;
    const line = `| ${name} | ${f.value.counts.nodes} | ${f.value.counts.edges} | ${wholeCell} | ${f.wallS.toFixed(3)} s / ${f.cpuS.toFixed(3)} s, ${st.rowsRead.toLocaleString('en-US')} read (${st.queries} statements, ${st.rounds} trace runs) | ${same} |`;
    rows.push(line);
    process.stdout.write(`${line}\n`);
  }
  process.stdout.write(
    [
      '',
      `Store-backed trace on DuckDB, ${N.toLocaleString('en-US')} synthetic ETH transfers (${nodes.toLocaleString('en-US')} addresses), load ${os.loadavg()[0]!.toFixed(1)}; wall / client CPU:`,
      '',
      '| trace | addresses reached | tainted transfers | whole graph (before) | frontier (now) | same report |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
