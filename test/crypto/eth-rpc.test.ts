import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tag } from '../../src/crypto/attribution.js';
import { JsonRpcClient, RpcError } from '../../src/crypto/rpc.js';
import { exposureFromStore, traceFromStore } from '../../src/crypto/service.js';
import { countTransfers, queryTransfers, replaceTags } from '../../src/crypto/store/repo.js';
import { ingestEthRpc } from '../../src/ingest/eth-rpc.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { type AnvilNode, abiWords, erc20TransferData, type Hex, parseEther, rpc, sendTx, startAnvil } from './anvil.js';
import { deployCode, erc20InitCode, PAYOUT_RUNTIME } from './evm-asm.js';

/**
 * A real anvil node: the tests make a bridge hack, a peel chain, a mixer-like fan-in/fan-out and an ERC-20
 * laundering path with plain JSON-RPC transactions, ingest the blocks over JSON-RPC into a DuckDB store and trace them.
 */

type Address = Hex;
type Hash = Hex;
const A = (hex: string) => `0x${hex.repeat(40 / hex.length)}` as Address;
const DEPLOYER = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' as Address; // anvil account 0
const HACKER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address; // anvil account 1
const U1 = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address;
const U2 = '0x90f79bf6eb2c4f870365e785982e1f101e93b906' as Address;
const P = [A('a1'), A('a2'), A('a3'), A('a4')];
const E = [A('e1'), A('e2'), A('e3'), A('e4')];
const W = [A('b1'), A('b2'), A('b3')];
const T = [A('c1'), A('c2')];

let node: AnvilNode;
let dir: string;
let store: Store;
let bridge: Address;
let mixer: Address;
let token: Address;
let hackTx: Hash;
let head: number;

function tag(address: string, category: string, label: string, extra: Partial<Tag> = {}): Tag {
  return {
    chain: 'eth',
    address: address.toLowerCase(),
    label,
    category,
    abuse: null,
    actor: null,
    source: 'test',
    sourceRecord: 'eth-rpc.test.ts',
    confidence: 1,
    entityId: null,
    programs: [],
    sanctioned: false,
    dprk: false,
    ...extra,
  };
}

beforeAll(async () => {
  node = await startAnvil();
  // No fees (anvil runs with base fee 0), so every balance is exactly what the transfers say.
  const send = async (from: Address, to: Address, eth: string, data?: Hex): Promise<Hash> => {
    const { hash, receipt } = await sendTx(node.url, { from, to, value: parseEther(eth), data });
    expect(receipt.status).toBe('success');
    return hash;
  };
  const deploy = async (bytecode: Hex): Promise<Address> => {
    const { receipt } = await sendTx(node.url, { from: DEPLOYER, data: bytecode });
    return receipt.contractAddress as Address;
  };
  const payout = (to: Address, eth: string): Hex => `0x${abiWords(to, parseEther(eth))}`;

  // The bridge holds 1,000 ETH; the exploit pays 600 ETH out to the hacker (an internal transfer).
  bridge = await deploy(deployCode(PAYOUT_RUNTIME));
  await send(DEPLOYER, bridge, '1000');
  hackTx = await send(HACKER, bridge, '0', payout(HACKER, '600'));
  // Peel chain: 500 ETH to a fresh address, then 50 ETH peeled to an exchange deposit at each hop.
  await send(HACKER, P[0]!, '500');
  await send(P[0]!, E[0]!, '50');
  await send(P[0]!, P[1]!, '450');
  await send(P[1]!, E[1]!, '50');
  await send(P[1]!, P[2]!, '400');
  await send(P[2]!, E[2]!, '50');
  await send(P[2]!, P[3]!, '350');
  // Mixer: the hacker and two clean users deposit 100 ETH each; three fresh addresses withdraw 100 ETH each.
  mixer = await deploy(deployCode(PAYOUT_RUNTIME));
  await send(HACKER, mixer, '100');
  await send(U1, mixer, '100');
  await send(U2, mixer, '100');
  for (const w of W) await send(U1, mixer, '0', payout(w, '100'));
  // ERC-20 laundering path: 250,000 tokens to the hacker, then two hops to an exchange.
  token = await deploy(erc20InitCode(1_000_000_000_000n));
  const tx = (to: Address, units: bigint) => erc20TransferData(to, units);
  await send(DEPLOYER, token, '0', tx(HACKER, 250_000_000_000n));
  await send(HACKER, token, '0', tx(T[0]!, 250_000_000_000n));
  await send(T[0]!, token, '0', tx(T[1]!, 250_000_000_000n));
  await send(T[1]!, token, '0', tx(E[3]!, 250_000_000_000n));
  // A failed transaction: 5 ETH sent with a token transfer the sender cannot cover; it reverts, nothing moves.
  const failed = await sendTx(node.url, {
    from: U2,
    to: token,
    value: parseEther('5'),
    data: tx(E[3]!, 1n),
    gas: 100_000n,
  });
  expect(failed.receipt.status).toBe('reverted');
  head = Number(await rpc<string>(node.url, 'eth_blockNumber'));

  dir = mkdtempSync(path.join(tmpdir(), 'wk-eth-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await replaceTags(
    store.db,
    [
      ...E.map((e, i) => tag(e, 'exchange', `Exchange deposit ${i + 1}`, { actor: 'testexchange' })),
      tag(mixer, 'mixing_service', 'Test mixer'),
      tag(HACKER, 'user', 'Bridge exploiter (test)', { dprk: true, actor: 'lazarusgroup', abuse: 'service_hack' }),
    ],
    'test',
  );
}, 120_000);

afterAll(async () => {
  await store?.close();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Ethereum JSON-RPC ingestion from a real anvil node', () => {
  it('reads native, internal (trace_block) and ERC-20 transfers of every block, atomically per batch', async () => {
    const r = await ingestEthRpc({ rpc: node.url, fromBlock: 0, toBlock: head, store, batchBlocks: 7 });
    expect(r.internalMode).toBe('trace_block');
    expect(r.blocks).toBe(head + 1);
    expect(r.transfers).toEqual({ native: 11, internal: 4, token: 5 });
    expect(await countTransfers(store.db, 'eth')).toBe(20);
    const hack = await queryTransfers(store.db, { chain: 'eth', address: HACKER.toLowerCase() });
    const internal = hack.find((t) => t.kind === 'internal')!;
    expect(internal).toMatchObject({
      txHash: hackTx,
      from: bridge.toLowerCase(),
      to: HACKER.toLowerCase(),
      amount: parseEther('600'),
      decimals: 18,
    });
    const tokenRows = await queryTransfers(store.db, { chain: 'eth', asset: token.toLowerCase() });
    expect(tokenRows.map((t) => t.decimals)).toEqual([6, 6, 6, 6, 6]);
    expect(tokenRows[0]!.from).toBe('0x0000000000000000000000000000000000000000');
    // Re-reading the same range finds every block stored with the same hash: nothing is imported twice.
    const again = await ingestEthRpc({ rpc: node.url, fromBlock: 0, toBlock: head, store });
    expect(again.skippedBlocks).toBe(head + 1);
    expect(await countTransfers(store.db, 'eth')).toBe(20);
  });

  it('the debug_traceBlockByNumber call tracer finds the same internal transfers', async () => {
    const r = await ingestEthRpc({ rpc: node.url, fromBlock: 0, toBlock: head, internal: 'debug' });
    const internal = r.transferList!.filter((t) => t.kind === 'internal');
    expect(internal.map((t) => [t.from, t.to, t.amount])).toEqual([
      [bridge.toLowerCase(), HACKER.toLowerCase(), parseEther('600')],
      ...W.map((w) => [mixer.toLowerCase(), w.toLowerCase(), parseEther('100')]),
    ]);
  });

  it('an address history keeps only the transfers touching it', async () => {
    const r = await ingestEthRpc({ rpc: node.url, fromBlock: 0, toBlock: head, addresses: [P[1]!] });
    expect(r.transferList!.map((t) => [t.from, t.to, t.amount])).toEqual([
      [P[0]!.toLowerCase(), P[1]!.toLowerCase(), parseEther('450')],
      [P[1]!.toLowerCase(), E[1]!.toLowerCase(), parseEther('50')],
      [P[1]!.toLowerCase(), P[2]!.toLowerCase(), parseEther('400')],
    ]);
  });

  it('haircut trace from the hacker: exchanges stop the trace, the mixer is marked, the peel chain is found', async () => {
    const r = await traceFromStore(store, { chain: 'eth', from: [HACKER], method: 'haircut' });
    expect(r.totals.start).toBe('600');
    expect(r.totals.atServices).toBe('150');
    const held = Object.fromEntries(r.nodes.map((n) => [n.address.toLowerCase(), n.held]));
    expect(held[P[3]!.toLowerCase()]).toBe('350');
    for (const w of W) expect(Number(held[w.toLowerCase()])).toBeCloseTo(100 / 3, 9);
    expect(r.byService[0]).toMatchObject({ service: 'unattributed addresses', amount: '450' });
    expect(r.byService.find((g) => g.service === 'testexchange')).toMatchObject({
      category: 'exchange',
      amount: '150',
      addresses: 3,
    });
    expect(r.mixers.map((m) => m.label)).toEqual(['Test mixer']);
    expect(r.peelChains).toHaveLength(1);
    const chain = r.peelChains[0]!;
    expect(chain.path.map((a) => a.toLowerCase())).toEqual([HACKER.toLowerCase(), ...P.map((p) => p.toLowerCase())]);
    expect(chain.peels.slice(1).map((p) => [p.to.toLowerCase(), p.amount])).toEqual(
      E.slice(0, 3).map((e) => [e.toLowerCase(), '50']),
    );
  });

  it('FIFO and poison differ at the mixer exactly as the methods say', async () => {
    const fifo = await traceFromStore(store, { chain: 'eth', txs: [hackTx], method: 'fifo' });
    const poison = await traceFromStore(store, { chain: 'eth', txs: [hackTx], method: 'poison' });
    const held = (r: typeof fifo, a: string) =>
      r.nodes.find((n) => n.address.toLowerCase() === a.toLowerCase())?.held ?? '0';
    // FIFO: the hacker's 100 ETH was the mixer's first deposit, so the first withdrawal carries all of it.
    expect(W.map((w) => held(fifo, w))).toEqual(['100', '0', '0']);
    expect(W.map((w) => held(poison, w))).toEqual(['100', '100', '100']);
    expect(fifo.totals.start).toBe('600');
    expect(held(fifo, P[3]!)).toBe('350');
  });

  it('ERC-20 laundering path: the token trace ends at the exchange deposit', async () => {
    const r = await traceFromStore(store, { chain: 'eth', from: [HACKER], asset: token, method: 'haircut' });
    expect(r.decimals).toBe(6);
    expect(r.totals.start).toBe('250000');
    expect(r.byService).toEqual([{ service: 'testexchange', category: 'exchange', amount: '250000', addresses: 1 }]);
    expect(r.edges.map((e) => e.hop)).toEqual([1, 2, 3]);
  });

  it('backward trace and exposure of an exchange deposit point to the attributed hacker', async () => {
    const back = await traceFromStore(store, { chain: 'eth', from: [E[1]!], method: 'haircut', direction: 'backward' });
    const hacker = back.nodes.find((n) => n.address.toLowerCase() === HACKER.toLowerCase())!;
    expect(hacker.hop).toBe(3);
    expect(hacker.received).toBe('50');
    const exp = await exposureFromStore(store, E[1]!, { hops: 4 });
    expect(exp.received).toBe('50');
    expect(exp.share).toBeCloseTo(1, 12);
    expect(exp.direct.amount).toBe('0');
    expect(exp.byHop).toEqual([{ hop: 3, amount: '50', share: 1 }]);
    const w2 = await exposureFromStore(store, W[1]!, { hops: 4 });
    expect(w2.share).toBeCloseTo(1 / 3, 9);
  });
});

describe('RPC failures, reorgs and missing blocks', () => {
  it('a range beyond the head is refused, naming the head', async () => {
    await expect(ingestEthRpc({ rpc: node.url, fromBlock: 0, toBlock: head + 5 })).rejects.toThrow(
      `(the node's head is ${head})`,
    );
  });

  it('transient HTTP 503s are retried with backoff; a hung node times out with a clear error', async () => {
    let failures = 2;
    const proxy = await serve(async (body, res) => {
      if (failures-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      const r = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(await r.text());
    });
    try {
      const client = new JsonRpcClient({ url: proxy.url, backoffMs: 10 });
      const r = await ingestEthRpc({ rpc: client, fromBlock: 1, toBlock: 3, internal: 'none' });
      expect(r.retries).toBe(2);
      expect(r.blocks).toBe(3);
    } finally {
      await proxy.close();
    }
    const hung = await serve(() => new Promise(() => {}));
    try {
      const client = new JsonRpcClient({ url: hung.url, timeoutMs: 200, attempts: 2, backoffMs: 10 });
      const err = await client.call('eth_blockNumber').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as Error).message).toMatch(/eth_blockNumber: timed out after 200 ms \(gave up after 2 attempts\)/);
    } finally {
      await hung.close();
    }
    const client = new JsonRpcClient({ url: node.url });
    await expect(client.call('no_such_method')).rejects.toThrow(/no_such_method: node error -32601/);
  });

  it('a batch that fails leaves nothing of itself in the store (earlier batches stay)', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'wk-eth-atomic-'));
    const s = await openStore({ url: path.join(d, 'wk.duckdb') });
    let calls = 0;
    const proxy = await serve(async (body, res) => {
      calls++;
      // eth_blockNumber, trace_block probe, first batch, decimals... then fail hard on the second block batch.
      if (body.includes('eth_getBlockByNumber') && body.includes(`"0x${(6).toString(16)}"`)) {
        const calls = JSON.parse(body) as Array<{ id: number }>;
        const errors = calls.map((c) => ({
          jsonrpc: '2.0',
          id: c.id,
          error: { code: -32602, message: 'invalid params' },
        }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(errors));
        return;
      }
      const r = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(await r.text());
    });
    try {
      await expect(
        ingestEthRpc({ rpc: proxy.url, fromBlock: 0, toBlock: 9, store: s, batchBlocks: 5 }),
      ).rejects.toThrow(/invalid params/);
      const blocks = await s.db.query('SELECT number FROM crypto_blocks ORDER BY number');
      expect(blocks.map((b) => Number(b.number))).toEqual([0, 1, 2, 3, 4]);
      const rows = await queryTransfers(s.db, { chain: 'eth' });
      expect(rows.every((t) => (t.blockNumber ?? 99) <= 4)).toBe(true);
      expect(calls).toBeGreaterThan(2);
    } finally {
      await proxy.close();
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('a reorg replaces the stored blocks and their transfers from the fork point', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'wk-eth-reorg-'));
    const s = await openStore({ url: path.join(d, 'wk.duckdb') });
    const other = await startAnvil();
    try {
      const pay = async (to: Address, eth: string) => {
        await sendTx(other.url, { from: DEPLOYER, to, value: parseEther(eth) });
      };
      await pay(A('d1'), '1');
      const snap = await rpc<string>(other.url, 'evm_snapshot');
      await pay(A('d2'), '2');
      await ingestEthRpc({ rpc: other.url, fromBlock: 0, toBlock: 2, store: s });
      expect((await queryTransfers(s.db, { chain: 'eth' })).map((t) => t.to)).toEqual([A('d1'), A('d2')]);
      // The chain reorganises: block 2 is replaced, and a block 3 follows.
      await rpc(other.url, 'evm_revert', [snap]);
      await pay(A('d3'), '3');
      await pay(A('d4'), '4');
      const r = await ingestEthRpc({ rpc: other.url, fromBlock: 3, toBlock: 3, store: s });
      expect(r.reorgedBlocks).toBe(1);
      expect((await queryTransfers(s.db, { chain: 'eth' })).map((t) => [t.blockNumber, t.to])).toEqual([
        [1, A('d1')],
        [2, A('d3')],
        [3, A('d4')],
      ]);
    } finally {
      await other.stop();
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});

async function serve(
  handler: (body: string, res: import('node:http').ServerResponse) => void | Promise<void>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      void handler(body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
