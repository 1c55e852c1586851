import { createHash } from 'node:crypto';
import { bech32m, createBase58check, hex } from '@scure/base';
import { Address, NETWORK, OutScript, TEST_NETWORK } from '@scure/btc-signer';
import { getAddress, isAddress } from 'viem';
import { InputError } from '../errors.js';

/**
 * Address validation and normalisation per chain, with maintained libraries doing the checksums: viem for EIP-55,
 * @scure/btc-signer (on @scure/base) for base58check / bech32 / bech32m, @scure/base base58check for Tron.
 *
 * Normal forms (what keys, ids and the store use):
 * - Ethereum and EVM chains: lower-case hex (`0x098b716b8aaf21512996dc57eb0615e2383e2f96`), the form the lists
 *   importer uses in wallet ids too. Mixed-case input must carry a valid EIP-55 checksum (checked with viem);
 *   all-lower and all-upper input has none. `displayAddress` gives the EIP-55 form for people.
 * - Bitcoin / Litecoin: base58 as given (it is case-sensitive), bech32/bech32m lower-cased.
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
  return chain === 'eth' && /^0x[0-9a-f]{40}$/.test(address) ? getAddress(address) : address;
}

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
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw.replace(/^0X/, '0x'))) {
    return { ok: false, chain: 'eth', input: raw, reason: 'contains non-hex characters' };
  }
  const body = raw.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  const candidate = `0x${body}`;
  if (mixed && !isAddress(candidate, { strict: true })) {
    return { ok: false, chain: 'eth', input: raw, reason: 'bad EIP-55 checksum (mixed case that does not match)' };
  }
  return { ok: true, chain: 'eth', address: candidate.toLowerCase(), kind: 'eoa-or-contract' };
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
  const isBech =
    raw.toLowerCase().startsWith(`${net.bech32}1`) ||
    (chain === 'btc-testnet' && raw.toLowerCase().startsWith('bcrt1'));
  if (isBech && raw !== raw.toLowerCase() && raw !== raw.toUpperCase()) {
    return { ok: false, chain, input: raw, reason: 'bech32: mixed case' };
  }
  const candidate = isBech ? raw.toLowerCase() : raw;
  try {
    const decoded = Address(net).decode(candidate);
    return { ok: true, chain, address: candidate, kind: kindOf(decoded.type) };
  } catch (e) {
    // Witness versions 2..16 (BIP-350: bech32m, program 2..40 bytes) are valid addresses nobody uses yet.
    if (isBech) {
      try {
        const d = bech32m.decode(candidate as `${string}1${string}`);
        const version = d.words[0]!;
        const program = bech32m.fromWords(d.words.slice(1));
        if (d.prefix === net.bech32 && version >= 2 && version <= 16 && program.length >= 2 && program.length <= 40) {
          return { ok: true, chain, address: candidate, kind: 'witness-unknown' };
        }
      } catch {
        // fall through to the original reason
      }
    }
    return { ok: false, chain, input: raw, reason: explainBtcError((e as Error).message, raw) };
  }
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
