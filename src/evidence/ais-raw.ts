/**
 * Raw provenance of AIS evidence: an EvidenceRef `mmsi:<mmsi>@<epochMs>` in an import resolves to the file that
 * import read (its recorded path and sha256, from the imports log) and the line each matching position came from
 * (`positions.line`, migration 0202), and the raw NMEA sentence(s) or CSV row are read back from the file when it is
 * still at its recorded path with the same sha256. A file that moved or changed is said so, never quoted.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { EvidenceRaw } from '../cases/types.js';
import type { EvidenceRef } from '../findings/finding.js';
import { isGzip } from '../maritime/ais/stream.js';
import type { ImportRecord, Store } from '../store/store.js';

/** Whether the raw line could be quoted: read from the unchanged file, or why not. */
export type RawStatus = EvidenceRaw['status'];
export type RawProvenance = EvidenceRaw;

/** The key of an evidence ref in the resolved map. */
export function refKey(ref: { source: string; record: string }): string {
  return `${ref.source}\u0000${ref.record}`;
}

const POSITION_RECORD = /^mmsi:(\d+)@(-?\d+)$/;

/** Tag block fields of an NMEA line (`\s:station,c:1709442636*hh\!AIVDM…`). */
export function tagBlock(line: string): { station?: string; time?: string } {
  const m = /^\\([^\\]*)\\/.exec(line);
  if (!m) return {};
  const out: { station?: string; time?: string } = {};
  for (const f of m[1]!.replace(/\*[0-9A-Fa-f]{2}$/, '').split(',')) {
    const [k, v] = [f.slice(0, 1), f.slice(2)];
    if (k === 's' && v) out.station = v;
    if (k === 'c' && /^\d+$/.test(v)) {
      const n = Number(v);
      const ms = n > 1e11 ? n : n * 1000;
      out.time = `${new Date(ms).toISOString().slice(0, 19)}Z`;
    }
  }
  return out;
}

/** Fragment number and count of an `!xxVDM` sentence ([1, 1] for anything else). */
function fragmentOf(line: string): [number, number] {
  const m = /!..VD[MO],(\d),(\d),/.exec(line);
  return m ? [Number(m[2]), Number(m[1])] : [1, 1];
}

const STATIC_RECORD = /^static:mmsi:(\d+)@(-?\d+)$/;

/** The record of an AIS-derived statement (`ais-<mmsi>` Vessel): `<file name>:<line>`, the line it was last seen on. */
const STATEMENT_RECORD = /^([^/\\]+):(\d+)$/;

/** The MMSI of an AIS payload (six-bit characters; bits 8 to 37). */
export function payloadMmsi(payload: string): number {
  let bits = '';
  for (let i = 0; i < 7 && i < payload.length; i++) {
    let v = payload.charCodeAt(i) - 48;
    if (v > 40) v -= 8;
    bits += v.toString(2).padStart(6, '0');
  }
  return Number.parseInt(bits.slice(8, 38), 2);
}

/** What one import's file must give back: position lines (by line number) and static reports (by tag-block time). */
interface FileJob {
  imp: ImportRecord;
  positions: Array<{ key: string; line: number }>;
  /** Tag-block time in whole seconds → the static refs of that time. */
  statics: Map<number, Array<{ key: string; mmsi: number }>>;
}

/** Rows per query when looking up the lines of many positions at once. */
const LINE_BATCH = 500;

/**
 * The stored line of each position `(mmsi, ts)` of one import, in one query per batch (a VALUES list of the wanted
 * keys joined to the positions). The keys are integers parsed from the refs, written into the SQL as numbers.
 */
async function positionLines(
  store: Store,
  importId: string,
  items: Array<{ mmsi: number; ts: number }>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < items.length; i += LINE_BATCH) {
    const batch = items.slice(i, i + LINE_BATCH);
    const values = batch.map((b) => `(${Math.trunc(b.mmsi)}, ${Math.trunc(b.ts)})`).join(', ');
    const rows = await store.db.query(
      `SELECT p.mmsi AS mmsi, p.ts AS ts, min(p.line) AS line
       FROM positions p JOIN position_imports i ON i.import_key = p.import_key
       JOIN (VALUES ${values}) AS w(mmsi, ts) ON p.mmsi = w.mmsi AND p.ts = w.ts
       WHERE i.import_id = $1 GROUP BY p.mmsi, p.ts`,
      [importId],
    );
    for (const r of rows) {
      if (r.line !== null && r.line !== undefined) out.set(`${Number(r.mmsi)}@${Number(r.ts)}`, Number(r.line));
    }
  }
  return out;
}

/**
 * Resolve the AIS evidence among `refs` (positions `mmsi:<mmsi>@<ms>` and static reports
 * `static:mmsi:<mmsi>@<ms>`): a map from `refKey(ref)` to its provenance. Refs of other kinds, of imports the log
 * does not know, or whose position the store no longer holds are left out.
 *
 * Batched: one query per import finds the lines of all its positions, and each import's file is read once, in
 * order, to check its sha256 and to take the wanted lines as they pass. Static reports (`vessel_static` keeps no
 * line) are found in that same pass as the type 5 or 24 sentence of that MMSI whose NMEA tag-block time is the
 * recorded time; a file without tag-block times cannot be matched this way and such refs keep status `no-line`.
 *
 * AIS-derived vessel statements (source `ais`, record `<file name>:<line>`) are read back in the same pass, from the
 * one AIS import of that file name (none is quoted when two imported files share the name).
 */
export async function resolveAisEvidence(store: Store, refs: EvidenceRef[]): Promise<Map<string, RawProvenance>> {
  const out = new Map<string, RawProvenance>();
  const positions = refs.filter((r) => POSITION_RECORD.test(r.record));
  const statics = refs.filter((r) => STATIC_RECORD.test(r.record));
  const statements = refs.filter((r) => r.source === 'ais' && STATEMENT_RECORD.test(r.record));
  if (positions.length === 0 && statics.length === 0 && statements.length === 0) return out;
  const imports = new Map<string, ImportRecord>();
  const aisByName = new Map<string, ImportRecord[]>();
  for (const imp of await store.listImports()) {
    imports.set(imp.id, imp);
    if (!imp.kind.startsWith('ais')) continue;
    const list = aisByName.get(basename(imp.location)) ?? [];
    list.push(imp);
    aisByName.set(basename(imp.location), list);
  }
  const jobs = new Map<string, FileJob>();
  const job = (imp: ImportRecord): FileJob => {
    let j = jobs.get(imp.id);
    if (!j) {
      j = { imp, positions: [], statics: new Map() };
      jobs.set(imp.id, j);
    }
    return j;
  };
  const base = (imp: ImportRecord, message: string): RawProvenance => ({
    file: basename(imp.location),
    path: imp.location,
    sha256: imp.sha256,
    line: 0,
    lines: [],
    status: 'no-line',
    message,
  });

  // Positions: one query per import for the lines of all its refs.
  const wanted = new Map<string, Array<{ key: string; mmsi: number; ts: number }>>();
  for (const r of positions) {
    const key = refKey(r);
    if (out.has(key)) continue;
    const imp = imports.get(r.source);
    if (!imp) continue;
    const [, mmsi, ts] = POSITION_RECORD.exec(r.record)!;
    out.set(key, base(imp, 'the store has no line for this position (imported before lines were recorded)'));
    const list = wanted.get(imp.id) ?? [];
    list.push({ key, mmsi: Number(mmsi), ts: Number(ts) });
    wanted.set(imp.id, list);
  }
  for (const [importId, items] of wanted) {
    const lines = await positionLines(store, importId, items);
    const j = job(imports.get(importId)!);
    for (const it of items) {
      const line = lines.get(`${it.mmsi}@${it.ts}`) ?? 0;
      out.get(it.key)!.line = line;
      if (line > 0) j.positions.push({ key: it.key, line });
    }
  }
  // Static reports: matched in the file by tag-block time and MMSI.
  for (const r of statics) {
    const key = refKey(r);
    if (out.has(key)) continue;
    const imp = imports.get(r.source);
    if (!imp) continue;
    const [, mmsi, ts] = STATIC_RECORD.exec(r.record)!;
    out.set(key, base(imp, 'no static report of this MMSI with this tag block time in the file'));
    const j = job(imp);
    const sec = Math.floor(Number(ts) / 1000);
    const list = j.statics.get(sec) ?? [];
    list.push({ key, mmsi: Number(mmsi) });
    j.statics.set(sec, list);
  }
  // AIS-derived statements: the line the record names, in the one import of that file name.
  for (const r of statements) {
    const key = refKey(r);
    if (out.has(key)) continue;
    const [, file, line] = STATEMENT_RECORD.exec(r.record)!;
    const found = aisByName.get(file!);
    if (found?.length !== 1) continue;
    const imp = found[0]!;
    out.set(key, { ...base(imp, 'no such line in the file'), line: Number(line) });
    job(imp).positions.push({ key, line: Number(line) });
  }
  for (const j of jobs.values()) if (j.positions.length || j.statics.size) await readBack(j, out);
  return out;
}

/** The file's bytes in order (decompressed when gzip), hashing the bytes as stored into `hash` on the way. */
export async function* fileText(file: string, hash: Hash): AsyncGenerator<Buffer> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!(await isGzip(file))) {
    for await (const chunk of raw) {
      hash.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    return;
  }
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  for await (const chunk of raw.pipe(tap).pipe(createGunzip({ chunkSize: 1 << 20 }))) yield chunk as Buffer;
}

/**
 * Reads a file once, hashing every byte into `hash`, and hands `onLine` each line (without its newline; a line cut
 * by a chunk boundary is joined first) while `wanted()` holds. Once it no longer holds, the rest is only hashed, so
 * the caller can still compare the whole file's sha256 with the one recorded at import.
 */
export async function scanFileLines(
  file: string,
  hash: Hash,
  onLine: (buf: Buffer, start: number, end: number) => void,
  wanted: () => boolean,
): Promise<void> {
  let carry: Buffer | undefined;
  for await (const chunk of fileText(file, hash)) {
    if (!wanted()) continue;
    let start = 0;
    if (carry) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk]);
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      carry = undefined;
      onLine(joined, 0, joined.length);
      start = nl + 1;
    }
    while (wanted()) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      onLine(chunk, start, nl);
      start = nl + 1;
    }
    if (wanted() && start < chunk.length) carry = chunk.subarray(start);
  }
  if (wanted() && carry?.length) onLine(carry, 0, carry.length);
}

/**
 * The tag-block time (`c:` field, as a number) of the line `text[start, end)`, or -1 when it has none. A byte loop
 * over the few bytes of the tag block: this runs once per line of the file.
 */
function tagSeconds(text: Buffer, start: number, end: number): number {
  if (text[start] !== 0x5c) return -1;
  for (let i = start + 1; i < end - 1; i++) {
    const b = text[i]!;
    if (b === 0x5c) return -1; // end of the tag block
    // "c:" at the start of a field (after the opening backslash or a comma)
    if (b === 0x63 && text[i + 1] === 0x3a && (text[i - 1] === 0x5c || text[i - 1] === 0x2c)) {
      let n = 0;
      let digits = 0;
      for (let k = i + 2; k < end; k++, digits++) {
        const d = text[k]! - 0x30;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      return digits ? n : -1;
    }
  }
  return -1;
}

const VDM_HEAD = /!..VD[MO],(\d),1,[^,]*,[^,]*,([^,]*),/;

/**
 * One pass over an import's file: hash it (checked against the recorded sha256) and take the wanted lines as they
 * pass: each position's line and the eight before it (earlier fragments of a multi-part message), and the static
 * reports whose tag-block time and MMSI are wanted, with their following fragments. Nothing is quoted from a file
 * whose sha256 differs.
 */
async function readBack(j: FileJob, out: Map<string, RawProvenance>): Promise<void> {
  const { imp } = j;
  const keys = [...j.positions.map((p) => p.key), ...[...j.statics.values()].flat().map((s) => s.key)];
  const set = (status: RawStatus, message: string) => {
    for (const k of keys) Object.assign(out.get(k)!, { status, message });
  };
  if (!existsSync(imp.location)) {
    set('missing', `the file is no longer at ${imp.location} (moved or deleted): the line cannot be quoted`);
    return;
  }
  const keep = new Set<number>();
  for (const it of j.positions) for (let l = Math.max(1, it.line - 8); l <= it.line; l++) keep.add(l);
  const maxLine = keep.size ? Math.max(...keep) : 0;
  const wantStatics = [...j.statics.values()].reduce((n, l) => n + l.length, 0);
  const text = new Map<number, string>();
  const staticHits: Array<{ key: string; line: number; total: number }> = [];
  const found = new Set<string>();
  /** Lines after a static hit still to take (its later fragments), up to this line number. */
  let takeUntil = 0;
  const hash = createHash('sha256');
  let lineNo = 0;
  let scanning = true;
  const scanLine = (buf: Buffer, start: number, end: number) => {
    lineNo++;
    const e = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
    if (keep.has(lineNo) || lineNo <= takeUntil) text.set(lineNo, buf.toString('latin1', start, e));
    if (found.size < wantStatics) {
      const sec = tagSeconds(buf, start, e);
      const items = sec < 0 ? undefined : j.statics.get(sec);
      if (items) {
        const line = buf.toString('latin1', start, e);
        const m = VDM_HEAD.exec(line);
        if (m && /^[5H]/.test(m[2]!)) {
          const mmsi = payloadMmsi(m[2]!);
          const hit = items.find((it) => it.mmsi === mmsi && !found.has(it.key));
          if (hit) {
            found.add(hit.key);
            const total = Number(m[1]);
            staticHits.push({ key: hit.key, line: lineNo, total });
            text.set(lineNo, line);
            takeUntil = Math.max(takeUntil, lineNo + total - 1);
          }
        }
      }
    }
    if (lineNo >= maxLine && lineNo >= takeUntil && found.size >= wantStatics) scanning = false;
  };
  await scanFileLines(imp.location, hash, scanLine, () => scanning);
  const now = hash.digest('hex');
  if (now !== imp.sha256) {
    set('changed', `the file at ${imp.location} changed since it was imported (sha256 now ${now}): not quoted`);
    return;
  }
  const verified = (p: RawProvenance, line: number, lines: string[]) => {
    p.line = line;
    p.lines = lines;
    p.status = 'verified';
    p.message = `read back from ${imp.location} (sha256 matches the import)`;
    const tb = tagBlock(lines[0]!);
    if (tb.station) p.station = tb.station;
    if (tb.time) p.tagTime = tb.time;
  };
  for (const it of j.positions) {
    const p = out.get(it.key)!;
    const last = text.get(it.line);
    if (last === undefined) {
      p.status = 'changed';
      p.message = `line ${it.line} is not in ${imp.location}`;
      continue;
    }
    const [k] = fragmentOf(last);
    const lines: string[] = [];
    for (let l = it.line - (k - 1); l <= it.line; l++) lines.push(text.get(l) ?? '');
    verified(p, it.line - (k - 1), lines);
  }
  for (const h of staticHits) {
    const lines: string[] = [];
    for (let l = h.line; l < h.line + h.total; l++) {
      const t = text.get(l);
      if (t !== undefined) lines.push(t);
    }
    verified(out.get(h.key)!, h.line, lines);
  }
}
