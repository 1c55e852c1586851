import { equirectM, KN_MS } from '../geo/distance.js';

/**
 * The segmentation rule, GFW pipe-segment style, shared by the server's tracks (segment.ts) and the web map: a
 * fix joins the open piece it can reach at a plausible speed (closest first); when none can, it opens a new one. A
 * piece closes after `maxGapMs` of silence. Two transmitters sharing one MMSI therefore become two long,
 * interleaved pieces (a clone), and a lone bad fix becomes a piece of one point (a jump). Pure: no Node APIs.
 */
export interface PieceRule {
  maxSpeedKn: number;
  /** GPS slack added to the reachable distance, metres. */
  noiseM: number;
  maxGapMs: number;
}

/** At most this many pieces stay open; past it the stalest closes (bounds the work per fix on noisy receivers). */
const MAX_OPEN = 8;

/**
 * Fixes [from, to) of one MMSI, `ts` ascending (epoch ms), split into pieces: index lists, each ascending in time,
 * ordered by their first fix.
 */
export function splitPieces(
  lat: ArrayLike<number>,
  lon: ArrayLike<number>,
  ts: ArrayLike<number>,
  from: number,
  to: number,
  rule: PieceRule,
): number[][] {
  const maxMPerMs = (rule.maxSpeedKn * KN_MS) / 1000;
  const open: Array<{ last: number; idx: number[] }> = [];
  const closed: number[][] = [];
  for (let i = from; i < to; i++) {
    const t = ts[i]!;
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (let s = open.length - 1; s >= 0; s--) {
      const seg = open[s]!;
      const dt = t - ts[seg.last]!;
      if (dt > rule.maxGapMs) {
        closed.push(seg.idx);
        open.splice(s, 1);
        continue;
      }
      const d = equirectM(lat[seg.last]!, lon[seg.last]!, lat[i]!, lon[i]!);
      if (d <= maxMPerMs * dt + rule.noiseM && d < bestD) {
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
      if (open.length > MAX_OPEN) {
        let o = 0;
        for (let s = 1; s < open.length; s++) if (ts[open[s]!.last]! < ts[open[o]!.last]!) o = s;
        closed.push(open[o]!.idx);
        open.splice(o, 1);
      }
    }
  }
  for (const s of open) closed.push(s.idx);
  return closed.sort((a, b) => a[0]! - b[0]!);
}
