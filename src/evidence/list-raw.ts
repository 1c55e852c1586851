/**
 * Raw provenance of list statements: a statement cites `file:line#ref` (the importers record the line each record
 * starts on: the INDIVIDUAL or ENTITY element of the UN XML, the sdn.csv row of OFAC, the JSON line of FtM, the
 * YAML document of the EU and UK files) and its list version; the imports log says where each file of the version
 * was read from, with the file's sha256 (kind `list-file`, src/lists/import.ts). The record is read back from that
 * file when it is still there with the same sha256, and quoted (the first lines, each cut to a readable length). A
 * file that moved or changed is said so, never quoted; a version imported before file locations were recorded
 * keeps its line but cannot be quoted.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EvidenceRaw } from '../cases/types.js';
import { LIST_FILE_KIND } from '../lists/import.js';
import type { ImportRecord, ListVersion, Store } from '../store/store.js';
import { scanFileLines } from './ais-raw.js';

/** At most this many lines of a record are quoted, each cut to `MAX_LINE_CHARS`. */
export const MAX_QUOTED_LINES = 16;
export const MAX_LINE_CHARS = 240;
/** A record longer than this many lines is not followed to its end (its quote is cut anyway). */
const MAX_RECORD_LINES = 400;

const SOURCE_RECORD = /^(.+):(\d+)#(.*)$/;

/** The key of a list record in the resolved map. */
export function listRecordKey(versionId: string, sourceRecord: string): string {
  return `${versionId}\u0000${sourceRecord}`;
}

/** Where a record ends, by format: the line that closes it (inclusive) or the line that starts the next (exclusive). */
function recordEnd(format: string): (line: string, first: boolean) => 'in' | 'last' | 'after' {
  if (format === 'un-xml') return (line) => (/<\/(INDIVIDUAL|ENTITY)>/.test(line) ? 'last' : 'in');
  if (format === 'eu-yaml' || format === 'uk-yaml')
    return (line, first) => (!first && /^(---|# )/.test(line) ? 'after' : 'in');
  // OFAC CSV rows and FtM JSON lines are one line each.
  return () => 'last';
}

/** The ids a record carries in the file (UN: DATAID and REFERENCE_NUMBER; others: the cited id). */
function recordIds(format: string, text: string, ref: string): string {
  if (format === 'un-xml') {
    const dataId = /<DATAID>\s*([^<]+?)\s*<\/DATAID>/.exec(text)?.[1];
    const refNo = /<REFERENCE_NUMBER>\s*([^<]+?)\s*<\/REFERENCE_NUMBER>/.exec(text)?.[1];
    return [dataId ? `DATAID ${dataId}` : '', refNo ? `REFERENCE_NUMBER ${refNo}` : ''].filter(Boolean).join(', ');
  }
  if (format === 'ofac-csv') return `ent_num ${ref}`;
  if (format === 'ftm') return `id ${ref}`;
  return `reference ${ref}`;
}

/**
 * Lines without their common indentation, the first `MAX_QUOTED_LINES`, each cut to `MAX_LINE_CHARS`; `cut` says
 * how (undefined when the record is quoted whole).
 */
function quote(lines: string[]): { lines: string[]; cut?: string } {
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)![0].length),
    Number.POSITIVE_INFINITY,
  );
  const strip = Number.isFinite(indent) ? indent : 0;
  let cutLines = false;
  const out = lines.slice(0, MAX_QUOTED_LINES).map((l) => {
    const t = l.slice(strip).trimEnd();
    if (t.length <= MAX_LINE_CHARS) return t;
    cutLines = true;
    return `${t.slice(0, MAX_LINE_CHARS - 1)}…`;
  });
  const parts = [
    lines.length > MAX_QUOTED_LINES ? `first ${MAX_QUOTED_LINES} of ${lines.length} lines` : '',
    cutLines ? `lines cut at ${MAX_LINE_CHARS} characters` : '',
  ].filter(Boolean);
  return { lines: out, cut: parts.length ? parts.join(', ') : undefined };
}

interface Wanted {
  key: string;
  line: number;
  ref: string;
}

/**
 * Resolve list records cited by statements: `records` are `{versionId, sourceRecord}` pairs; the map is keyed by
 * `listRecordKey`. Each list file is read once, in order, however many of its records are cited.
 */
export async function resolveListRecords(
  store: Store,
  records: Array<{ versionId: string; sourceRecord: string }>,
  versions: Map<string, ListVersion>,
): Promise<Map<string, EvidenceRaw>> {
  const out = new Map<string, EvidenceRaw>();
  if (records.length === 0) return out;
  const files = new Map<string, ImportRecord[]>();
  for (const imp of await store.listImports(LIST_FILE_KIND)) {
    const v = String(imp.details?.versionId ?? '');
    const list = files.get(v) ?? [];
    list.push(imp);
    files.set(v, list);
  }
  const perFile = new Map<ImportRecord, { format: string; wanted: Wanted[] }>();
  for (const r of records) {
    const key = listRecordKey(r.versionId, r.sourceRecord);
    if (out.has(key)) continue;
    const m = SOURCE_RECORD.exec(r.sourceRecord);
    const v = versions.get(r.versionId);
    if (!m || !v) continue;
    const [, name, line, ref] = m;
    // The latest location the file was imported from that still exists (else the latest, to say it moved).
    const seen = (files.get(r.versionId) ?? [])
      .filter((i) => path.basename(i.location) === name)
      .sort((a, b) => (a.importedAt < b.importedAt ? 1 : -1));
    const imp = seen.find((i) => existsSync(i.location)) ?? seen[0];
    out.set(key, {
      file: name!,
      path: imp?.location ?? '',
      sha256: imp?.sha256 ?? v.sha256,
      line: Number(line),
      lines: [],
      status: 'no-line',
      message: imp
        ? 'not read back yet'
        : `where ${name} was read from was not recorded when list version ${v.id} was imported (re-import the list to quote its records)`,
      ids: recordIds(v.format, '', ref!),
      format: v.format,
    });
    if (!imp) continue;
    const job = perFile.get(imp) ?? { format: v.format, wanted: [] };
    job.wanted.push({ key, line: Number(line), ref: ref! });
    perFile.set(imp, job);
  }
  for (const [imp, job] of perFile) await readRecords(imp, job.format, job.wanted, out);
  return out;
}

/** One pass over a list file: hash it and take each cited record's lines as they pass. */
async function readRecords(
  imp: ImportRecord,
  format: string,
  wanted: Wanted[],
  out: Map<string, EvidenceRaw>,
): Promise<void> {
  const set = (status: EvidenceRaw['status'], message: string) => {
    for (const w of wanted) Object.assign(out.get(w.key)!, { status, message });
  };
  if (!existsSync(imp.location)) {
    set('missing', `the list file is no longer at ${imp.location} (moved or deleted): the record cannot be quoted`);
    return;
  }
  const ends = recordEnd(format);
  const starts = new Map<number, Wanted[]>();
  for (const w of wanted) starts.set(w.line, [...(starts.get(w.line) ?? []), w]);
  const maxStart = Math.max(...starts.keys());
  /** Records being read: their lines so far. */
  const open: Array<{ ws: Wanted[]; lines: string[] }> = [];
  const done = new Map<number, string[]>();
  const hash = createHash('sha256');
  let lineNo = 0;
  const onLine = (buf: Buffer, start: number, end: number) => {
    lineNo++;
    const ws = starts.get(lineNo);
    if (ws) open.push({ ws, lines: [] });
    if (open.length === 0) return;
    const e = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
    const text = buf.toString('utf8', start, e);
    for (let i = open.length - 1; i >= 0; i--) {
      const r = open[i]!;
      const first = r.lines.length === 0;
      const at = ends(text, first);
      if (at !== 'after') r.lines.push(text);
      if (at !== 'in' || r.lines.length >= MAX_RECORD_LINES) {
        done.set(r.ws[0]!.line, r.lines);
        open.splice(i, 1);
      }
    }
  };
  await scanFileLines(imp.location, hash, onLine, () => lineNo <= maxStart || open.length > 0);
  for (const r of open) done.set(r.ws[0]!.line, r.lines);
  const now = hash.digest('hex');
  if (now !== imp.sha256) {
    set('changed', `the list file at ${imp.location} changed since it was imported (sha256 now ${now}): not quoted`);
    return;
  }
  for (const w of wanted) {
    const p = out.get(w.key)!;
    const lines = done.get(w.line);
    if (!lines || lines.length === 0) {
      p.status = 'changed';
      p.message = `line ${w.line} is not in ${imp.location}`;
      continue;
    }
    const q = quote(lines);
    p.lines = q.lines;
    p.ids = recordIds(format, lines.join('\n'), w.ref) || p.ids;
    p.status = 'verified';
    p.message =
      `read back from ${imp.location} (sha256 matches the import)` + (q.cut ? `; quoted in part (${q.cut})` : '');
  }
}
