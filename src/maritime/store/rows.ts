/**
 * Turning decoded AIS (or CSV) records into store rows: a columnar position buffer (typed arrays for the bulk
 * loader), static/voyage rows, the vessel identity history and the vessels seen. Shared by the NMEA and CSV
 * importers and the live listener; no I/O here.
 */
import type { ColumnBatch, ColumnSpec } from '../../store/db.js';
import type { AisMessage } from '../ais/decoder.js';
import { flagOf } from '../ais/mid.js';

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
];

export const STATIC_COLUMNS: ColumnSpec[] = [
  { name: 'mmsi', type: 'int' },
  { name: 'ts', type: 'bigint' },
  { name: 'imo', type: 'int' },
  { name: 'name', type: 'text' },
  { name: 'callsign', type: 'text' },
  { name: 'ship_type', type: 'smallint' },
  { name: 'to_bow', type: 'smallint' },
  { name: 'to_stern', type: 'smallint' },
  { name: 'to_port', type: 'smallint' },
  { name: 'to_starboard', type: 'smallint' },
  { name: 'draught', type: 'real' },
  { name: 'destination', type: 'text' },
  { name: 'eta', type: 'text' },
  { name: 'import_id', type: 'text' },
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

const TWO32 = 4294967296;

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
  /** Scratch columns of `batch`: the class as SMALLINT (NaN = NULL) and the import key on every row. */
  private clsOut: Float32Array | null = null;
  private keys: Int32Array | null = null;
  private keysOf = 0;

  constructor(
    public capacity: number,
    readonly importId: string,
    buffers?: ArrayBuffer[],
  ) {
    const b = buffers && buffers.length === 10 && buffers[0]!.byteLength >= capacity * 4 ? buffers : null;
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
  ): void {
    this.pushCoded(mmsi, ts, lat, lon, sog, cog, heading ?? Number.NaN, nav ?? Number.NaN, type, classCode(cls));
  }

  /** `push` with NaN for a missing heading / nav status and the class as its code (0 NULL, 1 A, 2 B). */
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
      ] as ArrayBuffer[],
    };
  }

  static fromMessage(m: PositionBufferMessage, importId: string): PositionBuffer {
    const b = new PositionBuffer(m.buffers[0]!.byteLength / 4, importId, m.buffers);
    b.length = m.length;
    return b;
  }
}

/** What a row builder collected besides positions (see AisRowBuilder.result). */
export interface BuilderResult {
  counters: RowCounters;
  statics: StaticRow[];
  identities: IdentityRow[];
  vessels: Array<{
    mmsi: number;
    first: number;
    last: number;
    line: number;
    name: string | null;
    imo: number | null;
    callsign: string | null;
  }>;
  /** Time range of the positions kept (±Infinity when there were none). */
  minTs: number;
  maxTs: number;
}

/** Static / voyage data for one message (fields absent from the message type are null). */
export interface StaticRow {
  mmsi: number;
  ts: number;
  imo: number | null;
  name: string | null;
  callsign: string | null;
  shipType: number | null;
  toBow: number | null;
  toStern: number | null;
  toPort: number | null;
  toStarboard: number | null;
  draughtM: number | null;
  destination: string | null;
  eta: string | null;
}

export interface IdentityRow {
  mmsi: number;
  name: string | null;
  callsign: string | null;
  imo: number | null;
  shipType: number | null;
  flag: string | null;
  firstSeen: number;
  lastSeen: number;
  messages: number;
}

/** What a vessel says it is, merged over its static messages (type 24 parts A and B complete each other). */
interface IdentityState {
  name: string | null;
  callsign: string | null;
  imo: number | null;
  shipType: number | null;
}

/**
 * Positions compared for duplicates inside one import: the last 65,536 to 131,072 kept (two generations of hash
 * tables of 1 MB each, small enough to stay in the CPU caches). Repeats from several receivers arrive within
 * seconds, far inside this window; across imports the store itself is compared (import-session insertBuffers).
 */
const DEDUP_WINDOW = 65_536;
/** How many pending entries ahead settleRows loads the duplicate window's slots. */
const AHEAD = 16;

/** A static row is stored when its content changes, or at most once per hour when it repeats. */
const STATIC_REPEAT_MS = 3_600_000;

/** Counters of what the row builder kept and why it skipped records. */
export interface RowCounters {
  positions: number;
  /** Same vessel, time, position and message type seen again (several receivers, repeated lines). */
  duplicates: number;
  /** Position reports saying "position not available" or out of range. */
  noPosition: number;
  staticRows: number;
  /** Static messages identical to the last one stored for the vessel within the hour. */
  staticRepeats: number;
  /**
   * Positions (and static rows) another import already stored: same mmsi, ts, lat, lon and message type (static:
   * every column). Counted when the import finishes; they are not written again.
   */
  alreadyStored: number;
}

/**
 * Collects rows from decoded messages. Positions go to a PositionBuffer; `onFull` is called when it fills (the
 * caller flushes it to the store). Static rows, identities and vessels are kept in memory (they grow with the
 * number of vessels and identity changes, not with the number of positions).
 */
export class AisRowBuilder {
  positions: PositionBuffer;
  statics: StaticRow[] = [];
  readonly counters: RowCounters = {
    positions: 0,
    duplicates: 0,
    noPosition: 0,
    staticRows: 0,
    staticRepeats: 0,
    alreadyStored: 0,
  };
  /** Vessels seen: MMSI → first and last time seen (ms) and the line of the last one. */
  private readonly seenTable = new VesselTable();
  private readonly identity = new Map<number, IdentityState>();
  private readonly identities = new Map<string, IdentityRow>();
  private readonly lastStatic = new Map<number, { key: string; ts: number }>();
  /**
   * Per vessel (MMSI, a small integer key) and static message kind (0..4, see staticRepeatRaw): hash of the last
   * payload, when it was stored, and its identity row.
   */
  private readonly lastRaw = new Map<number, Array<{ hash: number; ts: number; identity: IdentityRow } | undefined>>();
  private lastIdentity: IdentityRow | null = null;
  /** Time range of the positions kept (for de-duplication against earlier imports). */
  minTs = Number.POSITIVE_INFINITY;
  maxTs = Number.NEGATIVE_INFINITY;
  /** Duplicate detection over a sliding window of recent positions (two generations of hash tables). */
  private readonly dedup: DedupWindow;
  /**
   * Deferred mode (the NMEA import, see `deferDuplicates`): positions go into the buffer at once and are checked
   * for duplicates in batches by `settle`, which first touches every batch row's hash slot (independent loads the
   * CPU overlaps) and then checks, counts and compacts in order, exactly as one at a time would.
   */
  private deferred = false;
  private pendN = 0;
  // As long as the positions buffer (at most 64 Ki entries; they grow when a batch holds more).
  private pendH: Float64Array<ArrayBuffer>;
  private pendTs: Float64Array<ArrayBuffer>;
  private pendLine: Float64Array<ArrayBuffer>;
  private pendMmsi: Float64Array<ArrayBuffer>;
  /** Pending entries that are positions (the last `pendRows` rows of the buffer). */
  private pendRows = 0;

  constructor(importId: string, opts: { capacity?: number; dedupWindow?: number } = {}) {
    this.positions = new PositionBuffer(opts.capacity ?? 65536, importId);
    this.dedup = new DedupWindow(opts.dedupWindow ?? DEDUP_WINDOW);
    const pend = Math.min(Math.max(this.positions.capacity, 8), 65536);
    this.pendH = new Float64Array(pend);
    this.pendTs = new Float64Array(pend);
    this.pendLine = new Float64Array(pend);
    this.pendMmsi = new Float64Array(pend);
  }

  /**
   * Defer the duplicate check of positions to `settle` (on), or settle and check each position as it comes (off).
   * While on, `addMessage` and the position methods return true for every position in range, and the positions
   * buffer, counters, time range and vessels are complete only after `settle` (result() settles).
   */
  deferDuplicates(on: boolean): void {
    if (this.remote) return;
    if (!on) this.settle();
    this.deferred = on;
  }

  /**
   * Leave the duplicate check, the position counters, the time range and the vessels seen to another builder
   * (the NMEA import worker: the main thread, idle while it waits for batches, checks them, see `settleBatch`):
   * positions stay pending, and `takePending` hands them over with each batch of positions. `result()` then
   * lists under `vessels` every vessel with an identity (first, last and line 0), for `settledResult` to join.
   */
  settleElsewhere(): void {
    this.remote = true;
    this.deferred = true;
  }
  private remote = false;

  /** Whether `settleElsewhere` was called. */
  get settlesElsewhere(): boolean {
    return this.remote;
  }

  /** Pending entries waiting to be settled elsewhere (see `settleElsewhere`). */
  get pendingCount(): number {
    return this.pendN;
  }

  /**
   * Hand over the pending entries (one per buffered position, in order, plus the vessels seen in static messages
   * between them) as [count, hashes, times, lines, MMSIs] and continue with `spare` arrays (or new ones).
   */
  takePending(spare?: ArrayBuffer[]): { n: number; buffers: ArrayBuffer[] } {
    const out = {
      n: this.pendN,
      buffers: [this.pendH.buffer, this.pendTs.buffer, this.pendLine.buffer, this.pendMmsi.buffer],
    };
    const size = this.pendH.length;
    const ok = spare && spare.length === 4 && spare[0]!.byteLength >= size * 8;
    this.pendH = new Float64Array(ok ? spare[0]! : new ArrayBuffer(size * 8));
    this.pendTs = new Float64Array(ok ? spare[1]! : new ArrayBuffer(size * 8));
    this.pendLine = new Float64Array(ok ? spare[2]! : new ArrayBuffer(size * 8));
    this.pendMmsi = new Float64Array(ok ? spare[3]! : new ArrayBuffer(size * 8));
    this.pendN = 0;
    this.pendRows = 0;
    return out as { n: number; buffers: ArrayBuffer[] };
  }

  /**
   * Settle a batch another builder collected (see `settleElsewhere`): drop its duplicates (compacting `P` in place),
   * count and record the others and the vessels, exactly as that builder's own `settle` would have.
   */
  settleBatch(P: PositionBuffer, n: number, buffers: ArrayBuffer[]): void {
    if (n === 0) return;
    const hs = new Float64Array(buffers[0]!);
    const ts = new Float64Array(buffers[1]!);
    const lines = new Float64Array(buffers[2]!);
    const mmsis = new Float64Array(buffers[3]!);
    P.length = this.settleRows(P, 0, n, hs, ts, lines, mmsis);
  }

  /**
   * The result of a worker that left settling to this builder (`settleElsewhere`): its counters, static rows and
   * identities, with this builder's position counters, time range and vessels (their identities from the worker).
   */
  settledResult(worker: BuilderResult): BuilderResult {
    const ids = new Map(worker.vessels.map((v) => [v.mmsi, v]));
    return {
      counters: { ...worker.counters, positions: this.counters.positions, duplicates: this.counters.duplicates },
      statics: worker.statics,
      identities: worker.identities,
      vessels: this.vesselRows((mmsi) => ids.get(mmsi)),
      minTs: this.minTs,
      maxTs: this.maxTs,
    };
  }

  /**
   * Check the deferred positions for duplicates, in order: drop the duplicates, count and record the others. A
   * pending entry with a negative hash is a vessel seen in a static message (queued so vessels are recorded in the
   * order they are seen without settling at every static message).
   */
  settle(): void {
    const n = this.pendN;
    if (n === 0 || this.remote) return;
    this.pendN = 0;
    const P = this.positions;
    const base = P.length - this.pendRows;
    this.pendRows = 0;
    P.length = this.settleRows(P, base, n, this.pendH, this.pendTs, this.pendLine, this.pendMmsi);
  }

  /** Check `n` pending entries for the rows of `P` from `base` on, in order; returns the new length of `P`. */
  private settleRows(
    P: PositionBuffer,
    base: number,
    n: number,
    hs: Float64Array,
    pendTs: Float64Array,
    pendLine: Float64Array,
    pendMmsi: Float64Array,
  ): number {
    let r = base;
    const vessels = this.seenTable;
    const dropped = this.dropped;
    dropped.length = 0;
    const mmsis = P.mmsi;
    const dedup = this.dedup;
    // The hash slots of the entries AHEAD rows on are loaded before they are checked (independent loads the CPU
    // overlaps with the work in between, while the rows checked now find their slots in the cache).
    // (The loaded values are kept in a field, in the loop: code after a loop first compiled while it runs has
    // no type feedback on the first call.)
    const warm = Math.min(n, AHEAD);
    for (let i = 0; i < warm; i++) dedup.peeked = dedup.peek(hs[i]!);
    for (let i = 0; i < n; i++) {
      if (i + AHEAD < n) dedup.peeked = dedup.peek(hs[i + AHEAD]!);
      const h = hs[i]!;
      if (h < 0) {
        vessels.seen(pendMmsi[i]!, pendTs[i]!, pendLine[i]!);
        continue;
      }
      const row = r++;
      if (!dedup.add(h)) {
        this.counters.duplicates++;
        dropped.push(row);
        continue;
      }
      const ts = pendTs[i]!;
      this.counters.positions++;
      if (ts < this.minTs) this.minTs = ts;
      if (ts > this.maxTs) this.maxTs = ts;
      vessels.seen(mmsis[row]!, ts, pendLine[i]!);
    }
    // Duplicates are rare: the rows between two of them move down in one block per column.
    if (dropped.length > 0) P.removeRows(dropped, r);
    return r - dropped.length;
  }
  /** Rows dropped as duplicates by the current settleRows (ascending). */
  private readonly dropped: number[] = [];

  /** Room for one more pending entry; returns its index. */
  private pendSlot(): number {
    const k = this.pendN;
    if (k === this.pendH.length) {
      this.pendH = doubled(this.pendH);
      this.pendTs = doubled(this.pendTs);
      this.pendLine = doubled(this.pendLine);
      this.pendMmsi = doubled(this.pendMmsi);
    }
    this.pendN = k + 1;
    return k;
  }

  /**
   * A static message whose payload equals the last one of its kind from the same vessel (within the hour) only
   * extends that identity's last-seen time: no strings are decoded. Returns true when handled so.
   */
  private staticRepeat(msg: AisMessage, tsMs: number, line: number): boolean {
    const kind = msg.type === 24 ? 1 + msg.raw('partno') : msg.type === 19 ? 4 : 0;
    if (this.staticRepeatRaw(msg.mmsi, kind, msg.bytes, msg.bitlen, tsMs, line)) return true;
    this.lastIdentity = null;
    this.pendingRaw = { mmsi: msg.mmsi, kind, h: this.rawHash, ts: tsMs };
    return false;
  }

  /**
   * `staticRepeat` from a static message's raw bits (the NMEA fast path calls it for type 5 pairs before decoding
   * them; kind 0 type 5, 1/2 type 24 part A/B, 4 type 19): true when the payload repeats the vessel's last one of
   * that kind within the hour, which is then counted; false, and nothing changed, otherwise.
   */
  staticRepeatRaw(mmsi: number, kind: number, bytes: Uint8Array, bitlen: number, tsMs: number, line: number): boolean {
    const h = bitsHash(bytes, bitlen);
    this.rawHash = h;
    const last = this.lastRaw.get(mmsi)?.[kind];
    if (last && last.hash === h && Math.abs(tsMs - last.ts) < STATIC_REPEAT_MS) {
      this.counters.staticRepeats++;
      const id = last.identity;
      if (tsMs < id.firstSeen) id.firstSeen = tsMs;
      if (tsMs > id.lastSeen) id.lastSeen = tsMs;
      id.messages++;
      this.seen(mmsi, tsMs, line);
      return true;
    }
    return false;
  }
  private rawHash = 0;
  private pendingRaw: { mmsi: number; kind: number; h: number; ts: number } | null = null;
  private rememberRaw(): void {
    const p = this.pendingRaw;
    if (p && this.lastIdentity) {
      let kinds = this.lastRaw.get(p.mmsi);
      if (kinds === undefined) {
        kinds = [];
        this.lastRaw.set(p.mmsi, kinds);
      }
      kinds[p.kind] = { hash: p.h, ts: p.ts, identity: this.lastIdentity };
    }
    this.pendingRaw = null;
  }

  /** Add a decoded AIS message received at `tsMs`. Returns true when it produced a position row. */
  addMessage(msg: AisMessage, tsMs: number, line = 0): boolean {
    const t = msg.type;
    if (t === 5 || t === 24) {
      if (this.staticRepeat(msg, tsMs, line)) return false;
      this.decodeMessage(msg, tsMs, line);
      this.rememberRaw();
      return false;
    }
    return this.decodeMessage(msg, tsMs, line);
  }

  private decodeMessage(msg: AisMessage, tsMs: number, line: number): boolean {
    switch (msg.type) {
      case 1:
      case 2:
      case 3:
        return this.position(
          msg.mmsi,
          tsMs,
          msg.raw('lat') / 600000,
          msg.raw('lon') / 600000,
          msg.raw('speed'),
          msg.raw('course'),
          msg.raw('heading'),
          msg.raw('status'),
          msg.type,
          'A',
          line,
        );
      case 18:
      case 19: {
        const got = this.position(
          msg.mmsi,
          tsMs,
          msg.raw('lat') / 600000,
          msg.raw('lon') / 600000,
          msg.raw('speed'),
          msg.raw('course'),
          msg.raw('heading'),
          15,
          msg.type,
          'B',
          line,
        );
        if (msg.type === 19) {
          this.staticData(
            msg.mmsi,
            tsMs,
            { name: nz(msg.text('shipname')), shipType: nzNum(msg.raw('shiptype')) },
            dimsOf(msg),
            line,
          );
        }
        return got;
      }
      case 27:
        return this.longRange(
          msg.mmsi,
          tsMs,
          msg.raw('lat'),
          msg.raw('lon'),
          msg.raw('speed'),
          msg.raw('course'),
          msg.raw('status'),
          line,
        );
      case 5: {
        const month = msg.raw('month');
        const eta =
          month === 0
            ? null
            : `${pad(month)}-${pad(msg.raw('day'))}T${pad(msg.raw('hour'))}:${pad(msg.raw('minute'))}Z`;
        const draught = msg.raw('draught');
        this.staticData(
          msg.mmsi,
          tsMs,
          {
            name: nz(msg.text('shipname')),
            callsign: nz(msg.text('callsign')),
            imo: nzNum(msg.raw('imo')),
            shipType: nzNum(msg.raw('shiptype')),
          },
          {
            ...dimsOf(msg),
            draughtM: draught === 0 ? null : draught / 10,
            destination: nz(msg.text('destination')),
            eta,
          },
          line,
        );
        return false;
      }
      case 24: {
        if (msg.raw('partno') === 0) {
          this.staticData(msg.mmsi, tsMs, { name: nz(msg.text('shipname')) }, {}, line);
        } else {
          this.staticData(
            msg.mmsi,
            tsMs,
            { callsign: nz(msg.text('callsign')), shipType: nzNum(msg.raw('shiptype')) },
            msg.table.index.has('to_bow') ? dimsOf(msg) : {},
            line,
          );
        }
        return false;
      }
      default:
        return false;
    }
  }

  /**
   * Add a position from raw AIS units (1/10000 min already converted to degrees; speed/course in tenths). The
   * NMEA fast path (maritime/ais/fast-positions.ts) calls this directly for types 1, 2, 3 and 18.
   */
  position(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    speedTenths: number,
    courseTenths: number,
    heading: number,
    status: number,
    type: number,
    cls: 'A' | 'B',
    line: number,
  ): boolean {
    return this.addPosition(
      mmsi,
      ts,
      lat,
      lon,
      speedTenths === 1023 ? Number.NaN : speedTenths / 10,
      courseTenths >= 3600 ? Number.NaN : courseTenths / 10,
      heading === 511 || heading > 359 ? Number.NaN : heading,
      status === 15 ? Number.NaN : status,
      type,
      cls === 'A' ? 1 : 2,
      line,
    );
  }

  /** Time (epoch ms) of the next `positionFast` call (a field, so that call passes only small integers). */
  fastTs = 0;

  /**
   * `position` for the NMEA fast path (types 1, 2, 3 and 18), from the raw integer fields: lat/lon in 1/10000
   * minute, speed and course in tenths, the time in `fastTs`. The same checks, hash and stored values as `position`,
   * written straight into the buffer's arrays in deferred mode (no floating-point value crosses a call, so none is
   * boxed: per position that saved some hundred bytes of garbage).
   */
  positionFast(
    mmsi: number,
    latRaw: number,
    lonRaw: number,
    speedTenths: number,
    courseTenths: number,
    heading: number,
    status: number,
    type: number,
    clsCode: number,
    line: number,
  ): boolean {
    const ts = this.fastTs;
    const lat = latRaw / 600000;
    const lon = lonRaw / 600000;
    if (!this.deferred)
      return this.position(
        mmsi,
        ts,
        lat,
        lon,
        speedTenths,
        courseTenths,
        heading,
        status,
        type,
        clsCode === 1 ? 'A' : 'B',
        line,
      );
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) || (lat === 0 && lon === 0)) {
      this.counters.noPosition++;
      return false;
    }
    const tHi = Math.floor(ts / TWO32);
    const tLo = ts - tHi * TWO32;
    const k = this.pendSlot();
    this.pendH[k] = hashParts(mmsi, tLo | 0, tHi | 0, Math.round(lat * 1e7) | 0, Math.round(lon * 1e7) | 0, type);
    this.pendTs[k] = ts;
    this.pendLine[k] = line;
    this.pendRows++;
    // PositionBuffer.pushCoded, inline.
    const P = this.positions;
    if (P.length >= P.capacity) P.grow();
    const i = P.length++;
    P.mmsi[i] = mmsi;
    if (ts >= 0 && ts < 9007199254740992) {
      P.tsWords[2 * i] = tLo;
      P.tsWords[2 * i + 1] = tHi;
    } else P.ts[i] = BigInt(Math.trunc(ts));
    P.lat[i] = lat;
    P.lon[i] = lon;
    P.sog[i] = speedTenths === 1023 ? Number.NaN : speedTenths / 10;
    P.cog[i] = courseTenths >= 3600 ? Number.NaN : courseTenths / 10;
    P.heading[i] = heading === 511 || heading > 359 ? Number.NaN : heading;
    P.navStatus[i] = status === 15 ? Number.NaN : status;
    P.msgType[i] = type;
    P.cls[i] = clsCode;
    return true;
  }

  /** Type 27 (long-range broadcast) from raw units: lat/lon in 1/10 minute, speed knots, course degrees. */
  longRange(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    speed: number,
    course: number,
    status: number,
    line: number,
  ): boolean {
    if (lat === 91 * 600 || lon === 181 * 600) {
      this.counters.noPosition++;
      return false;
    }
    return this.addPosition(
      mmsi,
      ts,
      lat / 600,
      lon / 600,
      speed === 63 ? Number.NaN : speed,
      course === 511 ? Number.NaN : course,
      Number.NaN,
      status === 15 ? Number.NaN : status,
      27,
      1,
      line,
    );
  }

  /** Add a position in store units (degrees, knots; NaN/null for not available). */
  positionUnits(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    sogKn: number,
    cogDeg: number,
    heading: number | null,
    navStatus: number | null,
    type: number,
    cls: string | null,
    line = 0,
  ): boolean {
    return this.addPosition(
      mmsi,
      ts,
      lat,
      lon,
      sogKn,
      cogDeg,
      heading ?? Number.NaN,
      navStatus ?? Number.NaN,
      type,
      cls === 'A' ? 1 : cls === 'B' ? 2 : 0,
      line,
    );
  }

  /** Range check, de-duplication and the buffer (NaN heading / nav status = not available; class as a code). */
  private addPosition(
    mmsi: number,
    ts: number,
    lat: number,
    lon: number,
    sogKn: number,
    cogDeg: number,
    heading: number,
    navStatus: number,
    type: number,
    clsCode: number,
    line: number,
  ): boolean {
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) || (lat === 0 && lon === 0)) {
      this.counters.noPosition++;
      return false;
    }
    const h = positionHash(mmsi, ts, lat, lon, type);
    if (this.deferred) {
      const k = this.pendSlot();
      this.pendH[k] = h;
      this.pendTs[k] = ts;
      this.pendLine[k] = line;
      this.pendRows++;
      this.positions.pushCoded(mmsi, ts, lat, lon, sogKn, cogDeg, heading, navStatus, type, clsCode);
      return true;
    }
    if (!this.dedup.add(h)) {
      this.counters.duplicates++;
      return false;
    }
    this.positions.pushCoded(mmsi, ts, lat, lon, sogKn, cogDeg, heading, navStatus, type, clsCode);
    this.counters.positions++;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    this.seen(mmsi, ts, line);
    return true;
  }

  /** A vessel seen (queued behind pending positions, so vessels are recorded in the order they are seen). */
  private seen(mmsi: number, ts: number, line: number): void {
    // `remote` first: both are read on every call (a test read only on some calls would have no type feedback).
    if (!this.remote && this.pendN === 0) {
      this.seenTable.seen(mmsi, ts, line);
      return;
    }
    const k = this.pendSlot();
    this.pendH[k] = -1;
    this.pendMmsi[k] = mmsi;
    this.pendTs[k] = ts;
    this.pendLine[k] = line;
  }

  /** MMSI → first and last time seen (ms) and the line of the last one, in first-seen order (a copy). */
  get vessels(): Map<number, { first: number; last: number; line: number }> {
    this.settle();
    return new Map(this.seenTable.entries());
  }

  /** Static data (any subset of fields); updates the identity history. */
  staticData(
    mmsi: number,
    ts: number,
    id: Partial<IdentityState>,
    voyage: Partial<
      Pick<StaticRow, 'toBow' | 'toStern' | 'toPort' | 'toStarboard' | 'draughtM' | 'destination' | 'eta'>
    >,
    line = 0,
  ): void {
    this.seen(mmsi, ts, line);
    const row: StaticRow = {
      mmsi,
      ts,
      imo: id.imo ?? null,
      name: id.name ?? null,
      callsign: id.callsign ?? null,
      shipType: id.shipType ?? null,
      toBow: voyage.toBow ?? null,
      toStern: voyage.toStern ?? null,
      toPort: voyage.toPort ?? null,
      toStarboard: voyage.toStarboard ?? null,
      draughtM: voyage.draughtM ?? null,
      destination: voyage.destination ?? null,
      eta: voyage.eta ?? null,
    };
    const key = JSON.stringify([
      row.imo,
      row.name,
      row.callsign,
      row.shipType,
      row.toBow,
      row.toStern,
      row.toPort,
      row.toStarboard,
      row.draughtM,
      row.destination,
      row.eta,
    ]);
    const last = this.lastStatic.get(mmsi);
    if (last && last.key === key && Math.abs(ts - last.ts) < STATIC_REPEAT_MS) this.counters.staticRepeats++;
    else {
      this.lastStatic.set(mmsi, { key, ts });
      this.statics.push(row);
      this.counters.staticRows++;
    }
    // Identity: merge what this message says into what the vessel said before, then record the tuple.
    let st = this.identity.get(mmsi);
    if (!st) {
      st = { name: null, callsign: null, imo: null, shipType: null };
      this.identity.set(mmsi, st);
    }
    if (id.name !== undefined && id.name !== null) st.name = id.name;
    if (id.callsign !== undefined && id.callsign !== null) st.callsign = id.callsign;
    if (id.imo !== undefined && id.imo !== null) st.imo = id.imo;
    if (id.shipType !== undefined && id.shipType !== null) st.shipType = id.shipType;
    const ikey = `${mmsi}|${st.name}|${st.callsign}|${st.imo}|${st.shipType}`;
    const ex = this.identities.get(ikey);
    if (ex) {
      if (ts < ex.firstSeen) ex.firstSeen = ts;
      if (ts > ex.lastSeen) ex.lastSeen = ts;
      ex.messages++;
      this.lastIdentity = ex;
    } else {
      const row: IdentityRow = {
        mmsi,
        name: st.name,
        callsign: st.callsign,
        imo: st.imo,
        shipType: st.shipType,
        flag: flagOf(mmsi) ?? null,
        firstSeen: ts,
        lastSeen: ts,
        messages: 1,
      };
      this.identities.set(ikey, row);
      this.lastIdentity = row;
    }
  }

  identityRows(): IdentityRow[] {
    return [...this.identities.values()];
  }

  /** Hand over the buffered positions and continue with an empty buffer tagged `nextImportId` (live feeds). */
  swapPositions(nextImportId: string): PositionBuffer {
    this.settle();
    const full = this.positions;
    this.positions = new PositionBuffer(full.capacity, nextImportId);
    return full;
  }

  /** Identity tuples observed since the last drain (live feeds merge them batch by batch). */
  drainIdentities(): IdentityRow[] {
    const rows = [...this.identities.values()];
    this.identities.clear();
    this.lastRaw.clear();
    return rows;
  }

  /** Vessels seen since the last drain. */
  drainVessels(): Array<[number, { first: number; last: number; line: number }]> {
    this.settle();
    const v = this.seenTable.entries();
    this.seenTable.clear();
    return v;
  }

  /** The latest identity of a vessel (merged over this import). */
  currentIdentity(mmsi: number): IdentityState | undefined {
    return this.identity.get(mmsi);
  }

  /** The vessels seen, in first-seen order, each with the identity `identityOf` gives for it. */
  private vesselRows(
    identityOf: (mmsi: number) => { name: string | null; imo: number | null; callsign: string | null } | undefined,
  ): BuilderResult['vessels'] {
    return this.seenTable.entries().map(([mmsi, v]) => {
      const id = identityOf(mmsi);
      return {
        mmsi,
        first: v.first,
        last: v.last,
        line: v.line,
        name: id?.name ?? null,
        imo: id?.imo ?? null,
        callsign: id?.callsign ?? null,
      };
    });
  }

  /**
   * Everything but the positions, as plain data (a worker thread posts it to the main thread at the end): static
   * rows (taken), identity tuples, vessels seen with their latest identity, counters and the positions' time range.
   */
  result(): BuilderResult {
    this.settle();
    // Settled elsewhere, the vessels are known there: these are their identities (see settleElsewhere).
    const vessels = this.remote
      ? [...this.identity].map(([mmsi, id]) => ({
          mmsi,
          first: 0,
          last: 0,
          line: 0,
          name: id.name,
          imo: id.imo,
          callsign: id.callsign,
        }))
      : this.vesselRows((mmsi) => this.identity.get(mmsi));
    return {
      counters: { ...this.counters },
      statics: this.takeStatics(),
      identities: this.identityRows(),
      vessels,
      minTs: this.minTs,
      maxTs: this.maxTs,
    };
  }

  takeStatics(): StaticRow[] {
    const s = this.statics;
    this.statics = [];
    return s;
  }
}

function nz(s: string): string | null {
  const t = s.trim();
  return t === '' ? null : t;
}
function nzNum(n: number): number | null {
  return n === 0 || Number.isNaN(n) ? null : n;
}
function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
function dimsOf(msg: AisMessage): Pick<StaticRow, 'toBow' | 'toStern' | 'toPort' | 'toStarboard'> {
  const v = (n: string) => nzNum(msg.raw(n));
  return { toBow: v('to_bow'), toStern: v('to_stern'), toPort: v('to_port'), toStarboard: v('to_starboard') };
}

/** FNV-1a over the bytes holding `bitlen` bits (payload identity for repeated static messages). */
function bitsHash(bytes: Uint8Array, bitlen: number): number {
  let h = 0x811c9dc5 ^ bitlen;
  const n = (bitlen + 7) >> 3;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

const mix = (h: number, v: number): number => {
  h = Math.imul(h ^ v, 0xcc9e2d51);
  return (h << 13) | (h >>> 19);
};

/** 52-bit hash of a position's identity (for duplicate detection; collisions are ~1 in 10^15 per pair). */
function positionHash(mmsi: number, ts: number, lat: number, lon: number, type: number): number {
  const hi = Math.floor(ts / 4294967296);
  return hashParts(
    mmsi,
    (ts - hi * 4294967296) | 0,
    hi | 0,
    Math.round(lat * 1e7) | 0,
    Math.round(lon * 1e7) | 0,
    type,
  );
}
/** positionHash from its parts: ts as low and high 32-bit words, lat/lon in 1e-7 degrees (all int32). */
function hashParts(mmsi: number, tl: number, th: number, la: number, lo: number, type: number): number {
  const h1 = mix(mix(mix(mix(0x9e3779b9 ^ mmsi, tl), th), la), lo);
  const h2 = mix(mix(mix(mix(0x85ebca6b ^ type, lo), la ^ h1), th), tl ^ mmsi);
  return (h1 >>> 0) * 1048576 + ((h2 >>> 0) & 0xfffff);
}

/**
 * Vessels seen (first and last time, line of the last), in typed arrays indexed by first-seen order, found by MMSI
 * through an open-addressing table of int32 keys (MMSIs outside the int32 range, which only odd CSV input gives,
 * through a Map): per position no Map look-up and no object.
 */
class VesselTable {
  private keys = new Int32Array(4096).fill(-1);
  private idx = new Int32Array(4096);
  private mask = 4095;
  private other = new Map<number, number>();
  length = 0;
  private mmsi = new Float64Array(1024);
  private first = new Float64Array(1024);
  private last = new Float64Array(1024);
  private line = new Float64Array(1024);

  seen(mmsi: number, ts: number, line: number): void {
    let i: number;
    if ((mmsi | 0) === mmsi && mmsi >= 0) {
      const keys = this.keys;
      const mask = this.mask;
      let s = (Math.imul(mmsi, 0x9e3779b1) >>> 16) & mask;
      for (;;) {
        const k = keys[s]!;
        if (k === mmsi) {
          i = this.idx[s]!;
          break;
        }
        if (k === -1) {
          i = this.append(mmsi, ts, line);
          keys[s] = mmsi;
          this.idx[s] = i;
          if (this.length * 2 > mask) this.rehash();
          return;
        }
        s = (s + 1) & mask;
      }
    } else {
      const j = this.other.get(mmsi);
      if (j === undefined) {
        this.other.set(mmsi, this.append(mmsi, ts, line));
        return;
      }
      i = j;
    }
    if (ts < this.first[i]!) this.first[i] = ts;
    if (ts > this.last[i]!) {
      this.last[i] = ts;
      this.line[i] = line;
    }
  }

  private append(mmsi: number, ts: number, line: number): number {
    if (this.length === this.mmsi.length) {
      this.mmsi = doubled(this.mmsi);
      this.first = doubled(this.first);
      this.last = doubled(this.last);
      this.line = doubled(this.line);
    }
    const i = this.length++;
    this.mmsi[i] = mmsi;
    this.first[i] = ts;
    this.last[i] = ts;
    this.line[i] = line;
    return i;
  }

  private rehash(): void {
    const cap = this.keys.length * 2;
    const keys = new Int32Array(cap).fill(-1);
    const idx = new Int32Array(cap);
    const mask = cap - 1;
    const old = this.keys;
    for (let s = 0; s < old.length; s++) {
      const k = old[s]!;
      if (k === -1) continue;
      let t = (Math.imul(k, 0x9e3779b1) >>> 16) & mask;
      while (keys[t] !== -1) t = (t + 1) & mask;
      keys[t] = k;
      idx[t] = this.idx[s]!;
    }
    this.keys = keys;
    this.idx = idx;
    this.mask = mask;
  }

  /** [mmsi, {first, last, line}] in first-seen order. */
  entries(): Array<[number, { first: number; last: number; line: number }]> {
    const out: Array<[number, { first: number; last: number; line: number }]> = new Array(this.length);
    for (let i = 0; i < this.length; i++)
      out[i] = [this.mmsi[i]!, { first: this.first[i]!, last: this.last[i]!, line: this.line[i]! }];
    return out;
  }

  clear(): void {
    this.keys.fill(-1);
    this.other.clear();
    this.length = 0;
  }
}

/**
 * The duplicate window: two generations of sets of non-zero 52-bit integers (open addressing, linear probing) in
 * one Float64Array, the two generations of a slot side by side, so the look-up in the older generation and the
 * insertion into the newer one touch the same cache lines (a million entries cost no GC). A value is a duplicate
 * when either generation holds it; after `generation` insertions the older generation is emptied and becomes the
 * newer one.
 */
class DedupWindow {
  private readonly table: Float64Array;
  private readonly mask: number;
  /** Offset (0 or 1) of the newer generation in each slot pair; the older one is at 1 - cur. */
  private cur = 0;
  private size = 0;
  constructor(private readonly generation: number) {
    let cap = 1024;
    while (cap < generation * 2) cap *= 2;
    this.table = new Float64Array(cap * 2);
    this.mask = cap - 1;
  }
  /** Add h to the newer generation unless a generation holds it; false when it was there (a duplicate). */
  add(h: number): boolean {
    const v = h === 0 ? 1 : h;
    const t = this.table;
    const mask = this.mask;
    // The upper 32 bits of the 52-bit hash (an exact power-of-two division, no floating-point modulo).
    const start = ((v / 1048576) >>> 0) & mask;
    const o = 1 - this.cur;
    for (let i = start; ; i = (i + 1) & mask) {
      const x = t[2 * i + o]!;
      if (x === 0) break;
      if (x === v) return false;
    }
    const n = this.cur;
    for (let i = start; ; i = (i + 1) & mask) {
      const j = 2 * i + n;
      const x = t[j]!;
      if (x === v) return false;
      if (x === 0) {
        t[j] = v;
        if (++this.size >= this.generation) this.rotate();
        return true;
      }
    }
  }
  /** The home slot of a hash that will be checked soon (loaded now: an independent load the CPU overlaps). */
  peek(h: number): number {
    return this.table[2 * ((((h === 0 ? 1 : h) / 1048576) >>> 0) & this.mask)]!;
  }
  /** The last slot peeked by a settleRows (kept so its loads are not optimised away). */
  peeked = 0;

  private rotate(): void {
    const o = 1 - this.cur;
    // The fields first: the loop is compiled while it runs (on-stack replacement), and code after it that had
    // never run would have no type feedback and be thrown away on its first run.
    this.cur = o;
    this.size = 0;
    const t = this.table;
    for (let j = o; j < t.length; j += 2) t[j] = 0;
  }
}

export function staticBatch(rows: StaticRow[], importId: string): ColumnBatch {
  return {
    length: rows.length,
    columns: [
      rows.map((r) => r.mmsi),
      rows.map((r) => r.ts),
      rows.map((r) => r.imo),
      rows.map((r) => r.name),
      rows.map((r) => r.callsign),
      rows.map((r) => r.shipType),
      rows.map((r) => r.toBow),
      rows.map((r) => r.toStern),
      rows.map((r) => r.toPort),
      rows.map((r) => r.toStarboard),
      rows.map((r) => r.draughtM),
      rows.map((r) => r.destination),
      rows.map((r) => r.eta),
      rows.map(() => importId),
    ],
  };
}

/** A copy of `a` with twice its length (the first half holds `a`). */
function doubled(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
