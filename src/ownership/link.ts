import type { Role } from './roles.js';

/**
 * One ownership or management relation between two entities, with dates and the statement it rests on. It is
 * read from FtM `Ownership` (owner → asset, percentage), `Directorship` (director → organization),
 * `Representation` (agent → client), `UnknownLink` (subject → object with a role), a Vessel's `owner`/`operator`
 * and the owner sentences of list entries.
 */
export interface OwnershipLink {
  /** Id of the entity the link was read from (the Ownership/UnknownLink entity, or the vessel/company). */
  id: string;
  /** The party: owner, manager, director, agent. */
  party: string;
  /** What it holds or controls: a company or a vessel. */
  asset: string;
  role: Role;
  /** 0..100; undefined when the source gives no percentage. */
  percentage?: number;
  startDate?: string;
  endDate?: string;
  source: string;
  sourceRecord: string;
  /** How the link was read ("FtM Ownership", "OFAC Linked To", "UN comment: Registered owner of ..."). */
  via: string;
}

/** "60", "60%", "60.5 %", "0.6" (fraction) → 0..100; undefined when not a share. */
export function parsePercentage(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().replace(/\s*%$/, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  if (v > 100) return undefined;
  // A bare value below 1 without a % sign is a fraction ("0.6"): FtM sources write both.
  return v <= 1 && !text.includes('%') && t.includes('.') ? v * 100 : v;
}

/** "2017", "2017-04" or "2017-04-01" (or a full ISO time) → the ISO time it starts: "2017-01-01T00:00:00.000Z". */
export function dateStartIso(date: string): string {
  const d = date.slice(0, 10);
  const full = d.length === 4 ? `${d}-01-01` : d.length === 7 ? `${d}-01` : d;
  return `${full}T00:00:00.000Z`;
}
