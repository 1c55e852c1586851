import { createRequire } from 'node:module';
import type { ColumnBatch, ColumnData, ColumnType } from '../db.js';

type Raw = typeof import('@duckdb/node-bindings');
// The raw C-API bindings that @duckdb/node-api wraps (its own dependency, resolved from it so the versions
// always match). Loaded with require: it is a CommonJS native module.
const requireFromApi = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
export const duckdb = requireFromApi('@duckdb/node-bindings') as Raw;

/**
 * Fast DuckDB bulk load: fill native DataChunks column by column and hand each to the appender
 * (`duckdb_append_data_chunk`). Typed-array columns whose element type matches the column are copied into the
 * vector with one memcpy per 2048 rows; other columns go through a reusable typed scratch buffer plus a
 * validity mask. This is ~20x faster than one appendX call per value (see bench/results/store.md).
 *
 * The chunk's types must equal the target table's column types exactly (the appender does not cast), which the
 * caller guarantees by appending only into a table whose types match `types` (or into a staging table).
 */

type Vector = ReturnType<Raw['data_chunk_get_vector']>;
export type RawChunk = ReturnType<Raw['create_data_chunk']>;

const DUCK_TYPE: Record<ColumnType, number> = {
  bool: duckdb.Type.BOOLEAN,
  smallint: duckdb.Type.SMALLINT,
  int: duckdb.Type.INTEGER,
  bigint: duckdb.Type.BIGINT,
  real: duckdb.Type.FLOAT,
  double: duckdb.Type.DOUBLE,
  text: duckdb.Type.VARCHAR,
};

const TWO32 = 4294967296;

interface ColumnWriter {
  /** Write rows [from, from+n) of `col` into `vector`; returns true when the column had NULLs in this range. */
  write(vector: Vector, col: ColumnData, from: number, n: number, mask: Uint32Array): boolean;
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

function clearBit(mask: Uint32Array, i: number): void {
  mask[i >>> 5] = (mask[i >>> 5] as number) & ~(1 << (i & 31));
}

function copyTyped(vector: Vector, arr: ArrayBufferView, from: number, n: number, bytes: number): void {
  duckdb.copy_data_to_vector(vector, 0, arr.buffer as ArrayBuffer, arr.byteOffset + from * bytes, n * bytes);
}

function numericWriter(type: 'int' | 'smallint' | 'real' | 'double', cap: number): ColumnWriter {
  const Ctor =
    type === 'int' ? Int32Array : type === 'smallint' ? Int16Array : type === 'real' ? Float32Array : Float64Array;
  const scratch = new Ctor(cap);
  const bytes = Ctor.BYTES_PER_ELEMENT;
  const float = type === 'real' || type === 'double';
  return {
    write(vector, col, from, n, mask) {
      let nulls = false;
      if (col instanceof Ctor) {
        copyTyped(vector, col, from, n, bytes);
        if (float) {
          for (let i = 0; i < n; i++) {
            const v = col[from + i] as number;
            if (Number.isNaN(v)) {
              clearBit(mask, i);
              nulls = true;
            }
          }
        }
        return nulls;
      }
      if (col instanceof Float32Array || col instanceof Float64Array) {
        // A float array (NaN for NULL) into another numeric type, e.g. the heading, nav status and class of AIS
        // positions into SMALLINT: one tight loop over one array type.
        nulls = floatsInto(scratch, col, from, n, mask);
        copyTyped(vector, scratch, 0, n, bytes);
        return nulls;
      }
      for (let i = 0; i < n; i++) {
        const v = col[from + i];
        if (isNullish(v)) {
          scratch[i] = 0;
          clearBit(mask, i);
          nulls = true;
        } else scratch[i] = Number(v);
      }
      copyTyped(vector, scratch, 0, n, bytes);
      return nulls;
    },
  };
}

/** Copy col[from, from+n) into scratch[0, n) with NaN as NULL (0 and a cleared mask bit); true if any NULL. */
function floatsInto(
  scratch: Int32Array | Int16Array | Float32Array | Float64Array,
  col: Float32Array | Float64Array,
  from: number,
  n: number,
  mask: Uint32Array,
): boolean {
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const v = col[from + i] as number;
    if (!Number.isNaN(v)) scratch[i] = v;
    else {
      scratch[i] = 0;
      mask[i >>> 5] = (mask[i >>> 5] as number) & ~(1 << (i & 31));
      nulls = true;
    }
  }
  return nulls;
}

function bigintWriter(cap: number): ColumnWriter {
  const scratch = new BigInt64Array(cap);
  const words = new Uint32Array(scratch.buffer);
  return {
    write(vector, col, from, n, mask) {
      if (col instanceof BigInt64Array) {
        copyTyped(vector, col, from, n, 8);
        return false;
      }
      let nulls = false;
      for (let i = 0; i < n; i++) {
        const v = col[from + i];
        if (isNullish(v) || (typeof v === 'number' && Number.isNaN(v))) {
          words[2 * i] = 0;
          words[2 * i + 1] = 0;
          clearBit(mask, i);
          nulls = true;
        } else if (typeof v === 'bigint') {
          scratch[i] = v;
        } else {
          // Split a safe integer into two 32-bit words (little endian, two's complement) without a BigInt.
          const x = Math.trunc(Number(v));
          const hi = Math.floor(x / TWO32);
          words[2 * i] = x - hi * TWO32;
          words[2 * i + 1] = hi >>> 0;
        }
      }
      copyTyped(vector, scratch, 0, n, 8);
      return nulls;
    },
  };
}

function boolWriter(cap: number): ColumnWriter {
  const scratch = new Uint8Array(cap);
  return {
    write(vector, col, from, n, mask) {
      let nulls = false;
      for (let i = 0; i < n; i++) {
        const v = col[from + i];
        if (isNullish(v)) {
          scratch[i] = 0;
          clearBit(mask, i);
          nulls = true;
        } else scratch[i] = v ? 1 : 0;
      }
      copyTyped(vector, scratch, 0, n, 1);
      return nulls;
    },
  };
}

/**
 * VARCHAR: strings of at most 12 UTF-8 bytes are written as inlined `duckdb_string_t` entries (4-byte length +
 * 12 inline bytes, the layout DuckDB's C API documents) in one memcpy; longer ones through
 * `vector_assign_string_element`, which copies them into the vector's string heap. A short ASCII value is packed
 * into its four 32-bit words straight from its char codes (integer stores, no allocation: cheap even before the
 * JIT has compiled this code, which matters for the many small loads that run once per import); other short values
 * (non-ASCII) are encoded once and cached as four words. A column whose
 * rows in this chunk all hold the same string (an import id on every row) becomes a constant vector: one
 * value instead of 2048 entries, for us and for DuckDB. A long value repeated within a chunk (a list version's
 * id and date on every statement, a record key on each of its entity's statements) is assigned once: its
 * 16-byte entry, which points into the chunk's string heap, is read back and copied to the repeats, saving one
 * native call and one UTF-8 encoding per repeat.
 */
function textWriter(cap: number): ColumnWriter {
  const scratch = new Uint8Array(cap * 16);
  const words = new Uint32Array(scratch.buffer);
  const encoder = new TextEncoder();
  /** Short string -> its inlined entry as 4 words; `null` for strings that do not fit inline. */
  const cache = new Map<string, Uint32Array | null>();
  const tmp = new Uint8Array(48);
  let lastStr: string | undefined;
  let lastEnc: Uint32Array | null = null;
  const longIdx: number[] = [];
  const longVal: string[] = [];
  const longFirst = new Map<string, number>();
  const dupIdx: number[] = [];
  const dupOf: number[] = [];
  const constCache = new Map<string, ReturnType<Raw['create_varchar']>>();
  const encodeShort = (s: string): Uint32Array | null => {
    if (s.length > 12) return null;
    tmp.fill(0, 0, 16);
    const r = encoder.encodeInto(s, tmp.subarray(4, 48));
    if ((r.read ?? 0) < s.length || (r.written ?? 0) > 12) return null;
    new DataView(tmp.buffer).setUint32(0, r.written ?? 0, true);
    return new Uint32Array(tmp.slice(0, 16).buffer);
  };
  const constant = (vector: Vector, s: string): void => {
    let v = constCache.get(s);
    if (v === undefined) {
      v = duckdb.create_varchar(s);
      if (constCache.size >= 64) constCache.clear();
      constCache.set(s, v);
    }
    duckdb.vector_reference_value(vector, v);
  };
  return {
    write(vector, col, from, n, mask) {
      const first = col[from];
      if (typeof first === 'string') {
        let i = 1;
        while (i < n && col[from + i] === first) i++;
        if (i === n) {
          constant(vector, first);
          return false;
        }
      }
      let nulls = false;
      longIdx.length = 0;
      longVal.length = 0;
      longFirst.clear();
      dupIdx.length = 0;
      dupOf.length = 0;
      for (let i = 0; i < n; i++) {
        const v = col[from + i];
        const w = i * 4;
        if (isNullish(v)) {
          clearBit(mask, i);
          nulls = true;
          words[w] = 0;
          words[w + 1] = 0;
          words[w + 2] = 0;
          words[w + 3] = 0;
          continue;
        }
        const s = typeof v === 'string' ? v : String(v);
        if (s.length <= 12 && packAscii(s, words, w)) continue;
        let enc: Uint32Array | null | undefined;
        if (s === lastStr) enc = lastEnc;
        else {
          enc = cache.get(s);
          if (enc === undefined) {
            enc = encodeShort(s);
            if (cache.size >= 4096) cache.clear();
            cache.set(s, enc);
          }
          lastStr = s;
          lastEnc = enc;
        }
        if (enc === null) {
          words[w] = 0;
          words[w + 1] = 0;
          words[w + 2] = 0;
          words[w + 3] = 0;
          const firstAt = longFirst.get(s);
          if (firstAt === undefined) {
            longFirst.set(s, i);
            longIdx.push(i);
            longVal.push(s);
          } else {
            dupIdx.push(i);
            dupOf.push(firstAt);
          }
          continue;
        }
        words[w] = enc[0] as number;
        words[w + 1] = enc[1] as number;
        words[w + 2] = enc[2] as number;
        words[w + 3] = enc[3] as number;
      }
      duckdb.copy_data_to_vector(vector, 0, scratch.buffer as ArrayBuffer, 0, n * 16);
      for (let k = 0; k < longIdx.length; k++)
        duckdb.vector_assign_string_element(vector, longIdx[k] as number, longVal[k] as string);
      if (dupIdx.length > 0) {
        // Read back the assigned entries (length, prefix, heap pointer), put them and their repeats into the
        // scratch and write the whole column again.
        const data = duckdb.vector_get_data(vector, n * 16);
        for (let k = 0; k < longIdx.length; k++) {
          const o = (longIdx[k] as number) * 16;
          scratch.set(data.subarray(o, o + 16), o);
        }
        for (let k = 0; k < dupIdx.length; k++) {
          const o = (dupOf[k] as number) * 16;
          scratch.set(data.subarray(o, o + 16), (dupIdx[k] as number) * 16);
        }
        duckdb.copy_data_to_vector(vector, 0, scratch.buffer as ArrayBuffer, 0, n * 16);
      }
      return nulls;
    },
  };
}

/**
 * Write `s` (at most 12 chars) as an inlined duckdb_string_t entry at words[w..w+3] (length, then the bytes little
 * endian, zero padded) when it is all ASCII; false (nothing written) otherwise.
 */
function packAscii(s: string, words: Uint32Array, w: number): boolean {
  const n = s.length;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) return false;
    const shift = (i & 3) << 3;
    if (i < 4) a |= ch << shift;
    else if (i < 8) b |= ch << shift;
    else c |= ch << shift;
  }
  words[w] = n;
  words[w + 1] = a;
  words[w + 2] = b;
  words[w + 3] = c;
  return true;
}

function writerFor(type: ColumnType, cap: number): ColumnWriter {
  switch (type) {
    case 'int':
    case 'smallint':
    case 'real':
    case 'double':
      return numericWriter(type, cap);
    case 'bigint':
      return bigintWriter(cap);
    case 'bool':
      return boolWriter(cap);
    case 'text':
      return textWriter(cap);
  }
}

export function logicalTypes(types: ColumnType[]) {
  return types.map((t) => duckdb.create_logical_type(DUCK_TYPE[t] as Raw['Type'][keyof Raw['Type']]));
}

/** Check a batch's shape against the column count: every column must hold at least `batch.length` values. */
export function checkBatch(batch: ColumnBatch, ncol: number): void {
  const cols = batch.columns;
  if (cols.length !== ncol) throw new Error(`bulkInsert: batch has ${cols.length} columns, expected ${ncol}`);
  for (let c = 0; c < ncol; c++) {
    const col = cols[c] as ColumnData;
    if (col.length < batch.length)
      throw new Error(`bulkInsert: column ${c} has ${col.length} values, batch says ${batch.length}`);
  }
}

/** Fills a DataChunk (of exactly these column types, capacity `vector_size()`) from a slice of a batch. */
export type ChunkFiller = (chunk: RawChunk, batch: ColumnBatch, from: number, n: number) => void;

export function chunkFiller(types: ColumnType[]): ChunkFiller {
  const cap = duckdb.vector_size();
  const writers = types.map((t) => writerFor(t, cap));
  const ncol = types.length;
  const mask = new Uint32Array(Math.ceil(cap / 32));
  return (chunk, batch, from, n) => {
    const cols = batch.columns;
    for (let c = 0; c < ncol; c++) {
      const vector = duckdb.data_chunk_get_vector(chunk, c);
      mask.fill(0xffffffff);
      const nulls = (writers[c] as ColumnWriter).write(vector, cols[c] as ColumnData, from, n, mask);
      if (nulls) {
        duckdb.vector_ensure_validity_writable(vector);
        duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer as ArrayBuffer, 0, Math.ceil(n / 64) * 8);
      }
    }
    duckdb.data_chunk_set_size(chunk, n);
  };
}

/** Hand every batch to `append` (the appender) as reusable DataChunks of the given column types. */
export async function appendChunks(
  append: (chunk: RawChunk) => void,
  types: ColumnType[],
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
): Promise<number> {
  const cap = duckdb.vector_size();
  const chunk = duckdb.create_data_chunk(logicalTypes(types));
  const fill = chunkFiller(types);
  let total = 0;
  for await (const batch of batches) {
    checkBatch(batch, types.length);
    for (let from = 0; from < batch.length; from += cap) {
      const n = Math.min(cap, batch.length - from);
      duckdb.data_chunk_reset(chunk);
      fill(chunk, batch, from, n);
      append(chunk);
      total += n;
    }
  }
  return total;
}
