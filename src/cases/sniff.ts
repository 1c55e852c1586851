import type { FileHandle } from 'node:fs/promises';
import type { AttachmentKind, AttachmentMediaType } from './types.js';

/**
 * What a file is, from its first bytes: PNG, JPEG, TIFF (GeoTIFF), PDF, HTML or MHTML. A name or a client's
 * Content-Type is never trusted: an attachment is served back with the type read here.
 */

export interface Sniffed {
  mediaType: AttachmentMediaType;
  kind: AttachmentKind;
  ext: string;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(head: Uint8Array, bytes: number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[at + i] !== bytes[i]) return false;
  return true;
}

/** The first bytes as text with a UTF-8 BOM and leading whitespace removed, lower-cased (for HTML/MHTML). */
function textHead(head: Uint8Array): string {
  let text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  return text.replace(/^[\s\u0000]+/, '').toLowerCase();
}

export function sniff(head: Uint8Array): Sniffed | null {
  if (startsWith(head, PNG_MAGIC)) return { mediaType: 'image/png', kind: 'image', ext: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mediaType: 'image/jpeg', kind: 'image', ext: 'jpg' };
  // Classic TIFF (42) and BigTIFF (43), either byte order.
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { mediaType: 'image/tiff', kind: 'image', ext: 'tif' };
  }
  // PDF: "%PDF-" at the start (readers accept it within the first 1024 bytes; so do we).
  const latin = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 1024)).toString('latin1');
  if (latin.includes('%PDF-')) return { mediaType: 'application/pdf', kind: 'document', ext: 'pdf' };
  const text = textHead(head);
  // MHTML (a browser's "save as single file"): a MIME header block declaring multipart/related.
  if (
    /^(from|mime-version|subject|date|snapshot-content-location|content-type):/.test(text) &&
    /(^|\n)content-type:\s*multipart\/related/.test(text)
  ) {
    return { mediaType: 'multipart/related', kind: 'web-capture', ext: 'mhtml' };
  }
  if (/^(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]/.test(text)) {
    return { mediaType: 'text/html', kind: 'web-capture', ext: 'html' };
  }
  return null;
}

export function describeHead(head: Uint8Array): string {
  return Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return buf.subarray(0, bytesRead);
}

/** Width and height of a PNG (IHDR) or JPEG (first SOFn marker); null when not found. */
export async function imageSize(
  fh: FileHandle,
  mediaType: AttachmentMediaType,
  sizeBytes: number,
): Promise<{ widthPx: number; heightPx: number } | null> {
  if (mediaType === 'image/png') {
    const b = await readAt(fh, 0, 24);
    if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null;
    return { widthPx: b.readUInt32BE(16), heightPx: b.readUInt32BE(20) };
  }
  if (mediaType === 'image/jpeg') {
    let pos = 2;
    // Walk the marker segments (APPn, DQT, ...) to the frame header; a few hundred at most in real files.
    for (let n = 0; n < 1000 && pos + 9 <= sizeBytes; n++) {
      const b = await readAt(fh, pos, 9);
      if (b.length < 4 || b[0] !== 0xff) return null;
      const marker = b[1]!;
      if (marker === 0xff) {
        pos += 1; // fill byte
        continue;
      }
      const len = b.readUInt16BE(2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof && b.length >= 9) return { heightPx: b.readUInt16BE(5), widthPx: b.readUInt16BE(7) };
      if (marker === 0xd9 || marker === 0xda) return null;
      pos += 2 + len;
    }
  }
  return null;
}
