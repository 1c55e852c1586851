/**
 * The import fast path for NMEA: position reports go from bytes straight into the row builder's typed columns.
 *
 * A line is taken here when it is a single-sentence `!xxVDM`/`!xxVDO` with a valid checksum, a time (a tag block
 * c: time, a receiver unix time before or after the sentence, or the clock of the last `$PGHP` line) and a message of
 * type 1, 2, 3, 18 or 27 whose length the full decoder accepts. Its fields are read from the six-bit characters
 * without building a message object. Single-sentence messages of the types the import does not store (base
 * stations, binary and safety messages, ...) are only counted, and two-sentence messages without a tag block are
 * assembled here while the decoder holds no fragments. Every other line (type 19 and 24, longer or grouped
 * multi-part messages, bad lines, RMC/ZDA clocks, ...) goes to the full `NmeaAisDecoder`, which counts it exactly
 * as it always does.
 *
 * The two paths agree on everything: the fast path keeps the decoder's line numbers (a fast line is counted by its
 * `skipLine`, and the counters are corrected at the end), follows its clock (it parses `$PGHP` as the
 * decoder does, and stops using its own clock when the decoder's was set by a line it did not parse), and hands
 * the builder the same values the decoder's fields give (test/ais/fast-path.test.ts compares both on real files).
 */
import { ARMOR as armorTable, BitVector } from './bits.js';
import { AisMessage, decodeInto, mmsiOf, typeOf } from './decoder.js';
import * as envelope from './envelope.js';
import {
  CLASS_A_TABLE,
  CLASS_B_TABLE,
  classAFields as classAExtractor,
  classBFields as classBExtractor,
  LONG_RANGE_TABLE,
  longRangeFields as longRangeExtractor,
  MAX_FAST_CHARS,
  TYPE_CHAR as typeChar,
} from './fast-fields.js';
import {
  type AisCounters,
  type AisMeta,
  EARLIEST_PLAUSIBLE_MS as earliestPlausibleMs,
  NmeaAisDecoder,
  parsePghp,
  parseTrailingTime,
  talkerName,
} from './nmea.js';
import type { PositionSink } from './position-sink.js';
import { AIVDM_SENTENCE } from './tables/envelope.js';
import { HEADER_BITS, tableFor } from './tables/index.js';

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
const F_SEQ = envelope.F_SEQ;
const F_TOTAL = envelope.F_TOTAL;
const FORMATTER_AT = envelope.FORMATTER_AT;
const HEXVAL = envelope.HEXVAL;
const LEAD = envelope.LEAD;
const MARK = envelope.MARK;
const OWN_AT = envelope.OWN_AT;
const OWN_BYTE = envelope.OWN_BYTE;
const SEP = envelope.SEP;
const TAG_CLOSE = envelope.TAG_CLOSE;
const TAG_OPEN = envelope.TAG_OPEN;
const readUnixPrefix = envelope.readUnixPrefix;
const readTagBlock = envelope.readTagBlock;
const TAG_READ = envelope.TAG_READ;
const TagBlockFields = envelope.TagBlockFields;
// The same for the other tables and generated extractors read on every line.
const ARMOR = armorTable;
const classAFields = classAExtractor;
const classBFields = classBExtractor;
const longRangeFields = longRangeExtractor;
const TYPE_CHAR = typeChar;
const EARLIEST_PLAUSIBLE_MS = earliestPlausibleMs;

/** Six-bit characters kept per line, in four-character words. */
const MAX_FAST_WORDS = MAX_FAST_CHARS / 4;
/** Longest payload the fast path counts (the decoder's own limit is higher; longer ones go to it). */
const MAX_PAYLOAD = 900;
/** Longest sentence payload of a pair assembled here (type 5 needs 71 characters in all). */
const MAX_PAIR_CHARS = 90;
/**
 * The sentence layout the word reads in `fast` rely on, taken from the envelope's declaration (tables/envelope.ts)
 * and checked against it when this module loads: a three-character formatter then a separator (one little-endian
 * word, VDM and VDO telling apart by one bit), the fragment count and number as single digits with their separators
 * (a second word), then the optional sequence id and channel, the payload and the optional fill bits.
 */
const LAYOUT = (() => {
  const f = AIVDM_SENTENCE.fields;
  const { received, own } = AIVDM_SENTENCE.formatters;
  const ok =
    ADDRESS_LEN - FORMATTER_AT === 3 &&
    F_TOTAL === 0 &&
    F_NUM === 1 &&
    F_SEQ === 2 &&
    F_CHANNEL === 3 &&
    F_PAYLOAD === 4 &&
    F_FILL === 5 &&
    f.length === 6 &&
    f[0]!.kind === 'digit' &&
    !f[0]!.optional &&
    f[1]!.kind === 'digit' &&
    !f[1]!.optional &&
    f[2]!.kind === 'byte' &&
    f[2]!.optional === true &&
    f[3]!.kind === 'byte' &&
    f[3]!.optional === true &&
    f[4]!.kind === 'armored' &&
    f[5]!.kind === 'digit' &&
    f[5]!.optional === true;
  if (!ok) throw new Error('fast path: the declared sentence layout is not the one its word reads follow');
  const word = (s: string) => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (SEP << 24);
  const ownBit = word(received) ^ word(own);
  if ((ownBit & (ownBit - 1)) !== 0) throw new Error('fast path: VDM and VDO differ in more than one bit');
  // The sequence-id characters allowed, as a table.
  const seqOk = new Uint8Array(256);
  for (const c of f[2]!.chars ?? '') seqOk[c.charCodeAt(0)] = 1;
  if (f[2]!.chars === undefined) seqOk.fill(1);
  return {
    /** "VDM," (or "VDO,") as a little-endian word with the differing bit set. */
    formatterWord: word(received) | ownBit,
    ownBit,
    /** The separators of "t,n," in their word. */
    countMask: 0xff00ff00 | 0,
    countSeps: (SEP << 8) | (SEP << 24),
    /** XOR of the constant bytes of the address field and "t,n,": the formatter's common characters and three separators. */
    headerXor:
      [...received].reduce((x, c, k) => (FORMATTER_AT + k === OWN_AT ? x : x ^ c.charCodeAt(0)), 0) ^ SEP ^ SEP ^ SEP,
    seqOk,
    /** Fill bits as bytes: '0' + min .. '0' + max. */
    fillLo: 48 + (f[5]!.min ?? 0),
    fillHi: 48 + (typeof f[5]!.max === 'number' ? f[5]!.max : 9),
  };
})();
const HEADER_XOR = LAYOUT.headerXor;
const FORMATTER_WORD = LAYOUT.formatterWord;
const OWN_BIT = LAYOUT.ownBit;
const COUNT_MASK = LAYOUT.countMask;
const COUNT_SEPS = LAYOUT.countSeps;
const SEQ_OK = LAYOUT.seqOk;
const FILL_LO = LAYOUT.fillLo;
const FILL_HI = LAYOUT.fillHi;
/** The count word starts after the address field's separator; the sequence id after "t,n,". */
const COUNT_AT = ADDRESS_LEN + 1;
const SEQ_AT = COUNT_AT + 4;
/** The lead byte of other NMEA sentences ('$': Gatehouse times). */
const DOLLAR = 36;
const NO = 0;
const TAKEN = 1;
const HOLD = 2;
const PAIR = 3;

/**
 * Types the row builder ignores (base stations, binary, safety, data link, aids to navigation, ...) whose table does
 * not depend on the payload: a single-sentence one is only counted, with the bit-length limits the decoder applies
 * (below the minimum it is "too short", above the maximum "malformed"). 22, 24, 25 and 26 pick their table by
 * content and go to the decoder.
 */
const IGNORED_MIN = new Float64Array(64).fill(Number.POSITIVE_INFINITY);
const IGNORED_MAX = new Float64Array(64);
for (const t of [4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 23]) {
  const table = tableFor(t, 0, new Uint8Array(8));
  if (!table) continue;
  IGNORED_MIN[t] = Math.max(HEADER_BITS, table.minBits ?? 0);
  IGNORED_MAX[t] = table.maxBits ?? Number.POSITIVE_INFINITY;
}

/**
 * Bit lengths the decoder accepts for the position reports taken here (class B, which has no maximum, up to 34
 * characters; longer ones go to the decoder).
 */
const A_MIN = CLASS_A_TABLE.minBits ?? 0;
const A_MAX = CLASS_A_TABLE.maxBits ?? Number.POSITIVE_INFINITY;
const B_MIN = CLASS_B_TABLE.minBits ?? 0;
const B_MAX = CLASS_B_TABLE.maxBits ?? 34 * 6;
const LR_MIN = LONG_RANGE_TABLE.minBits ?? 0;
const LR_MAX = LONG_RANGE_TABLE.maxBits ?? Number.POSITIVE_INFINITY;

/** Bit lengths the decoder accepts for type 5 (a pair outside them goes to decodeInto, which counts it). */
const T5 = tableFor(5, 0, new Uint8Array(8));
const T5_MIN = Math.max(HEADER_BITS, T5?.minBits ?? 0);
const T5_MAX = T5?.maxBits ?? Number.POSITIVE_INFINITY;

export interface FastReaderOptions {
  /** Messages of the full decoder (everything the fast path does not take). */
  onMessage: (msg: AisMessage, meta: AisMeta) => void;
  /** Lines longer than this are counted as malformed (as in NmeaAisDecoder). */
  maxLineBytes?: number;
}

export class NmeaPositionReader {
  /** The full decoder, for every line the fast path does not take. */
  readonly decoder: NmeaAisDecoder;
  /** Messages decoded by the fast path. */
  fastMessages = 0;
  private readonly builder: PositionSink;
  private readonly maxLineBytes: number;
  private readonly longLine: Uint8Array;
  private readonly six = new Uint8Array(MAX_FAST_CHARS);
  /** `six` as little-endian words (four six-bit values written at once). */
  private readonly sixView = new DataView(this.six.buffer);
  /** A view of the buffer `line` reads (the chunk of `push`, or a line put together from two chunks): see `view`. */
  private dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private carry: Buffer | null = null;
  private skipLong = false;
  private lineNo = 0;
  /** The decoder's clock as we follow it; `clockOk` false when we could not follow the last change. */
  private clockMs = Number.NaN;
  private clockOk = true;
  private lineTs = Number.NaN;
  private readonly onMessage: FastReaderOptions['onMessage'];
  // Two-sentence messages (type 5 and the like), assembled here while the decoder holds no multi-part state.
  /** Set once a line that may leave a multi-part fragment in the decoder went to it: pairs go there from then on. */
  private multiInDecoder = false;
  /** The first sentence of a pair, waiting for the next line (its bytes, payload range and fields). */
  private held: Uint8Array | null = null;
  /** The held sentence's range in `held` (a view of the caller's chunk until `push` returns, then a copy). */
  private heldS = 0;
  private heldE = 0;
  private heldCopied = false;
  private heldPs = 0;
  private heldPe = 0;
  private heldSeq = 0;
  private heldChan = 0;
  private heldTs = 0;
  private heldLine = 0;
  private heldTalker = 0;
  private heldOwn = false;
  /** Fields of the last sentence `fast` parsed (for pairs). */
  private seqCh = 0;
  private chanCh = 0;
  private ps = 0;
  private pe = 0;
  private fill = 0;
  private ts = 0;
  private talker = 0;
  private own = false;
  /** Whether the line `fast` declined could leave a multi-part fragment pending in the decoder. */
  private mayPend = true;
  private readonly pairBits = new BitVector();
  /** The fields of the tag block being read. */
  private readonly tag = new TagBlockFields();
  private readonly msg = new AisMessage();
  private readonly meta: AisMeta = {
    tsMs: 0,
    station: '',
    talker: '',
    channel: '',
    own: false,
    firstLine: 0,
    lastLine: 0,
  };
  /** What the pairs assembled here added to the counters. */
  private readonly pairCounts = { sentences: 0, messages: 0, tooShort: 0, unknownType: 0, malformed: 0 };

  constructor(builder: PositionSink, opts: FastReaderOptions) {
    this.builder = builder;
    this.onMessage = opts.onMessage;
    this.maxLineBytes = opts.maxLineBytes ?? 4096;
    this.longLine = Buffer.alloc(this.maxLineBytes + 1, 120);
    this.decoder = new NmeaAisDecoder({ onMessage: opts.onMessage, maxLineBytes: this.maxLineBytes });
  }

  /**
   * Type 5 pairs assembled here that repeated the vessel's last static report (counted by the row builder without
   * decoding them; they are messages with a time, like the ones handed on).
   */
  staticRepeats = 0;

  /** Two-sentence messages assembled here (not by the decoder). */
  get pairMessages(): number {
    return this.pairCounts.messages;
  }

  /** Counters of both paths together (as if the full decoder had read every line). */
  get counters(): AisCounters {
    const c = { ...this.decoder.counters };
    const k = this.pairCounts;
    c.decodedSentences += this.fastMessages + k.sentences;
    c.messages += this.fastMessages + k.messages;
    c.tooShort += k.tooShort;
    c.unknownType += k.unknownType;
    c.malformed += k.malformed;
    return c;
  }

  /** Feed a chunk of the byte stream; complete lines are processed, a partial last line is kept. */
  push(chunk: Uint8Array): void {
    const buf = chunk;
    let start = 0;
    if (this.skipLong) {
      const nl = buf.indexOf(10, 0);
      if (nl < 0) return;
      this.skipLong = false;
      this.overLong();
      start = nl + 1;
    } else if (this.carry) {
      // Complete the partial line with the start of this chunk (copying only that line, not the chunk).
      const carry = this.carry;
      this.carry = null;
      const nl = buf.indexOf(10, 0);
      if (nl < 0) {
        const all = Buffer.concat([carry, buf]);
        if (all.length > this.maxLineBytes) this.skipLong = true;
        else this.carry = all;
        return;
      }
      const first = Buffer.concat([carry, buf.subarray(0, nl)]);
      this.view(first);
      this.line(first, 0, first.length);
      start = nl + 1;
    }
    this.view(buf);
    const n = buf.length;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      this.line(buf, start, nl);
      start = nl + 1;
    }
    if (start < n) {
      if (n - start > this.maxLineBytes) this.skipLong = true;
      else this.carry = Buffer.from(buf.subarray(start));
    }
    // The caller may reuse the chunk's memory: a held sentence still pointing into it is copied now.
    if (this.held !== null && !this.heldCopied) {
      // A copy, as a Buffer like the chunks (one kind of array for the code that reads both).
      this.held = Buffer.from(this.held.subarray(this.heldS, this.heldE));
      this.heldPs -= this.heldS;
      this.heldPe -= this.heldS;
      this.heldS = 0;
      this.heldE = this.held.length;
      this.heldCopied = true;
    }
  }

  /** End of input: the last line without a newline, and unfinished multi-part messages. */
  end(): void {
    if (this.skipLong) {
      this.skipLong = false;
      this.overLong();
    }
    if (this.carry) {
      const c = this.carry;
      this.carry = null;
      this.view(c);
      this.line(c, 0, c.length);
    }
    this.release();
    this.decoder.end();
  }

  /** Set the view `fast` reads words through: the buffer of the lines that follow. */
  private view(buf: Uint8Array): void {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A line longer than maxLineBytes, counted by the decoder as malformed. */
  private overLong(): void {
    this.release();
    this.lineNo++;
    this.decoder.pushLine(this.longLine, 0, this.longLine.length);
  }

  /** Hand a held first sentence to the decoder after all (its pair did not follow). */
  private release(): void {
    const h = this.held;
    if (h === null) return;
    this.held = null;
    this.multiInDecoder = true;
    this.decoder.pushLine(h, this.heldS, this.heldE);
  }

  /** Keep the first sentence of a pair until the next line. */
  private hold(buf: Uint8Array, s: number, e: number): void {
    this.held = buf;
    this.heldS = s;
    this.heldE = e;
    this.heldCopied = false;
    this.heldPs = this.ps;
    this.heldPe = this.pe;
    this.heldSeq = this.seqCh;
    this.heldChan = this.chanCh;
    this.heldTs = this.ts;
    this.heldLine = this.lineNo;
    this.heldTalker = this.talker;
    this.heldOwn = this.own;
  }

  /** The second sentence of the held pair: assemble, decode and hand the message on as the decoder would. */
  private pair(buf: Uint8Array): void {
    const h = this.held!;
    this.held = null;
    this.decoder.skipLine();
    this.decoder.skipLine();
    const bits = this.pairBits;
    bits.reset();
    bits.appendArmored(h, this.heldPs, this.heldPe);
    bits.appendArmored(buf, this.ps, this.pe);
    bits.setFill(this.fill);
    const k = this.pairCounts;
    const bytes = bits.bytes;
    const bitlen = bits.bitlen;
    // A type 5 report repeating the vessel's last one: counted without decoding it (as addMessage would count it).
    if (bitlen >= T5_MIN && bitlen <= T5_MAX && typeOf(bytes) === 5) {
      if (this.builder.staticRepeatRaw(mmsiOf(bytes), 0, bytes, bitlen, this.heldTs, this.lineNo)) {
        k.sentences += 2;
        k.messages++;
        this.staticRepeats++;
        return;
      }
    }
    const failure = decodeInto(this.msg, bytes, bitlen);
    if (failure === null) {
      k.sentences += 2;
      k.messages++;
      const meta = this.meta;
      meta.tsMs = this.heldTs;
      meta.talker = talkerName(this.heldTalker >> 8, this.heldTalker & 255);
      meta.channel = this.heldChan === 0 ? '' : String.fromCharCode(this.heldChan);
      meta.own = this.heldOwn;
      meta.firstLine = this.heldLine;
      meta.lastLine = this.lineNo;
      this.onMessage(this.msg, meta);
    } else if (failure === 'too_short') k.tooShort += 2;
    else if (failure === 'unknown_type') k.unknownType += 2;
    else k.malformed += 2;
  }

  private line(buf: Uint8Array, s: number, e: number): void {
    this.lineNo++;
    let end = e;
    while (end > s && (buf[end - 1] === 13 || buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
    let p = s;
    while (p < end && (buf[p] === 32 || buf[p] === 9)) p++;
    this.mayPend = false;
    const r = p < end && end - p <= this.maxLineBytes ? this.fast(buf, p, end) : NO;
    if (r === PAIR) {
      this.pair(buf);
      return;
    }
    this.release();
    if (r === TAKEN) {
      this.fastMessages++;
      this.decoder.skipLine();
      return;
    }
    if (r === HOLD && !this.multiInDecoder) {
      this.hold(buf, s, e);
      return;
    }
    if (this.mayPend) this.multiInDecoder = true;
    const dollar = this.pendingClock;
    this.pendingClock = Number.NaN;
    const before = this.decoder.counters.timeLines;
    this.decoder.pushLine(buf, s, e);
    if (this.decoder.counters.timeLines !== before) {
      // The decoder set its clock from this line: follow it when we parsed the same value, else stop using ours.
      if (Number.isNaN(dollar)) this.clockOk = false;
      else {
        this.clockMs = dollar;
        this.clockOk = true;
      }
    }
  }

  /** Time of a `$PGHP` line seen by `fast` (handed to the decoder, which decides whether it counts). */
  private pendingClock = Number.NaN;

  /**
   * TAKEN: a timed single-sentence position report (or a message the import does not store), handled; HOLD: the
   * first sentence of a two-sentence message, to keep; PAIR: the second sentence of the held one; NO: for the
   * decoder (`mayPend` says whether it could leave a multi-part fragment there).
   */
  private fast(buf: Uint8Array, start: number, end: number): number {
    let p = start;
    let c = buf[p]!;
    this.lineTs = Number.NaN;
    if (c >= 48 && c <= 57) {
      if (!this.leadingTime(buf, p, end)) {
        // Malformed for the decoder, or an ISO-8601 time it reads (which may start a multi-part message).
        this.mayPend = true;
        return NO;
      }
      p = this.afterTime;
      c = buf[p]!;
    }
    // NMEA 4.0 tag blocks: their c: time counts first; a g: group (multi-part assembly by group) goes to the decoder.
    let tagTs = Number.NaN;
    const tagged = c === TAG_OPEN;
    while (c === TAG_OPEN) {
      this.mayPend = true;
      const close = buf.indexOf(TAG_CLOSE, p + 1);
      if (close < 0 || close >= end) return NO;
      // Read by the one tag-block reader (envelope.ts); a g: group goes to the decoder, which assembles by it.
      const tag = this.tag;
      if (readTagBlock(buf, p + 1, close, tag) !== TAG_READ || tag.group !== '') return NO;
      if (!Number.isNaN(tag.timeMs)) tagTs = tag.timeMs;
      p = close + 1;
      if (p >= end) return NO;
      c = buf[p]!;
    }
    if (c === DOLLAR) {
      if (!tagged) this.clockLine(buf, p, end);
      return NO;
    }
    if (c !== LEAD) {
      this.mayPend = c === TAG_OPEN; // a tag block (it may carry a group); anything else is malformed for the decoder
      return NO;
    }
    this.mayPend = true;
    if (end - p < 20) return NO;
    // "!xxVDM,t,n," with t = 1 (single) or 2 (pair): "VDM," (or "VDO,": 'M' and 'O' differ in one bit) and
    // "t,n," read as two little-endian words.
    const dv = this.dv;
    const vdm = dv.getInt32(p + FORMATTER_AT, true);
    const tn = dv.getInt32(p + COUNT_AT, true);
    const total = (tn & 255) - 48;
    const num = ((tn >>> 16) & 255) - 48;
    if (
      (vdm | OWN_BIT) !== FORMATTER_WORD ||
      (tn & COUNT_MASK) !== COUNT_SEPS ||
      buf[p + 1] === SEP ||
      buf[p + 2] === SEP ||
      !(total === 1 || total === 2) ||
      num < 1 ||
      num > total
    )
      return NO;
    if (total === 1) this.mayPend = false;
    // Checksum "*hh" at the end, or followed by a receiver time.
    let star = end - 3;
    if (buf[star] !== MARK) {
      // (A rare line: the loop is in a function of its own, which keeps this one smaller.)
      star = lastStar(buf, p, end);
      if (star < 0 || star + 3 > end) return NO;
      if (!this.trailingTime(buf, star + 3, end)) return NO;
    }
    const h1 = HEXVAL[buf[star + 1]!]!;
    const h2 = HEXVAL[buf[star + 2]!]!;
    if (h1 < 0 || h2 < 0) return NO;
    // The checksum of "xxVDM,t,n," (the header just checked): its variable bytes and the constants (V ^ D ^ 3 commas).
    let sum = buf[p + 1]! ^ buf[p + 2]! ^ ((vdm >>> 16) & 255) ^ ((tn ^ (tn >>> 16)) & 255) ^ HEADER_XOR;
    // Sequence id (empty or one digit), channel (empty or one character), payload, fill bits.
    let k = p + SEQ_AT;
    let c1 = buf[k]!;
    let seqCh = 0;
    if (c1 !== SEP) {
      if (SEQ_OK[c1] !== 1 || buf[k + 1] !== SEP) return NO;
      sum ^= c1;
      seqCh = c1;
      k++;
    }
    k++;
    c1 = buf[k]!;
    let chanCh = 0;
    if (c1 !== SEP) {
      if (buf[k + 1] !== SEP || c1 === MARK) return NO;
      sum ^= c1;
      chanCh = c1;
      k++;
    }
    k++;
    const ps = k;
    const six = this.six;
    // The usual shape: the payload runs to the comma before a one-character fill field ("...,0*hh"). Then one
    // pass without per-character branches: XOR, the armor check (an invalid character, ',' included, makes `bad`
    // negative) and the six-bit values of the characters a position report needs. Any other shape, or a bad
    // character anywhere (the payload may then end at an earlier comma), takes the character loop below.
    const pe = star - 2;
    let bad = -1;
    if (buf[pe] === SEP && pe > ps) {
      // Four characters at a time (a little-endian word per four bytes): `w` is armor when each byte is in
      // '0'..'w' and outside 'X'..'_' (88..95); the six-bit values are the bytes minus 48, minus 8 more from 40 on.
      const sv = this.sixView;
      const nw = (pe - ps) >> 2;
      const kw = Math.min(nw, MAX_FAST_WORDS);
      let acc = 0;
      let x = 0;
      let q = ps;
      for (let j = 0; j < kw; j++, q += 4) {
        const w = dv.getInt32(q, true);
        const y = (w & 0xf8f8f8f8) ^ 0x58585858; // a zero byte where w's byte is in 88..95
        acc |= w | ~(w + 0x50505050) | (w + 0x08080808) | ((y - 0x01010101) & ~y);
        x ^= w;
        const v = w - 0x30303030;
        sv.setInt32(4 * j, v - (((v + 0x58585858) & 0x80808080) >>> 4), true);
      }
      for (let j = kw; j < nw; j++, q += 4) {
        const w = dv.getInt32(q, true);
        const y = (w & 0xf8f8f8f8) ^ 0x58585858;
        acc |= w | ~(w + 0x50505050) | (w + 0x08080808) | ((y - 0x01010101) & ~y);
        x ^= w;
      }
      bad = acc & 0x80808080 ? -1 : 0;
      for (; q < pe; q++) {
        const ch = buf[q]!;
        const v = ARMOR[ch]!;
        bad |= v;
        x ^= ch;
        if (q - ps < MAX_FAST_CHARS) six[q - ps] = v;
      }
      if (bad >= 0) {
        x ^= x >>> 16;
        x ^= x >>> 8;
        sum ^= (x & 255) ^ SEP ^ buf[star - 1]!;
        k = pe;
      }
    }
    if (bad < 0) {
      const keep = Math.min(star, ps + MAX_FAST_CHARS);
      // ',' (44) is not an armor character: one test on the table value covers both.
      for (; k < keep; k++) {
        const ch = buf[k]!;
        const v = ARMOR[ch]!;
        if (v < 0) {
          if (ch === SEP) break;
          return NO;
        }
        sum ^= ch;
        six[k - ps] = v;
      }
      if (k === keep)
        for (; k < star; k++) {
          const ch = buf[k]!;
          if (ARMOR[ch]! < 0) {
            if (ch === SEP) break;
            return NO;
          }
          sum ^= ch;
        }
      for (let q = k; q < star; q++) sum ^= buf[q]!;
    }
    if (sum !== ((h1 << 4) | h2)) return NO;
    const chars = k - ps;
    if (k >= star || chars === 0 || chars > MAX_PAYLOAD) return NO;
    // k is the comma before the fill field, which ends at the next comma or the checksum.
    let fill = 0;
    const f = buf[k + 1]!;
    if (k + 1 === star || f === SEP) fill = 0;
    else if (f >= FILL_LO && f <= FILL_HI && (k + 2 === star || buf[k + 2] === SEP)) fill = f - 48;
    else return NO;
    let ts = Number.isNaN(tagTs) ? this.lineTs : tagTs;
    if (Number.isNaN(ts)) {
      if (!this.clockOk || Number.isNaN(this.clockMs)) return NO;
      ts = this.clockMs;
    }
    // A time outside the plausible window makes the line malformed: the decoder counts it.
    if (ts < EARLIEST_PLAUSIBLE_MS || ts > this.decoder.latestPlausibleMs) return NO;
    if (total === 2) {
      if (this.multiInDecoder || tagged || chars > MAX_PAIR_CHARS) return NO;
      this.seqCh = seqCh;
      this.chanCh = chanCh;
      this.ps = ps;
      this.pe = k;
      this.fill = fill;
      if (num === 1) {
        this.ts = ts;
        this.talker = (buf[p + 1]! << 8) | buf[p + 2]!;
        this.own = buf[p + OWN_AT] === OWN_BYTE;
        return HOLD;
      }
      return this.held !== null && this.heldSeq === seqCh && this.heldChan === chanCh ? PAIR : NO;
    }
    const bitlen = chars * 6 - fill;
    const type = six[TYPE_CHAR]!;
    const b = this.builder;
    if (bitlen >= IGNORED_MIN[type]! && bitlen <= IGNORED_MAX[type]!) return TAKEN;
    // Fields read from the six-bit characters with constant shifts, generated from the tables (fast-fields.ts).
    if (type >= 1 && type <= 3) {
      if (bitlen < A_MIN || bitlen > A_MAX) return NO;
      classAFields(six, b, type, ts, this.lineNo);
      return TAKEN;
    }
    if (type === 18) {
      if (bitlen < B_MIN || bitlen > B_MAX) return NO;
      classBFields(six, b, type, ts, this.lineNo);
      return TAKEN;
    }
    if (type === 27) {
      if (bitlen < LR_MIN || bitlen > LR_MAX) return NO;
      longRangeFields(six, b, type, ts, this.lineNo);
      return TAKEN;
    }
    return NO;
  }

  private afterTime = 0;

  /** "1276256771.123 " before the sentence (as NmeaAisDecoder reads it); sets lineTs and afterTime. */
  private leadingTime(buf: Uint8Array, p: number, end: number): boolean {
    if (p + 15 < end) {
      // The usual "1700000000.000 " (ten digits, three decimals, a space) as four little-endian words: "dddd",
      // "dddd", "dd.d" and "ddd " (the last two overlap). A byte is a digit when its high nibble is 3 both before
      // and after adding 6. Anything else goes to the general loop below.
      const dv = this.dv;
      const w0 = dv.getInt32(p, true);
      const w1 = dv.getInt32(p + 4, true);
      const w2 = dv.getInt32(p + 8, true);
      const w3 = dv.getInt32(p + 11, true);
      if (
        (w0 & 0xf0f0f0f0) === 0x30303030 &&
        ((w0 + 0x06060606) & 0xf0f0f0f0) === 0x30303030 &&
        (w1 & 0xf0f0f0f0) === 0x30303030 &&
        ((w1 + 0x06060606) & 0xf0f0f0f0) === 0x30303030 &&
        (w2 & 0xf0fff0f0) === 0x302e3030 &&
        ((w2 + 0x06000606) & 0xf000f0f0) === 0x30003030 &&
        (w3 & 0xfff0f0f0) === 0x20303030 &&
        ((w3 + 0x00060606) & 0x00f0f0f0) === 0x00303030
      ) {
        let q = p + 15;
        while (q < end && BLANK[buf[q]!] === 1) q++;
        if (q >= end) return false;
        const secs = digits4(w0) * 1e6 + digits4(w1) * 100 + (w2 & 15) * 10 + ((w2 >>> 8) & 15);
        // secs * 1000 + ms, as the general path computes it for three decimals.
        this.lineTs = secs * 1000 + ((w3 & 15) * 100 + ((w3 >>> 8) & 15) * 10 + ((w3 >>> 16) & 15));
        this.afterTime = q;
        return true;
      }
    }
    // Any other form: the envelope's reader, as the decoder reads it.
    const t = readUnixPrefix(buf, p, end, this.prefixEnd);
    if (Number.isNaN(t) || this.prefixEnd.end >= end) return false;
    this.lineTs = t;
    this.afterTime = this.prefixEnd.end;
    return true;
  }

  /** Where `readUnixPrefix` found the sentence to start. */
  private readonly prefixEnd = { end: 0 };

  /** ",1276256771" after the checksum (read as NmeaAisDecoder reads it); sets lineTs. */
  private trailingTime(buf: Uint8Array, s: number, e: number): boolean {
    const t = parseTrailingTime(buf, s, e);
    if (Number.isNaN(t)) return false;
    this.lineTs = t;
    return true;
  }

  /** A `$` line: remember the time a `$PGHP` line gives, for `line` to adopt when the decoder does. */
  private clockLine(buf: Uint8Array, p: number, end: number): void {
    if (buf[p + 1] !== 80 || buf[p + 2] !== 71 || buf[p + 3] !== 72 || buf[p + 4] !== 80) return;
    const star = lastStar(buf, p, end);
    if (star < 0 || star - p <= 5) return;
    this.pendingClock = parsePghp(buf, p, star);
  }
}

/** The number written by four ASCII digits in a little-endian word (the first digit in the low byte). */
function digits4(w: number): number {
  const pairs = (Math.imul(w & 0x0f0f0f0f, 2561) >>> 8) & 0x00ff00ff; // 10a+b in byte 0, 10c+d in byte 2
  return Math.imul(pairs, 6553601) >>> 16; // 100 (10a+b) + 10c+d
}

/** Offset of the last '*' in buf(p, end), or -1. */
function lastStar(buf: Uint8Array, p: number, end: number): number {
  for (let k = end - 1; k > p; k--) if (buf[k] === MARK) return k;
  return -1;
}
