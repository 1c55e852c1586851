import path from 'node:path';
import { UserError } from '../errors.js';
import { MultipartError, readMultipart } from './multipart.js';
import { formatCap, streamToFile, TooLargeError } from './upload.js';

/**
 * The files of a `multipart/form-data` upload, streamed one after the other to a job's directory with one size cap
 * counted over all of them (each part's gzip is decompressed on the way, and the cap counts its content). Messages
 * name the part by the file name the client gave.
 */

export interface ReceivedPart {
  /** The form field name (`-F sdn=@file` gives `sdn`). */
  field: string;
  /** The file name the client gave, for messages. */
  given: string;
  /** Where it was written (`<dir>/<n>.part`). */
  file: string;
  sizeBytes: number;
  sha256: string;
  lines: number;
}

export interface ReceiveOptions {
  /** "lists import": the start of every message. */
  label: string;
  /** Cap over all parts together (after gunzip). */
  maxBytes: number;
  /** The cap as people set it, for the 413 message: "512 MB (WATCHKEEPER_IMPORT_MAX_MB_LISTS)". */
  capText: string;
  /** Directory the parts are written to (created). */
  dir: string;
  /** File parts allowed; one more is a 400 before it is read. */
  maxFiles: number;
}

/** Receive the form's file parts (in order). Plain fields are refused: options go in the query string. */
export async function receiveFormFiles(
  body: AsyncIterable<Uint8Array | string>,
  boundary: string,
  o: ReceiveOptions,
): Promise<ReceivedPart[]> {
  try {
    return await receive(body, boundary, o);
  } catch (err) {
    if (err instanceof MultipartError) throw new MultipartError(`${o.label}: ${err.message}`);
    throw err;
  }
}

async function receive(
  body: AsyncIterable<Uint8Array | string>,
  boundary: string,
  o: ReceiveOptions,
): Promise<ReceivedPart[]> {
  const out: ReceivedPart[] = [];
  let used = 0;
  for await (const part of readMultipart(body, boundary, { maxParts: o.maxFiles + 8 })) {
    if (part.filename === null) {
      throw new UserError(
        `${o.label}: form field "${part.name}" is not a file; give options (source=, format=, ...) in the query string`,
      );
    }
    // The client's name, for messages only (never a path on disk): its base name, printable, at most 100 characters.
    const given =
      path
        .basename(part.filename.replace(/\\/g, '/'))
        .replace(/[\u0000-\u001f\u007f]/g, '?')
        .slice(0, 100) ||
      part.name.slice(0, 100) ||
      `part ${part.index}`;
    if (out.length >= o.maxFiles) {
      throw new UserError(
        o.maxFiles === 1
          ? `${o.label}: one file per request; part "${given}" is a second file`
          : `${o.label}: at most ${o.maxFiles} files per request; part "${given}" is one more`,
      );
    }
    const file = path.join(o.dir, `${part.index}.part`);
    const up = await streamToFile(part.body, {
      label: `${o.label}, part "${given}"`,
      maxBytes: o.maxBytes - used,
      file,
      gunzip: true,
      countLines: true,
      sync: false,
    }).catch((err) => {
      if (err instanceof TooLargeError) {
        const before = used > 0 ? `; the parts before it hold ${formatCap(used)}` : '';
        throw new TooLargeError(
          `${o.label}: part "${given}" goes over the ${o.capText} limit, counted over all the files${before}`,
        );
      }
      if (err instanceof UserError && !(err instanceof MultipartError)) {
        throw new UserError(`${o.label}, part "${given}": ${err.message}`);
      }
      throw err;
    });
    // A browser's file input left empty sends a part with an empty file name and no bytes: nothing was chosen.
    if (up.sizeBytes === 0 && part.filename === '') continue;
    if (up.sizeBytes === 0) throw new UserError(`${o.label}: part "${given}" is empty (0 bytes)`);
    used += up.sizeBytes;
    out.push({ field: part.name, given, file: up.file, sizeBytes: up.sizeBytes, sha256: up.sha256, lines: up.lines });
  }
  return out;
}
