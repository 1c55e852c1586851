/**
 * Byte-level gpsd JSON writer. Each table is compiled once (per scaling) into a list of output ops with
 * pre-encoded keys and memoised renderings of small coded values, so the hot path writes bytes into one growing
 * Buffer without building per-field strings.
 */
import { SIXBIT_CHARS, ubits } from './bits.js';
import type { AisMessage, FieldValues } from './decoder.js';
import { readData, readText, renderArrayText } from './decoder.js';
import type { BitField, CompiledTable, Composite } from './table.js';
import { jsonEscape } from './tables/binary.js';

/** UTF-8 bytes as a plain Uint8Array (not a pooled Buffer slice), so the copy loops stay monomorphic. */
const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** A growable output buffer. */
export class ByteOut {
  buf: Buffer;
  pos = 0;
  constructor(size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 48) {
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
    const buf = this.buf;
    if (v < 0) {
      buf[this.pos++] = 45;
      v = -v;
    }
    if (v < 10) {
      buf[this.pos++] = 48 + v;
      return;
    }
    let digits = 0;
    for (let t = v; t >= 1; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 1) {
      const q = Math.floor(v / 10);
      buf[--p] = 48 + (v - q * 10);
      v = q;
    }
  }
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
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

const K_INT = 0;
const K_BOOL = 1;
const K_MEMO = 2;
const K_DEG6 = 3;
const K_STR = 4;
const K_TEXT = 5;
const K_DATA = 6;
const K_LEGEND = 7;
const K_COMP = 8;
const K_ARRAY = 9;

type ArrayEntry = Extract<CompiledTable['entries'][number], { kind: 'a' }>;

/** One output step. A single class (one hidden-class shape) keeps the hot loop monomorphic. */
class Op {
  constructor(
    readonly k: number,
    readonly key: Uint8Array,
    readonly idx: number,
    readonly f: BitField | null = null,
    readonly scaled = false,
    readonly cache: Array<Uint8Array | undefined> | null = null,
    readonly quote = false,
    readonly c: Composite | null = null,
    readonly from: number[] | null = null,
    readonly e: ArrayEntry | null = null,
  ) {}
}
const NO_KEY = new Uint8Array(0);

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

const plans = new Map<CompiledTable, Array<Op[] | undefined>>();

function compilePlan(t: CompiledTable, scaled: boolean, skipData: boolean): Op[] {
  const ops: Op[] = [];
  for (const e of scaled ? t.scaledPlan : t.unscaledPlan) {
    const key = enc(`,"${e.name}":`);
    if (e.kind === 'c') {
      const from = e.from.map((n) => t.index.get(n)!);
      ops.push(new Op(K_COMP, key, -1, null, scaled, null, false, e, from));
      continue;
    }
    if (e.kind === 'a') {
      ops.push(new Op(K_ARRAY, key, -1, null, scaled, null, false, null, null, e));
      continue;
    }
    if (e.hide || e.kind === 'x') continue;
    const idx = t.index.get(e.name)!;
    if (e.kind === 'd') {
      if (!skipData) ops.push(new Op(K_DATA, key, idx, e));
      continue;
    }
    if (e.kind === 't') ops.push(new Op(K_TEXT, key, idx, e));
    else if (e.kind === 'b')
      ops.push(new Op(K_BOOL, NO_KEY, idx, null, false, [enc(`,"${e.name}":false`), enc(`,"${e.name}":true`)]));
    else if (e.bits <= 12 && e.at !== undefined && e.at >= 0)
      // Small fields: key and value pre-encoded together per raw value (one copy, no formatting).
      ops.push(new Op(K_MEMO, NO_KEY, idx, e, scaled, new Array(8192).fill(undefined)));
    else if (!scaled || (!e.fmt && e.div === undefined)) ops.push(new Op(K_INT, key, idx));
    else if (!e.fmt && e.div === 600000 && e.digits === 6 && !e.offset)
      ops.push(new Op(K_DEG6, key, idx, e, scaled, null, !!e.quoteScaled));
    else ops.push(new Op(K_STR, key, idx, e, scaled));
    if (e.legend && (scaled || !e.legendScaledOnly))
      ops.push(new Op(K_LEGEND, NO_KEY, idx, e, scaled, new Array(2 ** Math.min(e.bits, 14)).fill(undefined)));
  }
  return ops;
}

/** Output plans cached per table: [scaled, unscaled, scaled without data, unscaled without data]. */
function planFor(t: CompiledTable, scaled: boolean, skipData: boolean): Op[] {
  const slot = (scaled ? 0 : 1) + (skipData ? 2 : 0);
  let cache = plans.get(t);
  if (!cache) {
    cache = [undefined, undefined, undefined, undefined];
    plans.set(t, cache);
  }
  let ops = cache[slot];
  if (!ops) {
    ops = compilePlan(t, scaled, skipData);
    cache[slot] = ops;
  }
  return ops;
}

const SIX = Uint8Array.from(SIXBIT_CHARS, (c) => c.charCodeAt(0));
/** "00".."99" as byte pairs, for writing integers two digits at a time. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** Write six-bit text straight from the bits: stop at '@', trim trailing spaces, escape '"' and '\'. */
function writeSixbit(out: ByteOut, bytes: Uint8Array, at: number, count: number): void {
  let n = 0;
  while (n < count && ubits(bytes, at + 6 * n, 6) !== 0) n++;
  while (n > 0) {
    const c = ubits(bytes, at + 6 * (n - 1), 6);
    if (c !== 32) break; // ' ' is 32 in the six-bit alphabet
    n--;
  }
  out.ensure(n * 2 + 2);
  const buf = out.buf;
  let p = out.pos;
  buf[p++] = 34;
  for (let i = 0; i < n; i++) {
    const ch = SIX[ubits(bytes, at + 6 * i, 6)]!;
    if (ch === 34 || ch === 92) buf[p++] = 92;
    buf[p++] = ch;
  }
  buf[p++] = 34;
  out.pos = p;
}

/** Most bytes one op writes without its own ensure() (a key plus a memoised value or a number). */
const OP_MAX = 160;

function writeOps(
  out: ByteOut,
  ops: Op[],
  t: CompiledTable,
  vals: FieldValues,
  bytes: Uint8Array,
  bitlen: number,
  scaled: boolean,
): void {
  const num = vals.num;
  out.ensure(OP_MAX * ops.length + 64);
  let buf = out.buf;
  let p = out.pos;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const key = op.key;
    for (let j = 0; j < key.length; j++) buf[p++] = key[j]!;
    switch (op.k) {
      case K_INT: {
        let v = num[op.idx]!;
        if (v < 0) {
          buf[p++] = 45;
          v = -v;
        }
        if (v < 10) buf[p++] = 48 + v;
        else if (v < 2147483648) {
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
          p = q;
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
        } else {
          let digits = 0;
          for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
          let q = p + digits;
          p = q;
          while (v >= 1) {
            const d = Math.floor(v / 10);
            buf[--q] = 48 + (v - d * 10);
            v = d;
          }
        }
        break;
      }
      case K_BOOL: {
        const b = op.cache![num[op.idx] ? 1 : 0]!;
        for (let j = 0; j < b.length; j++) buf[p++] = b[j]!;
        break;
      }
      case K_MEMO: {
        // key and value pre-encoded together, per raw value
        const v = num[op.idx]!;
        const slot = v + 4096; // signed fields index from the middle
        let b = op.cache![slot];
        if (!b) {
          b = enc(`,"${op.f!.name}":${valueLiteral(op.f!, v, op.scaled)}`);
          op.cache![slot] = b;
        }
        for (let j = 0; j < b.length; j++) buf[p++] = b[j]!;
        break;
      }
      case K_DEG6: {
        const raw = num[op.idx]!;
        if (op.quote) buf[p++] = 34;
        if (raw < 0) buf[p++] = 45;
        // |raw| / 600000 with 6 decimals = round(|raw| * 5 / 3) millionths; never a tie (fractions are thirds).
        const n = Math.round((Math.abs(raw) * 5) / 3);
        let ip = Math.floor(n / 1000000);
        let frac = n - ip * 1000000;
        if (ip < 10) buf[p++] = 48 + ip;
        else if (ip < 100) {
          buf[p++] = 48 + Math.floor(ip / 10);
          buf[p++] = 48 + (ip % 10);
        } else {
          const h = Math.floor(ip / 100);
          ip -= h * 100;
          if (h >= 10) {
            buf[p++] = 48 + Math.floor(h / 10);
            buf[p++] = 48 + (h % 10);
          } else buf[p++] = 48 + h;
          buf[p++] = 48 + Math.floor(ip / 10);
          buf[p++] = 48 + (ip % 10);
        }
        buf[p++] = 46;
        for (let q = p + 5; q >= p; q--) {
          const d = Math.floor(frac / 10);
          buf[q] = 48 + (frac - d * 10);
          frac = d;
        }
        p += 6;
        if (op.quote) buf[p++] = 34;
        break;
      }
      case K_LEGEND: {
        const v = num[op.idx]!;
        let b = op.cache![v];
        if (!b) {
          b = enc(`,"${op.f!.name}_text":"${jsonEscape(legendText(op.f!, v))}"`);
          op.cache![v] = b;
        }
        if (b.length > OP_MAX) {
          out.pos = p;
          out.bytes(b);
          buf = out.buf;
          p = out.pos;
        } else for (let j = 0; j < b.length; j++) buf[p++] = b[j]!;
        break;
      }
      case K_TEXT: {
        const f = op.f!;
        out.pos = p;
        if (!f.toEnd && f.extendFrom === undefined) writeSixbit(out, bytes, f.at!, f.bits / 6);
        else {
          out.byte(34);
          out.ascii(jsonEscape(readText(f, bytes, bitlen, f.at!)));
          out.byte(34);
        }
        out.ensure(OP_MAX * (ops.length - i));
        buf = out.buf;
        p = out.pos;
        break;
      }
      default: {
        // Rare, variable-size renderings: go through the buffer's checked writers.
        out.pos = p;
        if (op.k === K_STR) out.ascii(valueLiteral(op.f!, num[op.idx]!, op.scaled));
        else if (op.k === K_DATA) {
          out.byte(34);
          out.ascii(readData(op.f!, bytes, bitlen));
          out.byte(34);
        } else if (op.k === K_COMP) {
          const from = op.from!.map((k) => num[k]!);
          out.utf8(op.c!.render(from, op.scaled));
        } else if (op.k === K_ARRAY) out.utf8(renderArrayText(op.e!, t, vals, bytes, bitlen, scaled));
        out.ensure(OP_MAX * (ops.length - i));
        buf = out.buf;
        p = out.pos;
      }
    }
  }
  out.pos = p;
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
export function writeBody(out: ByteOut, msg: AisMessage, scaled: boolean): void {
  const t = msg.table;
  writeOps(out, planFor(t, scaled, msg.binary !== null), t, msg.values, msg.bytes, msg.bitlen, scaled);
  if (msg.binary) {
    const b = msg.binary;
    writeOps(out, planFor(b, scaled, false), b, msg.binaryValues, msg.bytes, msg.bitlen, scaled);
  }
}

export { enc as encodeUtf8 };
