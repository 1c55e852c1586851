/**
 * `ais import` for NMEA files (plain or gzip): decodes the file into the store in one transaction. Idempotent by
 * file sha256 (imports log) and by message de-duplication (within the file, and against positions other imports
 * stored); a file without a time source (tag block c:, $PGHP, GPS RMC/ZDA, receiver timestamps) for most of its
 * messages is refused unless a start time is given.
 *
 * Large files are decoded in a worker thread (ais-nmea-worker.ts) while this thread loads the positions into the
 * store: on two cores, decoding and DuckDB's writing run side by side (on DuckDB through one streaming INSERT, see
 * importStreaming; on PostgreSQL through COPY in bulk loads). The file's sha256 is computed here meanwhile; a file
 * imported before rolls its transaction back and writes nothing.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';
import type { BadLine } from '../maritime/ais/nmea.js';
import { AisImportSession, type AisImportSummary, alreadyImported } from '../maritime/store/import-session.js';
import { AisRowBuilder, type BuilderResult, PositionBuffer } from '../maritime/store/rows.js';
import type { Store } from '../store/store.js';
import { decodeNmeaFile } from './ais-nmea-decode.js';
import type { NmeaWorkerAck, NmeaWorkerInput, NmeaWorkerMessage } from './ais-nmea-worker.js';

export interface NmeaImportOptions {
  /** Time (epoch ms) for messages the file gives no time for. Without it such a file is refused. */
  startTimeMs?: number;
  /** Called now and then with the number of lines read. */
  onProgress?: (lines: number) => void;
  /**
   * 1: decode in a worker thread while this thread writes to the store; 0: decode here. Default: a worker for
   * files of 8 MiB and more (below that, starting a thread costs more than it saves).
   */
  threads?: 0 | 1;
  /** Positions per batch from the worker (default 61,440; tests use small batches to cross batch boundaries). */
  workerBatchRows?: number;
  /**
   * Asked between batches of a streaming import (the whole file is then one statement): throwing or rejecting
   * stops it, the transaction rolls back and the worker is stopped. The import jobs pass their cancel gate.
   */
  cancelCheck?: CancelCheck;
}

export type CancelCheck = (what: string) => void | Promise<void>;

/** An NMEA import's summary, with the first bad lines of the file (line number, counter, reason). */
export interface NmeaImportSummary extends AisImportSummary {
  badLines: BadLine[];
}

const WORKER_MIN_BYTES = 8 << 20;
/**
 * Positions per batch from the worker (half a DuckDB row group) and batches in flight (~3.3 MB each, ~40 MB in all):
 * a batch goes back to the worker once written (PostgreSQL: a bulk load takes four), so memory stays flat while the
 * worker keeps decoding the next ones.
 */
const WORKER_BATCH_ROWS = 61440;
const WORKER_IN_FLIGHT = 12;
/** How often a streaming import asks its cancel gate between batches (see GateWatch). */
const GATE_POLL_MS = 50;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

// The gzip sniffing lives with the streaming decoder (so `ais decode` loads no store code); re-exported here.
export { isGzip, openMaybeGzip } from '../maritime/ais/stream.js';

const KIND = 'ais-nmea';

/**
 * Import one NMEA file. A file none of whose lines could be read is refused with an InputError naming its first
 * bad lines, and nothing is written or recorded (so importing it again tries again).
 */
export async function importNmeaFile(
  store: Store,
  file: string,
  opts: NmeaImportOptions = {},
): Promise<NmeaImportSummary> {
  const threads = opts.threads ?? (statSync(file).size >= WORKER_MIN_BYTES ? 1 : 0);
  return threads === 1 ? importWithWorker(store, file, opts) : importHere(store, file, opts);
}

function withBadLines(s: AisImportSummary, badLines: BadLine[] = []): NmeaImportSummary {
  return { ...s, badLines };
}

async function importHere(store: Store, file: string, opts: NmeaImportOptions): Promise<NmeaImportSummary> {
  const sha = await sha256File(file);
  const importId = `${KIND}@${sha.slice(0, 16)}`;
  if (await store.findImport(KIND, sha)) return withBadLines(alreadyImported(KIND, file, sha, importId));
  const badLines: BadLine[] = [];
  const summary = await store.db.transaction(async (tx) => {
    const session = new AisImportSession(store, tx, importId, KIND, file, sha);
    const input = await decodeNmeaFile(file, session.builder, { ...opts, badLines }, async (lines) => {
      await session.maybeFlush();
      opts.onProgress?.(lines);
    });
    return session.finish(input);
  });
  return withBadLines(summary, badLines);
}

async function importWithWorker(store: Store, file: string, opts: NmeaImportOptions): Promise<NmeaImportSummary> {
  if (store.db.dialect === 'duckdb') return importStreaming(store, file, opts);
  const job = new DecodeJob(file, opts.startTimeMs, false, null, opts.workerBatchRows);
  // The file's sha256 is computed on this thread while the worker decodes and DuckDB loads (it no longer delays
  // the start); positions carry an integer import key, so the import id is needed only at the end. A file imported
  // before stops the worker as soon as its hash is known, and the transaction rolls back: nothing is written.
  let importedBefore = false;
  const hashed = sha256File(file).then(async (sha) => {
    importedBefore = Boolean(await store.findImport(KIND, sha));
    if (importedBefore) job.cancel();
    return sha;
  });
  hashed.catch(() => undefined); // awaited in the transaction; a failure there must not count as unhandled
  try {
    return await store.db.transaction(async (tx) => {
      const session = new AisImportSession(store, tx, `${KIND}@`, KIND, file, '');
      await session.insertBuffers(job.batches(opts.onProgress), (buf) => job.release(buf));
      const sha = await hashed;
      if (importedBefore) throw new ImportedBefore(sha);
      session.setSource(`${KIND}@${sha.slice(0, 16)}`, sha);
      const done = job.result();
      return withBadLines(await session.finish(done.input, done.result), done.badLines);
    });
  } catch (err) {
    if (err instanceof ImportedBefore)
      return withBadLines(alreadyImported(KIND, file, err.sha, `${KIND}@${err.sha.slice(0, 16)}`));
    if (importedBefore) {
      // The worker was stopped because the file had been imported before (its batches ended in an error).
      const sha = await hashed;
      return withBadLines(alreadyImported(KIND, file, sha, `${KIND}@${sha.slice(0, 16)}`));
    }
    throw err;
  } finally {
    await job.stop();
  }
}

/**
 * The worker import on DuckDB: the positions go into the store through one INSERT per run of batches (normally one
 * for the whole file) that pulls each batch from the worker while DuckDB asks for rows (the main thread waits for
 * the worker's next message inside DuckDB's call, see DecodeJob.nextBlocking): DuckDB starts writing with the
 * first batch and keeps writing while the worker decodes. This thread hashes the file while it waits for the
 * worker's batches (FileHasher, usually done before the first batch arrives); a file imported before is found as
 * soon as the hash is known, and the transaction rolls back.
 *
 * An import job's store (src/imports/cancellable.ts) checks for a cancel before each statement, but here the whole
 * file is one statement: so the job's gate, given as `cancelCheck`, is also asked between two batches (GateWatch),
 * and a cancel fails the INSERT from inside (the transaction rolls back, the worker is stopped) instead of waiting
 * for the end of the file.
 */
async function importStreaming(store: Store, file: string, opts: NmeaImportOptions): Promise<NmeaImportSummary> {
  const hasher = new FileHasher(file);
  let job: DecodeJob;
  try {
    job = new DecodeJob(file, opts.startTimeMs, true, hasher, opts.workerBatchRows);
  } catch (err) {
    hasher.close(); // the worker did not start: nothing else to stop
    throw err;
  }
  try {
    return await store.db.transaction(async (tx) => {
      if (opts.cancelCheck) job.watch(new GateWatch(opts.cancelCheck));
      const session = new AisImportSession(store, tx, `${KIND}@`, KIND, file, '');
      // As soon as the hash is known (between two loads), a file imported before stops the import.
      let checked = false;
      const check = {
        due: () => !checked && job.hashed(),
        run: async () => {
          checked = true;
          const sha = job.sha256();
          if (await store.findImport(KIND, sha)) throw new ImportedBefore(sha);
        },
      };
      await session.insertStream(() => job.nextBlocking(opts.onProgress), check);
      if (!checked) await check.run();
      const done = job.result();
      const sha = job.sha256();
      session.setSource(`${KIND}@${sha.slice(0, 16)}`, sha);
      return withBadLines(await session.finish(done.input, done.result), done.badLines);
    });
  } catch (err) {
    if (err instanceof ImportedBefore)
      return withBadLines(alreadyImported(KIND, file, err.sha, `${KIND}@${err.sha.slice(0, 16)}`));
    throw err;
  } finally {
    await job.stop();
  }
}

/**
 * The file's sha256, a piece at a time with blocking reads (the streaming import hashes while this thread would
 * otherwise wait for the worker's next batch).
 */
class FileHasher {
  private readonly hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafeSlow(1 << 20);
  private fd: number | null;
  private digest: string | null = null;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  get ready(): boolean {
    return this.digest !== null;
  }

  /** Hash the next MiB; false once the whole file is hashed. */
  step(): boolean {
    if (this.fd === null) return false;
    const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
    if (n > 0) {
      this.hash.update(this.buf.subarray(0, n));
      return true;
    }
    this.close();
    this.digest = this.hash.digest('hex');
    return false;
  }

  /** The hex digest (hashing what is left first). */
  result(): string {
    while (this.step()) {}
    if (this.digest === null) throw new Error('sha256: the file was closed before it was hashed');
    return this.digest;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A cancel gate asked from a synchronous feed (the streaming INSERT's, which cannot await). The gate is asked at
 * each batch and every GATE_POLL_MS (a timer, which runs between two of DuckDB's calls for rows), one call at a
 * time; `check()`, called before each batch, throws what the gate threw or rejected with. So a cancel stops the
 * feed at the first batch that starts after the gate has seen it (a batch is at most 61,440 positions).
 */
class GateWatch {
  private asking = false;
  private failed = false;
  private error: unknown;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly gate: CancelCheck) {
    this.timer = setInterval(() => this.ask(), GATE_POLL_MS);
    this.timer.unref();
  }

  check(): void {
    this.ask();
    if (this.failed) throw this.error;
  }

  private ask(): void {
    if (this.asking || this.failed) return;
    let answer: ReturnType<CancelCheck>;
    try {
      answer = this.gate('AIS batch');
    } catch (err) {
      this.fail(err);
      return;
    }
    if (!answer) return;
    this.asking = true;
    answer.then(
      () => {
        this.asking = false;
      },
      (err: unknown) => this.fail(err),
    );
  }

  private fail(err: unknown): void {
    this.failed = true;
    this.error = err;
    this.close();
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Thrown inside the import transaction to roll it back when the file turns out to have been imported before. */
class ImportedBefore extends Error {
  constructor(readonly sha: string) {
    super('imported before');
  }
}

/**
 * Start the worker: the compiled .js next to this file, or (when running from the TypeScript sources, as tests,
 * benchmarks and `tsx` do) the .ts source through tsx's loader, registered inside the worker.
 */
function startWorker(workerData: NmeaWorkerInput): Worker {
  const self = import.meta.url;
  const transferList = workerData.batchPort ? [workerData.batchPort] : undefined;
  if (!self.endsWith('.ts')) return new Worker(new URL('./ais-nmea-worker.js', self), { workerData, transferList });
  const tsxDir = dirname(createRequire(self).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./ais-nmea-worker.ts', self).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData, transferList });
}

/** Decoding worker threads started and not yet exited (a test checks that a cancelled or failed import leaves none). */
export const nmeaWorkerThreads = { live: 0 };

/** One decoding worker: its position batches as an async iterable, then its final result. */
class DecodeJob {
  private readonly worker: Worker;
  private readonly queue: NmeaWorkerMessage[] = [];
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private final = false;
  private done: Extract<NmeaWorkerMessage, { t: 'done' }> | null = null;
  /** Streaming mode: the port the worker posts batches to, and the counters it signals (see NmeaWorkerInput). */
  private readonly port: MessagePort | null = null;
  private readonly signal: Int32Array | null = null;
  /** Streaming mode: the batch returned last by nextBlocking (released at the next call). */
  private lent: PositionBuffer | null = null;
  /** Streaming mode: the job's cancel gate, checked at each call of nextBlocking. */
  private gate: GateWatch | null = null;
  /**
   * Checks the worker's batches for duplicates and counts positions and vessels (the worker leaves that to this
   * thread, which would otherwise only wait for it); the pending-entry arrays of each batch go back with it.
   */
  private readonly settler = new AisRowBuilder('', { capacity: 1 });
  private readonly pendOf = new Map<PositionBuffer, ArrayBuffer[]>();

  constructor(
    file: string,
    startTimeMs: number | undefined,
    stream: boolean,
    private readonly hasher: FileHasher | null = null,
    batchRows = WORKER_BATCH_ROWS,
  ) {
    let batchPort: MessagePort | undefined;
    let signal: SharedArrayBuffer | undefined;
    if (stream) {
      const channel = new MessageChannel();
      this.port = channel.port1;
      batchPort = channel.port2;
      signal = new SharedArrayBuffer(8);
      this.signal = new Int32Array(signal);
    }
    this.worker = startWorker({
      file,
      startTimeMs,
      batchRows,
      maxInFlight: WORKER_IN_FLIGHT,
      batchPort,
      signal,
    });
    nmeaWorkerThreads.live++;
    this.worker.on('message', (m: NmeaWorkerMessage) => {
      if (m.t !== 'batch') this.final = true;
      this.queue.push(m);
      this.notify();
    });
    this.worker.on('error', (err) => {
      this.failure ??= err;
      this.notify();
    });
    this.worker.on('exit', (code) => {
      nmeaWorkerThreads.live--;
      if (!this.final) this.failure ??= new Error(`AIS import worker stopped before the end (exit code ${code})`);
      this.notify();
    });
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private async next(): Promise<NmeaWorkerMessage> {
    for (;;) {
      if (this.cancelled) throw this.failure;
      const m = this.queue.shift();
      if (m) return m;
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Stop: the batches end with an error (the caller rolls back). */
  private cancelled = false;
  cancel(): void {
    this.cancelled = true;
    this.failure = new Error('AIS import worker: cancelled');
    this.notify();
    void this.worker.terminate();
  }

  /**
   * Streaming mode: the next batch, waiting for it (blocking this thread: called inside DuckDB's call for rows), or
   * undefined at the end (the result is then in `result()`). The batch returned before goes back to the worker. A
   * worker error is thrown (an InputError for bad input); so is a worker that shows no progress for a minute.
   */
  nextBlocking(onProgress?: (lines: number) => void): PositionBuffer | undefined {
    const port = this.port;
    const signal = this.signal;
    if (!port || !signal) throw new Error('AIS import worker: not in streaming mode');
    // A cancel throws here: the INSERT fails and the transaction rolls back; the caller then stops the worker.
    this.gate?.check();
    if (this.lent) {
      const ack = this.ackOf(this.lent);
      this.lent = null;
      port.postMessage(ack, [...ack.buffers, ...(ack.pendBuffers ?? [])]);
    }
    if (this.done) return undefined;
    let idle = 0;
    for (;;) {
      const seen = Atomics.load(signal, 0);
      const got = receiveMessageOnPort(port);
      if (got) {
        const m = got.message as NmeaWorkerMessage;
        if (m.t === 'batch') {
          onProgress?.(m.lines);
          this.lent = this.settled(m);
          return this.lent;
        }
        if (m.t === 'done') {
          this.final = true;
          this.done = m;
          return undefined;
        }
        this.final = true;
        throw m.input ? new InputError(m.message) : new Error(m.message);
      }
      // Nothing yet: hash a piece of the file meanwhile, or wait for the worker's next message.
      if (this.hasher?.step()) continue;
      const beat = Atomics.load(signal, 1);
      if (Atomics.wait(signal, 0, seen, 1000) === 'timed-out') {
        if (Atomics.load(signal, 1) !== beat) idle = 0;
        else if (++idle >= 60) throw new Error('AIS import worker: no progress for a minute');
      } else idle = 0;
    }
  }

  /** A batch was written: its buffers go back to the worker for reuse (it may not touch them before). */
  release(buf: PositionBuffer): void {
    const ack = this.ackOf(buf);
    if (this.cancelled) return;
    this.worker.postMessage(ack, [...ack.buffers, ...(ack.pendBuffers ?? [])]);
  }

  /** A batch from the worker, checked for duplicates (its rows compacted in place). */
  private settled(m: Extract<NmeaWorkerMessage, { t: 'batch' }>): PositionBuffer {
    const buf = PositionBuffer.fromMessage(m, '');
    this.settler.settleBatch(buf, m.pend, m.pendBuffers);
    this.pendOf.set(buf, m.pendBuffers);
    return buf;
  }

  /** The acknowledgement that hands a written batch's buffers back to the worker. */
  private ackOf(buf: PositionBuffer): NmeaWorkerAck {
    const pendBuffers = this.pendOf.get(buf);
    this.pendOf.delete(buf);
    return { t: 'ack', buffers: buf.toMessage().buffers, pendBuffers };
  }

  /**
   * Position batches, as the worker posts them; the consumer hands each back with `release` once written.
   */
  async *batches(onProgress?: (lines: number) => void): AsyncGenerator<PositionBuffer> {
    for (;;) {
      const m = await this.next();
      if (m.t === 'batch') {
        const buf = this.settled(m);
        onProgress?.(m.lines);
        yield buf;
      } else if (m.t === 'done') {
        this.done = m;
        return;
      } else throw m.input ? new InputError(m.message) : new Error(m.message);
    }
  }

  /** Streaming mode: check this cancel gate before each batch (see GateWatch). */
  watch(gate: GateWatch): void {
    this.gate = gate;
  }

  /** Streaming mode: whether the file's sha256 is known. */
  hashed(): boolean {
    return this.hasher?.ready === true;
  }

  /** Streaming mode: the file's sha256 (hashing what is left of the file first). */
  sha256(): string {
    if (!this.hasher) throw new Error('AIS import worker: no hasher');
    return this.hasher.result();
  }

  result(): { input: Record<string, number>; result: BuilderResult; badLines: BadLine[] } {
    if (!this.done) throw new Error('AIS import worker: no result');
    return {
      input: this.done.input,
      result: this.settler.settledResult(this.done.result),
      badLines: this.done.badLines,
    };
  }

  async stop(): Promise<void> {
    this.gate?.close();
    this.hasher?.close();
    this.port?.close();
    await this.worker.terminate();
  }
}
