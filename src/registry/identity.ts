/**
 * One identity fact of a hull: what one source says its name, flag, call sign, MMSI, type, tonnage or build year
 * is (or was), with the source that says it and, for AIS, when the transponder said it.
 */
export type IdentityProp =
  | 'name'
  | 'alias'
  | 'previousName'
  | 'flag'
  | 'pastFlag'
  | 'callSign'
  | 'mmsi'
  | 'type'
  | 'tonnage'
  | 'grossRegisteredTonnage'
  | 'buildDate';

export interface IdentityFact {
  prop: IdentityProp;
  value: string;
  /** Dataset the fact came from ("us_ofac_sdn", "gb_hmt_ofsi", "ais", "ship_registry", ...). */
  source: string;
  /** Record inside the source (file:line#id, mmsi@epoch). */
  sourceRecord: string;
  /** Entity the statement belongs to ("ofac-23736", "ais-445123000"). */
  entityId: string;
  /** ISO 8601 UTC: the source's date (list version) or the first AIS report with this identity. */
  firstSeen?: string;
  /** ISO 8601 UTC: the last AIS report with this identity. */
  lastSeen?: string;
}

/** Entity properties that are identity facts of a vessel, and the fact each fills. */
export const VESSEL_IDENTITY_PROPS: ReadonlyMap<string, IdentityProp> = new Map<string, IdentityProp>([
  ['name', 'name'],
  ['alias', 'alias'],
  ['previousName', 'previousName'],
  ['flag', 'flag'],
  ['pastFlags', 'pastFlag'],
  ['callSign', 'callSign'],
  ['mmsi', 'mmsi'],
  ['type', 'type'],
  ['tonnage', 'tonnage'],
  ['grossRegisteredTonnage', 'grossRegisteredTonnage'],
  ['buildDate', 'buildDate'],
]);

/** A name compared across sources: upper case letters and digits only ("Yujong-2" = "YU JONG 2" = "YUJONG2"). */
export function vesselNameKey(name: string): string {
  return name
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '');
}
