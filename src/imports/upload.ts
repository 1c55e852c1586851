import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.js';

/**
 * Uploads streamed to disk: the one piece of code that takes a request body (or any stream of bytes) to a file with
 * a size cap, hashing and counting on the way. Case attachments (src/cases/attachments.ts) and imports over HTTP
 * (src/imports/) both use it. Nothing is held in memory but one chunk; a body over the cap stops at the cap and its
 * partial file is removed.
 */

/** 413: the upload is over the size cap. */
export class TooLargeError extends UserError {
  override readonly status = 413;
  override readonly code = 'too_large';
}

/** 415: not a type this route takes. */
export class UnsupportedTypeError extends UserError {
  override readonly status = 415;
  override readonly code = 'unsupported_media_type';
}

/** "100 MB", "1.5 MB", "512 KB": a cap as people set it. */
export function formatCap(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export interface StreamToFileOptions {
  /** What is being uploaded, for messages ("attachment", "AIS import"). */
  label: string;
  /** Cap on the bytes written (after decompression when `gunzip`). */
  maxBytes: number;
  /** The file to write: created exclusively (`wx`); its directory is created. Default: a fresh name in `dir`. */
  file?: string;
  /** Directory for a generated temp name (`<ms>-<pid>-<random>.part`). */
  dir?: string;
  /** Decompress a gzip body (recognised by its magic bytes) on the way to disk; the cap applies to its content. */
  gunzip?: boolean;
  /** Count the newline bytes written (imports report progress in lines of this total). */
  countLines?: boolean;
  /**
   * fsync before returning (default true: an attachment is kept). An import's upload is read once by the same
   * server and dropped, so it skips the fsync (a server that stops loses its jobs anyway).
   */
  sync?: boolean;
}

export interface StreamedFile {
  file: string;
  sha256: string;
  sizeBytes: number;
  /** The body was gzip and was decompressed. */
  gunzipped: boolean;
  /** Lines written (newlines, plus a last line without one), when `countLines`; else 0. */
  lines: number;
}

type Body = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** The body's chunks, decompressed when it starts with the gzip magic bytes. */
async function* maybeGunzip(body: Body, onGzip: () => void): AsyncGenerator<Buffer> {
  const it = (Symbol.asyncIterator in body ? body[Symbol.asyncIterator]() : body[Symbol.iterator]()) as
    | AsyncIterator<Uint8Array | string>
    | Iterator<Uint8Array | string>;
  const first = await it.next();
  if (first.done) return;
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : Buffer.from(first.value);
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield typeof n.value === 'string' ? Buffer.from(n.value) : Buffer.from(n.value);
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    onGzip();
    const gunzip = createGunzip();
    const src = Readable.from(rest());
    src.on('error', (err) => gunzip.destroy(err));
    src.pipe(gunzip);
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (err) {
      throw new UserError(`not a readable gzip stream (${(err as Error).message})`);
    } finally {
      src.destroy();
      gunzip.destroy();
    }
    return;
  }
  yield* rest();
}

/**
 * Write `body` to a new file, fsynced, hashing (sha256) and counting the bytes. Over `maxBytes` it stops with a
 * TooLargeError naming the cap, and the partial file is removed; any other failure removes it too.
 */
export async function streamToFile(body: Body, opts: StreamToFileOptions): Promise<StreamedFile> {
  let file = opts.file;
  if (!file) {
    if (!opts.dir) throw new Error('streamToFile: give file or dir');
    file = path.join(opts.dir, `${Date.now()}-${process.pid}-${randomBytes(6).toString('hex')}.part`);
  }
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'wx', 0o640);
  const h = createHash('sha256');
  let size = 0;
  let gunzipped = false;
  let lines = 0;
  let lastByte = 10;
  try {
    const chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> = opts.gunzip
      ? maybeGunzip(body, () => {
          gunzipped = true;
        })
      : body;
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.byteLength;
      if (size > opts.maxBytes) {
        throw new TooLargeError(`${opts.label}: over the ${formatCap(opts.maxBytes)} limit`);
      }
      h.update(buf);
      if (opts.countLines && buf.byteLength > 0) {
        for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
        lastByte = buf[buf.byteLength - 1]!;
      }
      let off = 0;
      while (off < buf.byteLength) off += (await fh.write(buf, off, buf.byteLength - off)).bytesWritten;
    }
    if (opts.sync !== false) await fh.sync();
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(file, { force: true });
    throw err;
  }
  if (opts.countLines && lastByte !== 10) lines++;
  return { file, sha256: h.digest('hex'), sizeBytes: size, gunzipped, lines };
}
