/**
 * The NMEA envelope compiled from its declaration (tables/envelope.ts) when this module loads:
 * - for the readers (nmea.ts, fast-positions.ts): byte constants, lookup tables of the tag-block and NAIS keys, and
 *   `readSentenceFields`, straight-line code generated from the declared fields (their order, widths, ranges and the
 *   reason for each failure), so no declaration is interpreted per line;
 * - for the writers (the simulator, the tests): `formatSentence`, `formatTagBlock`, `formatNais` and the time
 *   prefixes, which write what the readers read.
 */
import {
  AIVDM_SENTENCE,
  CHECKSUM,
  NAIS_SUFFIX,
  type SentenceField,
  TAG_BLOCK,
  TIME_PREFIX,
} from './tables/envelope.js';

const byte = (s: string): number => s.charCodeAt(0);

/** The lead byte of an AIS sentence ('!'). */
export const LEAD = byte(AIVDM_SENTENCE.lead);
/** The field separator (','). */
export const SEP = byte(AIVDM_SENTENCE.separator);
/** The checksum mark ('*'). */
export const MARK = byte(CHECKSUM.mark);
/** The tag block's delimiters and key separator. */
export const TAG_OPEN = byte(TAG_BLOCK.open);
export const TAG_CLOSE = byte(TAG_BLOCK.close);
export const TAG_SEP = byte(TAG_BLOCK.separator);
export const TAG_KEY_SEP = byte(TAG_BLOCK.keySeparator);
export const TAG_MS_DIGITS = TAG_BLOCK.msDigits;
export const TAG_MAX_GROUP_TOTAL = TAG_BLOCK.maxGroupTotal;
export const NAIS_SEP = byte(NAIS_SUFFIX.separator);
/** Digits a receiver unix time needs (before or after the sentence), and the fraction digits kept. */
export const UNIX_MIN_DIGITS = TIME_PREFIX.unix.minDigits;
export const UNIX_FRACTION_SCALE = 10 ** TIME_PREFIX.unix.fractionDigits;
export const MS_ABOVE = TIME_PREFIX.msAbove;

/** Hex digit values by byte (-1 for anything else): the checksum's digits, read in either case. */
export const HEXVAL = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 48; c <= 57; c++) t[c] = c - 48;
  for (let c = 65; c <= 70; c++) t[c] = c - 55;
  for (let c = 97; c <= 102; c++) t[c] = c - 87;
  return t;
})();
if (CHECKSUM.rule !== 'xor' || CHECKSUM.digits !== 2)
  throw new Error('envelope: only a two-digit XOR checksum is read');

/** Whether a byte separates a leading time from what follows (' ', tab, ',', ';'). */
export const TIME_SEPARATOR = (() => {
  const t = new Uint8Array(256);
  for (const c of TIME_PREFIX.separators) t[byte(c)] = 1;
  return t;
})();
/** Whether a byte is a blank skipped after a leading time. */
export const BLANK = (() => {
  const t = new Uint8Array(256);
  for (const c of TIME_PREFIX.blanks) t[byte(c)] = 1;
  return t;
})();
export const ISO_BRACKET_OPEN = byte(TIME_PREFIX.iso.bracket[0]);
export const ISO_BRACKET_CLOSE = byte(TIME_PREFIX.iso.bracket[1]);
export const ISO_DATE_TIME = (() => {
  const t = new Uint8Array(256);
  for (const c of TIME_PREFIX.iso.dateTime) t[byte(c)] = 1;
  return t;
})();

/** Seconds (or ms, when the value is clearly in ms: above MS_ABOVE) → epoch ms. */
export function toMs(v: number): number {
  return v > MS_ABOVE ? Math.round(v) : Math.round(v * 1000);
}

/**
 * A unix receive time before the sentence or tag block, at buf[p, end): at least UNIX_MIN_DIGITS characters of digits
 * and fraction, then a TIME_SEPARATOR (read even at `end`) and blanks. Returns epoch ms (NaN when there is none) and
 * sets `at.end` after the blanks. The one reader of this prefix, for the decoder and the fast path.
 */
export function readUnixPrefix(buf: Uint8Array, p: number, end: number, at: { end: number }): number {
  let q = p;
  let secs = 0;
  while (q < end && buf[q]! >= 48 && buf[q]! <= 57) secs = secs * 10 + (buf[q++]! - 48);
  let frac = 0;
  let scale = 1;
  if (buf[q] === 46) {
    q++;
    while (q < end && buf[q]! >= 48 && buf[q]! <= 57) {
      if (scale < UNIX_FRACTION_SCALE) {
        frac = frac * 10 + (buf[q]! - 48);
        scale *= 10;
      }
      q++;
    }
  }
  if (q - p < UNIX_MIN_DIGITS || TIME_SEPARATOR[buf[q]!] !== 1) return Number.NaN;
  q++;
  while (q < end && BLANK[buf[q]!] === 1) q++;
  at.end = q;
  // Up to milliseconds and below 1e11 s, the integer sum equals toMs(secs + frac / scale) exactly (the float's error
  // is far below half a millisecond), without the float round trip.
  return scale <= 1000 && secs < 1e11 ? secs * 1000 + frac * (1000 / scale) : toMs(secs + frac / scale);
}

// ---- the sentence ----

const fields = AIVDM_SENTENCE.fields;
const fieldIndex = (name: SentenceField['name']): number => {
  const i = fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`envelope: the sentence declares no "${name}" field`);
  return i;
};
const { received, own } = AIVDM_SENTENCE.formatters;
if (received.length !== own.length) throw new Error('envelope: formatters of different lengths');
/** Offset of the formatter in the sentence (after the lead and the talker). */
export const FORMATTER_AT = 1 + AIVDM_SENTENCE.talkerChars;
/** Offset of the first separator: the address field's length. */
export const ADDRESS_LEN = FORMATTER_AT + received.length;
/** Offset (from the lead) and byte that tell an own-ship sentence (VDO) from a received one (VDM). */
export const OWN_AT = (() => {
  const diff = [...received].map((c, k) => (c === own[k] ? -1 : k)).filter((k) => k >= 0);
  if (diff.length !== 1) throw new Error('envelope: the formatters must differ in one character');
  return FORMATTER_AT + diff[0]!;
})();
export const OWN_BYTE = own.charCodeAt(OWN_AT - FORMATTER_AT);

/**
 * The formatter at buf[p + FORMATTER_AT…]: 1 for a received sentence (VDM), 2 for own ship (VDO), 0 for anything
 * else (generated: one compare per byte).
 */
export const formatterOf: (buf: Uint8Array, p: number) => number = (() => {
  const test = (f: string) => [...f].map((c, k) => `buf[p + ${FORMATTER_AT + k}] === ${c.charCodeAt(0)}`).join(' && ');
  return new Function(
    `return function formatterOf(buf, p) {\n  if (${test(received)}) return 1;\n  if (${test(own)}) return 2;\n  return 0;\n};`,
  )();
})();

/** Slots of `readSentenceFields`'s output: one per field (its value, or the payload's start), and the payload's end. */
export const F_TOTAL = fieldIndex('total');
export const F_NUM = fieldIndex('num');
export const F_SEQ = fieldIndex('seq');
export const F_CHANNEL = fieldIndex('channel');
export const F_PAYLOAD = fieldIndex('payload');
export const F_FILL = fieldIndex('fill');
export const F_PAYLOAD_END = fields.length;
/** Separators a sentence needs: one before each declared field. */
export const SENTENCE_SEPARATORS = fields.length;
/** Reasons `readSentenceFields` returns by number (0: none, the fields are read). */
export const SENTENCE_REASONS: readonly string[] = (() => {
  const r = [''];
  const add = (s: string | undefined) => {
    if (s !== undefined && !r.includes(s)) r.push(s);
  };
  add(AIVDM_SENTENCE.shape);
  for (const f of fields) {
    add(f.shape);
    add(f.range);
  }
  return r;
})();

/**
 * Reads the fields of a sentence whose separators (from the one that ends the address field up to the checksum mark at
 * `star`) are in `cs[0..nc)`, into `out` (slots F_*); returns 0, or the number of the reason in SENTENCE_REASONS. Generated from the
 * declared fields: first the separators every field needs and the width of each required one-character field, then
 * each field's value in order, then the payload (its characters are checked as they are unarmored).
 */
export type SentenceFieldReader = (
  buf: Uint8Array,
  star: number,
  cs: Int32Array,
  nc: number,
  out: Int32Array,
) => number;

export const readSentenceFields: SentenceFieldReader = (() => {
  const reason = (s: string | undefined): number => {
    const i = s === undefined ? -1 : SENTENCE_REASONS.indexOf(s);
    if (i <= 0) throw new Error(`envelope: no reason "${s}"`);
    return i;
  };
  const n = fields.length;
  const src: string[] = [`if (nc < ${n}) return ${reason(AIVDM_SENTENCE.shape)};`];
  for (let i = 0; i < n; i++) src.push(`const c${i} = cs[${i}];`);
  // The end of the last field: the next separator (fields after it are ignored) or the checksum mark.
  src.push(`const c${n} = nc > ${n} ? cs[${n}] : star;`);
  fields.forEach((f, i) => {
    if (f.kind !== 'armored' && !f.optional)
      src.push(`if (c${i + 1} !== c${i} + 2) return ${reason(AIVDM_SENTENCE.shape)};`);
  });
  const valueChecks: string[] = [];
  fields.forEach((f, i) => {
    if (f.kind === 'armored') return;
    const v = `out[${i}]`;
    const range = (x: string): string => {
      const max = typeof f.max === 'string' ? `out[${fieldIndex(f.max)}]` : String(f.max ?? 9);
      return `${x} < ${f.min ?? 0} || ${x} > ${max}`;
    };
    if (!f.optional) {
      if (f.kind === 'digit')
        valueChecks.push(`${v} = buf[c${i} + 1] - 48;`, `if (${range(v)}) return ${reason(f.range)};`);
      else valueChecks.push(`${v} = buf[c${i} + 1];`);
      return;
    }
    const w = `w${i}`;
    valueChecks.push(`const ${w} = c${i + 1} - c${i} - 1;`);
    if (f.kind === 'digit') {
      valueChecks.push(
        `if (${w} === 1) { const v = buf[c${i} + 1] - 48; if (${range('v')}) return ${reason(f.range)}; ${v} = v; }`,
        `else if (${w} !== 0) return ${reason(f.shape)};`,
        `else ${v} = 0;`,
      );
    } else {
      const allowed = f.chars === undefined ? '' : [...f.chars].map((c) => `b !== ${c.charCodeAt(0)}`).join(' && ');
      valueChecks.push(`if (${w} > 1) return ${reason(f.shape)};`);
      if (allowed !== '')
        valueChecks.push(
          `if (${w} === 1) { const b = buf[c${i} + 1]; if (${allowed}) return ${reason(f.shape)}; ${v} = b; } else ${v} = 0;`,
        );
      else valueChecks.push(`${v} = ${w} === 1 ? buf[c${i} + 1] : 0;`);
    }
  });
  src.push(...valueChecks);
  fields.forEach((f, i) => {
    if (f.kind !== 'armored') return;
    src.push(
      `out[${i}] = c${i} + 1;`,
      `out[${n}] = c${i + 1};`,
      `if (c${i + 1} === c${i} + 1) return ${reason(f.shape)};`,
    );
  });
  src.push('return 0;');
  return new Function(`return function readSentenceFields(buf, star, cs, nc, out) {\n${src.join('\n')}\n};`)();
})();

// ---- tag block ----

export const TAG_OTHER = 0;
export const TAG_TIME = 1;
export const TAG_STATION = 2;
export const TAG_GROUP = 3;
/** What each tag-block key byte is (TAG_OTHER for keys read past: n:, t:, and any undeclared one). */
export const TAG_KIND = (() => {
  const t = new Uint8Array(256);
  for (const k of TAG_BLOCK.keys)
    t[byte(k.key)] =
      k.kind === 'time' ? TAG_TIME : k.kind === 'station' ? TAG_STATION : k.kind === 'group' ? TAG_GROUP : TAG_OTHER;
  return t;
})();

/** `readTagBlock`: the tag block is read; its checksum does not match; it is malformed. */
export const TAG_READ = 0;
export const TAG_BAD_CHECKSUM = 1;
export const TAG_MALFORMED = 2;

/** What `readTagBlock` found in one tag block (reused: each call resets it). */
export class TagBlockFields {
  /** `c:` time in ms, or NaN. */
  timeMs = Number.NaN;
  /** The `s:` value's range in the buffer (stationS < 0: none). */
  stationS = -1;
  stationE = -1;
  /** `g:` as "id/total" (multi-part messages are assembled by it), or ''. */
  group = '';
}

/**
 * One tag block's content [s, e) (between its delimiters), read by the declared keys: the checksum (`*hh` at the end,
 * the XOR of the bytes before it), then `key:value` fields, each handled by its declared kind (TAG_KIND); keys read
 * past (n:, t:, and undeclared ones) are not checked. The one reader of tag blocks, for the decoder and the fast
 * path. Returns TAG_READ, TAG_BAD_CHECKSUM or TAG_MALFORMED (a bad checksum field, `c:` value or `g:` value).
 */
export function readTagBlock(buf: Uint8Array, s: number, e: number, out: TagBlockFields): number {
  out.timeMs = Number.NaN;
  out.stationS = -1;
  out.group = '';
  let star = -1;
  for (let k = e - 1; k >= s; k--)
    if (buf[k] === MARK) {
      star = k;
      break;
    }
  if (star < 0 || star + 3 !== e) return TAG_MALFORMED;
  const h1 = HEXVAL[buf[star + 1]!]!;
  const h2 = HEXVAL[buf[star + 2]!]!;
  if (h1 < 0 || h2 < 0) return TAG_MALFORMED;
  let sum = 0;
  for (let k = s; k < star; k++) sum ^= buf[k]!;
  if (sum !== ((h1 << 4) | h2)) return TAG_BAD_CHECKSUM;
  let k = s;
  while (k < star) {
    let f = k;
    while (f < star && buf[f] !== TAG_SEP) f++;
    if (f - k >= 2 && buf[k + 1] === TAG_KEY_SEP) {
      const kind = TAG_KIND[buf[k]!];
      if (kind === TAG_TIME) {
        // Unix time: seconds, or ms when it has TAG_MS_DIGITS digits or more.
        let v = 0;
        let digits = 0;
        for (let q = k + 2; q < f; q++) {
          const d = buf[q]! - 48;
          if (d < 0 || d > 9) return TAG_MALFORMED;
          v = v * 10 + d;
          digits++;
        }
        if (digits === 0) return TAG_MALFORMED;
        out.timeMs = digits >= TAG_MS_DIGITS ? v : v * 1000;
      } else if (kind === TAG_STATION) {
        out.stationS = k + 2;
        out.stationE = f;
      } else if (kind === TAG_GROUP) {
        // sentence-total-id
        let text = '';
        for (let q = k + 2; q < f; q++) text += String.fromCharCode(buf[q]!);
        const parts = text.split('-');
        if (parts.length !== 3) return TAG_MALFORMED;
        const n = Number(parts[0]);
        const tot = Number(parts[1]);
        if (!(n >= 1 && tot >= n && tot <= TAG_MAX_GROUP_TOTAL) || parts[2] === '') return TAG_MALFORMED;
        out.group = `${parts[2]}/${tot}`;
      }
    }
    k = f + 1;
  }
  return TAG_READ;
}

// ---- USCG NAIS fields after the checksum ----

export const NAIS_BAD_KEY = 0;
export const NAIS_METRIC = 1;
export const NAIS_STATION = 2;
/** The role of each NAIS key byte (NAIS_BAD_KEY: not a NAIS field). */
export const NAIS_KEY = (() => {
  const t = new Uint8Array(256);
  for (const k of NAIS_SUFFIX.keys) t[byte(k.key)] = k.role === 'station' ? NAIS_STATION : NAIS_METRIC;
  return t;
})();
/** Whether a byte may appear in a NAIS field value (letters, digits and `valueExtra`). */
export const NAIS_CHAR = (() => {
  const t = new Uint8Array(256);
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 65; c <= 90; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  for (const c of NAIS_SUFFIX.valueExtra) t[byte(c)] = 1;
  return t;
})();

// ---- writers ----

/** The checksum of `body` as the declaration writes it (two upper-case hex digits of the XOR of its bytes). */
export function checksumHex(body: string): string {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(CHECKSUM.digits, '0');
}

/** The values of one sentence (absent optional fields are written empty). */
export interface SentenceValues {
  /** Talker id, "AI" by default. */
  talker?: string;
  /** Own-ship sentence (VDO). */
  own?: boolean;
  total: number;
  num: number;
  seq?: number | string;
  channel?: string;
  payload: string;
  fill?: number;
}

const writeSentenceBody: (v: SentenceValues) => string = (() => {
  const parts = fields.map((f) =>
    f.optional ? `(v.${f.name} === undefined ? '' : String(v.${f.name}))` : `String(v.${f.name})`,
  );
  const address = `(v.talker ?? 'AI') + (v.own ? ${JSON.stringify(own)} : ${JSON.stringify(received)})`;
  const sep = JSON.stringify(AIVDM_SENTENCE.separator);
  return new Function(`return function sentenceBody(v) {\n  return ${[address, ...parts].join(` + ${sep} + `)};\n};`)();
})();

/** One `!AIVDM…*hh` sentence, its fields in the declared order and its checksum by the declared rule. */
export function formatSentence(v: SentenceValues): string {
  const body = writeSentenceBody(v);
  return `${AIVDM_SENTENCE.lead}${body}${CHECKSUM.mark}${checksumHex(body)}`;
}

/** Tag-block values by key name (station, time in unix seconds or ms, group `n-m-id`, line count, text). */
export type TagValues = Partial<Record<'station' | 'time' | 'group' | 'line' | 'text', string | number>>;

/** A tag block `\key:value,…*hh\`, its keys in the declared order. */
export function formatTagBlock(v: TagValues): string {
  let body = '';
  for (const k of TAG_BLOCK.keys) {
    const x = v[k.name as keyof TagValues];
    if (x === undefined) continue;
    if (body !== '') body += TAG_BLOCK.separator;
    body += `${k.key}${TAG_BLOCK.keySeparator}${x}`;
  }
  return `${TAG_BLOCK.open}${body}${CHECKSUM.mark}${checksumHex(body)}${TAG_BLOCK.close}`;
}

/**
 * USCG NAIS fields after the checksum: `fields` as [key, value] in the order given (each key declared), then the
 * logger's unix time when given (`,s27064,d-106,T28.09,r003669945,1136498115`).
 */
export function formatNais(fields: ReadonlyArray<readonly [string, string | number]>, time?: string | number): string {
  let out = '';
  for (const [k, v] of fields) {
    if (k.length !== 1 || NAIS_KEY[byte(k)] === NAIS_BAD_KEY) throw new Error(`envelope: "${k}" is not a NAIS field`);
    out += `${NAIS_SUFFIX.separator}${k}${v}`;
  }
  if (time !== undefined) out += `${NAIS_SUFFIX.separator}${time}`;
  return out;
}

/** A unix receive time before the sentence ("1700000000.005 "), seconds with three decimals. */
export function formatUnixPrefix(tsMs: number): string {
  return `${(tsMs / 1000).toFixed(3)} `;
}

/** An ISO-8601 receive time before the sentence in one of the forms gpsd reads. */
export function formatIsoPrefix(tsMs: number, form: 'T' | 'space' | 'bracket'): string {
  const iso = new Date(tsMs).toISOString();
  if (form === 'T') return `${iso} `;
  const plain = iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  return form === 'space' ? `${plain},` : `${TIME_PREFIX.iso.bracket[0]}${plain}${TIME_PREFIX.iso.bracket[1]} `;
}

/** How a message is framed into sentences by `formatSentences`. */
export interface FramingOptions {
  talker?: string;
  own?: boolean;
  /** Radio channel, 'A' by default ('' for none). */
  channel?: string;
  /** Sequential message id of a multi-part message (1 by default; single sentences have none). */
  seq?: number;
  /** Payload characters per sentence (60 by default, as most transmitters split). */
  maxChars?: number;
}

/**
 * The sentences of one armored payload: split into parts of at most `maxChars` characters, numbered from 1, the
 * fill bits on the last one (0 on the others), a sequence id when there is more than one part.
 */
export function formatSentences(payload: string, fill: number, o: FramingOptions = {}): string[] {
  const max = o.maxChars ?? 60;
  const parts: string[] = [];
  for (let i = 0; i < payload.length; i += max) parts.push(payload.slice(i, i + max));
  if (parts.length === 0) parts.push('');
  const total = parts.length;
  const seq = total > 1 ? (o.seq ?? 1) : undefined;
  return parts.map((p, i) =>
    formatSentence({
      talker: o.talker,
      own: o.own,
      total,
      num: i + 1,
      seq,
      channel: o.channel ?? 'A',
      payload: p,
      fill: i === total - 1 ? fill : 0,
    }),
  );
}
