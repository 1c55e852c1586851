import { UserError } from '../errors.js';

/**
 * Finding kinds, their display labels and the severity bands: the one home of these facts for the server, the CLI
 * and the browser. No `node:` imports, so web/ imports this file directly (web/src/ui.tsx, pages/MapPage.tsx).
 */

export type Severity = 'high' | 'medium' | 'low';

/** Lowest score of each band: a score ≥ 0.7 is high, ≥ 0.4 medium, anything lower low. */
export const SEVERITY_CUTOFFS = { high: 0.7, medium: 0.4 } as const;

/** Severity band of a 0..1 score, the same in every view, report and risk profile. */
export function severityOf(score: number): Severity {
  if (score >= SEVERITY_CUTOFFS.high) return 'high';
  if (score >= SEVERITY_CUTOFFS.medium) return 'medium';
  return 'low';
}

export type KindDomain = 'maritime' | 'screening' | 'crypto' | 'trade' | 'ownership';

export interface FindingKind {
  /** Full kind, as findings carry it: `ais.encounter`. */
  kind: string;
  /** Short name accepted wherever a kind is typed (`encounter`): the part after the first dot, unique. */
  short: string;
  label: string;
  domain: KindDomain;
  /** Offered as a filter on the map: the maritime detectors' kinds (most carry a geometry). */
  onMap: boolean;
}

function k(kind: string, label: string, domain: KindDomain, onMap = false): FindingKind {
  return { kind, short: kind.slice(kind.indexOf('.') + 1), label, domain, onMap };
}

/** Every kind an analyser in this repository emits. */
export const FINDING_KINDS: readonly FindingKind[] = [
  k('ais.gap', 'AIS dark period', 'maritime', true),
  k('ais.encounter', 'Encounter (possible STS transfer)', 'maritime', true),
  k('ais.loitering', 'Loitering', 'maritime', true),
  k('ais.port_visit', 'Port call', 'maritime', true),
  k('ais.zone_entry', 'Zone entry', 'maritime', true),
  k('ais.identity_change', 'Identity change', 'maritime', true),
  k('ais.spoofing', 'Position spoofing', 'maritime', true),
  k('ais.sanctions_match', 'Listed vessel match', 'maritime'),
  k('screening.match', 'Sanctions list match', 'screening'),
  k('crypto.exposure', 'Crypto exposure', 'crypto'),
  k('crypto.trace', 'Crypto trace', 'crypto'),
  k('crypto.sanctioned_counterparty', 'Sanctioned crypto counterparty', 'crypto'),
  k('trade.prohibited_goods', 'Prohibited goods (DPRK sanctions)', 'trade'),
  k('trade.listed_party', 'Listed party in a shipment', 'trade'),
  k('trade.origin_mismatch', 'Declared origin contradicted', 'trade'),
  k('cargo.estimate', 'Cargo estimate (draught change)', 'maritime'),
  k('trade.banned_export', 'Banned export (likely coal or other)', 'trade'),
  k('trade.petroleum_cap', 'Refined-petroleum cap passed', 'trade'),
  k('vessel.ownership_exposure', 'Listed owner, manager or operator', 'ownership'),
  k('vessel.acquisition', 'Vessel acquired for the DPRK', 'ownership'),
  k('network.front_company', 'Front company indicators', 'ownership'),
];

const BY_NAME = new Map<string, FindingKind>();
for (const fk of FINDING_KINDS) {
  BY_NAME.set(fk.kind, fk);
  BY_NAME.set(fk.short, fk);
}

/** Kinds of the maritime detectors and the AIS sanctions match (what `detect` can produce). */
export const MARITIME_KINDS: readonly string[] = FINDING_KINDS.filter((f) => f.domain === 'maritime').map(
  (f) => f.kind,
);

/** The kinds the map offers as a filter. */
export const MAP_KINDS: readonly string[] = FINDING_KINDS.filter((f) => f.onMap).map((f) => f.kind);

/** Display label of a kind; an unknown kind (from an imported finding) shows as itself. */
export function kindLabel(kind: string): string {
  return BY_NAME.get(kind)?.label ?? kind;
}

/** The full kind for a full or short name (`encounter`, `ais.encounter`, `port-visit`), or undefined. */
export function resolveKind(name: string): string | undefined {
  const n = name.trim().toLowerCase().replace(/-/g, '_');
  return BY_NAME.get(n)?.kind;
}

/** "gap (ais.gap), encounter (ais.encounter), ..." for error messages and help. */
export function kindNames(kinds: readonly string[] = FINDING_KINDS.map((f) => f.kind)): string {
  return kinds.map((kind) => `${BY_NAME.get(kind)?.short ?? kind} (${kind})`).join(', ');
}

/**
 * Parse kind names as the CLI (`--kind gap,encounter`) and the API (`?kind=gap&kind=ais.encounter`) take them: each
 * item may hold a comma-separated list; full and short names both work. An unknown name is a UserError naming
 * `where` and the accepted names; `allowed` narrows the kinds a command can use.
 */
export function parseKinds(items: readonly string[], where: string, allowed?: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    for (const name of item.split(',')) {
      if (!name.trim()) continue;
      const kind = resolveKind(name);
      if (kind === undefined || (allowed && !allowed.includes(kind)))
        throw new UserError(`${where}: unknown finding kind "${name.trim()}"; use ${kindNames(allowed)}`);
      if (!out.includes(kind)) out.push(kind);
    }
  }
  return out;
}
