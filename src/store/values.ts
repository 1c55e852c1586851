import type { SqlValue } from './db.js';

/** BIGINT results: a JS number when it is a safe integer (ms timestamps, counts), else the exact bigint. */
export function bigintToSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** PostgreSQL int8 text → number when safe, else bigint. */
export function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** Strip the password from a PostgreSQL URL for messages and `location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    let s = u.toString();
    // URL keeps "user:@host" after clearing the password; drop the dangling colon.
    s = s.replace(/^([a-z]+:\/\/[^:@/]+):@/i, '$1@');
    return s;
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
  }
}

/** Normalise an arbitrary driver value to a SqlValue (dates become ISO strings, other objects text). */
export function toSqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      return bigintToSafe(v);
    default:
      if (v instanceof Uint8Array) return v;
      if (v instanceof Date) return v.toISOString();
      return String(v);
  }
}
