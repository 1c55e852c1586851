import { equirectM, KN_MS } from '../geo/distance.js';
import { splitPieces } from './pieces.js';
import {
  DEFAULT_SEGMENT_PARAMS,
  type PositionColumns,
  type Segment,
  type SegmentParams,
  type StaticReport,
  type TrackSet,
  type VesselTrack,
} from './types.js';

/**
 * Split each MMSI's fixes into segments with the rule of pieces.ts (GFW pipe-segment style): two transmitters
 * sharing one MMSI become two long, interleaved segments (a clone), and a lone bad fix becomes a tiny one (a jump).
 */
export function buildTracks(
  cols: PositionColumns,
  statics: StaticReport[] = [],
  params: Partial<SegmentParams> = {},
): TrackSet {
  const p: SegmentParams = { ...DEFAULT_SEGMENT_PARAMS, ...params };
  const vessels: VesselTrack[] = [];
  const segments: Segment[] = [];
  const n = cols.length;
  let from = 0;
  while (from < n) {
    const mmsi = cols.mmsi[from]!;
    let to = from + 1;
    while (to < n && cols.mmsi[to] === mmsi) to++;
    const all = splitPieces(cols.lat, cols.lon, cols.tsMs, from, to, {
      maxSpeedKn: p.maxSpeedKn,
      noiseM: p.noiseM,
      maxGapMs: p.maxGapS * 1000,
    });
    const vt: VesselTrack = { mmsi, from, to, segments: [] };
    for (const idx of all) {
      const seg: Segment = {
        id: segments.length,
        mmsi,
        idx: contiguousOrList(idx),
        startMs: cols.tsMs[idx[0]!]!,
        endMs: cols.tsMs[idx[idx.length - 1]!]!,
      };
      segments.push(seg);
      vt.segments.push(seg);
    }
    vessels.push(vt);
    from = to;
  }
  const byMmsi = new Map<number, StaticReport[]>();
  for (const s of statics) {
    let list = byMmsi.get(s.mmsi);
    if (!list) byMmsi.set(s.mmsi, (list = []));
    list.push(s);
  }
  for (const list of byMmsi.values()) list.sort((a, b) => a.tsMs - b.tsMs);
  return { cols, vessels, segments, statics: byMmsi, params: p };
}

function contiguousOrList(idx: number[]): Int32Array {
  return Int32Array.from(idx);
}

/** Speed at fix k of a segment: the reported SOG, else the implied speed from the neighbouring fix. */
export function speedAt(cols: PositionColumns, idx: Int32Array, k: number): number {
  const i = idx[k]!;
  const sog = cols.sogKn[i]!;
  if (!Number.isNaN(sog)) return sog;
  const j = k > 0 ? idx[k - 1]! : idx.length > 1 ? idx[1]! : -1;
  if (j < 0) return Number.NaN;
  const dtS = Math.abs(cols.tsMs[i]! - cols.tsMs[j]!) / 1000;
  if (dtS <= 0) return Number.NaN;
  return equirectM(cols.lat[i]!, cols.lon[i]!, cols.lat[j]!, cols.lon[j]!) / dtS / KN_MS;
}
