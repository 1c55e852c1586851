import type { ColumnBatch, ColumnData, ColumnSpec, ColumnType } from '../db.js';

/**
 * COPY ... FROM STDIN (FORMAT binary) encoder. The text format costs a number-to-string conversion per value on
 * the client and a string-to-number parse on the server (about 245 k position rows per client CPU-second for
 * the text encoder alone, under the 300 k rows/s target); the binary format writes each value's bytes as
 * PostgreSQL stores them. It requires the table's column types to be exactly the spec's types (checked by the
 * caller, which falls back to text otherwise).
 *
 * Layout: signature "PGCOPY\n\xff\r\n\0", int32 flags 0, int32 extension length 0; per row int16 field count then
 * per field int32 byte length (-1 = NULL) and the big-endian value; trailer int16 -1.
 */

/** PostgreSQL's information_schema.columns.data_type for each spec type (binary needs an exact match). */
export const PG_INFO_TYPE: Record<ColumnType, string[]> = {
  int: ['integer'],
  smallint: ['smallint'],
  bigint: ['bigint'],
  double: ['double precision'],
  real: ['real'],
  text: ['text', 'character varying'],
  bool: ['boolean'],
};

const SIGNATURE = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
const TRAILER = Buffer.from([0xff, 0xff]);
const TWO32 = 4294967296;

type Writer = (w: BufWriter, col: ColumnData, i: number) => void;

class BufWriter {
  buf: Buffer;
  view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  /** Make room for `n` more bytes, growing (rarely: only for huge text values) when needed. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  null(): void {
    this.view.setInt32(this.pos, -1);
    this.pos += 4;
  }
}

function nullish(v: unknown): boolean {
  return v === null || v === undefined;
}

/** `slack`: bytes the rest of the row may still need after a variable-length text value. */
function writerFor(type: ColumnType, slack: number): Writer {
  switch (type) {
    case 'int':
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v)) return w.null();
        w.view.setInt32(w.pos, 4);
        w.view.setInt32(w.pos + 4, Number(v));
        w.pos += 8;
      };
    case 'smallint':
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v)) return w.null();
        w.view.setInt32(w.pos, 2);
        w.view.setInt16(w.pos + 4, Number(v));
        w.pos += 6;
      };
    case 'bigint':
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v)) return w.null();
        w.view.setInt32(w.pos, 8);
        if (typeof v === 'bigint') w.view.setBigInt64(w.pos + 4, v);
        else {
          const x = Math.trunc(Number(v));
          const hi = Math.floor(x / TWO32);
          w.view.setInt32(w.pos + 4, hi);
          w.view.setUint32(w.pos + 8, x - hi * TWO32);
        }
        w.pos += 12;
      };
    case 'double':
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v) || (!Array.isArray(col) && Number.isNaN(v))) return w.null();
        w.view.setInt32(w.pos, 8);
        w.view.setFloat64(w.pos + 4, Number(v));
        w.pos += 12;
      };
    case 'real':
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v) || (!Array.isArray(col) && Number.isNaN(v))) return w.null();
        w.view.setInt32(w.pos, 4);
        w.view.setFloat32(w.pos + 4, Number(v));
        w.pos += 8;
      };
    case 'bool':
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v)) return w.null();
        w.view.setInt32(w.pos, 1);
        w.buf[w.pos + 4] = v ? 1 : 0;
        w.pos += 5;
      };
    case 'text': {
      // Repeated short values (vessel class, import id) are encoded once.
      const cache = new Map<string, Buffer>();
      return (w, col, i) => {
        const v = col[i];
        if (nullish(v)) return w.null();
        const s = typeof v === 'string' ? v : String(v);
        if (s.length <= 32) {
          let enc = cache.get(s);
          if (enc === undefined) {
            enc = Buffer.from(s, 'utf8');
            if (cache.size < 4096) cache.set(s, enc);
          }
          w.ensure(4 + enc.length + slack);
          w.view.setInt32(w.pos, enc.length);
          enc.copy(w.buf, w.pos + 4);
          w.pos += 4 + enc.length;
          return;
        }
        w.ensure(4 + s.length * 3 + slack);
        const n = w.buf.write(s, w.pos + 4, 'utf8');
        w.view.setInt32(w.pos, n);
        w.pos += 4 + n;
      };
    }
  }
}

/** Fixed bytes per row besides text payloads: field count + per-field length words + fixed-size values. */
const FIXED: Record<ColumnType, number> = { int: 8, smallint: 6, bigint: 12, double: 12, real: 8, bool: 5, text: 4 };

/** Encode batches as binary COPY chunks of about `chunkBytes` bytes. */
export async function* copyBinaryChunks(
  columns: ColumnSpec[],
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  counter: { rows: number },
  chunkBytes = 1 << 20,
): AsyncGenerator<Buffer> {
  const ncol = columns.length;
  const rowFixed = 2 + columns.reduce((a, c) => a + FIXED[c.type], 0);
  const writers = columns.map((c) => writerFor(c.type, rowFixed));
  let w = new BufWriter(chunkBytes + rowFixed * 2);
  SIGNATURE.copy(w.buf, 0);
  w.pos = SIGNATURE.length;
  for await (const batch of batches) {
    const cols = batch.columns;
    if (cols.length !== ncol) throw new Error(`bulkInsert: batch has ${cols.length} columns, expected ${ncol}`);
    const len = batch.length;
    for (let i = 0; i < len; i++) {
      w.ensure(rowFixed);
      w.view.setInt16(w.pos, ncol);
      w.pos += 2;
      for (let c = 0; c < ncol; c++) (writers[c] as Writer)(w, cols[c] as ColumnData, i);
      if (w.pos >= chunkBytes) {
        yield w.buf.subarray(0, w.pos);
        w = new BufWriter(chunkBytes + rowFixed * 2);
      }
    }
    counter.rows += len;
  }
  w.ensure(2);
  TRAILER.copy(w.buf, w.pos);
  w.pos += 2;
  yield w.buf.subarray(0, w.pos);
}

/**
 * COPY ... TO STDOUT (FORMAT binary) decoder for fixed-width columns: the reader side of the encoder above. Reading
 * typed columns this way costs no text formatting on the server and no number parsing or row objects on the client.
 * Chunks arrive as the server sends them (a row may straddle two); `push` decodes every complete row into the
 * caller's sink and keeps the rest. Supported out types: int (int4), smallint (int2), bigint (int8, read as a
 * double: exact for ms timestamps and counts), double (float8), real (float4). A NULL reads as NaN for double/real
 * and throws for the integer types (coalesce in the query).
 */
export type CopyOutType = 'int' | 'smallint' | 'bigint' | 'double' | 'real';

const OUT_WIDTH: Record<CopyOutType, number> = { int: 4, smallint: 2, bigint: 8, double: 8, real: 4 };

export interface CopyOutSink {
  /** Called once per row with the row's values in column order (numbers). */
  row(values: Float64Array): void;
}

export class CopyBinaryDecoder {
  private rest: Buffer | null = null;
  private headerDone = false;
  private finished = false;
  private readonly values: Float64Array;
  rows = 0;

  constructor(
    private readonly types: CopyOutType[],
    private readonly sink: CopyOutSink,
  ) {
    this.values = new Float64Array(types.length);
  }

  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < 19) {
        this.rest = buf;
        return;
      }
      if (buf.compare(SIGNATURE, 0, 11, 0, 11) !== 0) throw new Error('COPY binary: bad signature');
      const extLen = buf.readInt32BE(15);
      if (buf.length < 19 + extLen) {
        this.rest = buf;
        return;
      }
      pos = 19 + extLen;
      this.headerDone = true;
    }
    const types = this.types;
    const ncol = types.length;
    const values = this.values;
    const len = buf.length;
    while (pos + 2 <= len) {
      const nf = buf.readInt16BE(pos);
      if (nf === -1) {
        this.finished = true;
        pos += 2;
        break;
      }
      if (nf !== ncol) throw new Error(`COPY binary: row has ${nf} fields, expected ${ncol}`);
      // Enough bytes for the whole row? Fixed widths unless NULLs (which are shorter), so check field by field.
      let p = pos + 2;
      let ok = true;
      for (let c = 0; c < ncol; c++) {
        if (p + 4 > len) {
          ok = false;
          break;
        }
        const fl = buf.readInt32BE(p);
        p += 4;
        const t = types[c] as CopyOutType;
        if (fl === -1) {
          if (t === 'double' || t === 'real') values[c] = Number.NaN;
          else throw new Error(`COPY binary: NULL in ${t} column ${c}`);
          continue;
        }
        if (fl !== OUT_WIDTH[t]) throw new Error(`COPY binary: column ${c} has ${fl} bytes, expected ${OUT_WIDTH[t]}`);
        if (p + fl > len) {
          ok = false;
          break;
        }
        switch (t) {
          case 'int':
            values[c] = buf.readInt32BE(p);
            break;
          case 'smallint':
            values[c] = buf.readInt16BE(p);
            break;
          case 'bigint':
            values[c] = buf.readInt32BE(p) * TWO32 + buf.readUInt32BE(p + 4);
            break;
          case 'double':
            values[c] = buf.readDoubleBE(p);
            break;
          case 'real':
            values[c] = buf.readFloatBE(p);
            break;
        }
        p += fl;
      }
      if (!ok) break;
      this.sink.row(values);
      this.rows++;
      pos = p;
    }
    if (pos < len) this.rest = Buffer.from(buf.subarray(pos));
  }

  /** Check that the stream ended with the trailer and nothing is left over. */
  end(): void {
    if (!this.finished || (this.rest && this.rest.length > 0)) throw new Error('COPY binary: truncated stream');
  }
}
