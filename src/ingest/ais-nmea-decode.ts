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
import type { AisCounters, BadLine } from '../maritime/ais/nmea.js';
import { isGzip, openMaybeGzip } from '../maritime/ais/stream.js';
import { AisRowBuilder } from '../maritime/store/rows.js';

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
  /** Filled with the first bad lines (line number, counter, reason), for `ais import --verbose`. */
  badLines?: BadLine[];
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
  warmUp(builder.settlesElsewhere);
  const state = { timedSlow: 0, untimed: 0 };
  const reader = newReader(file, builder, opts, state);
  // Positions are checked for duplicates a chunk at a time (settled before the caller sees the buffer).
  builder.deferDuplicates(true);
  try {
    await readChunks(file, reader, builder, afterChunk, opts.syncReads === true);
  } finally {
    builder.deferDuplicates(false);
  }
  reader.end();
  builder.settle();
  const counters = reader.counters;
  opts.badLines?.push(...reader.decoder.badLines);
  // A file none of whose lines could be read is an error, not an empty import (and is not recorded as imported).
  if (counters.messages === 0 && badLineCount(counters) > 0)
    throw nothingReadError(file, counters, reader.decoder.badLines);
  // Most messages without a time means the file has no usable time source (a few untimed messages before the
  // first clock line, e.g. before the first GPS RMC, are skipped and counted as `untimed`).
  if (state.untimed > state.timedSlow + reader.fastMessages + reader.staticRepeats) throw noTimeError(file, 1);
  return { ...counters, untimed: state.untimed };
}

/** Lines (sentences) that went to one of the "not decoded" counters. */
export function badLineCount(c: AisCounters): number {
  return c.badChecksum + c.malformed + c.incomplete + c.unknownType + c.tooShort;
}

function nothingReadError(file: string, c: AisCounters, bad: BadLine[]): InputError {
  const first = bad
    .slice(0, 3)
    .map((b) => `${file}:${b.line}: ${b.reason}`)
    .join('; ');
  return new InputError(
    `${file}: no AIS message could be read: ${badLineCount(c)} bad lines (bad checksum ${c.badChecksum}, malformed ` +
      `${c.malformed}, incomplete multi-part ${c.incomplete}, unknown type ${c.unknownType}, too short ${c.tooShort}), ` +
      `${c.blank} blank, ${c.otherSentences} other sentences. First: ${first}`,
  );
}

/** The reader of `decodeNmeaFile`: the fast path, and the full decoder's messages added with the time rule. */
function newReader(
  file: string,
  builder: AisRowBuilder,
  opts: NmeaDecodeOptions,
  state: { timedSlow: number; untimed: number },
): NmeaPositionReader {
  const reader: NmeaPositionReader = new NmeaPositionReader(builder, {
    onMessage: (msg, meta) => {
      let ts = meta.tsMs;
      if (Number.isNaN(ts)) {
        if (opts.startTimeMs === undefined) {
          state.untimed++;
          if (
            state.timedSlow + reader.fastMessages + reader.staticRepeats === 0 &&
            state.untimed >= UNTIMED_BEFORE_REFUSAL
          )
            throw noTimeError(file, meta.firstLine);
          return;
        }
        ts = opts.startTimeMs;
      }
      state.timedSlow++;
      builder.addMessage(msg, ts, meta.lastLine);
    },
  });
  return reader;
}

/** NMEA sentence `!body*hh` with its checksum. */
function sentence(body: string): string {
  let c = 0;
  for (let k = 0; k < body.length; k++) c ^= body.charCodeAt(k);
  return `!${body}*${c.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * A few lines of every kind the decoding code meets (real DMA sentences, and one type 27 made up): clocks, receiver
 * times before and after the sentence, tag blocks, position reports of each type, a two-sentence type 5 and its
 * repeat, messages the import only counts or leaves to the full decoder, bad lines, CRLF and blank lines.
 */
export function warmUpText(): string {
  const t1 = 'AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0';
  const p1 = 'AIVDM,2,1,1,,53cMa3@000010WSW?V105=<45B2222222222220t388151:9e2UiDm851DTh,0';
  const p2 = 'AIVDM,2,2,1,,j1C32CQp888,2';
  const tag = (body: string): string => sentence(body).replace('!', '\\').concat('\\');
  const lines = [
    '$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B',
    sentence(t1),
    sentence(p1),
    sentence(p2),
    `1700000000.000 ${sentence('AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0')}`,
    `1700000000.005 ${sentence('AIVDM,1,1,,B,?3oL?R0p<6I0D00,2')}`,
    `1700000000.010 ${sentence('AIVDM,1,1,,A,33nr7t001f13KNTOahh2@QpF00vh,0')}`,
    `1700000000.015 ${sentence('BSVDM,1,1,,A,13:WB@0vC2PmgjpP`WO=DbdF0<0U,0')}`,
    `1700000000.020 ${sentence('AIVDM,1,1,0,,13KFI200001eRdHREjw<RanB0@50,0')}`,
    `1700000000.035 ${sentence(p1)}`,
    `1700000000.040 ${sentence(p2)}`,
    `1700000000.045 ${sentence('BSVDM,1,1,,B,H3@oOMDU3?=1B00H@4qmln000000,0')}`,
    `1700000000.060 ${sentence('BSVDM,1,1,,A,B4vph:00@@:Smf8@H1mJGwV5oP06,0')}`,
    `1700000000.065 ${sentence('BSVDO,1,1,,B,4025bvQuaUcf<0hJ2FQ2M2A005Jp,0')}`,
    `1700000000.070 ${sentence('AIVDM,1,1,,B,K3m62@80GL4I@65`,0')}`,
    `1700000000.075 ${sentence('AIVDM,1,1,,A,E>jHC;377a:4@37a2V0W2@@@@@@@3CdL>ddpP30HHKv000,4')}`,
    `1700000000.080 ${sentence('AIVDM,1,1,,A,83aEQw@j2d<dtttM=B9Q3gbh00P0,0')}`,
    `1700000000.085 ${sentence('AIVDM,1,1,,B,15@:Ip002k3Dr;`78KwapWp@0H5b,0')},1276256770`,
    `${sentence('AIVDM,1,1,,B,39NS>>500035Mg`6a@O612fF0000,0')},1276256773.5`,
    `${tag('s:r1,c:1700000001')}${sentence(t1)}`,
    `1700000000.090 ${sentence(t1).slice(0, -1)}0`,
    `1700000000.095 ${sentence(t1.replace('Kw', '^w'))}`,
    '',
    `1700000000.100 ${sentence(t1)}\r`,
    `1700000000.105 ${sentence(t1)}`,
    `1700000000.105 ${sentence(t1)}`,
    `1700000000.110 ${sentence(p1)}`,
    `1700000000.115 ${sentence(p2)}`,
  ];
  return `${lines.join('\n')}\n`;
}

let warmedUp = false;

/**
 * Run the decoding code once, with a throwaway reader and builder, over a few lines of every kind before the first
 * file. V8 optimises the hot functions after some thousand lines with the type feedback collected so far, and
 * throws that code away when a branch without feedback runs later (in the DMA data, the first line with a
 * receiver time after the checksum): a recompilation, and thousands of lines at the slower tier meanwhile.
 */
function warmUp(elsewhere: boolean): void {
  if (warmedUp) return;
  warmedUp = true;
  const text = Buffer.from(warmUpText(), 'latin1');
  // In two chunks cut inside a line (a line put together from both).
  const cut = text.indexOf(10, text.length >> 1) - 7;
  // Three times: V8 records feedback only once a function has run a while, and a branch that runs once per pass
  // (the buffers growing: the builder's buffer is small so that they do) must run after that.
  for (let pass = 0; pass < 3; pass++) {
    const b = new AisRowBuilder('', { capacity: 8 });
    if (elsewhere) b.settleElsewhere();
    const reader = newReader('', b, {}, { timedSlow: 0, untimed: 0 });
    b.deferDuplicates(true);
    reader.push(text.subarray(0, cut));
    b.settle();
    reader.push(text.subarray(cut));
    b.settle();
    b.deferDuplicates(false);
    reader.end();
    b.settle();
    if (elsewhere) b.takePending();
  }
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
