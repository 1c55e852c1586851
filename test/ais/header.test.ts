import { describe, expect, it } from 'vitest';
import { BitVector, ubits } from '../../src/maritime/ais/bits.js';
import { fieldReader, mmsiOf, repeatOf, typeOf } from '../../src/maritime/ais/decoder.js';
import { encodePayload, encodeSixbit } from '../../src/maritime/ais/encode.js';
import { TYPE_CHAR } from '../../src/maritime/ais/fast-fields.js';
import { compile, u } from '../../src/maritime/ais/table.js';
import { HEADER, HEADER_BITS, TABLES } from '../../src/maritime/ais/tables/index.js';
import { prng } from './encode.js';

/**
 * The message header (type, repeat indicator, MMSI) is declared once, in tables/index.ts: the decoder's and the fast
 * path's readers are generated from that declaration, and the encoder writes it from the same one.
 */
describe('AIS message header from the tables', () => {
  it('declares type 6 bits, repeat 2 bits and MMSI 30 bits, 38 bits in all', () => {
    expect(HEADER.fields.map((f) => [f.name, f.at, f.bits])).toEqual([
      ['type', 0, 6],
      ['repeat', 6, 2],
      ['mmsi', 8, 30],
    ]);
    expect(HEADER_BITS).toBe(38);
    expect(TYPE_CHAR).toBe(0);
  });

  it('reads back what the encoder wrote, for every type, repeat indicator and random MMSIs', () => {
    const rnd = prng(17);
    for (let type = 1; type <= 27; type++) {
      const table = TABLES[type] ?? TABLES[1]!;
      for (let repeat = 0; repeat < 4; repeat++) {
        const mmsi = Math.floor(rnd() * 2 ** 30);
        const { payload, fill } = encodePayload(table, { type, repeat, mmsi }, {});
        const bits = new BitVector();
        bits.appendArmored(Buffer.from(payload, 'latin1'), 0, payload.length);
        bits.setFill(fill);
        expect([typeOf(bits.bytes), repeatOf(bits.bytes), mmsiOf(bits.bytes)]).toEqual([type, repeat, mmsi]);
        expect(encodeSixbit(table, { type, repeat, mmsi }, {})[TYPE_CHAR]).toBe(type);
      }
    }
  });

  it('generates a reader for any fixed unsigned field of a table, equal to reading the bits one by one', () => {
    const t = compile({ title: 'test', entries: [u('a', 3), u('b', 17), u('c', 31, { at: 41 })] });
    const rnd = prng(5);
    const bytes = Uint8Array.from({ length: 12 }, () => Math.floor(rnd() * 256));
    expect(fieldReader(t, 'a')(bytes)).toBe(ubits(bytes, 0, 3));
    expect(fieldReader(t, 'b')(bytes)).toBe(ubits(bytes, 3, 17));
    expect(fieldReader(t, 'c')(bytes)).toBe(ubits(bytes, 41, 31));
    expect(() => fieldReader(t, 'd')).toThrow('has no fixed unsigned field "d"');
  });
});
