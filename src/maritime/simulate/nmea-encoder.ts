/**
 * AIS NMEA encoder for the simulator: the simulator's reports as message fields, written into bits by walking the
 * decoder's own tables (maritime/ais/encode.ts), wrapped in !AIVDM sentences (two-part for type 5) with NMEA 4.0
 * tag blocks carrying the receive time (`c:` unix seconds), source (`s:`) and, for multi-part messages, the group
 * (`g:`). Sentences and tag blocks are written by the envelope's writers (maritime/ais/envelope.ts), from the same
 * declaration the decoder reads them by.
 */
import { encodePayload, type Payload, scaler } from '../ais/encode.js';
import { checksumHex, formatSentence, formatTagBlock } from '../ais/envelope.js';
import { TABLES, TYPE24 } from '../ais/tables/index.js';

const CLASS_A = TABLES[1]!;
const CLASS_B = TABLES[18]!;
const STATIC_VOYAGE = TABLES[5]!;
/** Raw field values from degrees and metres, by the tables' divisors. */
const latRaw = scaler(CLASS_A, 'lat');
const lonRaw = scaler(CLASS_A, 'lon');
const courseRaw = scaler(CLASS_A, 'course');
const draughtRaw = scaler(STATIC_VOYAGE, 'draught');

/** The NMEA checksum of a sentence or tag-block body (the envelope's rule). */
export const nmeaChecksum = checksumHex;

export interface PositionReport {
  msgType: 1 | 2 | 3 | 18;
  mmsi: number;
  tsMs: number;
  lat: number;
  lon: number;
  sogKn: number;
  cogDeg: number;
  headingDeg: number | null;
  navStatus: number;
}

export interface StaticData {
  mmsi: number;
  imo: number | null;
  callsign: string;
  name: string;
  shipType: number;
  toBow: number;
  toStern: number;
  toPort: number;
  toStarboard: number;
  draughtM: number;
  destination: string;
  /** ETA as month, day, hour, minute (UTC). */
  eta?: [number, number, number, number];
}

/** Speed in tenths of a knot (1023 not available, 1022 for 102.2 kn or more). */
const sogField = (s: number) => (Number.isFinite(s) ? Math.min(1022, Math.round(s * 10)) : 1023);
/** Course over ground in tenths of a degree in [0, 3600) (3600 not available). */
const cogField = (c: number) => (Number.isFinite(c) ? courseRaw(((c % 360) + 360) % 360) % 3600 : 3600);
/** Heading in whole degrees (511 not available). */
const hdgField = (h: number | null) =>
  h === null || !Number.isFinite(h) ? 511 : Math.round(((h % 360) + 360) % 360) % 360;

export function encodePosition(r: PositionReport): string {
  const second = Math.floor(r.tsMs / 1000) % 60;
  const header = { type: r.msgType, mmsi: r.mmsi };
  const speed = sogField(r.sogKn);
  const lon = lonRaw(r.lon);
  const lat = latRaw(r.lat);
  const course = cogField(r.cogDeg);
  const heading = hdgField(r.headingDeg);
  if (r.msgType === 18)
    // A class B "CS" unit with a display, DSC, the whole band and message 22 handling.
    return encodePayload(CLASS_B, header, {
      speed,
      lon,
      lat,
      course,
      heading,
      second,
      cs: 1,
      dsc: 1,
      band: 1,
      msg22: 1,
    }).payload;
  return encodePayload(CLASS_A, header, { status: r.navStatus, turn: -128, speed, lon, lat, course, heading, second })
    .payload;
}

export function encodeType5(s: StaticData): Payload {
  const [month, day, hour, minute] = s.eta ?? [0, 0, 24, 60];
  return encodePayload(
    STATIC_VOYAGE,
    { type: 5, mmsi: s.mmsi },
    {
      imo: s.imo ?? 0,
      callsign: s.callsign,
      shipname: s.name,
      shiptype: s.shipType,
      ...dims(s),
      epfd: 1, // GPS
      month,
      day,
      hour,
      minute,
      draught: draughtRaw(s.draughtM),
      destination: s.destination,
    },
  );
}

export function encodeType24(s: StaticData, part: 0 | 1): string {
  const header = { type: 24, mmsi: s.mmsi };
  if (part === 0) return encodePayload(TYPE24.a, header, { partno: 0, shipname: s.name }).payload;
  return encodePayload(TYPE24.b, header, {
    partno: 1,
    shiptype: s.shipType,
    vendorid: 'WKS',
    callsign: s.callsign,
    ...dims(s),
  }).payload;
}

const dims = (s: StaticData) => ({
  to_bow: s.toBow,
  to_stern: s.toStern,
  to_port: s.toPort,
  to_starboard: s.toStarboard,
});

function tagBlock(tsMs: number, source: string, group?: string): string {
  return formatTagBlock({ station: source, time: Math.floor(tsMs / 1000), group });
}

function sentence(total: number, num: number, seq: string, channel: string, payload: string, fill: number): string {
  return formatSentence({ total, num, seq, channel, payload, fill });
}

/** NMEA lines (with tag blocks) for one single-sentence message. */
export function singleSentence(tsMs: number, source: string, payload: string, channel = 'A', fill = 0): string {
  return tagBlock(tsMs, source) + sentence(1, 1, '', channel, payload, fill);
}

let groupCounter = 0;

/** Two sentences for a type 5 message (first 60 payload characters, then the rest), tag-block grouped. */
export function type5Sentences(tsMs: number, source: string, s: StaticData, seqId: number): string[] {
  const { payload, fill } = encodeType5(s);
  const group = (groupCounter = (groupCounter % 9999) + 1);
  const seq = String(seqId % 10);
  return [
    tagBlock(tsMs, source, `1-2-${group}`) + sentence(2, 1, seq, 'A', payload.slice(0, 60), 0),
    tagBlock(tsMs, source, `2-2-${group}`) + sentence(2, 2, seq, 'A', payload.slice(60), fill),
  ];
}
