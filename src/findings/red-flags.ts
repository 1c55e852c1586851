/**
 * The red-flag taxonomy. Maritime codes follow the deceptive shipping practices named in the US Department of
 * State / Treasury (OFAC) / Coast Guard "Sanctions Advisory for the Maritime Industry, Energy and Metals Sectors,
 * and Related Communities" of 14 May 2020; the rest cover list exposure and crypto exposure. Findings carry these
 * codes, vessel risk adds them up, and reports group findings by them.
 */

export type RedFlagCategory = 'maritime' | 'sanctions' | 'crypto' | 'finance' | 'trade';

export interface RedFlag {
  code: string;
  category: RedFlagCategory;
  title: string;
  /** What the practice is and why it matters, as the advisory frames it. */
  description: string;
  /** Relative weight in risk scores (0..1). */
  weight: number;
  /** Where the practice is described. */
  reference: string;
}

const ADVISORY_2020 =
  'US State/Treasury/USCG Sanctions Advisory for the Maritime Industry, Energy and Metals Sectors, 14 May 2020';

export const RED_FLAGS = {
  AIS_MANIPULATION: {
    code: 'AIS_MANIPULATION',
    category: 'maritime',
    title: 'Disabling or manipulating AIS',
    description:
      'The vessel stopped transmitting AIS or transmitted false data (position, identity) to hide its movements; a common sign of sanctioned trade such as STS transfers or calls at DPRK ports.',
    weight: 0.8,
    reference: ADVISORY_2020,
  },
  VESSEL_IDENTITY_ALTERATION: {
    code: 'VESSEL_IDENTITY_ALTERATION',
    category: 'maritime',
    title: 'Physically altering vessel identification',
    description:
      'Name, IMO number, call sign or MMSI changed or broadcast inconsistently, or an identity cloned from another hull, to pass a vessel off as another.',
    weight: 0.9,
    reference: ADVISORY_2020,
  },
  FALSIFIED_DOCUMENTS: {
    code: 'FALSIFIED_DOCUMENTS',
    category: 'maritime',
    title: 'Falsifying cargo and vessel documents',
    description:
      'Bills of lading, certificates of origin, invoices or other shipping documents that misstate cargo, origin, destination or the vessel.',
    weight: 0.7,
    reference: ADVISORY_2020,
  },
  SHIP_TO_SHIP_TRANSFER: {
    code: 'SHIP_TO_SHIP_TRANSFER',
    category: 'maritime',
    title: 'Ship-to-ship transfers',
    description:
      'Cargo moved between vessels at sea, especially at night, in high-risk areas or with AIS off, to obscure the origin or destination of cargo such as DPRK coal or refined petroleum.',
    weight: 0.8,
    reference: ADVISORY_2020,
  },
  VOYAGE_IRREGULARITIES: {
    code: 'VOYAGE_IRREGULARITIES',
    category: 'maritime',
    title: 'Voyage irregularities',
    description:
      'Indirect routing, unscheduled detours, loitering at sea or transits through high-risk areas without a commercial reason.',
    weight: 0.5,
    reference: ADVISORY_2020,
  },
  FALSE_FLAG: {
    code: 'FALSE_FLAG',
    category: 'maritime',
    title: 'False flags and flag hopping',
    description:
      'Flying the flag of a state the vessel is not registered with, or re-registering repeatedly with different flag registries to evade scrutiny.',
    weight: 0.7,
    reference: ADVISORY_2020,
  },
  COMPLEX_OWNERSHIP: {
    code: 'COMPLEX_OWNERSHIP',
    category: 'maritime',
    title: 'Complex ownership or management',
    description:
      'Layers of shell companies, frequent changes of owner or manager, or owners in opaque jurisdictions that hide the beneficial owner.',
    weight: 0.5,
    reference: ADVISORY_2020,
  },
  DPRK_PORT_CALL: {
    code: 'DPRK_PORT_CALL',
    category: 'maritime',
    title: 'Call at a DPRK port',
    description:
      'A port call in the DPRK (Nampo, Chongjin, Wonsan, Hungnam, Songnim, Haeju, Taean, Sinpo, Tanchon, Ryongampo, ...), prohibited for most trade by UNSC resolutions 2270, 2321, 2371, 2375 and 2397.',
    weight: 1.0,
    reference: `${ADVISORY_2020}; UNSC resolution 2397 (2017)`,
  },
  HIGH_RISK_AREA: {
    code: 'HIGH_RISK_AREA',
    category: 'maritime',
    title: 'Activity in a high-risk area',
    description:
      'Presence in waters the UN Panel of Experts reports as ship-to-ship transfer hotspots or in the DPRK exclusive economic zone.',
    weight: 0.5,
    reference: 'UN Panel of Experts (1718 Committee) reports, 2018-2024',
  },
  CONTACT_WITH_SANCTIONED_VESSEL: {
    code: 'CONTACT_WITH_SANCTIONED_VESSEL',
    category: 'maritime',
    title: 'Contact with a sanctioned or DPRK-flagged vessel',
    description: 'An encounter at sea with a vessel that is on a sanctions list or flagged by the DPRK.',
    weight: 1.0,
    reference: ADVISORY_2020,
  },
  SANCTIONS_LIST_MATCH: {
    code: 'SANCTIONS_LIST_MATCH',
    category: 'sanctions',
    title: 'Sanctions list exposure',
    description:
      'The subject matches, or is closely linked to, a person, company, vessel or wallet on a sanctions list (UN, OFAC, EU, UK, ...).',
    weight: 1.0,
    reference: 'UN Security Council Consolidated List; OFAC SDN List',
  },
  PROHIBITED_GOODS: {
    code: 'PROHIBITED_GOODS',
    category: 'trade',
    title: 'Goods under a DPRK sectoral ban or cap',
    description:
      'Goods whose HS code or description falls under a UN Security Council ban or cap on trade with the DPRK (coal, iron, seafood, textiles, machinery, vehicles, refined petroleum, luxury goods, arms).',
    weight: 1.0,
    reference: 'UNSC resolutions 1718, 2094, 2270, 2321, 2371, 2375 and 2397',
  },
  CRYPTO_SANCTIONED_COUNTERPARTY: {
    code: 'CRYPTO_SANCTIONED_COUNTERPARTY',
    category: 'crypto',
    title: 'Direct transfer with a sanctioned address',
    description: 'The address sent funds to, or received funds from, an address on a sanctions list.',
    weight: 1.0,
    reference: 'OFAC SDN List (digital currency addresses)',
  },
  CRYPTO_EXPOSURE: {
    code: 'CRYPTO_EXPOSURE',
    category: 'crypto',
    title: 'Indirect exposure to illicit funds',
    description:
      'A share of the value received traces back, over one or more hops, to sanctioned or DPRK-attributed sources such as Lazarus Group hacks.',
    weight: 0.8,
    reference: 'FBI attribution statements on Lazarus Group thefts; UN Panel of Experts reports',
  },
  CRYPTO_MIXER: {
    code: 'CRYPTO_MIXER',
    category: 'crypto',
    title: 'Use of a mixer or bridge to break the trail',
    description: 'Funds passed through a mixing service, cross-chain bridge or peel chain to obscure their origin.',
    weight: 0.6,
    reference: 'UN Panel of Experts reports on DPRK cyber operations',
  },
} as const satisfies Record<string, RedFlag>;

export type RedFlagCode = keyof typeof RED_FLAGS;

export function redFlag(code: string): RedFlag | undefined {
  return (RED_FLAGS as Record<string, RedFlag>)[code];
}

export function isRedFlagCode(code: string): code is RedFlagCode {
  return code in RED_FLAGS;
}
