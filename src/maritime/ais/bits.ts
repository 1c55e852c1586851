/**
 * AIS payload bits: six-bit de-armoring into a packed bit vector (MSB first) and the field readers every table
 * decoder uses. One `BitVector` is reused per reassembly slot, so decoding allocates nothing per field.
 */

/** Maximum payload we accept for one message (ITU allows 5 slots, 1008 bits; we allow generous headroom). */
export const MAX_PAYLOAD_CHARS = 1024;
/** Bytes of a BitVector (a multiple of 8). */
const MAX_BYTES = Math.ceil((MAX_PAYLOAD_CHARS * 6) / 8) + 16;

/** Six-bit value of each armoring byte, or -1 when the byte is not a valid payload character. */
export const ARMOR: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 48; c <= 87; c++) t[c] = c - 48; // '0'..'W' -> 0..39
  for (let c = 96; c <= 119; c++) t[c] = c - 56; // '`'..'w' -> 40..63
  return t;
})();

/** The AIS six-bit ASCII alphabet (ITU-R M.1371 table 47). */
export const SIXBIT_CHARS = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !"#$%&\'()*+,-./0123456789:;<=>?';

export class BitVector {
  readonly bytes = new Uint8Array(MAX_BYTES);
  /** The same memory as 32-bit words (MAX_BYTES is a multiple of 4), for `reset`. */
  private readonly words = new Int32Array(this.bytes.buffer);
  /** Number of valid bits (after fill bits were removed). */
  bitlen = 0;
  /** Bits written so far including fill bits (the next write position). */
  private written = 0;

  reset(): void {
    // Clear only what was used, so reads past the end see zeros (as gpsd's zeroed buffer does).
    const n = Math.min(MAX_BYTES, (this.written >> 3) + 2);
    if (n <= 128) {
      // A word at a time (up to three bytes more than used: they are zero already).
      const words = this.words;
      const nw = (n + 3) >> 2;
      for (let k = 0; k < nw; k++) words[k] = 0;
    } else this.bytes.fill(0, 0, n);
    this.bitlen = 0;
    this.written = 0;
  }

  /**
   * Append armored payload bytes src[start, end). Returns false when a byte is not a payload character or the
   * payload would exceed MAX_PAYLOAD_CHARS. Fill bits are applied by `setFill` after the last fragment.
   */
  appendArmored(src: Uint8Array, start: number, end: number): boolean {
    if ((this.written + (end - start) * 6) >> 3 >= MAX_BYTES - 8) return false;
    const bytes = this.bytes;
    let pos = this.written;
    let i = start;
    if ((pos & 7) === 0) {
      // Byte-aligned (always for a first fragment): four characters make three whole bytes.
      let k = pos >> 3;
      for (; i + 4 <= end; i += 4, k += 3) {
        const a = ARMOR[src[i]!]!;
        const b = ARMOR[src[i + 1]!]!;
        const c = ARMOR[src[i + 2]!]!;
        const d = ARMOR[src[i + 3]!]!;
        if ((a | b | c | d) < 0) break; // the character loop below finds which one
        bytes[k] = (a << 2) | (b >> 4);
        bytes[k + 1] = ((b & 15) << 4) | (c >> 2);
        bytes[k + 2] = ((c & 3) << 6) | d;
      }
      pos = k << 3;
    }
    for (; i < end; i++) {
      const v = ARMOR[src[i]!]!;
      if (v < 0) {
        this.written = pos; // so that reset() clears what was written
        return false;
      }
      // Write 6 bits at pos (may span two bytes).
      const byteIdx = pos >> 3;
      const off = pos & 7;
      if (off <= 2) {
        bytes[byteIdx] = bytes[byteIdx]! | (v << (2 - off));
      } else {
        bytes[byteIdx] = bytes[byteIdx]! | (v >> (off - 2));
        bytes[byteIdx + 1] = bytes[byteIdx + 1]! | ((v << (10 - off)) & 0xff);
      }
      pos += 6;
    }
    this.written = pos;
    this.bitlen = pos;
    return true;
  }

  /** Remove `fill` trailing fill bits from the valid length (the bits stay in the buffer, as in gpsd). */
  setFill(fill: number): void {
    this.bitlen = Math.max(0, this.written - fill);
  }

  /** Copy another vector's content (used when a reassembled message is handed to the decoder). */
  copyFrom(other: BitVector): void {
    this.reset();
    const n = (other.written >> 3) + 1;
    this.bytes.set(other.bytes.subarray(0, n));
    this.written = other.written;
    this.bitlen = other.bitlen;
  }
}

/** Unsigned field of `width` bits (1..53) at bit `start`. */
export function ubits(bytes: Uint8Array, start: number, width: number): number {
  let v = 0;
  let bit = start;
  let rem = width;
  while (rem > 0) {
    const off = bit & 7;
    let take = 8 - off;
    if (take > rem) take = rem;
    const byte = bytes[bit >> 3] ?? 0;
    v = v * (1 << take) + ((byte >> (8 - off - take)) & ((1 << take) - 1));
    bit += take;
    rem -= take;
  }
  return v;
}

/** Two's-complement signed field of `width` bits at bit `start`. */
const POW2 = Float64Array.from({ length: 54 }, (_, k) => 2 ** k);
export function sbits(bytes: Uint8Array, start: number, width: number): number {
  const u = ubits(bytes, start, width);
  return u >= POW2[width - 1]! ? u - POW2[width]! : u;
}

/**
 * Six-bit text of `count` characters at `start`, stopping at the first '@' (as gpsd does), then trimmed of trailing
 * spaces and '@' unless `untrimmed`.
 */
export function sixbitText(bytes: Uint8Array, start: number, count: number, untrimmed = false): string {
  let s = '';
  for (let i = 0; i < count; i++) {
    const c = ubits(bytes, start + 6 * i, 6);
    if (c === 0) break;
    s += SIXBIT_CHARS[c];
  }
  return untrimmed ? s : trimRight(s);
}

export function trimRight(s: string): string {
  let e = s.length;
  while (e > 0 && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 64)) e--;
  return e === s.length ? s : s.slice(0, e);
}

const HEX = '0123456789abcdef';
/** Lower-case hex of the bytes holding `bitcount` bits starting at byte-aligned bit `start` (gpsd's data dump). */
export function hexBits(bytes: Uint8Array, start: number, bitcount: number, maskTail = false): string {
  const nbytes = Math.ceil(bitcount / 8);
  let s = '';
  if ((start & 7) === 0) {
    const b0 = start >> 3;
    for (let i = 0; i < nbytes; i++) {
      let b = bytes[b0 + i] ?? 0;
      if (maskTail && i === nbytes - 1 && bitcount % 8 !== 0) b &= (0xff << (8 - (bitcount % 8))) & 0xff;
      s += HEX[b >> 4]! + HEX[b & 15]!;
    }
  } else {
    for (let i = 0; i < nbytes; i++) {
      const left = bitcount - i * 8;
      let b = ubits(bytes, start + i * 8, 8);
      if (maskTail && left < 8) b &= (0xff << (8 - left)) & 0xff;
      s += HEX[b >> 4]! + HEX[b & 15]!;
    }
  }
  return s;
}
