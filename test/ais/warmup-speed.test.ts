import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNmeaFile, warmUpText } from '../../src/ingest/ais-nmea-decode.js';
import { NmeaPositionReader } from '../../src/maritime/ais/fast-positions.js';
import { AisRowBuilder } from '../../src/maritime/store/rows.js';

/**
 * decodeNmeaFile first runs its code over a few lines of every kind (so V8 has type feedback for every branch before
 * it optimises); those lines must reach every path of the fast reader, and must not change any result.
 */
describe('NMEA decode warm-up', () => {
  it('covers every path of the fast reader', () => {
    const b = new AisRowBuilder('', { capacity: 256 });
    let slow = 0;
    const r = new NmeaPositionReader(b, {
      onMessage: (m, meta) => {
        slow++;
        if (!Number.isNaN(meta.tsMs)) b.addMessage(m, meta.tsMs, meta.lastLine);
      },
    });
    r.push(Buffer.from(warmUpText(), 'latin1'));
    r.end();
    const c = r.counters;
    expect(c.lines).toBe(28);
    expect(c.blank).toBe(1);
    expect(c.timeLines).toBe(1); // $PGHP
    expect(c.badChecksum).toBe(1);
    expect(c.malformed).toBe(1); // '^' in the payload
    // Taken by the fast path: 17 single-sentence messages (types 1, 3, 4, 8, 15, 18, 21, 27; leading, trailing,
    // tag-block and $PGHP times), and the three type 5 pairs, one of them a repeat counted without decoding.
    expect(r.fastMessages).toBe(17);
    expect(r.pairMessages).toBe(3);
    expect(r.staticRepeats).toBe(1);
    expect(slow).toBe(3); // two type 5 decoded, and the type 24 (left to the full decoder)
    expect(c.messages).toBe(r.fastMessages + r.pairMessages + 1);
    const res = b.result();
    expect(res.counters.positions).toBe(11); // 12 position reports, one of them repeated
    expect(res.counters.duplicates).toBe(1);
    expect(res.counters.staticRows).toBe(3); // type 5 at two times more than an hour apart, type 24
    expect(res.counters.staticRepeats).toBe(1);
  });

  it('leaves the results of the first file decoded as they are without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-warm-'));
    try {
      const file = join(dir, 'a.nmea');
      writeFileSync(file, warmUpText(), 'latin1');
      const once = async (): Promise<unknown> => {
        const b = new AisRowBuilder('', { capacity: 256 });
        const counters = await decodeNmeaFile(file, b, { syncReads: true }, () => undefined);
        return { counters, result: b.result(), rows: b.positions.length };
      };
      const first = await once(); // (the warm-up runs before this one only)
      expect(await once()).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
