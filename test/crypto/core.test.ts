import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, checkAddress, detectAddress, displayAddress, walletEntityId } from '../../src/crypto/addresses.js';
import { formatUnits, MAX_UINT256, parseBaseUnits, parseUnits } from '../../src/crypto/amounts.js';
import {
  AttributionIndex,
  type AttributionLoad,
  loadAttribution,
  loadOfacAddresses,
} from '../../src/crypto/attribution.js';
import { isCoinJoinLike } from '../../src/crypto/cluster.js';
import { TransferGraph } from '../../src/crypto/graph.js';
import type { Transfer } from '../../src/crypto/model.js';
import { detectPeelChains } from '../../src/crypto/peel.js';
import { screenAddress, screenMany } from '../../src/crypto/screen.js';
import { ROLE_STOP, trace } from '../../src/crypto/trace.js';
import { InputError } from '../../src/errors.js';
import { readTransfersFile } from '../../src/ingest/transfers-file.js';
import { dataPath } from '../../src/paths.js';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'crypto');
const vectors = (f: string) => JSON.parse(readFileSync(dataPath('crypto', 'fixtures', 'bitcoinjs', f), 'utf8'));

describe('addresses', () => {
  it('accepts every Bitcoin Core base58 address vector on its network and rejects every invalid one', () => {
    for (const [addr, , meta] of vectors('base58_keys_valid.json') as Array<
      [string, string, { isPrivkey: boolean; isTestnet: boolean }]
    >) {
      if (meta.isPrivkey) continue;
      const r = checkAddress(meta.isTestnet ? 'btc-testnet' : 'btc', addr);
      expect(r, addr).toMatchObject({ ok: true, address: addr });
    }
    for (const [addr] of vectors('base58_keys_invalid.json') as Array<[string]>)
      expect(detectAddress(addr).ok, addr).toBe(false);
  });

  it('bech32 and bech32m from the bitcoinjs vectors, with the reason when invalid', () => {
    const a = vectors('address.json');
    for (const v of a.bech32) {
      const r = detectAddress(v.address);
      expect(r).toMatchObject({ ok: true, address: v.address.toLowerCase() });
    }
    expect(checkAddress('btc', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4')).toMatchObject({
      ok: true,
      address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      kind: 'p2wpkh',
    });
    expect(checkAddress('btc', 'bc1p3efq8ujsj0qr5xvms7mv89p8cz0crqdtuxe9ms6grqgxc9sgsntslthf6w')).toMatchObject({
      ok: true,
      kind: 'p2tr',
    });
    const bad = a.invalid.bech32.map((v: { address: string }) => detectAddress(v.address));
    expect(bad.every((r: { ok: boolean }) => !r.ok)).toBe(true);
    expect(detectAddress('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5')).toMatchObject({
      ok: false,
      reason: 'bech32: invalid checksum',
    });
    expect(detectAddress('tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7')).toMatchObject({
      ok: false,
      reason: 'bech32: mixed case',
    });
    expect(detectAddress('1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh')).toMatchObject({
      ok: false,
      reason: 'base58check: invalid checksum',
    });
  });

  it('native segwit per BIP-350: every valid vector is accepted (v1 with a 40-byte program too), every invalid one refused', () => {
    const v = JSON.parse(readFileSync(path.join(FIXTURES, 'bip350-segwit-addresses.json'), 'utf8')) as {
      valid: Array<[string, string]>;
      invalid: Array<[string, string]>;
    };
    for (const [address, script] of v.valid) {
      const kind = script.startsWith('0014')
        ? 'p2wpkh'
        : script.startsWith('0020')
          ? 'p2wsh'
          : script.startsWith('5120')
            ? 'p2tr'
            : 'witness-unknown';
      expect(detectAddress(address), address).toMatchObject({ ok: true, address: address.toLowerCase(), kind });
    }
    expect(
      checkAddress('btc', 'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y'),
    ).toMatchObject({ ok: true, kind: 'witness-unknown' });
    for (const [address, why] of v.invalid) expect(detectAddress(address).ok, `${address}: ${why}`).toBe(false);
    expect(detectAddress('bc1pw5dgrnzv')).toMatchObject({
      ok: false,
      reason: 'bech32: witness program of 1 bytes, must be 2..40',
    });
    expect(detectAddress('BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P')).toMatchObject({
      ok: false,
      reason: 'bech32: version 0 witness program of 16 bytes, must be 20 or 32',
    });
  });

  it('Ethereum: EIP-55 checked (keccak-256 from @noble/hashes), normal form lower case; Tron base58check with version 0x41', () => {
    expect(checkAddress('eth', '0x098B716B8Aaf21512996dC57EB0615e2383E2f96')).toMatchObject({
      ok: true,
      address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96',
    });
    // All lower (or upper) case carries no checksum; changing a digit of a checksummed form breaks it.
    expect(checkAddress('eth', '0x098b716b8aaf21512996dc57eb0615e2383e2f97')).toMatchObject({ ok: true });
    expect(checkAddress('eth', '0x098B716B8Aaf21512996dC57EB0615e2383E2f97').ok).toBe(false);
    expect(checkAddress('eth', '0x098B716B8Aaf21512996dC57EB0615e2383E2F96')).toMatchObject({
      ok: false,
      reason: 'bad EIP-55 checksum (mixed case that does not match)',
    });
    expect(checkAddress('eth', '0x098b716b8aaf21512996dc57eb0615e2383e2f9')).toMatchObject({
      ok: false,
      reason: 'must be 0x + 40 hex digits, got 39',
    });
    expect(checkAddress('eth', '0x098b716b8aaf21512996dc57eb0615e2383e2fzz')).toMatchObject({
      ok: false,
      reason: 'contains non-hex characters',
    });
    expect(displayAddress('eth', '0x098b716b8aaf21512996dc57eb0615e2383e2f96')).toBe(
      '0x098B716B8Aaf21512996dC57EB0615e2383E2f96',
    );
    expect(walletEntityId('eth', '0x098b716b8aaf21512996dc57eb0615e2383e2f96')).toBe(
      'wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96',
    );
    // OFAC files this Tron address as "XBT"; detection puts it right.
    expect(detectAddress('TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq', 'btc')).toMatchObject({ ok: true, chain: 'trx' });
    expect(checkAddress('btc', 'TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq')).toMatchObject({
      ok: false,
      reason: 'this is a Tron address (version byte 0x41), not Bitcoin',
    });
    expect(checkAddress('trx', 'TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzr').ok).toBe(false);
  });
});

describe('amounts', () => {
  it('parses decimals exactly, including scientific notation, and refuses overflow and excess precision', () => {
    expect(parseUnits('1e-05', 18)).toBe(10_000_000_000_000n);
    expect(parseUnits('8565.737089130746', 18)).toBe(8_565_737_089_130_746_000_000n);
    expect(formatUnits(parseUnits('0.1', 8), 8)).toBe('0.1');
    expect(() => parseUnits('0.000000001', 8, 'row 3: value')).toThrow(
      'row 3: value: "0.000000001" has 9 decimals, the asset has 8',
    );
    expect(() => parseUnits('1e80', 0)).toThrow('overflows uint256');
    expect(parseBaseUnits(MAX_UINT256.toString())).toBe(MAX_UINT256);
    expect(() => parseBaseUnits((MAX_UINT256 + 1n).toString(), 'amount')).toThrow(InputError);
    expect(() => parseBaseUnits('-5')).toThrow('is not an integer amount in base units');
  });
});

describe('attribution', () => {
  it('OFAC: 977 rows, each linked to its SDN entity; one "XBT" address is really Tron', async () => {
    const out: AttributionLoad = { tags: [], entities: new Map(), rejected: [], unsupported: {} };
    await loadOfacAddresses(dataPath('crypto', 'ofac', 'ofac_sdn_digital_currency_addresses_2026-08-20.csv'), out);
    const lazarus = out.tags.filter((t) => t.entityId === 'ofac-27307');
    expect(lazarus).toHaveLength(8);
    expect(lazarus.every((t) => t.chain === 'eth' && t.programs.join() === 'DPRK3' && t.dprk && t.sanctioned)).toBe(
      true,
    );
    expect(out.entities.get('ofac-27307')).toMatchObject({ name: 'LAZARUS GROUP', programs: ['DPRK3'] });
    expect(out.tags.find((t) => t.address === 'TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq')?.chain).toBe('trx');
    // Modelled chains (BTC, ETH and EVM, LTC, TRX incl. USDT/USDC on both) are kept; XMR, ZEC, SOL ... are counted.
    expect(out.tags.length + Object.values(out.unsupported).reduce((s, n) => s + n, 0)).toBe(977);
    expect(out.unsupported.XMR).toBe(11);
  });

  it('FBI and GraphSense tags name Lazarus Group and link to its SDN entry; exchanges and mixers are categorised', async () => {
    const a = await loadAttribution({ packs: ['lazarus', 'lazarus2', 'tornado_cash', 'exchange-wallets-binance'] });
    const idx = new AttributionIndex(a.tags, a.entities);
    const fbi = idx.get('eth', '0x94f1b9b64e2932f6a2db338f616844400cd58e8a');
    expect(fbi).toEqual([
      expect.objectContaining({ source: 'us_fbi_lazarus', entityId: 'ofac-27307', dprk: true, sanctioned: false }),
    ]);
    const gs = idx.get('btc', '1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE');
    expect(gs.find((t) => t.source === 'graphsense:lazarus')).toMatchObject({
      actor: 'lazarusgroup',
      entityId: 'ofac-27307',
      confidence: 0.95,
    });
    expect(idx.get('btc', '34xp4vRoCGJym3xR7yCVPFHoCNxv4Twseo')[0]).toMatchObject({
      category: 'exchange',
      actor: 'binance',
    });
    const tornado = a.tags.filter((t) => t.source === 'graphsense:tornado_cash');
    expect(tornado.length).toBeGreaterThan(30);
    expect(tornado.every((t) => t.category === 'mixing_service')).toBe(true);
  });

  it('screens a million addresses through the index (counts only; speed is in the bench)', () => {
    const idx = new AttributionIndex([
      {
        chain: 'eth',
        address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96',
        label: 'LAZARUS GROUP',
        category: 'sanctioned',
        abuse: null,
        actor: null,
        source: 't',
        sourceRecord: 't',
        confidence: 1,
        entityId: 'ofac-27307',
        programs: [],
        sanctioned: true,
        dprk: true,
      },
    ]);
    const inputs = ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96', '0xdeadbeef', '1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh'];
    // Strict by default: the base58 address with a bad checksum (its last letter's case changed) is an invalid row.
    const r = screenMany(idx, inputs);
    expect(r).toMatchObject({ screened: 3, invalid: 2 });
    expect(r.invalidRows).toEqual([
      { row: 2, input: '0xdeadbeef', reason: 'must be 0x + 40 hex digits, got 8' },
      { row: 3, input: '1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMh', reason: 'base58check: invalid checksum' },
    ]);
    expect(r.hits.map((h) => h.entities[0]?.entityId)).toEqual(['ofac-27307']);
    // --no-strict: shape only for addresses without a hit (the mistyped one passes as clean).
    expect(screenMany(idx, inputs, null, { strict: false })).toMatchObject({ screened: 3, invalid: 1 });
  });

  it('single and bulk screening normalise the same way: 0X-prefixed, upper-case and bad-checksum hex', () => {
    const idx = new AttributionIndex([
      {
        chain: 'eth',
        address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96',
        label: 'LAZARUS GROUP',
        category: 'sanctioned',
        abuse: null,
        actor: null,
        source: 't',
        sourceRecord: 't',
        confidence: 1,
        entityId: 'ofac-27307',
        programs: [],
        sanctioned: true,
        dprk: true,
      },
    ]);
    const inputs = [
      '0X098B716B8AAF21512996DC57EB0615E2383E2F96', // 0X prefix, upper-case hex (no checksum)
      '0X098B716B8Aaf21512996dC57EB0615e2383E2f96', // 0X prefix, valid EIP-55 mixed case
      '0x098b716b8aaf21512996dc57eb0615e2383e2f96',
      '0x098B716B8Aaf21512996dC57EB0615e2383E2F96', // mixed case with one letter's case wrong: bad checksum
    ];
    const single = inputs.map((i) => screenAddress(idx, i));
    expect(single.map((r) => [r.valid, r.listed])).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [false, false],
    ]);
    for (const strict of [true, false]) {
      const bulk = screenMany(idx, inputs, null, { strict });
      expect(bulk.hits.map((h) => h.input)).toEqual(inputs.slice(0, 3));
      expect(bulk.hits.map((h) => h.address)).toEqual(single.slice(0, 3).map((r) => r.address));
      expect(bulk.invalidRows).toEqual([
        { row: 4, input: inputs[3], reason: 'bad EIP-55 checksum (mixed case that does not match)' },
      ]);
    }
    expect(addressKey(inputs[0]!)).toEqual({ key: '0x098b716b8aaf21512996dc57eb0615e2383e2f96', chains: ['eth'] });
  });
});

// ---- trace algorithms on a small graph with values worked out by hand ---------------------------------------------

const T0 = Date.parse('2024-01-01T00:00:00Z');
function tr(from: string, to: string, amount: number, minute: number, hash = `0x${minute}`): Transfer {
  return {
    chain: 'eth',
    txHash: hash,
    blockNumber: minute,
    tsMs: T0 + minute * 60_000,
    from,
    to,
    asset: 'ETH',
    amount: BigInt(amount),
    decimals: 0,
    index: -1,
    kind: 'native',
  };
}

describe('trace methods (Anderson et al. definitions)', () => {
  // S (seed) sends 10 to A. A also holds 30 clean from C. A then pays 20 to B and 20 to X (an exchange).
  const transfers = [
    tr('C', 'A', 30, 1),
    tr('S', 'A', 10, 2),
    tr('A', 'B', 20, 3),
    tr('A', 'X', 20, 4),
    tr('B', 'D', 5, 5),
  ];
  const g = TransferGraph.fromTransfers(transfers);
  const roles = new Uint8Array(g.nodeCount);
  roles[g.id('X')!] = ROLE_STOP;
  const at = (r: ReturnType<typeof trace>, a: string) => ({
    received: r.receivedByNode[g.id(a)!],
    held: r.heldByNode[g.id(a)!],
  });

  it('haircut: each outflow carries the tainted share of the balance', () => {
    const r = trace({ graph: g, seeds: [g.id('S')!], roles, params: { method: 'haircut' } });
    // A: 40 with 10 tainted → 1/4 of each outflow. B gets 5 of 20, passes 1/4 of 5 on to D.
    expect(at(r, 'B')).toEqual({ received: 5, held: 3.75 });
    expect(at(r, 'X')).toEqual({ received: 5, held: 5 });
    expect(at(r, 'D')).toEqual({ received: 1.25, held: 1.25 });
    // Totals are base units (bigint); haircut's real-valued shares are rounded to whole base units.
    expect(r.totals).toMatchObject({ start: 10n, atServices: 5n, held: 5n, hopLimit: 0n, returned: 0n });
  });

  it('FIFO: the first units in are the first out; poison taints whole transfers', () => {
    const f = trace({ graph: g, seeds: [g.id('S')!], roles, params: { method: 'fifo' } });
    // A's tape: 30 clean then 10 tainted. Out: B takes units 0..20 (clean), X takes 20..40 (10 clean, 10 tainted).
    expect(at(f, 'B').received).toBe(0);
    expect(at(f, 'X')).toEqual({ received: 10, held: 10 });
    expect(f.totals).toMatchObject({ start: 10n, atServices: 10n, held: 0n, poisonedClean: 0n });
    const p = trace({ graph: g, seeds: [g.id('S')!], roles, params: { method: 'poison' } });
    expect([at(p, 'B').received, at(p, 'X').received, at(p, 'D').received]).toEqual([20, 20, 5]);
    // Held is received − sent onwards: B keeps 15 of its 20 (5 went on to D), A keeps nothing. A sent on 40
    // while it received 10 tainted: poison tainted 30 of A's clean funds, so 10 + 30 = held 20 + services 20.
    const node = (a: string) => p.nodes.find((x) => x.address === a)!;
    expect([node('A').held, node('B').held, node('D').held, node('X').held]).toEqual([0n, 15n, 5n, 20n]);
    expect(p.totals).toMatchObject({ start: 10n, held: 20n, atServices: 20n, poisonedClean: 30n, returned: 0n });
  });

  it('FIFO is exact in base units: 0.5 ETH behind a million clean ETH comes out as 0.5, not 0.500000000134', () => {
    const wei = (eth: bigint, frac = 0n) => eth * 10n ** 18n + frac;
    const t = (from: string, to: string, amount: bigint, minute: number): Transfer => ({
      ...tr(from, to, 0, minute),
      amount,
      decimals: 18,
    });
    const big = TransferGraph.fromTransfers([
      t('C', 'A', wei(1_000_000n, 123n), 1), // a million ETH (and 123 wei) of clean funds first on A's tape
      t('S', 'A', wei(0n, 5n * 10n ** 17n), 2), // then 0.5 ETH tainted
      t('A', 'X', wei(1_000_000n, 123n), 3), // A pays the clean part out first...
      t('A', 'B', wei(0n, 5n * 10n ** 17n), 4), // ...so B gets exactly the tainted 0.5 ETH
    ]);
    const f = trace({ graph: big, seeds: [big.id('S')!], params: { method: 'fifo' } });
    expect(f.edges.map((e) => [e.to, e.tainted])).toEqual([
      ['A', 500000000000000000n],
      ['B', 500000000000000000n],
    ]);
    expect(f.nodes.find((n) => n.address === 'B')!.held).toBe(500000000000000000n);
    expect(f.totals).toMatchObject({ start: 500000000000000000n, held: 500000000000000000n });
    // Backward from B: its 0.5 ETH is exactly the seed's, the million and 123 wei at A is not involved.
    const back = trace({ graph: big, seeds: [big.id('B')!], params: { method: 'fifo', direction: 'backward' } });
    expect(back.nodes.find((n) => n.address === 'S')!.received).toBe(500000000000000000n);
    expect(back.nodes.find((n) => n.address === 'C')).toBeUndefined();
    expect(back.totals).toMatchObject({ start: 500000000000000000n, untracked: 500000000000000000n });
  });

  it('transfers back to the seed are listed and counted as returned, and the sums conserve', () => {
    // S sends 10 to A; A sends 4 back to S and 6 to B.
    const back = TransferGraph.fromTransfers([tr('S', 'A', 10, 1), tr('A', 'S', 4, 2), tr('A', 'B', 6, 3)]);
    for (const method of ['poison', 'haircut', 'fifo'] as const) {
      const r = trace({ graph: back, seeds: [back.id('S')!], params: { method } });
      expect(
        r.edges.map((e) => [e.from, e.to, e.tainted]),
        method,
      ).toEqual([
        ['S', 'A', 10n],
        ['A', 'S', 4n],
        ['A', 'B', 6n],
      ]);
      expect(r.totals, method).toMatchObject({ start: 10n, returned: 4n, held: 6n, poisonedClean: 0n });
    }
  });

  it('limits: hops, minimum amount and time window', () => {
    const hops = trace({ graph: g, seeds: [g.id('S')!], roles, params: { method: 'haircut', maxHops: 2 } });
    expect(at(hops, 'D').received).toBe(0);
    expect(hops.heldByNode[g.id('B')!]).toBe(5); // 3.75 kept + 1.25 stopped by the hop limit
    expect(hops.totals.hopLimit).toBe(1n); // 1.25 base units, rounded
    const min = trace({ graph: g, seeds: [g.id('S')!], roles, params: { method: 'haircut', minAmount: 2 } });
    expect(min.totals.belowMin).toBe(1n);
    const until = trace({
      graph: g,
      seeds: [g.id('S')!],
      roles,
      params: { method: 'haircut', untilMs: T0 + 3 * 60_000 },
    });
    expect(at(until, 'X').received).toBe(0);
    expect(() => trace({ graph: g, seeds: [g.id('S')!], params: { maxHops: 0 } })).toThrow(
      'hops: must be an integer 1..100',
    );
  });

  it("backward: where did D's 5 come from", () => {
    const h = trace({ graph: g, seeds: [g.id('D')!], roles, params: { method: 'haircut', direction: 'backward' } });
    // D ← B (5) ← A (all of B's inflow) ← S 1/4, C 3/4.
    expect([at(h, 'S').received, at(h, 'C').received]).toEqual([1.25, 3.75]);
    const f = trace({ graph: g, seeds: [g.id('D')!], roles, params: { method: 'fifo', direction: 'backward' } });
    // FIFO: B's first 5 units came from A's units 0..5, which came from C.
    expect([at(f, 'S').received, at(f, 'C').received]).toEqual([0, 5]);
  });

  it('peel chains: a run of small peels and large change to fresh addresses', () => {
    const peel = [
      tr('H', 'P1', 100, 1),
      tr('P1', 'E1', 10, 2),
      tr('P1', 'P2', 90, 3),
      tr('P2', 'E2', 10, 4),
      tr('P2', 'P3', 80, 5),
      tr('P3', 'E3', 10, 6),
      tr('P3', 'P4', 70, 7),
    ];
    const pg = TransferGraph.fromTransfers(peel);
    const r = trace({ graph: pg, seeds: [pg.id('H')!], params: { method: 'haircut' } });
    const chains = detectPeelChains(r.edges);
    expect(chains).toHaveLength(1);
    expect(chains[0]!.path).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(chains[0]!.peeledTotal).toBe(30n);
  });

  it('CoinJoin-like: several input owners, equal-valued outputs', () => {
    const inp = (a: string) => ({ prevTxid: 'x', prevVout: 0, address: a, value: 100n });
    const out = (n: number, v: bigint) => ({ n, address: `o${n}`, value: v, scriptHex: '' });
    const base = { chain: 'btc' as const, txid: 't', blockHeight: 1, blockHash: null, tsMs: 0, coinbase: false };
    expect(
      isCoinJoinLike({
        ...base,
        inputs: ['a', 'b', 'c'].map(inp),
        outputs: [out(0, 90n), out(1, 90n), out(2, 90n), out(3, 25n)],
      }),
    ).toBe(true);
    expect(isCoinJoinLike({ ...base, inputs: ['a', 'b'].map(inp), outputs: [out(0, 150n), out(1, 45n)] })).toBe(false);
  });
});

describe('transfer files: bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wk-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names file:line and the reason, and imports nothing unless told to skip', async () => {
    const f = path.join(dir, 'bad.csv');
    writeFileSync(
      f,
      [
        'chain,tx_hash,block_time,from,to,amount',
        'eth,0x01,2024-01-01T00:00:00Z,0x098b716b8aaf21512996dc57eb0615e2383e2f96,0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b,1000',
        'eth,0x02,2024-01-01T00:00:00Z,0x098B716B8Aaf21512996dC57EB0615e2383E2F96,0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b,5',
        `eth,0x03,2024-01-01T00:00:00Z,0x098b716b8aaf21512996dc57eb0615e2383e2f96,0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b,${(MAX_UINT256 + 1n).toString()}`,
        'btc,abc,2024-01-01T00:00:00Z,1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH,3LRW7jeCvQCRdPF8S3yUCfRAx4eqXFmdcr,12',
      ].join('\n'),
    );
    await expect(readTransfersFile(f)).rejects.toThrow(
      /bad\.csv: 2 bad record\(s\), nothing imported[\s\S]*bad\.csv:3: from: invalid eth address "0x098B716B8Aaf21512996dC57EB0615e2383E2F96": bad EIP-55 checksum[\s\S]*bad\.csv:4: amount: \d+ overflows uint256/,
    );
    const r = await readTransfersFile(f, { skipBad: true });
    expect(r.transfers.map((t) => [t.chain, t.amount])).toEqual([
      ['eth', 1000n],
      ['btc', 12n],
    ]);
    expect(r.rejected.map((x) => x.where)).toEqual(['bad.csv:3', 'bad.csv:4']);
    const j = path.join(dir, 'ok.jsonl');
    writeFileSync(
      j,
      `${JSON.stringify({ chain: 'eth', tx_hash: '0x9', block_time: 1700000000000, from: '0x098b716b8aaf21512996dc57eb0615e2383e2f96', to: '0xa0e1c89ef1a489c9c7de96311ed5ce5d32c20e4b', value: '1.5' })}\n`,
    );
    expect((await readTransfersFile(j)).transfers[0]).toMatchObject({
      amount: 1_500_000_000_000_000_000n,
      decimals: 18,
      tsMs: 1700000000000,
    });
  });
});
