import type { ColumnBatch, ColumnData, ColumnSpec } from '../db.js';

/** Escape one text value for COPY ... FROM STDIN (text format): backslash, tab, newline, carriage return. */
export function escapeCopyText(s: string): string {
  // Fast path: most values need no escaping.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

type Encoder = (col: ColumnData, i: number) => string;

function isFloatArray(col: ColumnData): boolean {
  return col instanceof Float64Array || col instanceof Float32Array;
}

function encoderFor(spec: ColumnSpec): Encoder {
  switch (spec.type) {
    case 'int':
    case 'smallint':
    case 'bigint':
      return (col, i) => {
        const v = col[i];
        if (v === null || v === undefined) return '\\N';
        return typeof v === 'number' || typeof v === 'bigint' ? String(v) : String(Number(v));
      };
    case 'double':
    case 'real':
      return (col, i) => {
        const v = col[i];
        if (v === null || v === undefined) return '\\N';
        const n = Number(v);
        if (Number.isNaN(n)) return isFloatArray(col) ? '\\N' : 'NaN';
        if (n === Number.POSITIVE_INFINITY) return 'Infinity';
        if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
        return String(n);
      };
    case 'bool':
      return (col, i) => {
        const v = col[i];
        if (v === null || v === undefined) return '\\N';
        return v ? 't' : 'f';
      };
    case 'text':
      return (col, i) => {
        const v = col[i];
        if (v === null || v === undefined) return '\\N';
        return escapeCopyText(typeof v === 'string' ? v : String(v));
      };
  }
}

/** Encode column batches as COPY text-format chunks of roughly `chunkChars` characters. */
export async function* copyTextChunks(
  columns: ColumnSpec[],
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  counter: { rows: number },
  chunkChars = 1 << 20,
): AsyncGenerator<string> {
  const encoders = columns.map(encoderFor);
  const n = columns.length;
  const last = n - 1;
  let buf = '';
  for await (const batch of batches) {
    const cols = batch.columns;
    if (cols.length !== n) throw new Error(`bulkInsert: batch has ${cols.length} columns, expected ${n}`);
    const len = batch.length;
    for (let i = 0; i < len; i++) {
      let line = '';
      for (let c = 0; c < last; c++) line += `${(encoders[c] as Encoder)(cols[c] as ColumnData, i)}\t`;
      line += `${(encoders[last] as Encoder)(cols[last] as ColumnData, i)}\n`;
      buf += line;
      if (buf.length >= chunkChars) {
        yield buf;
        buf = '';
      }
    }
    counter.rows += len;
  }
  if (buf.length > 0) yield buf;
}
