import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/**
 * A small POSIX ustar writer and reader (regular files only): enough for case bundles without a dependency. Every
 * standard `tar` reads what the writer writes (`tar tvf bundle.tar`). The reader hashes each member as it streams
 * past, so checking a 100 MB bundle reads it once.
 */

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

/** Split a path into ustar's prefix (≤155) and name (≤100) at a slash. */
function splitName(p: string): { name: string; prefix: string } {
  const bytes = Buffer.byteLength(p);
  if (bytes <= 100) return { name: p, prefix: '' };
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`tar: member name too long for ustar: ${p}`);
}

export function tarHeader(path: string, size: number, mtimeS: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(Math.max(0, Math.floor(mtimeS)), 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  h.write('watchkeeper', 265, 'latin1');
  h.write('watchkeeper', 297, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** Writes members one after the other into an open file. */
export class TarWriter {
  private pos = 0;
  private constructor(private readonly fh: FileHandle) {}

  static async create(file: string): Promise<TarWriter> {
    return new TarWriter(await open(file, 'wx'));
  }

  private async write(buf: Uint8Array): Promise<void> {
    let off = 0;
    while (off < buf.byteLength) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.byteLength - off, this.pos + off);
      off += bytesWritten;
    }
    this.pos += buf.byteLength;
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(Buffer.alloc(BLOCK - rest));
  }

  /** Add a member from memory; returns its sha256. */
  async add(path: string, data: Uint8Array, mtimeS: number): Promise<string> {
    await this.write(tarHeader(path, data.byteLength, mtimeS));
    await this.write(data);
    await this.pad(data.byteLength);
    return createHash('sha256').update(data).digest('hex');
  }

  /** Add a member streamed from a file of known size; returns its sha256 (of the bytes actually written). */
  async addFile(path: string, file: string, size: number, mtimeS: number): Promise<string> {
    await this.write(tarHeader(path, size, mtimeS));
    const h = createHash('sha256');
    const src = await open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
      let left = size;
      let at = 0;
      while (left > 0) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, left), at);
        if (bytesRead === 0) throw new Error(`tar: ${file} is shorter than ${size} bytes (changed while bundling?)`);
        const chunk = buf.subarray(0, bytesRead);
        h.update(chunk);
        await this.write(chunk);
        left -= bytesRead;
        at += bytesRead;
      }
    } finally {
      await src.close();
    }
    await this.pad(size);
    return h.digest('hex');
  }

  async close(): Promise<void> {
    await this.write(Buffer.alloc(BLOCK * 2));
    await this.fh.sync();
    await this.fh.close();
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

export interface TarMember {
  path: string;
  size: number;
  sha256: string;
  /** The bytes, for members the caller asked to keep (`keep(path, size)`). */
  data?: Buffer;
}

function field(h: Buffer, at: number, len: number): string {
  const s = h.subarray(at, at + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString('utf8');
}

/**
 * Read every member of a tar file: its path, size and sha256, and its bytes when `keep` says so. Throws with the
 * byte offset on a damaged header (checksum) or a truncated archive.
 */
export async function readTar(file: string, keep: (path: string, size: number) => boolean): Promise<TarMember[]> {
  const fh = await open(file, 'r');
  const out: TarMember[] = [];
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
    const header = Buffer.alloc(BLOCK);
    let pos = 0;
    while (pos + BLOCK <= size) {
      await fh.read(header, 0, BLOCK, pos);
      if (header.every((b) => b === 0)) break;
      const stored = Number.parseInt(field(header, 148, 8).trim() || '0', 8);
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
      if (sum !== stored) throw new Error(`tar: damaged header at byte ${pos} (checksum)`);
      const name = field(header, 0, 100);
      const prefix = header.toString('latin1', 257, 262) === 'ustar' ? field(header, 345, 155) : '';
      const path = prefix ? `${prefix}/${name}` : name;
      const memberSize = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
      const type = String.fromCharCode(header[156]!);
      pos += BLOCK;
      if (pos + memberSize > size) throw new Error(`tar: ${path} is cut short (the archive is truncated)`);
      const h = createHash('sha256');
      const kept = type === '0' || type === '\0' ? keep(path, memberSize) : false;
      const data = kept ? Buffer.allocUnsafe(memberSize) : undefined;
      let left = memberSize;
      let at = pos;
      while (left > 0) {
        const n = Math.min(buf.length, left);
        const { bytesRead } = await fh.read(buf, 0, n, at);
        if (bytesRead === 0) throw new Error(`tar: ${path} is cut short`);
        const chunk = buf.subarray(0, bytesRead);
        h.update(chunk);
        if (data) chunk.copy(data, at - pos);
        left -= bytesRead;
        at += bytesRead;
      }
      if (type === '0' || type === '\0') out.push({ path, size: memberSize, sha256: h.digest('hex'), data });
      pos += Math.ceil(memberSize / BLOCK) * BLOCK;
    }
  } finally {
    await fh.close();
  }
  return out;
}
