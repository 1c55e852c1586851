/**
 * `ais import` for NMEA files (plain or gzip): streams the file through the AIS decoder into the store in one
 * transaction. Idempotent by file sha256 (imports log) and by message de-duplication; a file without a time
 * source (tag block c:, $PGHP, GPS RMC/ZDA, receiver timestamps) for most of its messages is refused unless a
 * start time is given.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import { NmeaAisDecoder } from '../maritime/ais/nmea.js';
import { openMaybeGzip } from '../maritime/ais/stream.js';
import { AisImportSession, type AisImportSummary, alreadyImported } from '../maritime/store/import-session.js';
import type { Store } from '../store/store.js';

export interface NmeaImportOptions {
  /** Time (epoch ms) for messages the file gives no time for. Without it such a file is refused. */
  startTimeMs?: number;
  /** Called now and then with the number of lines read. */
  onProgress?: (lines: number) => void;
}

/** Untimed messages tolerated before the first time source before we conclude the file has none. */
const UNTIMED_BEFORE_REFUSAL = 5000;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

// The gzip sniffing lives with the streaming decoder (so `ais decode` loads no store code); re-exported here.
export { isGzip, openMaybeGzip } from '../maritime/ais/stream.js';

export async function importNmeaFile(
  store: Store,
  file: string,
  opts: NmeaImportOptions = {},
): Promise<AisImportSummary> {
  const kind = 'ais-nmea';
  const sha = await sha256File(file);
  const importId = `${kind}@${sha.slice(0, 16)}`;
  if (await store.findImport(kind, sha)) return alreadyImported(kind, file, sha, importId);
  return store.db.transaction(async (tx) => {
    const session = new AisImportSession(store, tx, importId, kind, file, sha);
    let timed = 0;
    let untimed = 0;
    const decoder = new NmeaAisDecoder({
      onMessage: (msg, meta) => {
        let ts = meta.tsMs;
        if (Number.isNaN(ts)) {
          if (opts.startTimeMs === undefined) {
            untimed++;
            if (timed === 0 && untimed >= UNTIMED_BEFORE_REFUSAL) throw noTimeError(file, meta.firstLine);
            return;
          }
          ts = opts.startTimeMs;
        }
        timed++;
        session.builder.addMessage(msg, ts, meta.lastLine);
      },
    });
    const stream = await openMaybeGzip(file);
    for await (const chunk of stream) {
      decoder.push(chunk);
      await session.maybeFlush();
      opts.onProgress?.(decoder.counters.lines);
    }
    decoder.end();
    // Most messages without a time means the file has no usable time source (a few untimed messages before the
    // first clock line, e.g. before the first GPS RMC, are skipped and counted as `untimed`).
    if (untimed > timed) throw noTimeError(file, 1);
    return session.finish({ ...decoder.counters, untimed });
  });
}

function noTimeError(file: string, line: number): InputError {
  return new InputError(
    `${file}:${line}: AIS messages have no time (no tag block c:, $PGHP, GPS RMC/ZDA or receiver timestamp); ` +
      'give --start-time ISO-TIME to import them at that time',
  );
}
