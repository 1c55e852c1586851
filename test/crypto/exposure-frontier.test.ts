import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttributionIndex } from '../../src/crypto/attribution.js';
import { computeExposure, type ExposureResult } from '../../src/crypto/exposure.js';
import { type ExposureFrontierStats, frontierExposure, illicitAddresses } from '../../src/crypto/exposure-frontier.js';
import { TransferGraph } from '../../src/crypto/graph.js';
import type { Transfer } from '../../src/crypto/model.js';
import {
  attributionIndex,
  clusterFromStore,
  exposureFromStore,
  importAttribution,
  importTransferFile,
  loadGraph,
} from '../../src/crypto/service.js';
import { insertTransfers, insertUtxoTxs } from '../../src/crypto/store/repo.js';
import { type TraceMethod, trace } from '../../src/crypto/trace.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { type RandomGraph, randomGraph } from './random-transfers.js';
import { randomChain } from './random-utxo.js';

/**
 * `crypto exposure` on account chains reads the targets' backward closure only (src/crypto/exposure-frontier.ts):
 * for every method, hop limit, window and target set, its result (and the `crypto.exposure` finding) is the
 * whole-graph result, on the real Ronin/Lazarus transfers and on seeded random graphs with illicit sources among
 * busy and quiet addresses (ties in time, NULL blocks, multi-transfer transactions, zero amounts, self-transfers,
 * duplicated rows, amounts beyond 2^53), and it reads fewer transfers than the table holds.
 */

const LAZARUS_FILE = dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv');
const METHODS: TraceMethod[] = ['haircut', 'poison', 'fifo'];

let dir: string;
let store: Store;
let index: AttributionIndex;
let illicit: string[];

let graphs: RandomGraph[];

/** Addresses that received 1 to 3 non-zero transfers from others, not illicit, in address order. */
function quietReceivers(g: RandomGraph): string[] {
  const n = new Map<string, number>();
  for (const t of g.transfers) if (t.amount > 0n && t.from !== t.to) n.set(t.to, (n.get(t.to) ?? 0) + 1);
  const bad = new Set(illicit);
  return g.addresses.filter((a) => !bad.has(a) && (n.get(a) ?? 0) >= 1 && n.get(a)! <= 3);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-exposure-frontier-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await importAttribution(store, { packs: ['lazarus', 'ronin_bridge', 'tornado_cash', 'exchange-wallets-bybit'] });
  await importTransferFile(store, LAZARUS_FILE);
  index = await attributionIndex(store);
  illicit = illicitAddresses(index, 'eth', new Set()).sort();
  expect(illicit.length).toBeGreaterThan(50);
  // Five illicit addresses: four busy, one quiet.
  const at = (n: number): Array<[number, string]> => [0, 2, 9, 20, n - 40].map((i, k) => [i, illicit[k]!]);
  graphs = [randomGraph(20261206, 400, 1_500, at(400)), randomGraph(11, 1_200, 1_800, at(1_200))];
  await store.db.transaction(async (tx) => {
    for (const [i, g] of graphs.entries()) await insertTransfers(tx, g.transfers, `random-${i}`);
  });
}, 60_000);

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('exposure by frontier = whole-graph exposure', () => {
  it('on the Ronin/Lazarus transfers: every method and hop limit, with the finding', async () => {
    const table = 436;
    const rows = await store.db.query(
      "SELECT to_addr AS a, COUNT(*) AS n FROM crypto_transfers WHERE chain = 'eth' AND asset = 'ETH' AND amount <> '0' GROUP BY to_addr ORDER BY n DESC, to_addr",
    );
    // The exploiter (a source, and the busiest receiver), Lazarus addresses, and quiet receivers downstream.
    const targets = rows.filter((_, i) => i % 6 === 0).map((r) => String(r.a));
    expect(targets.length).toBeGreaterThanOrEqual(10);
    let cases = 0;
    let exposed = 0;
    for (const [i, target] of targets.entries()) {
      const method = METHODS[i % 3]!;
      for (const hops of [1, i % 2 === 0 ? 2 : 6]) {
        let stats: ExposureFrontierStats | undefined;
        const req = { method, hops, finding: true };
        const frontier = await exposureFromStore(store, target, { ...req, onStats: (s) => (stats = s) });
        const whole = await exposureFromStore(store, target, { ...req, read: 'whole' });
        expect(frontier, `${target} ${method} ${hops}`).toEqual(whole);
        expect(stats!.transfers).toBeLessThanOrEqual(table);
        if (i > 0) expect(stats!.rowsRead).toBeLessThan(table / 4);
        if (frontier.share > 0) exposed++;
        cases++;
      }
    }
    expect(exposed).toBeGreaterThan(cases / 2);
    expect(cases).toBe(2 * targets.length);
  });

  it('on random graphs: methods, hop limits, windows, target sets, batch sizes', async () => {
    let cases = 0;
    let exposed = 0;
    let withEvidence = 0;
    for (const [gi, g] of graphs.entries()) {
      const table = g.transfers.filter((t) => t.amount > 0n).length;
      const whole = await loadGraph(store, { chain: 'eth', asset: g.asset });
      const meta = { chain: 'eth' as const, asset: g.asset, decimals: whole.decimals };
      // Targets the whole graph finds exposed at 6 hops (haircut), directly or only indirectly, quiet and busy: one
      // trace from every source, watching every candidate.
      const ids = (as: string[]) => as.map((a) => whole.graph.id(a)!);
      const quiet = quietReceivers(g);
      const busyOnes = g.addresses.slice(1, 12).filter((a) => !illicit.includes(a));
      const candidates = [...quiet, ...busyOnes];
      const seeds = ids(g.addresses.filter((a) => illicit.includes(a) && whole.graph.id(a) !== undefined));
      const { watched } = trace({ graph: whole.graph, seeds, watch: ids(candidates), params: { maxHops: 6 } });
      const hop1 = (a: string) => watched.get(whole.graph.id(a)!)![1]! > 0;
      const later = (a: string) =>
        watched
          .get(whole.graph.id(a)!)!
          .slice(2, 7)
          .some((x) => x > 0);
      const direct = quiet.filter(hop1);
      const indirect = quiet.filter((a) => later(a) && !hop1(a));
      const busy = busyOnes.filter((a) => hop1(a) || later(a));
      expect(direct.length).toBeGreaterThanOrEqual(2);
      expect(indirect.length).toBeGreaterThanOrEqual(2);
      expect(busy.length).toBeGreaterThanOrEqual(1);
      // One busy, one direct, one indirect; a set of several; a set holding an illicit address (not a source then).
      const targetSets = [
        [busy[0]!],
        [direct[0]!],
        [indirect[0]!],
        [direct[1]!, busy.at(-1)!, indirect[1]!],
        [g.addresses[2]!, indirect.at(-1)!],
      ];
      const mid = g.t0 + g.spanMs / 2;
      const late = g.t0 + (3 * g.spanMs) / 4;
      const windows = [
        {},
        { sinceMs: g.t0 + g.spanMs / 8 },
        { untilMs: late },
        { sinceMs: g.t0 + g.spanMs / 6, untilMs: mid + g.spanMs / 3 },
      ];
      const hopLimits = [1, 2, 3, 4, 6, 8];
      for (const method of METHODS)
        for (const [ti, targets] of targetSets.entries()) {
          const maxHops = hopLimits[cases % hopLimits.length]!;
          const w = windows[(cases + ti) % windows.length]!;
          const params = { method, maxHops, ...w };
          const expected: ExposureResult = computeExposure(whole.graph, index, meta, targets, params);
          const out = await frontierExposure({
            db: store.db,
            query: { chain: 'eth', asset: g.asset, ...w },
            targets,
            params,
            index,
            defaultDecimals: 18,
            batchSize: cases % 2 === 0 ? 7 : undefined,
          });
          expect(out.result, `graph ${gi} ${JSON.stringify({ targets, params })}`).toEqual(expected);
          expect(out.stats.transfers).toBeLessThan(table);
          if (expected.share > 0) exposed++;
          if (expected.evidence.length > 1) withEvidence++;
          cases++;
        }
      // Through the store command (no window), with the finding.
      for (const method of METHODS) {
        const target = indirect[1]!;
        const req = { asset: g.asset, method, hops: 4, finding: true };
        const frontier = await exposureFromStore(store, target, req);
        expect(frontier).toEqual(await exposureFromStore(store, target, { ...req, read: 'whole' }));
        cases++;
      }
    }
    expect(cases).toBe(2 * (3 * 5 + 3));
    // The cases are not trivial: most find exposure, many through several tainted transfers.
    expect(exposed).toBeGreaterThan(cases / 3);
    expect(withEvidence).toBeGreaterThanOrEqual(4);
  });

  it('reads a small reach for a quiet target, and refuses an unknown target as the whole graph does', async () => {
    const g = graphs[1]!;
    const target = quietReceivers(g)[0]!;
    let stats: ExposureFrontierStats | undefined;
    const req = { asset: g.asset, method: 'poison' as const, hops: 2 };
    const frontier = await exposureFromStore(store, target, { ...req, onStats: (s) => (stats = s) });
    expect(frontier).toEqual(await exposureFromStore(store, target, { ...req, read: 'whole' }));
    expect(stats!.rowsRead).toBeLessThan(150);
    // The illicit addresses that sent a non-zero amount to another, not illicit, address.
    const bad = new Set(illicit);
    const senders = new Set(
      g.transfers.filter((t) => t.amount > 0n && t.to !== t.from && !bad.has(t.to)).map((t) => t.from),
    );
    expect(stats!.sourcesSent).toBe(g.addresses.filter((a) => bad.has(a) && senders.has(a)).length);
    expect(frontier.sources.map((x) => x.address).sort()).toEqual(
      g.addresses.filter((a) => bad.has(a) && senders.has(a)).sort(),
    );
    const unknown = `0x${'34'.repeat(20)}`;
    const err = await exposureFromStore(store, unknown, req).catch((e: Error) => e);
    const errWhole = await exposureFromStore(store, unknown, { ...req, read: 'whole' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe((errWhole as Error).message);
    expect((err as Error).message).toMatch(/no transfers stored for/);
  });
});

describe('exposure by frontier on a UTXO chain = whole-graph exposure', () => {
  it('on a random Bitcoin chain: methods, hop limits, single addresses and multi-input clusters', async () => {
    const ill = illicitAddresses(index, 'btc', new Set())
      .filter((a) => a.startsWith('1'))
      .sort();
    // Three illicit addresses among the busy ones (randomChain places its "services" there).
    const g = randomChain(17, 120, 30, 10, [ill[0]!, ill[1]!], [ill[2]!]);
    await store.db.transaction((tx) => insertUtxoTxs(tx, g.txs, 'random-btc'));
    await clusterFromStore(store, 'btc');
    let exposed = 0;
    for (let i = 0; i < 9; i++) {
      const target = g.addresses[(i * 11 + 1) % g.addresses.length]!;
      const req = {
        chain: 'btc' as const,
        method: METHODS[i % 3]!,
        hops: 1 + (i % 6),
        finding: true,
        cluster: i % 4 === 0,
      };
      let stats: ExposureFrontierStats | undefined;
      const frontier = await exposureFromStore(store, target, { ...req, onStats: (s) => (stats = s) });
      expect(frontier, JSON.stringify({ target, req })).toEqual(
        await exposureFromStore(store, target, { ...req, read: 'whole' }),
      );
      expect(stats!.rounds).toBeGreaterThanOrEqual(2);
      if (frontier.share > 0) exposed++;
    }
    expect(exposed).toBeGreaterThanOrEqual(4);
  });
});

describe('whole-graph exposure', () => {
  it("lists every source that sent taint and the evidence, past 100,000 tainted transfers (the trace's listing cap)", () => {
    // A sends 100,000 transfers, then B one: B's is the 100,001st tainted transfer, past the trace's listing.
    const [a, b] = [illicit[0]!, illicit[1]!];
    const t0 = Date.parse('2023-01-01T00:00:00Z');
    const row = (from: string, to: string, i: number): Transfer => ({
      chain: 'eth',
      txHash: `0x${i.toString(16).padStart(64, '0')}`,
      blockNumber: 16_000_000 + i,
      tsMs: t0 + i * 1000,
      from,
      to,
      asset: 'ETH',
      amount: 10n ** 15n,
      decimals: 18,
      index: 0,
      kind: 'native',
    });
    const transfers = Array.from({ length: 100_000 }, (_, i) =>
      row(a, `0x${(i + 1).toString(16).padStart(40, '0')}`, i),
    );
    transfers.push(row(b, `0x${'ee'.repeat(20)}`, 100_000));
    const graph = TransferGraph.fromTransfers(transfers);
    const meta = { chain: 'eth' as const, asset: 'ETH', decimals: 18 };
    // A's first receiver and B's: each got its transfer straight from a source.
    const targets = [`0x${(1).toString(16).padStart(40, '0')}`, `0x${'ee'.repeat(20)}`];
    const e = computeExposure(graph, index, meta, targets, {});
    expect(e.share).toBe(1);
    const evidence = (t: Transfer) => ({ txHash: t.txHash, from: t.from, amount: '0.001', tainted: '0.001', hop: 1 });
    expect(e.evidence.map(({ time, ...x }) => x)).toEqual([evidence(transfers[0]!), evidence(transfers[100_000]!)]);
    expect(e.sources.map((x) => [x.address, x.direct])).toEqual([
      [a, true],
      [b, true],
    ]);
  });
});
