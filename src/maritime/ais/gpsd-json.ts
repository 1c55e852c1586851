/**
 * gpsd-compatible JSON output (`gpsdecode -j`, and `-u -j` when unscaled). Adds gpsd's handling of type 24:
 * a part A is held (in a small ring per radio channel, as gpsd does) and printed merged with the part B of the
 * same MMSI; with `split24` each part is printed on its own with `"part":"A"|"B"`.
 */
import type { AisMessage } from './decoder.js';
import {
  type BodyWriter,
  ByteOut,
  compileHeadWriter,
  compileMessageWriter,
  encodeUtf8,
  type GpsdCompat,
  writeBody,
  writeHead,
} from './json-out.js';
import type { CompiledTable } from './table.js';
import { jsonEscape } from './tables/binary.js';

/** gpsd keeps the last 8 part-A names (MAX_TYPE24_INTERLEAVE) per radio channel (A and B). */
const TYPE24_RING = 8;

export interface GpsdJsonOptions {
  scaled?: boolean;
  /** Printed as "device"; gpsdecode prints "stdin". Empty: omitted. */
  device?: string;
  /** Print type 24 parts separately instead of merging A into B (gpsdecode --split24). */
  split24?: boolean;
  /** Line end written by `writeLine` (gpsdecode: "\r\n", the default). */
  eol?: string;
  /** Current gpsd's JSON (default) or Debian's gpsd 3.22 byte for byte (see `GpsdCompat`). */
  compat?: GpsdCompat;
}

const PART_A = encodeUtf8(',"part":"A"');
const PART_B = encodeUtf8(',"part":"B"');

export class GpsdJsonWriter {
  private readonly scaled: boolean;
  private readonly device: Uint8Array | null;
  private readonly split24: boolean;
  private readonly compat: GpsdCompat;
  private readonly ringMmsi = [new Int32Array(TYPE24_RING).fill(-1), new Int32Array(TYPE24_RING).fill(-1)];
  private readonly ringName: string[][] = [new Array(TYPE24_RING).fill(''), new Array(TYPE24_RING).fill('')];
  private readonly ringIndex = [0, 0];
  private readonly scratch = new ByteOut(4096);
  /** Writers of `{"class":"AIS","device":..,"type":T,"repeat":R,"mmsi":M,"scaled":..` per type and repeat. */
  private readonly heads: Array<((out: ByteOut, mmsi: number) => void) | undefined> = new Array(256).fill(undefined);
  private readonly scaledTail: Uint8Array;
  private readonly eol: Uint8Array;
  /** Whole-line writers by table (a writer serves every type and repeat indicator using the table). */
  private readonly byTable = new Map<CompiledTable, BodyWriter>();
  /** The same, by type × 4 + repeat: the tables seen there (usually one) and their writers. */
  private readonly lineTables: CompiledTable[][] = Array.from({ length: 128 }, () => []);
  private readonly lineWriters: BodyWriter[][] = Array.from({ length: 128 }, () => []);

  constructor(opts: GpsdJsonOptions = {}) {
    this.scaled = opts.scaled ?? true;
    const device = opts.device ?? 'stdin';
    this.device = device ? encodeUtf8(jsonEscape(device)) : null;
    this.split24 = opts.split24 ?? false;
    this.compat = opts.compat ?? 'current';
    this.scaledTail = encodeUtf8(`,"scaled":${this.scaled}`);
    this.eol = encodeUtf8(opts.eol ?? '\r\n');
  }

  /**
   * `writeTo` followed by the line end. The common case (not type 24, no binary sub-table) is one generated
   * function per type, repeat indicator and table writing head, fields, closing brace and line end.
   */
  writeLine(out: ByteOut, msg: AisMessage, channel = ''): boolean {
    if (msg.type === 24 || msg.binary !== null || msg.type > 31) {
      if (!this.writeTo(out, msg, channel)) return false;
      out.bytes(this.eol);
      return true;
    }
    const k = msg.type * 4 + msg.repeat;
    const t = msg.table;
    const tables = this.lineTables[k]!;
    let w: BodyWriter | undefined;
    for (let i = 0; i < tables.length; i++) {
      if (tables[i] === t) {
        w = this.lineWriters[k]![i]!;
        break;
      }
    }
    if (w === undefined) {
      w = this.byTable.get(t);
      if (w === undefined) {
        const dev = this.device ? `,"device":"${Buffer.from(this.device).toString('utf8')}"` : '';
        w = compileMessageWriter(
          t,
          this.scaled,
          {
            prefix: encodeUtf8(`{"class":"AIS"${dev},"type":`),
            mid: this.scaledTail,
            suffix: Uint8Array.from([125, ...this.eol]),
          },
          this.compat,
        );
        this.byTable.set(t, w);
      }
      tables.push(t);
      this.lineWriters[k]!.push(w);
    }
    w(out, msg.values.num, msg.bytes, msg.bitlen, msg.values, t, msg.mmsi, msg.type, msg.repeat);
    return true;
  }

  private head(out: ByteOut, msg: AisMessage): void {
    const k = msg.type * 4 + msg.repeat;
    let h = this.heads[k];
    if (!h) {
      const dev = this.device ? `,"device":"${Buffer.from(this.device).toString('utf8')}"` : '';
      h = compileHeadWriter(
        encodeUtf8(`{"class":"AIS"${dev},"type":${msg.type},"repeat":${msg.repeat},"mmsi":`),
        this.scaledTail,
      );
      this.heads[k] = h;
    }
    h(out, msg.mmsi);
  }

  /**
   * Append the JSON for a message to `out` (without line ending). Returns false when gpsd prints nothing for it
   * (a held type 24 part). `channel` is the sentence's radio channel: gpsd pairs type 24 parts per channel.
   */
  writeTo(out: ByteOut, msg: AisMessage, channel = ''): boolean {
    const scaled = this.scaled;
    if (msg.type !== 24) {
      this.head(out, msg);
      writeBody(out, msg, scaled, this.compat);
      out.byte(125);
      return true;
    }
    const ch = channel === 'B' || channel === '2' ? 1 : 0;
    const ringMmsi = this.ringMmsi[ch]!;
    const ringName = this.ringName[ch]!;
    if (msg.raw('partno') === 0) {
      const at = this.ringIndex[ch]!;
      ringMmsi[at] = msg.mmsi;
      ringName[at] = msg.text('shipname');
      this.ringIndex[ch] = (at + 1) % TYPE24_RING;
      if (!this.split24) return false;
      writeHead(out, msg, scaled, this.device);
      out.bytes(PART_A);
      writeBody(out, msg, scaled, this.compat);
      out.byte(125);
      return true;
    }
    if (this.split24) {
      writeHead(out, msg, scaled, this.device);
      out.bytes(PART_B);
      writeBody(out, msg, scaled, this.compat);
      out.byte(125);
      return true;
    }
    for (let k = 0; k < TYPE24_RING; k++) {
      if (ringMmsi[k] === msg.mmsi) {
        ringMmsi[k] = -1;
        writeHead(out, msg, scaled, this.device);
        out.utf8(`,"shipname":"${jsonEscape(ringName[k]!)}"`);
        writeBody(out, msg, scaled, this.compat);
        out.byte(125);
        return true;
      }
    }
    return false;
  }

  /** The JSON line as a string, or null when gpsd prints nothing for this message. */
  render(msg: AisMessage, channel = ''): string | null {
    const out = this.scratch;
    out.pos = 0;
    return this.writeTo(out, msg, channel) ? out.toString() : null;
  }
}
