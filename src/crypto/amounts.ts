import { InputError } from '../errors.js';

/** Largest on-chain amount: uint256 (ERC-20 balances and values are uint256). */
export const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * Parse a decimal amount ("12.5", "1e-05", "8565.737089130746") into base units with `decimals` digits, exactly
 * (no float on the way). Throws InputError naming `where` when it is not a number, is negative, has more
 * fractional digits than the asset allows, or overflows uint256.
 */
export function parseUnits(text: string, decimals: number, where = 'amount'): bigint {
  const s = text.trim();
  const m = /^([+]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new InputError(`${where}: "${text}" is not a decimal amount`);
  }
  let intPart = m[2] ?? '';
  let frac = m[3] ?? '';
  const exp = m[4] ? Number.parseInt(m[4], 10) : 0;
  if (Math.abs(exp) > 400) throw new InputError(`${where}: exponent out of range in "${text}"`);
  // Shift the decimal point by the exponent.
  let digits = intPart + frac;
  let point = intPart.length + exp;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
  intPart = digits.slice(0, point);
  frac = digits.slice(point).replace(/0+$/, '');
  if (frac.length > decimals) {
    throw new InputError(`${where}: "${text}" has ${frac.length} decimals, the asset has ${decimals}`);
  }
  const value = BigInt((intPart || '0') + frac.padEnd(decimals, '0'));
  if (value > MAX_UINT256) throw new InputError(`${where}: "${text}" overflows uint256`);
  return value;
}

/** Parse an integer amount in base units (decimal or 0x hex); rejects negatives and uint256 overflow. */
export function parseBaseUnits(text: string | number | bigint, where = 'amount'): bigint {
  let v: bigint;
  if (typeof text === 'bigint') v = text;
  else if (typeof text === 'number') {
    if (!Number.isSafeInteger(text))
      throw new InputError(`${where}: ${text} is not an exact integer (give it as a string)`);
    v = BigInt(text);
  } else {
    const s = text.trim();
    if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(s))
      throw new InputError(`${where}: "${text}" is not an integer amount in base units`);
    v = BigInt(s);
  }
  if (v < 0n) throw new InputError(`${where}: negative amount ${v}`);
  if (v > MAX_UINT256) throw new InputError(`${where}: ${text} overflows uint256`);
  return v;
}

/** Format base units as a decimal string ("1.5"), exact. */
export function formatUnits(value: bigint, decimals: number): string {
  const neg = value < 0n;
  const abs = neg ? -value : value;
  const s = abs.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  const frac = decimals > 0 ? s.slice(s.length - decimals).replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/**
 * A float amount in base units (a taint estimate) as an integer, rounded to 12 significant digits: float64
 * carries about 15.9, and sums and FIFO tape positions (cumulative amounts) lose a few of them, so the digits
 * dropped are arithmetic noise (449.99999999999993 ETH reads as 450).
 */
export function roundBaseUnits(x: number): bigint {
  if (!Number.isFinite(x) || x <= 0) return 0n;
  // Read the 12 significant digits as a decimal string (no Intl: toLocaleString cost ~100 µs a call).
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(x.toPrecision(12))!;
  const frac = m[2] ?? '';
  const exp = Number(m[3] ?? 0) - frac.length;
  const digits = BigInt(m[1]! + frac);
  if (exp >= 0) return digits * 10n ** BigInt(exp);
  const div = 10n ** BigInt(-exp);
  // Round half up to whole base units.
  return (digits + div / 2n) / div;
}
