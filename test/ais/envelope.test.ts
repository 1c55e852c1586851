import { describe, expect, it } from 'vitest';
import type { AisMessage } from '../../src/maritime/ais/decoder.js';
import { encodePayload, encodeSentences, type FieldInput } from '../../src/maritime/ais/encode.js';
import {
  checksumHex,
  F_PAYLOAD,
  F_PAYLOAD_END,
  formatIsoPrefix,
  formatNais,
  formatSentence,
  formatSentences,
  formatTagBlock,
  formatUnixPrefix,
  readSentenceFields,
  SENTENCE_REASONS,
} from '../../src/maritime/ais/envelope.js';
import { NmeaPositionReader } from '../../src/maritime/ais/fast-positions.js';
import { type AisCounters, type AisMeta, NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import type { CompiledTable } from '../../src/maritime/ais/table.js';
import { AIVDM_SENTENCE, NAIS_SUFFIX, TAG_BLOCK } from '../../src/maritime/ais/tables/envelope.js';
import { TABLES, TYPE24 } from '../../src/maritime/ais/tables/index.js';
import { AisRowBuilder } from '../../src/maritime/store/rows.js';

/**
 * The NMEA envelope is declared once (tables/envelope.ts): the writers made from it frame messages in every form gpsd
 * and the USCG describe, and the full decoder and the import fast path, whose readers are made from the same
 * declaration, read back the message, its time and its station, and agree with each other row for row.
 */

interface Msg {
  name: string;
  table: CompiledTable;
  type: number;
  mmsi: number;
  values: FieldInput;
}

/** Messages encoded from the message tables: position reports the fast path reads, and multi-part statics. */
const MESSAGES: Msg[] = [
  {
    name: 'type 1',
    table: TABLES[1]!,
    type: 1,
    mmsi: 244123456,
    values: {
      status: 0,
      turn: -128,
      speed: 123,
      lon: 2_520_000,
      lat: 32_400_000,
      course: 1234,
      heading: 123,
      second: 7,
    },
  },
  {
    name: 'type 3',
    table: TABLES[3]!,
    type: 3,
    mmsi: 445123456,
    values: { status: 5, speed: 0, lon: -4_200_000, lat: -1_200_000, course: 3600, heading: 511, second: 59 },
  },
  {
    name: 'type 18',
    table: TABLES[18]!,
    type: 18,
    mmsi: 338000001,
    values: { speed: 55, lon: 72_000_000, lat: 23_000_000, course: 900, heading: 90, second: 12, cs: 1 },
  },
  {
    name: 'type 27',
    table: TABLES[27]!,
    type: 27,
    mmsi: 636012345,
    values: { status: 0, lon: 7_000, lat: 2_300, speed: 12, course: 270 },
  },
  {
    name: 'type 5',
    table: TABLES[5]!,
    type: 5,
    mmsi: 477000123,
    values: {
      imo: 9123456,
      callsign: 'VRAB3',
      shipname: 'EVER SOMETHING',
      shiptype: 70,
      draught: 123,
      destination: 'NAMPO',
    },
  },
  {
    name: 'type 24 B',
    table: TYPE24.b,
    type: 24,
    mmsi: 338000001,
    values: { partno: 1, shiptype: 37, vendorid: 'WKS', callsign: 'WDA1234' },
  },
];

const T_MS = Date.UTC(2024, 2, 1, 12, 34, 56); // a plausible receive time, whole seconds
const T_S = T_MS / 1000;

interface Expect {
  tsMs: number;
  station: string;
  talker?: string;
  channel?: string;
  own?: boolean;
}

/**
 * An envelope form: the lines of one message (its payload framed into `parts` sentences of at most `maxChars`
 * characters), and what the decoder must read from them. Everything is written by the envelope's writers.
 */
interface Form {
  name: string;
  maxChars?: number;
  lines: (payload: string, fill: number, seq: number) => string[];
  expect: Expect;
  /** Whether the fast path takes the single-sentence position reports of this form itself. */
  fast: boolean;
}

const split = (payload: string, fill: number, seq: number, maxChars = 60, channel = 'A') =>
  formatSentences(payload, fill, { seq, maxChars, channel });
const group = (n: number, total: number, seq: number) => `${n}-${total}-${1000 + seq}`;

const FORMS: Form[] = [
  {
    name: 'tag block s: and c: (seconds), g: on multi-part',
    lines: (p, f, seq) => {
      const s = split(p, f, seq);
      return s.map(
        (l, i) =>
          formatTagBlock({
            station: 'rS1',
            time: T_S,
            group: s.length > 1 ? group(i + 1, s.length, seq) : undefined,
          }) + l,
      );
    },
    expect: { tsMs: T_MS, station: 'rS1' },
    fast: true,
  },
  {
    name: 'tag block c: in milliseconds with n: and t:, three-part messages grouped',
    maxChars: 30,
    lines: (p, f, seq) => {
      const s = split(p, f, seq, 30);
      return s.map(
        (l, i) =>
          formatTagBlock({
            time: T_MS + 250,
            group: s.length > 1 ? group(i + 1, s.length, seq) : undefined,
            line: i + 1,
            text: 'test',
          }) + l,
      );
    },
    expect: { tsMs: T_MS + 250, station: '' },
    fast: true,
  },
  {
    name: 'USCG NAIS long form (s, d, T, x, r, unix time) on every sentence',
    lines: (p, f, seq) =>
      split(p, f, seq).map(
        (l) =>
          l +
          formatNais(
            [
              ['s', 27064],
              ['d', -106],
              ['T', '28.09677041'],
              ['x', 12],
              ['r', '003669945'],
            ],
            T_S,
          ),
      ),
    expect: { tsMs: T_MS, station: 'r003669945' },
    fast: false,
  },
  {
    name: 'USCG NAIS fields in the order of the USCG files (s, d, t, T, S, r), fractional time',
    lines: (p, f, seq) =>
      split(p, f, seq).map(
        (l) =>
          l +
          formatNais(
            [
              ['s', 27064],
              ['d', -106],
              ['t', '000113.82'],
              ['T', '28.09677041'],
              ['S', 1053],
              ['r', '09SIGN1'],
            ],
            `${T_S}.5`,
          ),
      ),
    expect: { tsMs: T_MS + 500, station: 'r09SIGN1' },
    fast: false,
  },
  {
    name: 'USCG NAIS short form (s, d, T) after a tag-block time',
    lines: (p, f, seq) => {
      const s = split(p, f, seq);
      return s.map(
        (l, i) =>
          formatTagBlock({ time: T_S, group: s.length > 1 ? group(i + 1, s.length, seq) : undefined }) +
          l +
          formatNais([
            ['s', 27064],
            ['d', -106],
            ['T', '28.1'],
          ]),
      );
    },
    expect: { tsMs: T_MS, station: '' },
    fast: false,
  },
  {
    name: 'USCG NAIS b-form (b<station>, unix time), district D station',
    lines: (p, f, seq) =>
      split(p, f, seq).map((l, i) => l + formatNais([i % 2 ? ['D', '07MN-KW-PRIBS1'] : ['b', '003669945']], T_S)),
    expect: { tsMs: T_MS, station: 'b003669945' },
    fast: false,
  },
  {
    name: 'unix time after the checksum',
    lines: (p, f, seq) => split(p, f, seq).map((l) => l + formatNais([], T_S)),
    expect: { tsMs: T_MS, station: '' },
    fast: true,
  },
  {
    name: 'unix time before the sentence, multi-part by sequence id',
    lines: (p, f, seq) => split(p, f, seq).map((l) => formatUnixPrefix(T_MS + 5) + l),
    expect: { tsMs: T_MS + 5, station: '' },
    fast: true,
  },
  ...(['T', 'space', 'bracket'] as const).map(
    (form): Form => ({
      name: `ISO-8601 time before the sentence (${form})`,
      lines: (p, f, seq) => split(p, f, seq).map((l) => formatIsoPrefix(T_MS, form) + l),
      expect: { tsMs: T_MS, station: '' },
      fast: false,
    }),
  ),
  {
    name: 'own ship (VDO) from another talker on channel B, tag-block time',
    lines: (p, f, seq) =>
      formatSentences(p, f, { seq, talker: 'AB', own: true, channel: 'B' }).map(
        (l, i, all) =>
          formatTagBlock({ time: T_S, group: all.length > 1 ? group(i + 1, all.length, seq) : undefined }) + l,
      ),
    expect: { tsMs: T_MS, station: '', talker: 'AB', channel: 'B', own: true },
    fast: true,
  },
];

interface Decoded {
  messages: Array<{ type: number; mmsi: number; values: Record<string, number | string>; meta: AisMeta }>;
  counters: AisCounters;
  rows: unknown[][];
  result: unknown;
}

const valuesOf = (m: AisMessage, values: FieldInput): Record<string, number | string> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? m.text(k) : m.raw(k)]));

function rowsOf(b: AisRowBuilder): unknown[][] {
  const p = b.positions;
  const cols = p.batch().columns;
  const out: unknown[][] = [];
  for (let i = 0; i < p.length; i++)
    out.push(cols.slice(0, 10).map((c) => (typeof c[i] === 'bigint' ? Number(c[i]) : c[i])));
  return out;
}

function viaFull(text: Buffer, expected: Msg[]): Decoded {
  const b = new AisRowBuilder('t', { capacity: 1024 });
  const messages: Decoded['messages'] = [];
  const d = new NmeaAisDecoder({
    onMessage: (m, meta) => {
      messages.push({
        type: m.type,
        mmsi: m.mmsi,
        values: valuesOf(m, expected[messages.length]!.values),
        meta: { ...meta },
      });
      if (!Number.isNaN(meta.tsMs)) b.addMessage(m, meta.tsMs, meta.lastLine);
    },
  });
  d.push(text);
  d.end();
  return { messages, counters: { ...d.counters }, rows: rowsOf(b), result: b.result() };
}

function viaFast(text: Buffer): Decoded & { fast: number } {
  const b = new AisRowBuilder('t', { capacity: 1024 });
  const r = new NmeaPositionReader(b, {
    onMessage: (m, meta) => {
      if (!Number.isNaN(meta.tsMs)) b.addMessage(m, meta.tsMs, meta.lastLine);
    },
  });
  r.push(text);
  r.end();
  return { messages: [], counters: { ...r.counters }, rows: rowsOf(b), result: b.result(), fast: r.fastMessages };
}

describe('NMEA envelope declared once', () => {
  it('declares the sentence fields, their order and the checksum, the tag-block and NAIS keys', () => {
    expect(AIVDM_SENTENCE.fields.map((f) => f.name)).toEqual(['total', 'num', 'seq', 'channel', 'payload', 'fill']);
    expect(TAG_BLOCK.keys.map((k) => k.key)).toEqual(['s', 'c', 'g', 'n', 't']);
    expect(NAIS_SUFFIX.keys.map((k) => k.key).sort()).toEqual(['B', 'D', 'R', 'S', 'T', 'b', 'd', 'r', 's', 't', 'x']);
    // The gpsd AIVDM document's example sentence, written from the declaration, checksum included.
    expect(formatSentence({ total: 1, num: 1, channel: 'B', payload: '177KQJ5000G?tO`K>RA1wUbN0TKH', fill: 0 })).toBe(
      '!AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH,0*5C',
    );
    // NMEA 4.10's tag block example as gpsd quotes it, keys in the declared order (the checksum quoted there, 0A, is
    // not the XOR of its body).
    expect(formatTagBlock({ time: 1671620143, station: '2573135' })).toBe('\\s:2573135,c:1671620143*0B\\');
    // The first AIS line of the DMA file (data/ais/nmea).
    expect(checksumHex('AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0')).toBe('2B');
  });

  it('reads the declared fields with the generated reader and names the reason of each bad one', () => {
    const read = (line: string) => {
      const buf = Buffer.from(line, 'latin1');
      const star = line.lastIndexOf('*');
      const cs = new Int32Array(8);
      let nc = 0;
      for (let k = 1; k < star && nc < 8; k++) if (buf[k] === 44) cs[nc++] = k;
      const out = new Int32Array(F_PAYLOAD_END + 1);
      // cs[0] ends the address field: it is the separator before the first declared field.
      const r = readSentenceFields(buf, star, cs, nc, out);
      return r === 0 ? line.slice(out[F_PAYLOAD]!, out[F_PAYLOAD_END]!) : SENTENCE_REASONS[r];
    };
    expect(read('!AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH,0*5C')).toBe('177KQJ5000G?tO`K>RA1wUbN0TKH');
    expect(read('!AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH*5C')).toBe(
      'VDM/VDO sentence with missing or misplaced fields',
    );
    expect(read('!AIVDM,2,3,,B,177K,0*5C')).toBe('fragment count or number out of range');
    expect(read('!AIVDM,1,1,x,B,177K,0*5C')).toBe('bad sequential message id');
    expect(read('!AIVDM,1,1,,AB,177K,0*5C')).toBe('bad radio channel');
    expect(read('!AIVDM,1,1,,B,,0*5C')).toBe('empty payload');
    expect(read('!AIVDM,1,1,,B,177K,6*5C')).toBe('fill bits outside 0..5');
    expect(read('!AIVDM,1,1,,B,177K,00*5C')).toBe('bad fill bits field');
  });

  for (const form of FORMS)
    it(`round-trips every message through the full and fast paths: ${form.name}`, () => {
      const lines: string[] = [];
      const sentencesPer: number[] = [];
      MESSAGES.forEach((m, seq) => {
        const { payload, fill } = encodePayload(m.table, { type: m.type, mmsi: m.mmsi }, m.values);
        const l = form.lines(payload, fill, seq % 10);
        sentencesPer.push(l.length);
        lines.push(...l);
      });
      // Multi-part forms were written: type 5 takes two sentences of 60 characters (three of 30).
      expect(sentencesPer[4]).toBe(form.maxChars === 30 ? 3 : 2);
      const text = Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
      const full = viaFull(text, MESSAGES);
      // Every message comes back whole, with the time and station its envelope carried.
      expect(full.counters.messages).toBe(MESSAGES.length);
      expect(full.counters.decodedSentences).toBe(lines.length);
      expect(full.counters.malformed + full.counters.badChecksum + full.counters.incomplete).toBe(0);
      full.messages.forEach((got, i) => {
        const m = MESSAGES[i]!;
        expect(got.type, m.name).toBe(m.type);
        expect(got.mmsi, m.name).toBe(m.mmsi);
        expect(got.values, m.name).toEqual(
          Object.fromEntries(Object.entries(m.values).map(([k, v]) => [k, typeof v === 'string' ? v.trimEnd() : v])),
        );
        expect(got.meta.tsMs, m.name).toBe(form.expect.tsMs);
        expect(got.meta.station, m.name).toBe(form.expect.station);
        expect(got.meta.talker, m.name).toBe(form.expect.talker ?? 'AI');
        expect(got.meta.channel, m.name).toBe(form.expect.channel ?? 'A');
        expect(got.meta.own, m.name).toBe(form.expect.own ?? false);
      });
      // The fast path gives the same rows, static reports, identities and counters.
      const fast = viaFast(text);
      expect(fast.counters).toEqual(full.counters);
      expect(fast.rows).toEqual(full.rows);
      expect(fast.result).toEqual(full.result);
      expect(full.rows.length).toBe(4); // the four position reports (types 1, 3, 18, 27)
      if (form.fast) expect(fast.fast).toBeGreaterThanOrEqual(4);
      else expect(fast.fast).toBe(0);
    });

  it('frames a message from its table declaration into sentences the decoder reads back', () => {
    const m = MESSAGES[4]!;
    const lines = encodeSentences(m.table, { type: m.type, mmsi: m.mmsi }, m.values, { seq: 3, channel: 'B' });
    expect(lines.map((l) => l.slice(0, 15))).toEqual(['!AIVDM,2,1,3,B,', '!AIVDM,2,2,3,B,']);
    const got: number[] = [];
    const d = new NmeaAisDecoder({ onMessage: (msg) => got.push(msg.mmsi, msg.raw('imo')) });
    d.push(Buffer.from(`${lines.join('\n')}\n`));
    d.end();
    expect(got).toEqual([m.mmsi, 9123456]);
  });
});
