import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BitVector, sbits, ubits } from '../../src/maritime/ais/bits.js';
import { AisMessage, decodeInto } from '../../src/maritime/ais/decoder.js';
import {
  classAFields,
  classBFields,
  compileExtractor,
  longRangeFields,
  MAX_FAST_CHARS,
} from '../../src/maritime/ais/fast-fields.js';
import { NmeaPositionReader } from '../../src/maritime/ais/fast-positions.js';
import { NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import { compile, x } from '../../src/maritime/ais/table.js';
import { HEADER_BITS } from '../../src/maritime/ais/tables/index.js';
import { positionReport } from '../../src/maritime/ais/tables/position.js';
import { AisRowBuilder, type BuilderResult } from '../../src/maritime/store/rows.js';
import { dataPath } from '../../src/paths.js';
import { prng, timedRepeat } from './encode.js';

/**
 * The import fast path (position reports read from bytes) must give exactly what the full decoder gives: the
 * same position rows in the same order, the same static rows, identities, vessels (with line numbers) and the
 * same decoder counters — on the real files, on timed copies of them, and on mutated lines.
 */
interface Rows {
  positions: Array<Array<number | string>>;
  result: BuilderResult;
  counters: Record<string, number>;
}

function viaFullDecoder(text: Buffer, chunk: number): Rows {
  const b = new AisRowBuilder('t', { capacity: 1024 });
  const d = new NmeaAisDecoder({
    onMessage: (m, meta) => {
      if (!Number.isNaN(meta.tsMs)) b.addMessage(m, meta.tsMs, meta.lastLine);
    },
  });
  for (let k = 0; k < text.length; k += chunk) d.push(text.subarray(k, k + chunk));
  d.end();
  return { positions: rowsOf(b), result: b.result(), counters: { ...d.counters } };
}

function viaFastPath(text: Buffer, chunk: number): Rows & { fast: number; pairs: number } {
  const b = new AisRowBuilder('t', { capacity: 1024 });
  const r = new NmeaPositionReader(b, {
    onMessage: (m, meta) => {
      if (!Number.isNaN(meta.tsMs)) b.addMessage(m, meta.tsMs, meta.lastLine);
    },
  });
  for (let k = 0; k < text.length; k += chunk) r.push(text.subarray(k, k + chunk));
  r.end();
  return {
    positions: rowsOf(b),
    result: b.result(),
    counters: { ...r.counters },
    fast: r.fastMessages,
    pairs: r.pairMessages,
  };
}

function rowsOf(b: AisRowBuilder): Array<Array<number | string>> {
  const p = b.positions;
  const cols = p.batch().columns;
  const out: Array<Array<number | string>> = [];
  for (let i = 0; i < p.length; i++)
    out.push(cols.slice(0, 10).map((c) => (typeof c[i] === 'bigint' ? Number(c[i]) : (c[i] as number | string))));
  return out;
}

function same(text: Buffer, chunk = 65536): number {
  return sameWithPairs(text, chunk).fast;
}

function sameWithPairs(text: Buffer, chunk = 65536): { fast: number; pairs: number } {
  const full = viaFullDecoder(text, chunk);
  const fast = viaFastPath(text, chunk);
  expect(fast.counters).toEqual(full.counters);
  expect(fast.positions.length).toBe(full.positions.length);
  expect(fast.positions).toEqual(full.positions);
  expect(fast.result).toEqual(full.result);
  return fast;
}

function tagBlock(body: string): string {
  let c = 0;
  for (const ch of body) c ^= ch.charCodeAt(0);
  return `\\${body}*${c.toString(16).toUpperCase().padStart(2, '0')}\\`;
}

const FILES = [
  'dma-aislib_stream_example.txt',
  'signalk_gofree-merrimac.log',
  'signalk_nais300-merrimac.log',
  'signalk_nais400-merrimac.log',
];

describe('NMEA fast path', () => {
  it('equals the full decoder on the DMA file ($PGHP clock) and takes its position reports', () => {
    const text = readFileSync(dataPath('ais', 'nmea', FILES[0]!));
    const { fast, pairs } = sameWithPairs(text);
    // Every two-sentence message (424 type 5, 13 type 21, 7 type 8, 5 type 17) was assembled by the fast path.
    expect(pairs).toBe(449);
    // 2,988 of the 4,051 messages are single-sentence position reports with a $PGHP time (the builder keeps 2,965
    // of them as positions: the rest say "position not available" or repeat one); 540 more are single-sentence
    // messages the import does not store (types 4, 6, 8, 9, 15, 16, 20, 21, 23), only counted. The rest (type 5,
    // 24 and multi-part messages) went through the full decoder.
    expect(fast).toBe(2988 + 540);
  });

  it('equals the full decoder on timed copies of every real file (leading and trailing receiver times)', () => {
    for (const f of FILES) {
      const raw = readFileSync(dataPath('ais', 'nmea', f), 'latin1');
      const lead = Buffer.from(timedRepeat(raw, 3), 'latin1');
      expect(same(lead, 4099)).toBeGreaterThan(0);
      // Receiver time after the checksum, CRLF line ends, VDO and untimed lines mixed in.
      const lines = raw.split('\n').filter((l) => l.startsWith('!'));
      const mixed = lines
        .map((l, i) =>
          i % 7 === 0 ? l : i % 5 === 0 ? `${l.replace('VDM', 'VDO')},${1700000000 + i}` : `${l},${1700000000 + i}.25`,
        )
        .join('\r\n');
      same(Buffer.from(`${mixed}\r\n`, 'latin1'), 777);
      // NMEA 4.0 tag blocks (station, c: in seconds or ms) on every sentence, a few with a g: group.
      const tagged = lines
        .map((l, i) => {
          const c = i % 3 === 0 ? `c:${1700000000000 + i * 250}` : `c:${1700000000 + i}`;
          const body = i % 11 === 0 ? `s:rS${i % 7},${c},g:1-1-${i}` : `s:rS${i % 7},${c}`;
          return `${tagBlock(body)}${l}`;
        })
        .join('\n');
      expect(same(Buffer.from(`${tagged}\n`, 'latin1'), 1000)).toBeGreaterThan(0);
    }
  });

  it('equals the full decoder on 200,000 mutated lines (bad checksums, fill bits, fields, clocks, tag blocks)', () => {
    const dma = readFileSync(dataPath('ais', 'nmea', FILES[0]!), 'latin1')
      .split('\n')
      .filter((l) => l !== '');
    const rnd = prng(7);
    const out: string[] = [];
    while (out.length < 200_000) {
      const s = dma[Math.floor(rnd() * dma.length)]!;
      const r = rnd();
      if (r < 0.4) out.push(s);
      else if (r < 0.5) out.push(s.slice(0, Math.floor(rnd() * s.length)));
      else if (r < 0.65) {
        const i = Math.floor(rnd() * s.length);
        out.push(s.slice(0, i) + String.fromCharCode(32 + Math.floor(rnd() * 95)) + s.slice(i + 1));
      } else if (r < 0.72) out.push(s.replace(/,(\d)\*/, `,${Math.floor(rnd() * 10)}*`));
      else if (r < 0.78) out.push(`${1600000000 + Math.floor(rnd() * 1e6)}${rnd() < 0.5 ? '.5' : ''} ${s}`);
      else if (r < 0.82) out.push(`${s},${1600000000 + Math.floor(rnd() * 1e6)}`);
      else if (r < 0.86) out.push(`$GPRMC,1${Math.floor(rnd() * 9)}0000,A,5500.0,N,01000.0,E,0.0,0.0,110610,,*00`);
      else if (r < 0.9) out.push(`  ${s}\t`);
      else if (r < 0.94) out.push(s.replace('!AIVDM,1,1,', rnd() < 0.5 ? '!AIVDM,1,1,12,' : '!AIVDM,1,1,,AB,'));
      else if (r < 0.97) out.push(`\\c:${1600000000 + Math.floor(rnd() * 1e6)}*00\\${s}`);
      else {
        // A valid tag block, then maybe one flipped character anywhere in the line.
        const t = `${tagBlock(`s:r${Math.floor(rnd() * 9)},c:${1600000000 + Math.floor(rnd() * 1e6)}`)}${s}`;
        const i = Math.floor(rnd() * t.length);
        out.push(rnd() < 0.5 ? t : t.slice(0, i) + String.fromCharCode(32 + Math.floor(rnd() * 95)) + t.slice(i + 1));
      }
    }
    expect(same(Buffer.from(`${out.join('\n')}\n`, 'latin1'), 8191)).toBe(48212);
  });

  it('sends a line its shortcuts cannot read (bad payload character, comma in the payload, odd time) to the decoder', () => {
    // Lines that pass the checksum (recomputed after the change), so only the armor, field and time checks catch
    // them: every payload position gets a character outside the armor alphabet, a comma, or the fill field moves.
    const dma = readFileSync(dataPath('ais', 'nmea', FILES[0]!), 'latin1')
      .split('\n')
      .filter((l) => /^!AIVDM,1,1,,[AB],[0-9:;<=>?@A-W`a-w]{28},0\*/.test(l))
      .slice(0, 40);
    expect(dma.length).toBe(40);
    const withSum = (body: string): string => {
      let c = 0;
      for (const ch of body) c ^= ch.charCodeAt(0);
      return `!${body}*${c.toString(16).toUpperCase().padStart(2, '0')}`;
    };
    const out: string[] = [];
    let t = 1700000000000;
    const timed = (l: string): string => {
      t += 5;
      return `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')} ${l}`;
    };
    for (const [n, l] of dma.entries()) {
      const body = l.slice(1, l.indexOf('*'));
      const ps = body.indexOf(',', 14) + 1; // "AIVDM,1,1,,A," is 13 characters
      out.push(timed(l));
      for (let k = 0; k < 28; k++) {
        const at = ps + k;
        // Outside the armor alphabet ('0'..'W', '`'..'w'): each side of both ranges, a space, DEL, bytes above 127;
        // ',' ends the payload there; the valid characters at the range ends are read as other values.
        const bad = 'X_/x \x7f\x80\xff,0W`w;'[(n + k) % 14]!;
        out.push(timed(withSum(body.slice(0, at) + bad + body.slice(at + 1))));
      }
      out.push(timed(withSum(`${body.slice(0, -2)},0,x`))); // an extra field after the fill
      out.push(timed(withSum(`${body.slice(0, -2)}`))); // no fill field
      out.push(timed(withSum(`${body.slice(0, -2)},12`))); // two-digit fill
      out.push(timed(withSum(`${body.slice(0, -1)}`))); // empty fill
      // Receiver times the fixed "dddddddddd.ddd " reading declines: a non-digit, other lengths, a tab.
      out.push(`170000000x.000 ${l}`, `1700000000.0x0 ${l}`, `1700000000.00 ${l}`, `17000000000.000 ${l}`);
      out.push(`1700000000.000\t${l}`, `1700000000.000  ${l}`, `1700000000.000 `, `1700000000.1234 ${l}`);
      // Each byte of "1700000000.123 " replaced by one next to the digits, a byte above 127, or a digit.
      const time = '1700000000.123 ';
      const i = n % time.length;
      for (const c of ['/', ':', '\xfa', '\xb3', '5', '.', ' '])
        out.push(`${time.slice(0, i)}${c}${time.slice(i + 1)}${l}`);
    }
    const text = Buffer.from(`${out.join('\n')}\n`, 'latin1');
    // The unchanged lines, the replacements by valid characters, the empty fill and the times the general loop
    // reads are taken by the fast path; every other line goes to the decoder, which finds it malformed (or, when a
    // valid character changed the message type or length, decodes it or counts it as the full decoder does).
    // Receiver times outside the plausible window (17000000000 s, or a first digit replaced by '5': after 2100) make
    // their lines malformed in both.
    expect(same(text, 1000)).toBe(405);
    const full = viaFullDecoder(text, 1000).counters;
    expect(full.lines).toBe(1920);
    expect(full.messages).toBe(405);
    expect(full.malformed).toBe(1515);
  });

  it('hands two-sentence messages to the decoder from the first irregular fragment on, with the same results', () => {
    const dma = readFileSync(dataPath('ais', 'nmea', FILES[0]!), 'latin1')
      .split('\n')
      .filter((l) => l !== '');
    const first = dma.filter((l) => /^!AIVDM,2,1,/.test(l));
    const second = dma.filter((l) => /^!AIVDM,2,2,/.test(l));
    const tb = tagBlock;
    const irregular = [
      (i: number) => [first[i % first.length]!], // orphan first sentence
      (i: number) => [second[i % second.length]!], // orphan second sentence
      (i: number) => [second[i % second.length]!.slice(0, 20)], // truncated second sentence
      (i: number) => [`${tb(`g:1-2-${i}`)}${first[i % first.length]!}`], // tag-block group
      (i: number) => [first[i % first.length]!.replace(',2,1,', ',3,1,')], // three-part start
      (_: number) => [`${tb('c:1276256771')}!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23`], // tag block, single
    ];
    const rnd = prng(11);
    let pairsSeen = 0;
    for (let t = 0; t < 36; t++) {
      const at = Math.floor(rnd() * dma.length);
      const extra = irregular[t % irregular.length]!(t);
      const lines = [...dma.slice(0, at), ...extra, ...dma.slice(at)];
      pairsSeen += sameWithPairs(Buffer.from(`${lines.join('\n')}\n`, 'latin1'), 1 + Math.floor(rnd() * 9000)).pairs;
    }
    expect(pairsSeen).toBeGreaterThan(1000);
  });
});

describe('fast path fields generated from the tables', () => {
  /** A sink that records the arguments of each call. */
  const recorder = () => {
    const calls: number[][] = [];
    const sink = {
      fastTs: 0,
      positionFast: (...a: number[]) => calls.push([sink.fastTs, ...a]) > 0,
      longRange: (...a: number[]) => calls.push(a) > 0,
      staticRepeatRaw: () => false,
    };
    return { sink, calls };
  };
  /** Random payload bits as six-bit values and as the decoder's bytes. */
  const payload = (rnd: () => number, type: number, chars: number) => {
    const six = new Uint8Array(MAX_FAST_CHARS);
    for (let k = 0; k < chars; k++) six[k] = Math.floor(rnd() * 64);
    six[0] = type;
    const bits = new BitVector();
    const text = Buffer.from(Array.from(six.subarray(0, chars), (v) => (v < 40 ? v + 48 : v + 56)));
    bits.appendArmored(text, 0, chars);
    return { six, bytes: bits.bytes, bitlen: chars * 6 };
  };

  it('read every field the decoder reads, on random payloads of types 1, 2, 3, 18 and 27', () => {
    const rnd = prng(5);
    const msg = new AisMessage();
    for (let n = 0; n < 3000; n++) {
      const type = [1, 2, 3, 18, 27][n % 5]!;
      const { six, bytes, bitlen } = payload(rnd, type, type === 27 ? 16 : 28);
      expect(decodeInto(msg, bytes, bitlen)).toBeNull();
      const { sink, calls } = recorder();
      const ts = 1_700_000_000_000 + n;
      (type === 27 ? longRangeFields : type === 18 ? classBFields : classAFields)(six, sink, type, ts, n);
      const r = (name: string) => msg.raw(name);
      if (type === 27)
        expect(calls).toEqual([[msg.mmsi, ts, r('lat'), r('lon'), r('speed'), r('course'), r('status'), n]]);
      else
        expect(calls).toEqual([
          [
            ts,
            msg.mmsi,
            r('lat'),
            r('lon'),
            r('speed'),
            r('course'),
            r('heading'),
            type === 18 ? 15 : r('status'),
            type,
            type === 18 ? 2 : 1,
            n,
          ],
        ]);
    }
  });

  it('move with the table: a field declared elsewhere is read from there', () => {
    // The class A table with two more spare bits before the longitude: every later field moves by two bits.
    const moved = compile(
      {
        ...positionReport,
        entries: positionReport.entries.flatMap((e) => (e.name === 'lon' ? [x(2), e] : [e])),
        minBits: positionReport.minBits! + 2,
      },
      HEADER_BITS,
    );
    const extract = compileExtractor(moved, 'positionFast', [
      { field: 'lat' },
      { field: 'lon' },
      { field: 'heading' },
      { code: 'line' },
    ]);
    const rnd = prng(9);
    for (let n = 0; n < 200; n++) {
      const { six, bytes } = payload(rnd, 1, 30);
      const { sink, calls } = recorder();
      extract(six, sink, 1, 0, n);
      const at = (name: string) => moved.fields[moved.index.get(name)!]!.at!;
      expect(at('lon')).toBe(63);
      expect(calls).toEqual([
        [0, sbits(bytes, at('lat'), 27), sbits(bytes, 63, 28), ubits(bytes, at('heading'), 9), n],
      ]);
    }
    // A field the shortest message does not hold is refused when the extractor is built, not misread later.
    expect(() => compileExtractor({ ...moved, minBits: 100 }, 'positionFast', [{ field: 'heading' }])).toThrow(
      /ends after the shortest message/,
    );
    expect(() => compileExtractor(moved, 'positionFast', [{ field: 'lattitude' }])).toThrow(/no fixed numeric field/);
  });
});
