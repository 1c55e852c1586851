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
