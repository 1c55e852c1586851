import { equirectM, KN_MS } from '../geo/distance.js';
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
 * Split each MMSI's fixes into segments the way GFW pipe-segment does: a fix joins the open segment it can reach
 * at a plausible speed (closest first); when none can, it opens a new one. Two transmitters sharing one MMSI
 * therefore become two long, interleaved segments (a clone), and a lone bad fix becomes a tiny one (a jump).
 */
const MAX_OPEN = 8;

export function buildTracks(
  cols: PositionColumns,
  statics: StaticReport[] = [],
  params: Partial<SegmentParams> = {},
): TrackSet {
  const p: SegmentParams = { ...DEFAULT_SEGMENT_PARAMS, ...params };
  const vessels: VesselTrack[] = [];
  const segments: Segment[] = [];
  const n = cols.length;
  const maxMs = (p.maxSpeedKn * KN_MS) / 1000;
  let from = 0;
  while (from < n) {
    const mmsi = cols.mmsi[from]!;
    let to = from + 1;
    while (to < n && cols.mmsi[to] === mmsi) to++;
    // Open segments: last index and collected indices.
    const open: Array<{ last: number; idx: number[] }> = [];
    const closed: Array<{ idx: number[] }> = [];
    for (let i = from; i < to; i++) {
      const t = cols.tsMs[i]!;
      let best = -1;
      let bestD = Infinity;
      for (let s = open.length - 1; s >= 0; s--) {
        const seg = open[s]!;
        const dtMs = t - cols.tsMs[seg.last]!;
        if (dtMs > p.maxGapS * 1000) {
          closed.push(seg);
          open.splice(s, 1);
          continue;
        }
        const d = equirectM(cols.lat[seg.last]!, cols.lon[seg.last]!, cols.lat[i]!, cols.lon[i]!);
        if (d <= maxMs * dtMs + p.noiseM && d < bestD) {
          bestD = d;
          best = s;
        }
      }
      if (best >= 0) {
        const seg = open[best]!;
        seg.idx.push(i);
        seg.last = i;
      } else {
        open.push({ last: i, idx: [i] });
        // Bound the work per fix: close the stalest open segment when too many are open (noisy receivers).
        if (open.length > MAX_OPEN) {
          let o = 0;
          for (let s = 1; s < open.length; s++) if (cols.tsMs[open[s]!.last]! < cols.tsMs[open[o]!.last]!) o = s;
          closed.push(open[o]!);
          open.splice(o, 1);
        }
      }
    }
    const all = [...closed, ...open].map((s) => s.idx).sort((a, b) => a[0]! - b[0]!);
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
