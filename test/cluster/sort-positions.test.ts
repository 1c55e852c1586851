import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { sortByVesselTime } from '../../src/maritime/tracks/load.js';
import { PositionBuilder } from '../../src/maritime/tracks/types.js';

/**
 * PostgreSQL reads a unit's positions unordered and `sortByVesselTime` orders them in the client: the order must be
 * that of `ORDER BY mmsi, ts, lat, lon` (POSITION_SELECT), rows equal on all four in arrival order.
 */

type Row = [mmsi: number, ts: number, lat: number, lon: number, sog: number, cog: number, src: number];

function build(rows: Row[]): PositionBuilder {
  const pb = new PositionBuilder(4); // small: the rows below make it grow
  for (const r of rows) pb.push(...r);
  return pb;
}

function rowsOf(pb: PositionBuilder): Row[] {
  const c = pb.finish();
  return Array.from({ length: c.length }, (_, i) => [
    c.mmsi[i]!,
    c.tsMs[i]!,
    c.lat[i]!,
    c.lon[i]!,
    c.sogKn[i]!,
    c.cogDeg[i]!,
    c.sourceIdx[i]!,
  ]);
}

/** The reference: a stable sort by (mmsi, ts, lat, lon). */
const reference = (rows: Row[]): Row[] =>
  [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);

/** A deterministic shuffle (mulberry32). */
function shuffle<T>(xs: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('sortByVesselTime (client-side order of an unordered PostgreSQL read)', () => {
  it('orders by (mmsi, ts, lat, lon), breaking full ties by arrival', () => {
    const rows: Row[] = [
      [412000002, 2000, 37.1, 124.0, 1, 2, 0],
      [412000001, 3000, 37.0, 124.0, 1, 2, 0],
      [412000001, 1000, 37.2, 124.1, 1, 2, 0],
      [412000001, 1000, 37.2, 124.0, 1, 2, 1], // same ts and lat: lon decides
      [412000001, 1000, 37.1, 124.9, 1, 2, 0], // same ts: lat decides
      [412000002, 1000, 37.1, 124.0, 5, 6, 0],
      [412000002, 1000, 37.1, 124.0, 7, 8, 1], // a full tie with the row above: stays after it
      [-5, 1000, 0, 0, Number.NaN, Number.NaN, 0],
    ];
    const pb = build(rows);
    sortByVesselTime(pb);
    expect(rowsOf(pb)).toEqual(reference(rows));
    expect(rowsOf(pb).map((r) => r[4])).toEqual([Number.NaN, 1, 1, 1, 1, 5, 7, 1]);
  });

  it('gives the reference order on simulated tracks read partition by partition, shuffled, or already ordered', () => {
    const p = simulate('yellow-sea', 3, { hours: 8 }).positions;
    const rows: Row[] = Array.from({ length: p.length }, (_, i) => [
      p.mmsi[i]!,
      p.tsMs[i]!,
      p.lat[i]!,
      p.lon[i]!,
      p.sogKn[i]!,
      p.cogDeg[i]!,
      i % 3,
    ]);
    // As an unordered scan of time partitions returns them: partition by partition (2-hour ones here, so that a
    // short simulation spans several), each in (mmsi, ts) order.
    const part = (r: Row) => Math.floor(r[1] / 7_200_000);
    const byPart = [...rows].sort((a, b) => part(a) - part(b));
    const cases = [byPart, shuffle(rows, 1), reference(rows), [...reference(rows)].reverse()];
    for (const input of cases) {
      const pb = build(input);
      sortByVesselTime(pb);
      const got = pb.finish();
      const want = build(reference(input)).finish();
      expect(got.length).toBe(want.length);
      // The first row where a column differs (NaN equals NaN), or -1: cheaper than toEqual on long typed arrays.
      for (const k of ['mmsi', 'tsMs', 'lat', 'lon', 'sogKn', 'cogDeg', 'sourceIdx'] as const) {
        const a = got[k];
        const b = want[k];
        let diff = -1;
        for (let i = 0; i < a.length && diff < 0; i++) if (!Object.is(a[i], b[i])) diff = i;
        expect(diff, k).toBe(-1);
      }
    }
  });
});
