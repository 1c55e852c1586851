import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accountedLines, NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import { dataPath } from '../../src/paths.js';
import { prng } from './encode.js';

/**
 * Fuzz: more than a million mutated and random sentences built from the real DMA file (truncated, flipped bytes,
 * wrong fill bits, bad characters, dropped / swapped / orphaned fragments, broken tag blocks, random garbage and
 * one 10 MB line). The decoder must never throw or hang, and every line must land in exactly one counter.
 */
describe('fuzzing the decoder', () => {
  it('decodes 1,000,000+ mutated and random lines without a throw, accounting for every line', () => {
    const base = readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'), 'latin1')
      .split('\n')
      .filter((l) => l.startsWith('!'));
    const rnd = prng(20240501);
    const pick = () => base[Math.floor(rnd() * base.length)]!;
    const parts = base.filter((l) => /^![A-Z-]{2}VD[MO],2,/.test(l));
    const TOTAL = 1_050_000;
    const decoder = new NmeaAisDecoder({
      onMessage: (msg) => {
        // Render every 4th message (fuzzes the JSON writer too) and check that the JSON parses.
        if (msg.mmsi < 0 || msg.type < 1 || msg.type > 27) messages.bad++;
        if (messages.n++ % 4 === 0 && (JSON.parse(msg.toJSON()) as { mmsi: number }).mmsi !== msg.mmsi) messages.bad++;
      },
    });
    const messages = { bad: 0, n: 0 };
    const chunk = Buffer.alloc(1 << 22);
    let pos = 0;
    let lines = 0;
    const flush = () => {
      decoder.push(chunk.subarray(0, pos));
      pos = 0;
    };
    const emit = (s: string) => {
      if (s.length >= chunk.length / 2) {
        flush();
        // The 10 MB line goes in several pushes, as it would from a stream.
        const big = Buffer.from(`${s}\n`, 'latin1');
        for (let k = 0; k < big.length; k += 1 << 20) decoder.push(big.subarray(k, k + (1 << 20)));
        lines++;
        return;
      }
      if (pos + s.length + 1 > chunk.length) flush();
      pos += chunk.write(s, pos, 'latin1');
      chunk[pos++] = 10;
      lines++;
    };
    let tenMb = false;
    while (lines < TOTAL) {
      const r = rnd();
      const s = pick();
      if (r < 0.2) emit(s);
      else if (r < 0.35) emit(s.slice(0, Math.floor(rnd() * s.length)));
      else if (r < 0.5) {
        const i = Math.floor(rnd() * s.length);
        // any byte but a newline (which would split the line in two)
        emit(s.slice(0, i) + String.fromCharCode(11 + Math.floor(rnd() * 245)) + s.slice(i + 1));
      } else if (r < 0.6) emit(s.replace(/,(\d)\*/, `,${Math.floor(rnd() * 10)}*`));
      else if (r < 0.7) {
        // random garbage, sometimes AIS-looking
        let g = rnd() < 0.5 ? '!AIVDM,' : '';
        const n = Math.floor(rnd() * 90);
        for (let k = 0; k < n; k++) g += String.fromCharCode(32 + Math.floor(rnd() * 95));
        emit(g);
      } else if (r < 0.8) {
        // multi-part trouble: orphan second parts, swapped order, duplicated first parts
        const i = Math.floor(rnd() * (parts.length - 1));
        const a = parts[i]!;
        const b = parts[i + 1]!;
        if (rnd() < 0.5) emit(b);
        emit(b);
        emit(a);
      } else if (r < 0.9) {
        // broken tag blocks and timestamps
        const t = ['\\s:x,c:12*00\\', '\\g:1-2-x*', '\\c:notanumber*4F\\', '1714521600 ', '17145x ', '\\\\'][
          Math.floor(rnd() * 6)
        ]!;
        emit(t + s);
      } else if (!tenMb && lines > TOTAL / 2) {
        tenMb = true;
        emit(`!AIVDM,1,1,,A,${'w'.repeat(10 * 1024 * 1024)},0*00`);
      } else emit(s + s);
    }
    flush();
    decoder.end();
    const c = decoder.counters;
    expect(c.lines).toBe(lines);
    expect(lines).toBeGreaterThanOrEqual(1_000_000);
    expect(accountedLines(c)).toBe(c.lines);
    expect(messages.bad).toBe(0);
    expect(c.messages).toBeGreaterThan(100_000);
    for (const k of ['badChecksum', 'malformed', 'incomplete', 'tooShort'] as const) expect(c[k]).toBeGreaterThan(1000);
    expect(tenMb).toBe(true);
  });
});
