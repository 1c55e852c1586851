/**
 * Raw provenance of AIS evidence: an EvidenceRef `mmsi:<mmsi>@<epochMs>` in an import resolves to the file that
 * import read (its recorded path and sha256, from the imports log) and the line each matching position came from
 * (`positions.line`, migration 0202), and the raw NMEA sentence(s) or CSV row are read back from the file when it is
 * still at its recorded path with the same sha256. A file that moved or changed is said so, never quoted.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { EvidenceRaw } from '../cases/types.js';
import type { EvidenceRef } from '../findings/finding.js';
import { openMaybeGzip, sha256File } from '../ingest/ais-nmea.js';
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

/**
 * Resolve the position evidence among `refs`: a map from `refKey(ref)` to its provenance. Refs of other kinds, of
 * imports the log does not know, or whose position the store no longer holds are left out.
 */
export async function resolveAisEvidence(store: Store, refs: EvidenceRef[]): Promise<Map<string, RawProvenance>> {
  const out = new Map<string, RawProvenance>();
  const wanted = refs.filter((r) => POSITION_RECORD.test(r.record));
  if (wanted.length === 0) return out;
  const imports = new Map<string, ImportRecord>();
  for (const imp of await store.listImports()) imports.set(imp.id, imp);
  const perFile = new Map<ImportRecord, Array<{ key: string; line: number }>>();
  for (const r of wanted) {
    const key = refKey(r);
    if (out.has(key)) continue;
    const imp = imports.get(r.source);
    if (!imp) continue;
    const [, mmsi, ts] = POSITION_RECORD.exec(r.record)!;
    const rows = await store.db.query(
      `SELECT min(p.line) AS line FROM positions p JOIN position_imports i ON i.import_key = p.import_key
       WHERE i.import_id = $1 AND p.mmsi = $2 AND p.ts = $3`,
      [r.source, Number(mmsi), Number(ts)],
    );
    const line = rows[0]?.line === null || rows[0]?.line === undefined ? 0 : Number(rows[0].line);
    const prov: RawProvenance = {
      file: basename(imp.location),
      path: imp.location,
      sha256: imp.sha256,
      line,
      lines: [],
      status: 'no-line',
      message: 'the store has no line for this position (imported before lines were recorded)',
    };
    out.set(key, prov);
    if (line > 0) {
      const list = perFile.get(imp) ?? [];
      list.push({ key, line });
      perFile.set(imp, list);
    }
  }
  for (const [imp, items] of perFile) await quoteLines(imp, items, out);
  return out;
}

/** Check the file against its recorded sha256 and read the lines back (a multi-sentence message whole). */
async function quoteLines(
  imp: ImportRecord,
  items: Array<{ key: string; line: number }>,
  out: Map<string, RawProvenance>,
): Promise<void> {
  const set = (status: RawStatus, message: string) => {
    for (const it of items) Object.assign(out.get(it.key)!, { status, message });
  };
  if (!existsSync(imp.location)) {
    set('missing', `the file is no longer at ${imp.location} (moved or deleted): the line cannot be quoted`);
    return;
  }
  const now = await sha256File(imp.location);
  if (now !== imp.sha256) {
    set('changed', `the file at ${imp.location} changed since it was imported (sha256 now ${now}): not quoted`);
    return;
  }
  // The lines to keep: each record's line and the eight before it (earlier fragments of a multi-part message).
  const keep = new Set<number>();
  for (const it of items) for (let l = Math.max(1, it.line - 8); l <= it.line; l++) keep.add(l);
  const maxLine = Math.max(...keep);
  const text = new Map<number, string>();
  const input = (await openMaybeGzip(imp.location)) as Readable;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (keep.has(n)) text.set(n, line);
    if (n >= maxLine) break;
  }
  rl.close();
  input.destroy();
  for (const it of items) {
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
    p.line = it.line - (k - 1);
    p.lines = lines;
    p.status = 'verified';
    p.message = `read back from ${imp.location} (sha256 matches the import)`;
    const tb = tagBlock(lines[0]!);
    if (tb.station) p.station = tb.station;
    if (tb.time) p.tagTime = tb.time;
  }
}
