/**
 * What the NMEA fast path (fast-positions.ts) hands its positions and static repeats to. The store's row builder
 * (maritime/store/rows.ts) implements it; the type lives here so the decoder does not depend on the store.
 */
export interface PositionSink {
  /** Time (epoch ms) of the next `positionFast` call (a field, so that call passes only small integers). */
  fastTs: number;
  /**
   * A position report of type 1, 2, 3 or 18 from its raw integer fields: lat/lon in 1/10000 minute, speed and course
   * in tenths, heading in degrees (511: not available), navigation status (15: not defined), class 1 A / 2 B.
   */
  positionFast(
    mmsi: number,
    latRaw: number,
    lonRaw: number,
    speedTenths: number,
    courseTenths: number,
    heading: number,
    status: number,
    type: number,
    clsCode: number,
    line: number,
  ): boolean;
  /** A type 27 report from its raw fields: lat/lon in 1/10 minute, speed knots, course degrees. */
  longRange(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    speed: number,
    course: number,
    status: number,
    line: number,
  ): boolean;
  /**
   * A static message's raw bits (kind 0 type 5, 1/2 type 24 part A/B, 4 type 19): true when it repeats the vessel's
   * last one of that kind within the hour (then counted as such), false and nothing changed otherwise.
   */
  staticRepeatRaw(mmsi: number, kind: number, bytes: Uint8Array, bitlen: number, tsMs: number, line: number): boolean;
}
