/**
 * The generic table walker: reads any message table into reusable typed slots and renders gpsd JSON from them.
 * Nothing here knows about a particular message type.
 */
import { hexBits, sbits, sixbitText, trimRight, ubits } from './bits.js';
import { ByteOut, type GpsdCompat, writeBody, writeHead } from './json-out.js';
import type { ArrayGroup, BitField, CompiledTable, TableEntry } from './table.js';
import { compile } from './table.js';
import { jsonEscape } from './tables/binary.js';
import { binaryTableFor, type CompiledBinaryTable, HEADER, HEADER_BITS, tableFor } from './tables/index.js';

export type DecodeFailure = 'unknown_type' | 'too_short' | 'malformed';

const MAX_FIELDS = 96;

/** Field values of one table, in table order (numbers in `num`, text and data in `str`). */
export class FieldValues {
  readonly num = new Float64Array(MAX_FIELDS);
  readonly str: string[] = new Array(MAX_FIELDS).fill('');
}

/**
 * One decoded message. The decoder reuses this object: read what you need before decoding the next message
 * (or call `toJSON` / `toObject`).
 */
export class AisMessage {
  type = 0;
  repeat = 0;
  mmsi = 0;
  bitlen = 0;
  bytes: Uint8Array = new Uint8Array(0);
  table!: CompiledTable;
  /** Binary application table of a type 6/8 message, when one matched; otherwise the payload stays raw `data`. */
  binary: CompiledBinaryTable | null = null;
  readonly values = new FieldValues();
  readonly binaryValues = new FieldValues();

  /** Raw integer value of a field of the main table (NaN when the table has no such field). */
  raw(name: string): number {
    const i = this.table.index.get(name);
    return i === undefined ? Number.NaN : this.values.num[i]!;
  }
  /** Text value of a text field of the main table, decoded on demand ('' when absent). */
  text(name: string): string {
    const i = this.table.index.get(name);
    if (i === undefined) return '';
    const f = this.table.fields[i]!;
    if (f.kind === 't') return readText(f, this.bytes, this.bitlen, f.at!);
    if (f.kind === 'd') return readData(f, this.bytes, this.bitlen);
    return '';
  }
  /** gpsd JSON (one line, no newline): current gpsd's, or gpsd 3.22's with `compat: '3.22'`. */
  toJSON(opts: { scaled?: boolean; device?: string; compat?: GpsdCompat } = {}): string {
    return renderGpsdJson(this, opts.scaled ?? true, opts.device ?? '', opts.compat);
  }
  /** The gpsd JSON as an object (convenience for tests and the API; not for hot paths). */
  toObject(opts: { scaled?: boolean; device?: string; compat?: GpsdCompat } = {}): Record<string, unknown> {
    return JSON.parse(this.toJSON(opts)) as Record<string, unknown>;
  }
}

/**
 * Read the numeric fields of `table` from the bits into `out` (text and raw data too when `withText`; otherwise
 * they are decoded on demand, so the hot path builds no strings).
 */
export function readFields(
  table: CompiledTable,
  bytes: Uint8Array,
  bitlen: number,
  out: FieldValues,
  base = 0,
  withText = false,
): void {
  const fields = table.fields;
  const num = out.num;
  const str = out.str;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    const kind = f.kind;
    if (kind === 'x') continue;
    let at = f.at! + base;
    if (at < 0) at += bitlen;
    if (f.ifBits !== undefined && bitlen < f.ifBits) {
      num[k] = f.fallback ?? 0;
      str[k] = '';
      continue;
    }
    if (kind === 'u' || kind === 'b') num[k] = ubits(bytes, at, f.bits);
    else if (kind === 'i') num[k] = f.bits === 0 ? 0 : sbits(bytes, at, f.bits);
    else if (withText && kind === 't') str[k] = readText(f, bytes, bitlen, at);
    else if (withText && kind === 'd') str[k] = readData(f, bytes, bitlen);
  }
}

/** Reads a table's numeric fields from message bits (base 0, no text): `readFields` compiled for one table. */
export type FieldReader = (bytes: Uint8Array, bitlen: number, num: Float64Array) => void;

/** Source of an expression for the unsigned `width`-bit field at constant bit `at` (bytes past the end read 0). */
function ubitsCode(at: number, width: number): string {
  if (width === 0) return '0';
  const b0 = at >> 3;
  const b1 = (at + width - 1) >> 3;
  const n = b1 - b0 + 1;
  if (n > 4) {
    // Split at a byte boundary; the parts are combined arithmetically (fields may be up to 53 bits).
    const w1 = (b0 + 3) * 8 - at;
    return `(${ubitsCode(at, w1)} * ${2 ** (width - w1)} + ${ubitsCode(at + w1, width - w1)})`;
  }
  const parts: string[] = [];
  for (let k = 0; k < n; k++) {
    const sh = 8 * (n - 1 - k);
    parts.push(sh === 0 ? `bytes[${b0 + k}]` : `(bytes[${b0 + k}] << ${sh})`);
  }
  const shift = n * 8 - (at & 7) - width;
  const word = `(${parts.join(' | ')})`;
  const shifted = shift === 0 ? (n === 4 ? `(${word} >>> 0)` : word) : `(${word} >>> ${shift})`;
  return width >= 32 ? shifted : `(${shifted} & ${2 ** width - 1})`;
}

/** Compile `readFields(table, bytes, bitlen, num)` for one table into straight-line code. */
function compileReader(table: CompiledTable): FieldReader {
  const lines: string[] = [];
  const refs: unknown[] = [ubits, sbits];
  table.fields.forEach((f, k) => {
    if (f.kind === 'x' || f.kind === 't' || f.kind === 'd') return;
    let expr: string;
    if (f.at! < 0) expr = `${f.kind === 'i' ? 'sbits' : 'ubits'}(bytes, bitlen + ${f.at}, ${f.bits})`;
    else if (f.kind === 'i' && f.bits > 0) {
      const u = ubitsCode(f.at!, f.bits);
      expr =
        f.bits < 32
          ? `((${u} << ${32 - f.bits}) >> ${32 - f.bits})`
          : f.bits === 32
            ? `(${u} | 0)`
            : `sbits(bytes, ${f.at}, ${f.bits})`;
    } else expr = f.kind === 'i' ? '0' : ubitsCode(f.at!, f.bits);
    if (f.ifBits !== undefined) expr = `(bitlen < ${f.ifBits} ? ${f.fallback ?? 0} : ${expr})`;
    lines.push(`num[${k}] = ${expr};`);
  });
  const src = `return function fieldReader(bytes, bitlen, num) {\n${lines.join('\n')}\n};`;
  return new Function('ubits', 'sbits', src)(...refs) as FieldReader;
}

/** The compiled reader of a table (cached on it). */
function readerFor(table: CompiledTable): FieldReader {
  let r = table.reader;
  if (r === undefined) {
    r = compileReader(table);
    table.reader = r;
  }
  return r;
}

/** gpsd's "bitcount:hex" of a raw data field. */
export function readData(f: BitField, bytes: Uint8Array, bitlen: number): string {
  const at = f.at! < 0 ? f.at! + bitlen : f.at!;
  const count = Math.max(0, bitlen - at - (f.tailBits ?? 0));
  return `${count}:${hexBits(bytes, at, count, f.maskTail)}`;
}

/** Six-bit text of a text field (fixed width, to the end of the message, or with gpsd's type 21 extension). */
export function readText(f: BitField, bytes: Uint8Array, bitlen: number, at: number): string {
  if (f.toEnd) return bitlen <= at ? '' : sixbitText(bytes, at, Math.floor((bitlen - at) / 6));
  const chars = f.bits / 6;
  if (f.extendFrom === undefined) return sixbitText(bytes, at, chars);
  let s = sixbitText(bytes, at, chars, true);
  if (s.length === chars && bitlen > f.extendFrom) {
    s += sixbitText(bytes, f.extendFrom, Math.floor((bitlen - f.extendFrom) / 6));
  }
  return trimRight(s);
}

/** Reads one fixed unsigned field of a message from its bytes (bytes past the end read 0). */
export type HeaderFieldReader = (bytes: Uint8Array) => number;

/**
 * The reader of the unsigned field `name` of `table` as one generated expression (the shifts and masks `ubitsCode`
 * derives from the field's declared offset and width), so a hot path reads it as fast as hand-written shifts.
 */
export function fieldReader(table: CompiledTable, name: string): HeaderFieldReader {
  const i = table.index.get(name);
  const f = i === undefined ? undefined : table.fields[i];
  if (f?.kind !== 'u' || f.at === undefined || f.at < 0 || f.bits > 31)
    throw new Error(`AIS table "${table.title}" has no fixed unsigned field "${name}" of at most 31 bits`);
  return new Function(
    `return function ${name}Of(bytes) { return ${ubitsCode(f.at, f.bits)}; };`,
  )() as HeaderFieldReader;
}

/** The message header every table starts after (`messageHeader` in tables/index.ts): type, repeat, MMSI. */
export const typeOf = fieldReader(HEADER, 'type');
export const repeatOf = fieldReader(HEADER, 'repeat');
export const mmsiOf = fieldReader(HEADER, 'mmsi');

/** Decode one message's bits into `msg`. Returns null on success or why it could not be decoded. */
export function decodeInto(msg: AisMessage, bytes: Uint8Array, bitlen: number): DecodeFailure | null {
  if (bitlen < HEADER_BITS) return 'too_short';
  const type = typeOf(bytes);
  const mmsi = mmsiOf(bytes);
  const table = type >= 1 && type <= 27 ? tableFor(type, mmsi, bytes) : null;
  if (table === null) return type >= 1 && type <= 27 ? 'malformed' : 'unknown_type';
  if (table.minBits !== undefined && bitlen < table.minBits) return 'too_short';
  if (table.maxBits !== undefined && bitlen > table.maxBits) return 'malformed';
  msg.type = type;
  msg.repeat = repeatOf(bytes);
  msg.mmsi = mmsi;
  msg.bitlen = bitlen;
  msg.bytes = bytes;
  msg.table = table;
  msg.binary = null;
  readerFor(table)(bytes, bitlen, msg.values.num);
  if (type === 6 || type === 8) {
    const dac = msg.raw('dac');
    const fid = msg.raw('fid');
    const bt = binaryTableFor(type, dac, fid);
    if (
      bt &&
      (bt.minBits === undefined || bitlen >= bt.minBits) &&
      (bt.maxBits === undefined || bitlen <= bt.maxBits)
    ) {
      readerFor(bt)(bytes, bitlen, msg.binaryValues.num);
      const vals = msg.binaryValues;
      if (!bt.accept || bt.accept((n) => vals.num[bt.index.get(n) ?? 0]!)) msg.binary = bt;
    }
  }
  return null;
}

// ---- gpsd JSON rendering ----------------------------------------------------------------------------------

function renderValue(f: BitField, v: number, s: string, scaled: boolean): string {
  switch (f.kind) {
    case 'b':
      return v ? 'true' : 'false';
    case 't':
      return `"${jsonEscape(s)}"`;
    case 'd':
      return `"${s}"`;
    default:
      if (!scaled) return String(v);
      if (f.fmt) return f.fmt(v);
      if (f.div !== undefined) {
        const txt = ((v - (f.offset ?? 0)) / f.div).toFixed(f.digits ?? 0);
        return f.quoteScaled ? `"${txt}"` : txt;
      }
      return String(v);
  }
}

function legendText(f: BitField, v: number): string {
  const l = f.legend!;
  return typeof l === 'function' ? l(v) : (l[v] ?? '');
}

function renderEntries(
  plan: readonly TableEntry[],
  table: CompiledTable,
  vals: FieldValues,
  bytes: Uint8Array,
  bitlen: number,
  scaled: boolean,
  skipData: boolean,
): string {
  let out = '';
  for (let k = 0; k < plan.length; k++) {
    const e = plan[k]!;
    if (e.kind === 'c') {
      const from = e.from.map((n) => vals.num[table.index.get(n)!]!);
      out += `,"${e.name}":${e.render(from, scaled)}`;
      continue;
    }
    if (e.kind === 'a') {
      out += `,"${e.name}":${renderArrayText(e, table, vals, bytes, bitlen, scaled)}`;
      continue;
    }
    if (e.hide || e.kind === 'x' || (skipData && e.kind === 'd')) continue;
    const idx = table.index.get(e.name)!;
    const v = vals.num[idx]!;
    out += `,"${e.name}":${renderValue(e, v, vals.str[idx]!, scaled)}`;
    if (e.legend && (scaled || !e.legendScaledOnly)) out += `,"${e.name}_text":"${jsonEscape(legendText(e, v))}"`;
  }
  return out;
}

const elementTables = new WeakMap<ArrayGroup, CompiledTable>();
const elementValues = new FieldValues();

export function renderArrayText(
  g: ArrayGroup,
  table: CompiledTable,
  vals: FieldValues,
  bytes: Uint8Array,
  bitlen: number,
  scaled: boolean,
): string {
  let et = elementTables.get(g);
  if (!et) {
    et = compile({ title: g.name, entries: g.element }, 0);
    elementTables.set(g, et);
  }
  let count: number;
  if (g.count === 'fill' || g.count === 'fill-le') {
    count = 0;
    while (count < g.max && (g.count === 'fill' ? g.at + g.stride * count < bitlen : g.at + g.stride * count <= bitlen))
      count++;
  } else {
    count = Math.min(g.max, vals.num[table.index.get(g.count)!]!);
  }
  const parts: string[] = [];
  for (let k = 0; k < count; k++) {
    readFields(et, bytes, bitlen, elementValues, g.at + g.stride * k, true);
    if (g.renderElement) {
      const ev = elementValues;
      const tbl = et;
      parts.push(
        g.renderElement((n) => {
          const idx = tbl.index.get(n)!;
          return tbl.fields[idx]!.kind === 't' ? ev.str[idx]! : ev.num[idx]!;
        }, scaled),
      );
    } else {
      parts.push(`{${renderEntries(et.entries, et, elementValues, bytes, bitlen, scaled, false).slice(1)}}`);
    }
  }
  return `[${parts.join(',')}]`;
}

/** gpsd's JSON for one message (as `gpsdecode -j`, or `-u -j` when !scaled). */
export function renderGpsdJson(msg: AisMessage, scaled: boolean, device: string, compat?: GpsdCompat): string {
  const out = new ByteOut(512);
  writeHead(out, msg, scaled, device ? Buffer.from(jsonEscape(device), 'utf8') : null);
  writeBody(out, msg, scaled, compat);
  out.byte(125);
  return out.toString();
}
