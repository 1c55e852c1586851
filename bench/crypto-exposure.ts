/**
 * Store-backed exposure, whole graph against the targets' backward closure (issue 19): N synthetic ETH transfers
 * written to a DuckDB store with the Lazarus / Ronin attribution packs, 40 of whose addresses send among the
 * synthetic wallets (sources), then `crypto exposure` of a few targets read either every transfer of the chain
 * (`read: 'whole'`) or only what the targets' figures depend on (the default, src/crypto/exposure-frontier.ts).
 * Both results are checked equal. Figures to stdout (the lead copies them to BENCHMARKS.md).
 * Run: npx tsx bench/crypto-exposure.ts [--transfers N] [--no-whole]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type ExposureFrontierStats, illicitAddresses } from '../src/crypto/exposure-frontier.js';
import { attributionIndex, exposureFromStore, importAttribution } from '../src/crypto/service.js';
import type { TraceMethod } from '../src/crypto/trace.js';
import { openStore } from '../src/store/open.js';
import { numberArg, syntheticAddress, timed, writeSyntheticEthYear } from './crypto-synthetic.js';

const N = numberArg('transfers', 2_000_000);
const WHOLE = !process.argv.includes('--no-whole');

const nodes = Math.max(1000, Math.floor(N / 10));

const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-bench-exposure-'));
const store = await openStore({ url: path.join(dir, 'bench.duckdb') });
try {
  await importAttribution(store, { packs: ['lazarus', 'ronin_bridge', 'tornado_cash', 'exchange-wallets-bybit'] });
  const index = await attributionIndex(store);
  // 40 illicit addresses stand in for synthetic ids: a few busy (ids 50..59), most quiet (spread over the rest).
  const illicit = illicitAddresses(index, 'eth', new Set()).sort().slice(0, 40);
  const named = new Map<number, string>();
  for (const [k, a] of illicit.entries()) named.set(k < 10 ? 50 + k : Math.floor((k * nodes) / 41), a);
  const addr = (i: number): string => named.get(i) ?? syntheticAddress(i);
  // One year of transfers (bench/crypto-synthetic.ts).
  const write = await timed(() => writeSyntheticEthYear(store.db, N, nodes, addr));
  process.stdout.write(
    `wrote ${N.toLocaleString('en-US')} transfers among ${nodes} addresses in ${write.wallS.toFixed(1)} s\n`,
  );

  // Targets: quiet wallets (the last ids send least; every id receives about N / nodes transfers), an early one.
  const cases: Array<[string, string, TraceMethod, number]> = [
    ['quiet wallet, haircut, 4 hops', addr(nodes - 7), 'haircut', 4],
    ['quiet wallet, poison, 2 hops', addr(nodes - 7), 'poison', 2],
    ['quiet wallet, FIFO, 4 hops', addr(nodes - 123), 'fifo', 4],
    ['quiet wallet, poison, 6 hops', addr(nodes - 123), 'poison', 6],
    ['busier wallet, FIFO, 2 hops', addr(Math.floor(nodes / 20)), 'fifo', 2],
  ];
  const rows: string[] = [];
  for (const [name, target, method, hops] of cases) {
    let stats: ExposureFrontierStats | undefined;
    const f = await timed(() =>
      exposureFromStore(store, target, { method, hops, finding: true, onStats: (x) => (stats = x) }),
    );
    let wholeCell = 'not run';
    let same = '';
    if (WHOLE) {
      const w = await timed(() => exposureFromStore(store, target, { method, hops, finding: true, read: 'whole' }));
      wholeCell = `${w.wallS.toFixed(2)} s / ${w.cpuS.toFixed(2)} s, ${N.toLocaleString('en-US')} read`;
      const a = JSON.parse(JSON.stringify(f.value));
      const b = JSON.parse(JSON.stringify(w.value));
      const differ = Object.keys(b).filter((k) => !isDeepStrictEqual(a[k], b[k]));
      same = differ.length === 0 ? 'yes' : `NO (${differ.join(', ')})`;
      if (differ.length > 0) {
        for (const k of differ)
          process.stdout.write(
            `  ${k}: frontier ${JSON.stringify(a[k]).slice(0, 400)}\n  ${k}: whole    ${JSON.stringify(b[k]).slice(0, 400)}\n`,
          );
      }
    }
    const st = stats!;
    const line = `| ${name} | ${(f.value.share * 100).toFixed(2)} % | ${f.value.evidence.length} | ${wholeCell} | ${f.wallS.toFixed(3)} s / ${f.cpuS.toFixed(3)} s, ${st.rowsRead.toLocaleString('en-US')} + ${st.sourceRows} read (${st.queries} statements, ${st.rounds} rounds, ${st.transfers.toLocaleString('en-US')} transfers kept) | ${same} |`;
    rows.push(line);
    process.stdout.write(`${line}\n`);
  }
  process.stdout.write(
    [
      '',
      `Store-backed exposure on DuckDB, ${N.toLocaleString('en-US')} synthetic ETH transfers (${nodes.toLocaleString('en-US')} addresses, 40 of them illicit), load ${os.loadavg()[0]!.toFixed(1)}; wall / client CPU:`,
      '',
      '| exposure | share | evidence | whole graph (before) | frontier (now) | same result |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
