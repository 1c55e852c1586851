/**
 * Typed AIS tracks: every detector reads these, never a decoder or a file. Positions live in one columnar block
 * sorted by (mmsi, time); a vessel is a contiguous range of it, and its segments are index lists into it (a cloned
 * MMSI gives two interleaved segments over the same range).
 */

export interface PositionColumns {
  length: number;
  mmsi: Int32Array;
  tsMs: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  /** Speed over ground, knots; NaN when not available. */
  sogKn: Float32Array;
  /** Course over ground, degrees; NaN when not available. */
  cogDeg: Float32Array;
  /** Index into `sources` (import id or file) for evidence. */
  sourceIdx: Int32Array;
  sources: string[];
}

/** One static/voyage report (AIS type 5 / 24), NULL fields as null. */
export interface StaticReport {
  mmsi: number;
  tsMs: number;
  imo: number | null;
  name: string | null;
  callsign: string | null;
  shipType: number | null;
  draughtM: number | null;
  destination: string | null;
  source: string;
}

export interface Segment {
  /** Global segment number inside the TrackSet. */
  id: number;
  mmsi: number;
  /** Indices into the position columns, in time order. */
  idx: Int32Array;
  startMs: number;
  endMs: number;
}

export interface VesselTrack {
  mmsi: number;
  /** Range [from, to) in the position columns. */
  from: number;
  to: number;
  segments: Segment[];
}

export interface TrackSet {
  cols: PositionColumns;
  vessels: VesselTrack[];
  segments: Segment[];
  /** Static reports per MMSI, in time order. */
  statics: Map<number, StaticReport[]>;
  /** Parameters the segmentation used (recorded in findings that depend on it). */
  params: SegmentParams;
}

export interface SegmentParams {
  /** A fix needing more than this speed from a segment's last fix cannot belong to it (GFW pipe-segment: 50 kn). */
  maxSpeedKn: number;
  /** Distance slack for GPS noise when judging implied speed, metres. */
  noiseM: number;
  /** A segment is closed after this long without a fix (seconds). */
  maxGapS: number;
}

export const DEFAULT_SEGMENT_PARAMS: SegmentParams = { maxSpeedKn: 50, noiseM: 1000, maxGapS: 72 * 3600 };

/** Growable columnar builder for positions (used by the loader and the simulator). */
export class PositionBuilder {
  private n = 0;
  private cap: number;
  mmsi: Int32Array;
  tsMs: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  sogKn: Float32Array;
  cogDeg: Float32Array;
  sourceIdx: Int32Array;
  readonly sources: string[] = [];
  private readonly sourceIds = new Map<string, number>();

  constructor(capacity = 1024) {
    this.cap = capacity;
    this.mmsi = new Int32Array(capacity);
    this.tsMs = new Float64Array(capacity);
    this.lat = new Float64Array(capacity);
    this.lon = new Float64Array(capacity);
    this.sogKn = new Float32Array(capacity);
    this.cogDeg = new Float32Array(capacity);
    this.sourceIdx = new Int32Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  sourceId(source: string): number {
    let id = this.sourceIds.get(source);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(source);
      this.sourceIds.set(source, id);
    }
    return id;
  }

  push(mmsi: number, tsMs: number, lat: number, lon: number, sogKn: number, cogDeg: number, sourceIdx = 0): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.mmsi[i] = mmsi;
    this.tsMs[i] = tsMs;
    this.lat[i] = lat;
    this.lon[i] = lon;
    this.sogKn[i] = sogKn;
    this.cogDeg[i] = cogDeg;
    this.sourceIdx[i] = sourceIdx;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Int32Array | Float64Array | Float32Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.mmsi = g(this.mmsi, Int32Array);
    this.tsMs = g(this.tsMs, Float64Array);
    this.lat = g(this.lat, Float64Array);
    this.lon = g(this.lon, Float64Array);
    this.sogKn = g(this.sogKn, Float32Array);
    this.cogDeg = g(this.cogDeg, Float32Array);
    this.sourceIdx = g(this.sourceIdx, Int32Array);
    this.cap = cap;
  }

  /** Reorder the rows pushed so far: row i becomes the row that was at order[i] (a permutation of 0..length-1). */
  permute(order: Int32Array): void {
    const n = this.n;
    if (order.length !== n) throw new Error(`permute: ${order.length} indexes for ${n} rows`);
    const p = <T extends Int32Array | Float64Array | Float32Array>(a: T): void => {
      const b = a.slice(0, n);
      for (let i = 0; i < n; i++) a[i] = b[order[i]!]!;
    };
    p(this.mmsi);
    p(this.tsMs);
    p(this.lat);
    p(this.lon);
    p(this.sogKn);
    p(this.cogDeg);
    p(this.sourceIdx);
  }

  /** Columns trimmed to length and sorted by (mmsi, time) when they are not already. */
  finish(): PositionColumns {
    const n = this.n;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) {
      const dm = this.mmsi[i]! - this.mmsi[i - 1]!;
      if (dm < 0 || (dm === 0 && this.tsMs[i]! < this.tsMs[i - 1]!)) sorted = false;
    }
    const cols: PositionColumns = {
      length: n,
      mmsi: this.mmsi.slice(0, n),
      tsMs: this.tsMs.slice(0, n),
      lat: this.lat.slice(0, n),
      lon: this.lon.slice(0, n),
      sogKn: this.sogKn.slice(0, n),
      cogDeg: this.cogDeg.slice(0, n),
      sourceIdx: this.sourceIdx.slice(0, n),
      sources: this.sources.length ? [...this.sources] : ['unknown'],
    };
    if (sorted) return cols;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const m = cols.mmsi;
    const t = cols.tsMs;
    order.sort((a, b) => m[a]! - m[b]! || t[a]! - t[b]! || a - b);
    const perm = <T extends Int32Array | Float64Array | Float32Array>(a: T): T => {
      const b = a.slice() as T;
      for (let i = 0; i < n; i++) b[i] = a[order[i]!]!;
      return b;
    };
    return {
      ...cols,
      mmsi: perm(cols.mmsi),
      tsMs: perm(cols.tsMs),
      lat: perm(cols.lat),
      lon: perm(cols.lon),
      sogKn: perm(cols.sogKn),
      cogDeg: perm(cols.cogDeg),
      sourceIdx: perm(cols.sourceIdx),
    };
  }
}
