import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserError } from '../errors.js';
import { UN_URL } from '../ingest/un-xml.js';
import type { UnknownProperties } from '../model/ftm-json.js';
import type { Store } from '../store/store.js';
import { datasetName, versionIdPrefix } from './dataset-names.js';
import type { ListFormat } from './formats.js';
import { importList } from './import.js';

/**
 * `lists update`: download the official list files, import them as a new version, and keep the previous version
 * whenever anything goes wrong.
 *
 * - Conditional GET: the ETag / Last-Modified of the last successful download are sent back
 *   (If-None-Match / If-Modified-Since); 304 for every file means "not modified" and nothing is imported.
 * - Each download goes to a private incoming folder and is hashed (sha256) as it streams.
 * - The files are parsed and imported in one atomic `addListVersion`; only then are they moved over the cached
 *   copies (rename, atomic per file) and the validators saved. A failed download (network error, HTTP error,
 *   timeout) or a malformed file leaves the store and the cache exactly as they were.
 */

export interface UpdateSource {
  /** Dataset name (the list versions' `source`). */
  source: string;
  format: ListFormat;
  /** File name → URL. OFAC needs the names sdn.csv, add.csv, alt.csv, sdn_comments.csv. */
  files: Record<string, string>;
  /** Fetched only when asked for by name (large datasets). */
  optIn?: boolean;
}

const OFAC_SLS = 'https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports';

/** The official locations. Override per source or file with `--url`, or point all at a mirror with `--base-url`. */
export const DEFAULT_UPDATE_SOURCES: UpdateSource[] = [
  { source: 'un_sc_sanctions', format: 'un-xml', files: { 'consolidated.xml': UN_URL } },
  {
    source: 'us_ofac_sdn',
    format: 'ofac-csv',
    files: {
      'sdn.csv': `${OFAC_SLS}/SDN.CSV`,
      'add.csv': `${OFAC_SLS}/ADD.CSV`,
      'alt.csv': `${OFAC_SLS}/ALT.CSV`,
      'sdn_comments.csv': `${OFAC_SLS}/SDN_COMMENTS.CSV`,
    },
  },
  {
    source: 'opensanctions',
    format: 'ftm',
    files: { 'entities.ftm.json': 'https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json' },
    optIn: true,
  },
];

export interface UpdateOptions {
  /** Only these sources (default: every source that is not opt-in). */
  sources?: string[];
  /** Where the current files and their validators are kept (one folder per source). */
  dir: string;
  /** `source=URL` for one-file sources, or `source/file=URL`. */
  urls?: Record<string, string>;
  /** Fetch every file from `<baseUrl>/<source>/<file>` instead (mirrors, tests). */
  baseUrl?: string;
  timeoutMs?: number;
  /** Import a download with no records (by default it fails and the previous version stays current). */
  allowEmpty?: boolean;
  /** FtM sources: refuse (default) or leave out properties the schema does not define. */
  unknownProperties?: UnknownProperties;
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
}

export type UpdateStatus = 'updated' | 'not-modified' | 'unchanged' | 'failed';

export interface UpdateOutcome {
  source: string;
  status: UpdateStatus;
  version?: string;
  /** Bytes downloaded (0 when every file was not modified). */
  bytes: number;
  message: string;
  /** Warnings about the new version (a large shrink against the previous one). */
  warnings?: string[];
}

interface FileState {
  url: string;
  etag?: string;
  lastModified?: string;
  sha256: string;
}

interface SourceState {
  versionId: string;
  files: Record<string, FileState>;
}

/** The sources an update covers, with URL overrides applied. Old dataset names (`un_sc`) are accepted. */
export function resolveSources(opts: Pick<UpdateOptions, 'sources' | 'urls' | 'baseUrl'>): UpdateSource[] {
  const known = new Map(DEFAULT_UPDATE_SOURCES.map((s) => [s.source, s]));
  const asked = opts.sources?.map(datasetName);
  for (const [k, name] of (asked ?? []).entries()) {
    if (!known.has(name)) {
      throw new UserError(`unknown list source "${opts.sources![k]}": use one of ${[...known.keys()].join(', ')}`);
    }
  }
  // `--url un_sc=URL` and `--url un_sc_sanctions=URL` name the same source.
  const urls = new Map<string, string>();
  for (const [key, url] of Object.entries(opts.urls ?? {})) {
    const slash = key.indexOf('/');
    urls.set(slash < 0 ? datasetName(key) : `${datasetName(key.slice(0, slash))}${key.slice(slash)}`, url);
  }
  const picked = asked?.length
    ? DEFAULT_UPDATE_SOURCES.filter((s) => asked.includes(s.source))
    : DEFAULT_UPDATE_SOURCES.filter((s) => !s.optIn);
  return picked.map((s) => {
    const files: Record<string, string> = {};
    const names = Object.keys(s.files);
    for (const name of names) {
      let url = s.files[name]!;
      // Mirrors keep the historical folder names (`<base>/un_sc/consolidated.xml`).
      if (opts.baseUrl) url = `${opts.baseUrl.replace(/\/$/, '')}/${versionIdPrefix(s.source)}/${name}`;
      const override = urls.get(`${s.source}/${name}`) ?? (names.length === 1 ? urls.get(s.source) : undefined);
      if (override) url = override;
      files[name] = url;
    }
    for (const key of urls.keys()) {
      const [src, file] = key.split('/');
      if (src === s.source && file && !names.includes(file)) {
        throw new UserError(`--url ${key}: ${s.source} has no file "${file}" (files: ${names.join(', ')})`);
      }
    }
    return { ...s, files };
  });
}

function readState(file: string): SourceState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SourceState;
  } catch {
    return undefined;
  }
}

function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function download(
  url: string,
  target: string,
  previous: FileState | undefined,
  opts: UpdateOptions,
): Promise<{ status: 304 } | { status: 200; state: FileState; bytes: number }> {
  const headers: Record<string, string> = { 'user-agent': 'watchkeeper lists update' };
  if (previous?.url === url) {
    if (previous.etag) headers['if-none-match'] = previous.etag;
    if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
  }
  const doFetch = opts.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000), redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UserError(`${url}: download failed (${cause?.code ?? cause?.message ?? (err as Error).message})`);
  }
  if (res.status === 304) {
    await res.body?.cancel();
    return { status: 304 };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new UserError(`${url}: HTTP ${res.status} ${res.statusText}`.trim());
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  try {
    await pipeline(body, createWriteStream(target));
  } catch (err) {
    throw new UserError(`${url}: download interrupted (${(err as Error).message})`);
  }
  return {
    status: 200,
    bytes,
    state: {
      url,
      etag: res.headers.get('etag') ?? undefined,
      lastModified: res.headers.get('last-modified') ?? undefined,
      sha256: hash.digest('hex'),
    },
  };
}

async function updateOne(store: Store, src: UpdateSource, opts: UpdateOptions): Promise<UpdateOutcome> {
  // The cache keeps its historical folder names (`<dir>/un_sc/`), so validators saved before the rename still count.
  const dir = path.join(opts.dir, versionIdPrefix(src.source));
  mkdirSync(dir, { recursive: true });
  const stateFile = path.join(dir, 'state.json');
  let state = readState(stateFile);
  // Validators only count while the version they produced is still in this store.
  if (state && !(await store.getListVersion(state.versionId))) state = undefined;
  const incoming = path.join(dir, `.incoming-${process.pid}-${Date.now()}`);
  mkdirSync(incoming, { recursive: true });
  try {
    const names = Object.keys(src.files);
    const fresh: Record<string, FileState> = {};
    let bytes = 0;
    let modified = false;
    for (const name of names) {
      const cached = path.join(dir, name);
      const previous = state && existsSync(cached) ? state.files[name] : undefined;
      const r = await download(src.files[name]!, path.join(incoming, name), previous, opts);
      if (r.status === 304) {
        if (!previous) throw new UserError(`${src.files[name]}: 304 Not Modified for a file we do not have`);
        copyFileSync(cached, path.join(incoming, name));
        fresh[name] = previous;
      } else {
        fresh[name] = r.state;
        bytes += r.bytes;
        modified = true;
      }
    }
    if (!modified) {
      return {
        source: src.source,
        status: 'not-modified',
        version: state?.versionId,
        bytes,
        message: 'not modified (HTTP 304)',
      };
    }
    const target = names.length === 1 ? path.join(incoming, names[0]!) : incoming;
    const url = src.files[names[0]!]!;
    const result = await importList(store, target, {
      format: src.format,
      source: src.source,
      url,
      allowEmpty: opts.allowEmpty,
      unknownProperties: opts.unknownProperties,
    });
    for (const name of names) renameSync(path.join(incoming, name), path.join(dir, name));
    writeFileAtomic(stateFile, `${JSON.stringify({ versionId: result.version.id, files: fresh }, null, 2)}\n`);
    if (!result.created) {
      return {
        source: src.source,
        status: 'unchanged',
        version: result.version.id,
        bytes,
        message: 'downloaded, same content as a version already in the store',
      };
    }
    return {
      source: src.source,
      status: 'updated',
      version: result.version.id,
      bytes,
      message:
        `${result.version.recordCount.toLocaleString('en-US')} records, ${result.version.statementCount.toLocaleString('en-US')} statements` +
        result.warnings.map((w) => `; warning: ${w}`).join(''),
      ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
    };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const current = (await store.currentVersions()).find((v) => v.source === src.source);
    return {
      source: src.source,
      status: 'failed',
      version: current?.id,
      bytes: 0,
      message: `${err.message}${current ? `; keeping ${current.id}` : ''}`,
    };
  } finally {
    rmSync(incoming, { recursive: true, force: true });
  }
}

/** Update every selected source; one outcome per source, failures included (they never throw). */
export async function updateLists(store: Store, opts: UpdateOptions): Promise<UpdateOutcome[]> {
  const out: UpdateOutcome[] = [];
  for (const src of resolveSources(opts)) {
    opts.log?.(`${src.source}: checking ${Object.values(src.files).join(', ')}`);
    const outcome = await updateOne(store, src, opts);
    opts.log?.(`${src.source}: ${outcome.status}: ${outcome.message}`);
    out.push(outcome);
  }
  return out;
}
