import { createHash } from 'node:crypto';
import { base58, createBase58check } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { addressKey, base58Decode25, detectAddress, quickValid, sha256dHead } from '../../src/crypto/addresses.js';
import { AttributionIndex, loadAttribution } from '../../src/crypto/attribution.js';
import { screenMany } from '../../src/crypto/screen.js';
import { xorshift32 } from '../support/prng.js';

// Deterministic PRNG (xorshift32): the same inputs on every run.
const rand = xorshift32(0x2545f491);
const b58c = createBase58check((d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest()));
const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));

/** Base58check strings of every kind the fast path must decide or hand over: valid, corrupted, other versions. */
function base58Inputs(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const payload = randomBytes(21);
    // Versions: Bitcoin P2PKH / P2SH, Litecoin, testnet, Tron, and leading zero bytes in the hash.
    payload[0] = [0x00, 0x05, 0x30, 0x32, 0x6f, 0xc4, 0x41, 0x00][i % 8]!;
    if (i % 50 === 7) payload[1] = 0;
    if (i % 100 === 9) payload.fill(0, 1, 4);
    const good = b58c.encode(payload);
    out.push(good);
    // One character changed (a checksum error, or another valid-looking string).
    const pos = 1 + Math.floor(rand() * (good.length - 1));
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    out.push(good.slice(0, pos) + alphabet[Math.floor(rand() * 58)]! + good.slice(pos + 1));
    // Other lengths: 20- and 22-byte payloads with a valid checksum, and a dropped character.
    out.push(b58c.encode(randomBytes(20 + 2 * (i % 2))));
    out.push(good.slice(0, -1));
  }
  return out;
}

describe('bulk strict screening fast path', () => {
  it('base58Decode25 decodes exactly as @scure/base does (25-byte results only)', () => {
    let decided = 0;
    for (const s of base58Inputs()) {
      const ref = base58.decode(s);
      const fast = base58Decode25(s);
      if (ref.length === 25) {
        expect(fast).toEqual(ref);
        decided++;
      } else expect(fast).toBeNull();
    }
    expect(decided).toBeGreaterThan(2000);
    expect(base58Decode25('1111111111111111111111111')).toEqual(new Uint8Array(25));
    expect(base58Decode25('0OIl')).toBeNull();
  });

  it('quickValid says valid only where detectAddress does, with the same normal form', () => {
    const hex = (): string => Array.from(randomBytes(20), (b) => b.toString(16).padStart(2, '0')).join('');
    const inputs = [
      ...base58Inputs(),
      ...Array.from({ length: 500 }, () => `0x${hex()}`),
      ...Array.from({ length: 100 }, () => `0X${hex()}`),
      ...Array.from({ length: 100 }, () => `0x${hex().toUpperCase()}`),
      // Mixed case: a valid EIP-55 form and the same with one letter's case flipped.
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD',
      '  0x098b716b8aaf21512996dc57eb0615e2383e2f96  ',
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
      'LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1',
    ];
    let fast = 0;
    for (const input of inputs) {
      const k = addressKey(input);
      if (!k || !quickValid(input, k)) continue;
      fast++;
      for (const hint of [null, 'btc', 'ltc', 'eth', 'trx', 'btc-testnet'] as const) {
        const d = detectAddress(input, hint);
        expect(d.ok, `${input} (hint ${hint})`).toBe(true);
        if (d.ok) {
          expect(d.address).toBe(k.key);
          expect(k.chains).toContain(d.chain);
        }
      }
    }
    // The fast path decides most of them: lower-case hex and valid Bitcoin P2PKH / P2SH.
    expect(fast).toBeGreaterThan(600);
  });

  it('strict screening gives the same counts, hits and invalid rows with and without the fast path', async () => {
    const a = await loadAttribution({ packs: ['lazarus', 'lazarus2', 'tornado_cash', 'exchange-wallets-binance'] });
    const index = new AttributionIndex(a.tags, a.entities);
    const listed = a.tags.filter((t) => t.sanctioned && (t.chain === 'eth' || t.chain === 'btc')).map((t) => t.address);
    const inputs = [
      ...base58Inputs().slice(0, 1500),
      ...listed.slice(0, 50),
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD',
    ];
    const fastResult = screenMany(index, inputs, null, { strict: true, maxInvalidRows: 10_000 });
    // The reference: every input through detectAddress, as single screening does.
    let invalid = 0;
    const reasons: string[] = [];
    const hits: string[] = [];
    for (const input of inputs) {
      const d = detectAddress(input, null);
      if (!d.ok) {
        invalid++;
        reasons.push(`${input}: ${d.reason}`);
      } else if (index.has(d.chain, d.address)) hits.push(d.address);
    }
    expect(fastResult.invalid).toBe(invalid);
    expect(fastResult.invalidRows.map((r) => `${r.input}: ${r.reason}`)).toEqual(reasons);
    expect(fastResult.hits.map((h) => h.address?.toLowerCase())).toEqual(hits.map((h) => h.toLowerCase()));
    expect(hits.length).toBeGreaterThan(10);
    expect(invalid).toBeGreaterThan(300);
  });
});

describe('sha256dHead', () => {
  it('matches node:crypto double SHA-256 on every length 0..55', () => {
    for (let len = 0; len <= 55; len++) {
      for (let rep = 0; rep < 20; rep++) {
        const data = randomBytes(len);
        const ref = createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
        expect(sha256dHead(data, len), `length ${len}`).toBe(ref.readUInt32BE(0));
      }
    }
    // FIPS 180-4 "abc": SHA-256 = ba7816bf..., and SHA-256 of that digest starts 4f8b42c2.
    expect(sha256dHead(new TextEncoder().encode('abc'), 3).toString(16)).toBe('4f8b42c2');
  });
});
