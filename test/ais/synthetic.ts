/**
 * Synthetic AIS messages of every type and binary application sub-type, with random field values from a seeded
 * PRNG, written through the same field tables the decoder reads. Their decodings are checked against gpsdecode
 * (fixtures/ais/synthetic.gpsdecode.jsonl), which is the independent oracle.
 */
import { HEADER_BITS } from '../../src/maritime/ais/tables/index.js';
import { BitWriter, prng, sentences } from './encode.js';

interface Case {
  type: number;
  bits: number;
  /** Fixed values at absolute bit offsets: [start, width, value]. */
  set?: Array<[number, number, number]>;
}

/** Every layout we decode, with a typical length. */
export const CASES: Case[] = [
  { type: 1, bits: 168 },
  { type: 2, bits: 168 },
  { type: 3, bits: 168 },
  { type: 4, bits: 168 },
  { type: 5, bits: 424 },
  {
    type: 6,
    bits: 88 + 80,
    set: [
      [72, 10, 366],
      [82, 6, 1],
    ],
  },
  {
    type: 6,
    bits: 248,
    set: [
      [72, 10, 200],
      [82, 6, 21],
    ],
  },
  {
    type: 6,
    bits: 232,
    set: [
      [72, 10, 200],
      [82, 6, 22],
      [228, 2, 1],
    ],
  },
  {
    type: 6,
    bits: 168,
    set: [
      [72, 10, 200],
      [82, 6, 55],
    ],
  },
  {
    type: 6,
    bits: 136,
    set: [
      [72, 10, 235],
      [82, 6, 10],
    ],
  },
  {
    type: 6,
    bits: 360,
    set: [
      [72, 10, 1],
      [82, 6, 12],
    ],
  },
  {
    type: 6,
    bits: 360,
    set: [
      [72, 10, 1],
      [82, 6, 18],
    ],
  },
  {
    type: 6,
    bits: 360,
    set: [
      [72, 10, 1],
      [82, 6, 20],
      [115, 3, 2],
    ],
  },
  {
    type: 6,
    bits: 168,
    set: [
      [72, 10, 1],
      [82, 6, 25],
    ],
  },
  {
    type: 6,
    bits: 149 + 2 * 55,
    set: [
      [72, 10, 1],
      [82, 6, 28],
      [101, 5, 2],
      [144, 5, 2],
    ],
  },
  {
    type: 6,
    bits: 98 + 60,
    set: [
      [72, 10, 1],
      [82, 6, 30],
    ],
  },
  {
    type: 6,
    bits: 97 + 2 * 88,
    set: [
      [72, 10, 1],
      [82, 6, 32],
    ],
  },
  { type: 7, bits: 168 },
  { type: 7, bits: 72 },
  {
    type: 8,
    bits: 56 + 100,
    set: [
      [40, 10, 366],
      [50, 6, 56],
    ],
  },
  {
    type: 8,
    bits: 352,
    set: [
      [40, 10, 1],
      [50, 6, 11],
      [190, 2, 1],
      [209, 2, 2],
      [332, 3, 1],
      [344, 2, 1],
    ],
  },
  {
    type: 8,
    bits: 472,
    set: [
      [40, 10, 1],
      [50, 6, 13],
    ],
  },
  {
    type: 8,
    bits: 72,
    set: [
      [40, 10, 1],
      [50, 6, 15],
    ],
  },
  {
    type: 8,
    bits: 56 + 122,
    set: [
      [40, 10, 1],
      [50, 6, 17],
      [56, 2, 0],
    ],
  },
  {
    type: 8,
    bits: 360,
    set: [
      [40, 10, 1],
      [50, 6, 19],
      [237, 5, 3],
      [253, 5, 4],
    ],
  },
  {
    type: 8,
    bits: 117 + 3 * 55,
    set: [
      [40, 10, 1],
      [50, 6, 27],
      [69, 5, 1],
      [112, 5, 3],
    ],
  },
  {
    type: 8,
    bits: 66 + 72,
    set: [
      [40, 10, 1],
      [50, 6, 29],
    ],
  },
  {
    type: 8,
    bits: 360,
    set: [
      [40, 10, 1],
      [50, 6, 31],
      [191, 2, 0],
      [213, 2, 1],
      [201, 12, 1500],
      [336, 3, 2],
      [348, 2, 0],
    ],
  },
  {
    type: 8,
    bits: 168,
    set: [
      [40, 10, 200],
      [50, 6, 10],
      [141, 3, 2],
      [127, 14, 8022],
      [155, 2, 1],
    ],
  },
  {
    type: 8,
    bits: 168,
    set: [
      [40, 10, 200],
      [50, 6, 24],
    ],
  },
  {
    type: 8,
    bits: 168,
    set: [
      [40, 10, 200],
      [50, 6, 40],
      [124, 3, 1],
      [127, 30, 4],
    ],
  },
  { type: 9, bits: 168 },
  { type: 10, bits: 72 },
  { type: 11, bits: 168 },
  { type: 12, bits: 72 + 60 },
  { type: 13, bits: 104 },
  { type: 14, bits: 40 + 90 },
  { type: 15, bits: 160 },
  { type: 15, bits: 88 },
  { type: 16, bits: 144 },
  { type: 16, bits: 96 },
  { type: 17, bits: 80 + 96 },
  { type: 18, bits: 168 },
  { type: 19, bits: 312 },
  { type: 20, bits: 160 },
  { type: 21, bits: 272 },
  { type: 21, bits: 272 + 60 },
  { type: 22, bits: 168, set: [[139, 1, 0]] },
  { type: 22, bits: 168, set: [[139, 1, 1]] },
  { type: 23, bits: 160 },
  { type: 24, bits: 160, set: [[38, 2, 0]] },
  { type: 24, bits: 168, set: [[38, 2, 1]] },
  { type: 25, bits: 40 + 64, set: [[38, 2, 0]] },
  { type: 25, bits: 40 + 16 + 64, set: [[38, 2, 1]] },
  { type: 25, bits: 40 + 30 + 64, set: [[38, 2, 2]] },
  { type: 25, bits: 168, set: [[38, 2, 3]] },
  { type: 26, bits: 60 + 96, set: [[38, 2, 0]] },
  { type: 26, bits: 60 + 46 + 96, set: [[38, 2, 3]] },
  { type: 27, bits: 96 },
];

/** NMEA lines for `copies` random messages of each case (type 24 part A followed by part B of the same MMSI). */
export function syntheticNmea(seed = 4, copies = 3): string[] {
  const rnd = prng(seed);
  const lines: string[] = [];
  let seq = 0;
  for (const c of CASES) {
    for (let k = 0; k < copies; k++) {
      const w = new BitWriter();
      w.put(c.type, 6).put(0, 2);
      const mmsi = 200000000 + Math.floor(rnd() * 500000000);
      w.put(c.type === 24 ? 211000000 + k : mmsi, 30);
      while (w.bits.length < c.bits) w.bits.push(rnd() < 0.5 ? 0 : 1);
      for (const [start, width, value] of c.set ?? []) w.setAt(start, value, width);
      // Keep six-bit text readable: no '@' runs are needed, random bits are fine for gpsd and for us.
      void HEADER_BITS;
      seq = (seq % 9) + 1;
      lines.push(...sentences(w.bits, { channel: k % 2 ? 'B' : 'A', seq }));
    }
  }
  return lines;
}
