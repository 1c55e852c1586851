import { type Finding, findingId } from '../findings/finding.js';
import type { Entity } from '../model/entity.js';
import { captionOf, type OwnershipNetwork } from './network.js';
import { isOwnershipRole } from './roles.js';

/**
 * Front-company indicators from the US advisories (OFAC/State/Coast Guard, 2019 and 2020) and the UN Panel of
 * Experts reports, as one declared list of named, weighted features (the way screening features are declared):
 * each is a small pure function over a party and the context, returning 0..1 and a sentence when it fires. The
 * score is the weighted sum, capped at 1; `network.front_company` is reported at `FRONT_PARAMS.minScore` or more.
 */
export const FRONT_KIND = 'network.front_company';

export const FRONT_PARAMS = {
  minScore: 0.4,
  /** Incorporated at most this many days before acquiring a ship. */
  shortlyBeforeDays: 365,
  /** Parties at one address that make it a mass-registration address. */
  manyAtAddress: 3,
} as const;

/** Jurisdictions the Panel's reports name most often for DPRK-linked ship owners and managers (ISO alpha-2). */
export const PANEL_JURISDICTIONS: readonly string[] = [
  'hk',
  'cn',
  'mh',
  'sc',
  'ws',
  'sl',
  'tg',
  'kn',
  'vg',
  'sg',
  'kp',
];

export interface FrontParty {
  node: string;
  name: string;
  members: Entity[];
  addresses: string[];
  phones: string[];
  emails: string[];
  countries: string[];
  incorporated?: string;
  /** Hulls it owns (equity roles), with the date it acquired each. */
  ships: Array<{ hull: string; since?: string }>;
  directors: string[];
}

export interface FrontContext {
  listedByAddress: Map<string, string[]>;
  listedByPhone: Map<string, string[]>;
  listedByEmail: Map<string, string[]>;
  listedByDirector: Map<string, string[]>;
  listedNames: Array<{ node: string; tokens: Set<string> }>;
  partiesAtAddress: Map<string, Set<string>>;
  caption: (node: string) => string;
}

export interface IndicatorHit {
  value: number;
  explanation: string;
}

export interface FrontIndicator {
  name: string;
  weight: number;
  fn: (p: FrontParty, c: FrontContext) => IndicatorHit | undefined;
}

const GENERIC = new Set([
  'CO',
  'COMPANY',
  'LTD',
  'LIMITED',
  'INC',
  'CORP',
  'CORPORATION',
  'LLC',
  'SHIPPING',
  'TRADING',
  'MARINE',
  'MARITIME',
  'INTERNATIONAL',
  'GROUP',
  'HOLDINGS',
  'HOLDING',
  'MANAGEMENT',
  'THE',
  'AND',
  'OF',
  'KOREA',
  'GENERAL',
  'SHIP',
  'SHIPS',
  'LINE',
  'LINES',
  'SA',
  'PTE',
  'JSC',
  'OCEAN',
  'SEA',
]);

export function nameTokens(name: string): Set<string> {
  const out = new Set<string>();
  for (const t of name.toUpperCase().split(/[^A-Z0-9]+/)) if (t.length >= 3 && !GENERIC.has(t)) out.add(t);
  return out;
}

export const addressKey = (a: string): string =>
  a
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
export const phoneKey = (p: string): string => p.replace(/\D+/g, '');
export const emailKey = (e: string): string => e.trim().toLowerCase();

function sharedWith(
  keys: string[],
  index: Map<string, string[]>,
  c: FrontContext,
  what: string,
): IndicatorHit | undefined {
  for (const k of keys) {
    const listed = index.get(k);
    if (listed && listed.length > 0) {
      return { value: 1, explanation: `shares ${what} with listed ${[...new Set(listed.map(c.caption))].join(', ')}` };
    }
  }
  return undefined;
}

function daysBetween(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 86_400_000;
}

/** The indicators, their weights and what each checks. */
export const FRONT_INDICATORS: readonly FrontIndicator[] = [
  {
    name: 'shares_address_with_listed',
    weight: 0.35,
    fn: (p, c) => sharedWith(p.addresses.map(addressKey), c.listedByAddress, c, 'an address'),
  },
  {
    name: 'shares_phone_with_listed',
    weight: 0.3,
    fn: (p, c) => sharedWith(p.phones.map(phoneKey), c.listedByPhone, c, 'a phone number'),
  },
  {
    name: 'shares_email_with_listed',
    weight: 0.3,
    fn: (p, c) => sharedWith(p.emails.map(emailKey), c.listedByEmail, c, 'an e-mail address'),
  },
  {
    name: 'shares_director_with_listed',
    weight: 0.35,
    fn: (p, c) => sharedWith(p.directors, c.listedByDirector, c, 'a director'),
  },
  {
    name: 'one_ship_company',
    weight: 0.1,
    fn: (p) => (p.ships.length === 1 ? { value: 1, explanation: 'owns exactly one ship' } : undefined),
  },
  {
    name: 'registered_shortly_before_acquiring',
    weight: 0.2,
    fn: (p) => {
      if (!p.incorporated) return undefined;
      for (const s of p.ships) {
        if (!s.since) continue;
        const d = daysBetween(p.incorporated, s.since);
        if (d >= 0 && d <= FRONT_PARAMS.shortlyBeforeDays)
          return {
            value: 1,
            explanation: `incorporated ${p.incorporated}, ${Math.round(d)} days before acquiring a ship (${s.since})`,
          };
      }
      return undefined;
    },
  },
  {
    name: 'many_companies_at_address',
    weight: 0.15,
    fn: (p, c) => {
      for (const a of p.addresses) {
        const n = c.partiesAtAddress.get(addressKey(a))?.size ?? 0;
        if (n >= FRONT_PARAMS.manyAtAddress) return { value: 1, explanation: `${n} companies registered at "${a}"` };
      }
      return undefined;
    },
  },
  {
    name: 'panel_jurisdiction',
    weight: 0.1,
    fn: (p) => {
      const hit = p.countries.find((x) => PANEL_JURISDICTIONS.includes(x));
      return hit
        ? { value: 1, explanation: `registered in a jurisdiction the Panel names often (${hit.toUpperCase()})` }
        : undefined;
    },
  },
  {
    name: 'name_similar_to_listed',
    weight: 0.2,
    fn: (p, c) => {
      const mine = nameTokens(p.name);
      if (mine.size === 0) return undefined;
      for (const l of c.listedNames) {
        if (l.node === p.node) continue;
        const shared = [...mine].filter((t) => l.tokens.has(t));
        if (shared.length > 0 && shared.length / Math.max(mine.size, l.tokens.size) >= 0.5)
          return { value: 1, explanation: `name shares "${shared.join(' ')}" with listed ${c.caption(l.node)}` };
      }
      return undefined;
    },
  },
];

/**
 * The parties of the network and the context the indicators compare them with. The context reads every party (the
 * listed ones' addresses, phones, e-mails, directors and names; everyone's addresses); `parties` holds the unlisted
 * ones that own a ship (the only ones scored), or only those of `only` (graph nodes) when given.
 */
export function frontParties(
  net: OwnershipNetwork,
  only?: ReadonlySet<string>,
): { parties: FrontParty[]; context: FrontContext } {
  const groups = new Map<string, Entity[]>();
  for (const [id, e] of net.parties.entities) {
    const node = net.parties.node(id);
    const g = groups.get(node);
    if (g) g.push(e);
    else groups.set(node, [e]);
  }
  const ships = new Map<string, Array<{ hull: string; since?: string }>>();
  const directors = new Map<string, string[]>();
  for (const l of net.links) {
    if (l.asset.startsWith('imo-') && isOwnershipRole(l.role)) {
      const s = ships.get(l.party) ?? [];
      if (!s.some((x) => x.hull === l.asset)) s.push({ hull: l.asset, since: l.startDate });
      ships.set(l.party, s);
    }
    if (l.role === 'director') {
      const d = directors.get(l.asset) ?? [];
      d.push(l.party);
      directors.set(l.asset, d);
    }
  }
  const context: FrontContext = {
    listedByAddress: new Map(),
    listedByPhone: new Map(),
    listedByEmail: new Map(),
    listedByDirector: new Map(),
    listedNames: [],
    partiesAtAddress: new Map(),
    caption: (node) => captionOf(net, node),
  };
  const add = (m: Map<string, string[]>, k: string, node: string): void => {
    if (!k) return;
    const l = m.get(k) ?? [];
    if (!l.includes(node)) l.push(node);
    m.set(k, l);
  };
  const parties: FrontParty[] = [];
  for (const [node, members] of groups) {
    const all = (prop: string): string[] =>
      members.length === 1 ? [...new Set(members[0]!.get(prop))] : [...new Set(members.flatMap((e) => e.get(prop)))];
    const addresses = all('address');
    for (const a of addresses) {
      const k = addressKey(a);
      const s = context.partiesAtAddress.get(k);
      if (s) s.add(node);
      else context.partiesAtAddress.set(k, new Set([node]));
    }
    const listed = net.parties.isListed(node);
    // An unlisted party is scored only when it owns a ship (and is asked for).
    if (!listed && (!ships.has(node) || (only && !only.has(node)))) continue;
    const p: FrontParty = {
      node,
      name: captionOf(net, node),
      members,
      addresses,
      phones: all('phone'),
      emails: all('email'),
      countries: all('country').map((c) => c.toLowerCase()),
      incorporated: all('incorporationDate').sort()[0],
      ships: ships.get(node) ?? [],
      directors: directors.get(node) ?? [],
    };
    if (listed) {
      for (const a of p.addresses) add(context.listedByAddress, addressKey(a), node);
      for (const x of p.phones) add(context.listedByPhone, phoneKey(x), node);
      for (const x of p.emails) add(context.listedByEmail, emailKey(x), node);
      for (const d of p.directors) add(context.listedByDirector, d, node);
      if (members.some((e) => e.schema !== 'Person')) context.listedNames.push({ node, tokens: nameTokens(p.name) });
    } else parties.push(p);
  }
  return { parties, context };
}

export interface FrontScore {
  node: string;
  name: string;
  score: number;
  indicators: Array<{ name: string; weight: number; value: number; explanation: string }>;
}

export function scoreFrontParty(p: FrontParty, c: FrontContext): FrontScore {
  const indicators: FrontScore['indicators'] = [];
  let score = 0;
  for (const ind of FRONT_INDICATORS) {
    const hit = ind.fn(p, c);
    if (!hit || hit.value <= 0) continue;
    indicators.push({ name: ind.name, weight: ind.weight, value: hit.value, explanation: hit.explanation });
    score += ind.weight * hit.value;
  }
  return { node: p.node, name: p.name, score: Math.min(1, Math.round(score * 1000) / 1000), indicators };
}

/** Front-company scores of every unlisted party that owns a ship (or of those in `only`), best first. */
export function frontCompanyScores(net: OwnershipNetwork, only?: ReadonlySet<string>): FrontScore[] {
  const { parties, context } = frontParties(net, only);
  return parties
    .filter((p) => p.ships.length > 0)
    .map((p) => scoreFrontParty(p, context))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

/** `scores`: the network's `frontCompanyScores`, when the caller already has them (findings.ts reuses them). */
export function frontCompanyFindings(net: OwnershipNetwork, scores = frontCompanyScores(net)): Finding[] {
  const out: Finding[] = [];
  for (const s of scores) {
    if (s.score < FRONT_PARAMS.minScore) continue;
    const start = `${net.asOf}T00:00:00.000Z`;
    out.push({
      id: findingId(FRONT_KIND, [s.node], start),
      kind: FRONT_KIND,
      subjects: net.parties.members(s.node),
      start,
      score: s.score,
      redFlags: ['COMPLEX_OWNERSHIP'],
      explanation: `${s.name} shows ${s.indicators.length} front-company indicators: ${s.indicators.map((i) => i.explanation).join('; ')}.`,
      evidence: net.parties.members(s.node).map((id) => ({ source: 'entities', record: id, note: s.name })),
      params: { ...FRONT_PARAMS },
      details: { indicators: s.indicators },
    });
  }
  return out;
}
