/**
 * The encoder side of the message tables: a message's fields (gpsd names, raw integers and text) written into its
 * bits by walking the same table the decoder reads (as pyais encodes from its declarations), then armoured as
 * six-bit ASCII and framed into sentences by the envelope's writer (envelope.ts, from the declaration the decoder
 * reads sentences by). The simulator writes its NMEA with it.
 */
import { SIXBIT_CHARS } from './bits.js';
import { type FramingOptions, formatSentences } from './envelope.js';
import type { BitField, CompiledTable } from './table.js';
import { HEADER } from './tables/index.js';

/** Raw field values by gpsd name: integers for numeric fields, strings for text fields. */
export type FieldInput = Readonly<Record<string, number | string | undefined>>;

/** The armoured payload of a message and its number of fill bits. */
export interface Payload {
  payload: string;
  fill: number;
}

/**
 * One message as six-bit values: the header (type, repeat indicator, MMSI), then each field of `table` given in
 * `values` at its declared offset (fields not given stay zero; text is padded with '@'; a later field overwrites
 * the bits of an earlier one it overlaps). The message is `messageBits(table)` long. Numbers are rounded and held to
 * the field's range (ITU's "511 means 511 or more"); a name the table does not have is an error.
 */
export function encodeSixbit(
  table: CompiledTable,
  header: { type: number; mmsi: number; repeat?: number },
  values: FieldInput,
): Uint8Array {
  return write(new Uint8Array(Math.ceil(messageBits(table) / 6)), table, header, values);
}

function write(
  six: Uint8Array,
  table: CompiledTable,
  header: { type: number; mmsi: number; repeat?: number },
  values: FieldInput,
): Uint8Array {
  writerFor(HEADER)(six, header);
  const written = writerFor(table)(six, values);
  // Every name given must be a field: count the values given against the fields written.
  let given = 0;
  for (const name in values) if (values[name] !== undefined) given++;
  if (given !== written)
    for (const name in values)
      if (!table.index.has(name)) throw new Error(`AIS table "${table.title}" has no field "${name}"`);
  return six;
}

/** `encodeSixbit` armoured as ASCII, with the number of fill bits of its last character. */
export function encodePayload(
  table: CompiledTable,
  header: { type: number; mmsi: number; repeat?: number },
  values: FieldInput,
): Payload {
  const bits = messageBits(table);
  const n = Math.ceil(bits / 6);
  if (scratch.length < n) scratch = new Uint8Array(n);
  const six = scratch.subarray(0, n);
  six.fill(0);
  write(six, table, header, values);
  for (let k = 0; k < n; k++) six[k] = six[k]! < 40 ? six[k]! + 48 : six[k]! + 56;
  return { payload: String.fromCharCode(...six), fill: n * 6 - bits };
}

/** A message as NMEA sentences: `encodePayload` framed by the envelope declaration (split when it is long). */
export function encodeSentences(
  table: CompiledTable,
  header: { type: number; mmsi: number; repeat?: number },
  values: FieldInput,
  framing: FramingOptions = {},
): string[] {
  const { payload, fill } = encodePayload(table, header, values);
  return formatSentences(payload, fill, framing);
}

/** The six-bit values `encodePayload` writes (reused: it returns a string). */
let scratch = new Uint8Array(256);

const lengths = new WeakMap<CompiledTable, number>();

/** Bits of a message of this table: its last field's end or its minimum length, whichever is more. */
export function messageBits(table: CompiledTable): number {
  let len = lengths.get(table);
  if (len === undefined) {
    len = table.minBits ?? 0;
    for (const f of table.fields) if (f.at !== undefined && f.at >= 0) len = Math.max(len, f.at + f.bits);
    lengths.set(table, len);
  }
  return len;
}

/**
 * The raw value of a scaled quantity for a field with a divisor (lat/lon in degrees → 1/10000 minute, course in
 * degrees → tenths, ...), resolved once per field.
 */
export function scaler(table: CompiledTable, name: string): (scaled: number) => number {
  const i = table.index.get(name);
  const f = i === undefined ? undefined : table.fields[i];
  if (f?.div === undefined) throw new Error(`AIS table "${table.title}" has no scaled field "${name}"`);
  const div = f.div;
  const offset = f.offset ?? 0;
  return (scaled) => Math.round(scaled * div + offset);
}

/** Writes the given fields of one table into six-bit values; returns how many it wrote. */
type Writer = (six: Uint8Array, values: FieldInput) => number;
const writers = new WeakMap<CompiledTable, Writer>();

/**
 * The writer of a table, generated once (straight-line code per field: the value held to its range, then its bits
 * masked into each six-bit character it spans, at offsets that are constants).
 */
function writerFor(table: CompiledTable): Writer {
  let w = writers.get(table);
  if (w !== undefined) return w;
  const lines: string[] = ['let n = 0;', 'let x;'];
  table.fields.forEach((f, k) => {
    const get = `x = values[${JSON.stringify(f.name)}];`;
    const field = `fields[${k}]`;
    if (f.at === undefined || f.at < 0 || f.kind === 'x' || f.kind === 'd' || f.kind === 't' || f.bits > 30) {
      // Text, raw data, spares and wide fields: the general writer (which refuses what cannot be written).
      lines.push(`${get} if (x !== undefined) { n++; put(six, ${field}, x); }`);
      return;
    }
    const at = f.at;
    const end = at + f.bits;
    const max = 2 ** f.bits - 1;
    const hold =
      f.kind === 'i'
        ? `x = x < ${-(max + 1) / 2} ? ${-(max + 1) / 2} : x > ${(max - 1) / 2} ? ${(max - 1) / 2} : x; if (x < 0) x += ${max + 1};`
        : `x = x < 0 ? 0 : x > ${max} ? ${max} : x;`;
    const parts: string[] = [];
    for (let c = Math.floor(at / 6); c * 6 < end; c++) {
      const lo = Math.max(at, 6 * c);
      const hi = Math.min(end, 6 * c + 6);
      const ones = (1 << (hi - lo)) - 1;
      const shift = 6 * c + 6 - hi;
      parts.push(`six[${c}] = (six[${c}] & ${~(ones << shift) & 63}) | (((x >>> ${end - hi}) & ${ones}) << ${shift});`);
    }
    lines.push(
      `${get} if (x !== undefined) { n++; if (typeof x !== 'number') put(six, ${field}, x); x = Math.round(x); ${hold} ${parts.join(' ')} }`,
    );
  });
  lines.push('return n;');
  w = new Function('fields', 'put', `return function write(six, values) {\n${lines.join('\n')}\n};`)(
    table.fields,
    put,
  ) as Writer;
  writers.set(table, w);
  return w;
}

function put(six: Uint8Array, f: BitField, v: number | string): void {
  const at = f.at!;
  if (f.kind === 't') {
    if (typeof v !== 'string') throw new Error(`AIS field "${f.name}" is text`);
    const chars = f.bits / 6;
    const s = v.toUpperCase();
    for (let c = 0; c < chars; c++) {
      const k = c < s.length ? SIXBIT_CHARS.indexOf(s[c]!) : 0;
      writeUint(six, at + 6 * c, 6, k < 0 ? 32 : k); // a character outside the alphabet becomes a space
    }
    return;
  }
  if (typeof v !== 'number' || (f.kind !== 'u' && f.kind !== 'i' && f.kind !== 'b'))
    throw new Error(`AIS field "${f.name}" (${f.kind}) cannot be written from ${typeof v}`);
  const r = Math.round(v);
  if (f.kind === 'i') {
    const half = 2 ** (f.bits - 1);
    const s = Math.min(half - 1, Math.max(-half, r));
    writeUint(six, at, f.bits, s < 0 ? s + 2 * half : s);
  } else writeUint(six, at, f.bits, Math.min(2 ** f.bits - 1, Math.max(0, r)));
}

/** Write the unsigned `width`-bit value `v` at bit `at` of six-bit values (replacing the bits there). */
function writeUint(six: Uint8Array, at: number, width: number, v: number): void {
  if (width > 30) {
    const hi = Math.floor(v / 2 ** 30);
    writeUint(six, at, width - 30, hi);
    writeUint(six, at + width - 30, 30, v - hi * 2 ** 30);
    return;
  }
  const end = at + width;
  for (let c = (at / 6) | 0; c * 6 < end; c++) {
    const lo = Math.max(at, 6 * c);
    const hi = Math.min(end, 6 * c + 6);
    const ones = (1 << (hi - lo)) - 1;
    const shift = 6 * c + 6 - hi;
    six[c] = (six[c]! & ~(ones << shift)) | (((v >>> (end - hi)) & ones) << shift);
  }
}
