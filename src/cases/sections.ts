import type { Finding } from '../findings/finding.js';

/**
 * How a report sorts findings into the sections a UN Panel of Experts report uses: maritime (refined petroleum,
 * coal, ship-to-ship transfers, identity fraud, other voyage irregularities), then finance and cyber. Decided from
 * the finding's kind, red flags and stated cargo only, so the same finding always lands in the same section.
 */
export type SectionId = 'oil' | 'coal' | 'sts' | 'identity' | 'voyage' | 'finance' | 'cyber' | 'other';

export interface SectionSpec {
  id: SectionId;
  part: 'maritime' | 'finance' | 'other';
  title: string;
  intro: string;
}

export const SECTIONS: SectionSpec[] = [
  {
    id: 'oil',
    part: 'maritime',
    title: 'Illicit transfers of refined petroleum products and crude oil',
    intro:
      'Findings on tankers and petroleum cargo (resolution 2397 (2017), para. 5, caps refined petroleum deliveries).',
  },
  {
    id: 'coal',
    part: 'maritime',
    title: 'Export of coal and other prohibited commodities',
    intro: 'Findings on coal and other commodities whose export resolution 2371 (2017) prohibits.',
  },
  {
    id: 'sts',
    part: 'maritime',
    title: 'Ship-to-ship transfers',
    intro: 'Vessels meeting at sea long and slowly enough for a cargo transfer (resolution 2375 (2017), para. 11).',
  },
  {
    id: 'identity',
    part: 'maritime',
    title: 'Vessel identity fraud and AIS manipulation',
    intro: 'Changed or inconsistent names, identifiers and flags, and positions that cannot be true.',
  },
  {
    id: 'voyage',
    part: 'maritime',
    title: 'Dark periods, loitering, port calls and zone entries',
    intro: 'Voyage irregularities: AIS gaps, loitering at sea, calls at ports and entries into areas of concern.',
  },
  {
    id: 'finance',
    part: 'finance',
    title: 'Finance: designated persons, entities and their networks',
    intro: 'Matches against sanctions lists, ownership and control of designated entities.',
  },
  {
    id: 'cyber',
    part: 'finance',
    title: 'Cyber: virtual assets',
    intro: 'Flows of virtual assets from or to addresses attributed to designated actors, mixers and services.',
  },
  { id: 'other', part: 'other', title: 'Other findings', intro: 'Findings that fit none of the sections above.' },
];

function cargoCue(f: Finding): 'oil' | 'coal' | undefined {
  const d = f.details ?? {};
  const text = `${String(d.cargo ?? '')} ${String(d.commodity ?? '')} ${f.explanation}`.toLowerCase();
  if (/\bcoal\b|anthracite/.test(text)) return 'coal';
  if (/petroleum|\boil\b|crude|diesel|tanker|gasoline/.test(text)) return 'oil';
  const shipType = Number(d.shipType ?? d.ship_type ?? Number.NaN);
  if (shipType >= 80 && shipType <= 89) return 'oil';
  return undefined;
}

export function sectionOf(f: Finding): SectionId {
  const k = f.kind;
  if (k.startsWith('crypto.')) return 'cyber';
  if (k.startsWith('screening.') || k.startsWith('lists.') || k.startsWith('finance.') || k.startsWith('trade.')) {
    return 'finance';
  }
  if (k.endsWith('sanctions_match') || k.endsWith('.match')) return 'finance';
  if (k.startsWith('ais.') || k.startsWith('maritime.')) {
    if (k === 'ais.encounter' || f.redFlags.includes('SHIP_TO_SHIP_TRANSFER')) return 'sts';
    if (
      k === 'ais.identity_change' ||
      k === 'ais.spoofing' ||
      f.redFlags.includes('VESSEL_IDENTITY_ALTERATION') ||
      f.redFlags.includes('FALSE_FLAG')
    ) {
      return 'identity';
    }
    const cue = cargoCue(f);
    if (cue) return cue;
    return 'voyage';
  }
  return 'other';
}

/** Map symbol style for a finding kind. */
export function symbolStyle(kind: string): 'gap' | 'encounter' | 'zone' | 'port' | 'loiter' | 'other' {
  if (kind === 'ais.gap') return 'gap';
  if (kind === 'ais.encounter') return 'encounter';
  if (kind === 'ais.zone_entry') return 'zone';
  if (kind === 'ais.port_visit') return 'port';
  if (kind === 'ais.loitering') return 'loiter';
  return 'other';
}
