import { UserError } from '../../../errors.js';
import { printable } from '../../../util/printable.js';

/** The largest time a JavaScript Date holds, in ms from the epoch either way. */
const MAX_TIME_MS = 8.64e15;

/** A time query value as an ISO-8601 time or epoch milliseconds (digits only); a 400 otherwise. */
export function isoOrEpochMs(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  // Beyond ±8.64e15 ms (year 275760) is no time: a 30-digit epoch would reach the store as a float it cannot bind.
  if (Number.isNaN(t) || Math.abs(t) > MAX_TIME_MS)
    throw new UserError(`${name}: "${printable(s, 40)}" is not an ISO-8601 time or epoch milliseconds`);
  return t;
}

/** A time query value as an ISO-8601 time; empty is no value, anything else a 400. */
export function isoMs(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UserError(`${field}: "${printable(v, 40)}" is not an ISO 8601 time`);
  return ms;
}
