/**
 * AIS NMEA encoder for the simulator: packs message fields into bits (ITU-R M.1371), armours them as six-bit
 * ASCII, wraps them in !AIVDM sentences (two-part for type 5) with NMEA 4.0 tag blocks carrying the receive time
 * (`c:` unix seconds), source (`s:`) and, for multi-part messages, the group (`g:`).
 */

/** Packs fields MSB-first straight into six-bit armoured characters (no per-bit arrays). */
class BitWriter {
  private readonly chars: number[] = [];
  private cur = 0;
  private n = 0;
  private bit(b: number): void {
    this.cur = (this.cur << 1) | b;
    if (++this.n === 6) {
      this.chars.push(this.cur < 40 ? this.cur + 48 : this.cur + 56);
      this.cur = 0;
      this.n = 0;
    }
  }
  uint(value: number, width: number): this {
    const v = Math.max(0, Math.round(value));
    if (width <= 30) {
      for (let b = width - 1; b >= 0; b--) this.bit((v >>> b) & 1);
    } else {
      for (let b = width - 1; b >= 0; b--) this.bit(Math.floor(v / 2 ** b) % 2);
    }
    return this;
  }
  int(value: number, width: number): this {
    let v = Math.round(value);
    if (v < 0) v += 2 ** width;
    return this.uint(v, width);
  }
  text(s: string, chars: number): this {
    const t = s.toUpperCase().padEnd(chars, '@').slice(0, chars);
    for (let i = 0; i < t.length; i++) {
      let c = t.charCodeAt(i);
      if (c >= 64 && c < 96) c -= 64;
      else if (c < 32 || c >= 64) c = 32; // unsupported → space
      this.uint(c, 6);
    }
    return this;
  }
  armour(): { payload: string; fill: number } {
    const fill = (6 - this.n) % 6;
    for (let i = 0; i < fill; i++) this.bit(0);
    return { payload: String.fromCharCode(...this.chars), fill };
  }
}

export function nmeaChecksum(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

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

const lonField = (lon: number) => Math.round(lon * 600000);
const latField = (lat: number) => Math.round(lat * 600000);
const sogField = (s: number) => (Number.isFinite(s) ? Math.min(1022, Math.round(s * 10)) : 1023);
const cogField = (c: number) => (Number.isFinite(c) ? Math.round((((c % 360) + 360) % 360) * 10) % 3600 : 3600);
const hdgField = (h: number | null) =>
  h === null || !Number.isFinite(h) ? 511 : Math.round(((h % 360) + 360) % 360) % 360;

export function encodePosition(r: PositionReport): string {
  const w = new BitWriter();
  const second = Math.floor(r.tsMs / 1000) % 60;
  if (r.msgType === 18) {
    w.uint(18, 6).uint(0, 2).uint(r.mmsi, 30).uint(0, 8).uint(sogField(r.sogKn), 10).uint(0, 1);
    w.int(lonField(r.lon), 28).int(latField(r.lat), 27).uint(cogField(r.cogDeg), 12).uint(hdgField(r.headingDeg), 9);
    w.uint(second, 6)
      .uint(0, 2)
      .uint(1, 1)
      .uint(0, 1)
      .uint(1, 1)
      .uint(1, 1)
      .uint(1, 1)
      .uint(0, 1)
      .uint(0, 1)
      .uint(0, 20);
  } else {
    w.uint(r.msgType, 6).uint(0, 2).uint(r.mmsi, 30).uint(r.navStatus, 4).int(-128, 8).uint(sogField(r.sogKn), 10);
    w.uint(0, 1).int(lonField(r.lon), 28).int(latField(r.lat), 27).uint(cogField(r.cogDeg), 12);
    w.uint(hdgField(r.headingDeg), 9).uint(second, 6).uint(0, 2).uint(0, 3).uint(0, 1).uint(0, 19);
  }
  return w.armour().payload;
}

export function encodeType5(s: StaticData): { payload: string; fill: number } {
  const w = new BitWriter();
  const [mo, d, h, mi] = s.eta ?? [0, 0, 24, 60];
  w.uint(5, 6)
    .uint(0, 2)
    .uint(s.mmsi, 30)
    .uint(0, 2)
    .uint(s.imo ?? 0, 30)
    .text(s.callsign, 7)
    .text(s.name, 20);
  w.uint(s.shipType, 8).uint(s.toBow, 9).uint(s.toStern, 9).uint(s.toPort, 6).uint(s.toStarboard, 6).uint(1, 4);
  w.uint(mo, 4)
    .uint(d, 5)
    .uint(h, 5)
    .uint(mi, 6)
    .uint(Math.round(s.draughtM * 10), 8)
    .text(s.destination, 20);
  w.uint(0, 1).uint(0, 1);
  return w.armour();
}

export function encodeType24(s: StaticData, part: 0 | 1): string {
  const w = new BitWriter();
  w.uint(24, 6).uint(0, 2).uint(s.mmsi, 30).uint(part, 2);
  if (part === 0) w.text(s.name, 20).uint(0, 8);
  else
    w.uint(s.shipType, 8)
      .text('WKSIM', 3)
      .uint(0, 4)
      .uint(0, 20)
      .text(s.callsign, 7)
      .uint(s.toBow, 9)
      .uint(s.toStern, 9)
      .uint(s.toPort, 6)
      .uint(s.toStarboard, 6)
      .uint(0, 6);
  return w.armour().payload;
}

function tagBlock(tsMs: number, source: string, group?: string): string {
  const body = `s:${source},c:${Math.floor(tsMs / 1000)}${group ? `,g:${group}` : ''}`;
  return `\\${body}*${nmeaChecksum(body)}\\`;
}

function sentence(total: number, num: number, seq: string, channel: string, payload: string, fill: number): string {
  const body = `AIVDM,${total},${num},${seq},${channel},${payload},${fill}`;
  return `!${body}*${nmeaChecksum(body)}`;
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

/** Decode helper for tests: six-bit payload back to a bit string. */
export function payloadBits(payload: string): string {
  let out = '';
  for (const ch of payload) {
    let v = ch.charCodeAt(0) - 48;
    if (v > 40) v -= 8;
    out += v.toString(2).padStart(6, '0');
  }
  return out;
}
