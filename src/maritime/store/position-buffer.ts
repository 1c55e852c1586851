/**
 * The columnar buffer of AIS positions (typed arrays the bulk loader copies as they are) and the `positions` columns.
 */
import type { ColumnBatch, ColumnSpec } from '../../store/db.js';

export const POSITION_COLUMNS: ColumnSpec[] = [
  { name: 'mmsi', type: 'int' },
  { name: 'ts', type: 'bigint' },
  { name: 'lat', type: 'double' },
  { name: 'lon', type: 'double' },
  { name: 'sog', type: 'real' },
  { name: 'cog', type: 'real' },
  { name: 'heading', type: 'smallint' },
  { name: 'nav_status', type: 'smallint' },
  { name: 'msg_type', type: 'smallint' },
  { name: 'class', type: 'smallint' },
  { name: 'import_key', type: 'int' },
  { name: 'line', type: 'int' },
];

/** One position, in store units (NaN / null where AIS says "not available"). */
export interface PositionRow {
  mmsi: number;
  ts: number;
  lat: number;
  lon: number;
  sogKn: number;
  cogDeg: number;
  heading: number | null;
  navStatus: number | null;
  msgType: number;
  cls: 'A' | 'B' | null;
}

/** Class codes in PositionBuffer.cls and in the store's `positions.class`: 0 unknown (NULL), 1 'A', 2 'B'. */
const CLASS_NAMES: ReadonlyArray<string | null> = [null, 'A', 'B'];
/** The class letter of a stored `positions.class` code (NULL and unknown codes: null). */
export function className(code: unknown): 'A' | 'B' | null {
  return code === null || code === undefined ? null : ((CLASS_NAMES[Number(code)] as 'A' | 'B' | undefined) ?? null);
}
function classCode(cls: string | null): number {
  return cls === 'A' ? 1 : cls === 'B' ? 2 : 0;
}

/** The typed arrays of a PositionBuffer as transferable ArrayBuffers (for a worker thread hand-over). */
export interface PositionBufferMessage {
  length: number;
  buffers: ArrayBuffer[];
}

/** 2^32: epoch ms are split into two 32-bit words by dividing by it. */
export const TWO32 = 4294967296;

/**
 * Columnar buffer of positions, all typed arrays (no per-row objects): `ts` is kept as BIGINT words so the bulk
 * loader copies it with one memcpy; heading and nav status are floats with NaN for "not available" (SQL NULL);
 * the class is a one-byte code. `batch()` hands the columns to `db.bulkInsert`; `toMessage()` / `fromMessage()`
 * move the buffers between threads without copying.
 */
export class PositionBuffer {
  length = 0;
  mmsi: Int32Array;
  /** Epoch ms as BIGINT (little-endian words in `tsWords`). */
  ts: BigInt64Array;
  tsWords: Uint32Array;
  lat: Float64Array;
  lon: Float64Array;
  sog: Float32Array;
  cog: Float32Array;
  heading: Float32Array;
  navStatus: Float32Array;
  msgType: Int16Array;
  cls: Uint8Array;
  /** Line of the source file (1-based; 0: the source has no lines), the raw provenance of each row. */
  line: Int32Array;
  /** Scratch columns of `batch`: the class as SMALLINT (NaN = NULL) and the import key on every row. */
  private clsOut: Float32Array | null = null;
  private keys: Int32Array | null = null;
  private keysOf = 0;

  constructor(
    public capacity: number,
    readonly importId: string,
    buffers?: ArrayBuffer[],
  ) {
    const b = buffers && buffers.length === 11 && buffers[0]!.byteLength >= capacity * 4 ? buffers : null;
    this.mmsi = new Int32Array(b ? b[0]! : new ArrayBuffer(capacity * 4));
    this.ts = new BigInt64Array(b ? b[1]! : new ArrayBuffer(capacity * 8));
    this.lat = new Float64Array(b ? b[2]! : new ArrayBuffer(capacity * 8));
    this.lon = new Float64Array(b ? b[3]! : new ArrayBuffer(capacity * 8));
    this.sog = new Float32Array(b ? b[4]! : new ArrayBuffer(capacity * 4));
    this.cog = new Float32Array(b ? b[5]! : new ArrayBuffer(capacity * 4));
    this.heading = new Float32Array(b ? b[6]! : new ArrayBuffer(capacity * 4));
    this.navStatus = new Float32Array(b ? b[7]! : new ArrayBuffer(capacity * 4));
    this.msgType = new Int16Array(b ? b[8]! : new ArrayBuffer(capacity * 2));
    this.cls = new Uint8Array(b ? b[9]! : new ArrayBuffer(capacity));
    this.line = new Int32Array(b ? b[10]! : new ArrayBuffer(capacity * 4));
    this.tsWords = new Uint32Array(this.ts.buffer);
    if (b) this.capacity = this.mmsi.length;
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Double the capacity (only when a producer outruns its flushes). */
  grow(): void {
    const next = new PositionBuffer(this.capacity * 2, this.importId);
    next.mmsi.set(this.mmsi);
    next.ts.set(this.ts);
    next.lat.set(this.lat);
    next.lon.set(this.lon);
    next.sog.set(this.sog);
    next.cog.set(this.cog);
    next.heading.set(this.heading);
    next.navStatus.set(this.navStatus);
    next.msgType.set(this.msgType);
    next.cls.set(this.cls);
    next.line.set(this.line);
    this.mmsi = next.mmsi;
    this.ts = next.ts;
    this.tsWords = next.tsWords;
    this.lat = next.lat;
    this.lon = next.lon;
    this.sog = next.sog;
    this.cog = next.cog;
    this.heading = next.heading;
    this.navStatus = next.navStatus;
    this.msgType = next.msgType;
    this.cls = next.cls;
    this.line = next.line;
    this.capacity = next.capacity;
  }

  push(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    sog: number,
    cog: number,
    heading: number | null,
    nav: number | null,
    type: number,
    cls: string | null,
    line = 0,
  ): void {
    this.pushCoded(mmsi, ts, lat, lon, sog, cog, heading ?? Number.NaN, nav ?? Number.NaN, type, classCode(cls), line);
  }

  /**
   * `push` with NaN for a missing heading / nav status and the class as its code (0 NULL, 1 A, 2 B); `line` is the
   * row's line in its source file (0: none).
   */
  pushCoded(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    sog: number,
    cog: number,
    heading: number,
    nav: number,
    type: number,
    clsCode: number,
    line: number,
  ): void {
    if (this.length >= this.capacity) this.grow();
    const i = this.length++;
    this.mmsi[i] = mmsi;
    if (ts >= 0 && ts < 9007199254740992) {
      // Two 32-bit words without a floating-point modulo (a libm call in V8).
      const hi = Math.floor(ts / TWO32);
      this.tsWords[2 * i] = ts - hi * TWO32;
      this.tsWords[2 * i + 1] = hi;
    } else this.ts[i] = BigInt(Math.trunc(ts));
    this.lat[i] = lat;
    this.lon[i] = lon;
    this.sog[i] = sog;
    this.cog[i] = cog;
    this.heading[i] = heading;
    this.navStatus[i] = nav;
    this.msgType[i] = type;
    this.cls[i] = clsCode;
    this.line[i] = line;
  }

  /**
   * Remove `rows` (ascending, all below `end`) from rows [rows[0], end): the rows between them move down, a block
   * per column at a time (order kept).
   */
  removeRows(rows: number[], end: number): void {
    let w = rows[0]!;
    for (let k = 0; k < rows.length; k++) {
      const from = rows[k]! + 1;
      const to = k + 1 < rows.length ? rows[k + 1]! : end;
      if (to <= from) continue;
      this.mmsi.copyWithin(w, from, to);
      this.ts.copyWithin(w, from, to);
      this.lat.copyWithin(w, from, to);
      this.lon.copyWithin(w, from, to);
      this.sog.copyWithin(w, from, to);
      this.cog.copyWithin(w, from, to);
      this.heading.copyWithin(w, from, to);
      this.navStatus.copyWithin(w, from, to);
      this.msgType.copyWithin(w, from, to);
      this.cls.copyWithin(w, from, to);
      this.line.copyWithin(w, from, to);
      w += to - from;
    }
  }

  /** Smallest and largest epoch ms of the rows ([+Inf, -Inf] when empty). */
  tsRange(): [number, number] {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    const w = this.tsWords;
    for (let i = 0; i < this.length; i++) {
      const t = (w[2 * i + 1]! | 0) * TWO32 + w[2 * i]!;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    return [lo, hi];
  }

  /** Epoch ms of row i. */
  tsAt(i: number): number {
    return Number(this.ts[i]);
  }

  /**
   * The buffered rows as one column batch for POSITION_COLUMNS (views, valid until `clear`), every row tagged with
   * `importKey` (the import's key in `position_imports`, see repository.newPositionImportKey).
   */
  batch(importKey = 0): ColumnBatch {
    const n = this.length;
    if (this.clsOut === null || this.clsOut.length < n) this.clsOut = new Float32Array(this.capacity);
    const cls = this.clsOut;
    const codes = this.cls;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      cls[i] = c === 0 ? Number.NaN : c;
    }
    if (this.keys === null || this.keys.length < n || this.keysOf !== importKey) {
      this.keys = new Int32Array(Math.max(n, this.keys?.length ?? 0)).fill(importKey);
      this.keysOf = importKey;
    }
    return {
      length: n,
      columns: [
        this.mmsi.subarray(0, n),
        this.ts.subarray(0, n),
        this.lat.subarray(0, n),
        this.lon.subarray(0, n),
        this.sog.subarray(0, n),
        this.cog.subarray(0, n),
        this.heading.subarray(0, n),
        this.navStatus.subarray(0, n),
        this.msgType.subarray(0, n),
        cls.subarray(0, n),
        this.keys.subarray(0, n),
        this.line.subarray(0, n),
      ],
    };
  }

  clear(): void {
    this.length = 0;
  }

  /** The buffers and row count, for `postMessage(msg, msg.buffers)` (this buffer is unusable afterwards). */
  toMessage(): PositionBufferMessage {
    return {
      length: this.length,
      buffers: [
        this.mmsi.buffer,
        this.ts.buffer,
        this.lat.buffer,
        this.lon.buffer,
        this.sog.buffer,
        this.cog.buffer,
        this.heading.buffer,
        this.navStatus.buffer,
        this.msgType.buffer,
        this.cls.buffer,
        this.line.buffer,
      ] as ArrayBuffer[],
    };
  }

  static fromMessage(m: PositionBufferMessage, importId: string): PositionBuffer {
    const b = new PositionBuffer(m.buffers[0]!.byteLength / 4, importId, m.buffers);
    b.length = m.length;
    return b;
  }
}
