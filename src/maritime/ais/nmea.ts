/**
 * NMEA 0183 sentence layer for AIS: `!xxVDM` / `!xxVDO` from any talker, checksums, six-bit payloads with fill
 * bits, multi-part reassembly (keyed by NMEA 4.0 tag-block group, or by channel + sequence id) with eviction of
 * stale fragments, tag blocks (`\s:station,c:unixtime,g:n-m-id*hh\`), Gatehouse `$PGHP` time lines, a unix
 * time written before (or after) the sentence by common receivers, an ISO-8601 time before the sentence
 * (`2008-08-12T00:00:00Z !AIVDM…`, `2008-08-12 00:00:00,!AIVDM…`, `[2008-08-12 00:00:00] !AIVDM…`) and the USCG
 * NAIS fields after the checksum (`…*hh,s<rssi>,d<dBm>,T<seconds>,x<count>,r<station>,<unix time>`).
 *
 * A time outside the plausible window (before 1990, or more than a day after the decoder's clock) makes its line
 * malformed: it is never used, so a wrong receiver clock costs that line only.
 *
 * Works on bytes: feed Buffers with `push`, lines with `pushLine`. Every line ends up in exactly one counter
 * (see `AisCounters`), so nothing is dropped silently.
 */
import { BitVector } from './bits.js';
import { AisMessage, decodeInto, typeOf } from './decoder.js';
import * as envelope from './envelope.js';

/**
 * The envelope's constants, lookup tables and generated readers (envelope.ts, from tables/envelope.ts) as constants of
 * this module: V8 reads a module's own constants in optimised code as it reads literals, an imported binding
 * through its cell on every use.
 */
const ADDRESS_LEN = envelope.ADDRESS_LEN;
const BLANK = envelope.BLANK;
const F_CHANNEL = envelope.F_CHANNEL;
const F_FILL = envelope.F_FILL;
const F_NUM = envelope.F_NUM;
const F_PAYLOAD = envelope.F_PAYLOAD;
const F_PAYLOAD_END = envelope.F_PAYLOAD_END;
const F_SEQ = envelope.F_SEQ;
const F_TOTAL = envelope.F_TOTAL;
const FORMATTER_AT = envelope.FORMATTER_AT;
const formatterOf = envelope.formatterOf;
const HEXVAL = envelope.HEXVAL;
const ISO_BRACKET_CLOSE = envelope.ISO_BRACKET_CLOSE;
const ISO_BRACKET_OPEN = envelope.ISO_BRACKET_OPEN;
const ISO_DATE_TIME = envelope.ISO_DATE_TIME;
const LEAD = envelope.LEAD;
const MARK = envelope.MARK;
const toMs = envelope.toMs;
const readUnixPrefix = envelope.readUnixPrefix;
const NAIS_BAD_KEY = envelope.NAIS_BAD_KEY;
const NAIS_CHAR = envelope.NAIS_CHAR;
const NAIS_KEY = envelope.NAIS_KEY;
const NAIS_SEP = envelope.NAIS_SEP;
const NAIS_STATION = envelope.NAIS_STATION;
const readSentenceFields = envelope.readSentenceFields;
const readTagBlock = envelope.readTagBlock;
const TAG_READ = envelope.TAG_READ;
const TAG_BAD_CHECKSUM = envelope.TAG_BAD_CHECKSUM;
const TagBlockFields = envelope.TagBlockFields;
const SENTENCE_REASONS = envelope.SENTENCE_REASONS;
const SENTENCE_SEPARATORS = envelope.SENTENCE_SEPARATORS;
const SEP = envelope.SEP;
const TAG_CLOSE = envelope.TAG_CLOSE;
const TAG_OPEN = envelope.TAG_OPEN;
const TIME_SEPARATOR = envelope.TIME_SEPARATOR;
const UNIX_FRACTION_SCALE = envelope.UNIX_FRACTION_SCALE;
const UNIX_MIN_DIGITS = envelope.UNIX_MIN_DIGITS;

export interface AisCounters {
  /** Lines seen (including blank ones). */
  lines: number;
  blank: number;
  /** Well-formed NMEA sentences that are not AIS (GPS, instruments, ...). */
  otherSentences: number;
  /** Lines that set the clock: Gatehouse `$PGHP`, GPS `$--RMC` and `$--ZDA`. */
  timeLines: number;
  /** AIS sentences (fragments) that were part of a decoded message. */
  decodedSentences: number;
  /** Messages decoded. */
  messages: number;
  // ---- bad lines (each counts sentences/lines) ----
  badChecksum: number;
  malformed: number;
  /** Fragments of multi-part messages that never completed (missing, out of order, orphaned, stale). */
  incomplete: number;
  /** Sentences of messages with a type outside 1..27. */
  unknownType: number;
  /** Sentences of messages shorter than their type requires. */
  tooShort: number;
}

export function emptyCounters(): AisCounters {
  return {
    lines: 0,
    blank: 0,
    otherSentences: 0,
    timeLines: 0,
    decodedSentences: 0,
    messages: 0,
    badChecksum: 0,
    malformed: 0,
    incomplete: 0,
    unknownType: 0,
    tooShort: 0,
  };
}

/** Lines accounted for: equals `lines` once `end()` was called. */
export function accountedLines(c: AisCounters): number {
  return (
    c.blank +
    c.otherSentences +
    c.timeLines +
    c.decodedSentences +
    c.badChecksum +
    c.malformed +
    c.incomplete +
    c.unknownType +
    c.tooShort
  );
}

/** Times before this (1990-01-01) are not plausible AIS receive times: their lines count as malformed. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(1990, 0, 1);
/** Times more than this after the decoder's clock (now) are not plausible either. */
export const FUTURE_SLACK_MS = 86_400_000;

/** Counters a bad line can go to. */
export type BadKind = 'badChecksum' | 'malformed' | 'incomplete' | 'unknownType' | 'tooShort';

/** One of the first bad lines, kept for reports: its 1-based number, the counter it went to, and why. */
export interface BadLine {
  line: number;
  kind: BadKind;
  reason: string;
}

/** Where and when a message was received (the decoder reuses one object: copy what you keep). */
export interface AisMeta {
  /** Receive time, epoch ms UTC, or NaN when the input gave none. */
  tsMs: number;
  /** Receiving station: tag block `s:`, else the USCG NAIS station field (`r…`, `b…`, `D…`), or ''. */
  station: string;
  /** Talker id, e.g. "AI", "BS", "AB". */
  talker: string;
  /** Radio channel ('A', 'B', '1', '2' or ''). */
  channel: string;
  /** True for VDO (own ship). */
  own: boolean;
  /** 1-based line numbers of the first and last sentence of the message. */
  firstLine: number;
  lastLine: number;
}

export interface NmeaAisOptions {
  onMessage: (msg: AisMessage, meta: AisMeta) => void;
  /** A multi-part message not completed within this many lines is dropped (counted as incomplete). */
  maxFragmentAgeLines?: number;
  /** Most multi-part messages in progress at once (oldest dropped first). */
  maxPending?: number;
  /** Lines longer than this are counted as malformed without being parsed. */
  maxLineBytes?: number;
  /** How many of the first bad lines `badLines` keeps (default 10). */
  keepBadLines?: number;
  /** The clock the plausible-time window is measured from (default Date.now; tests pass a fixed one). */
  nowMs?: () => number;
}

interface Pending {
  key: string;
  total: number;
  next: number;
  fragments: number;
  firstLine: number;
  tsMs: number;
  station: string;
  talker: string;
  channel: string;
  own: boolean;
  bits: BitVector;
}

/** Hex digit values by byte (from the envelope's checksum rule). */
export { HEXVAL };

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export class NmeaAisDecoder {
  readonly counters: AisCounters = emptyCounters();
  private readonly onMessage: NmeaAisOptions['onMessage'];
  private readonly maxAge: number;
  private readonly maxPending: number;
  private readonly maxLineBytes: number;
  private readonly msg = new AisMessage();
  /** Reused for every message: valid during the onMessage callback only. */
  private readonly meta: AisMeta = {
    tsMs: Number.NaN,
    station: '',
    talker: '',
    channel: '',
    own: false,
    firstLine: 0,
    lastLine: 0,
  };
  private readonly single = new BitVector();
  private readonly pool: BitVector[] = [];
  private readonly pending = new Map<string, Pending>();
  private carry: Buffer | null = null;
  /** Time from the last `$PGHP` / RMC / ZDA line, applied to the sentences that follow it. */
  private clockMs = Number.NaN;
  private lineNo = 0;
  // Per-line parse results (set by parseLine).
  private lineTs = Number.NaN;
  private tagTs = Number.NaN;
  private tagStation = '';
  private tagGroup = '';
  /** Station of a USCG NAIS line (after the checksum). */
  private lineStation = '';
  /** Where the sentence starts after a leading time (set by parseIsoPrefix and readUnixPrefix). */
  private readonly isoEnd = { end: 0 };
  /** The first bad lines (at most `keepBadLines`), with line number and reason. */
  readonly badLines: BadLine[] = [];
  private readonly keepBad: number;
  private readonly nowMs: () => number;
  /**
   * Latest plausible time (epoch ms): the clock plus FUTURE_SLACK_MS, read again every 1,024 lines (and at each
   * chunk), so a long-running feed follows the clock without a clock read per line.
   */
  latestPlausibleMs: number;

  constructor(opts: NmeaAisOptions) {
    this.onMessage = opts.onMessage;
    this.maxAge = opts.maxFragmentAgeLines ?? 100;
    this.maxPending = opts.maxPending ?? 256;
    this.maxLineBytes = opts.maxLineBytes ?? 4096;
    this.keepBad = opts.keepBadLines ?? 10;
    this.nowMs = opts.nowMs ?? Date.now;
    this.latestPlausibleMs = this.nowMs() + FUTURE_SLACK_MS;
  }

  /** Whether `t` (epoch ms) lies in the plausible window (see EARLIEST_PLAUSIBLE_MS, FUTURE_SLACK_MS). */
  plausible(t: number): boolean {
    return t >= EARLIEST_PLAUSIBLE_MS && t <= this.latestPlausibleMs;
  }

  private refreshClock(): void {
    this.latestPlausibleMs = this.nowMs() + FUTURE_SLACK_MS;
  }

  /** Count a bad line (or `n` sentences of one message) and keep it among the first ones with its reason. */
  private bad(kind: BadKind, reason: string, n = 1, line = this.lineNo): void {
    this.counters[kind] += n;
    if (this.badLines.length < this.keepBad) this.badLines.push({ line, kind, reason });
  }

  /** Feed a chunk of a byte stream; complete lines are processed, the rest is kept for the next chunk. */
  push(chunk: Uint8Array, receivedMs = Number.NaN): void {
    const buf = chunk;
    let start = 0;
    this.refreshClock();
    if (this.skipLongLine) {
      // Inside an over-long line: drop bytes up to its newline, then count it once as malformed.
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      this.skipLongLine = false;
      this.lineNo++;
      this.counters.lines++;
      this.bad('malformed', `line longer than ${this.maxLineBytes} bytes`);
      start = nl + 1;
    } else if (this.carry) {
      // Complete the carried partial line with the head of this chunk (no copy of the whole chunk).
      const carry = this.carry;
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        const joined = Buffer.concat([carry, chunk]);
        if (joined.length > this.maxLineBytes) {
          this.carry = null;
          this.skipLongLine = true;
        } else this.carry = joined;
        return;
      }
      const line = Buffer.concat([carry, chunk.subarray(0, nl)]);
      this.carry = null;
      this.pushLine(line, 0, line.length, receivedMs);
      start = nl + 1;
    }
    const n = buf.length;
    for (;;) {
      // Fast path: a plain `!...*hh` / `$...*hh` line is scanned once (newline, checksum and commas together).
      const c0 = buf[start];
      if (c0 === LEAD || c0 === DOLLAR) {
        const next = this.fastLine(buf, start, n, receivedMs);
        if (next > 0) {
          start = next;
          continue;
        }
      }
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      this.pushLine(buf, start, nl, receivedMs);
      start = nl + 1;
    }
    if (start < n) {
      if (n - start > this.maxLineBytes) this.skipLongLine = true;
      else this.carry = Buffer.from(buf.subarray(start));
    }
  }

  /** Set while inside a line longer than maxLineBytes: the rest of it, up to the next newline, is ignored. */
  private skipLongLine = false;

  /**
   * Separator positions of the sentence being parsed (between its first character and its '*'), see `scanCommas`:
   * the address field's, one before each declared field, and one after the last (fields after it are ignored).
   */
  private readonly commas = new Int32Array(MAX_SEPARATORS);
  private nCommas = 0;
  /** The fields of the tag block being read. */
  private readonly tag = new TagBlockFields();
  /** The sentence's fields, read by `readSentenceFields` (slots F_* of envelope.ts). */
  private readonly fields = new Int32Array(F_PAYLOAD_END + 1);

  /**
   * One pass over a line that starts with '!' or '$' and ends right after its `*hh` checksum (then "\n" or
   * "\r\n"): the newline, the checksum and the commas are found together and the sentence is handled as
   * `pushLine` would. Returns the offset after the newline, or -1 when the line needs the general path
   * (anything else after the checksum, no newline in this chunk, over-long lines).
   */
  private fastLine(buf: Uint8Array, s: number, n: number, receivedMs: number): number {
    const lim = Math.min(n, s + this.maxLineBytes - 2);
    const commas = this.commas;
    let nc = 0;
    let sum = 0;
    let k = s + 1;
    for (; k < lim; k++) {
      const c = buf[k]!;
      if (c < 45) {
        // '*' 42, ',' 44 and '\n' 10: one compare for the common bytes
        if (c === SEP) {
          if (nc < MAX_SEPARATORS) commas[nc++] = k;
        } else if (c === MARK) break;
        else if (c === 10) return -1;
      }
      sum ^= c;
    }
    if (k >= lim || k + 3 >= n) return -1;
    const h1 = HEXVAL[buf[k + 1]!]!;
    const h2 = HEXVAL[buf[k + 2]!]!;
    let e = k + 3;
    if (buf[e] === 13) e++;
    if (h1 < 0 || h2 < 0 || e >= n || buf[e] !== 10) return -1;
    this.lineNo++;
    this.counters.lines++;
    if (sum !== ((h1 << 4) | h2)) {
      this.bad('badChecksum', badSum(sum, h1, h2));
      return e + 1;
    }
    this.nCommas = nc;
    this.lineTs = Number.NaN;
    this.tagTs = Number.NaN;
    this.tagStation = '';
    this.tagGroup = '';
    this.lineStation = '';
    if (buf[s] !== LEAD) this.dollarSentence(buf, s, k);
    else this.parseVdm(buf, s, k, receivedMs);
    return e + 1;
  }

  /** Record the commas of the sentence buf[p, star) for `parseVdm`. */
  private scanCommas(buf: Uint8Array, p: number, star: number): void {
    const commas = this.commas;
    let nc = 0;
    for (let k = p + 1; k < star && nc < MAX_SEPARATORS; k++) if (buf[k] === SEP) commas[nc++] = k;
    this.nCommas = nc;
  }

  /**
   * Count a line another reader took (NmeaPositionReader's fast path): its number is used up and it counts in
   * `lines`, as `pushLine` of an empty line would count it, except that it is not counted as blank.
   */
  skipLine(): void {
    if ((++this.lineNo & 1023) === 0) this.refreshClock();
    this.counters.lines++;
  }

  /** Process one line (without its newline). */
  pushLine(buf: Uint8Array, start: number, end: number, receivedMs = Number.NaN): void {
    if ((++this.lineNo & 1023) === 0) this.refreshClock();
    this.counters.lines++;
    while (end > start && (buf[end - 1] === 13 || buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
    while (start < end && (buf[start] === 32 || buf[start] === 9)) start++;
    if (start === end) {
      this.counters.blank++;
      return;
    }
    if (end - start > this.maxLineBytes) {
      this.bad('malformed', `line longer than ${this.maxLineBytes} bytes`);
      return;
    }
    this.parseLine(buf, start, end, receivedMs);
  }

  /** Flush: a trailing line without newline is processed, unfinished multi-part messages are counted. */
  end(): void {
    if (this.skipLongLine) {
      this.skipLongLine = false;
      this.lineNo++;
      this.counters.lines++;
      this.bad('malformed', `line longer than ${this.maxLineBytes} bytes`);
    }
    if (this.carry) {
      const c = this.carry;
      this.carry = null;
      this.pushLine(c, 0, c.length);
    }
    for (const p of this.pending.values()) this.dropPending(p);
    this.pending.clear();
  }

  private parseLine(buf: Uint8Array, start: number, end: number, receivedMs: number): void {
    this.lineTs = Number.NaN;
    this.tagTs = Number.NaN;
    this.tagStation = '';
    this.tagGroup = '';
    this.lineStation = '';
    let p = start;
    const c0 = buf[p]!;
    if (c0 === ISO_BRACKET_OPEN || (isDigit(c0) && buf[p + 4] === 45)) {
      // ISO-8601 time before the sentence: "2008-08-12T00:00:00Z !AIVDM...", "[2008-08-12 00:00:00] !AIVDM...".
      const t = parseIsoPrefix(buf, p, end, this.isoEnd);
      if (Number.isNaN(t)) {
        this.bad('malformed', 'unreadable time before the sentence');
        return;
      }
      if (!this.plausible(t)) {
        this.bad('malformed', timeReason(t, 'time before the sentence'));
        return;
      }
      this.lineTs = t;
      p = this.isoEnd.end;
    } else if (isDigit(c0)) {
      // Leading unix time ("1276256771.123 !AIVDM..." or "1276256771,\s:...").
      const t = readUnixPrefix(buf, p, end, this.isoEnd);
      if (Number.isNaN(t)) {
        this.bad('malformed', 'starts with digits that are not a receiver time');
        return;
      }
      if (!this.plausible(t)) {
        this.bad('malformed', timeReason(t, 'receiver time before the sentence'));
        return;
      }
      this.lineTs = t;
      p = this.isoEnd.end;
    }
    // NMEA 4.0 tag blocks.
    while (p < end && buf[p] === TAG_OPEN) {
      const close = indexOf(buf, TAG_CLOSE, p + 1, end);
      if (close < 0) {
        this.bad('malformed', 'tag block without its closing backslash');
        return;
      }
      const r = this.parseTagBlock(buf, p + 1, close);
      if (r !== TAG_READ) {
        if (r === TAG_BAD_CHECKSUM) this.bad('badChecksum', 'tag block checksum does not match');
        else this.bad('malformed', 'unreadable tag block');
        return;
      }
      if (!Number.isNaN(this.tagTs) && !this.plausible(this.tagTs)) {
        this.bad('malformed', timeReason(this.tagTs, 'tag block c: time'));
        return;
      }
      p = close + 1;
    }
    if (p >= end) {
      this.bad('malformed', 'no sentence after the time or tag block');
      return;
    }
    const lead = buf[p];
    if (lead !== LEAD && lead !== DOLLAR) {
      this.bad('malformed', "not an NMEA sentence (no '!' or '$')");
      return;
    }
    // Checksum: "*hh", optionally followed by ",<unix time>" written by some receivers, or by USCG NAIS fields.
    const star = lastIndexOf(buf, MARK, p + 1, end);
    if (star < 0 || star + 3 > end) {
      this.bad('malformed', "no '*hh' checksum");
      return;
    }
    const h1 = HEXVAL[buf[star + 1]!]!;
    const h2 = HEXVAL[buf[star + 2]!]!;
    if (h1 < 0 || h2 < 0) {
      this.bad('malformed', "no '*hh' checksum");
      return;
    }
    if (star + 3 < end) {
      let t = parseTrailingTime(buf, star + 3, end);
      if (Number.isNaN(t)) {
        t = this.parseNais(buf, star + 3, end);
        if (t === NAIS_BAD) {
          this.bad('malformed', 'unreadable fields after the checksum');
          return;
        }
      }
      if (!Number.isNaN(t)) {
        if (!this.plausible(t)) {
          this.bad('malformed', timeReason(t, 'receiver time after the sentence'));
          return;
        }
        this.lineTs = t;
      }
    }
    let sum = 0;
    for (let k = p + 1; k < star; k++) sum ^= buf[k]!;
    if (sum !== ((h1 << 4) | h2)) {
      this.bad('badChecksum', badSum(sum, h1, h2));
      return;
    }
    if (lead === DOLLAR) {
      this.dollarSentence(buf, p, star);
      return;
    }
    this.scanCommas(buf, p, star);
    this.parseVdm(buf, p, star, receivedMs);
  }

  /**
   * USCG NAIS fields after the checksum, [s, e) starting with its comma: `s<rssi>`, `S<slot>`, `d<dBm>`,
   * `t<hhmmss.ss>`, `T<seconds>`, `x<count>`, a station (`r…`, `R…`, `b…`, `B…`, `D…`), then the logger's unix
   * time, which comes last (anything after it, such as a second logger's name and time, is ignored). Sets
   * `lineStation`; returns the time in ms, NaN without one, or NAIS_BAD.
   */
  private parseNais(buf: Uint8Array, s: number, e: number): number {
    if (buf[s] !== NAIS_SEP) return NAIS_BAD;
    let k = s + 1;
    while (k <= e) {
      let f = indexOf(buf, NAIS_SEP, k, e);
      if (f < 0) f = e;
      if (f === k) return NAIS_BAD;
      const c = buf[k]!;
      if (isDigit(c)) {
        // The logger's time: digits with an optional fraction.
        let q = k;
        let v = 0;
        while (q < f && isDigit(buf[q]!)) v = v * 10 + (buf[q++]! - 48);
        let frac = 0;
        let scale = 1;
        if (q < f && buf[q] === 46) {
          q++;
          while (q < f && isDigit(buf[q]!)) {
            if (scale < UNIX_FRACTION_SCALE) {
              frac = frac * 10 + (buf[q]! - 48);
              scale *= 10;
            }
            q++;
          }
        }
        if (q !== f) return NAIS_BAD;
        for (let r = f; r < e; r++) if (NAIS_CHAR[buf[r]!] !== 1 && buf[r] !== NAIS_SEP) return NAIS_BAD;
        return toMs(v + frac / scale);
      }
      for (let q = k + 1; q < f; q++) if (NAIS_CHAR[buf[q]!] !== 1) return NAIS_BAD;
      // The key's role, from the declared NAIS keys (tables/envelope.ts).
      const role = NAIS_KEY[c]!;
      if (role === NAIS_STATION) {
        if (this.lineStation === '') this.lineStation = latin1(buf, k, f);
      } else if (role === NAIS_BAD_KEY) return NAIS_BAD;
      k = f + 1;
    }
    return Number.NaN;
  }

  /** A checked `$` sentence: Gatehouse `$PGHP` and GPS RMC/ZDA set the clock; anything else is counted. */
  private dollarSentence(buf: Uint8Array, p: number, star: number): void {
    if (star - p > 5 && buf[p + 1] === 80 && buf[p + 2] === 71 && buf[p + 3] === 72 && buf[p + 4] === 80) {
      const t = parsePghp(buf, p, star);
      if (Number.isNaN(t)) this.bad('malformed', 'unreadable $PGHP time');
      else if (!this.plausible(t)) this.bad('malformed', timeReason(t, '$PGHP time'));
      else {
        this.clockMs = t;
        this.counters.timeLines++;
      }
      return;
    }
    if (star - p > 6 && buf[p + 6] === 44) {
      const id = String.fromCharCode(buf[p + 3]!, buf[p + 4]!, buf[p + 5]!);
      if (id === 'RMC' || id === 'ZDA') {
        const t = id === 'RMC' ? parseRmc(buf, p, star) : parseZda(buf, p, star);
        if (!Number.isNaN(t) && !this.plausible(t)) {
          this.bad('malformed', timeReason(t, `${id} time`));
          return;
        }
        if (!Number.isNaN(t)) {
          this.clockMs = t;
          this.counters.timeLines++;
          return;
        }
      }
    }
    this.counters.otherSentences++;
  }

  /** Read one tag block (envelope.ts `readTagBlock`) and take its time, station and group. */
  private parseTagBlock(buf: Uint8Array, s: number, e: number): number {
    const t = this.tag;
    const r = readTagBlock(buf, s, e, t);
    if (r !== TAG_READ) return r;
    if (!Number.isNaN(t.timeMs)) this.tagTs = t.timeMs;
    if (t.stationS >= 0) this.tagStation = latin1(buf, t.stationS, t.stationE);
    if (t.group !== '') this.tagGroup = t.group;
    return r;
  }

  private parseVdm(buf: Uint8Array, p: number, star: number, receivedMs: number): void {
    // Address field: lead + talker + formatter (VDM, or VDO for own ship), then the declared fields
    // (tables/envelope.ts), read by the reader generated from them.
    const cs = this.commas;
    const nc = this.nCommas;
    const c1 = nc > 0 ? cs[0]! : -1;
    const formatter = c1 === p + ADDRESS_LEN ? formatterOf(buf, p) : 0;
    if (formatter === 0) {
      // Not a VDM/VDO sentence (another '!' sentence, or a broken address field).
      if (c1 === p + ADDRESS_LEN && isAlnumRange(buf, p + FORMATTER_AT, c1)) this.counters.otherSentences++;
      else this.bad('malformed', 'broken sentence address field');
      return;
    }
    const own = formatter === 2;
    const v = this.fields;
    const r = readSentenceFields(buf, star, cs, nc, v);
    if (r !== 0) {
      this.bad('malformed', SENTENCE_REASONS[r]!);
      return;
    }
    const total = v[F_TOTAL]!;
    const num = v[F_NUM]!;
    const seq = v[F_SEQ]!;
    const chan = v[F_CHANNEL]!;
    const payloadStart = v[F_PAYLOAD]!;
    const payloadEnd = v[F_PAYLOAD_END]!;
    const fill = v[F_FILL]!;
    const tsMs = !Number.isNaN(this.tagTs)
      ? this.tagTs
      : !Number.isNaN(this.lineTs)
        ? this.lineTs
        : !Number.isNaN(this.clockMs)
          ? this.clockMs
          : receivedMs;
    const talker = talkerName(buf[p + 1]!, buf[p + 2]!);
    const channel = CHANNELS[chan]!;

    if (total === 1 && this.tagGroup === '') {
      const bits = this.single;
      bits.reset();
      if (!bits.appendArmored(buf, payloadStart, payloadEnd)) {
        this.bad('malformed', 'payload character outside the six-bit armor');
        return;
      }
      bits.setFill(fill);
      const meta = this.meta;
      meta.tsMs = tsMs;
      meta.station = this.tagStation || this.lineStation;
      meta.talker = talker;
      meta.channel = channel;
      meta.own = own;
      meta.firstLine = this.lineNo;
      meta.lastLine = this.lineNo;
      this.finish(bits, 1, meta);
      return;
    }
    // Multi-part: key by tag-block group when present, else by talker-independent channel + sequence id.
    const key = this.tagGroup !== '' ? `g${this.tagGroup}` : `${chan}:${seq}:${total}`;
    const ex = this.pending.get(key);
    if (num === 1) {
      if (ex) {
        this.dropPending(ex);
        this.pending.delete(key);
      }
      this.evict();
      const bits = this.pool.pop() ?? new BitVector();
      bits.reset();
      if (!bits.appendArmored(buf, payloadStart, payloadEnd)) {
        this.pool.push(bits);
        this.bad('malformed', 'payload character outside the six-bit armor');
        return;
      }
      const pend: Pending = {
        key,
        total,
        next: 2,
        fragments: 1,
        firstLine: this.lineNo,
        tsMs,
        station: this.tagStation || this.lineStation,
        talker,
        channel,
        own,
        bits,
      };
      if (total === 1) {
        bits.setFill(fill);
        this.finishPending(pend);
        return;
      }
      this.pending.set(key, pend);
      return;
    }
    if (!ex || ex.next !== num || ex.total !== total) {
      // Orphaned or out-of-order fragment: it and whatever was being assembled under its key are lost.
      this.bad(
        'incomplete',
        ex ? `fragment ${num} of ${total} out of order` : `fragment ${num} of ${total} without its first part`,
      );
      if (ex) {
        this.dropPending(ex);
        this.pending.delete(key);
      }
      return;
    }
    if (!ex.bits.appendArmored(buf, payloadStart, payloadEnd)) {
      this.bad('malformed', 'payload character outside the six-bit armor');
      this.dropPending(ex);
      this.pending.delete(key);
      return;
    }
    ex.fragments++;
    ex.next++;
    if (num === total) {
      ex.bits.setFill(fill);
      this.pending.delete(key);
      this.finishPending(ex);
    }
  }

  private finishPending(p: Pending): void {
    const meta = this.meta;
    meta.tsMs = p.tsMs;
    meta.station = p.station;
    meta.talker = p.talker;
    meta.channel = p.channel;
    meta.own = p.own;
    meta.firstLine = p.firstLine;
    meta.lastLine = this.lineNo;
    this.finish(p.bits, p.fragments, meta);
    this.pool.push(p.bits);
  }

  private finish(bits: BitVector, sentences: number, meta: AisMeta): void {
    const failure = decodeInto(this.msg, bits.bytes, bits.bitlen);
    const c = this.counters;
    if (failure === null) {
      c.decodedSentences += sentences;
      c.messages++;
      this.onMessage(this.msg, meta);
    } else if (failure === 'too_short')
      this.bad('tooShort', `type ${typeOf(bits.bytes)} message of ${bits.bitlen} bits is too short`, sentences);
    else if (failure === 'unknown_type')
      this.bad('unknownType', `unknown message type ${typeOf(bits.bytes)}`, sentences);
    else
      this.bad(
        'malformed',
        `type ${typeOf(bits.bytes)} message of ${bits.bitlen} bits has the wrong length`,
        sentences,
      );
  }

  private dropPending(p: Pending): void {
    this.bad(
      'incomplete',
      `multi-part message (${p.fragments} of ${p.total} fragments) never completed`,
      p.fragments,
      p.firstLine,
    );
    this.pool.push(p.bits);
  }

  /** Drop multi-part messages that have waited too long, and the oldest ones when too many are open. */
  private evict(): void {
    if (this.pending.size === 0) return;
    const limit = this.lineNo - this.maxAge;
    for (const [k, p] of this.pending) {
      if (p.firstLine < limit || this.pending.size >= this.maxPending) {
        this.dropPending(p);
        this.pending.delete(k);
      } else break; // Map keeps insertion order: the rest are newer.
    }
  }
}

/** The lead byte of other NMEA sentences ('$': GPS, Gatehouse times). */
const DOLLAR = 36;
// fastLine tells '*' and ',' from payload characters with one compare (c < 45).
if (SEP >= 45 || MARK >= 45) throw new Error('nmea: separator or checksum mark is not below 45');
/** Separators kept per sentence: the address field's, the declared fields' and the one after the last. */
const MAX_SEPARATORS = SENTENCE_SEPARATORS + 2;
const CHANNELS: string[] = Array.from({ length: 256 }, (_, c) => (c === 0 ? '' : String.fromCharCode(c)));
/** Talker ids by their two bytes, made once each. */
const TALKERS: Array<string | undefined> = new Array(65536).fill(undefined);
export function talkerName(a: number, b: number): string {
  const k = (a << 8) | b;
  let t = TALKERS[k];
  if (t === undefined) {
    t = String.fromCharCode(a, b);
    TALKERS[k] = t;
  }
  return t;
}

function indexOf(buf: Uint8Array, byte: number, from: number, to: number): number {
  for (let k = from; k < to; k++) if (buf[k] === byte) return k;
  return -1;
}
function lastIndexOf(buf: Uint8Array, byte: number, from: number, to: number): number {
  for (let k = to - 1; k >= from; k--) if (buf[k] === byte) return k;
  return -1;
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}
function isAlnumRange(buf: Uint8Array, s: number, e: number): boolean {
  for (let k = s; k < e; k++) if (!isAlnum(buf[k]!)) return false;
  return true;
}
/** `parseNais`: the fields after the checksum are not USCG NAIS fields. */
const NAIS_BAD = -1;
function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0');
}
function badSum(sum: number, h1: number, h2: number): string {
  return `checksum ${hex2((h1 << 4) | h2)} does not match the sentence (${hex2(sum)})`;
}
/** Why a time is not used: the value as ISO-8601 when it has one, and the plausible window. */
function timeReason(t: number, what: string): string {
  const iso = Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : `${t} ms`;
  return `${what} ${iso} is outside the plausible window (1990 to a day from now)`;
}
/**
 * An ISO-8601 time before the sentence: `2008-08-12T00:00:00Z`, `2008-08-12 00:00:00` (UTC), optionally in square
 * brackets, with fractional seconds and a `Z` or `±hh[:]mm` offset, then a space, tab, ',' or ';' (a bracket needs
 * none). Returns epoch ms (or NaN) and sets `at.end` after the separator and any blanks (where the sentence or tag
 * block starts).
 */
export function parseIsoPrefix(buf: Uint8Array, s: number, e: number, at: { end: number }): number {
  let k = s;
  const bracket = buf[k] === ISO_BRACKET_OPEN;
  if (bracket) k++;
  const num = (n: number): number => {
    let v = 0;
    for (let q = 0; q < n; q++) {
      const c = buf[k + q]!;
      if (!isDigit(c) || k + q >= e) return -1;
      v = v * 10 + (c - 48);
    }
    k += n;
    return v;
  };
  const y = num(4);
  if (y < 0 || buf[k++] !== 45) return Number.NaN;
  const mo = num(2);
  if (mo < 1 || mo > 12 || buf[k++] !== 45) return Number.NaN;
  const d = num(2);
  if (d < 1 || d > 31 || ISO_DATE_TIME[buf[k]!] !== 1) return Number.NaN;
  k++;
  const h = num(2);
  if (h < 0 || h > 23 || buf[k++] !== 58) return Number.NaN;
  const mi = num(2);
  if (mi < 0 || mi > 59 || buf[k++] !== 58) return Number.NaN;
  const sec = num(2);
  if (sec < 0 || sec > 60) return Number.NaN;
  let ms = 0;
  if (buf[k] === 46) {
    k++;
    let scale = 100;
    if (!isDigit(buf[k]!)) return Number.NaN;
    while (k < e && isDigit(buf[k]!)) {
      ms += (buf[k]! - 48) * scale;
      scale /= 10;
      k++;
    }
    ms = Math.round(ms);
  }
  let offsetMin = 0;
  if (buf[k] === 90) k++;
  else if (buf[k] === 43 || buf[k] === 45) {
    const sign = buf[k] === 45 ? -1 : 1;
    k++;
    const oh = num(2);
    if (oh < 0 || oh > 23) return Number.NaN;
    if (buf[k] === 58) k++;
    const om = num(2);
    if (om < 0 || om > 59) return Number.NaN;
    offsetMin = sign * (oh * 60 + om);
  }
  if (bracket) {
    if (buf[k] !== ISO_BRACKET_CLOSE) return Number.NaN;
    k++;
  }
  if (k < e && TIME_SEPARATOR[buf[k]!] === 1) k++;
  else if (!bracket) return Number.NaN;
  while (k < e && BLANK[buf[k]!] === 1) k++;
  if (k >= e) return Number.NaN;
  at.end = k;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60000;
}
function latin1(buf: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let k = s; k < e; k++) out += String.fromCharCode(buf[k]!);
  return out;
}

/** Seconds (or ms, when the value is clearly in ms) → epoch ms (envelope.ts). */
export { toMs };
/** A receiver time after the checksum (",1276256771", seconds or ms, at least nine digits) → epoch ms, or NaN. */
export function parseTrailingTime(buf: Uint8Array, s: number, e: number): number {
  let k = s;
  if (TIME_SEPARATOR[buf[k]!] !== 1) return Number.NaN;
  k++;
  let v = 0;
  let digits = 0;
  while (k < e && isDigit(buf[k]!)) {
    v = v * 10 + (buf[k++]! - 48);
    digits++;
  }
  let frac = 0;
  let scale = 1;
  if (k < e && buf[k] === 46) {
    k++;
    while (k < e && isDigit(buf[k]!)) {
      if (scale < UNIX_FRACTION_SCALE) {
        frac = frac * 10 + (buf[k]! - 48);
        scale *= 10;
      }
      k++;
    }
  }
  if (k !== e || digits < UNIX_MIN_DIGITS) return Number.NaN;
  return toMs(v + frac / scale);
}
/** `$PGHP,1,yyyy,m,d,H,M,S,ms,...` → epoch ms (byte-level: these lines are half of a Gatehouse file). */
export function parsePghp(buf: Uint8Array, p: number, star: number): number {
  // Fields after "$PGHP,": type, then year, month, day, hour, minute, second, millisecond.
  let k = p + 6;
  if (buf[p + 5] !== 44 || buf[k] !== 49 || buf[k + 1] !== 44) return Number.NaN;
  k += 2;
  const v = PGHP_FIELDS;
  for (let f = 0; f < 7; f++) {
    let n = 0;
    let digits = 0;
    while (k < star && isDigit(buf[k]!)) {
      n = n * 10 + (buf[k++]! - 48);
      digits++;
    }
    if (digits === 0 || (k < star && buf[k] !== 44) || (k >= star && f < 6)) return Number.NaN;
    v[f] = n;
    k++;
  }
  const y = v[0]!;
  const mo = v[1]!;
  const d = v[2]!;
  const h = v[3]!;
  const mi = v[4]!;
  const s = v[5]!;
  const ms = v[6]!;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || ms > 999) return Number.NaN;
  const dayKey = (y * 16 + mo) * 32 + d;
  if (dayKey !== pghpDayKey) {
    pghpDayKey = dayKey;
    pghpDayMs = Date.UTC(y, mo - 1, d);
  }
  return pghpDayMs + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}
/** Scratch for parsePghp's seven numbers (reused: no array per line). */
const PGHP_FIELDS = new Float64Array(7);
let pghpDayKey = -1;
let pghpDayMs = 0;
/** hhmmss(.sss) → ms of day, or NaN. */
function timeOfDay(f: string): number {
  const m = /^(\d\d)(\d\d)(\d\d)(?:\.(\d+))?$/.exec(f);
  if (!m) return Number.NaN;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3]);
  if (h > 23 || mi > 59 || s > 60) return Number.NaN;
  const frac = m[4] ? Math.round(Number(`0.${m[4]}`) * 1000) : 0;
  return ((h * 60 + mi) * 60 + s) * 1000 + frac;
}
/** `$--RMC,hhmmss.ss,A,lat,N,lon,E,sog,cog,ddmmyy,...` → epoch ms (own GPS clock). */
function parseRmc(buf: Uint8Array, p: number, star: number): number {
  const f = latin1(buf, p + 1, star).split(',');
  const tod = timeOfDay(f[1] ?? '');
  const d = /^(\d\d)(\d\d)(\d\d)$/.exec(f[9] ?? '');
  if (Number.isNaN(tod) || !d) return Number.NaN;
  const yy = Number(d[3]);
  return Date.UTC(yy < 80 ? 2000 + yy : 1900 + yy, Number(d[2]) - 1, Number(d[1])) + tod;
}
/** `$--ZDA,hhmmss.ss,dd,mm,yyyy,...` → epoch ms (two-digit years are taken as 20yy). */
function parseZda(buf: Uint8Array, p: number, star: number): number {
  const f = latin1(buf, p + 1, star).split(',');
  const tod = timeOfDay(f[1] ?? '');
  const day = Number(f[2]);
  const month = Number(f[3]);
  let year = Number(f[4]);
  if (Number.isNaN(tod) || !(day >= 1 && day <= 31 && month >= 1 && month <= 12) || !(year >= 0)) return Number.NaN;
  if (year < 100) year += 2000;
  return Date.UTC(year, month - 1, day) + tod;
}
