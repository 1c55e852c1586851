/**
 * The encoder side of the message tables: a message's fields (gpsd names, raw integers and text) written into its
 * bits by walking the same table the decoder reads (as pyais encodes from its declarations), then armoured as
 * six-bit ASCII. The simulator writes its NMEA with it.
 */
import { SIXBIT_CHARS } from './bits.js';
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
 * The bits of one message: the header (type, repeat indicator, MMSI), then each field of `table` given in `values`
 * at its declared offset (fields not given stay zero; text is padded with '@'). The message is as long as its
 * last field or the table's minimum length, whichever is longer. Numbers are rounded and held to the field's range
 * (ITU's "511 means 511 or more"); a name the table does not have is an error.
 */
export function encodeBits(
  table: CompiledTable,
  header: { type: number; mmsi: number; repeat?: number },
  values: FieldInput,
): Uint8Array {
  let len = table.minBits ?? 0;
  for (const f of table.fields) if (f.at !== undefined && f.at >= 0) len = Math.max(len, f.at + f.bits);
  const bits = new Uint8Array(len);
  put(bits, HEADER.fields[HEADER.index.get('type')!]!, header.type);
  put(bits, HEADER.fields[HEADER.index.get('repeat')!]!, header.repeat ?? 0);
  put(bits, HEADER.fields[HEADER.index.get('mmsi')!]!, header.mmsi);
  for (const [name, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const i = table.index.get(name);
    if (i === undefined) throw new Error(`AIS table "${table.title}" has no field "${name}"`);
    put(bits, table.fields[i]!, v);
  }
  return bits;
}

/** `encodeBits` armoured as six-bit ASCII (the last character padded with fill bits). */
export function encodePayload(
  table: CompiledTable,
  header: { type: number; mmsi: number; repeat?: number },
  values: FieldInput,
): Payload {
  return armour(encodeBits(table, header, values));
}

/** Six-bit ASCII of a bit array (one bit per element, MSB first), with the fill bits that complete it. */
export function armour(bits: Uint8Array): Payload {
  const fill = (6 - (bits.length % 6)) % 6;
  let payload = '';
  for (let k = 0; k < bits.length; k += 6) {
    let v = 0;
    for (let j = 0; j < 6; j++) v = v * 2 + (bits[k + j] ?? 0);
    payload += String.fromCharCode(v < 40 ? v + 48 : v + 56);
  }
  return { payload, fill };
}

/** The raw value of a scaled quantity for a field with a divisor (lat/lon in degrees → 1/10000 minute, ...). */
export function rawOf(table: CompiledTable, name: string, scaled: number): number {
  const i = table.index.get(name);
  const f = i === undefined ? undefined : table.fields[i];
  if (f?.div === undefined) throw new Error(`AIS table "${table.title}" has no scaled field "${name}"`);
  return Math.round(scaled * f.div + (f.offset ?? 0));
}

function put(bits: Uint8Array, f: BitField, v: number | string): void {
  const at = f.at!;
  if (f.kind === 't') {
    if (typeof v !== 'string') throw new Error(`AIS field "${f.name}" is text`);
    const chars = f.bits / 6;
    const s = v.toUpperCase();
    for (let c = 0; c < chars; c++) {
      const k = c < s.length ? SIXBIT_CHARS.indexOf(s[c]!) : 0;
      writeUint(bits, at + 6 * c, 6, k < 0 ? 32 : k); // a character outside the alphabet becomes a space
    }
    return;
  }
  if (typeof v !== 'number' || (f.kind !== 'u' && f.kind !== 'i' && f.kind !== 'b'))
    throw new Error(`AIS field "${f.name}" (${f.kind}) cannot be written from ${typeof v}`);
  const r = Math.round(v);
  if (f.kind === 'i') {
    const half = 2 ** (f.bits - 1);
    const s = Math.min(half - 1, Math.max(-half, r));
    writeUint(bits, at, f.bits, s < 0 ? s + 2 * half : s);
  } else writeUint(bits, at, f.bits, Math.min(2 ** f.bits - 1, Math.max(0, r)));
}

function writeUint(bits: Uint8Array, at: number, width: number, v: number): void {
  let x = v;
  for (let k = width - 1; k >= 0; k--) {
    bits[at + k] = x % 2;
    x = Math.floor(x / 2);
  }
}
