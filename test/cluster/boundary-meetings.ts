/**
 * A small simulated dataset for the cluster's encounter units (test/cluster/encounters.test.ts): ship-to-ship
 * meetings in the open Yellow Sea (35-36° N, 123.8-124.3° E, far from any port or anchorage) placed on the
 * boundaries of a 0.1° grid and of 6-hour time slots from 2024-03-01T00:00Z:
 *
 * - `corner`: a pair straddling a cell corner (35.1° N, 123.9° E), 03:00-06:30 (across the 06:00 slot boundary);
 * - `slot-start`: a pair on a cell edge (35.2° N) whose first close slot is exactly 12:00;
 * - `slot-end`: a pair across a column edge (124.0° E) meeting at 17:50, ten minutes before the 18:00 boundary;
 * - `drift`: a pair straddling 124.1° E drifting north at 1 kn for 30 h, across five cell rows and six slots;
 * - `merge`: two close spells 2.5 h apart (04:00-06:30, 09:00-12:00), one encounter across the 06:00 boundary;
 * - `apart`: two close spells 5 h apart, two encounters;
 * - `short`: close for 1.5 h only, no encounter;
 * - `trio`: three vessels within 300 m of each other around the corner 35.5° N, 124.2° E, 05:00-08:00.
 *
 * Each vessel comes in at 9-10 kn from 25 km away and leaves the same way; fixes every 2 minutes with their SOG.
 * MMSIs are spread over several per-vessel units.
 */
import type { SimCopy } from '../../src/cluster/sim-dataset.js';
import { equirectM, KN_MS } from '../../src/maritime/geo/distance.js';
import { PositionBuilder, type StaticReport } from '../../src/maritime/tracks/types.js';

export const DAY0 = Date.UTC(2024, 2, 1);
const H = 3_600_000;

type Waypoint = [tMs: number, lat: number, lon: number];

function addPath(pb: PositionBuilder, src: number, mmsi: number, wps: Waypoint[], stepMs = 120_000): void {
  for (let w = 0; w + 1 < wps.length; w++) {
    const [t0, la0, lo0] = wps[w]!;
    const [t1, la1, lo1] = wps[w + 1]!;
    const sog = equirectM(la0, lo0, la1, lo1) / ((t1 - t0) / 1000) / KN_MS;
    const last = w + 2 === wps.length;
    for (let t = t0; last ? t <= t1 : t < t1; t += stepMs) {
      const f = (t - t0) / (t1 - t0);
      pb.push(mmsi, t, la0 + f * (la1 - la0), lo0 + f * (lo1 - lo0), Math.round(sog * 10) / 10, 0, src);
    }
  }
}

/** A vessel that comes in from `from` (degrees offset), holds `stay` waypoints, and leaves towards `to`. */
function visit(stay: Waypoint[], from: [number, number], to: [number, number]): Waypoint[] {
  const first = stay[0]!;
  const end = stay[stay.length - 1]!;
  return [
    [first[0] - 1.5 * H, first[1] + from[0], first[2] + from[1]],
    ...stay,
    [end[0] + 1.5 * H, end[1] + to[0], end[2] + to[1]],
  ];
}

const W: [number, number] = [0, -0.28];
const E: [number, number] = [0, 0.28];
const N: [number, number] = [0.22, 0];
const S: [number, number] = [-0.22, 0];

/** Two vessels holding station `offset` degrees apart (lat, lon) around a drifting point. */
function pair(
  t0: number,
  t1: number,
  lat: number,
  lon: number,
  offA: [number, number],
  offB: [number, number],
): [Waypoint[], Waypoint[]] {
  const drift = 0.0015; // about 170 m over the stay: under 0.1 kn
  return [
    visit(
      [
        [t0, lat + offA[0], lon + offA[1]],
        [t1, lat + offA[0] + drift, lon + offA[1]],
      ],
      W,
      E,
    ),
    visit(
      [
        [t0, lat + offB[0], lon + offB[1]],
        [t1, lat + offB[0] + drift, lon + offB[1]],
      ],
      N,
      S,
    ),
  ];
}

export function boundaryMeetings(): SimCopy {
  const pb = new PositionBuilder(1 << 14);
  const src = pb.sourceId('sim:boundaries');
  const paths: Array<[number, Waypoint[]]> = [];
  const add = (a: number, b: number, [pa, pbth]: [Waypoint[], Waypoint[]]) => {
    paths.push([a, pa], [b, pbth]);
  };
  const t = (h: number) => DAY0 + h * H;
  // corner: A (lower MMSI) just south-east of the corner, B just north-west.
  add(412000101, 440000102, pair(t(3), t(6.5), 35.1, 123.9, [-0.0006, 0.0006], [0.0006, -0.0006]));
  // slot-start: on the 35.2° edge, first close slot at 12:00 exactly.
  add(412000201, 667000202, pair(t(12), t(15), 35.2, 123.95, [-0.0008, 0], [0.0008, 0]));
  // slot-end: across 124.0° E, meeting at 17:50.
  add(412000301, 353000302, pair(t(17 + 50 / 60), t(20.5), 35.15, 124.0, [0, -0.0009], [0, 0.0009]));
  // drift: 30 h north at 1 kn (0.5° of latitude) straddling 124.1° E.
  paths.push(
    [
      412000401,
      visit(
        [
          [t(20), 35.22, 124.0994],
          [t(50), 35.72, 124.0994],
        ],
        W,
        E,
      ),
    ],
    [
      538000402,
      visit(
        [
          [t(20), 35.2203, 124.1006],
          [t(50), 35.7203, 124.1006],
        ],
        E,
        W,
      ),
    ],
  );
  // merge: C holds station 04:00-12:00; D is beside it 04:00-06:30 and 09:00-12:00, 2 km north in between.
  const mLat = 35.35;
  const mLon = 123.95;
  paths.push([
    412000501,
    visit(
      [
        [t(4), mLat, mLon],
        [t(12), mLat + 0.001, mLon],
      ],
      W,
      E,
    ),
  ]);
  paths.push([
    636000502,
    visit(
      [
        [t(4), mLat + 0.002, mLon],
        [t(6.5), mLat + 0.002, mLon],
        [t(6.75), mLat + 0.02, mLon],
        [t(8.75), mLat + 0.02, mLon],
        [t(9), mLat + 0.002, mLon],
        [t(12), mLat + 0.003, mLon],
      ],
      N,
      S,
    ),
  ]);
  // apart: E holds station 01:00-11:00; F beside it 01:00-03:30 and 08:30-11:00, 2 km north for 5 h.
  const aLat = 35.45;
  const aLon = 124.15;
  paths.push([
    412000601,
    visit(
      [
        [t(1), aLat, aLon],
        [t(11), aLat + 0.001, aLon],
      ],
      W,
      E,
    ),
  ]);
  paths.push([
    477000602,
    visit(
      [
        [t(1), aLat + 0.002, aLon],
        [t(3.5), aLat + 0.002, aLon],
        [t(3.75), aLat + 0.02, aLon],
        [t(8.25), aLat + 0.02, aLon],
        [t(8.5), aLat + 0.002, aLon],
        [t(11), aLat + 0.003, aLon],
      ],
      N,
      S,
    ),
  ]);
  // short: 1.5 h beside each other.
  add(412000701, 563000702, pair(t(13), t(14.5), 35.6, 123.85, [0, 0], [0.002, 0]));
  // trio around the corner 35.5° N 124.2° E.
  const [ta, tb] = pair(t(5), t(8), 35.5, 124.2, [-0.0007, 0.0007], [0.0007, -0.0007]);
  paths.push([412000801, ta], [440000802, tb]);
  paths.push([
    229000803,
    visit(
      [
        [t(5), 35.5007, 124.2007],
        [t(8), 35.5022, 124.2007],
      ],
      S,
      N,
    ),
  ]);
  paths.sort((a, b) => a[0] - b[0]);
  for (const [mmsi, wps] of paths) addPath(pb, src, mmsi, wps);
  const statics: StaticReport[] = paths.map(([mmsi, wps]) => ({
    mmsi,
    tsMs: wps[0]![0],
    imo: 9_000_000 + (mmsi % 1000),
    name: `BOUNDARY ${mmsi % 1000}`,
    callsign: null,
    shipType: 80,
    draughtM: 8,
    destination: null,
    source: 'sim:boundaries',
  }));
  return { positions: pb.finish(), statics };
}
