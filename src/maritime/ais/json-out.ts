/**
 * Byte-level gpsd JSON writer. Each table is compiled once (per scaling) into a small JavaScript function
 * generated from the table: keys are written as constant 4-byte stores, numbers straight into the output buffer,
 * small coded values (and their `_text` legends) from memoised byte renderings. The hot path builds no strings and
 * walks no op list; rare, variable-size renderings (composites, arrays, raw data, long text) go through the checked
 * `ByteOut` writers.
 */
import { SIXBIT_CHARS } from './bits.js';
import type { AisMessage, FieldValues } from './decoder.js';
import { readData, readText, renderArrayText } from './decoder.js';
import { epfdText, epfdTextCurrent, NAV_STATUS } from './legends.js';
import type { BitField, CompiledTable } from './table.js';
import { jsonEscape } from './tables/binary.js';
import { longRangeReport, turnFmt } from './tables/position.js';

/**
 * Which gpsd's JSON to write. 'current' (the default) follows gpsd's current releases; '3.22' is Debian's gpsd 3.22
 * byte for byte (`ais decode --gpsd-compat 3.22`). They differ in four places:
 * - rate of turn not available (-128): "n/a" (3.22: "nan");
 * - type 27 `status`: the number and `status_text` (3.22: the text as `status`);
 * - positions in 1/1000 minute in type 6/8 application data: 6 decimals, their full precision (3.22: 4);
 * - `epfd_text` of the reserved values: "Reserved" (9..14), "Internal GNSS" (15) (3.22: "INVALID EPFD").
 */
/** The dialects, for `ais decode --gpsd-compat` and `POST /ais/decode`'s `gpsdCompat`. */
export const GPSD_COMPAT = ['current', '3.22'] as const;
export type GpsdCompat = (typeof GPSD_COMPAT)[number];

const turnFmtCurrent = (raw: number): string => (raw === -128 ? '"n/a"' : turnFmt(raw));
const currentFields = new WeakMap<BitField, BitField>();
/** A field as current gpsd renders it (the same object when nothing differs from 3.22). */
function currentField(t: CompiledTable, e: BitField): BitField {
  let c = currentFields.get(e);
  if (c !== undefined) return c;
  c = e;
  if (e.name === 'turn' && e.fmt === turnFmt) c = { ...e, fmt: turnFmtCurrent };
  else if (e.legend === epfdText) c = { ...e, legend: epfdTextCurrent };
  else if (t.title === longRangeReport.title && e.name === 'status')
    c = { ...e, fmt: undefined, legend: NAV_STATUS, legendScaledOnly: true };
  else if (e.kind === 'i' && e.div === 60000 && e.digits === 4) c = { ...e, digits: 6 };
  currentFields.set(e, c);
  return c;
}

/** UTF-8 bytes as a plain Uint8Array (not a pooled Buffer slice), so the copy loops stay monomorphic. */
const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

const viewOf = (b: Buffer): DataView => new DataView(b.buffer, b.byteOffset, b.length);

/** A growable output buffer (with a DataView on it for 4-byte constant stores). */
export class ByteOut {
  buf: Buffer;
  dv: DataView;
  pos = 0;
  constructor(size = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.dv = viewOf(this.buf);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = viewOf(next);
  }
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 32) {
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }
  /** ASCII/Latin-1 text (callers pass ASCII). */
  ascii(s: string): void {
    this.ensure(s.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  /** Non-negative or negative integer. */
  int(v: number): void {
    this.ensure(24);
    this.pos = writeInt(this.buf, this.pos, v);
  }
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }
  /**
   * Continue in `next` (emptied) and give back the written bytes, without a copy, with the buffer holding them
   * (to be passed back to `swap` once the bytes are no longer needed).
   */
  swap(next: Buffer): { bytes: Buffer; buffer: Buffer } {
    const buffer = this.buf;
    const bytes = buffer.subarray(0, this.pos);
    this.buf = next;
    this.dv = viewOf(next);
    this.pos = 0;
    return { bytes, buffer };
  }
  /** Take the written bytes (a copy) and reset. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
  toString(): string {
    return this.buf.toString('utf8', 0, this.pos);
  }
}

/** "00".."99" as byte pairs, for writing integers two digits at a time. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** Most bytes `writeInt` writes: sign and 16 digits (integers up to 2^53). */
const INT_MAX = 18;

/** Write an integer (|v| < 2^53) as decimal at `p`; returns the position after it. No bounds check. */
function writeInt(buf: Uint8Array, p: number, v: number): number {
  if (v < 0) {
    buf[p++] = 45;
    v = -v;
  }
  if (v < 10) {
    buf[p] = 48 + v;
    return p + 1;
  }
  if (v < 2147483648) {
    let n = v | 0;
    const digits =
      n < 100
        ? 2
        : n < 1000
          ? 3
          : n < 10000
            ? 4
            : n < 100000
              ? 5
              : n < 1000000
                ? 6
                : n < 10000000
                  ? 7
                  : n < 100000000
                    ? 8
                    : n < 1000000000
                      ? 9
                      : 10;
    let q = p + digits;
    const end = q;
    while (n >= 100) {
      const d = (n / 100) | 0;
      const r = (n - d * 100) * 2;
      buf[--q] = DIGIT_PAIRS[r + 1]!;
      buf[--q] = DIGIT_PAIRS[r]!;
      n = d;
    }
    if (n >= 10) {
      buf[--q] = DIGIT_PAIRS[n * 2 + 1]!;
      buf[--q] = DIGIT_PAIRS[n * 2]!;
    } else buf[--q] = 48 + n;
    return end;
  }
  let digits = 0;
  for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
  let q = p + digits;
  const end = q;
  while (v >= 1) {
    const d = Math.floor(v / 10);
    buf[--q] = 48 + (v - d * 10);
    v = d;
  }
  return end;
}

/** Most bytes `writeDeg6` writes: quotes, sign, 4 integer digits, point, 6 decimals. */
const DEG6_MAX = 14;

/** raw / 600000 with 6 decimals (gpsd's lat/lon "%.6f"), optionally quoted. */
function writeDeg6(buf: Uint8Array, p: number, raw: number, quote: boolean): number {
  if (quote) buf[p++] = 34;
  if (raw < 0) buf[p++] = 45;
  // |raw| / 600000 with 6 decimals = round(|raw| * 5 / 3) millionths; never a tie (fractions are thirds), and
  // for an integer a, round(5a / 3) = floor((5a + 1) / 3): int32 arithmetic for fields up to 28 bits.
  const a = raw < 0 ? -raw : raw;
  const n = a < 268435456 ? ((5 * a + 1) / 3) | 0 : Math.round((a * 5) / 3);
  let ip = (n / 1000000) | 0;
  let frac = n - ip * 1000000;
  if (ip < 10) buf[p++] = 48 + ip;
  else if (ip < 100) {
    buf[p++] = DIGIT_PAIRS[ip * 2]!;
    buf[p++] = DIGIT_PAIRS[ip * 2 + 1]!;
  } else {
    const h = Math.floor(ip / 100);
    ip -= h * 100;
    if (h >= 10) {
      buf[p++] = 48 + Math.floor(h / 10);
      buf[p++] = 48 + (h % 10);
    } else buf[p++] = 48 + h;
    buf[p++] = DIGIT_PAIRS[ip * 2]!;
    buf[p++] = DIGIT_PAIRS[ip * 2 + 1]!;
  }
  buf[p] = 46;
  // six decimals, two at a time
  let d = (frac / 100) | 0;
  let r = (frac - d * 100) * 2;
  buf[p + 6] = DIGIT_PAIRS[r + 1]!;
  buf[p + 5] = DIGIT_PAIRS[r]!;
  frac = d;
  d = (frac / 100) | 0;
  r = (frac - d * 100) * 2;
  buf[p + 4] = DIGIT_PAIRS[r + 1]!;
  buf[p + 3] = DIGIT_PAIRS[r]!;
  r = d * 2;
  buf[p + 2] = DIGIT_PAIRS[r + 1]!;
  buf[p + 1] = DIGIT_PAIRS[r]!;
  p += 7;
  if (quote) buf[p++] = 34;
  return p;
}

/** Copy a byte string of any length (long ones with one native copy). */
function copyBytes(buf: Uint8Array, p: number, b: Uint8Array): number {
  const n = b.length;
  if (n > 24) buf.set(b, p);
  else for (let i = 0; i < n; i++) buf[p + i] = b[i]!;
  return p + n;
}

const SIX = Uint8Array.from(SIXBIT_CHARS, (c) => c.charCodeAt(0));

/**
 * Six-bit text straight from the bits, quoted: stop at '@', trim trailing spaces, escape '"' and '\'.
 * Writes at most 2 × count + 2 bytes.
 */
function writeSixbit(buf: Uint8Array, p: number, bytes: Uint8Array, at: number, count: number): number {
  buf[p++] = 34;
  let end = p;
  let bit = at;
  for (let i = 0; i < count; i++, bit += 6) {
    const k = bit >> 3;
    const c = (((bytes[k]! << 8) | bytes[k + 1]!) >> (10 - (bit & 7))) & 63;
    if (c === 0) break;
    const ch = SIX[c]!;
    if (ch === 34 || ch === 92) buf[p++] = 92;
    buf[p++] = ch;
    if (c !== 32) end = p; // ' ' is 32 in the six-bit alphabet
  }
  buf[end] = 34;
  return end + 1;
}

/** Scaled/unscaled rendering of one numeric value as a JSON literal (the slow, general path). */
export function valueLiteral(f: BitField, v: number, scaled: boolean): string {
  if (f.kind === 'b') return v ? 'true' : 'false';
  if (!scaled) return String(v);
  if (f.fmt) return f.fmt(v);
  if (f.div !== undefined) {
    const txt = ((v - (f.offset ?? 0)) / f.div).toFixed(f.digits ?? 0);
    return f.quoteScaled ? `"${txt}"` : txt;
  }
  return String(v);
}

function legendText(f: BitField, v: number): string {
  const l = f.legend!;
  return typeof l === 'function' ? l(v) : (l[v] ?? '');
}

// ---- code generation ----------------------------------------------------------------------------------------

/** Writes a message's fields (after the head) into `out`. */
export type BodyWriter = (
  out: ByteOut,
  num: Float64Array,
  bytes: Uint8Array,
  bitlen: number,
  vals: FieldValues,
  t: CompiledTable,
  mmsi?: number,
  type?: number,
  repeat?: number,
) => void;

/** Source of the statements writing constant bytes at `p` (4 bytes per store), then advancing `p`. */
function constCode(b: Uint8Array): string {
  const out: string[] = [];
  let k = 0;
  for (; k + 4 <= b.length; k += 4) {
    const w = (b[k]! | (b[k + 1]! << 8) | (b[k + 2]! << 16) | (b[k + 3]! << 24)) >>> 0;
    out.push(`dv.setUint32(p + ${k}, 0x${w.toString(16)}, true);`);
  }
  for (; k < b.length; k++) out.push(`buf[p + ${k}] = ${b[k]};`);
  if (b.length > 0) out.push(`p += ${b.length};`);
  return out.join(' ');
}

/**
 * One step of a generated writer: constant `lead` bytes (merged with neighbouring constants), then `fixed` code
 * writing at most `max` bytes in all (lead included) unchecked, then optional `checked` code that goes through
 * `out`.
 */
interface Step {
  lead?: Uint8Array;
  fixed: string;
  max: number;
  checked?: string;
}

/** Helpers the generated code calls, by name (closure constants, so calls stay direct). */
const HELPERS: Record<string, unknown> = {
  writeInt,
  writeDeg6,
  copyBytes,
  outOfRange,
  writeSixbit,
  valueLiteral,
  readText,
  readData,
  jsonEscape,
  renderArrayText,
};

/** Bytes of a rendering: char codes for ASCII (all of ours: text goes through jsonEscape), else UTF-8. */
function renderingBytes(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return enc(s);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * Byte renderings of every value of a small field, packed as little-endian 32-bit words so generated code copies
 * them a word at a time; a copy may write up to 3 bytes of padding past the value, which the next write
 * overwrites. Short sets (every value ≤ 8 bytes, like "12.3") use a fixed stride of two words.
 */
class Packed {
  readonly words: Uint32Array;
  readonly at: Int32Array;
  readonly len: Uint16Array;
  /** Most bytes a copy writes (the longest value rounded up to whole words). */
  readonly room: number;
  readonly fixedStride: boolean;
  constructor(values: readonly string[]) {
    const n = values.length;
    const bytes = values.map(renderingBytes);
    this.at = new Int32Array(n + 1);
    this.len = new Uint16Array(n);
    let nw = 0;
    let room = 0;
    for (let k = 0; k < n; k++) {
      const b = bytes[k]!;
      this.at[k] = nw;
      this.len[k] = b.length;
      nw += (b.length + 3) >> 2;
      room = Math.max(room, ((b.length + 3) >> 2) * 4);
    }
    this.at[n] = nw;
    this.fixedStride = room <= 8;
    this.room = this.fixedStride ? 8 : room;
    const flat = new Uint8Array((this.fixedStride ? 2 * n : nw) * 4);
    for (let k = 0; k < n; k++) flat.set(bytes[k]!, (this.fixedStride ? 2 * k : this.at[k]!) * 4);
    this.words = new Uint32Array(flat.length / 4);
    const dv = new DataView(flat.buffer);
    for (let w = 0; w < this.words.length; w++) this.words[w] = dv.getUint32(w * 4, true);
  }
}

/**
 * ASCII renderings of at most 8 bytes, made on first use (a 12-bit field has 4096 values; a file uses few), in the
 * fixed two-word layout of `Packed`. A length of 0 means "not made yet" (no rendering is empty).
 */
class LazyShort {
  readonly words: Uint32Array;
  readonly len: Uint8Array;
  readonly fill: (i: number) => void;
  constructor(n: number, render: (i: number) => string) {
    this.words = new Uint32Array(2 * n);
    this.len = new Uint8Array(n);
    const bytes = new Uint8Array(8);
    const dv = new DataView(bytes.buffer);
    this.fill = (i: number): void => {
      const s = render(i);
      if (s.length === 0 || s.length > 8) throw new Error(`AIS writer: rendering "${s}" does not fit`);
      bytes.fill(0);
      for (let k = 0; k < s.length; k++) bytes[k] = s.charCodeAt(k);
      this.words[2 * i] = dv.getUint32(0, true);
      this.words[2 * i + 1] = dv.getUint32(4, true);
      this.len[i] = s.length;
    };
  }
}

/** Packed renderings per field (memoised values and legends), shared by every writer of every table. */
const packedCache = new WeakMap<BitField, Map<string, Packed | LazyShort>>();
function cached<T extends Packed | LazyShort>(f: BitField, what: string, make: () => T): T {
  let m = packedCache.get(f);
  if (!m) {
    m = new Map();
    packedCache.set(f, m);
  }
  let pk = m.get(what) as T | undefined;
  if (!pk) {
    pk = make();
    m.set(what, pk);
  }
  return pk;
}
function packedFor(f: BitField, what: string, make: () => string[]): Packed {
  return cached(f, what, () => new Packed(make()));
}
function lazyFor(f: BitField, what: string, n: number, render: (i: number) => string): LazyShort {
  return cached(f, what, () => new LazyShort(n, render));
}

class Gen {
  readonly names: string[] = Object.keys(HELPERS);
  readonly values: unknown[] = Object.values(HELPERS);
  readonly steps: Step[] = [];
  /** Code copying value number `index` (an expression) at `p`, checked against the field's range. */
  packed(pk: Packed, index: string, field: string, raw: string): { code: string; room: number } {
    const n = pk.len.length;
    const len = this.ref(pk.len);
    const w = this.ref(pk.words);
    const check = `const i = ${index}; if (!(i >= 0 && i < ${n})) outOfRange(${field}, ${raw});`;
    if (pk.fixedStride)
      return {
        room: pk.room,
        code: `{ ${check} dv.setUint32(p, ${w}[2 * i], true); dv.setUint32(p + 4, ${w}[2 * i + 1], true); p += ${len}[i]; }`,
      };
    const at = this.ref(pk.at);
    return {
      room: pk.room,
      code:
        `{ ${check} const e = ${at}[i + 1]; let q = p; ` +
        `for (let k = ${at}[i]; k < e; k++, q += 4) dv.setUint32(q, ${w}[k], true); p += ${len}[i]; }`,
    };
  }
  /** Like `packed`, for renderings made on first use. */
  lazy(lz: LazyShort, index: string, field: string, raw: string): { code: string; room: number } {
    const n = lz.len.length;
    const len = this.ref(lz.len);
    const w = this.ref(lz.words);
    const fill = this.ref(lz.fill);
    return {
      room: 8,
      code:
        `{ const i = ${index}; if (!(i >= 0 && i < ${n})) outOfRange(${field}, ${raw}); if (${len}[i] === 0) ${fill}(i); ` +
        `dv.setUint32(p, ${w}[2 * i], true); dv.setUint32(p + 4, ${w}[2 * i + 1], true); p += ${len}[i]; }`,
    };
  }
  ref(v: unknown): string {
    const name = `c${this.names.length}`;
    this.names.push(name);
    this.values.push(v);
    return name;
  }
  /** Assemble: ensure room for each run of fixed steps up front, re-load after each checked step. */
  build(params: string): BodyWriter {
    const lines: string[] = [];
    const ensure = (from: number): void => {
      let room = 0;
      for (let k = from; k < this.steps.length; k++) {
        room += this.steps[k]!.max;
        if (this.steps[k]!.checked !== undefined) break;
      }
      if (room > 0)
        lines.push(`if (p + ${room} > buf.length) { out.pos = p; out.ensure(${room}); buf = out.buf; dv = out.dv; }`);
    };
    let pending: number[] = [];
    const flush = (): void => {
      if (pending.length > 0) lines.push(constCode(Uint8Array.from(pending)));
      pending = [];
    };
    lines.push('let buf = out.buf; let dv = out.dv; let p = out.pos;');
    ensure(0);
    for (let k = 0; k < this.steps.length; k++) {
      const s = this.steps[k]!;
      if (s.lead) pending.push(...s.lead);
      if (s.fixed || s.checked !== undefined) flush();
      if (s.fixed) lines.push(s.fixed);
      if (s.checked !== undefined) {
        lines.push(`out.pos = p; ${s.checked} buf = out.buf; dv = out.dv; p = out.pos;`);
        ensure(k + 1);
      }
    }
    flush();
    lines.push('out.pos = p;');
    const src = `return function writer(${params}) {\n${lines.join('\n')}\n};`;
    return new Function(...this.names, src)(...this.values) as BodyWriter;
  }
}

/** Scaled fields up to this width have every value's rendering memoised. */
const MEMO_MAX_BITS = 12;

function outOfRange(f: BitField, v: number): never {
  throw new Error(`AIS writer: value ${v} is outside field ${f.name} (${f.bits} bits)`);
}

/**
 * Constants around a whole message: `prefix` (the head up to `"type":`), then the type, repeat indicator and MMSI
 * (parameters: one writer serves every type sharing the table), `mid` (the head after the MMSI), the table's
 * fields, then `suffix` (closing brace and line end).
 */
export interface MessageFrame {
  prefix: Uint8Array;
  mid: Uint8Array;
  suffix: Uint8Array;
}
const REPEAT_KEY = enc(',"repeat":');
const TRUE = enc('true');
const FALSE = enc('false');
const MMSI_KEY = enc(',"mmsi":');

function compileWriter(
  t: CompiledTable,
  scaled: boolean,
  skipData: boolean,
  frame?: MessageFrame,
  compat: GpsdCompat = 'current',
): BodyWriter {
  const g = new Gen();
  if (frame) {
    g.steps.push({ lead: frame.prefix, fixed: 'p = writeInt(buf, p, type);', max: frame.prefix.length + INT_MAX });
    g.steps.push({ lead: REPEAT_KEY, fixed: 'buf[p++] = 48 + repeat;', max: REPEAT_KEY.length + 1 });
    g.steps.push({ lead: MMSI_KEY, fixed: 'p = writeInt(buf, p, mmsi);', max: MMSI_KEY.length + INT_MAX });
    g.steps.push({ lead: frame.mid, fixed: '', max: frame.mid.length });
  }
  for (const planned of scaled ? t.scaledPlan : t.unscaledPlan) {
    const e = compat === 'current' && planned.kind !== 'c' && planned.kind !== 'a' ? currentField(t, planned) : planned;
    const key = enc(`,"${e.name}":`);
    if (e.kind === 'c') {
      const args = e.from.map((n) => `num[${t.index.get(n)!}]`).join(', ');
      g.steps.push({
        lead: key,
        fixed: '',
        max: key.length,
        checked: `out.utf8(${g.ref(e)}.render([${args}], ${scaled}));`,
      });
      continue;
    }
    if (e.kind === 'a') {
      g.steps.push({
        lead: key,
        fixed: '',
        max: key.length,
        checked: `out.utf8(renderArrayText(${g.ref(e)}, t, vals, bytes, bitlen, ${scaled}));`,
      });
      continue;
    }
    if (e.hide || e.kind === 'x') continue;
    const idx = t.index.get(e.name)!;
    const f = g.ref(e);
    if (e.kind === 'd') {
      if (!skipData)
        g.steps.push({
          lead: key,
          fixed: '',
          max: key.length,
          checked: `out.byte(34); out.ascii(readData(${f}, bytes, bitlen)); out.byte(34);`,
        });
      continue;
    }
    if (e.kind === 't') {
      if (!e.toEnd && e.extendFrom === undefined) {
        const chars = e.bits / 6;
        g.steps.push({
          lead: key,
          fixed: `p = writeSixbit(buf, p, bytes, ${e.at}, ${chars});`,
          max: key.length + 2 * chars + 2,
        });
      } else
        g.steps.push({
          lead: key,
          fixed: '',
          max: key.length,
          checked: `out.byte(34); out.ascii(jsonEscape(readText(${f}, bytes, bitlen, ${e.at}))); out.byte(34);`,
        });
    } else if (e.kind === 'b') {
      g.steps.push({
        lead: key,
        fixed: `if (num[${idx}]) { ${constCode(TRUE)} } else { ${constCode(FALSE)} }`,
        max: key.length + FALSE.length,
      });
    } else if (!scaled || (!e.fmt && e.div === undefined)) {
      const off = e.kind === 'i' ? 2 ** (e.bits - 1) : 0;
      const fb = e.fallback ?? 0;
      if (e.bits <= MEMO_MAX_BITS && fb >= -off && fb < 2 ** e.bits - off) {
        // small integers: their digits from a table (no divisions)
        const digits = lazyFor(e, 'int', 2 ** e.bits, (k) => String(k - off)); // at most 5 characters
        const pk = g.lazy(digits, `num[${idx}] + ${off}`, f, `num[${idx}]`);
        g.steps.push({ lead: key, fixed: pk.code, max: key.length + pk.room });
      } else g.steps.push({ lead: key, fixed: `p = writeInt(buf, p, num[${idx}]);`, max: key.length + INT_MAX });
    } else if (e.bits <= MEMO_MAX_BITS) {
      // Small scaled fields: every value's rendering memoised as bytes (computed here, once).
      const off = e.kind === 'i' ? 2 ** (e.bits - 1) : 0;
      const render = (k: number): string => valueLiteral(e, k - off, true);
      // A plain scaled number is longest at one end of the range: made on first use when it fits 8 bytes.
      const short = !e.fmt && render(0).length <= 8 && render(2 ** e.bits - 1).length <= 8;
      const pk = short
        ? g.lazy(lazyFor(e, 'scaled', 2 ** e.bits, render), `num[${idx}] + ${off}`, f, `num[${idx}]`)
        : g.packed(
            packedFor(e, 'scaled', () => Array.from({ length: 2 ** e.bits }, (_, k) => render(k))),
            `num[${idx}] + ${off}`,
            f,
            `num[${idx}]`,
          );
      g.steps.push({ lead: key, fixed: pk.code, max: key.length + pk.room });
    } else if (!e.fmt && e.div === 600000 && e.digits === 6 && !e.offset) {
      g.steps.push({
        lead: key,
        fixed: `p = writeDeg6(buf, p, num[${idx}], ${!!e.quoteScaled});`,
        max: key.length + DEG6_MAX,
      });
    } else {
      g.steps.push({
        lead: key,
        fixed: '',
        max: key.length,
        checked: `out.ascii(valueLiteral(${f}, num[${idx}], true));`,
      });
    }
    if (e.legend && (scaled || !e.legendScaledOnly)) {
      const legendString = (v: number): string => `,"${e.name}_text":"${jsonEscape(legendText(e, v))}"`;
      const legend = (v: number): Uint8Array => enc(legendString(v));
      if (e.bits <= 8) {
        // every value's `_text` pre-rendered
        const all = packedFor(e, 'legend', () => Array.from({ length: 2 ** e.bits }, (_, v) => legendString(v)));
        const pk = g.packed(all, `num[${idx}]`, f, `num[${idx}]`);
        g.steps.push({ fixed: pk.code, max: pk.room });
      } else {
        const cache = new Array<Uint8Array | undefined>(2 ** Math.min(e.bits, 14)).fill(undefined);
        const fill = (v: number): Uint8Array => {
          const b = legend(v);
          if (v < cache.length) cache[v] = b;
          return b;
        };
        g.steps.push({
          fixed: '',
          max: 0,
          checked: `{ const v = num[${idx}]; out.bytes(${g.ref(cache)}[v] ?? ${g.ref(fill)}(v)); }`,
        });
      }
    }
  }
  if (frame) g.steps.push({ lead: frame.suffix, fixed: '', max: frame.suffix.length });
  return g.build('out, num, bytes, bitlen, vals, t, mmsi, type, repeat');
}

/**
 * Body writers cached on the table: [scaled, unscaled, scaled without data, unscaled without data], current gpsd
 * output, then the same four for gpsd 3.22.
 */
function writerFor(t: CompiledTable, scaled: boolean, skipData: boolean, compat: GpsdCompat): BodyWriter {
  const slot = (scaled ? 0 : 1) + (skipData ? 2 : 0) + (compat === '3.22' ? 4 : 0);
  const cache = (t.writers ??= new Array<BodyWriter | undefined>(8).fill(undefined));
  let w = cache[slot];
  if (!w) {
    w = compileWriter(t, scaled, skipData, undefined, compat);
    cache[slot] = w;
  }
  return w;
}

/** A generated writer of a whole message of table `t` (no binary sub-table): see `MessageFrame`. */
export function compileMessageWriter(
  t: CompiledTable,
  scaled: boolean,
  frame: MessageFrame,
  compat: GpsdCompat = 'current',
): BodyWriter {
  return compileWriter(t, scaled, false, frame, compat);
}

/** A writer of `prefix`, an integer, then `suffix` (the message head: constants around the MMSI). */
export function compileHeadWriter(prefix: Uint8Array, suffix: Uint8Array): (out: ByteOut, v: number) => void {
  const room = prefix.length + INT_MAX + suffix.length;
  const src =
    `return function headWriter(out, v) { out.ensure(${room}); const buf = out.buf; const dv = out.dv; let p = out.pos;\n` +
    `${constCode(prefix)}\np = writeInt(buf, p, v);\n${constCode(suffix)}\nout.pos = p; };`;
  return new Function('writeInt', src)(writeInt) as (out: ByteOut, v: number) => void;
}

const HEAD_CLASS = enc('{"class":"AIS"');
const HEAD_DEVICE = enc(',"device":"');
const HEAD_TYPE = enc(',"type":');
const HEAD_REPEAT = enc(',"repeat":');
const HEAD_MMSI = enc(',"mmsi":');
const SCALED_T = enc(',"scaled":true');
const SCALED_F = enc(',"scaled":false');

/** Write the common head `{"class":"AIS","device":...,"type":..,"repeat":..,"mmsi":..,"scaled":..`. */
export function writeHead(out: ByteOut, msg: AisMessage, scaled: boolean, device: Uint8Array | null): void {
  out.bytes(HEAD_CLASS);
  if (device) {
    out.bytes(HEAD_DEVICE);
    out.bytes(device);
    out.byte(34);
  }
  out.bytes(HEAD_TYPE);
  out.int(msg.type);
  out.bytes(HEAD_REPEAT);
  out.int(msg.repeat);
  out.bytes(HEAD_MMSI);
  out.int(msg.mmsi);
  out.bytes(scaled ? SCALED_T : SCALED_F);
}

/** Write the message's fields (everything after the head, without the closing brace). */
export function writeBody(out: ByteOut, msg: AisMessage, scaled: boolean, compat: GpsdCompat = 'current'): void {
  const t = msg.table;
  const b = msg.binary;
  writerFor(t, scaled, b !== null, compat)(out, msg.values.num, msg.bytes, msg.bitlen, msg.values, t);
  if (b !== null)
    writerFor(b, scaled, false, compat)(out, msg.binaryValues.num, msg.bytes, msg.bitlen, msg.binaryValues, b);
}

export { enc as encodeUtf8 };
