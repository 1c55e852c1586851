import { describe, expect, it } from 'vitest';
import { BitVector } from '../../src/maritime/ais/bits.js';
import { AisMessage, decodeInto } from '../../src/maritime/ais/decoder.js';
import { encodePayload, encodeSixbit, type FieldInput, messageBits } from '../../src/maritime/ais/encode.js';
import type { CompiledTable } from '../../src/maritime/ais/table.js';
import { TABLES, TYPE24 } from '../../src/maritime/ais/tables/index.js';
import { prng } from './encode.js';

/** The table-walking encoder writes what the decoder reads back, field by field, from the same tables. */
describe('AIS encoder from the tables', () => {
  const decode = (table: CompiledTable, type: number, mmsi: number, values: FieldInput): AisMessage => {
    const { payload, fill } = encodePayload(table, { type, mmsi }, values);
    const bits = new BitVector();
    bits.appendArmored(Buffer.from(payload, 'latin1'), 0, payload.length);
    bits.setFill(fill);
    const msg = new AisMessage();
    expect(decodeInto(msg, bits.bytes, bits.bitlen)).toBeNull();
    expect(msg.table).toBe(table);
    return msg;
  };

  it('round-trips random values of every numeric and text field of types 1-3, 5, 18, 24 and 27', () => {
    const rnd = prng(3);
    const cases: Array<[number, CompiledTable]> = [
      [1, TABLES[1]!],
      [3, TABLES[3]!],
      [5, TABLES[5]!],
      [18, TABLES[18]!],
      [24, TYPE24.a],
      [24, TYPE24.b],
      [27, TABLES[27]!],
    ];
    for (const [type, table] of cases) {
      for (let n = 0; n < 50; n++) {
        const mmsi = 200_000_000 + Math.floor(rnd() * 500_000_000);
        const values: Record<string, number | string> = {};
        for (const f of table.fields) {
          if (f.kind === 'x' || f.name === 'model' || f.name === 'serial') continue; // (inside the vendor id)
          if (f.kind === 't') values[f.name] = 'ABC XYZ-09'.slice(0, Math.floor(rnd() * (f.bits / 6)));
          else if (f.name === 'partno') values[f.name] = table === TYPE24.a ? 0 : 1;
          else {
            const span = 2 ** f.bits;
            const v = Math.floor(rnd() * span);
            values[f.name] = f.kind === 'i' ? v - span / 2 : v;
          }
        }
        const msg = decode(table, type, mmsi, values);
        expect(msg.mmsi).toBe(mmsi);
        for (const [name, v] of Object.entries(values)) {
          if (typeof v === 'string') expect(msg.text(name), name).toBe(v.trimEnd());
          else expect(msg.raw(name), name).toBe(v);
        }
      }
    }
  });

  it('is as long as the last field or the minimum length, holds numbers to their field and refuses unknown names', () => {
    expect(messageBits(TABLES[5]!)).toBe(424);
    expect(encodePayload(TABLES[5]!, { type: 5, mmsi: 1 }, {}).payload.length).toBe(71);
    expect(encodePayload(TABLES[5]!, { type: 5, mmsi: 1 }, {}).fill).toBe(2);
    expect(messageBits(TYPE24.b)).toBe(168);
    expect(messageBits(TABLES[1]!)).toBe(168);
    // A later field replaces the bits of an earlier one it overlaps (type 24 B's model and serial lie inside the
    // vendor id, as gpsd declares them).
    const six = encodeSixbit(TYPE24.b, { type: 24, mmsi: 1 }, { vendorid: 'WWWWWWW', model: 0, serial: 0 });
    expect(Array.from(six.subarray(8, 15))).toEqual([23, 23, 23, 0, 0, 0, 0]); // 'W' at 48..65, then zeros
    const msg = decode(TABLES[5]!, 5, 1, { to_bow: 900, to_port: -4, shipname: 'lower case ~' });
    expect(msg.raw('to_bow')).toBe(511); // 511 m "or more"
    expect(msg.raw('to_port')).toBe(0);
    expect(msg.text('shipname')).toBe('LOWER CASE'); // '~' is outside the six-bit alphabet: a (trimmed) space
    expect(() => encodeSixbit(TABLES[1]!, { type: 1, mmsi: 1 }, { lattitude: 1 })).toThrow(/no field "lattitude"/);
    expect(() => encodeSixbit(TABLES[1]!, { type: 1, mmsi: 1 }, { lat: 'north' })).toThrow(/cannot be written/);
  });
});
