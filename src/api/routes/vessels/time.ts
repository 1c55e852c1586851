import { UserError } from '../../../errors.js';

/** A time query value as an ISO-8601 time or epoch milliseconds (digits only); a 400 otherwise. */
export function isoOrEpochMs(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (Number.isNaN(t)) throw new UserError(`${name}: "${s}" is not an ISO-8601 time or epoch milliseconds`);
  return t;
}

/** A time query value as an ISO-8601 time; empty is no value, anything else a 400. */
export function isoMs(v: string | undefined, field: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UserError(`${field}: "${v}" is not an ISO 8601 time`);
  return ms;
}
