import { open } from 'node:fs/promises';
import { type Chain, parseChain } from '../crypto/addresses.js';
import { importTransferFile } from '../crypto/service.js';
import { InputError, UserError } from '../errors.js';
import { type CsvField, importCsvFile, parseColumnMap } from '../ingest/ais-csv.js';
import { importNmeaFile } from '../ingest/ais-nmea.js';
import { detectFormat, type ListFormat, parseFormat } from '../lists/formats.js';
import { importList } from '../lists/import.js';
import type { Store } from '../store/store.js';
import type { WriteGate } from './cancellable.js';
import { formatCap, UnsupportedTypeError } from './upload.js';

/**
 * The three kinds of import over HTTP and, for each: its size cap, how its type is told from the first bytes, and
 * the importer it runs. The importers are the CLI's own (`lists import`, `ais import`, `crypto import`): there is
 * no second import path.
 */

export const IMPORT_KINDS = ['lists', 'ais', 'transfers'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Default caps: lists 512 MB (the OpenSanctions default dataset is far smaller), AIS 4 GB, transfers 1 GB. */
export const DEFAULT_MAX_MB: Record<ImportKind, number> = { lists: 512, ais: 4096, transfers: 1024 };

const ENV_KEY: Record<ImportKind, string> = {
  lists: 'WATCHKEEPER_IMPORT_MAX_MB_LISTS',
  ais: 'WATCHKEEPER_IMPORT_MAX_MB_AIS',
  transfers: 'WATCHKEEPER_IMPORT_MAX_MB_TRANSFERS',
};

/** The cap on an upload of `kind` (after gunzip): its own variable, else WATCHKEEPER_IMPORT_MAX_MB, else the default. */
export function maxImportBytes(kind: ImportKind, env: NodeJS.ProcessEnv = process.env): number {
  for (const key of [ENV_KEY[kind], 'WATCHKEEPER_IMPORT_MAX_MB']) {
    const v = env[key]?.trim();
    if (!v) continue;
    const mb = Number(v);
    if (!Number.isFinite(mb) || mb <= 0) throw new UserError(`${key}: a positive number of megabytes, got "${v}"`);
    return Math.max(1, Math.floor(mb * 1024 * 1024));
  }
  return DEFAULT_MAX_MB[kind] * 1024 * 1024;
}

export function capText(kind: ImportKind): string {
  return `${formatCap(maxImportBytes(kind))} (${ENV_KEY[kind]})`;
}

/** Options of a job, as the query string gives them (checked by `checkParams`). */
export interface ImportParams {
  /** lists: un-xml, ofac-csv, ftm, eu-yaml, uk-yaml; ais: auto, nmea, csv. */
  format?: string;
  source?: string;
  url?: string;
  allowEmpty?: boolean;
  strictProperties?: boolean;
  map?: string;
  startTime?: string;
  chain?: string;
  skipBad?: boolean;
}

/** How far a job is: `done` of `total` `unit` in `step` (total null when unknown). */
export interface ImportProgress {
  step: string;
  unit: string;
  done: number;
  total: number | null;
}

/** Counts of a finished import (per kind; never a server path). */
export type ImportResultCounts = Record<string, unknown>;

/** Refuse bad options before the body is read (400). */
export function checkParams(kind: ImportKind, p: ImportParams): void {
  if (kind === 'lists' && p.format) parseFormat(p.format);
  if (kind === 'ais') {
    if (p.format && !['auto', 'nmea', 'csv'].includes(p.format))
      throw new UserError(`format: "${p.format}" is not auto, nmea or csv`);
    if (p.map) parseColumnMap(p.map);
    if (p.startTime) startTimeMs(p.startTime);
  }
  if (kind === 'transfers' && p.chain) parseChain(p.chain);
}

function startTimeMs(s: string): number {
  const t = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  if (!Number.isFinite(t)) throw new UserError(`startTime: "${s}" is not an ISO-8601 time (e.g. 2024-05-01T00:00:00Z)`);
  return t;
}

/** The first bytes of a file as text, and whether they look binary (a NUL byte). */
async function head(file: string, bytes = 8192): Promise<{ text: string; binary: boolean }> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    const b = buf.subarray(0, bytesRead);
    return { text: b.toString('latin1'), binary: b.includes(0) };
  } finally {
    await fh.close();
  }
}

/** "first bytes: ..." for a 415 message: printable, short. */
function firstBytes(text: string): string {
  const t = text.slice(0, 40).replace(/[^\x20-\x7e]/g, '.');
  return t ? `first bytes "${t}"` : 'no content';
}

// A sentence at the start of a line, after a tag block, or after a receiver time prefix (unix seconds or an ISO
// time, then one of the envelope's separators: src/maritime/ais/tables/envelope.ts TIME_PREFIX), as `ais import`
// reads them.
const NMEA_LINE =
  /^(\\[^\\]*\\)?(?:\d{9,}(?:\.\d+)?[ \t,;]+|\[?\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?\]?[ \t,;]+)?(\\[^\\]*\\)?[!$][A-Z]{2}[A-Z]{3},/;

function nonEmptyLines(text: string, n: number): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\uFEFF|^ï»¿/, ''))
    .filter((l) => l.trim() !== '')
    .slice(0, n);
}

function looksLikeCsvHeader(first: string): boolean {
  return !/[!$\\]/.test(first) && first.includes(',') && /[a-z]/i.test(first);
}

/**
 * Tell the file's format from its first bytes (after gunzip) as the importer of `kind` expects it: a 415 naming
 * what was expected and what came otherwise. Returns the format and the file name extension the importer reads.
 */
export async function sniffImport(
  kind: ImportKind,
  file: string,
  p: ImportParams,
): Promise<{ format: string; ext: string }> {
  const h = await head(file);
  if (kind === 'lists') {
    if (h.binary) throw new UnsupportedTypeError(`lists import: a binary file (${firstBytes(h.text)}), not a list`);
    let format: ListFormat;
    if (p.format) format = parseFormat(p.format);
    else {
      try {
        format = detectFormat(file);
      } catch (err) {
        if (err instanceof InputError)
          throw new UnsupportedTypeError(
            `lists import: not a UN SC XML, OFAC CSV, FtM JSON lines, EU or UK YAML list (${firstBytes(h.text)}); give format= if it is one`,
          );
        throw err;
      }
    }
    const ext = { 'un-xml': 'xml', 'ofac-csv': 'csv', ftm: 'jsonl', 'eu-yaml': 'yaml', 'uk-yaml': 'yaml' }[format];
    return { format, ext };
  }
  const lines = nonEmptyLines(h.text, 20);
  if (kind === 'ais') {
    if (h.binary) throw new UnsupportedTypeError(`AIS import: a binary file (${firstBytes(h.text)}), not NMEA or CSV`);
    const nmea = lines.some((l) => NMEA_LINE.test(l));
    const csv = looksLikeCsvHeader(lines[0] ?? '');
    const want = p.format ?? 'auto';
    if ((want === 'csv' || (want === 'auto' && p.map)) && csv) return { format: 'csv', ext: 'csv' };
    if ((want === 'nmea' || want === 'auto') && nmea) return { format: 'nmea', ext: 'nmea' };
    if (want === 'auto' && csv) return { format: 'csv', ext: 'csv' };
    const expected =
      want === 'csv'
        ? 'a CSV with a header line'
        : want === 'nmea'
          ? 'NMEA (!AIVDM sentences)'
          : 'NMEA (!AIVDM sentences) or a CSV with a header line';
    throw new UnsupportedTypeError(`AIS import: not ${expected} (${firstBytes(h.text)})`);
  }
  if (h.binary) throw new UnsupportedTypeError(`transfers import: a binary file (${firstBytes(h.text)})`);
  const first = (lines[0] ?? '').trimStart();
  if (first.startsWith('{')) return { format: 'jsonl', ext: 'jsonl' };
  if (first.includes(',')) return { format: 'csv', ext: 'csv' };
  throw new UnsupportedTypeError(
    `transfers import: not a CSV with a header line (from,to,...) or JSON lines (${firstBytes(h.text)})`,
  );
}

export interface RunContext {
  store: Store;
  file: string;
  format: string;
  params: ImportParams;
  /** Lines of the file (for progress totals). */
  lines: number;
  progress: (p: ImportProgress) => void;
  /** The job's cancel gate, for an importer that writes through one long statement (a large NMEA file). */
  gate?: WriteGate;
}

const first20 = <T>(xs: readonly T[]): T[] => xs.slice(0, 20);

/** Run the CLI's importer for `kind` over the uploaded file; resolves with the counts (no server paths). */
export async function runImport(kind: ImportKind, c: RunContext): Promise<ImportResultCounts> {
  const { store, file, params: p } = c;
  if (kind === 'lists') {
    const r = await importList(store, file, {
      format: c.format as ListFormat,
      source: p.source,
      url: p.url,
      allowEmpty: p.allowEmpty,
      unknownProperties: p.strictProperties ? 'error' : 'skip',
      onProgress: (x) => c.progress({ step: x.step, unit: x.unit, done: x.done, total: x.total }),
    });
    return {
      created: r.created,
      versionId: r.version.id,
      source: r.version.source,
      format: r.version.format,
      records: r.version.recordCount,
      entities: r.entityCount,
      statements: r.version.statementCount,
      counts: r.stats.counts,
      warnings: first20([...r.warnings, ...r.stats.warnings]),
    };
  }
  if (kind === 'ais') {
    const summary =
      c.format === 'csv'
        ? await importCsvFile(store, file, {
            map: p.map ? (parseColumnMap(p.map) as Record<string, CsvField>) : undefined,
            onProgress: (rows) =>
              c.progress({ step: 'importing', unit: 'rows', done: rows, total: Math.max(0, c.lines - 1) }),
          })
        : await importNmeaFile(store, file, {
            startTimeMs: p.startTime ? startTimeMs(p.startTime) : undefined,
            onProgress: (lines) => c.progress({ step: 'importing', unit: 'lines', done: lines, total: c.lines }),
            cancelCheck: c.gate,
          });
    const bad =
      'badLines' in summary ? (summary.badLines as Array<{ line: number; kind: string; reason: string }>) : [];
    return {
      created: summary.created,
      importId: summary.importId,
      format: c.format,
      positions: summary.positions,
      staticRows: summary.staticRows,
      vessels: summary.vessels,
      identities: summary.identities,
      statements: summary.statements,
      input: summary.input,
      badLines: first20(bad),
    };
  }
  const chain: Chain | undefined = p.chain ? parseChain(p.chain) : undefined;
  c.progress({ step: 'importing', unit: 'lines', done: 0, total: c.lines });
  const r = await importTransferFile(store, file, { chain, skipBad: p.skipBad });
  return {
    created: r.created,
    importId: r.importId,
    format: r.format,
    transfers: r.transfers,
    rejected: first20(r.rejected),
  };
}
