import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AisMessage } from '../../src/maritime/ais/decoder.js';
import { type AisMeta, accountedLines, NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import { dataPath } from '../../src/paths.js';
import { BitWriter, checksum, prng, sentences } from './encode.js';

interface Got {
  type: number;
  mmsi: number;
  tsMs: number;
  station: string;
  talker: string;
  channel: string;
  firstLine: number;
  lastLine: number;
  json: Record<string, unknown>;
}

function run(input: string | Buffer, chunk = 0) {
  const got: Got[] = [];
  const d = new NmeaAisDecoder({
    onMessage: (m: AisMessage, meta: AisMeta) => got.push({ type: m.type, mmsi: m.mmsi, ...meta, json: m.toObject() }),
  });
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  if (chunk > 0) for (let i = 0; i < buf.length; i += chunk) d.push(buf.subarray(i, i + chunk));
  else d.push(buf);
  d.end();
  expect(accountedLines(d.counters)).toBe(d.counters.lines);
  return { got, c: d.counters };
}

const tag = (body: string) => `\\${body}*${checksum(body)}\\`;
// A two-part type 5 (the classic MT.MITCHELL example sentence pair).
const T5 = [
  '!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E',
  '!AIVDM,2,2,3,B,1@0000000000000,2*55',
];

describe('NMEA sentence layer', () => {
  it('decodes every message of the DMA file and takes $PGHP times', () => {
    const { got, c } = run(readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt')));
    expect(c).toMatchObject({ lines: 8551, timeLines: 4051, messages: 4051, decodedSentences: 4500, badChecksum: 0 });
    expect(got[0]).toMatchObject({ type: 4, mmsi: 2311200, talker: 'AI', channel: 'B', firstLine: 2 });
    expect(new Date(got[0]!.tsMs).toISOString()).toBe('2010-06-11T11:46:11.390Z');
    expect(new Set(got.map((g) => g.talker))).toEqual(new Set(['AI', 'AB', 'BS', 'BY', 'SS', '--']));
  });

  it('gives the same result whatever the chunk boundaries', () => {
    const file = readFileSync(dataPath('ais', 'nmea', 'signalk_nais400-merrimac.log'));
    const whole = run(file);
    const bytewise = run(file, 1);
    const odd = run(file, 977);
    expect(bytewise.got.map((g) => g.json)).toEqual(whole.got.map((g) => g.json));
    expect(odd.c).toEqual(whole.c);
  });

  it('uses GPS RMC/ZDA times in the SignalK logs', () => {
    const { got, c } = run(readFileSync(dataPath('ais', 'nmea', 'signalk_nais300-merrimac.log')));
    expect(c.timeLines).toBe(10);
    const timed = got.filter((g) => !Number.isNaN(g.tsMs));
    expect(new Date(timed[0]!.tsMs).toISOString()).toBe('2012-06-18T16:33:18.000Z');
    expect(new Date(timed.at(-1)!.tsMs).toISOString()).toBe('2012-06-18T16:33:27.000Z');
  });

  it('reads tag blocks (s:, c:) and reassembles a g: group', () => {
    const lines = [`${tag('g:1-2-4711,s:r003669945,c:1241544035')}${T5[0]}`, `${tag('g:2-2-4711')}${T5[1]}`];
    const { got, c } = run(lines.join('\r\n'));
    expect(c).toMatchObject({ messages: 1, decodedSentences: 2, incomplete: 0 });
    expect(got[0]).toMatchObject({ type: 5, station: 'r003669945', tsMs: 1241544035000, firstLine: 1, lastLine: 2 });
    expect(got[0]!.json).toMatchObject({
      mmsi: 369190000,
      shipname: 'MT.MITCHELL',
      destination: 'SEATTLE',
      callsign: 'WDA9674',
    });
  });

  it('takes a leading or trailing unix time', () => {
    const s = sentences(new BitWriter().put(1, 6).put(0, 2).put(445123456, 30).padTo(168).bits)[0]!;
    const { got } = run(`1714521600.250 ${s}\n${s},1714521601\n${s}\n`);
    expect(got.map((g) => g.tsMs)).toEqual([1714521600250, 1714521601000, Number.NaN]);
  });

  it('counts bad lines by reason', () => {
    const good = sentences(new BitWriter().put(1, 6).put(0, 2).put(445123456, 30).padTo(168).bits)[0]!;
    const badSum = `${good.slice(0, -2)}00`;
    const short = sentences(new BitWriter().put(1, 6).put(0, 2).put(445123456, 30).padTo(100).bits)[0]!;
    const unknown = sentences(new BitWriter().put(30, 6).put(0, 2).put(445123456, 30).padTo(168).bits)[0]!;
    const badFillBody = good.slice(1, good.lastIndexOf(',')) + ',7';
    const badFill = `!${badFillBody}*${checksum(badFillBody)}`;
    const badCharBody = good.slice(1, good.indexOf('*')).replace(/,A,(.)/, ',A,~');
    const badChar = `!${badCharBody}*${checksum(badCharBody)}`;
    const { c } = run(
      [
        good,
        badSum,
        short,
        unknown,
        badFill,
        badChar,
        '',
        'garbage line',
        '$GPGLL,5310.813,N,00525.703,E,163318,A*2F',
        '!AIVDM,1,1,,A',
      ].join('\n'),
    );
    expect(c).toMatchObject({
      lines: 10,
      messages: 1,
      badChecksum: 1,
      tooShort: 1,
      unknownType: 1,
      malformed: 4,
      blank: 1,
    });
    expect(c.otherSentences + c.badChecksum).toBeGreaterThanOrEqual(1);
  });

  it('drops orphaned, out-of-order and stale fragments, and keeps interleaved sequences apart', () => {
    const { c: orphan } = run([T5[1], T5[0]].join('\n'));
    expect(orphan).toMatchObject({ messages: 0, incomplete: 2 });
    // Two multi-part messages interleaved on one channel with different sequence ids both decode (gpsd cannot).
    const other = sentences(new BitWriter().put(5, 6).put(0, 2).put(235000001, 30).padTo(424).bits, {
      channel: 'B',
      seq: 7,
    });
    const { got, c } = run([T5[0], other[0], T5[1], other[1]].join('\n'));
    expect(c).toMatchObject({ messages: 2, incomplete: 0 });
    expect(got.map((g) => g.mmsi).sort()).toEqual([235000001, 369190000]);
    // A first fragment whose second never comes within 100 lines is evicted and counted.
    const filler = new Array(150).fill('$GPTXT,01,01,02,filler*00');
    const { c: stale } = run([T5[0], ...filler, T5[0], T5[1]].join('\n'));
    expect(stale).toMatchObject({ messages: 1, incomplete: 1 });
  });

  it('survives a 10 MB line and decodes what follows', () => {
    const good = sentences(new BitWriter().put(1, 6).put(0, 2).put(445123456, 30).padTo(168).bits)[0]!;
    const huge = `!AIVDM,1,1,,A,${'5'.repeat(10 * 1024 * 1024)},0*00`;
    const input = Buffer.from(`${good}\n${huge}\n${good}\n`);
    const { c } = run(input, 65536);
    expect(c).toMatchObject({ lines: 3, messages: 2, malformed: 1 });
  });

  it('decodes plain lines in one pass exactly as the general line path does', () => {
    // Real sentences, many with mutated payload, fill or length but a valid checksum, plus edge cases of the
    // one-pass scanner: CR LF, trailing blanks or time, lower-case checksum, '*' inside, bad hex, over-long.
    const files = ['dma-aislib_stream_example.txt', 'signalk_nais400-merrimac.log'];
    const base = files.flatMap((f) => readFileSync(dataPath('ais', 'nmea', f), 'latin1').split('\n')).filter(Boolean);
    const rnd = prng(77);
    const ARM = '0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw';
    const lines: string[] = [];
    for (let n = 0; n < 20000; n++) {
      const l = base[Math.floor(rnd() * base.length)]!;
      const m = /^!([A-Z-]{2}VD[MO]),(\d),(\d),(\d?),([AB12]?),([^,]*),(\d)\*[0-9A-F]{2}$/.exec(l);
      if (!m || rnd() < 0.3) {
        lines.push(l);
        continue;
      }
      let payload = m[6]!;
      let fill = m[7]!;
      const r = rnd();
      if (r < 0.5) {
        const a = payload.split('');
        a[Math.floor(rnd() * a.length)] = ARM[Math.floor(rnd() * 64)]!;
        payload = a.join('');
      } else if (r < 0.7) payload = payload.slice(0, Math.floor(rnd() * payload.length));
      else if (r < 0.85) fill = String(Math.floor(rnd() * 7));
      else payload += ARM[Math.floor(rnd() * 64)]!.repeat(Math.floor(rnd() * 40));
      const body = `${m[1]},${m[2]},${m[3]},${m[4]},${m[5]},${payload},${fill}`;
      lines.push(`!${body}*${checksum(body)}`);
    }
    const ok = '!AIVDM,1,1,,A,33nr7t001f13KNTOahh2@QpF00vh,0*58';
    lines.push(`${ok}\r`, `${ok} `, `${ok}\t\r`, `${ok},1276256771`, ok.replace('*58', '*5x'), ok.toLowerCase());
    lines.push(`${ok.slice(0, 20)}*${ok.slice(20)}`, `!AIVDM,1,1,,A,${'5'.repeat(5000)},0*00`, '$PGHP*00', '!*');
    const text = `${lines.join('\n')}\n`;
    const fast = run(text);
    const general: Got[] = [];
    const d = new NmeaAisDecoder({
      onMessage: (m: AisMessage, meta: AisMeta) =>
        general.push({ type: m.type, mmsi: m.mmsi, ...meta, json: m.toObject() }),
    });
    const buf = Buffer.from(text, 'latin1');
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      d.pushLine(buf, start, nl);
      start = nl + 1;
    }
    d.end();
    expect(fast.c).toEqual(d.counters);
    expect(fast.got).toEqual(general);
    expect(fast.c).toMatchObject({ lines: 20010, timeLines: 8708, messages: 7395, badChecksum: 2, malformed: 861 });
    expect(fast.c.tooShort).toBeGreaterThan(1000);
    // and in chunks that split lines everywhere
    const chunked = run(Buffer.from(text, 'latin1'), 4093);
    expect(chunked.c).toEqual(fast.c);
    expect(chunked.got.map((g) => g.json)).toEqual(fast.got.map((g) => g.json));
  });
});
