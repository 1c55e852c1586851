/**
 * Split one MMSI's fixes into drawable pieces with the rule of src/maritime/tracks/segment.ts: a fix joins the
 * open piece it can reach at ≤ 50 kn (plus 1 km GPS slack), the closest first; otherwise it opens a new piece. A
 * piece closes after 6 h of silence (the dark period is drawn by the findings layer as a dashed line). So two ships
 * broadcasting one MMSI far apart (a clone) become two separate lines instead of one zig-zag between them, and a
 * lone spoofed fix becomes a piece of one point (no line to it).
 */

export const MAX_SPEED_KN = 50;
export const NOISE_M = 1000;
export const MAX_GAP_MS = 6 * 3600_000;
const KN_MS = 1852 / 3600;
const MAX_OPEN = 8;
const R = 6_371_000;
const RAD = Math.PI / 180;

/** Equirectangular distance in metres (accurate to well under 1% at these ranges). */
function distM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const x = (lon2 - lon1) * RAD * Math.cos(((lat1 + lat2) / 2) * RAD);
  const y = (lat2 - lat1) * RAD;
  return Math.sqrt(x * x + y * y) * R;
}

export interface Pieces {
  /** Indices into the input, piece after piece, each piece ascending in time. */
  order: Int32Array;
  /** Start offset of each piece in `order`, plus a final entry equal to order.length. */
  starts: Int32Array;
}

/** `ts` ascending (epoch ms). */
export function trackPieces(lat: ArrayLike<number>, lon: ArrayLike<number>, ts: ArrayLike<number>): Pieces {
  const n = ts.length;
  const maxMPerMs = (MAX_SPEED_KN * KN_MS) / 1000;
  const open: Array<{ last: number; idx: number[] }> = [];
  const done: number[][] = [];
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (let s = open.length - 1; s >= 0; s--) {
      const seg = open[s]!;
      const dt = t - ts[seg.last]!;
      if (dt > MAX_GAP_MS) {
        done.push(seg.idx);
        open.splice(s, 1);
        continue;
      }
      const d = distM(lat[seg.last]!, lon[seg.last]!, lat[i]!, lon[i]!);
      if (d <= maxMPerMs * dt + NOISE_M && d < bestD) {
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
        done.push(open[o]!.idx);
        open.splice(o, 1);
      }
    }
  }
  for (const s of open) done.push(s.idx);
  done.sort((a, b) => a[0]! - b[0]!);
  const order = new Int32Array(n);
  const starts = new Int32Array(done.length + 1);
  let k = 0;
  done.forEach((idx, p) => {
    starts[p] = k;
    for (const i of idx) order[k++] = i;
  });
  starts[done.length] = k;
  return { order, starts };
}
