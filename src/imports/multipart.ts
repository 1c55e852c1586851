import { UserError } from '../errors.js';

/**
 * A streaming `multipart/form-data` reader (RFC 7578 over RFC 2046's boundaries), for uploads of several files in
 * one request (`curl -F sdn=@sdn.csv -F alt=@alt.csv`, or a browser's FormData). Parts come one after the other;
 * each part's body is an async iterable of chunks that must be read to its end (or left, and it is skipped) before
 * the next part is asked for. Only the current chunk, the bytes that may start a delimiter and one part's headers
 * (capped) are held in memory, so a part of any size streams through.
 *
 * Not supported, as RFC 7578 deprecates them: `multipart/mixed` nested parts (415 from the caller) and
 * Content-Transfer-Encoding (ignored: browsers and curl send the bytes as they are).
 */

/** 400: the body is not well-formed multipart. */
export class MultipartError extends UserError {}

export interface MultipartPart {
  /** The form field name (`name=` of Content-Disposition). */
  name: string;
  /** The file name the client gave (`filename*=` when present, else `filename=`); null for a plain form field. */
  filename: string | null;
  /** The part's Content-Type, lower case without parameters; null when absent. */
  contentType: string | null;
  /** 1-based position of the part in the body, for messages. */
  index: number;
  /** The part's bytes. */
  body: AsyncIterable<Buffer>;
}

export interface MultipartLimits {
  /** Parts in all (fields and files); one more is a 400. Default 32. */
  maxParts?: number;
  /** Bytes of one part's header block. Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Bytes before the first boundary (the preamble, normally none). Default 64 KiB. */
  maxPreambleBytes?: number;
}

/**
 * The boundary of a `multipart/form-data` Content-Type, or null when the type is something else. A multipart type
 * without a usable boundary is a 400.
 */
export function formDataBoundary(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const [type, ...rest] = splitParams(contentType);
  if (type?.toLowerCase() !== 'multipart/form-data') return null;
  const params = paramMap(rest);
  const b = params.get('boundary');
  // RFC 2046 §5.1.1: 1 to 70 characters, not ending in a space.
  if (!b || b.length > 70 || / $/.test(b) || !/^[0-9A-Za-z'()+_,\-./:=? ]+$/.test(b)) {
    throw new MultipartError(
      'multipart/form-data without a valid boundary parameter (RFC 2046: 1 to 70 characters); let the client set the Content-Type',
    );
  }
  return b;
}

/** `a; b=c; d="e;f"` → ['a', 'b=c', 'd="e;f"'], keeping quoted semicolons. */
function splitParams(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i]!;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** Parameters by lower-case name, values unquoted; `name*=charset''pct-encoded` (RFC 5987) decoded under `name*`. */
function paramMap(parts: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (key.endsWith('*')) {
      const x = /^([^']*)'[^']*'(.*)$/.exec(v);
      // Only UTF-8 (what RFC 5987 requires senders to support); another charset falls back to the plain form.
      if (!x || !/^(utf-8)?$/i.test(x[1]!)) continue;
      try {
        v = decodeURIComponent(x[2]!);
      } catch {
        continue;
      }
    }
    if (!m.has(key)) m.set(key, v);
  }
  return m;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

type Chunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * Read `body` as multipart with `boundary`: yields each part in order. Throws MultipartError (400) on a malformed
 * body, including one that ends before its closing delimiter (an upload cut short).
 */
export async function* readMultipart(
  body: Chunks,
  boundary: string,
  limits: MultipartLimits = {},
): AsyncGenerator<MultipartPart> {
  const maxParts = limits.maxParts ?? 32;
  const maxHeader = limits.maxHeaderBytes ?? 16 * 1024;
  const maxPreamble = limits.maxPreambleBytes ?? 64 * 1024;
  const it = (Symbol.asyncIterator in body ? body[Symbol.asyncIterator]() : body[Symbol.iterator]()) as
    | AsyncIterator<Uint8Array | string>
    | Iterator<Uint8Array | string>;
  // Every delimiter, the first included, is read as CRLF "--" boundary: the body is seen with a CRLF before it.
  const delim = Buffer.from(`\r\n--${boundary}`);
  let buf: Buffer = Buffer.from(CRLF);
  let ended = false;

  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const n = await it.next();
    if (n.done) {
      ended = true;
      return false;
    }
    const c =
      typeof n.value === 'string'
        ? Buffer.from(n.value)
        : Buffer.from(n.value.buffer, n.value.byteOffset, n.value.byteLength);
    buf = buf.length === 0 ? c : Buffer.concat([buf, c]);
    return true;
  };
  /** Make at least `n` bytes available; false when the body ends first. */
  const need = async (n: number): Promise<boolean> => {
    while (buf.length < n) if (!(await more())) return false;
    return true;
  };

  // The preamble, up to the first delimiter.
  let skipped = 0;
  for (;;) {
    const i = buf.indexOf(delim);
    if (i !== -1) {
      buf = buf.subarray(i + delim.length);
      break;
    }
    const drop = Math.max(0, buf.length - (delim.length - 1));
    skipped += drop;
    buf = buf.subarray(drop);
    if (skipped > maxPreamble || !(await more())) {
      throw new MultipartError(
        `multipart body: no "--${boundary}" boundary found; is the Content-Type boundary right?`,
      );
    }
  }

  let index = 0;
  let inBody = false;
  let partLabel = '';

  /** The next chunk of the current part's body, or null at its end (the delimiter after it is consumed). */
  const bodyChunk = async (): Promise<Buffer | null> => {
    for (;;) {
      const i = buf.indexOf(delim);
      if (i !== -1) {
        const out = buf.subarray(0, i);
        buf = buf.subarray(i + delim.length);
        inBody = false;
        if (out.length > 0) {
          // Hand the last bytes over first; the next call sees inBody false and ends.
          return out;
        }
        return null;
      }
      const keep = delim.length - 1;
      if (buf.length > keep) {
        const out = buf.subarray(0, buf.length - keep);
        buf = buf.subarray(buf.length - keep);
        return out;
      }
      if (!(await more())) {
        throw new MultipartError(
          `multipart body ends inside ${partLabel} without its closing boundary: the upload was cut short`,
        );
      }
    }
  };

  for (;;) {
    // After a delimiter: "--" closes the body; otherwise optional spaces, then CRLF and the part's headers.
    if (!(await need(2))) throw new MultipartError('multipart body ends after a boundary: the upload was cut short');
    if (buf[0] === 0x2d && buf[1] === 0x2d) return;
    let p = 0;
    for (;;) {
      if (!(await need(p + 2)))
        throw new MultipartError('multipart body ends after a boundary: the upload was cut short');
      if (buf[p] === 0x20 || buf[p] === 0x09) p++;
      else break;
    }
    if (buf[p] !== 0x0d || buf[p + 1] !== 0x0a) {
      throw new MultipartError(`multipart body: part ${index + 1}: the boundary line is not followed by CRLF`);
    }
    buf = buf.subarray(p + 2);
    index++;
    if (index > maxParts) throw new MultipartError(`multipart body: more than ${maxParts} parts`);

    // Headers, up to the empty line (a part may have none: CRLF at once).
    let headerText = '';
    if (!(await need(2))) throw new MultipartError(`multipart body ends in the headers of part ${index}`);
    if (buf[0] === 0x0d && buf[1] === 0x0a) buf = buf.subarray(2);
    else {
      let at = buf.indexOf(HEADER_END);
      while (at === -1) {
        if (buf.length > maxHeader) {
          throw new MultipartError(`multipart body: the headers of part ${index} are over ${maxHeader} bytes`);
        }
        if (!(await more())) throw new MultipartError(`multipart body ends in the headers of part ${index}`);
        at = buf.indexOf(HEADER_END);
      }
      if (at > maxHeader)
        throw new MultipartError(`multipart body: the headers of part ${index} are over ${maxHeader} bytes`);
      headerText = buf.subarray(0, at).toString('utf8');
      buf = buf.subarray(at + HEADER_END.length);
    }
    const headers = new Map<string, string>();
    for (const line of headerText.split('\r\n').reduce<string[]>((acc, l) => {
      // RFC 5322 folding: a line starting with white space continues the one before.
      if (/^[ \t]/.test(l) && acc.length > 0) acc[acc.length - 1] += ` ${l.trim()}`;
      else if (l !== '') acc.push(l);
      return acc;
    }, [])) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new MultipartError(`multipart body: part ${index}: a header line without a colon`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const cd = headers.get('content-disposition');
    const [dispType, ...dispParams] = cd ? splitParams(cd) : [];
    if (dispType?.toLowerCase() !== 'form-data') {
      throw new MultipartError(`multipart body: part ${index} has no "Content-Disposition: form-data" header`);
    }
    const params = paramMap(dispParams);
    const name = params.get('name');
    if (name === undefined)
      throw new MultipartError(`multipart body: part ${index} has no name= in Content-Disposition`);
    const filename = params.get('filename*') ?? params.get('filename') ?? null;
    const ct = headers.get('content-type');
    const contentType = ct ? (splitParams(ct)[0] ?? '').toLowerCase() || null : null;
    partLabel = filename !== null ? `part ${index} ("${filename}")` : `part ${index} (field "${name}")`;

    inBody = true;
    async function* partBody(): AsyncGenerator<Buffer> {
      while (inBody) {
        const c = await bodyChunk();
        if (c === null) return;
        yield c;
      }
    }
    yield { name, filename, contentType, index, body: partBody() };
    // Whatever the caller left of this part is skipped.
    while (inBody) await bodyChunk();
  }
}
