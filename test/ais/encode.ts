/**
 * Test helpers: an AIS bit writer, six-bit armoring and NMEA sentence framing (with checksums, multi-part split),
 * and a seeded PRNG. Used to build synthetic messages of every type (checked against gpsdecode), fuzz input and
 * live-feed replays.
 */
import { SIXBIT_CHARS } from '../../src/maritime/ais/bits.js';
import { checksumHex, formatSentences } from '../../src/maritime/ais/envelope.js';

export class BitWriter {
  readonly bits: number[] = [];
  put(value: number, width: number): this {
    let v = value < 0 ? value + 2 ** width : value;
    const out: number[] = [];
    for (let i = 0; i < width; i++) {
      out.push(v % 2);
      v = Math.floor(v / 2);
    }
    for (let i = width - 1; i >= 0; i--) this.bits.push(out[i]!);
    return this;
  }
  text(s: string, chars: number): this {
    for (let i = 0; i < chars; i++) {
      const c = i < s.length ? SIXBIT_CHARS.indexOf(s[i]!) : 0;
      this.put(c < 0 ? 32 : c, 6);
    }
    return this;
  }
  setAt(start: number, value: number, width: number): this {
    const tmp = new BitWriter().put(value, width).bits;
    for (let i = 0; i < width; i++) this.bits[start + i] = tmp[i]!;
    return this;
  }
  padTo(n: number): this {
    while (this.bits.length < n) this.bits.push(0);
    this.bits.length = n;
    return this;
  }
}

/** Six-bit armor: payload characters and the number of fill bits. */
export function armor(bits: number[]): { payload: string; fill: number } {
  const fill = (6 - (bits.length % 6)) % 6;
  const all = [...bits, ...new Array(fill).fill(0)];
  let payload = '';
  for (let i = 0; i < all.length; i += 6) {
    let v = 0;
    for (let k = 0; k < 6; k++) v = v * 2 + all[i + k]!;
    payload += String.fromCharCode(v < 40 ? v + 48 : v + 56);
  }
  return { payload, fill };
}

/** The NMEA checksum of a body (the envelope's rule). */
export const checksum = checksumHex;

/** `!AIVDM` sentences for a payload (split into fragments of at most `maxChars` payload characters). */
export function sentences(
  bits: number[],
  opts: { talker?: string; channel?: string; seq?: number; maxChars?: number; vdo?: boolean } = {},
): string[] {
  const { payload, fill } = armor(bits);
  return formatSentences(payload, fill, { ...opts, own: opts.vdo });
}

/** Mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The DMA file's AIS sentences repeated `reps` times, each repetition shifted by `stepS` seconds, with each
 * sentence prefixed by a unix time (so every repetition is new data, not duplicates). $PGHP lines are dropped.
 */
export function timedRepeat(text: string, reps: number, opts: { startS?: number; stepS?: number } = {}): string {
  const lines = text.split('\n').filter((l) => l.startsWith('!'));
  const start = opts.startS ?? 1_700_000_000;
  const step = opts.stepS ?? 60;
  const out: string[] = [];
  for (let r = 0; r < reps; r++) {
    const base = start + r * step;
    for (let i = 0; i < lines.length; i++) out.push(`${(base + i * 0.005).toFixed(3)} ${lines[i]}`);
  }
  return `${out.join('\n')}\n`;
}
