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
import { TRANSFER_COLS } from '../src/crypto/store/repo.js';
import type { ColumnBatch } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('transfers', 2_000_000);
const WHOLE = !process.argv.includes('--no-whole');

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallS: number; cpuS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 };
}

// xorshift32: the same store on every run.
let s = 0x2545f491;
const rand = (): number => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return (s >>> 0) / 0x1_0000_0000;
};

const nodes = Math.max(1000, Math.floor(N / 10));
const addr = (i: number): string => `0x${i.toString(16).padStart(40, '0')}`;
const t0 = Date.parse('2022-01-01T00:00:00Z');
const step = (365 * 86_400_000) / N;

const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-bench-frontier-'));
const store = await openStore({ url: path.join(dir, 'bench.duckdb') });
try {
  // One year of transfers in time order, heavy-tailed senders (a few hubs, many quiet wallets) as in
  // bench/crypto.ts, amounts log-uniform between 0.001 and 1,000 ETH in wei.
  const write = await timed(() =>
    store.db.bulkInsert(
      'crypto_transfers',
      TRANSFER_COLS,
      (function* (): Generator<ColumnBatch> {
        const B = 100_000;
        for (let i0 = 0; i0 < N; i0 += B) {
          const n = Math.min(B, N - i0);
          const cols = Array.from({ length: 12 }, () => new Array(n));
          for (let k = 0; k < n; k++) {
            const e = i0 + k;
            const u = Math.floor(nodes * rand() ** 3);
            let v = Math.floor(nodes * rand());
            if (v === u) v = (v + 1) % nodes;
            const ts = Math.floor(t0 + e * step);
            cols[0]![k] = 'eth';
            cols[1]![k] = `0x${e.toString(16).padStart(64, '0')}`;
            cols[2]![k] = BigInt(14_000_000 + Math.floor((e * step) / 12_000));
            cols[3]![k] = BigInt(ts);
            cols[4]![k] = addr(u);
            cols[5]![k] = addr(v);
            cols[6]![k] = 'ETH';
            cols[7]![k] = BigInt(Math.round(10 ** (15 + 6 * rand()))).toString();
            cols[8]![k] = 18;
            cols[9]![k] = -1;
            cols[10]![k] = 'native';
            cols[11]![k] = 'bench';
          }
          yield { length: n, columns: cols };
        }
      })(),
    ),
  );
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
