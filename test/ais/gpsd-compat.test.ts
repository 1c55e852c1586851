import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeToStream } from '../../src/maritime/ais/stream.js';
import { dataPath } from '../../src/paths.js';
import { compareWithGpsd, decodeFileLines, GPSD_REJECTED_TALKERS, readFixture } from './gpsd.js';

const FILES = [
  ['dma-aislib_stream_example.txt', 'dma-aislib_stream_example'],
  ['signalk_gofree-merrimac.log', 'signalk_gofree-merrimac'],
  ['signalk_nais300-merrimac.log', 'signalk_nais300-merrimac'],
  ['signalk_nais400-merrimac.log', 'signalk_nais400-merrimac'],
] as const;

/** Messages gpsdecode prints per file (counted from the committed fixtures), and the ones only we decode. */
const EXPECTED: Record<string, { gpsd: number; rejectedTalker: number }> = {
  'dma-aislib_stream_example': { gpsd: 3951, rejectedTalker: 33 },
  'signalk_gofree-merrimac': { gpsd: 1453, rejectedTalker: 0 },
  'signalk_nais300-merrimac': { gpsd: 536, rejectedTalker: 0 },
  'signalk_nais400-merrimac': { gpsd: 665, rejectedTalker: 0 },
};

describe('gpsd compatibility (--gpsd-compat 3.22) on the real NMEA files (fixtures from gpsdecode 3.22)', () => {
  for (const [file, base] of FILES) {
    for (const scaled of [true, false]) {
      it(`${file} ${scaled ? '-j' : '-u -j'}: equal field for field`, () => {
        const ours = decodeFileLines(readFileSync(dataPath('ais', 'nmea', file)), scaled, '3.22');
        const r = compareWithGpsd(readFixture(`${base}.gpsdecode${scaled ? '' : '-u'}.jsonl`), ours);
        expect(r.unexpected).toEqual([]);
        expect(r.gpsdLines).toBe(EXPECTED[base]!.gpsd);
        expect(r.gpsdInvalid).toBe(0);
        expect(r.matched).toBe(EXPECTED[base]!.gpsd);
        expect(r.oursOnly).toEqual({ rejectedTalker: EXPECTED[base]!.rejectedTalker, gpsdInvalid: 0, other: 0 });
        // The only documented difference on real data: gpsd squares the rate of turn and loses its sign.
        expect(Object.keys(r.documented).filter((k) => k !== 'turn sign')).toEqual([]);
        if (!scaled) expect(r.documented).toEqual({});
      });
    }
  }

  it('unscaled output is byte-identical to gpsdecode -u -j (talkers gpsd accepts)', () => {
    for (const [file, base] of FILES) {
      const ours = decodeFileLines(readFileSync(dataPath('ais', 'nmea', file)), false, '3.22')
        .filter((l) => !GPSD_REJECTED_TALKERS.has(l.talker))
        .map((l) => `${l.json}\r\n`)
        .join('');
      expect(ours).toBe(readFixture(`${base}.gpsdecode-u.jsonl`));
    }
  });

  it('known values: first DMA position report and a merged type 24', () => {
    const ours = decodeFileLines(readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt')), true, '3.22');
    const t3 = JSON.parse(ours.find((l) => l.json.includes('"mmsi":258902000'))!.json);
    expect(t3).toMatchObject({
      type: 3,
      status: 0,
      status_text: 'Under way using engine',
      speed: 11,
      lon: 14.730163,
      lat: 55.3168,
      course: 57.8,
      heading: 60,
    });
    const t24 = JSON.parse(ours.find((l) => l.json.includes('"type":24') && l.json.includes('219009236'))!.json);
    expect(t24).toMatchObject({
      shipname: 'SNOWFLAKE H36',
      callsign: 'XP3498',
      vendorid: 'FEC0001',
      model: 12,
      serial: 199729,
    });
  });
});

describe('gpsd compatibility on synthetic messages of every type and binary sub-type', () => {
  for (const scaled of [true, false]) {
    it(`synthetic.nmea ${scaled ? '-j' : '-u -j'}`, () => {
      const ours = decodeFileLines(readFixture('synthetic.nmea'), scaled, '3.22');
      const r = compareWithGpsd(readFixture(`synthetic.gpsdecode${scaled ? '' : '-u'}.jsonl`), ours);
      expect(r.unexpected).toEqual([]);
      // gpsd prints invalid JSON for DAC 200 FID 21/22 text with '"' and for DAC 1 FID 19 (missing comma).
      expect(r.gpsdInvalid).toBe(6);
      expect(r.oursOnly).toEqual({ rejectedTalker: 0, gpsdInvalid: 6, other: 0 });
      expect(r.matched).toBe(168);
      const types = new Set(ours.map((l) => JSON.parse(l.json).type as number));
      expect([...types].sort((a, b) => a - b)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
      expect(r.documented['dac1fid17 42-bit id']).toBe(3);
      expect(r.documented['type 26 radio']).toBe(6);
    });
  }
});

describe('`ais decode` output (whole-line writers, double-buffered stream)', () => {
  it('is byte for byte the message-by-message gpsd JSON, scaled and unscaled, on every file', async () => {
    const inputs = [...FILES.map(([f]) => readFileSync(dataPath('ais', 'nmea', f))), readFixture('synthetic.nmea')];
    for (const input of inputs) {
      for (const scaled of [true, false]) {
        const chunks: Buffer[] = [];
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(Buffer.from(chunk));
            cb();
          },
        });
        // Small pieces, so lines straddle chunks; the output side flushes only at the end here.
        const pieces = (async function* () {
          const b = Buffer.from(input);
          for (let i = 0; i < b.length; i += 1000) yield b.subarray(i, i + 1000);
        })();
        const counters = await decodeToStream(pieces, sink, { scaled, gpsdCompat: '3.22' });
        const expected = decodeFileLines(input, scaled, '3.22')
          .map((l) => `${l.json}\r\n`)
          .join('');
        expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
        expect(counters.messages).toBeGreaterThan(100);
      }
    }
  });
});

const gpsdecode = spawnSync('gpsdecode', ['-V'], { encoding: 'utf8' });
const haveGpsdecode = gpsdecode.status === 0;

describe.runIf(haveGpsdecode)('live gpsdecode cross-check (gpsdecode is installed)', () => {
  it('decodes the DMA file like the gpsdecode on this machine', () => {
    const file = dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt');
    const input = readFileSync(file);
    const live = spawnSync('gpsdecode', ['-j'], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(live.status).toBe(0);
    const r = compareWithGpsd(live.stdout, decodeFileLines(input, true, '3.22'));
    expect(r.unexpected).toEqual([]);
    expect(r.matched).toBe(r.gpsdLines - r.gpsdInvalid);
    expect(r.matched).toBeGreaterThan(3900);
  });
});
