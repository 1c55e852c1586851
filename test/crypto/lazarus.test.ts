import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits, parseUnits } from '../../src/crypto/amounts.js';
import { importAttribution, importTransferFile, screenFromStore, traceFromStore } from '../../src/crypto/service.js';
import { queryTransfers } from '../../src/crypto/store/repo.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Real-data check: the Ronin bridge exploiter's ETH transfers (Dune export, 436 transfers to or from the eight
 * OFAC-listed LAZARUS GROUP addresses, 2022-03-23 → 2022-09-27). A forward trace from the exploiter reaches the
 * other seven listed addresses and says how much ETH went where.
 */

const RONIN = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';
const FILE = dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv');
// The eight seed addresses of the Dune query (data/crypto/traces/dspytdao_LazarusGroup.txt).
const LISTED = [
  ...new Set(
    readFileSync(dataPath('crypto', 'traces', 'dspytdao_LazarusGroup.txt'), 'utf8')
      .split('\n')
      .map((l) => /\\x([0-9a-fA-F]{40})/.exec(l)?.[1])
      .filter((x): x is string => !!x)
      .map((x) => `0x${x}`),
  ),
];

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-lazarus-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await importAttribution(store, { packs: ['lazarus', 'ronin_bridge', 'tornado_cash'] });
  const f = await importTransferFile(store, FILE);
  expect(f).toMatchObject({ created: true, format: 'dune-lazarus', transfers: 436, rejected: [] });
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Ronin exploit (Lazarus Group, 2022): real transfers', () => {
  it('a forward haircut trace from the exploiter reaches the seven other OFAC-listed Lazarus addresses', async () => {
    expect(LISTED).toHaveLength(8);
    const r = await traceFromStore(store, { chain: 'eth', from: [RONIN], method: 'haircut' });
    // Everything the exploiter sent in the data, exactly: 182,163.95603 ETH.
    const out = (await queryTransfers(store.db, { chain: 'eth', address: RONIN.toLowerCase() }))
      .filter((t) => t.from === RONIN.toLowerCase())
      .reduce((s, t) => s + t.amount, 0n);
    expect(formatUnits(out, 18)).toBe('182163.95603');
    expect(r.totals.start).toBe('182163.95603');
    expect(r.totals.returned).toBe('2');
    const reached = Object.fromEntries(r.listedReached.map((l) => [l.address, [l.hop, l.received, l.entityId]]));
    expect(reached).toEqual({
      '0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B': [1, '18256.81', 'ofac-27307'],
      '0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073': [1, '10129.935', 'ofac-27307'],
      '0x53b6936513e738f44FB50d2b9476730C0Ab3Bfc1': [1, '21629.48215', 'ofac-27307'],
      '0x35fB6f6DB4fb05e6A4cE86f2C93691425626d4b1': [1, '33568.152', 'ofac-27307'],
      '0xF7B31119c2682c88d88D455dBb9d5932c65Cf1bE': [1, '25127.5192', 'ofac-27307'],
      '0x3e37627dEAA754090fBFbb8bd226c1CE66D255e9': [1, '23528.8', 'ofac-27307'],
      '0x08723392Ed15743cc38513C4925f5e6be5c17243': [1, '12595.3', 'ofac-27307'],
    });
    expect(new Set([RONIN, ...Object.keys(reached)].map((a) => a.toLowerCase()))).toEqual(
      new Set(LISTED.map((a) => a.toLowerCase())),
    );
    // Where it ended up: almost all of it moved on from the listed addresses to 50 unattributed addresses; two
    // more exploiter addresses (GraphSense ronin_bridge) kept what the exploiter sent them.
    expect(r.byService).toEqual([
      { service: 'unattributed addresses', category: 'unknown', amount: '178770.812448', addresses: 50 },
      { service: 'Ronin bridge exploiter 8', category: 'user', amount: '2001', addresses: 1 },
      { service: 'Ronin bridge exploiter 4', category: 'user', amount: '1250', addresses: 1 },
      { service: 'LAZARUS GROUP (ofac-27307)', category: 'sanctioned', amount: '140.143581706', addresses: 7 },
    ]);
    // 68 transfers onwards plus the 2 back to the exploiter (listed since they were left out before).
    expect(r.counts).toEqual({ nodes: 62, edges: 70, nodesListed: 62, edgesListed: 70 });
    const top = [...r.nodes].sort((a, b) => Number(b.held) - Number(a.held))[0]!;
    expect(top).toMatchObject({ address: '0x002c93452d54B6d64bfA9879fCaB14a74f1BDD44', hop: 2, held: '8721.29139802' });
  });

  it('FIFO and poison agree with haircut on the direct hops and differ on what stayed', async () => {
    const fifo = await traceFromStore(store, { chain: 'eth', from: [RONIN], method: 'fifo' });
    const poison = await traceFromStore(store, { chain: 'eth', from: [RONIN], method: 'poison' });
    const get = (r: typeof fifo, a: string) => r.listedReached.find((l) => l.address === a)!;
    expect(get(fifo, '0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073')).toMatchObject({
      received: '10129.935',
      held: '47.939',
    });
    // Poison taints whole transfers, but what an address holds is still what it received minus what it sent on.
    expect(get(poison, '0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073')).toMatchObject({
      received: '10129.935',
      held: '47.939',
    });
    expect(fifo.byService[3]).toMatchObject({ service: 'LAZARUS GROUP (ofac-27307)', amount: '140.14095' });
  });

  it('every method conserves what left the exploiter, and shows the transfers back to it', async () => {
    const wei = (x: string) => parseUnits(x, 18);
    for (const method of ['poison', 'fifo', 'haircut'] as const) {
      const r = await traceFromStore(store, { chain: 'eth', from: [RONIN], method });
      const t = r.totals;
      const ended = wei(t.held) + wei(t.atServices) + wei(t.hopLimit) + wei(t.belowMin) + wei(t.returned);
      const byService = r.byService.reduce((s, g) => s + wei(g.amount), 0n);
      // The 2 ETH sent back to the exploiter: listed as transfers into the seed, and counted as returned.
      const back = r.edges.filter((e) => e.to === RONIN);
      expect(back.length, method).toBeGreaterThan(0);
      expect(
        formatUnits(
          back.reduce((s, e) => s + wei(e.tainted), 0n),
          18,
        ),
        method,
      ).toBe(t.returned);
      expect(t.start, method).toBe('182163.95603');
      if (method === 'haircut') {
        // Shares are rounded to base units node by node: equal to a few wei.
        const diff = wei(t.start) - ended;
        expect(diff < 1000n && diff > -1000n, `${method}: ${formatUnits(diff, 18)}`).toBe(true);
        continue;
      }
      expect(formatUnits(wei(t.start) + wei(t.poisonedClean), 18), method).toBe(formatUnits(ended, 18));
      // "Where it ended" is the held, at-service and hop-limit part, to the wei.
      expect(formatUnits(byService, 18), method).toBe(
        formatUnits(wei(t.held) + wei(t.atServices) + wei(t.hopLimit), 18),
      );
    }
    const poison = await traceFromStore(store, { chain: 'eth', from: [RONIN], method: 'poison' });
    // Before, poison's table summed every address's receipts (each hop counted again): more than left the seed.
    const byService = poison.byService.reduce((s, g) => s + wei(g.amount), 0n);
    expect(byService <= wei(poison.totals.start) + wei(poison.totals.poisonedClean)).toBe(true);
  });

  it('screening a listed address names LAZARUS GROUP and its listed counterparty, with evidence rows', async () => {
    const { results, findings } = await screenFromStore(store, [
      '0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b',
      '0x12',
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5',
    ]);
    expect(results[0]).toMatchObject({
      valid: true,
      listed: true,
      dprk: true,
      entities: [{ entityId: 'ofac-27307', name: 'LAZARUS GROUP', programs: ['DPRK3'] }],
    });
    expect(results[0]!.counterparties).toEqual([
      {
        address: RONIN,
        direction: 'in',
        transfers: 1,
        totals: { ETH: '18256.81' },
        entityId: 'ofac-27307',
        label: 'LAZARUS GROUP',
        txHashes: ['dspytdao_LazarusTabularTxs1322519.csv:L336'],
      },
    ]);
    expect(results[1]).toMatchObject({ valid: false, reason: 'must be 0x + 40 hex digits, got 2' });
    expect(results[2]).toMatchObject({ valid: false, reason: 'bech32: invalid checksum' });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'crypto.sanctioned_counterparty',
      subjects: [
        'wallet-eth-0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b',
        'wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96',
        'ofac-27307',
      ],
      start: '2022-04-19T02:15:29.000Z',
      evidence: [{ source: 'chain:eth', record: 'tx:dspytdao_LazarusTabularTxs1322519.csv:L336' }],
    });
  });

  it('importing the same file again is detected and adds nothing', async () => {
    const again = await importTransferFile(store, FILE);
    expect(again.created).toBe(false);
    expect((await queryTransfers(store.db, { chain: 'eth' })).length).toBe(436);
  });
});
