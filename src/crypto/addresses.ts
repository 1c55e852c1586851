import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bech32, bech32m, createBase58check, hex } from '@scure/base';
import { Address, NETWORK, OutScript, TEST_NETWORK } from '@scure/btc-signer';
import { InputError } from '../errors.js';

/**
 * Address validation and normalisation per chain, with maintained libraries doing the hashing and checksums:
 * @noble/hashes keccak-256 for EIP-55, @scure/base for bech32 / bech32m (BIP-173 / BIP-350) and base58check,
 * @scure/btc-signer for legacy Bitcoin-like addresses and output scripts.
 *
 * Normal forms (what keys, ids and the store use); every path (single screening, bulk screening, imports) goes
 * through `checkAddress` / `detectAddress`, or `addressKey` for the bulk shape-only pass:
 * - Ethereum and EVM chains: lower-case hex (`0x098b716b8aaf21512996dc57eb0615e2383e2f96`), the form the lists
 *   importer uses in wallet ids too. The prefix may be `0x` or `0X` (spreadsheets and upper-cased columns write
 *   `0X...`). Mixed-case hex must carry a valid EIP-55 checksum; all-lower and all-upper hex has none.
 *   `displayAddress` gives the EIP-55 form for people.
 * - Bitcoin / Litecoin: base58 as given (it is case-sensitive), bech32/bech32m lower-cased. Native segwit
 *   follows BIP-173 and BIP-350: version 0 is bech32 with a 20- or 32-byte program, versions 1..16 are bech32m
 *   with a 2..40-byte program (a version-1 program of another length than 32 is a valid address, not Taproot).
 * - Tron: base58check with version byte 0x41, as given.
 */

export type Chain = 'eth' | 'btc' | 'btc-testnet' | 'ltc' | 'trx';

export const CHAINS: readonly Chain[] = ['eth', 'btc', 'btc-testnet', 'ltc', 'trx'];

/** Chains whose transfers are account-based (from/to) rather than UTXO. */
export function isUtxoChain(chain: Chain): boolean {
  return chain === 'btc' || chain === 'btc-testnet' || chain === 'ltc';
}

export type AddressKind =
  | 'eoa-or-contract' // Ethereum: 20 bytes, EOA and contract look the same
  | 'p2pkh'
  | 'p2sh'
  | 'p2wpkh'
  | 'p2wsh'
  | 'p2tr'
  | 'witness-unknown'
  | 'tron';

export type AddressCheck =
  | { ok: true; chain: Chain; address: string; kind: AddressKind }
  | { ok: false; chain: Chain | null; input: string; reason: string };

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
const b58check = createBase58check(sha256);

const LITECOIN = { bech32: 'ltc', pubKeyHash: 0x30, scriptHash: 0x32, wif: 0xb0 };
const BTC_NETWORKS = { btc: NETWORK, 'btc-testnet': TEST_NETWORK, ltc: LITECOIN } as const;

/** Map an asset/currency code as used by OFAC ("XBT"), GraphSense ("BTC") or users to a chain. */
export function chainFromAsset(code: string): Chain | null {
  switch (code.trim().toUpperCase()) {
    case 'ETH':
    case 'ETHEREUM':
    case 'ETC':
    case 'BSC':
    case 'BNB':
    case 'ARB':
    case 'MATIC':
    case 'POLYGON':
      return 'eth';
    case 'XBT':
    case 'BTC':
    case 'BITCOIN':
      return 'btc';
    case 'LTC':
    case 'LITECOIN':
      return 'ltc';
    case 'TRX':
    case 'TRON':
      return 'trx';
    default:
      return null;
  }
}

/** Parse a user-given chain name ("eth", "ETH", "bitcoin", ...). */
export function parseChain(name: string): Chain {
  const lower = name.trim().toLowerCase();
  if ((CHAINS as readonly string[]).includes(lower)) return lower as Chain;
  const c = chainFromAsset(name);
  if (!c) throw new InputError(`unknown chain "${name}": use one of ${CHAINS.join(', ')}`);
  return c;
}

/** Validate and normalise `input` as an address on `chain`; never throws. */
export function checkAddress(chain: Chain, input: string): AddressCheck {
  const raw = input.trim();
  if (raw === '') return { ok: false, chain, input, reason: 'empty address' };
  switch (chain) {
    case 'eth':
      return checkEth(raw);
    case 'trx':
      return checkTron(raw);
    default:
      return checkBitcoinLike(chain, raw);
  }
}

/** Validate with a chain hint first, then every chain; the chain is guessed from the address shape. */
export function detectAddress(input: string, hint?: Chain | null): AddressCheck {
  const raw = input.trim();
  if (hint) {
    const r = checkAddress(hint, raw);
    if (r.ok) return r;
  }
  const guess = guessChain(raw);
  if (guess) {
    const r = checkAddress(guess, raw);
    if (r.ok || !hint) return r;
  }
  if (hint) return checkAddress(hint, raw);
  return { ok: false, chain: null, input, reason: 'not an Ethereum, Bitcoin, Litecoin or Tron address' };
}

/** Normalise or throw an InputError naming `where` (file:line or field) and the reason. */
export function normaliseAddress(chain: Chain, input: string, where = 'address'): string {
  const r = checkAddress(chain, input);
  if (!r.ok) throw new InputError(`${where}: invalid ${chain} address "${input}": ${r.reason}`);
  return r.address;
}

/** The form to show people: EIP-55 checksummed on Ethereum, the normal form elsewhere. */
export function displayAddress(chain: Chain, address: string): string {
  return chain === 'eth' && /^0x[0-9a-f]{40}$/.test(address) ? eip55(address.slice(2)) : address;
}

/** EIP-55 mixed-case checksum form of 40 lower-case hex digits (without 0x). */
function eip55(lowerHex: string): string {
  const hash = keccak_256(new TextEncoder().encode(lowerHex));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lowerHex[i]!;
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

const HEX40 = /^0[xX][0-9a-fA-F]{40}$/;
const BECH32ISH = /^(bc|tb|bcrt|ltc)1[02-9ac-hj-np-z]{6,87}$/i;
const BASE58ISH = /^[1-9A-HJ-NP-Za-km-z]{25,35}$/;

/**
 * The normal-form key of an input from its shape alone (no checksum), for bulk probing of an index: the same
 * normalisation as `checkAddress` (hex lower-cased whatever the prefix's case, bech32 lower-cased, base58 as
 * given). Returns the chains the shape allows (base58 is shared by several) or null when no address has this
 * shape. A key found in an index must still be validated with `detectAddress` before it is reported.
 */
export function addressKey(input: string): { key: string; chains: readonly Chain[] } | null {
  const raw = input.trim();
  if (HEX40.test(raw)) return { key: `0x${raw.slice(2).toLowerCase()}`, chains: ETH_ONLY };
  if (BECH32ISH.test(raw)) {
    const lower = raw.toLowerCase();
    return {
      key: lower,
      chains: lower.startsWith('ltc1') ? LTC_ONLY : lower.startsWith('bc1') ? BTC_ONLY : TESTNET_ONLY,
    };
  }
  if (BASE58ISH.test(raw)) return { key: raw, chains: BASE58_CHAINS };
  return null;
}
/**
 * Bulk strict screening's fast path: true only when `detectAddress(input)` is certainly valid (any hint) and its
 * normal form is `k.key`; false means "not decided here", and the caller runs `detectAddress` (which also gives the
 * reason). It decides the two common shapes without the general path's regexes and objects:
 * - lower-case Ethereum hex: valid with no checksum work (EIP-55 applies to mixed case only);
 * - Bitcoin base58check P2PKH / P2SH (`1...`, `3...`): base58 decoded in 24-bit limbs, double SHA-256 checksum
 *   (`sha256dHead`) and version byte 0x00 / 0x05, exactly what @scure/btc-signer's `Address().decode` accepts.
 */
export function quickValid(input: string, k: { key: string; chains: readonly Chain[] }): boolean {
  if (k.chains === ETH_ONLY) {
    const raw = input.length === 42 ? input : input.trim();
    for (let i = 2; i < 42; i++) {
      const c = raw.charCodeAt(i);
      if (c >= 65 && c <= 70) return false; // an upper-case hex letter: checksum or all-upper, general path
    }
    return true;
  }
  if (k.chains === BASE58_CHAINS) {
    const c0 = k.key.charCodeAt(0);
    if (c0 !== 49 && c0 !== 51) return false; // '1' or '3': Bitcoin mainnet
    const bytes = base58Decode25(k.key);
    if (!bytes || (bytes[0] !== 0x00 && bytes[0] !== 0x05)) return false;
    const check = ((bytes[21]! << 24) | (bytes[22]! << 16) | (bytes[23]! << 8) | bytes[24]!) >>> 0;
    return sha256dHead(bytes, 21) === check;
  }
  return false;
}

const B58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B58_DIGIT = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 58; i++) t[B58_ALPHABET.charCodeAt(i)] = i;
  return t;
})();
const LIMB24 = 2 ** 24;
const b58Limbs = new Float64Array(10); // little-endian base-2^24 limbs of the value (up to 240 bits)

/**
 * Base58 decoding (leading '1's are zero bytes, the rest the big-endian minimal bytes of the number) when the
 * result is exactly 25 bytes, else null. Three digits at a time (58^3 < 2^18) into 24-bit limbs: products stay
 * below 2^42, exact in float64.
 */
export function base58Decode25(s: string): Uint8Array | null {
  const n = s.length;
  let zeros = 0;
  while (zeros < n && s.charCodeAt(zeros) === 49) zeros++;
  const limbs = b58Limbs;
  limbs.fill(0);
  let used = 1;
  for (let i = zeros; i < n; ) {
    let mul = 1;
    let add = 0;
    for (let j = 0; j < 3 && i < n; j++, i++) {
      const c = s.charCodeAt(i);
      const d = c < 128 ? B58_DIGIT[c]! : -1;
      if (d < 0) return null;
      mul *= 58;
      add = add * 58 + d;
    }
    let carry = add;
    for (let l = 0; l < used; l++) {
      const x = limbs[l]! * mul + carry;
      carry = Math.floor(x / LIMB24);
      limbs[l] = x - carry * LIMB24;
    }
    while (carry > 0) {
      if (used === limbs.length) return null;
      const next = Math.floor(carry / LIMB24);
      limbs[used++] = carry - next * LIMB24;
      carry = next;
    }
  }
  // Minimal big-endian bytes of the value.
  let top = used - 1;
  while (top > 0 && limbs[top] === 0) top--;
  const bits = top * 24 + 32 - Math.clz32(limbs[top]!);
  const valueBytes = Math.ceil(bits / 8);
  if (zeros + valueBytes !== 25) return null;
  const out = new Uint8Array(25);
  for (let b = 0; b < valueBytes; b++) {
    // Byte b from the least significant end: bits [8b, 8b + 8).
    const l = (b / 3) | 0;
    out[24 - b] = (limbs[l]! >>> ((b - l * 3) * 8)) & 0xff;
  }
  return out;
}
// SHA-256 (FIPS 180-4) of one-block messages, for base58check in bulk: node:crypto's one-shot hash allocates two
// Buffers per call, which made it 4 µs of the 5 µs spent per base58 address on a million-address run. Checked
// against node:crypto on every message length it takes (test/crypto/screen-fast.test.ts).
const SHA256_K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const SHA256_IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const shaW = new Int32Array(64);
const shaH = new Int32Array(8);

/** One SHA-256 compression of the block in shaW[0..15] from the initial value, into shaH. */
function sha256Block(): void {
  const W = shaW;
  for (let t = 16; t < 64; t++) {
    const a = W[t - 15]!;
    const b = W[t - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
  }
  const iv = SHA256_IV;
  let a = iv[0]!;
  let b = iv[1]!;
  let c = iv[2]!;
  let d = iv[3]!;
  let e = iv[4]!;
  let f = iv[5]!;
  let g = iv[6]!;
  let h = iv[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + SHA256_K[t]! + W[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  shaH[0] = (iv[0]! + a) | 0;
  shaH[1] = (iv[1]! + b) | 0;
  shaH[2] = (iv[2]! + c) | 0;
  shaH[3] = (iv[3]! + d) | 0;
  shaH[4] = (iv[4]! + e) | 0;
  shaH[5] = (iv[5]! + f) | 0;
  shaH[6] = (iv[6]! + g) | 0;
  shaH[7] = (iv[7]! + h) | 0;
}

/**
 * The first four bytes (big-endian, unsigned) of SHA-256(SHA-256(data[0..len))), the base58check checksum, for
 * len ≤ 55 (one block); no allocation.
 */
export function sha256dHead(data: Uint8Array, len: number): number {
  if (len > 55) throw new RangeError('sha256dHead: at most 55 bytes');
  const W = shaW;
  W.fill(0, 0, 16);
  for (let i = 0; i < len; i++) W[i >> 2]! |= data[i]! << (24 - 8 * (i & 3));
  W[len >> 2]! |= 0x80 << (24 - 8 * (len & 3));
  W[15] = len * 8;
  sha256Block();
  // Second pass: the 32-byte digest, padded.
  for (let i = 0; i < 8; i++) W[i] = shaH[i]!;
  W[8] = 0x80000000 | 0;
  W.fill(0, 9, 15);
  W[15] = 256;
  sha256Block();
  return shaH[0]! >>> 0;
}

const ETH_ONLY: readonly Chain[] = ['eth'];
const LTC_ONLY: readonly Chain[] = ['ltc'];
const BTC_ONLY: readonly Chain[] = ['btc'];
const TESTNET_ONLY: readonly Chain[] = ['btc-testnet'];
const BASE58_CHAINS: readonly Chain[] = ['btc', 'trx', 'ltc', 'btc-testnet'];

/** Entity id of a wallet (FtM CryptoWallet): `wallet-<chain>-<normalised address>`. */
export function walletEntityId(chain: Chain, normalised: string): string {
  return `wallet-${chain}-${normalised}`;
}

function guessChain(raw: string): Chain | null {
  if (/^0x/i.test(raw)) return 'eth';
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(raw)) return 'trx';
  const lower = raw.toLowerCase();
  const b58 = /^[1-9A-HJ-NP-Za-km-z]{25,35}$/.test(raw);
  if (lower.startsWith('bc1') || (b58 && /^[13]/.test(raw))) return 'btc';
  if (lower.startsWith('ltc1') || (b58 && /^[LM]/.test(raw))) return 'ltc';
  if (lower.startsWith('tb1') || lower.startsWith('bcrt1') || (b58 && /^[mn2]/.test(raw))) return 'btc-testnet';
  return null;
}

function checkEth(raw: string): AddressCheck {
  if (!/^0x/i.test(raw)) return { ok: false, chain: 'eth', input: raw, reason: 'must start with 0x' };
  if (raw.length !== 42)
    return { ok: false, chain: 'eth', input: raw, reason: `must be 0x + 40 hex digits, got ${raw.length - 2}` };
  if (!HEX40.test(raw)) return { ok: false, chain: 'eth', input: raw, reason: 'contains non-hex characters' };
  const body = raw.slice(2);
  const lower = body.toLowerCase();
  const mixed = body !== lower && body !== body.toUpperCase();
  if (mixed && eip55(lower).slice(2) !== body) {
    return { ok: false, chain: 'eth', input: raw, reason: 'bad EIP-55 checksum (mixed case that does not match)' };
  }
  return { ok: true, chain: 'eth', address: `0x${lower}`, kind: 'eoa-or-contract' };
}

function checkTron(raw: string): AddressCheck {
  let bytes: Uint8Array;
  try {
    bytes = b58check.decode(raw);
  } catch (e) {
    return { ok: false, chain: 'trx', input: raw, reason: `base58check: ${(e as Error).message}` };
  }
  if (bytes.length !== 21)
    return { ok: false, chain: 'trx', input: raw, reason: `payload is ${bytes.length} bytes, expected 21` };
  if (bytes[0] !== 0x41) {
    return { ok: false, chain: 'trx', input: raw, reason: `version byte 0x${bytes[0]!.toString(16)}, expected 0x41` };
  }
  return { ok: true, chain: 'trx', address: raw, kind: 'tron' };
}

function checkBitcoinLike(chain: 'btc' | 'btc-testnet' | 'ltc', raw: string): AddressCheck {
  const net = BTC_NETWORKS[chain];
  const lowerRaw = raw.toLowerCase();
  const hrp = lowerRaw.startsWith(`${net.bech32}1`)
    ? net.bech32
    : chain === 'btc-testnet' && lowerRaw.startsWith('bcrt1')
      ? 'bcrt'
      : null;
  if (hrp !== null) return checkSegwit(chain, hrp, raw);
  try {
    const decoded = Address(net).decode(raw);
    return { ok: true, chain, address: raw, kind: kindOf(decoded.type) };
  } catch (e) {
    return { ok: false, chain, input: raw, reason: explainBtcError((e as Error).message, raw) };
  }
}

/**
 * Native segwit address (BIP-173, BIP-350): witness version 0 with a bech32 checksum and a 20- or 32-byte
 * program (BIP-141), versions 1..16 with a bech32m checksum and a 2..40-byte program.
 */
function checkSegwit(chain: 'btc' | 'btc-testnet' | 'ltc', hrp: string, raw: string): AddressCheck {
  const bad = (reason: string): AddressCheck => ({ ok: false, chain, input: raw, reason });
  if (raw !== raw.toLowerCase() && raw !== raw.toUpperCase()) return bad('bech32: mixed case');
  const address = raw.toLowerCase() as `${string}1${string}`;
  if (address.length > 90) return bad(`bech32: ${address.length} characters, at most 90`);
  const m = bech32m.decodeUnsafe(address, 90);
  const b = m ? undefined : bech32.decodeUnsafe(address, 90);
  const d = m ?? b;
  if (!d) return bad('bech32: invalid checksum');
  if (d.prefix !== hrp) return bad(`bech32: prefix "${d.prefix}", expected "${hrp}"`);
  if (d.words.length === 0) return bad('bech32: empty data part');
  const version = d.words[0]!;
  if (version > 16) return bad(`bech32: witness version ${version}, at most 16`);
  if (version === 0 && !b) return bad('bech32: invalid checksum (bech32m used for witness version 0)');
  if (version > 0 && !m) return bad(`bech32: invalid checksum (bech32 used for witness version ${version})`);
  const program = bech32.fromWordsUnsafe(d.words.slice(1));
  if (!program) return bad('bech32: bad padding in the witness program');
  if (program.length < 2 || program.length > 40)
    return bad(`bech32: witness program of ${program.length} bytes, must be 2..40`);
  if (version === 0 && program.length !== 20 && program.length !== 32)
    return bad(`bech32: version 0 witness program of ${program.length} bytes, must be 20 or 32`);
  const kind: AddressKind =
    version === 0
      ? program.length === 20
        ? 'p2wpkh'
        : 'p2wsh'
      : version === 1 && program.length === 32
        ? 'p2tr'
        : 'witness-unknown';
  return { ok: true, chain, address, kind };
}

function kindOf(type: string): AddressKind {
  switch (type) {
    case 'pkh':
      return 'p2pkh';
    case 'sh':
      return 'p2sh';
    case 'wpkh':
      return 'p2wpkh';
    case 'wsh':
      return 'p2wsh';
    case 'tr':
      return 'p2tr';
    default:
      return 'witness-unknown';
  }
}

function explainBtcError(message: string, raw: string): string {
  if (/prefix=65/.test(message) && raw.startsWith('T'))
    return 'this is a Tron address (version byte 0x41), not Bitcoin';
  if (/checksum/i.test(message))
    return /^(bc|tb|ltc|bcrt)1/i.test(raw) ? 'bech32: invalid checksum' : 'base58check: invalid checksum';
  return message.replace(/ in .*$/, '');
}

/** The Bitcoin-like address paying to an output script, or null for non-standard / OP_RETURN outputs. */
export function addressFromScript(chain: 'btc' | 'btc-testnet' | 'ltc', script: Uint8Array): string | null {
  try {
    const decoded = OutScript.decode(script);
    if (decoded.type === 'unknown' || decoded.type === 'ms' || decoded.type === 'tr_ms' || decoded.type === 'tr_ns') {
      return null;
    }
    if (decoded.type === 'pk') return null;
    return Address(BTC_NETWORKS[chain]).encode(decoded);
  } catch {
    return null;
  }
}

/** Output script (hex) for a Bitcoin-like address. */
export function scriptForAddress(chain: 'btc' | 'btc-testnet' | 'ltc', address: string): string {
  return hex.encode(OutScript.encode(Address(BTC_NETWORKS[chain]).decode(address)));
}
