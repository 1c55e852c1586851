import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import { type CsvRecord, readCsvFile } from '../ingest/csv.js';
import { printable } from '../util/printable.js';
import type { ScreeningIndex } from './index.js';
import { type EntityLike, prepare } from './prepare.js';
import { isQuerySchema } from './query.js';
import { DEFAULT_THRESHOLD, featureTable, scoreCandidate } from './score.js';

/**
 * CSV screening: `screen batch` (each row against the lists) and `screen pairs` (two names per row, scored with
 * the same features, so users can audit the matcher on their own cases). Input columns the matcher does not use
 * are passed through unchanged.
 */

export const BATCH_COLUMNS = ['match_id', 'match_name', 'match_schema', 'score', 'match', 'datasets'];

/** One CSV line (RFC 4180 quoting where needed). */
export function csvLine(fields: Array<string | number | boolean | null | undefined>): string {
  return `${fields
    .map((f) => {
      const s = f === null || f === undefined ? '' : String(f);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',')}\n`;
}

/** Count the lines of a file quickly (for the progress bar's total). */
export async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const buf of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const b = buf as Buffer;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  }
  return n;
}

async function* records(file: string): AsyncGenerator<{ header: string[]; record: CsvRecord }> {
  let header: string[] | undefined;
  for await (const record of readCsvFile(file)) {
    if (!header) {
      header = record.fields.map((h) => h.trim().toLowerCase());
      continue;
    }
    if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue;
    yield { header, record };
  }
}

function column(header: string[], fields: string[], name: string): string | undefined {
  const i = header.indexOf(name);
  const v = i >= 0 ? fields[i]?.trim() : undefined;
  return v === '' ? undefined : v;
}

/** The query a batch row describes. */
export function rowQuery(header: string[], fields: string[], where: string, defaultSchema = 'Thing'): EntityLike {
  const name = column(header, fields, 'name');
  const schema = column(header, fields, 'schema') ?? defaultSchema;
  if (!isQuerySchema(schema)) throw new InputError(`${where}: unknown schema "${schema}"`);
  const properties: Record<string, string[]> = {};
  const set = (prop: string, value: string | undefined): void => {
    if (value !== undefined) properties[prop] = [value];
  };
  const address = column(header, fields, 'address');
  if (schema === 'CryptoWallet') set('publicKey', address);
  else set('address', address);
  set('name', name);
  set('birthDate', column(header, fields, 'birth_date'));
  set('nationality', column(header, fields, 'nationality'));
  set('country', column(header, fields, 'country'));
  set('imoNumber', column(header, fields, 'imo'));
  set('mmsi', column(header, fields, 'mmsi'));
  if (!name && !properties.imoNumber && !properties.mmsi && !properties.publicKey) {
    throw new InputError(`${where}: empty "name" (and no imo, mmsi or address)`);
  }
  return { id: where, schema, properties };
}

export interface BatchOptions {
  limit?: number;
  threshold?: number;
  dataset?: string;
  /** Feature weight overrides (feature name → weight), as /match's `weights`. */
  weights?: Record<string, number>;
  onRow?: (done: number) => void;
}

/**
 * Screen every row of `file`; writes the header and rows through `write`. With limit 1 (default) one output row
 * per input row (empty match columns when nothing scores above 0.3); with limit N up to N rows per input, best
 * first. Returns the number of input rows and how many had a match at the threshold.
 */
export async function screenBatch(
  index: ScreeningIndex,
  file: string,
  write: (line: string) => void | Promise<void>,
  opts: BatchOptions = {},
): Promise<{ rows: number; matched: number }> {
  const limit = opts.limit ?? 1;
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  featureTable(opts.weights); // checked before the first row
  let rows = 0;
  let matched = 0;
  let wroteHeader = false;
  for await (const { header, record } of records(file)) {
    if (!wroteHeader) {
      if (!header.includes('name'))
        throw new InputError(`${file}:1: no "name" column (columns: ${printable(header.join(', '), 80)})`);
      await write(csvLine([...header, ...(limit > 1 ? ['rank'] : []), ...BATCH_COLUMNS]));
      wroteHeader = true;
    }
    rows++;
    const query = rowQuery(header, record.fields, `${file}:${record.line}`);
    const results = index.match(query, { limit, threshold, dataset: opts.dataset, cutoff: 0.3, weights: opts.weights });
    if (results[0]?.match) matched++;
    const passthrough = header.map((_, i) => record.fields[i] ?? '');
    if (results.length === 0) {
      await write(csvLine([...passthrough, ...(limit > 1 ? [''] : []), '', '', '', 0, false, '']));
    }
    for (const [rank, r] of results.entries()) {
      await write(
        csvLine([
          ...passthrough,
          ...(limit > 1 ? [rank + 1] : []),
          r.id,
          r.caption,
          r.schema,
          r.score,
          r.match,
          r.datasets.join(';'),
        ]),
      );
    }
    opts.onRow?.(rows);
  }
  if (!wroteHeader) throw new InputError(`${file}: empty file (expected a header with a "name" column)`);
  return { rows, matched };
}

/**
 * `screen pairs`: columns schema,name1,name2 (others passed through) → the same rows with score and match. When
 * an index is given, its token rarity weights are used (as in /match); otherwise every token weighs the same.
 */
export async function screenPairs(
  file: string,
  write: (line: string) => void | Promise<void>,
  opts: {
    index?: ScreeningIndex;
    threshold?: number;
    weights?: Record<string, number>;
    onRow?: (done: number) => void;
  } = {},
): Promise<{ rows: number; matched: number }> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const table = featureTable(opts.weights);
  let rows = 0;
  let matched = 0;
  let wroteHeader = false;
  const prep = (e: EntityLike) => (opts.index ? opts.index.prepareQuery(e) : prepare(e));
  for await (const { header, record } of records(file)) {
    if (!wroteHeader) {
      for (const c of ['name1', 'name2']) {
        if (!header.includes(c))
          throw new InputError(`${file}:1: no "${c}" column (columns: ${printable(header.join(', '), 80)})`);
      }
      await write(csvLine([...header, 'score', 'match']));
      wroteHeader = true;
    }
    rows++;
    const where = `${file}:${record.line}`;
    const schema = column(header, record.fields, 'schema') ?? 'Thing';
    if (!isQuerySchema(schema)) throw new InputError(`${where}: unknown schema "${schema}"`);
    const n1 = column(header, record.fields, 'name1');
    const n2 = column(header, record.fields, 'name2');
    if (!n1 || !n2) throw new InputError(`${where}: name1 and name2 must both be given`);
    const a = prep({ id: 'a', schema, properties: { name: [n1] } });
    const b = prep({ id: 'b', schema, properties: { name: [n2] } });
    const s = scoreCandidate(a, b, threshold, table);
    if (s.match) matched++;
    await write(csvLine([...header.map((_, i) => record.fields[i] ?? ''), s.score, s.match]));
    opts.onRow?.(rows);
  }
  if (!wroteHeader) throw new InputError(`${file}: empty file (expected a header with name1 and name2 columns)`);
  return { rows, matched };
}
