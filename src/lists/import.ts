import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { ListEntity, type ListParseResult, ParseStats } from '../ingest/list-entity.js';
import { OFAC_URLS, ofacFilesIn, parseOfacCsv } from '../ingest/ofac-csv.js';
import { parseUnXml, UN_URL } from '../ingest/un-xml.js';
import { readFtmLines } from '../model/ftm-json.js';
import { sha256 } from '../model/ids.js';
import type { Statement } from '../model/statement.js';
import type { ListVersion, Store } from '../store/store.js';
import { sha256File } from '../util/hash.js';
import { DEFAULT_SOURCES, detectFormat, type ListFormat } from './formats.js';

/**
 * Import orchestration: parse a list file (or OFAC file set) completely, then write it as one list version in a
 * single `store.addListVersion` call. Parsing first means a malformed file fails before the store is touched,
 * and the store call is atomic, so the previous version of the list stays current either way.
 */

export interface ImportOptions {
  format?: ListFormat;
  /** Dataset name; default per format (un_sc, us_ofac_sdn, opensanctions, eu_fsf, gb_ofsi). */
  source?: string;
  url?: string | null;
  /** Overrides the list's own date / the file time. */
  fetchedAt?: string;
}

export interface ImportResult {
  version: ListVersion;
  created: boolean;
  stats: ParseStats;
  entityCount: number;
  files: string[];
}

/** `<source>@<first 12 hex of sha256>`: the same bytes always give the same version id. */
export function versionId(source: string, sha: string): string {
  return `${source}@${sha.slice(0, 12)}`;
}

/** The files making up one import (a directory with an OFAC set gives several, in a fixed order). */
export function importFiles(file: string, format: ListFormat): string[] {
  if (statSync(file).isDirectory()) {
    if (format !== 'ofac-csv') throw new InputError(`${file}: a directory can only be imported as --format ofac-csv`);
    const set = ofacFilesIn(file);
    if (!set) throw new InputError(`${file}: no sdn.csv in this directory`);
    return [set.sdn, set.add, set.alt, set.comments].filter((f): f is string => !!f);
  }
  return [file];
}

/** Parse a list file with the importer for its format. */
export async function parseListFile(file: string, format: ListFormat): Promise<ListParseResult> {
  switch (format) {
    case 'un-xml':
      return parseUnXml(file);
    case 'ofac-csv':
      return parseOfacCsv(statSync(file).isDirectory() ? ofacFilesIn(file)! : file);
    case 'ftm':
      return parseFtmFile(file);
    case 'eu-yaml': {
      const { parseEuYaml } = await import('../ingest/eu-yaml.js');
      return parseEuYaml(file);
    }
    case 'uk-yaml': {
      const { parseUkYaml } = await import('../ingest/uk-yaml.js');
      return parseUkYaml(file);
    }
  }
}

async function parseFtmFile(file: string): Promise<ListParseResult> {
  const base = path.basename(file);
  const stats = new ParseStats();
  const entities: ListEntity[] = [];
  for await (const { entity, line } of readFtmLines(file, { strictProperties: false })) {
    stats.records++;
    stats.count(entity.schema);
    const e = new ListEntity(entity.id, entity.schema, `${base}:${line}#${entity.id}`);
    for (const [prop, values] of Object.entries(entity.properties)) for (const v of values) e.add(prop, v);
    entities.push(e);
  }
  return { format: 'ftm', entities, stats };
}

function defaultUrl(format: ListFormat): string | null {
  if (format === 'un-xml') return UN_URL;
  if (format === 'ofac-csv') return OFAC_URLS.sdn;
  return null;
}

/** sha256 of the import: of the file itself, or of the concatenated file hashes for a set. */
export async function importSha256(files: string[]): Promise<string> {
  if (files.length === 1) return sha256File(files[0]!);
  const parts: string[] = [];
  for (const f of files) parts.push(`${path.basename(f).toLowerCase()}:${await sha256File(f)}`);
  return sha256(parts.join('\n'));
}

function* statementsOf(entities: ListEntity[], source: string, seenAt: string, id: string): Generator<Statement> {
  for (const e of entities) yield* e.statements(source, seenAt, id);
}

/**
 * FtM JSON lines can be large (OpenSanctions' default dataset is gigabytes), so they stream straight into the
 * store: a bad line throws inside the store's transaction, which rolls back, so the import stays atomic.
 */
async function importFtmStreaming(store: Store, file: string, opts: ImportOptions): Promise<ImportResult> {
  const sha = await sha256File(file);
  const source = opts.source ?? DEFAULT_SOURCES.ftm;
  checkSource(source);
  const id = versionId(source, sha);
  const fetchedAt = opts.fetchedAt ?? new Date(statSync(file).mtimeMs).toISOString();
  const base = path.basename(file);
  const stats = new ParseStats();
  let entityCount = 0;
  async function* statements(): AsyncGenerator<Statement> {
    for await (const { entity, line } of readFtmLines(file, { strictProperties: false })) {
      stats.records++;
      stats.count(entity.schema);
      entityCount++;
      const e = new ListEntity(entity.id, entity.schema, `${base}:${line}#${entity.id}`);
      for (const [prop, values] of Object.entries(entity.properties)) for (const v of values) e.add(prop, v);
      yield* e.statements(source, fetchedAt, id);
    }
  }
  // The record count is only known after reading; count first (cheap next to parsing) so the version row is right.
  const records = await countNonBlankLines(file);
  const { version, created } = await store.addListVersion(
    { id, source, format: 'ftm', url: opts.url ?? null, fetchedAt, sha256: sha, recordCount: records },
    statements(),
  );
  return { version, created, stats, entityCount: created ? entityCount : records, files: [file] };
}

async function countNonBlankLines(file: string): Promise<number> {
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) if (line.trim() !== '') n++;
  return n;
}

function checkSource(source: string): void {
  if (!/^[a-z0-9_.-]+$/i.test(source)) throw new InputError(`--source "${source}": use letters, digits, _ . -`);
}

/** Parse `file` and add it to the store as one list version. */
export async function importList(store: Store, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  if (!existsSync(file)) throw new InputError(`${file}: no such file or directory`);
  const format = opts.format ?? detectFormat(file);
  if (format === 'ftm' && !statSync(file).isDirectory()) return importFtmStreaming(store, file, opts);
  const files = importFiles(file, format);
  const parsed = await parseListFile(file, format);
  const sha = await importSha256(files);
  const source = opts.source ?? DEFAULT_SOURCES[format];
  checkSource(source);
  const id = versionId(source, sha);
  const fetchedAt =
    opts.fetchedAt ?? parsed.publishedAt ?? new Date(Math.max(...files.map((f) => statSync(f).mtimeMs))).toISOString();
  const { version, created } = await store.addListVersion(
    {
      id,
      source,
      format,
      url: opts.url === undefined ? defaultUrl(format) : opts.url,
      fetchedAt,
      sha256: sha,
      recordCount: parsed.stats.records,
    },
    statementsOf(parsed.entities, source, fetchedAt, id),
  );
  return { version, created, stats: parsed.stats, entityCount: parsed.entities.length, files };
}
