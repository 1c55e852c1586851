/**
 * `ais import` for NMEA files (plain or gzip): decodes the file into the store in one transaction. Idempotent by
 * file sha256 (imports log) and by message de-duplication (within the file, and against positions other imports
 * stored); a file without a time source (tag block c:, $PGHP, GPS RMC/ZDA, receiver timestamps) for most of its
 * messages is refused unless a start time is given.
 *
 * Large files are decoded in a worker thread (ais-nmea-worker.ts) while this thread appends the positions to the
 * store: on two cores, decoding and the DuckDB appender run side by side. The file's sha256 is computed here
 * while the worker decodes; a file imported before stops the worker and writes nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { AisImportSession, type AisImportSummary, alreadyImported } from '../maritime/store/import-session.js';
import { type BuilderResult, PositionBuffer } from '../maritime/store/rows.js';
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
}

const WORKER_MIN_BYTES = 8 << 20;
/**
 * Positions per batch from the worker (half a DuckDB row group) and batches in flight (~3.3 MB each, ~40 MB in all):
 * a bulk load takes four batches and releases them when written, so the worker keeps decoding the next ones.
 */
const WORKER_BATCH_ROWS = 61440;
const WORKER_IN_FLIGHT = 12;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

// The gzip sniffing lives with the streaming decoder (so `ais decode` loads no store code); re-exported here.
export { isGzip, openMaybeGzip } from '../maritime/ais/stream.js';

const KIND = 'ais-nmea';

export async function importNmeaFile(
  store: Store,
  file: string,
  opts: NmeaImportOptions = {},
): Promise<AisImportSummary> {
  const threads = opts.threads ?? (statSync(file).size >= WORKER_MIN_BYTES ? 1 : 0);
  return threads === 1 ? importWithWorker(store, file, opts) : importHere(store, file, opts);
}

async function importHere(store: Store, file: string, opts: NmeaImportOptions): Promise<AisImportSummary> {
  const sha = await sha256File(file);
  const importId = `${KIND}@${sha.slice(0, 16)}`;
  if (await store.findImport(KIND, sha)) return alreadyImported(KIND, file, sha, importId);
  return store.db.transaction(async (tx) => {
    const session = new AisImportSession(store, tx, importId, KIND, file, sha);
    const input = await decodeNmeaFile(file, session.builder, opts, async (lines) => {
      await session.maybeFlush();
      opts.onProgress?.(lines);
    });
    return session.finish(input);
  });
}

async function importWithWorker(store: Store, file: string, opts: NmeaImportOptions): Promise<AisImportSummary> {
  const job = new DecodeJob(file, opts.startTimeMs);
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
      return session.finish(done.input, done.result);
    });
  } catch (err) {
    if (err instanceof ImportedBefore) return alreadyImported(KIND, file, err.sha, `${KIND}@${err.sha.slice(0, 16)}`);
    if (importedBefore) {
      // The worker was stopped because the file had been imported before (its batches ended in an error).
      const sha = await hashed;
      return alreadyImported(KIND, file, sha, `${KIND}@${sha.slice(0, 16)}`);
    }
    throw err;
  } finally {
    await job.stop();
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
  if (!self.endsWith('.ts')) return new Worker(new URL('./ais-nmea-worker.js', self), { workerData });
  const tsxDir = dirname(createRequire(self).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./ais-nmea-worker.ts', self).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** One decoding worker: its position batches as an async iterable, then its final result. */
class DecodeJob {
  private readonly worker: Worker;
  private readonly queue: NmeaWorkerMessage[] = [];
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  private final = false;
  private done: Extract<NmeaWorkerMessage, { t: 'done' }> | null = null;

  constructor(file: string, startTimeMs: number | undefined) {
    this.worker = startWorker({
      file,
      startTimeMs,
      batchRows: WORKER_BATCH_ROWS,
      maxInFlight: WORKER_IN_FLIGHT,
    });
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

  /** A batch was written: its buffers go back to the worker for reuse (it may not touch them before). */
  release(buf: PositionBuffer): void {
    if (this.cancelled) return;
    const ack: NmeaWorkerAck = { t: 'ack', buffers: buf.toMessage().buffers };
    this.worker.postMessage(ack, ack.buffers);
  }

  /**
   * Position batches, as the worker posts them; the consumer hands each back with `release` once written.
   */
  async *batches(onProgress?: (lines: number) => void): AsyncGenerator<PositionBuffer> {
    for (;;) {
      const m = await this.next();
      if (m.t === 'batch') {
        const buf = PositionBuffer.fromMessage(m, '');
        onProgress?.(m.lines);
        yield buf;
      } else if (m.t === 'done') {
        this.done = m;
        return;
      } else throw m.input ? new InputError(m.message) : new Error(m.message);
    }
  }

  result(): { input: Record<string, number>; result: BuilderResult } {
    if (!this.done) throw new Error('AIS import worker: no result');
    return this.done;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
