import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBase58check, hex } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterAddresses, isCoinJoinLike } from '../../src/crypto/cluster.js';
import { clusterFromStore, exposureFromStore, importAttribution, traceFromStore } from '../../src/crypto/service.js';
import { clusterMembers, loadUtxoTxs } from '../../src/crypto/store/repo.js';
import { InputError } from '../../src/errors.js';
import { parseRawBlock, parseRawTx, resolvePrevouts } from '../../src/ingest/btc-raw.js';
import { type CoreBlock, coreBlockToUtxo, ingestBtcRpc } from '../../src/ingest/btc-rpc.js';
import { ingestEsplora } from '../../src/ingest/esplora.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const FIX = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'crypto', 'btc');
const json = (...p: string[]) => JSON.parse(readFileSync(path.join(...p), 'utf8'));
const vectors = (f: string) => json(dataPath('crypto', 'fixtures', 'bitcoinjs', f));

const HACKER = '3LU8wRu4ZnXP4UM8Yo6kkTiGHM9BubgyiG';
const EXCHANGE = '34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo';
const W1 = '1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i';
const W2 = '1Ax4gZtb7gAit2TivwejZHYtNNLT18PUXJ';

describe('raw transactions and blocks (bitcoinjs-lib test vectors, parsed with @scure/btc-signer)', () => {
  it('parses all 20 valid transaction vectors to their txids, and rejects the invalid ones', () => {
    const t = vectors('transaction.json');
    for (const v of t.valid) {
      const tx = parseRawTx(v.hex);
      expect(tx.txid).toBe(v.id);
      expect(tx.coinbase).toBe(v.coinbase);
      expect(tx.outputs.map((o) => o.value)).toEqual(v.raw.outs.map((o: { value: number }) => BigInt(o.value)));
    }
    // The address is the base58check of version 0x00 + the vector's P2PKH hash160 (computed here independently).
    const h160 = /OP_HASH160 ([0-9a-f]{40})/.exec(t.valid[0].raw.outs[0].script)![1]!;
    const b58 = createBase58check((b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest()));
    expect(parseRawTx(t.valid[0].hex).outputs[0]!.address).toBe(b58.encode(hex.decode(`00${h160}`)));
    for (const v of t.invalid.fromBuffer) expect(() => parseRawTx(v.hex)).toThrow(InputError);
  });

  it('parses the block vectors: genesis pays 50 BTC by P2PK, block 542213 has a witness commitment', () => {
    const b = vectors('block.json');
    for (const v of b.valid) expect(parseRawBlock(v.hex).hash).toBe(v.id);
    const genesis = parseRawBlock(b.valid.find((v: { description: string }) => v.description === 'Genesis Block').hex);
    expect(genesis.txs[0]!.txid).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    expect(genesis.txs[0]!.outputs[0]).toMatchObject({ address: null, value: 5_000_000_000n });
    const seg = parseRawBlock(b.valid.find((v: { height?: number }) => v.height === 542213).hex, 'btc', 542213);
    expect(seg.txs).toHaveLength(4);
    expect(seg.txs[0]!.outputs[0]).toMatchObject({
      address: '1Nh7uHdvY6fNwtQtM1G5EZAFPLC33B59rB',
      value: 1_250_004_874n,
    });
    expect(seg.txs[0]!.outputs[1]!.address).toBeNull(); // OP_RETURN witness commitment
    expect(resolvePrevouts(seg.txs)).toBe(0); // its inputs spend earlier blocks
  });
});

// ---- recorded node responses served by a local HTTP server ------------------------------------------------------

const chain: CoreBlock[] = json(FIX, 'core', 'chain-800000-800002-v3.json');
const block542213 = json(FIX, 'core', 'getblock-542213-v2.json').result as CoreBlock;

function stripPrevouts(b: CoreBlock): CoreBlock {
  return { ...b, tx: b.tx.map((t) => ({ ...t, vin: t.vin.map(({ prevout: _p, ...rest }) => rest) })) };
}

/** A Bitcoin Core JSON-RPC server answering from the recorded blocks; `v2only` mimics Core < 25. */
function coreHandler(opts: { v2only?: boolean; blocks?: CoreBlock[] }) {
  const blocks = opts.blocks ?? chain;
  return (body: string, res: ServerResponse) => {
    const req = JSON.parse(body);
    const answer = (r: { id: number; method: string; params: unknown[] }) => {
      const ok = (result: unknown) => ({ jsonrpc: '2.0', id: r.id, result, error: null });
      const err = (code: number, message: string) => ({
        jsonrpc: '2.0',
        id: r.id,
        result: null,
        error: { code, message },
      });
      switch (r.method) {
        case 'getblockcount':
          return ok(Math.max(...blocks.map((b) => b.height)));
        case 'getblockhash': {
          const b = blocks.find((x) => x.height === r.params[0]);
          return b ? ok(b.hash) : err(-8, 'Block height out of range');
        }
        case 'getblock': {
          const b = blocks.find((x) => x.hash === r.params[0]);
          if (!b) return err(-5, 'Block not found');
          if (r.params[1] === 3 && opts.v2only) return err(-8, 'Verbosity must be in range 0..2');
          return ok(r.params[1] === 3 ? b : stripPrevouts(b));
        }
        case 'getrawtransaction': {
          const t = blocks.flatMap((b) => b.tx).find((x) => x.txid === r.params[0]);
          return t
            ? ok(t)
            : err(-5, 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.');
        }
        default:
          return err(-32601, 'Method not found');
      }
    };
    const out = Array.isArray(req) ? req.map(answer) : answer(req);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  };
}

const esploraTxs: Array<{ txid: string }> = json(FIX, 'esplora', 'txs.json');
const esploraByAddress: Record<string, string[]> = json(FIX, 'esplora', 'address-txids.json');

function esploraHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  const send = (status: number, doc: unknown): void => {
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(typeof doc === 'string' ? doc : JSON.stringify(doc));
  };
  let m = /^\/tx\/([0-9a-f]{64})$/.exec(url);
  if (m) {
    const t = esploraTxs.find((x) => x.txid === m![1]);
    send(t ? 200 : 404, t ?? 'Transaction not found');
    return;
  }
  m = /^\/address\/([^/]+)\/txs$/.exec(url);
  if (m)
    send(
      200,
      (esploraByAddress[decodeURIComponent(m[1]!)] ?? []).map((id) => esploraTxs.find((x) => x.txid === id)),
    );
  else send(404, 'not found');
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `http://user:secret@127.0.0.1:${port}`,
    plain: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let dir: string;
let store: Store;
let core: Awaited<ReturnType<typeof listen>>;
let coreV2: Awaited<ReturnType<typeof listen>>;
let esplora: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-btc-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  const h = coreHandler({});
  core = await listen((req, res, body) => {
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('user:secret').toString('base64')}`);
    h(body, res);
  });
  const h2 = coreHandler({ v2only: true, blocks: [...chain, block542213] });
  coreV2 = await listen((_req, res, body) => h2(body, res));
  esplora = await listen((req, res) => esploraHandler(req, res));
  await importAttribution(store, { packs: ['exchange-wallets-binance', 'lazarus2'] });
});

afterAll(async () => {
  await Promise.all([core?.close(), coreV2?.close(), esplora?.close()]);
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Bitcoin Core JSON-RPC and Esplora REST (recorded responses)', () => {
  it('getblock verbosity 3: every input carries its prevout; stored atomically, re-import skips', async () => {
    const r = await ingestBtcRpc({ rpc: core.url, fromHeight: 800_000, toHeight: 800_002, store, batchBlocks: 2 });
    expect(r).toMatchObject({ blocks: 3, txs: 8, verbosity: 3, unresolvedInputs: 0, reorgedBlocks: 0 });
    const txs = await loadUtxoTxs(store.db, 'btc');
    expect(txs).toHaveLength(8);
    const theft = txs.find((t) => t.outputs[0]?.address === HACKER)!;
    expect(theft.inputs[0]).toMatchObject({
      address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      value: 1_000_000_000n,
    });
    expect(theft.outputs[0]!.value).toBe(999_990_000n);
    const again = await ingestBtcRpc({ rpc: core.url, fromHeight: 800_000, toHeight: 800_002, store });
    expect(again).toMatchObject({ txs: 0, skippedTxs: 8 });
  });

  it('Core JSON and the raw hex in the same answer parse to the same transactions', () => {
    for (const b of [...chain, block542213]) {
      const fromJson = coreBlockToUtxo(stripPrevouts(b), 'btc');
      b.tx.forEach((t, k) => {
        const raw = parseRawTx((t as unknown as { hex: string }).hex, 'btc', {
          blockHeight: b.height,
          tsMs: b.time * 1000,
        });
        expect(fromJson[k]!.txid).toBe(raw.txid);
        expect(fromJson[k]!.outputs).toEqual(raw.outputs);
        expect(fromJson[k]!.inputs.map((i) => [i.prevTxid, i.prevVout])).toEqual(
          raw.inputs.map((i) => [i.prevTxid, i.prevVout]),
        );
      });
    }
  });

  it('older nodes (verbosity 2 only) fall back to getrawtransaction; inputs without -txindex stay unresolved', async () => {
    const r = await ingestBtcRpc({ rpc: coreV2.plain, fromHeight: 800_000, toHeight: 800_002 });
    expect(r.verbosity).toBe(2);
    // Spends of outputs outside the recorded chain: the theft (1), the two-input payment (2), four CoinJoin inputs.
    expect(r.unresolvedInputs).toBe(7);
    const deposit = r.txList!.find((t) => t.outputs.some((o) => o.address === EXCHANGE))!;
    expect(deposit.inputs[0]).toMatchObject({ address: '3LRW7jeCvQCRdPF8S3yUCfRAx4eqXFmdcr', value: 900_000_000n });
    const real = await ingestBtcRpc({ rpc: coreV2.plain, fromHeight: 542_213, toHeight: 542_213 });
    const b = vectors('block.json').valid.find((v: { height?: number }) => v.height === 542213);
    expect(real.txList!.map((t) => t.txid)).toEqual(parseRawBlock(b.hex).txs.map((t) => t.txid));
    await expect(ingestBtcRpc({ rpc: coreV2.plain, fromHeight: 800_002, toHeight: 800_010 })).rejects.toThrow(
      /the node's height is 800002/,
    );
  });

  it('Esplora /tx and /address/:addr/txs give the same transactions as Core', async () => {
    const coreTxs = await loadUtxoTxs(store.db, 'btc');
    const byTx = await ingestEsplora({ url: esplora.plain, txids: coreTxs.map((t) => t.txid) });
    expect(byTx.txList!.sort((a, b) => a.txid.localeCompare(b.txid))).toEqual(
      [...coreTxs].sort((a, b) => a.txid.localeCompare(b.txid)),
    );
    const hist = await ingestEsplora({ url: esplora.plain, addresses: [HACKER] });
    expect(hist.txList!.map((t) => t.outputs.map((o) => o.value))).toEqual([
      [999_990_000n],
      [900_000_000n, 99_980_000n],
    ]);
    await expect(ingestEsplora({ url: esplora.plain, txids: ['0'.repeat(64)] })).rejects.toThrow(
      /not found \(HTTP 404\)/,
    );
  });

  it('clusters by common inputs and leaves the CoinJoin-like round out', async () => {
    const txs = await loadUtxoTxs(store.db, 'btc');
    expect(txs.filter(isCoinJoinLike)).toHaveLength(1);
    const c = clusterAddresses(txs);
    expect(c.coinjoinTxs).toHaveLength(1);
    expect(c.clusterOf.get(W1)).toBe(c.clusterOf.get(W2));
    expect(c.clusterOf.get(HACKER)).not.toBe(c.clusterOf.get('3LRW7jeCvQCRdPF8S3yUCfRAx4eqXFmdcr'));
    const r = await clusterFromStore(store, 'btc');
    expect(r).toMatchObject({ coinjoinsExcluded: 1, largest: 2 });
    expect(await clusterMembers(store.db, 'btc', W1)).toEqual([W1, W2].sort());
  });

  it('traces the FBI-attributed hacker to the Binance deposit and measures exposure of a cluster', async () => {
    const t = await traceFromStore(store, { chain: 'btc', from: [HACKER], method: 'haircut' });
    expect(t.totals.start).toBe('9');
    expect(t.totals.atServices).toBe('1');
    expect(t.byService.find((g) => g.category === 'exchange')).toMatchObject({
      service: 'binance',
      amount: '1',
      addresses: 1,
    });
    // The FBI attribution names Lazarus Group, so the tag links to its SDN entry.
    expect(t.seeds[0]!.tags.find((x) => x.source === 'us_fbi_lazarus')).toMatchObject({
      entityId: 'ofac-27307',
      dprk: true,
    });
    // Output-level methods through the CoinJoin-like round (P2's 7.9999 BTC is its first input):
    // FIFO taints the first five 1.5 BTC outputs in full and 0.4999 of P2's change; haircut spreads 7.9999/16.0599.
    const P2 = 'bc1p3efq8ujsj0qr5xvms7mv89p8cz0crqdtuxe9ms6grqgxc9sgsntslthf6w';
    const held = (r: typeof t, a: string) => r.nodes.find((n) => n.address === a)?.held ?? '0';
    const fifo = await traceFromStore(store, { chain: 'btc', from: [HACKER], method: 'fifo' });
    expect([held(fifo, W1), held(fifo, W2), held(fifo, P2), held(fifo, '1C5bSj1iEGUgSTbziymG7Cn18ENQuT36vv')]).toEqual([
      '1.5',
      '1.5',
      '0.4999',
      '0',
    ]);
    expect(Number(held(t, W1))).toBeCloseTo((1.5 * 7.9999) / 16.0599, 8);
    const poison = await traceFromStore(store, { chain: 'btc', from: [HACKER], method: 'poison' });
    expect(held(poison, '1C5bSj1iEGUgSTbziymG7Cn18ENQuT36vv')).toBe('2.06');
    const ex = await exposureFromStore(store, EXCHANGE);
    expect(ex).toMatchObject({ received: '1', share: 1, byHop: [{ hop: 2, amount: '1', share: 1 }] });
    const cl = await exposureFromStore(store, W1, { cluster: true });
    expect(cl.cluster).toEqual([W1, W2].sort());
    expect(cl.received).toBe('3');
    expect(cl.share).toBeCloseTo(799_990_000 / 1_605_990_000, 6);
    expect(cl.byHop.map((h) => h.hop)).toEqual([3]);
  });
});
