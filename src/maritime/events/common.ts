import { type EvidenceRef, type Finding, findingId, type Geometry, type VesselRef } from '../../findings/finding.js';
import type { PositionColumns, StaticReport, TrackSet } from '../tracks/types.js';

/** Helpers every detector shares: vessel references, evidence pointers and the Finding envelope. */

export const iso = (ms: number): string => new Date(ms).toISOString();

export const vesselEntityId = (mmsi: number): string => `ais-${mmsi}`;

/** The vessel's latest reported IMO and name, for `vessels` on findings. */
export function vesselRef(tracks: TrackSet, mmsi: number, atMs?: number): VesselRef {
  const list = tracks.statics.get(mmsi);
  let imo: number | null = null;
  let name: string | null = null;
  if (list) {
    for (const s of list) {
      if (atMs !== undefined && s.tsMs > atMs && (imo !== null || name !== null)) break;
      if (s.imo) imo = s.imo;
      if (s.name) name = s.name;
    }
  }
  return { mmsi, imo, name };
}

/** Evidence pointer to one position fix: `mmsi:<mmsi>@<epochMs>` in its import. */
export function pointEvidence(cols: PositionColumns, i: number, note: string): EvidenceRef {
  return {
    source: cols.sources[cols.sourceIdx[i]!] ?? 'unknown',
    record: `mmsi:${cols.mmsi[i]}@${cols.tsMs[i]}`,
    note,
  };
}

export function staticEvidence(s: StaticReport, note: string): EvidenceRef {
  return { source: s.source, record: `static:mmsi:${s.mmsi}@${s.tsMs}`, note };
}

export function pointGeometry(cols: PositionColumns, i: number): Geometry {
  return { type: 'Point', coordinates: [round6(cols.lon[i]!), round6(cols.lat[i]!)] };
}

export function lineGeometry(cols: PositionColumns, indices: number[]): Geometry {
  return { type: 'LineString', coordinates: indices.map((i) => [round6(cols.lon[i]!), round6(cols.lat[i]!)]) };
}

export function positionDetail(cols: PositionColumns, i: number): Record<string, number | string | null> {
  const sog = cols.sogKn[i]!;
  return {
    time: iso(cols.tsMs[i]!),
    lat: round6(cols.lat[i]!),
    lon: round6(cols.lon[i]!),
    sogKn: Number.isNaN(sog) ? null : round(sog, 1),
  };
}

export const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;
export const round6 = (v: number): number => round(v, 6);

export interface FindingInput {
  kind: string;
  mmsis: number[];
  startMs: number;
  endMs?: number;
  geometry?: Geometry;
  score: number;
  redFlags: string[];
  explanation: string;
  evidence: EvidenceRef[];
  params: Record<string, number | string | boolean>;
  details?: Record<string, unknown>;
  /** Extra key making the id unique when one vessel has two findings of a kind at the same instant. */
  idKey?: string;
}

export function makeFinding(tracks: TrackSet, f: FindingInput): Finding {
  const subjects = [...new Set(f.mmsis)].sort((a, b) => a - b).map(vesselEntityId);
  const start = iso(f.startMs);
  return {
    id: findingId(f.kind, f.idKey ? [...subjects, f.idKey] : subjects, start),
    kind: f.kind,
    subjects,
    start,
    ...(f.endMs !== undefined ? { end: iso(f.endMs) } : {}),
    ...(f.geometry ? { geometry: f.geometry } : {}),
    score: Math.max(0, Math.min(1, round(f.score, 3))),
    redFlags: [...new Set(f.redFlags)],
    explanation: f.explanation,
    evidence: f.evidence,
    params: f.params,
    vessels: [...new Set(f.mmsis)].sort((a, b) => a - b).map((m) => vesselRef(tracks, m, f.startMs)),
    ...(f.details ? { details: f.details } : {}),
  };
}

/** Median of a numeric array (copy-sorted); NaN for an empty array. */
export function median(values: number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
