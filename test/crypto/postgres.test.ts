import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUnits } from '../../src/crypto/amounts.js';
import {
  exposureFromStore,
  importAttribution,
  importTransferFile,
  screenFromStore,
  traceFromStore,
} from '../../src/crypto/service.js';
import { insertUtxoTxs, loadTags, loadUtxoTxs, queryTransfers, rollbackUtxoFrom } from '../../src/crypto/store/repo.js';
import { parseRawBlock } from '../../src/ingest/btc-raw.js';
import { readTransfersFile } from '../../src/ingest/transfers-file.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { randomChain } from './random-utxo.js';

/** The crypto tables and queries are portable SQL: the same import and trace on PostgreSQL give the same answers. */
const available = postgresAvailable();
let pg: TestPostgres | undefined;
let store: Store;

describe.runIf(available)('crypto on PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('crypto');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
    await importAttribution(store, { packs: ['lazarus'] });
    await importTransferFile(store, dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv'));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  it('imports the Lazarus transfers exactly and traces them as on DuckDB', async () => {
    const rows = await queryTransfers(store.db, { chain: 'eth' });
    expect(rows).toHaveLength(436);
    // Amounts survive the TEXT round trip exactly: the same total as parsing the file.
    const file = await readTransfersFile(dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv'));
    const total = rows.reduce((s, t) => s + t.amount, 0n);
    expect(total).toBe(file.transfers.reduce((s, t) => s + t.amount, 0n));
    expect(Math.round(Number(formatUnits(total, 18)))).toBe(335_426); // PROVENANCE: Σ≈335,426 ETH
    const r = await traceFromStore(store, { chain: 'eth', from: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'] });
    expect(r.totals.start).toBe('182163.95603');
    expect(r.listedReached).toHaveLength(7);
    expect(r.byService.find((g) => g.service === 'LAZARUS GROUP (ofac-27307)')?.amount).toBe('140.143581706');
    const s = await screenFromStore(store, ['0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073']);
    expect(s.results[0]!.counterparties![0]).toMatchObject({ totals: { ETH: '10129.935' }, entityId: 'ofac-27307' });
  });

  it('reads only the frontier of a trace and gives the whole-graph report (src/crypto/frontier.ts)', async () => {
    for (const method of ['haircut', 'poison', 'fifo'] as const)
      for (const [direction, from] of [
        ['forward', '0x098B716B8Aaf21512996dC57EB0615e2383E2f96'],
        ['backward', '0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073'],
      ] as const) {
        const req = { chain: 'eth' as const, from: [from], method, direction, hops: 3, since: '2022-03-28T00:00:00Z' };
        let rows = 0;
        const frontier = await traceFromStore(store, req, { onStats: (s) => (rows = s.rowsRead) });
        expect(frontier).toEqual(await traceFromStore(store, req, { read: 'whole' }));
        expect(rows).toBeLessThan(436);
      }
  });

  it('measures exposure by frontier exactly as the whole graph does (src/crypto/exposure-frontier.ts)', async () => {
    const rows = await store.db.query(
      "SELECT to_addr AS a, COUNT(*) AS n FROM crypto_transfers WHERE chain = 'eth' AND asset = 'ETH' AND amount <> '0' GROUP BY to_addr ORDER BY n DESC, to_addr",
    );
    const targets = rows.filter((_, i) => i % 9 === 1).map((r) => String(r.a));
    expect(targets.length).toBeGreaterThanOrEqual(5);
    let exposed = 0;
    for (const [i, target] of targets.entries()) {
      const req = { method: (['haircut', 'poison', 'fifo'] as const)[i % 3], hops: 1 + (i % 4), finding: true };
      const frontier = await exposureFromStore(store, target, { ...req, batchSize: 3 });
      expect(frontier, target).toEqual(await exposureFromStore(store, target, { ...req, read: 'whole' }));
      if (frontier.share > 0) exposed++;
    }
    expect(exposed).toBeGreaterThan(0);
  });

  it('stores UTXO transactions with inputs and outputs and rolls them back by height', async () => {
    const blocks = JSON.parse(readFileSync(dataPath('crypto', 'fixtures', 'bitcoinjs', 'block.json'), 'utf8'));
    const b = parseRawBlock(blocks.valid.find((v: { height?: number }) => v.height === 542213).hex, 'btc', 542213);
    await store.db.transaction((tx) => insertUtxoTxs(tx, b.txs, 'test'));
    const back = await loadUtxoTxs(store.db, 'btc');
    expect(back.map((t) => t.txid).sort()).toEqual(b.txs.map((t) => t.txid).sort());
    const coinbase = back.find((t) => t.coinbase)!;
    expect(coinbase.outputs[0]).toMatchObject({ address: '1Nh7uHdvY6fNwtQtM1G5EZAFPLC33B59rB', value: 1_250_004_874n });
    await store.db.transaction((tx) => rollbackUtxoFrom(tx, 'btc', 542213));
    expect(await loadUtxoTxs(store.db, 'btc')).toEqual([]);
  });

  it('traces a random UTXO chain by frontier exactly as the whole-set trace does', async () => {
    await importAttribution(store, { packs: ['exchange-wallets-binance'] });
    const stops = (await loadTags(store.db, 'btc')).map((t) => t.address).sort();
    const c = randomChain(31, 200, 40, 12, stops.slice(0, 2), []);
    await store.db.transaction((tx) => insertUtxoTxs(tx, c.txs, 'random'));
    for (const method of ['haircut', 'poison', 'fifo'] as const) {
      const req = { chain: 'btc' as const, from: [c.addresses[0]!], method, hops: 4 };
      let read = 0;
      const frontier = await traceFromStore(store, req, { onUtxoStats: (s) => (read = s.txsRead), batchSize: 50 });
      expect(frontier).toEqual(await traceFromStore(store, req, { read: 'whole' }));
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(c.txs.length);
    }
    // Backward: the frontier over the transfers derived from the UTXO tables (src/crypto/utxo-transfer-reader.ts).
    for (const method of ['haircut', 'fifo'] as const) {
      const req = { chain: 'btc' as const, from: [c.addresses[2]!], method, direction: 'backward' as const, hops: 3 };
      let rows = 0;
      const frontier = await traceFromStore(store, req, { onStats: (s) => (rows = s.rowsRead), batchSize: 50 });
      expect(frontier).toEqual(await traceFromStore(store, req, { read: 'whole' }));
      expect(rows).toBeGreaterThan(0);
    }
  });
});
