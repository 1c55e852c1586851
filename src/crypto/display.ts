/**
 * Amounts for people, from the exact decimal strings the API returns ("8506.39994419", "182163.95603"): rounded
 * for reading or printed exactly (to the wei on Ethereum), always by decimal string arithmetic, never through a
 * float. No imports: the browser uses it too (web/src/pages/Crypto.tsx).
 */

/** Digits after the point kept for reading: fewer for large amounts, more for small ones. */
export function displayDecimals(amount: string): number {
  const int = amount.replace(/^-/, '').split('.')[0] ?? '0';
  if (int.length >= 4) return 2; // 8,506.40 → "8,506.4"
  if (int !== '0') return 4;
  return 6;
}

/**
 * Round a non-negative or negative decimal string to `decimals` digits after the point, half away from zero,
 * dropping trailing zeros ("8506.39994419", 2 → "8506.4"). Exact: string arithmetic only.
 */
export function roundDecimal(amount: string, decimals: number): string {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(amount.trim());
  if (!m) return amount;
  const neg = m[1] === '-';
  const int = m[2]!;
  const frac = m[3] ?? '';
  if (frac.length <= decimals) return trimZeros(`${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);
  const kept = int + frac.slice(0, decimals);
  const up = frac.charCodeAt(decimals) >= 53; // '5'
  let digits = kept;
  if (up) {
    // Add one in the last kept place, carrying through the digit string.
    const a = digits.split('');
    let i = a.length - 1;
    while (i >= 0) {
      if (a[i] === '9') {
        a[i] = '0';
        i--;
      } else {
        a[i] = String.fromCharCode(a[i]!.charCodeAt(0) + 1);
        break;
      }
    }
    digits = (i < 0 ? '1' : '') + a.join('');
  }
  const intLen = digits.length - decimals;
  const out = decimals > 0 ? `${digits.slice(0, intLen)}.${digits.slice(intLen)}` : digits;
  const r = trimZeros(out);
  return neg && /[1-9]/.test(r) ? `-${r}` : r;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Thousands separators on the integer part ("182163.95603" → "182,163.95603"). */
export function groupThousands(amount: string): string {
  const [int, frac] = amount.split('.');
  const g = (int ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? g : `${g}.${frac}`;
}

/**
 * An amount as shown: exact (every digit the API gave, e.g. to the wei) or rounded for reading, with thousands
 * separators either way. A rounded non-zero amount that would show as 0 says "< 0.000001".
 */
export function formatAmount(amount: string, opts: { exact?: boolean } = {}): string {
  if (opts.exact) return groupThousands(amount);
  const d = displayDecimals(amount);
  const r = roundDecimal(amount, d);
  if (r === '0' && /[1-9]/.test(amount)) return `< 0.${'0'.repeat(d - 1)}1`;
  return groupThousands(r);
}

/** Compare two non-negative decimal strings exactly (for sorting amounts): negative, 0 or positive. */
export function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const ia = ai.replace(/^0+(?=\d)/, '');
  const ib = bi.replace(/^0+(?=\d)/, '');
  if (ia.length !== ib.length) return ia.length - ib.length;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const fa = af.padEnd(n, '0');
  const fb = bf.padEnd(n, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}
