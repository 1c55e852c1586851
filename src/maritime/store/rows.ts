/**
 * Turning decoded AIS (or CSV) records into store rows: positions into a columnar buffer, duplicates dropped
 * (dedup.ts), static/voyage rows (static-rows.ts), the vessel identity history (identities.ts) and the vessels seen
 * (vessels-seen.ts). Shared by the NMEA and CSV importers and the live listener; no I/O here.
 */
import type { AisMessage } from '../ais/decoder.js';
import type { PositionSink } from '../ais/position-sink.js';
import { LATLON_DIV } from '../ais/tables/position.js';
import { DEDUP_WINDOW, DedupWindow, hashParts, PendingChecks, positionHash } from './dedup.js';
import { IdentityHistory, type IdentityRow, type IdentityState, seenAgain } from './identities.js';
import { PositionBuffer, TWO32 } from './position-buffer.js';
import { type StaticRow, StaticRows } from './static-rows.js';
import { VesselTable } from './vessels-seen.js';

// The row types the importers use with the builder, from the files that define them.
export type { IdentityRow, IdentityState } from './identities.js';
export {
  className,
  POSITION_COLUMNS,
  PositionBuffer,
  type PositionBufferMessage,
  type PositionRow,
} from './position-buffer.js';
export { STATIC_COLUMNS, type StaticRow, staticBatch } from './static-rows.js';

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

/** How many pending entries ahead settleRows loads the duplicate window's slots. */
const AHEAD = 16;

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
export class AisRowBuilder implements PositionSink {
  positions: PositionBuffer;
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
  /** What each vessel says it is, and the identity tuples seen. */
  private readonly identities = new IdentityHistory();
  /** Static rows kept, and the last ones their repeats are compared with. */
  private readonly staticRows = new StaticRows();
  /** The identity row of the static message decoded last (remembered with its payload, see staticRepeat). */
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
  /** The positions (and vessels seen) waiting for the duplicate check. */
  private readonly pending: PendingChecks;

  constructor(importId: string, opts: { capacity?: number; dedupWindow?: number } = {}) {
    this.positions = new PositionBuffer(opts.capacity ?? 65536, importId);
    this.dedup = new DedupWindow(opts.dedupWindow ?? DEDUP_WINDOW);
    // As long as the positions buffer (at most 64 Ki entries; they grow when a batch holds more).
    this.pending = new PendingChecks(Math.min(Math.max(this.positions.capacity, 8), 65536));
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
    return this.pending.n;
  }

  /**
   * Hand over the pending entries (one per buffered position, in order, plus the vessels seen in static messages
   * between them) as [count, hashes, times, lines, MMSIs] and continue with `spare` arrays (or new ones).
   */
  takePending(spare?: ArrayBuffer[]): { n: number; buffers: ArrayBuffer[] } {
    return this.pending.take(spare);
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
    const q = this.pending;
    const n = q.n;
    if (n === 0 || this.remote) return;
    q.n = 0;
    const P = this.positions;
    const base = P.length - q.rows;
    q.rows = 0;
    P.length = this.settleRows(P, base, n, q.h, q.ts, q.line, q.mmsi);
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

  /**
   * A static message whose payload equals the last one of its kind from the same vessel (within the hour) only
   * extends that identity's last-seen time: no strings are decoded. Returns true when handled so.
   */
  private staticRepeat(msg: AisMessage, tsMs: number, line: number): boolean {
    const kind = msg.type === 24 ? 1 + msg.raw('partno') : msg.type === 19 ? 4 : 0;
    if (this.staticRepeatRaw(msg.mmsi, kind, msg.bytes, msg.bitlen, tsMs, line)) return true;
    this.lastIdentity = null;
    this.pendingRaw = { mmsi: msg.mmsi, kind, h: this.staticRows.lastHash, ts: tsMs };
    return false;
  }

  /**
   * `staticRepeat` from a static message's raw bits (the NMEA fast path calls it for type 5 pairs before decoding
   * them; kind 0 type 5, 1/2 type 24 part A/B, 4 type 19): true when the payload repeats the vessel's last one of
   * that kind within the hour, which is then counted; false, and nothing changed, otherwise.
   */
  staticRepeatRaw(mmsi: number, kind: number, bytes: Uint8Array, bitlen: number, tsMs: number, line: number): boolean {
    const id = this.staticRows.repeatOf(mmsi, kind, bytes, bitlen, tsMs);
    if (id === null) return false;
    this.counters.staticRepeats++;
    seenAgain(id, tsMs);
    this.seen(mmsi, tsMs, line);
    return true;
  }
  private pendingRaw: { mmsi: number; kind: number; h: number; ts: number } | null = null;
  private rememberRaw(): void {
    const p = this.pendingRaw;
    if (p && this.lastIdentity) this.staticRows.remember(p.mmsi, p.kind, p.h, p.ts, this.lastIdentity);
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
          msg.raw('lat') / LATLON_DIV,
          msg.raw('lon') / LATLON_DIV,
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
          msg.raw('lat') / LATLON_DIV,
          msg.raw('lon') / LATLON_DIV,
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
    const lat = latRaw / LATLON_DIV;
    const lon = lonRaw / LATLON_DIV;
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
    const q = this.pending;
    const k = q.slot();
    q.h[k] = hashParts(mmsi, tLo | 0, tHi | 0, Math.round(lat * 1e7) | 0, Math.round(lon * 1e7) | 0, type);
    q.ts[k] = ts;
    q.line[k] = line;
    q.rows++;
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
    P.line[i] = line;
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
      const q = this.pending;
      const k = q.slot();
      q.h[k] = h;
      q.ts[k] = ts;
      q.line[k] = line;
      q.rows++;
      this.positions.pushCoded(mmsi, ts, lat, lon, sogKn, cogDeg, heading, navStatus, type, clsCode, line);
      return true;
    }
    if (!this.dedup.add(h)) {
      this.counters.duplicates++;
      return false;
    }
    this.positions.pushCoded(mmsi, ts, lat, lon, sogKn, cogDeg, heading, navStatus, type, clsCode, line);
    this.counters.positions++;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    this.seen(mmsi, ts, line);
    return true;
  }

  /** A vessel seen (queued behind pending positions, so vessels are recorded in the order they are seen). */
  private seen(mmsi: number, ts: number, line: number): void {
    // `remote` first: both are read on every call (a test read only on some calls would have no type feedback).
    const q = this.pending;
    if (!this.remote && q.n === 0) {
      this.seenTable.seen(mmsi, ts, line);
      return;
    }
    const k = q.slot();
    q.h[k] = -1;
    q.mmsi[k] = mmsi;
    q.ts[k] = ts;
    q.line[k] = line;
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
    if (this.staticRows.add(row)) this.counters.staticRows++;
    else this.counters.staticRepeats++;
    // Identity: merge what this message says into what the vessel said before, then record the tuple.
    this.lastIdentity = this.identities.observe(mmsi, ts, id);
  }

  identityRows(): IdentityRow[] {
    return this.identities.list();
  }

  /** Static rows kept and not yet taken. */
  get statics(): StaticRow[] {
    return this.staticRows.rows;
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
    this.staticRows.forgetPayloads();
    return this.identities.drain();
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
    return this.identities.of(mmsi);
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
      ? this.identities.vessels().map(([mmsi, id]) => ({
          mmsi,
          first: 0,
          last: 0,
          line: 0,
          name: id.name,
          imo: id.imo,
          callsign: id.callsign,
        }))
      : this.vesselRows((mmsi) => this.identities.of(mmsi));
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
    return this.staticRows.take();
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
