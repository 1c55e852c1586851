import { normaliseImo } from '../screening/identifiers.js';

/**
 * The registry's key: a hull's IMO number, check digit validated by the screening module's one check
 * (src/screening/identifiers.ts). Accepts "IMO8604917", "IMO 8604917", "8604917" or a number; undefined when the
 * value is not a valid IMO ship number (a company number such as 5434358 passes the same check: the caller
 * decides whether the value came from a vessel).
 */
export function imoKey(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const digits = normaliseImo(String(value));
  return digits === undefined ? undefined : Number(digits);
}
