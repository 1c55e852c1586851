import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * A small, fast, streaming RFC 4180 CSV reader. Feed it text chunks of any size; it returns whole records with
 * the line number each record started on. Quoted fields may hold delimiters, doubled quotes and line breaks;
 * CRLF, LF and lone CR all end a record. Any module may reuse it (lists, AIS CSV, screening batches).
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

export interface CsvOptions {
  /** Field delimiter (one character); default ",". */
  delimiter?: string;
  /** Name used in error messages (file path). */
  name?: string;
  /**
   * Strict mode rejects text after a closing quote (`"abc"x,`); lenient mode (default) keeps it, appended to the
   * field, because real-world exports (OFAC among them) pad fields with spaces after the quote.
   */
  strict?: boolean;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvParser {
  private readonly delim: number;
  private readonly name: string;
  private readonly strict: boolean;
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** The previous chunk ended right after a quote inside a quoted field: it may be an escaped `""`. */
  private quotePending = false;
  /** The field was quoted and its closing quote has been seen. */
  private afterQuote = false;
  /** The previous chunk ended with CR: a following LF belongs to the same line break. */
  private crPending = false;
  private line = 1;
  private recordLine = 1;
  private fieldStarted = false;

  constructor(opts: CsvOptions = {}) {
    const d = opts.delimiter ?? ',';
    if (d.length !== 1) throw new Error('CsvParser: delimiter must be one character');
    this.delim = d.charCodeAt(0);
    this.name = opts.name ?? '<csv>';
    this.strict = opts.strict ?? false;
  }

  /** Parse a chunk; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = chunk.length;
    let i = 0;
    if (this.crPending) {
      this.crPending = false;
      if (n > 0 && chunk.charCodeAt(0) === LF) i = 1;
    }
    if (this.quotePending) {
      this.quotePending = false;
      if (n > 0 && chunk.charCodeAt(0) === QUOTE) {
        this.field += '"';
        i = 1;
      } else {
        this.inQuotes = false;
        this.afterQuote = true;
      }
    }
    let start = i;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.inQuotes) {
        if (c === QUOTE) {
          this.field += chunk.slice(start, i);
          if (i + 1 === n) {
            this.quotePending = true;
            i++;
            start = i;
            break;
          }
          if (chunk.charCodeAt(i + 1) === QUOTE) {
            this.field += '"';
            i += 2;
          } else {
            this.inQuotes = false;
            this.afterQuote = true;
            i++;
          }
          start = i;
          continue;
        }
        if (c === LF || (c === CR && chunk.charCodeAt(i + 1) !== LF)) this.line++;
        i++;
        continue;
      }
      if (c === this.delim) {
        this.field += chunk.slice(start, i);
        this.endField();
        i++;
        start = i;
        continue;
      }
      if (c === LF || c === CR) {
        this.field += chunk.slice(start, i);
        this.endRecord(out);
        if (c === CR) {
          if (i + 1 === n) this.crPending = true;
          else if (chunk.charCodeAt(i + 1) === LF) i++;
        }
        this.line++;
        this.recordLine = this.line;
        i++;
        start = i;
        continue;
      }
      if (c === QUOTE && !this.fieldStarted && this.field === '' && start === i) {
        this.inQuotes = true;
        this.fieldStarted = true;
        i++;
        start = i;
        continue;
      }
      if (this.afterQuote && this.strict) {
        throw new InputError(`${this.name}:${this.line}: unexpected text after a closing quote`);
      }
      this.fieldStarted = true;
      i++;
    }
    if (start < n) this.field += chunk.slice(start, n);
    if (this.field !== '') this.fieldStarted = true;
    return out;
  }

  /** Finish: returns the last record when the input did not end with a line break. */
  end(): CsvRecord[] {
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (this.inQuotes) throw new InputError(`${this.name}:${this.recordLine}: quoted field is never closed`);
    const out: CsvRecord[] = [];
    if (this.fieldStarted || this.fields.length > 0 || this.field !== '') this.endRecord(out);
    return out;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.fieldStarted = false;
    this.afterQuote = false;
  }

  private endRecord(out: CsvRecord[]): void {
    // A blank line is not a record.
    if (this.fields.length === 0 && this.field === '' && !this.fieldStarted) {
      this.afterQuote = false;
      return;
    }
    this.endField();
    out.push({ fields: this.fields, line: this.recordLine });
    this.fields = [];
  }
}

/** Parse a whole string (small inputs, tests). */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvRecord[] {
  const p = new CsvParser(opts);
  const out = p.push(text);
  for (const r of p.end()) out.push(r);
  return out;
}

/** Stream records from text chunks. */
export async function* readCsv(
  chunks: AsyncIterable<string> | Iterable<string>,
  opts: CsvOptions = {},
): AsyncGenerator<CsvRecord> {
  const p = new CsvParser(opts);
  for await (const chunk of chunks) yield* p.push(chunk);
  yield* p.end();
}

/**
 * Text chunks of a file decoded with `encoding` (any WHATWG label: "utf-8", "windows-1252", ...). A UTF-8 byte
 * order mark is dropped.
 */
export async function* fileTextChunks(file: string, encoding = 'utf-8'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 })) {
    yield decoder.decode(buf as Buffer, { stream: true });
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** Stream the records of a CSV file. */
export function readCsvFile(file: string, opts: CsvOptions & { encoding?: string } = {}): AsyncGenerator<CsvRecord> {
  return readCsv(fileTextChunks(file, opts.encoding), { name: file, ...opts });
}
