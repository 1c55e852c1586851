/**
 * Declarative bit-field tables: one per AIS message type (and per binary application message in types 6 and 8).
 * A generic walker (decoder.ts) reads any table; adding a message type means adding a table, not code.
 *
 * Field names are gpsd's JSON names (`gpsdecode -j`), so the same table drives decoding, gpsd-compatible JSON
 * (scaled and unscaled) and the typed values the importer reads.
 */

import type { FieldReader } from './decoder.js';
import type { BodyWriter } from './json-out.js';

/**
 * u: unsigned int, i: signed int, b: boolean bit, t: six-bit text, x: spare (skipped, never printed),
 * d: raw binary payload from `at` to the end of the message, printed as gpsd's "bitcount:hex".
 */
export type FieldKind = 'u' | 'i' | 'b' | 't' | 'x' | 'd';

export interface BitField {
  kind: FieldKind;
  /** gpsd JSON name. */
  name: string;
  /** Width in bits; for text fields 6 × characters. */
  bits: number;
  /** Absolute start bit; defaults to right after the previous field. */
  at?: number;
  /**
   * Scaled rendering (gpsdecode -j): value / div printed with `digits` decimals, after subtracting `offset`.
   * Ignored with --unscaled, where the raw integer is printed.
   */
  div?: number;
  digits?: number;
  offset?: number;
  /** Scaled rendering as a JSON literal, for special values ("nan", "fastright", ...). Takes precedence over div. */
  fmt?: (raw: number) => string;
  /** Also emit `<name>_text` from this legend (indexed by the raw value), in both modes. */
  legend?: readonly string[] | ((raw: number) => string);
  /** Only print the `_text` legend in scaled mode (gpsd quirk for some tables). */
  legendScaledOnly?: boolean;
  /** Print the scaled value as a JSON string (gpsd prints some coordinates as "%f" strings). */
  quoteScaled?: boolean;
  /** Read but do not print (consumed by a composite, or printed by gpsd under another name). */
  hide?: boolean;
  /** Text fields: do not trim trailing spaces / stop at '@' handled as usual. */
  untrimmed?: boolean;
  /** Only read when the message has at least this many bits; otherwise the value is `fallback` (default 0). */
  ifBits?: number;
  fallback?: number;
  /** Text: as many characters as fit before the end of the message. Data: up to the end minus `tailBits`. */
  toEnd?: boolean;
  tailBits?: number;
  /** Text: when all characters are used and the message is longer, append text from this bit to the end. */
  extendFrom?: number;
  /** Data: zero the unused low bits of the last byte (gpsd does this for type 8 only). */
  maskTail?: boolean;
}

/** A value printed from other fields (gpsd merges date parts into ISO-8601-like strings). */
export interface Composite {
  kind: 'c';
  name: string;
  /** Field names read, in order, passed to `render` as raw numbers. */
  from: string[];
  /** Returns the JSON literal (already quoted if a string). */
  render: (v: readonly number[], scaled: boolean) => string;
}

/** A repeated group (waypoints, tidal windows, targets, ...). */
export interface ArrayGroup {
  kind: 'a';
  name: string;
  /** Bit where the first element starts. */
  at: number;
  /** Element width in bits. */
  stride: number;
  /** Element fields; their `at` is relative to the element start. */
  element: Array<BitField | Composite>;
  /** Count: a previously read field name, or 'fill' (as many as start before bitlen; `le` also allows == bitlen). */
  count: string | 'fill' | 'fill-le';
  max: number;
  /** Print elements with this extra key derived from a field (gpsd's dac1fid17 idtype keying). */
  renderElement?: (get: (name: string) => number | string, scaled: boolean) => string;
}

export type TableEntry = BitField | Composite | ArrayGroup;

export interface MessageTable {
  /** Human title, for docs and errors. */
  title: string;
  entries: TableEntry[];
  /** Accept only bit lengths in [minBits, maxBits]; outside, the message is counted as too short / malformed. */
  minBits?: number;
  maxBits?: number;
  /** Emission order override for scaled / unscaled JSON (names of top-level entries). */
  scaledOrder?: string[];
  unscaledOrder?: string[];
}

/** A table with resolved absolute offsets and a name → index map. */
export interface CompiledTable extends MessageTable {
  fields: BitField[];
  index: Map<string, number>;
  scaledPlan: TableEntry[];
  unscaledPlan: TableEntry[];
  /** Generated JSON body writers (json-out.ts), filled on first use. */
  writers?: Array<BodyWriter | undefined>;
  /** Generated field reader (decoder.ts), filled on first use. */
  reader?: FieldReader;
}

export function compile(t: MessageTable, headerBits = 0): CompiledTable {
  let pos = headerBits;
  const fields: BitField[] = [];
  const index = new Map<string, number>();
  const entries: TableEntry[] = [];
  for (const e of t.entries) {
    if (e.kind === 'c' || e.kind === 'a') {
      entries.push(e);
      continue;
    }
    const at = e.at ?? pos;
    const f: BitField = { ...e, at };
    pos = at + e.bits;
    index.set(f.name, fields.length);
    fields.push(f);
    entries.push(f);
  }
  const plan = (order?: string[]): TableEntry[] => {
    if (!order) return entries;
    return order.map((n) => {
      const found = entries.find((x) => x.name === n);
      if (!found) throw new Error(`AIS table "${t.title}": order names unknown entry ${n}`);
      return found;
    });
  };
  return {
    ...t,
    entries,
    fields,
    index,
    scaledPlan: plan(t.scaledOrder),
    unscaledPlan: plan(t.unscaledOrder),
  };
}

// ---- small helpers used by many tables ---------------------------------------------------------------------

export const u = (name: string, bits: number, extra: Partial<BitField> = {}): BitField => ({
  kind: 'u',
  name,
  bits,
  ...extra,
});
export const i = (name: string, bits: number, extra: Partial<BitField> = {}): BitField => ({
  kind: 'i',
  name,
  bits,
  ...extra,
});
export const b = (name: string, extra: Partial<BitField> = {}): BitField => ({ kind: 'b', name, bits: 1, ...extra });
export const t = (name: string, chars: number, extra: Partial<BitField> = {}): BitField => ({
  kind: 't',
  name,
  bits: chars * 6,
  ...extra,
});
export const x = (bits: number, at?: number): BitField => ({ kind: 'x', name: `_spare${at ?? ''}_${bits}`, bits, at });

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
/** gpsd's "%02u-%02uT%02u:%02uZ" partial date. */
export const mdhm =
  (z = true) =>
  (v: readonly number[]): string =>
    `"${pad2(v[0]!)}-${pad2(v[1]!)}T${pad2(v[2]!)}:${pad2(v[3]!)}${z ? 'Z' : ''}"`;
/** gpsd's "%u-%uT%u:%u" (no zero padding). */
export const mdhmPlain = (v: readonly number[]): string => `"${v[0]}-${v[1]}T${v[2]}:${v[3]}"`;
export { pad2 };
