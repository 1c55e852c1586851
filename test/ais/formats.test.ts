/**
 * Line formats around the NMEA sentence (USCG NAIS fields after the checksum, ISO-8601 times before it), the
 * plausible-time window, the bad-line report, and spreadsheet-safe CSV.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AisMessage } from '../../src/maritime/ais/decoder.js';
import { type AisMeta, accountedLines, NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import { csvField, decodeToStream } from '../../src/maritime/ais/stream.js';
import { dataPath } from '../../src/paths.js';
import { BitWriter, checksum, sentences } from './encode.js';
import { compareWithGpsd, decodeFileLines, readFixture } from './gpsd.js';

interface Got {
  type: number;
  mmsi: number;
  tsMs: number;
  station: string;
  firstLine: number;
  lastLine: number;
  json: string;
}

/** A fixed clock for the plausible window (2026-01-01): tests never depend on the wall clock. */
const NOW = Date.UTC(2026, 0, 1);

function run(text: string) {
  const got: Got[] = [];
  const d = new NmeaAisDecoder({
    nowMs: () => NOW,
    onMessage: (m: AisMessage, meta: AisMeta) =>
      got.push({
        type: m.type,
        mmsi: m.mmsi,
        tsMs: meta.tsMs,
        station: meta.station,
        firstLine: meta.firstLine,
        lastLine: meta.lastLine,
        json: m.toJSON(),
      }),
  });
  d.push(Buffer.from(text, 'latin1'));
  d.end();
  expect(accountedLines(d.counters)).toBe(d.counters.lines);
  return { got, c: d.counters, bad: d.badLines };
}

const NAIS = readFixture('uscg-nais.nmea');
const DMA = readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'), 'latin1');
/** The DMA file's single-sentence AIS lines (no clock of their own). */
const DMA_SINGLE = DMA.split('\n')
  .map((l) => l.trim())
  .filter((l) => /^!AIVDM,1,1,/.test(l));

describe('USCG NAIS lines (fields after the checksum)', () => {
  it('decodes every line gpsd decodes, field for field, and takes station and time from them', () => {
    const { got, c } = run(NAIS);
    expect(c).toMatchObject({ lines: 12, messages: 11, malformed: 0, badChecksum: 0, incomplete: 0 });
    for (const scaled of [true, false]) {
      const r = compareWithGpsd(
        readFixture(`uscg-nais.gpsdecode${scaled ? '' : '-u'}.jsonl`),
        decodeFileLines(NAIS, scaled, '3.22'),
      );
      expect(r.gpsdLines).toBe(11);
      expect(r.matched).toBe(11);
      expect(r.unexpected).toEqual([]);
    }
    const iso = (t: number) => (Number.isNaN(t) ? '' : new Date(t).toISOString());
    expect(got.map((g) => [g.mmsi, g.station, iso(g.tsMs), g.firstLine, g.lastLine])).toEqual([
      [477930000, 'r003669945', '2006-01-05T21:55:15.000Z', 1, 1],
      [257310000, 'D07MN-KW-PRIBS1', '2015-04-12T00:00:00.000Z', 2, 2],
      [3665002, 'r09SIGN1', '2015-04-12T00:00:01.000Z', 3, 3],
      [366898190, 'r3669963', '2015-04-17T16:12:22.000Z', 4, 4],
      [367104840, 'r08ACERDC', '2015-04-17T16:13:43.000Z', 5, 5],
      // two-part type 21: the first fragment's station and time
      [993672065, 'r003669945', '2015-04-17T16:13:44.000Z', 6, 7],
      // the ",b<station>,<unix time>" form
      [36310, 'b003669979', '2010-05-13T00:03:31.000Z', 8, 8],
      [3669739, 'r003669945', '2012-03-21T09:10:42.000Z', 9, 9],
      // a second logger's name and time after the first time: the first logger's time counts
      [3669739, 'r003669945', '2009-10-13T20:40:10.000Z', 10, 10],
      // the short form "s…,d…,T…": no station, no time
      [477930000, '', '', 11, 11],
      [477930000, 'r003669945', '2006-01-05T21:55:15.000Z', 12, 12],
    ]);
  });

  it('counts fields after the checksum that are not NAIS fields as malformed, naming line and reason', () => {
    const line = NAIS.split('\n')[0]!.replace(/,s27064.*/, '');
    const { got, c, bad } = run(
      [`${line},s27064,d-106 bad`, `${line},s27064,,r003669945,1136498115`, `${line},q12,1136498115`, line].join('\n'),
    );
    expect(got).toHaveLength(1);
    expect(c.malformed).toBe(3);
    expect(bad).toEqual(
      [1, 2, 3].map((n) => ({ line: n, kind: 'malformed', reason: 'unreadable fields after the checksum' })),
    );
  });
});

describe('ISO-8601 times before the sentence', () => {
  const lines = DMA_SINGLE.slice(0, 4);
  it('reads "2008-08-12T00:00:00Z !AIVDM", "2008-08-12 00:00:00,!AIVDM", "[2008-08-12 00:00:00] !AIVDM" and variants', () => {
    const text = [
      `2008-08-12T00:00:00Z ${lines[0]}`,
      `2008-08-12 00:00:01,${lines[1]}`,
      `[2008-08-12 00:00:02] ${lines[2]}`,
      `[2008-08-12T00:00:03.250Z]${lines[3]}`,
      `2008-08-12T02:00:04+02:00\t${lines[0]}`,
      `2008-08-12 00:00:05;${lines[1]}`,
    ].join('\n');
    const { got, c } = run(text);
    expect(c).toMatchObject({ lines: 6, messages: 6, malformed: 0 });
    expect(got.map((g) => new Date(g.tsMs).toISOString())).toEqual([
      '2008-08-12T00:00:00.000Z',
      '2008-08-12T00:00:01.000Z',
      '2008-08-12T00:00:02.000Z',
      '2008-08-12T00:00:03.250Z',
      '2008-08-12T00:00:04.000Z',
      '2008-08-12T00:00:05.000Z',
    ]);
    // The messages are the ones the bare sentences give.
    const bare = run(lines.join('\n')).got.map((g) => g.json);
    expect(got.slice(0, 4).map((g) => g.json)).toEqual(bare);
  });

  it('reads a two-part message whose lines start with an ISO time, and refuses broken ISO times', () => {
    const [p1, p2] = DMA.split('\n')
      .map((l) => l.trim())
      .filter((l) => /^!AIVDM,2,[12],/.test(l))
      .slice(0, 2);
    const { got, c, bad } = run(
      [
        `2008-08-12T00:00:00Z ${p1}`,
        `2008-08-12T00:00:00Z ${p2}`,
        `2008-13-12T00:00:00Z ${lines[0]}`,
        `2008-08-12T00:61:00Z ${lines[0]}`,
        `[2008-08-12 00:00:00 ${lines[0]}`,
        `2008-08-12T00:00:00Z`,
      ].join('\n'),
    );
    expect(got.map((g) => [g.type, g.firstLine, g.lastLine, g.tsMs])).toEqual([[5, 1, 2, Date.UTC(2008, 7, 12)]]);
    expect(c.malformed).toBe(4);
    expect(bad.map((b) => [b.line, b.reason])).toEqual(
      [3, 4, 5, 6].map((n) => [n, 'unreadable time before the sentence']),
    );
  });
});

describe('times outside the plausible window', () => {
  const good = DMA_SINGLE.slice(0, 3);
  const tag = (body: string) => `\\${body}*${checksum(body)}\\`;
  it('make only their own line malformed, whatever the source of the time', () => {
    const text = [
      `1700000000.000 ${good[0]}`,
      `12345678901234567890 ${good[1]}`, // 20-digit receiver time
      `${tag('s:x,c:12345678901234567890')}${good[1]}`, // 20-digit tag block c:
      `${good[1]},32503680000`, // the year 3000 after the checksum
      `${tag('c:32503680000')}${good[1]}`, // the year 3000 in a tag block
      `3000-01-01T00:00:00Z ${good[1]}`,
      `${tag('c:946684800')}${good[1]}`, // 2000: fine
      `1989-12-31T23:59:59Z ${good[1]}`, // before 1990
      `${good[1]},${(NOW + 2 * 86400000) / 1000}`, // two days after the clock
      `${good[1]},${(NOW + 3600000) / 1000}`, // an hour after: fine
      `$PGHP,1,3000,1,1,0,0,0,0,219,219,2190047,1,2B*${checksum('PGHP,1,3000,1,1,0,0,0,0,219,219,2190047,1,2B')}`,
      good[2],
    ].join('\n');
    const { got, c, bad } = run(text);
    expect(got.map((g) => [g.firstLine, Number.isNaN(g.tsMs) ? '' : new Date(g.tsMs).toISOString()])).toEqual([
      [1, '2023-11-14T22:13:20.000Z'],
      [7, '2000-01-01T00:00:00.000Z'],
      [10, '2026-01-01T01:00:00.000Z'],
      // no time of its own, and the $PGHP clock of the year 3000 was not taken
      [12, ''],
    ]);
    expect(c.malformed).toBe(8);
    expect(c.timeLines).toBe(0);
    expect(bad.map((b) => b.line)).toEqual([2, 3, 4, 5, 6, 8, 9, 11]);
    expect(bad[2]!.reason).toBe(
      'receiver time after the sentence 3000-01-01T00:00:00.000Z is outside the plausible window (1990 to a day from now)',
    );
    expect(bad[3]!.reason).toContain('tag block c: time 3000-01-01T00:00:00.000Z');
  });

  it('ais decode --format csv writes every other row when one line has a 20-digit time', async () => {
    const text = [`1700000000.000 ${good[0]}`, `12345678901234567890 ${good[1]}`, `1700000001.000 ${good[2]}`].join(
      '\n',
    );
    const { csv, counters } = await decodeCsv(text);
    expect(counters.malformed).toBe(1);
    const rows = csv.trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.startsWith('2023-11-14T22:13:20.000Z,')).toBe(true);
    expect(rows[2]!.startsWith('2023-11-14T22:13:21.000Z,')).toBe(true);
  });
});

async function decodeCsv(text: string): Promise<{ csv: string; counters: ReturnType<typeof emptyLike> }> {
  let csv = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      csv += chunk.toString('utf8');
      cb();
    },
  });
  const input = (async function* () {
    yield Buffer.from(text, 'latin1');
  })();
  const counters = await decodeToStream(input, out, { format: 'csv' });
  return { csv, counters };
}
function emptyLike() {
  return new NmeaAisDecoder({ onMessage: () => undefined }).counters;
}

describe('CSV output is safe to open in a spreadsheet (OWASP CSV injection)', () => {
  it('prefixes text starting with =, +, -, @, tab or CR with a single quote; numbers are left alone', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tX')).toBe("'\tX");
    expect(csvField('\rX')).toBe(`"'\rX"`);
    expect(csvField('NORMAL NAME')).toBe('NORMAL NAME');
    expect(csvField('')).toBe('');
  });

  it('a type 5 whose name and destination are formulas is written neutralised', async () => {
    // Type 5 with name "=1+2", call sign "-CMD" and destination "+SUM(A1)" (six-bit text), negative coordinates
    // elsewhere stay numbers.
    const w = new BitWriter()
      .put(5, 6)
      .put(0, 2)
      .put(211234560, 30)
      .put(0, 2)
      .put(9123456, 30)
      .text('-CMD', 7)
      .text('=1+2', 20)
      .put(70, 8)
      .put(10, 9)
      .put(20, 9)
      .put(5, 6)
      .put(5, 6)
      .put(1, 4)
      .put(1, 4)
      .put(2, 5)
      .put(12, 5)
      .put(30, 6)
      .put(60, 8)
      .text('+SUM(A1)', 20)
      .put(0, 1)
      .put(0, 1);
    const lines = sentences(w.bits, { seq: 1 }).map((l) => `1700000000.000 ${l}`);
    const posLine = `1700000000.500 ${DMA_SINGLE.find((l) => l.includes(',A,1') || l.includes(',B,1'))}`;
    const { csv } = await decodeCsv([...lines, posLine].join('\n'));
    const rows = csv.trim().split('\n');
    expect(rows[1]).toBe("2023-11-14T22:13:20.000Z,,AI,A,5,0,211234560,,,,,,,9123456,'-CMD,'=1+2,70,'+SUM(A1)");
    expect(rows).toHaveLength(3);
  });
});
