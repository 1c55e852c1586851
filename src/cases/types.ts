/** The shapes cases, watchlists and alerts travel in (API, CLI and web share them). */

export type CaseItemKind = 'finding' | 'entity' | 'address' | 'note';
export const CASE_ITEM_KINDS: readonly CaseItemKind[] = ['finding', 'entity', 'address', 'note'];

export interface CaseItem {
  id: string;
  caseId: string;
  kind: CaseItemKind;
  /** Finding id, entity id, address (as typed, e.g. 0x… or bc1…), or the note's text for notes. */
  ref: string;
  /** Investigator's note on the item (for notes: same as ref). */
  note: string | null;
  addedAt: string;
}

export interface CaseSummary {
  id: string;
  title: string;
  summary: string;
  status: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  itemCount: number;
}

export interface CaseRecord extends CaseSummary {
  items: CaseItem[];
}

/** One line of a case's evidence list: a raw record a statement in the case rests on. */
export interface EvidenceEntry {
  /** E-1, E-2, ... in the order of the case items, stable for one case state. */
  ref: string;
  /** What cites it: a finding id, entity id, address or note id. */
  citedBy: string;
  kind: 'finding-evidence' | 'entity-statement' | 'list-version' | 'note';
  /** Source id: import id, list version, file or chain. */
  source: string;
  /** Record reference inside the source (file:line, tx hash, record key). */
  record: string;
  /** sha256 of the record content when the source gave it (or of the note text for notes). */
  contentHash: string | null;
  description: string;
  /** Raw provenance (AIS positions): the file read, its sha256 at import, the line and the raw line(s) read back. */
  raw?: EvidenceRaw;
}

/** Where an evidence record sits in its raw source file, and the raw line(s) when the unchanged file could be read. */
export interface EvidenceRaw {
  file: string;
  path: string;
  sha256: string;
  /** 1-based line (the first sentence of a multi-sentence message); 0 when the store has none. */
  line: number;
  lines: string[];
  /** verified: read back from the file with the recorded sha256; changed / missing: the file changed or moved. */
  status: 'verified' | 'changed' | 'missing' | 'no-line';
  message: string;
  /** NMEA tag block: receiving station and time (ISO, to the second). */
  station?: string;
  tagTime?: string;
  /** A list record's own ids as the file gives them (e.g. "DATAID 6908437, REFERENCE_NUMBER KPe.071"). */
  ids?: string;
  /** The file's format when it is a list file ("un-xml", "ofac-csv", "ftm", "eu-yaml", "uk-yaml"). */
  format?: string;
}

export type WatchKind = 'vessel' | 'entity' | 'address';
export const WATCH_KINDS: readonly WatchKind[] = ['vessel', 'entity', 'address'];

export interface Watch {
  id: string;
  kind: WatchKind;
  /** What was typed: entity id, MMSI / `ais-<mmsi>`, or address. */
  ref: string;
  label: string | null;
  createdAt: string;
  /** Entity ids a finding must name among its subjects to concern this watch. */
  subjects: string[];
  alertCount: number;
  unreadCount: number;
}

export interface Alert {
  id: string;
  watchId: string;
  watchKind: WatchKind;
  watchRef: string;
  watchLabel: string | null;
  findingId: string;
  findingKind: string;
  findingStart: string;
  score: number;
  explanation: string;
  raisedAt: string;
  readAt: string | null;
}

/** What an attachment holds, sniffed from its first bytes (never from its name). */
export type AttachmentMediaType =
  | 'image/png'
  | 'image/jpeg'
  | 'image/tiff'
  | 'application/pdf'
  | 'text/html'
  | 'multipart/related';
export const ATTACHMENT_MEDIA_TYPES: readonly AttachmentMediaType[] = [
  'image/png',
  'image/jpeg',
  'image/tiff',
  'application/pdf',
  'text/html',
  'multipart/related',
];

/** image: PNG, JPEG, (Geo)TIFF; document: PDF; web-capture: HTML or MHTML (multipart/related). */
export type AttachmentKind = 'image' | 'document' | 'web-capture';

/** A GeoJSON Polygon in WGS84 longitude/latitude (the footprint of an image). */
export interface FootprintPolygon {
  type: 'Polygon';
  coordinates: Array<Array<[number, number]>>;
}

/** A file held by a case, stored once by its sha256 under the store's data directory (src/cases/attachments.ts). */
export interface Attachment {
  caseId: string;
  sha256: string;
  mediaType: AttachmentMediaType;
  kind: AttachmentKind;
  /** The name it was attached under (for downloads only; the type never comes from it). */
  filename: string;
  sizeBytes: number;
  caption: string;
  /** Who made it: satellite operator and product, photographer, publisher, URL. */
  source: string;
  /** When the image was taken or the document dated: YYYY-MM-DD or an ISO-8601 UTC time; null when not given. */
  date: string | null;
  licence: string;
  /** Imagery footprint (WGS84), from the GeoTIFF tags or as given; null when unknown or not imagery. */
  footprint: FootprintPolygon | null;
  /** [west, south, east, north] of the footprint. */
  bbox: [number, number, number, number] | null;
  /** geotiff: read from ModelTiepoint/ModelPixelScale (or ModelTransformation); given: typed by the analyst. */
  footprintFrom: 'geotiff' | 'given' | null;
  widthPx: number | null;
  heightPx: number | null;
  addedAt: string;
  addedBy: string;
}
