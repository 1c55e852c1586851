/**
 * gpsd-compatible JSON output (`gpsdecode -j`, and `-u -j` when unscaled). Adds gpsd's handling of type 24:
 * a part A is held (in a small ring, as gpsd does) and printed merged with the part B of the same MMSI; with
 * `split24` each part is printed on its own with `"part":"A"|"B"`.
 */
import type { AisMessage } from './decoder.js';
import { renderGpsdJson } from './decoder.js';
import { jsonEscape } from './tables/binary.js';

/** gpsd keeps the last 8 part-A names (MAX_TYPE24_INTERLEAVE) per radio channel (A and B). */
const TYPE24_RING = 8;

export interface GpsdJsonOptions {
  scaled?: boolean;
  /** Printed as "device"; gpsdecode prints "stdin". Empty: omitted. */
  device?: string;
  /** Print type 24 parts separately instead of merging A into B (gpsdecode --split24). */
  split24?: boolean;
}

export class GpsdJsonWriter {
  private readonly scaled: boolean;
  private readonly device: string;
  private readonly split24: boolean;
  private readonly ringMmsi = [new Int32Array(TYPE24_RING).fill(-1), new Int32Array(TYPE24_RING).fill(-1)];
  private readonly ringName: string[][] = [new Array(TYPE24_RING).fill(''), new Array(TYPE24_RING).fill('')];
  private readonly ringIndex = [0, 0];

  constructor(opts: GpsdJsonOptions = {}) {
    this.scaled = opts.scaled ?? true;
    this.device = opts.device ?? 'stdin';
    this.split24 = opts.split24 ?? false;
  }

  /**
   * The JSON line for a message, or null when gpsd prints nothing for it (a held type 24 part). `channel` is the
   * radio channel of the sentence ('A', 'B', '1', '2' or ''): gpsd pairs type 24 parts per channel.
   */
  render(msg: AisMessage, channel = ''): string | null {
    if (msg.type !== 24) return renderGpsdJson(msg, this.scaled, this.device);
    const isA = msg.raw('partno') === 0;
    const head = renderHead(msg, this.scaled, this.device);
    const ch = channel === 'B' || channel === '2' ? 1 : 0;
    const ringMmsi = this.ringMmsi[ch]!;
    const ringName = this.ringName[ch]!;
    if (isA) {
      const at = this.ringIndex[ch]!;
      ringMmsi[at] = msg.mmsi;
      ringName[at] = msg.text('shipname');
      this.ringIndex[ch] = (at + 1) % TYPE24_RING;
      if (!this.split24) return null;
      return `${head},"part":"A","shipname":"${jsonEscape(msg.text('shipname'))}"}`;
    }
    const body = renderGpsdJson(msg, this.scaled, '');
    const fields = body.slice(body.indexOf('"scaled":') + `"scaled":${this.scaled}`.length, -1);
    if (this.split24) return `${head},"part":"B"${fields}}`;
    for (let k = 0; k < TYPE24_RING; k++) {
      if (ringMmsi[k] === msg.mmsi) {
        ringMmsi[k] = -1;
        return `${head},"shipname":"${jsonEscape(ringName[k]!)}"${fields}}`;
      }
    }
    return null;
  }
}

function renderHead(msg: AisMessage, scaled: boolean, device: string): string {
  return device
    ? `{"class":"AIS","device":"${jsonEscape(device)}","type":${msg.type},"repeat":${msg.repeat},"mmsi":${msg.mmsi},"scaled":${scaled}`
    : `{"class":"AIS","type":${msg.type},"repeat":${msg.repeat},"mmsi":${msg.mmsi},"scaled":${scaled}`;
}
