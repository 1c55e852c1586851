/**
 * One atomic AIS import: positions are flushed to the store in batches while the source streams; static rows,
 * the identity history, vessel statements and the imports-log record are written at the end, all inside the
 * caller's transaction (so an interrupted import leaves the store as it was).
 */
import { basename } from 'node:path';
import type { ColumnBatch, Db } from '../../store/db.js';
import { streamSource } from '../../store/duckdb/scan-insert.js';
import type { Store } from '../../store/store.js';
import {
  createPositionStage,
  dropKnownStatics,
  insertNewPositions,
  insertStatics,
  mergeIdentities,
  newPositionImportKey,
  positionsTimeRange,
  recordPositionImport,
  vesselStatements,
} from './repository.js';
import { AisRowBuilder, type BuilderResult, POSITION_COLUMNS, type PositionBuffer, type RowCounters } from './rows.js';

export interface AisImportSummary {
  importId: string;
  kind: string;
  location: string;
  sha256: string;
  /** False when the same file (same sha256) had already been imported: nothing was written. */
  created: boolean;
  positions: number;
  staticRows: number;
  identities: number;
  vessels: number;
  statements: number;
  rows: RowCounters;
  /** Decoder / reader counters (AIS counters for NMEA, record counters for CSV). */
  input: Record<string, number>;
  seconds: number;
}

/**
 * Flush positions when this many are buffered (the buffer holds 2× so one input chunk never overflows it): two
 * DuckDB row groups of 122,880, so each bulk load writes whole row groups (many small loads cost more in all).
 */
export const FLUSH_ROWS = 245760;
/** Rows per bulk load (one appender, flushed at its end): two DuckDB row groups of 122,880. */
const BULK_ROWS = 245760;

export class AisImportSession {
  readonly builder: AisRowBuilder;
  private readonly started = Date.now();
  private flushed = 0;

  constructor(
    readonly store: Store,
    readonly tx: Db,
    public importId: string,
    readonly kind: string,
    readonly location: string,
    public sha256: string,
  ) {
    this.builder = new AisRowBuilder(importId, { capacity: FLUSH_ROWS * 2 });
  }

  /**
   * Set the import's id and file hash when they were not known at the start (the NMEA worker import hashes the file
   * while it loads): positions carry the import's integer key, the id is written with the rest in `finish`.
   */
  setSource(importId: string, sha256: string): void {
    this.importId = importId;
    this.sha256 = sha256;
  }

  /** Call after each input chunk: writes buffered positions once enough are waiting. */
  async maybeFlush(): Promise<void> {
    if (this.builder.positions.length >= FLUSH_ROWS) await this.flush();
  }

  /** This import's key in `position_imports` (allocated at the first write; recorded by `finish`). */
  private key: number | null = null;
  private async importKey(): Promise<number> {
    if (this.key === null) this.key = await newPositionImportKey(this.tx);
    return this.key;
  }

  async flush(): Promise<void> {
    const buf = this.builder.positions;
    if (buf.length === 0) return;
    await this.insertBuffers([buf]);
    buf.clear();
  }

  /** Time range of the positions other imports stored (read once, before this import writes any). */
  private storeRange: { lo: number; hi: number } | null | undefined;
  /** Staging table for batches that fall in that range (compared with the store when the import finishes). */
  private stage: string | null = null;
  private staged = 0;

  /**
   * Append position buffers, in this transaction. A batch whose time range meets the time range the store already
   * has goes to a staging table instead, to be compared with the stored positions at the end (`finish`); all other
   * batches (all of them, for new data) go straight into `positions`. `release` gets each buffer back once it is
   * written (the buffers are loaded as they are, without copies, so their producer must not refill them before).
   */
  async insertBuffers(
    bufs: AsyncIterable<PositionBuffer> | Iterable<PositionBuffer>,
    release?: (buf: PositionBuffer) => void,
  ): Promise<void> {
    if (this.storeRange === undefined) this.storeRange = await positionsTimeRange(this.tx);
    const range = this.storeRange;
    const key = await this.importKey();
    const it = (Symbol.asyncIterator in bufs ? bufs[Symbol.asyncIterator]() : bufs[Symbol.iterator]()) as
      | AsyncIterator<PositionBuffer>
      | Iterator<PositionBuffer>;
    const overlaps = (b: PositionBuffer): boolean => {
      if (range === null || b.length === 0) return false;
      const [lo, hi] = b.tsRange();
      return hi >= range.lo && lo <= range.hi;
    };
    let next = await it.next();
    while (!next.done) {
      const toStage = overlaps(next.value);
      // One bulk load per run of batches going the same way, of at most BULK_ROWS rows: each load writes while the
      // rest of the file is being decoded (in the worker thread) instead of all the writing happening at the end.
      // The run is handed over as an array of views on the buffers (an array is loaded without copies).
      const run: PositionBuffer[] = [];
      let rows = 0;
      while (!next.done && overlaps(next.value) === toStage && rows < BULK_ROWS) {
        rows += next.value.length;
        run.push(next.value);
        next = await it.next();
      }
      const batches = run.map((b) => b.batch(key));
      if (toStage) {
        if (this.stage === null) this.stage = await createPositionStage(this.tx);
        this.staged += await this.tx.bulkInsert(this.stage, POSITION_COLUMNS, batches);
      } else this.flushed += await this.tx.bulkInsert('positions', POSITION_COLUMNS, batches);
      if (release) for (const b of run) release(b);
    }
  }

  /**
   * Append position buffers from a blocking source (DuckDB, the NMEA worker import): `next()` waits for the next
   * buffer (undefined at the end) and may reuse the one it returned before. Each run of buffers going the same way
   * (see `insertBuffers`) is one bulk load marked as a stream, so DuckDB starts writing with the first buffer and
   * pulls the others as the worker posts them, instead of one load per few buffers, each waiting for all of them.
   * `pause`: once `due()`, the current load ends after the buffer it is writing and `run()` is awaited (in the
   * transaction, between two loads: the worker import checks there whether the file was imported before).
   */
  async insertStream(
    next: () => PositionBuffer | undefined,
    pause?: { due: () => boolean; run: () => Promise<void> },
  ): Promise<void> {
    if (this.storeRange === undefined) this.storeRange = await positionsTimeRange(this.tx);
    const range = this.storeRange;
    const key = await this.importKey();
    const overlaps = (b: PositionBuffer): boolean => {
      if (range === null || b.length === 0) return false;
      const [lo, hi] = b.tsRange();
      return hi >= range.lo && lo <= range.hi;
    };
    let pending = next();
    while (pending !== undefined) {
      if (pause?.due()) await pause.run();
      const first: PositionBuffer = pending;
      const toStage = overlaps(first);
      pending = undefined;
      let paused = false;
      const run = streamSource({
        *[Symbol.iterator](): Iterator<ColumnBatch> {
          let cur: PositionBuffer | undefined = first;
          while (cur !== undefined) {
            yield cur.batch(key);
            if (pause?.due()) {
              paused = true;
              return;
            }
            const nx = next();
            if (nx !== undefined && overlaps(nx) !== toStage) {
              pending = nx; // the next run's first buffer
              return;
            }
            cur = nx;
          }
        },
      });
      if (toStage) {
        if (this.stage === null) this.stage = await createPositionStage(this.tx);
        this.staged += await this.tx.bulkInsert(this.stage, POSITION_COLUMNS, run);
      } else this.flushed += await this.tx.bulkInsert('positions', POSITION_COLUMNS, run);
      if (paused) {
        await pause?.run();
        pending = next();
      }
    }
  }

  /**
   * Write everything else and record the import. `result` is the builder's (default: this session's builder).
   * Staged positions are added where the store does not have them yet, and static rows another import stored
   * are removed from this one, so importing an overlapping file adds only what the store did not have.
   */
  async finish(input: Record<string, number>, result?: BuilderResult): Promise<AisImportSummary> {
    await this.flush();
    const r = result ?? this.builder.result();
    const counters = { ...r.counters };
    let known = 0;
    if (this.stage !== null) {
      const added = await insertNewPositions(this.tx, this.stage, await this.importKey(), this.flushed);
      known = this.staged - added;
      this.flushed += added;
      this.stage = null;
    }
    counters.alreadyStored += known;
    counters.positions -= known;
    const positions = this.flushed;
    if (this.key !== null) await recordPositionImport(this.tx, this.key, this.importId);
    await insertStatics(this.tx, r.statics, this.importId);
    const knownStatics = await dropKnownStatics(this.tx, this.importId, r.statics);
    counters.alreadyStored += knownStatics;
    const staticRows = r.statics.length - knownStatics;
    const identities = r.identities;
    await mergeIdentities(this.tx, identities);
    const file = basename(this.location);
    const statements = vesselStatements(
      r.vessels.map((v) => ({
        mmsi: v.mmsi,
        name: v.name,
        imo: v.imo,
        callsign: v.callsign,
        lastSeen: v.last,
        record: `${file}:${v.line}`,
      })),
    );
    // One statement per vessel and property (the builder's vessels are distinct MMSIs): no repeats to look for.
    const written = statements.length ? await this.store.putStatements(statements, { distinct: true }) : 0;
    const summary: AisImportSummary = {
      importId: this.importId,
      kind: this.kind,
      location: this.location,
      sha256: this.sha256,
      created: true,
      positions,
      staticRows,
      identities: identities.length,
      vessels: r.vessels.length,
      statements: written,
      rows: counters,
      input,
      seconds: (Date.now() - this.started) / 1000,
    };
    await this.store.recordImport({
      id: this.importId,
      kind: this.kind,
      location: this.location,
      sha256: this.sha256,
      importedAt: new Date().toISOString(),
      rowCount: positions,
      details: { ...input, ...counters, identities: identities.length, vessels: r.vessels.length },
    });
    return summary;
  }
}

/** The summary for a file that was already imported (nothing written). */
export function alreadyImported(kind: string, location: string, sha256: string, importId: string): AisImportSummary {
  return {
    importId,
    kind,
    location,
    sha256,
    created: false,
    positions: 0,
    staticRows: 0,
    identities: 0,
    vessels: 0,
    statements: 0,
    rows: { positions: 0, duplicates: 0, noPosition: 0, staticRows: 0, staticRepeats: 0, alreadyStored: 0 },
    input: {},
    seconds: 0,
  };
}
