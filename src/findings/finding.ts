import { createHash } from 'node:crypto';

/**
 * The one contract every analyser emits. The UI, alerts, cases and reports read only this shape, so a
 * maritime encounter and a crypto exposure travel through the same pipes.
 */

/** GeoJSON geometry (RFC 7946), kept minimal so the model has no GeoJSON dependency. */
export type Geometry =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'LineString'; coordinates: Array<[number, number]> }
  | { type: 'Polygon'; coordinates: Array<Array<[number, number]>> }
  | { type: 'MultiPoint'; coordinates: Array<[number, number]> }
  | { type: 'MultiLineString'; coordinates: Array<Array<[number, number]>> }
  | { type: 'MultiPolygon'; coordinates: Array<Array<Array<[number, number]>>> };

/** A pointer to the raw record a finding rests on, precise enough to fetch and re-hash it. */
export interface EvidenceRef {
  /** Source id: an import id, list version id, file name or chain id. */
  source: string;
  /** Record reference inside the source: "file:line", "tx:0x…", "mmsi:…@epochMs", an entity id, ... */
  record: string;
  /** sha256 of the record's raw content (or of the file for whole-file evidence), when known. */
  contentHash?: string;
  /** A short human description ("last position before the gap"). */
  note?: string;
}

/** A vessel named in a maritime finding. */
export interface VesselRef {
  mmsi: number;
  imo?: number | null;
  name?: string | null;
}

export interface Finding {
  /** Stable: hash of kind + subjects + start (see findingId). */
  id: string;
  /** 'ais.gap' | 'ais.encounter' | ... | 'screening.match' | 'crypto.exposure' | ... */
  kind: string;
  /** Entity ids (vessel, wallet, company, ...). */
  subjects: string[];
  /** ISO 8601 UTC. */
  start: string;
  end?: string;
  geometry?: Geometry;
  /** 0..1 */
  score: number;
  /** Codes from findings/red-flags.ts. */
  redFlags: string[];
  /** One sentence a person can check against the evidence. */
  explanation: string;
  evidence: EvidenceRef[];
  /** The thresholds used, so the finding can be reproduced. */
  params: Record<string, number | string | boolean>;
  /** Maritime findings name the vessels involved. */
  vessels?: VesselRef[];
  /** Detector-specific measured values (distances, speeds, draughts, amounts as decimal strings...). */
  details?: Record<string, unknown>;
}

/** Stable id: the same event found again (re-run, incremental detection) gets the same id and replaces itself. */
export function findingId(kind: string, subjects: string[], start: string): string {
  const h = createHash('sha256');
  h.update(kind);
  h.update('\u0000');
  h.update([...subjects].sort().join('\u0001'));
  h.update('\u0000');
  h.update(start);
  return `f-${h.digest('hex').slice(0, 24)}`;
}

/**
 * A finding its producer no longer makes from current data but keeps readable because a case or an alert cites it
 * (`details.superseded`, written by the ownership step). It stays evidence of what was known; it no longer counts.
 */
export function isSuperseded(f: Finding): boolean {
  return Boolean((f.details as { superseded?: unknown } | undefined)?.superseded);
}

/** Severity bands live with the finding kinds in kinds.ts (browser-safe, so the web UI uses the same cut-offs). */
export { type Severity, severityOf } from './kinds.js';

/** Throws with the field name when a finding breaks the contract; analysers call this before persisting. */
export function assertFinding(f: Finding): void {
  const where = `finding ${f.id ?? '(no id)'} (${f.kind ?? 'no kind'})`;
  if (!f.id) throw new Error(`${where}: id is required`);
  if (!/^[a-z]+(\.[a-z_]+)+$/.test(f.kind)) throw new Error(`${where}: kind must look like "ais.gap"`);
  if (!Array.isArray(f.subjects) || f.subjects.length === 0) throw new Error(`${where}: subjects must not be empty`);
  if (Number.isNaN(Date.parse(f.start))) throw new Error(`${where}: start is not an ISO 8601 time`);
  if (f.end !== undefined && Number.isNaN(Date.parse(f.end))) throw new Error(`${where}: end is not an ISO 8601 time`);
  if (!(f.score >= 0 && f.score <= 1)) throw new Error(`${where}: score must be within 0..1, got ${f.score}`);
  if (!f.explanation) throw new Error(`${where}: explanation is required`);
}
