import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { ListEntity, type ListParseResult, ParseStats } from '../ingest/list-entity.js';
import { OFAC_URLS, ofacFilesIn, parseOfacCsv } from '../ingest/ofac-csv.js';
import { parseUnXml, UN_URL } from '../ingest/un-xml.js';
import { readFtmLines, type SkippedSchemata, type UnknownProperties } from '../model/ftm-json.js';
import { sha256 } from '../model/ids.js';
import { schemaModel } from '../model/schema.js';
import type { Statement } from '../model/statement.js';
import { resolutionChanged } from '../resolve/canonical.js';
import type { ListVersion, Store } from '../store/store.js';
import { sha256File } from '../util/hash.js';
import { printable, quoted } from '../util/printable.js';
import { datasetName, versionIdPrefix } from './dataset-names.js';
import { DEFAULT_SOURCES, detectFormat, type ListFormat } from './formats.js';
import { FileReadWatch } from './read-progress.js';

/**
 * Import orchestration: parse a list file (or OFAC file set) completely, then write it as one list version in a
 * single `store.addListVersion` call. Parsing first means a malformed file fails before the store is touched,
 * and the store call is atomic, so the previous version of the list stays current either way.
 */

export interface ImportOptions {
  format?: ListFormat;
  /**
   * Dataset name; default per format (un_sc_sanctions, us_ofac_sdn, opensanctions, eu_fsf, gb_hmt_sanctions). The
   * old names un_sc and gb_ofsi are accepted and stored as the OpenSanctions names.
   */
  source?: string;
  url?: string | null;
  /** Overrides the list's own date / the file time. */
  fetchedAt?: string;
  /** Import a version with no records (refused by default: it would take every entry of the list off screening). */
  allowEmpty?: boolean;
  /** FtM JSON lines: refuse (default) or leave out properties the schema does not define. */
  unknownProperties?: UnknownProperties;
  /** Told how far the import is, step by step, a few times a second at most (for a progress line). */
  onProgress?: (p: ImportProgress) => void;
}

/**
 * A step of an import and how far it is: `reading` and `hashing` the files (bytes of the files read, polled while
 * the parser or the hash reads them), `counting` the lines of an FtM file (bytes), `writing` the statements
 * (entities written, of the entities parsed; FtM: records, of the lines counted).
 */
export interface ImportProgress {
  step: 'reading' | 'hashing' | 'counting' | 'writing';
  unit: 'bytes' | 'entities' | 'records';
  done: number;
  total: number;
}

/** Report progress every this many entities (or records) written. */
const WRITE_TICK = 256;

/** Run `fn` while reporting the bytes of `files` read as `step` (nothing to do without a listener). */
async function whileReading<T>(
  files: string[],
  step: 'reading' | 'hashing',
  onProgress: ImportOptions['onProgress'],
  fn: () => Promise<T>,
): Promise<T> {
  // Without a way to see the bytes read, the step shows only its time (the caller's progress line does that).
  if (!onProgress || !FileReadWatch.supported()) return fn();
  const watch = new FileReadWatch(files);
  const report = (done: number, total: number) => onProgress({ step, unit: 'bytes', done, total });
  report(0, watch.totalBytes);
  const stop = watch.poll(report);
  try {
    return await fn();
  } finally {
    stop();
  }
}

/**
 * A new version with fewer than this share of the current version's records is a large shrink: it is imported,
 * with a warning (a list that loses half its entries at once is more often a truncated download than a delisting).
 */
export const SHRINK_WARNING_RATIO = 0.5;

export interface ImportResult {
  version: ListVersion;
  created: boolean;
  stats: ParseStats;
  entityCount: number;
  files: string[];
  /** Warnings about the version as a whole (a large shrink against the current version); parse warnings are in stats. */
  warnings: string[];
}

/** Refused: the file holds no records and `allowEmpty` was not given. The previous version stays current. */
export class EmptyListError extends InputError {}

/**
 * `<prefix>@<first 12 hex of sha256>`: the same bytes always give the same version id. The prefix is the dataset's
 * historical name (`un_sc` for `un_sc_sanctions`, see src/lists/dataset-names.ts), so ids cited before the
 * datasets took their OpenSanctions names stay the ids of the same files.
 */
export function versionId(source: string, sha: string): string {
  return `${versionIdPrefix(source)}@${sha.slice(0, 12)}`;
}

/**
 * The id of this file's version: `versionId`, or the id an earlier import gave the same bytes under the dataset's
 * new name (`un_sc_sanctions@<sha12>`, imported with `--source un_sc_sanctions` before the rename), so a re-import
 * is recognised as the same version.
 */
async function versionIdIn(store: Store, source: string, sha: string): Promise<string> {
  const id = versionId(source, sha);
  const spelled = `${source}@${sha.slice(0, 12)}`;
  if (spelled !== id && !(await store.getListVersion(id)) && (await store.getListVersion(spelled))) return spelled;
  return id;
}

/** The dataset name to store for `--source` (old names become the OpenSanctions name), checked. */
function sourceName(given: string): string {
  checkSource(given);
  return datasetName(given);
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
export async function parseListFile(
  file: string,
  format: ListFormat,
  opts: Pick<ImportOptions, 'unknownProperties'> = {},
): Promise<ListParseResult> {
  switch (format) {
    case 'un-xml':
      return parseUnXml(file);
    case 'ofac-csv':
      return parseOfacCsv(statSync(file).isDirectory() ? ofacFilesIn(file)! : file);
    case 'ftm':
      return parseFtmFile(file, opts.unknownProperties);
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

async function parseFtmFile(file: string, unknownProperties?: UnknownProperties): Promise<ListParseResult> {
  const base = path.basename(file);
  const stats = new ParseStats();
  const skipped = new SkippedProperties(base);
  const entities: ListEntity[] = [];
  for await (const { entity, line, skipped: props } of readFtmLines(file, {
    unknownProperties,
    skippedSchemata: skipped.schemata,
  })) {
    stats.records++;
    stats.count(entity.schema);
    skipped.note(entity.schema, props, line);
    const e = new ListEntity(entity.id, entity.schema, `${base}:${line}#${entity.id}`);
    for (const [prop, values] of Object.entries(entity.properties)) for (const v of values) e.add(prop, v);
    entities.push(e);
  }
  skipped.report(stats);
  return { format: 'ftm', entities, stats };
}

/**
 * Properties left out under `unknownProperties: 'skip'`: one warning per schema and property, with the first line;
 * and lines whose schema the bundled FtM model lacks (`skippedEntities`): one warning per schema.
 */
class SkippedProperties {
  private readonly seen = new Map<string, { first: number; lines: number }>();
  readonly schemata: SkippedSchemata = new Map();
  constructor(private readonly base: string) {}

  note(schema: string, props: string[], line: number): void {
    for (const prop of props) {
      const key = `${schema}.${prop}`;
      const s = this.seen.get(key);
      if (s) s.lines++;
      else this.seen.set(key, { first: line, lines: 1 });
    }
  }

  report(stats: ParseStats): void {
    for (const [schema, s] of this.schemata) {
      stats.count('skippedEntities', s.lines);
      stats.warn(
        `${this.base}:${s.first}: schema ${quoted(schema)} is not in the bundled FtM model (FtM ${schemaModel().version}); ` +
          `left out ${s.lines.toLocaleString('en-US')} line(s)`,
      );
    }
    for (const [key, s] of this.seen) {
      stats.count('skippedProperties', s.lines);
      stats.warn(
        `${this.base}:${s.first}: property ${quoted(key.slice(key.indexOf('.') + 1))} is not defined on schema ` +
          `${key.slice(0, key.indexOf('.'))}; left out on ${s.lines.toLocaleString('en-US')} line(s)`,
      );
    }
  }
}

function defaultUrl(format: ListFormat): string | null {
  if (format === 'un-xml') return UN_URL;
  if (format === 'ofac-csv') return OFAC_URLS.sdn;
  return null;
}

/** sha256 of the import: of the file itself, or of the concatenated file hashes for a set. */
export async function importSha256(files: string[]): Promise<string> {
  return combinedSha256(await fileSha256s(files));
}

/** The sha256 of each file of an import. */
async function fileSha256s(files: string[]): Promise<Array<{ file: string; sha256: string }>> {
  const out: Array<{ file: string; sha256: string }> = [];
  for (const f of files) out.push({ file: f, sha256: await sha256File(f) });
  return out;
}

/** A version's sha256: the file's own for one file, else over `name:sha256` lines of the set. */
export function combinedSha256(hashes: Array<{ file: string; sha256: string }>): string {
  if (hashes.length === 1) return hashes[0]!.sha256;
  return sha256(hashes.map((h) => `${path.basename(h.file).toLowerCase()}:${h.sha256}`).join('\n'));
}

/** Kind of the imports-log rows that say where each file of a list version was read from. */
export const LIST_FILE_KIND = 'list-file';

/**
 * Where each file of a list version was read from (absolute path and the file's own sha256), in the imports log
 * (kind `list-file`, details.versionId and details.file): statements cite `file:line#ref`, and the evidence annex
 * reads that record back from the file (src/evidence/list-raw.ts). Re-importing the same version from elsewhere
 * adds that location too.
 */
async function recordListFiles(
  store: Store,
  version: ListVersion,
  hashes: Array<{ file: string; sha256: string }>,
): Promise<void> {
  for (const h of hashes) {
    const location = path.resolve(h.file);
    await store.recordImport({
      id: `${LIST_FILE_KIND}:${version.id}:${sha256(location).slice(0, 16)}`,
      kind: LIST_FILE_KIND,
      location,
      sha256: h.sha256,
      importedAt: new Date().toISOString(),
      rowCount: version.recordCount,
      details: { versionId: version.id, file: path.basename(h.file) },
    });
  }
}

function* statementsOf(
  entities: ListEntity[],
  source: string,
  seenAt: string,
  id: string,
  onProgress?: ImportOptions['onProgress'],
): Generator<Statement> {
  const total = entities.length;
  for (let k = 0; k < total; k++) {
    if (onProgress && k % WRITE_TICK === 0) onProgress({ step: 'writing', unit: 'entities', done: k, total });
    yield* entities[k]!.statements(source, seenAt, id);
  }
  onProgress?.({ step: 'writing', unit: 'entities', done: total, total });
}

/**
 * FtM JSON lines can be large (OpenSanctions' default dataset is gigabytes), so they stream straight into the
 * store: a bad line throws inside the store's transaction, which rolls back, so the import stays atomic.
 */
async function importFtmStreaming(store: Store, file: string, opts: ImportOptions): Promise<ImportResult> {
  const sha = await whileReading([file], 'hashing', opts.onProgress, () => sha256File(file));
  const source = sourceName(opts.source ?? DEFAULT_SOURCES.ftm);
  const id = await versionIdIn(store, source, sha);
  const fetchedAt = opts.fetchedAt ?? new Date(statSync(file).mtimeMs).toISOString();
  const base = path.basename(file);
  const stats = new ParseStats();
  const skipped = new SkippedProperties(base);
  let entityCount = 0;
  const onProgress = opts.onProgress;
  async function* statements(): AsyncGenerator<Statement> {
    for await (const { entity, line, skipped: props } of readFtmLines(file, {
      unknownProperties: opts.unknownProperties,
      skippedSchemata: skipped.schemata,
    })) {
      if (onProgress && stats.records % WRITE_TICK === 0)
        onProgress({ step: 'writing', unit: 'records', done: stats.records, total: records });
      stats.records++;
      stats.count(entity.schema);
      skipped.note(entity.schema, props, line);
      entityCount++;
      const e = new ListEntity(entity.id, entity.schema, `${base}:${line}#${entity.id}`);
      for (const [prop, values] of Object.entries(entity.properties)) for (const v of values) e.add(prop, v);
      yield* e.statements(source, fetchedAt, id);
    }
    onProgress?.({ step: 'writing', unit: 'records', done: stats.records, total: records });
    skipped.report(stats);
  }
  // The record count is only known after reading; count first (cheap next to parsing) so the version row is right
  // and an empty file is refused before the store is touched.
  const records = await countNonBlankLines(file, onProgress);
  const warnings = await checkRecordCount(store, { id, source, records, file, format: 'ftm' }, opts);
  const { version, created } = await store.addListVersion(
    { id, source, format: 'ftm', url: opts.url ?? null, fetchedAt, sha256: sha, recordCount: records },
    statements(),
  );
  await recordListFiles(store, version, [{ file, sha256: sha }]);
  resolutionChanged(store);
  return { version, created, stats, entityCount: created ? entityCount : records, files: [file], warnings };
}

/**
 * The checks on a version as a whole, before anything is written: no records → refused unless `allowEmpty`
 * (an empty file, a record-less but well-formed list, an empty download); far fewer records than the current
 * version of the same source → a warning. Nothing to check when this exact version is already in the store.
 */
async function checkRecordCount(
  store: Store,
  v: { id: string; source: string; records: number; file: string; format: ListFormat },
  opts: ImportOptions,
): Promise<string[]> {
  if (await store.getListVersion(v.id)) return [];
  const current = (await store.currentVersions()).find((c) => c.source === v.source);
  const base = path.basename(v.file);
  if (v.records === 0) {
    if (opts.allowEmpty) return [];
    const keep = current
      ? `; ${current.id} (${current.recordCount.toLocaleString('en-US')} records) stays the current ${v.source} version`
      : '';
    throw new EmptyListError(
      `${base}: no records in this ${v.format} file; refusing to import an empty ${v.source} list${keep} (use --allow-empty if the list really is empty)`,
    );
  }
  if (current && current.recordCount > 0 && v.records < current.recordCount * SHRINK_WARNING_RATIO) {
    const drop = Math.round((1 - v.records / current.recordCount) * 100);
    return [
      `${base}: ${v.records.toLocaleString('en-US')} records, ${drop}% fewer than the current ${v.source} version ` +
        `${current.id} (${current.recordCount.toLocaleString('en-US')} records); check the file is complete`,
    ];
  }
  return [];
}

async function countNonBlankLines(file: string, onProgress?: ImportOptions['onProgress']): Promise<number> {
  const raw = createReadStream(file);
  const input: Readable = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const total = onProgress ? statSync(file).size : 0;
  let n = 0;
  let lines = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      lines++;
      if (line.trim() !== '') n++;
      // Bytes of the file read (compressed bytes for a .gz file, of its size on disk).
      if (onProgress && (lines & 4095) === 0)
        onProgress({ step: 'counting', unit: 'bytes', done: raw.bytesRead, total });
    }
  } catch (err) {
    // A truncated or corrupt .gz: name the file and how far it could be read.
    const at = lines > 0 ? `${path.basename(file)}:${lines + 1}` : path.basename(file);
    throw new InputError(`${at}: cannot read the file (${printable((err as Error).message, 120)})`);
  }
  onProgress?.({ step: 'counting', unit: 'bytes', done: total, total });
  return n;
}

function checkSource(source: string): void {
  if (!/^[a-z0-9_.-]+$/i.test(source)) throw new InputError(`--source "${source}": use letters, digits, _ . -`);
}

/** Parse `file` and add it to the store as one list version. */
export async function importList(store: Store, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  if (!existsSync(file)) throw new InputError(`${file}: no such file or directory`);
  const isDir = statSync(file).isDirectory();
  if (!isDir && statSync(file).size === 0 && !opts.allowEmpty) {
    throw new EmptyListError(
      `${path.basename(file)}: empty file (0 bytes); refusing to import an empty list (use --allow-empty if the list really is empty)`,
    );
  }
  const format = opts.format ?? detectFormat(file);
  if (format === 'ftm' && !isDir) return importFtmStreaming(store, file, opts);
  const files = importFiles(file, format);
  const parsed = await whileReading(files, 'reading', opts.onProgress, () => parseListFile(file, format, opts));
  const hashes = await whileReading(files, 'hashing', opts.onProgress, () => fileSha256s(files));
  const sha = combinedSha256(hashes);
  const source = sourceName(opts.source ?? DEFAULT_SOURCES[format]);
  const id = await versionIdIn(store, source, sha);
  const records = parsed.stats.records;
  const warnings = await checkRecordCount(store, { id, source, records, file: files[0]!, format }, opts);
  const fetchedAt =
    opts.fetchedAt ?? parsed.publishedAt ?? new Date(Math.max(...files.map((f) => statSync(f).mtimeMs))).toISOString();
  const { version, created } = await store.addListVersion(
    {
      id,
      source,
      format,
      // An empty version never claims the official URL: only a list with entries can pose as the official list.
      url: opts.url === undefined ? (records > 0 ? defaultUrl(format) : null) : opts.url,
      fetchedAt,
      sha256: sha,
      recordCount: records,
    },
    statementsOf(parsed.entities, source, fetchedAt, id, opts.onProgress),
  );
  await recordListFiles(store, version, hashes);
  // The next canonical read in this process re-resolves at once instead of trusting its last check for 2 s.
  resolutionChanged(store);
  return { version, created, stats: parsed.stats, entityCount: parsed.entities.length, files, warnings };
}
