/**
 * Reading one NMEA file into an AisRowBuilder (fast path for position reports, the full decoder for the rest),
 * with the time rule of `ais import`: a message needs a time from the file (tag block c:, $PGHP, GPS RMC/ZDA or
 * a receiver timestamp) or the caller's start time; a file without one is refused. Used in the main thread for
 * small files and in the import worker (ais-nmea-worker.ts) for large ones.
 */

import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { NmeaPositionReader } from '../maritime/ais/fast-positions.js';
import { isGzip, openMaybeGzip } from '../maritime/ais/stream.js';
import type { AisRowBuilder } from '../maritime/store/rows.js';

/** Untimed messages tolerated before the first time source before we conclude the file has none. */
const UNTIMED_BEFORE_REFUSAL = 5000;
/** Bytes per read of a plain file. */
const READ_CHUNK = 256 * 1024;

export interface NmeaDecodeOptions {
  /** Time (epoch ms) for messages the file gives no time for. Without it such a file is refused. */
  startTimeMs?: number;
  /**
   * Read a plain file with blocking reads (the import worker: its thread does nothing else, and a blocking read
   * of the page cache costs less than an asynchronous one through the thread pool).
   */
  syncReads?: boolean;
}

/**
 * Decode `file` (plain or gzip) into `builder`; `afterChunk` runs after each input chunk with the number of lines
 * read so far (the caller flushes positions there). Resolves with the decoder counters plus `untimed`.
 */
export async function decodeNmeaFile(
  file: string,
  builder: AisRowBuilder,
  opts: NmeaDecodeOptions,
  afterChunk: (lines: number) => Promise<void> | void,
): Promise<Record<string, number>> {
  let timedSlow = 0;
  let untimed = 0;
  const reader: NmeaPositionReader = new NmeaPositionReader(builder, {
    onMessage: (msg, meta) => {
      let ts = meta.tsMs;
      if (Number.isNaN(ts)) {
        if (opts.startTimeMs === undefined) {
          untimed++;
          if (timedSlow + reader.fastMessages + reader.staticRepeats === 0 && untimed >= UNTIMED_BEFORE_REFUSAL)
            throw noTimeError(file, meta.firstLine);
          return;
        }
        ts = opts.startTimeMs;
      }
      timedSlow++;
      builder.addMessage(msg, ts, meta.lastLine);
    },
  });
  // Positions are checked for duplicates a chunk at a time (settled before the caller sees the buffer).
  builder.deferDuplicates(true);
  try {
    await readChunks(file, reader, builder, afterChunk, opts.syncReads === true);
  } finally {
    builder.deferDuplicates(false);
  }
  reader.end();
  builder.settle();
  // Most messages without a time means the file has no usable time source (a few untimed messages before the
  // first clock line, e.g. before the first GPS RMC, are skipped and counted as `untimed`).
  if (untimed > timedSlow + reader.fastMessages + reader.staticRepeats) throw noTimeError(file, 1);
  return { ...reader.counters, untimed };
}

async function readChunks(
  file: string,
  reader: NmeaPositionReader,
  builder: AisRowBuilder,
  afterChunk: (lines: number) => Promise<void> | void,
  syncReads: boolean,
): Promise<void> {
  if (await isGzip(file)) {
    for await (const chunk of await openMaybeGzip(file)) {
      reader.push(chunk);
      builder.settle();
      await afterChunk(reader.decoder.counters.lines);
    }
  } else {
    // A plain file is read into one reused buffer (the reader copies what it keeps of a chunk: a partial last line,
    // a held first sentence): no fresh 256 KiB buffer per read, and the buffer stays in the CPU caches.
    const buf = Buffer.allocUnsafeSlow(READ_CHUNK);
    if (syncReads) {
      const fd = openSync(file, 'r');
      try {
        for (;;) {
          const bytesRead = readSync(fd, buf, 0, READ_CHUNK, null);
          if (bytesRead === 0) break;
          reader.push(buf.subarray(0, bytesRead));
          builder.settle();
          const wait = afterChunk(reader.decoder.counters.lines);
          if (wait) await wait;
        }
      } finally {
        closeSync(fd);
      }
      return;
    }
    const fh = await open(file, 'r');
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        reader.push(buf.subarray(0, bytesRead));
        builder.settle();
        await afterChunk(reader.decoder.counters.lines);
      }
    } finally {
      await fh.close();
    }
  }
}

export function noTimeError(file: string, line: number): InputError {
  return new InputError(
    `${file}:${line}: AIS messages have no time (no tag block c:, $PGHP, GPS RMC/ZDA or receiver timestamp); ` +
      'give --start-time ISO-TIME to import them at that time',
  );
}
