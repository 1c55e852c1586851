/**
 * Worker thread of `ais import` for large NMEA files: decodes the file (fast path + full decoder, de-duplication,
 * static rows, identities) while the main thread appends the previous batches to the store. Positions travel as
 * transferred typed-array buffers (no copies, no JSON); at most `maxInFlight` batches are on their way at once,
 * so memory stays flat whatever the input size. The rest (static rows, identities, vessels, counters) is posted
 * once at the end.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../errors.js';
import type { BadLine } from '../maritime/ais/nmea.js';
import { AisRowBuilder, type BuilderResult, PositionBuffer } from '../maritime/store/rows.js';
import { decodeNmeaFile } from './ais-nmea-decode.js';

export interface NmeaWorkerInput {
  file: string;
  startTimeMs?: number;
  /** Positions per batch posted to the main thread. */
  batchRows: number;
  /** Batches posted but not yet acknowledged before the worker waits. */
  maxInFlight: number;
  /**
   * Streaming mode: batches, the result and errors go to this port (acknowledgements come back on it), and after
   * each message `signal[0]` is incremented and notified, so the main thread can wait for them while it blocks
   * inside a DuckDB INSERT (Atomics.wait + receiveMessageOnPort); `signal[1]` counts input chunks (a heartbeat).
   */
  batchPort?: MessagePort;
  signal?: SharedArrayBuffer;
}

export type NmeaWorkerMessage =
  /**
   * Positions, not yet checked for duplicates: `pend` entries (in `pendBuffers`, see AisRowBuilder.takePending) for
   * the main thread to settle (AisRowBuilder.settleBatch) before it writes them.
   */
  | { t: 'batch'; length: number; buffers: ArrayBuffer[]; lines: number; pend: number; pendBuffers: ArrayBuffer[] }
  | { t: 'done'; input: Record<string, number>; result: BuilderResult; badLines: BadLine[] }
  | { t: 'error'; input: boolean; message: string };

/** Main thread → worker: a batch was written; its buffers come back for reuse. */
export interface NmeaWorkerAck {
  t: 'ack';
  buffers: ArrayBuffer[];
  /** The batch's pending-entry arrays, for reuse. */
  pendBuffers?: ArrayBuffer[];
}

/** Positions in the worker's first batch (the next ones double, up to NmeaWorkerInput.batchRows). */
const FIRST_BATCH_ROWS = 4096;

const parent = parentPort;
if (parent) {
  const cfg = workerData as NmeaWorkerInput;
  const port = cfg.batchPort ?? parent;
  const signal = cfg.signal ? new Int32Array(cfg.signal) : null;
  const post = (m: NmeaWorkerMessage, transfer?: ArrayBuffer[]): void => {
    port.postMessage(m, transfer);
    if (signal) {
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    }
  };
  const spare: ArrayBuffer[][] = [];
  const sparePend: ArrayBuffer[][] = [];
  let inFlight = 0;
  /** Batches posted so far. The first ones are small (FIRST_BATCH_ROWS, doubling up to `batchRows`): the main
   * thread and DuckDB start on the first positions while this thread is still slow, its decoder not compiled yet
   * (about 0.1 s earlier on a 1 M-position file, where they are the slower side). */
  let sent = 0;
  const batchTarget = (k: number): number => (k >= 16 ? cfg.batchRows : Math.min(cfg.batchRows, FIRST_BATCH_ROWS << k));
  let wake: (() => void) | null = null;
  port.on('message', (m: NmeaWorkerAck) => {
    inFlight--;
    if (m.buffers?.length) spare.push(m.buffers);
    if (m.pendBuffers?.length) sparePend.push(m.pendBuffers);
    const w = wake;
    wake = null;
    w?.();
  });
  const builder = new AisRowBuilder('', { capacity: cfg.batchRows * 2 });
  // The main thread checks the batches for duplicates and counts the vessels while it waits for the next one:
  // this thread only decodes.
  builder.settleElsewhere();
  let lines = 0;
  const send = async (): Promise<void> => {
    const buf = builder.positions;
    if (buf.length === 0 && builder.pendingCount === 0) return;
    while (inFlight >= cfg.maxInFlight) await new Promise<void>((r) => (wake = r));
    const msg = buf.toMessage();
    builder.positions = new PositionBuffer(buf.capacity, '', spare.pop());
    const pend = builder.takePending(sparePend.pop());
    inFlight++;
    sent++;
    post({ t: 'batch', length: msg.length, buffers: msg.buffers, lines, pend: pend.n, pendBuffers: pend.buffers }, [
      ...msg.buffers,
      ...pend.buffers,
    ]);
  };
  const run = async (): Promise<void> => {
    const badLines: BadLine[] = [];
    const opts = { startTimeMs: cfg.startTimeMs, syncReads: true, badLines };
    const input = await decodeNmeaFile(cfg.file, builder, opts, (n) => {
      lines = n;
      if (signal) Atomics.add(signal, 1, 1);
      return builder.positions.length >= batchTarget(sent) ? send() : undefined;
    });
    await send();
    post({ t: 'done', input, result: builder.result(), badLines });
  };
  run().catch((err: unknown) => {
    post({
      t: 'error',
      input: err instanceof InputError,
      message: err instanceof Error ? err.message : String(err),
    });
  });
}
