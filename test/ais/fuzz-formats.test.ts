import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NmeaPositionReader } from '../../src/maritime/ais/fast-positions.js';
import { accountedLines, NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import { AisRowBuilder } from '../../src/maritime/store/rows.js';
import { dataPath } from '../../src/paths.js';
import { checksum, prng } from './encode.js';
import { readFixture } from './gpsd.js';

/**
 * Fuzz of the line forms around the sentence: USCG NAIS fields after the checksum and ISO-8601 times before it,
 * intact and mutated (truncated, a byte replaced, fields dropped or garbled, implausible times). The decoder must
 * never throw and must account for every line; the import's fast path must store exactly what the decoder gives.
 */
function rows(b: AisRowBuilder): string[] {
  const p = b.positions;
  const cols = p.batch().columns;
  const out: string[] = [];
  for (let i = 0; i < p.length; i++)
    out.push(
      cols
        .slice(0, 10)
        .map((c) => String(c[i]))
        .join(','),
    );
  return out;
}

describe('fuzzing the NAIS and ISO-time line forms', () => {
  it('200,000 intact and mutated lines: no throw, every line counted, fast path equal to the decoder', () => {
    const nais = readFixture('uscg-nais.nmea').split('\n').filter(Boolean);
    const dma = readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'), 'latin1')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('!'));
    const rnd = prng(17);
    const int = (n: number) => Math.floor(rnd() * n);
    const iso = (ms: number) => new Date(ms).toISOString();
    const fields = [
      's27064',
      'd-106',
      't000113.82',
      'T28.09677041',
      'S1053',
      'x3',
      'r003669945',
      'b003669979',
      'D08MN',
    ];
    const out: string[] = [];
    let t = Date.UTC(2015, 3, 12);
    while (out.length < 200_000) {
      t += 1000;
      const s = dma[int(dma.length)]!;
      const r = rnd();
      let line: string;
      if (r < 0.2) line = nais[int(nais.length)]!;
      else if (r < 0.4) {
        // a DMA sentence with NAIS fields: some of them, in any order, and the time (or not)
        const f = fields.filter(() => rnd() < 0.5);
        line = `${s},${[...f, ...(rnd() < 0.8 ? [String(t / 1000)] : [])].join(',') || 'r1'}`;
      } else if (r < 0.6) {
        const z = iso(t);
        const forms = [`${z} `, `${z.slice(0, 10)} ${z.slice(11, 19)},`, `[${z.slice(0, 10)} ${z.slice(11, 19)}] `];
        line = `${forms[int(3)]!}${s}`;
      } else if (r < 0.7) line = `${(t / 1000).toFixed(3)} ${s}`;
      else if (r < 0.75) {
        // implausible times in each place
        const bad = ['99999999999999999999 ', '3000-01-01T00:00:00Z ', '[1970-01-01 00:00:00] '][int(3)]!;
        line = rnd() < 0.5 ? `${bad}${s}` : `${s},${['32503680000', '12345678901234567890', '100'][int(3)]}`;
        if (rnd() < 0.3) line = `\\c:32503680000*${checksum('c:32503680000')}\\${s}`;
      } else {
        // a mutation of any of the above: truncated, a byte replaced, or a field garbled
        const base = rnd() < 0.5 ? nais[int(nais.length)]! : `${iso(t)} ${s}`;
        const k = int(base.length);
        const m = rnd();
        if (m < 0.3) line = base.slice(0, k);
        else if (m < 0.7) line = base.slice(0, k) + String.fromCharCode(11 + int(245)) + base.slice(k + 1);
        else line = `${base},${String.fromCharCode(33 + int(90))}${int(1000)}`;
      }
      out.push(line);
    }
    const text = Buffer.from(`${out.join('\n')}\n`, 'latin1');

    const b1 = new AisRowBuilder('t', { capacity: 1024 });
    const d = new NmeaAisDecoder({
      onMessage: (m, meta) => {
        if (!Number.isNaN(meta.tsMs)) b1.addMessage(m, meta.tsMs, meta.lastLine);
      },
    });
    const b2 = new AisRowBuilder('t', { capacity: 1024 });
    const f = new NmeaPositionReader(b2, {
      onMessage: (m, meta) => {
        if (!Number.isNaN(meta.tsMs)) b2.addMessage(m, meta.tsMs, meta.lastLine);
      },
    });
    for (let k = 0; k < text.length; k += 65536) {
      d.push(text.subarray(k, k + 65536));
      f.push(text.subarray(k, k + 65536));
    }
    d.end();
    f.end();
    const c = d.counters;
    expect(c.lines).toBe(200_000);
    expect(accountedLines(c)).toBe(c.lines);
    expect(c.messages).toBeGreaterThan(100_000);
    expect(c.malformed).toBeGreaterThan(10_000);
    expect(d.badLines).toHaveLength(10);
    expect(f.counters).toEqual(c);
    const r1 = rows(b1);
    expect(r1.length).toBeGreaterThan(50_000);
    expect(rows(b2)).toEqual(r1);
    // No stored time outside the plausible window.
    const ts = b1.positions.batch().columns[1]!;
    let max = 0;
    for (let i = 0; i < b1.positions.length; i++) max = Math.max(max, Number(ts[i]));
    expect(max).toBeLessThanOrEqual(d.latestPlausibleMs);
    expect(max).toBeGreaterThan(Date.UTC(2015, 0, 1));
  });
});
