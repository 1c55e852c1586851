/**
 * Split one MMSI's fixes into drawable pieces with the server's rule (src/maritime/tracks/pieces.ts): a fix joins the
 * open piece it can reach at ≤ 50 kn (plus 1 km GPS slack), the closest first; otherwise it opens a new piece. A
 * piece closes after 6 h of silence (the dark period is drawn by the findings layer as a dashed line). So two ships
 * broadcasting one MMSI far apart (a clone) become two separate lines instead of one zig-zag between them, and a
 * lone spoofed fix becomes a piece of one point (no line to it).
 */

import { splitPieces } from '../../../src/maritime/tracks/pieces.js';

export const MAX_SPEED_KN = 50;
export const NOISE_M = 1000;
export const MAX_GAP_MS = 6 * 3600_000;

export interface Pieces {
  /** Indices into the input, piece after piece, each piece ascending in time. */
  order: Int32Array;
  /** Start offset of each piece in `order`, plus a final entry equal to order.length. */
  starts: Int32Array;
}

/** `ts` ascending (epoch ms). */
export function trackPieces(lat: ArrayLike<number>, lon: ArrayLike<number>, ts: ArrayLike<number>): Pieces {
  const n = ts.length;
  const done = splitPieces(lat, lon, ts, 0, n, { maxSpeedKn: MAX_SPEED_KN, noiseM: NOISE_M, maxGapMs: MAX_GAP_MS });
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
