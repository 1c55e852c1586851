import type { Role } from './roles.js';

/**
 * Owner and manager sentences in list entries (UN comments, and the UK/EU entries that copy them):
 * "Registered owner of the DPRK tanker YU JONG 2, which ...", "Ship and commercial manager of HAO FAN 2 and HAO FAN
 * 6", "The company also owns vessels JI SONG 8 and WOORY STAR", and the UK ship entries' "Listed as asset of Korea
 * Yujong Shipping Co Ltd (OFSI ID: 13637, UN Reference Number: UN Ref KPe.066)". Vessel names are the upper-case
 * runs of the sentence; the caller keeps only names its registry knows, so a ship merely mentioned is never made an
 * asset (only the first sentence and "owns" sentences are read).
 */
export interface RemarkClaim {
  roles: Role[];
  vesselNames: string[];
  sentence: string;
}

const ROLE_PREFIX =
  /^((?:registered owner|owner|co-owner|ship manager|ship and commercial manager|commercial manager|operator|manager|ism manager)(?:\s*(?:,|\/|and|,\s*and)\s*(?:registered owner|owner|ship manager|ship and commercial manager|commercial manager|operator|manager|ism manager))*)\s+of\s+(.*)$/i;

function rolesIn(prefix: string): Role[] {
  const p = prefix.toLowerCase();
  const out = new Set<Role>();
  if (/\bowner\b/.test(p)) out.add('registered owner');
  if (
    /ship manager|ship and commercial manager/.test(p) ||
    /(^|[^a-z])manager/.test(p.replace(/commercial manager/g, ''))
  )
    out.add('ship manager');
  if (/commercial manager/.test(p)) out.add('commercial manager');
  if (/operator/.test(p)) out.add('operator');
  if (/ism manager/.test(p)) out.add('ISM/DOC company');
  return [...out];
}

const STOP = new Set(['DPRK', 'IMO', 'ETA', 'UN', 'M', 'V', 'MV', 'M/V']);

/** Upper-case runs ("YU JONG 2", "HAO FAN 6") in a piece of text. */
export function upperCaseRuns(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b[A-Z][A-Z0-9'.-]*(?:\s+(?:[A-Z][A-Z0-9'.-]*|\d+))*\b/g)) {
    const words = m[0].split(/\s+/).filter((w) => !STOP.has(w));
    if (words.length === 0) continue;
    const name = words.join(' ').replace(/[.'-]+$/, '');
    if (name.length >= 3 || /\d/.test(name)) out.push(name);
  }
  return out;
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[a-z0-9)”"])\.\s+(?=[A-Z])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Role claims in a list entry's comment. */
export function parseOwnerRemarks(text: string): RemarkClaim[] {
  const out: RemarkClaim[] = [];
  const all = sentences(text);
  const first = all[0];
  if (first) {
    const m = ROLE_PREFIX.exec(first);
    if (m) {
      const roles = rolesIn(m[1]!);
      // "..., and owner of vessel HAP JANG GANG 6": a second claim inside the first sentence.
      const [main, ...more] = m[2]!.split(/,?\s+and\s+(?:the\s+)?(?:registered\s+)?owner of\s+/i);
      if (roles.length > 0) out.push({ roles, vesselNames: upperCaseRuns(main!), sentence: first });
      for (const extra of more)
        out.push({ roles: ['registered owner'], vesselNames: upperCaseRuns(extra), sentence: first });
    }
  }
  for (const s of all.slice(1)) {
    const m = /\b(?:also\s+)?owns\s+(?:the\s+)?(?:vessels?|ships?|tankers?)\s+(.*)$/i.exec(s);
    if (m) out.push({ roles: ['registered owner'], vesselNames: upperCaseRuns(m[1]!), sentence: s });
  }
  return out;
}

/** "Listed as asset of X (OFSI ID: 13637, UN Reference Number: UN Ref KPe.066)" → owner name and UN reference. */
export function parseAssetOf(text: string): { name: string; unRef?: string } | undefined {
  const m = /Listed as (?:an )?asset of\s+([^(.;]+?)\s*(?:\(([^)]*)\))?(?:[.;]|$)/i.exec(text);
  if (!m) return undefined;
  const ref = m[2] ? /\b(KP[ei]\.\d+)/i.exec(m[2]) : null;
  return { name: m[1]!.trim(), unRef: ref ? ref[1] : undefined };
}
