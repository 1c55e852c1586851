/**
 * Streaming decode for `ais decode`: bytes in, one gpsd JSON object (or CSV row) per message out, written in big
 * buffered chunks. Memory stays flat whatever the input size.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { AisMessage } from './decoder.js';
import { GpsdJsonWriter } from './gpsd-json.js';
import { ByteOut, type GpsdCompat } from './json-out.js';
import { type AisCounters, type AisMeta, NmeaAisDecoder } from './nmea.js';

export interface DecodeStreamOptions {
  format?: 'jsonl' | 'csv';
  /** gpsd scaling (default true); false prints raw integers like `gpsdecode -u`. */
  scaled?: boolean;
  /** "device" value printed in JSON (gpsdecode prints "stdin"); '' omits it. */
  device?: string;
  split24?: boolean;
  /** Line ending; gpsdecode ends each JSON line with "\r\n". */
  eol?: string;
  /** JSON of current gpsd (default) or of gpsd 3.22 (see `GpsdCompat`). */
  gpsdCompat?: GpsdCompat;
}

export const CSV_HEADER =
  'time,station,talker,channel,type,repeat,mmsi,status,speed,course,heading,lat,lon,imo,callsign,shipname,shiptype,destination';

const OUT_CHUNK = 1 << 20;

/** Decode NMEA bytes from `input` and write messages to `out`. Resolves with the decoder counters. */
export async function decodeToStream(
  input: AsyncIterable<Uint8Array>,
  out: Writable,
  opts: DecodeStreamOptions = {},
): Promise<AisCounters> {
  const format = opts.format ?? 'jsonl';
  const eol = opts.eol ?? (format === 'jsonl' ? '\r\n' : '\n');
  const scaled = opts.scaled ?? true;
  const writer = new GpsdJsonWriter({
    scaled,
    device: opts.device ?? 'stdin',
    split24: opts.split24,
    eol,
    compat: opts.gpsdCompat,
  });
  const buf = new ByteOut(OUT_CHUNK + 65536);
  const eolBytes = Buffer.from(eol, 'latin1');
  if (format === 'csv') buf.ascii(CSV_HEADER + eol);
  const onMessage =
    format === 'csv'
      ? (msg: AisMessage, meta: AisMeta) => {
          buf.utf8(csvRow(msg, meta));
          buf.bytes(eolBytes);
        }
      : (msg: AisMessage, meta: AisMeta) => {
          writer.writeLine(buf, msg, meta.channel);
        };
  const decoder = new NmeaAisDecoder({ onMessage });
  // Double buffering: the full buffer is handed to `out` as is (no copy) and the decoder writes into the other
  // one; a buffer is reused only after its write has completed (which also paces us to the consumer).
  let spare: Buffer = Buffer.allocUnsafeSlow(buf.buf.length);
  let writing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    if (buf.pos === 0) return;
    if (writing) await writing;
    const full = buf.swap(spare);
    spare = full.buffer;
    // A failed write is reported by the stream's 'error' event, as before; here it only frees the buffer.
    writing = new Promise<void>((resolve) => {
      out.write(full.bytes, () => resolve());
    });
  };
  for await (const chunk of input) {
    decoder.push(chunk);
    if (buf.pos >= OUT_CHUNK) await flush();
  }
  decoder.end();
  await flush();
  if (writing) await writing;
  return decoder.counters;
}

/**
 * A text cell: quoted when it holds a quote, comma or line break, and (OWASP's advice against CSV injection) with a
 * single quote before text a spreadsheet would run as a formula: text starting with '=', '+', '-', '@', a tab or
 * a carriage return. Over-the-air text (names, destinations) and the sentence's own fields are anyone's to write.
 */
export function csvField(v: string): string {
  if (v.length > 0) {
    const c = v.charCodeAt(0);
    if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) v = `'${v}`;
  }
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV row of the commonly used fields, in store units (degrees, knots); blank where the type has none. */
export function csvRow(msg: AisMessage, meta: AisMeta): string {
  const has = (n: string) => msg.table.index.has(n);
  const raw = (n: string) => msg.raw(n);
  const t = msg.type;
  const latlon = t === 27 || t === 17 ? 600 : 600000;
  const pos = has('lat') && has('lon') && t !== 22 && t !== 23;
  let speed = '';
  let course = '';
  if (has('speed') && t !== 9 && t !== 27) {
    const s = raw('speed');
    speed = s === 1023 ? '' : (s / 10).toFixed(1);
  } else if (t === 27 && raw('speed') !== 63) speed = String(raw('speed'));
  if (has('course') && t !== 27) {
    const c = raw('course');
    course = c >= 3600 ? '' : (c / 10).toFixed(1);
  } else if (t === 27 && raw('course') !== 511) course = String(raw('course'));
  const heading = has('heading') && raw('heading') !== 511 ? String(raw('heading')) : '';
  const lat = pos ? raw('lat') / latlon : Number.NaN;
  const lon = pos ? raw('lon') / latlon : Number.NaN;
  const imo = has('imo') && raw('imo') !== 0 ? String(raw('imo')) : '';
  return [
    Number.isNaN(meta.tsMs) ? '' : new Date(meta.tsMs).toISOString(),
    csvField(meta.station),
    csvField(meta.talker),
    csvField(meta.channel),
    t,
    msg.repeat,
    msg.mmsi,
    has('status') && t !== 27 && t !== 6 ? raw('status') : t === 27 ? raw('status') : '',
    speed,
    course,
    heading,
    pos && Math.abs(lat) <= 90 ? lat.toFixed(6) : '',
    pos && Math.abs(lon) <= 180 ? lon.toFixed(6) : '',
    imo,
    csvField(has('callsign') ? msg.text('callsign') : ''),
    csvField(has('shipname') ? msg.text('shipname') : has('name') ? msg.text('name') : ''),
    has('shiptype') ? raw('shiptype') : '',
    csvField(has('destination') ? msg.text('destination') : ''),
  ].join(',');
}

export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** A byte stream of the file, gunzipped when it is gzip (by magic number, not name). */
export async function openMaybeGzip(file: string): Promise<AsyncIterable<Buffer>> {
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!(await isGzip(file))) return raw;
  return raw.pipe(createGunzip({ chunkSize: 256 * 1024 }));
}
