/**
 * Identifier normalisation and validation: IMO numbers (check digit), MMSI (nine digits with a maritime
 * identification digit), passports and other document numbers, and crypto addresses per chain. A normalised
 * identifier is what the index stores and what an exact-match feature compares.
 */

import { mmsiMid as readMmsi } from '../maritime/ais/mid.js';

/**
 * IMO ship number: seven digits whose last digit is the check digit (the first six multiplied by 7..2, summed,
 * mod 10). Accepts "IMO 9123456", "9123456", "IMO9123456". Returns the seven digits or undefined when invalid.
 */
export function normaliseImo(value: string): string | undefined {
  const digits = value.replace(/^\s*imo[\s:.-]*/i, '').replace(/[\s-]/g, '');
  if (!/^\d{7}$/.test(digits)) return undefined;
  return imoCheckDigitValid(digits) ? digits : undefined;
}

export function imoCheckDigitValid(digits: string): boolean {
  if (!/^\d{7}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(digits[i]) * (7 - i);
  return sum % 10 === Number(digits[6]);
}

/**
 * MMSI: nine digits. Ship stations start with a maritime identification digit 2-7 (the MID, e.g. 445 = DPRK);
 * coast stations (00), group calls (0) and SAR aircraft (111) are accepted as well; anything else is invalid.
 */
export function normaliseMmsi(value: string): string | undefined {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{9}$/.test(digits)) return undefined;
  if (/^[2-7]/.test(digits) || digits.startsWith('0') || digits.startsWith('111') || /^[89]/.test(digits))
    return digits;
  return undefined;
}

/** The three-digit MID (flag) of an MMSI in any ITU-R M.585 form that has one, e.g. "445" for the DPRK. */
export function mmsiMid(mmsi: string): string | undefined {
  if (!/^\d{9}$/.test(mmsi)) return undefined;
  const { mid } = readMmsi(Number(mmsi));
  return mid === null ? undefined : String(mid);
}

/** Passport, national id, registration numbers: upper-case letters and digits only ("No. 745-310-010" → "745310010"). */
export function normaliseDocumentNumber(value: string): string | undefined {
  const cleaned = value
    .toUpperCase()
    .replace(/^(PASSPORT|PP|NO|NUMBER|NR)[\s.:#]*/g, '')
    .replace(/[^A-Z0-9]/g, '');
  return cleaned.length >= 4 ? cleaned : undefined;
}

/** Call sign: upper-case letters and digits. */
export function normaliseCallSign(value: string): string | undefined {
  const cleaned = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return cleaned.length >= 3 ? cleaned : undefined;
}

export type Chain =
  | 'ethereum'
  | 'bitcoin'
  | 'tron'
  | 'litecoin'
  | 'bitcoin-cash'
  | 'monero'
  | 'zcash'
  | 'dash'
  | 'other';

/** OFAC currency tickers → the chain whose address format they use (ERC-20 tokens live on Ethereum). */
const CURRENCY_CHAIN: Record<string, Chain> = {
  XBT: 'bitcoin',
  BTC: 'bitcoin',
  BSV: 'bitcoin',
  BTG: 'bitcoin',
  ETH: 'ethereum',
  ETC: 'ethereum',
  USDT: 'ethereum',
  USDC: 'ethereum',
  ARB: 'ethereum',
  BSC: 'ethereum',
  TRX: 'tron',
  LTC: 'litecoin',
  BCH: 'bitcoin-cash',
  XMR: 'monero',
  ZEC: 'zcash',
  DASH: 'dash',
};

/** The chain an address belongs to, from its currency when given, else from its shape. */
export function chainOf(address: string, currency?: string): Chain {
  const fromCurrency = currency ? CURRENCY_CHAIN[currency.toUpperCase()] : undefined;
  const a = address.trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(a)) return 'ethereum';
  if (fromCurrency) return fromCurrency;
  if (/^(bc1|tb1)[02-9ac-hj-np-z]{11,87}$/i.test(a) || /^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(a)) return 'bitcoin';
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(a)) return 'tron';
  if (/^(ltc1)[02-9ac-hj-np-z]{11,87}$/i.test(a) || /^[LM][1-9A-HJ-NP-Za-km-z]{26,33}$/.test(a)) return 'litecoin';
  if (/^(bitcoincash:)?[qp][02-9ac-hj-np-z]{41}$/i.test(a)) return 'bitcoin-cash';
  if (/^[48][1-9A-HJ-NP-Za-km-z]{94,105}$/.test(a)) return 'monero';
  if (/^t1[1-9A-HJ-NP-Za-km-z]{33}$/.test(a)) return 'zcash';
  if (/^X[1-9A-HJ-NP-Za-km-z]{33}$/.test(a)) return 'dash';
  return 'other';
}

/**
 * A crypto address in its canonical form for its chain: EVM addresses lower-cased (EIP-55 case is only a
 * checksum), bech32 (bc1, ltc1) and CashAddr lower-cased, base58 addresses (legacy BTC, TRON, Monero, ...) kept
 * byte-exact because their case is significant. Returns undefined for an empty or obviously non-address string.
 */
export function normaliseCryptoAddress(address: string, currency?: string): string | undefined {
  const a = address.trim();
  if (a.length < 20 || a.length > 128 || /\s/.test(a)) return undefined;
  const chain = chainOf(a, currency);
  if (chain === 'ethereum') return /^0x[0-9a-fA-F]{40}$/.test(a) ? a.toLowerCase() : undefined;
  if (/^(bc1|tb1|ltc1)/i.test(a)) return a.toLowerCase();
  if (chain === 'bitcoin-cash') return a.toLowerCase().replace(/^bitcoincash:/, '');
  return a;
}
