import { bearingDeg, destination, haversineM, KN_MS } from '../geo/distance.js';

/**
 * A vessel's movement as a list of activities in time: berthed, sailing a polyline at a speed, drifting, or
 * fishing in circles. `stateAt(t)` gives position, speed and course at any time.
 */

export type Activity =
  | { kind: 'berth'; startMs: number; endMs: number; lat: number; lon: number; port: string }
  | { kind: 'sail'; startMs: number; endMs: number; path: Array<[number, number]>; cumM: number[]; speedKn: number }
  | {
      kind: 'drift';
      startMs: number;
      endMs: number;
      lat: number;
      lon: number;
      refMs: number;
      driftKn: number;
      driftDeg: number;
      offsetE: number;
      offsetN: number;
    }
  | {
      kind: 'fish';
      startMs: number;
      endMs: number;
      lat: number;
      lon: number;
      radiusM: number;
      speedKn: number;
      phase: number;
    };

export interface MotionState {
  lat: number;
  lon: number;
  sogKn: number;
  cogDeg: number;
  navStatus: number;
}

export function sailActivity(
  startMs: number,
  path: Array<[number, number]>,
  speedKn: number,
): Activity & { kind: 'sail' } {
  const cumM = [0];
  for (let i = 1; i < path.length; i++)
    cumM.push(cumM[i - 1]! + haversineM(path[i - 1]![0], path[i - 1]![1], path[i]![0], path[i]![1]));
  const durMs = (cumM[cumM.length - 1]! / (speedKn * KN_MS)) * 1000;
  return { kind: 'sail', startMs, endMs: startMs + durMs, path, cumM, speedKn };
}

/** Time at which a sail activity passes vertex k of its path. */
export function sailTimeAt(a: Activity & { kind: 'sail' }, k: number): number {
  return a.startMs + (a.cumM[k]! / (a.speedKn * KN_MS)) * 1000;
}

export function stateAt(a: Activity, tMs: number): MotionState {
  switch (a.kind) {
    case 'berth':
      return { lat: a.lat, lon: a.lon, sogKn: 0, cogDeg: Number.NaN, navStatus: 5 };
    case 'sail': {
      const d = Math.min(a.cumM[a.cumM.length - 1]!, Math.max(0, ((tMs - a.startMs) / 1000) * a.speedKn * KN_MS));
      let k = 1;
      while (k < a.cumM.length - 1 && a.cumM[k]! < d) k++;
      const p = a.path[k - 1]!;
      const q = a.path[k]!;
      const seg = a.cumM[k]! - a.cumM[k - 1]!;
      const f = seg > 0 ? (d - a.cumM[k - 1]!) / seg : 1;
      return {
        lat: p[0] + f * (q[0] - p[0]),
        lon: p[1] + f * (q[1] - p[1]),
        sogKn: a.speedKn,
        cogDeg: bearingDeg(p[0], p[1], q[0], q[1]),
        navStatus: 0,
      };
    }
    case 'drift': {
      const dist = (((tMs - a.refMs) / 1000) * a.driftKn * KN_MS) as number;
      const [lat0, lon0] = destination(a.lat, a.lon, a.driftDeg, dist);
      const [lat1, lon1] = destination(lat0, lon0, 90, a.offsetE);
      const [lat, lon] = destination(lat1, lon1, 0, a.offsetN);
      return { lat, lon, sogKn: a.driftKn, cogDeg: a.driftDeg, navStatus: 0 };
    }
    case 'fish': {
      const omega = (a.speedKn * KN_MS) / a.radiusM; // rad/s
      const ang = a.phase + omega * ((tMs - a.startMs) / 1000);
      const [lat, lon] = destination(a.lat, a.lon, ((ang * 180) / Math.PI) % 360, a.radiusM);
      return { lat, lon, sogKn: a.speedKn, cogDeg: ((((ang * 180) / Math.PI + 90) % 360) + 360) % 360, navStatus: 7 };
    }
  }
}
