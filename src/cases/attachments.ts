import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError, UserError } from '../errors.js';
import { formatCap, streamToFile, TooLargeError, UnsupportedTypeError } from '../imports/upload.js';
import { storeDataDir } from '../store/data-dir.js';
import type { Db, Row, SqlValue } from '../store/db.js';
import { readTiffInfo } from './geotiff.js';
import { appendCaseLog, type CaseActor, LOCAL_ACTOR } from './log.js';
import { describeHead, imageSize, sniff } from './sniff.js';
import type { Attachment, AttachmentKind, AttachmentMediaType, FootprintPolygon } from './types.js';

/**
 * Attachments: images (PNG, JPEG, GeoTIFF), PDF documents and web captures (HTML, MHTML) held by a case.
 *
 * - Stored once by content: `<data dir>/attachments/<first 2 hex>/<sha256>`, whatever case or name they came with.
 * - The type is sniffed from the first bytes; anything else is refused. Size is capped while streaming.
 * - Nothing half-written: bytes go to a temp file in the same directory tree (hashed and counted on the way), are
 *   fsynced and renamed into place; the database row (and the case log entry) is written only after that, in one
 *   transaction. A failed upload leaves no row and no file.
 * - GeoTIFF footprints come from the file's own ModelTiepoint/ModelPixelScale tags (src/cases/geotiff.ts).
 *
 * The data directory: WATCHKEEPER_DATA_DIR when set; else next to a DuckDB store file (its directory); else
 * (PostgreSQL) ./var, as for the default store.
 */

export type { Attachment } from './types.js';

/** Default cap: 100 MiB (a full-resolution satellite scene clip or a long PDF). Env WATCHKEEPER_ATTACHMENT_MAX_MB. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;

export function maxAttachmentBytes(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.WATCHKEEPER_ATTACHMENT_MAX_MB?.trim();
  if (!v) return DEFAULT_MAX_ATTACHMENT_BYTES;
  const mb = Number(v);
  if (!Number.isFinite(mb) || mb <= 0) {
    throw new UserError(`WATCHKEEPER_ATTACHMENT_MAX_MB: a positive number of megabytes, got "${v}"`);
  }
  return Math.floor(mb * 1024 * 1024);
}

// The size cap and type errors come from the shared upload code (also used by imports over HTTP).
export { TooLargeError, UnsupportedTypeError } from '../imports/upload.js';

// Where a store keeps its files: one home, shared with import uploads and the demo's raw NMEA.
export { storeDataDir } from '../store/data-dir.js';

/** Attachment roots seen in this process, so `readAttachment(sha256)` finds a file without being told the store. */
const knownRoots = new Set<string>();

function attachmentsRoot(where: Pick<Db, 'dialect' | 'location'> | string): string {
  const root = typeof where === 'string' ? where : path.join(storeDataDir(where), 'attachments');
  knownRoots.add(root);
  return root;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

function blobPath(root: string, sha256: string): string {
  return path.join(root, sha256.slice(0, 2), sha256);
}

/** The path of an attachment's bytes, or null when no known store holds it. */
export function attachmentPath(sha256: string, where?: Pick<Db, 'dialect' | 'location'> | string): string | null {
  if (!SHA256_RE.test(sha256)) return null;
  const roots = where !== undefined ? [attachmentsRoot(where)] : [...knownRoots, path.resolve('var', 'attachments')];
  for (const root of roots) {
    const p = blobPath(root, sha256);
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * The bytes of an attachment. `where` (the store's Db or an attachments directory) is optional once this process
 * has listed or added attachments of that store. Re-hashes what it read: a changed file is an error.
 */
export async function readAttachment(
  sha256: string,
  where?: Pick<Db, 'dialect' | 'location'> | string,
): Promise<Buffer> {
  const p = attachmentPath(sha256, where);
  if (!p) throw new NotFoundError(`no attachment file with sha256 ${sha256}`);
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(p);
  const h = createHash('sha256').update(bytes).digest('hex');
  if (h !== sha256) throw new UserError(`attachment file ${p} changed on disk: its sha256 is now ${h}`);
  return bytes;
}

/** A stream of an attachment's bytes (for HTTP responses), with its size. */
export async function openAttachment(
  sha256: string,
  where: Pick<Db, 'dialect' | 'location'> | string,
): Promise<{ stream: Readable; sizeBytes: number; path: string }> {
  const p = attachmentPath(sha256, where);
  if (!p) throw new NotFoundError(`no attachment file with sha256 ${sha256}`);
  const st = await stat(p);
  return { stream: createReadStream(p), sizeBytes: st.size, path: p };
}

export interface AttachmentInput {
  caption: string;
  source: string;
  date?: string | null;
  licence?: string | null;
  /** Name the file was attached under (a path is cut to its base name). */
  filename?: string | null;
  /** [west, south, east, north] in degrees, or "w,s,e,n". Overrides a GeoTIFF's own footprint. */
  bounds?: [number, number, number, number] | string | null;
  /** A GeoJSON Polygon (object or JSON text): a footprint that is not a box. */
  footprint?: FootprintPolygon | string | null;
}

export interface AddAttachmentOptions {
  actor?: CaseActor;
  maxBytes?: number;
  /** Attachments directory; default: from the store (storeDataDir). */
  root?: string;
  /** Content-Length announced by the client: refused at once when over the cap. */
  declaredBytes?: number;
}

function text(v: string | null | undefined, field: string, max: number, required: boolean): string {
  const t = (v ?? '').trim();
  if (required && !t) throw new UserError(`${field}: required (attach with --caption and --source)`);
  if (t.length > max) throw new UserError(`${field}: at most ${max} characters`);
  // Control characters other than tab/newline have no place in a caption and can break terminals.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(t)) throw new UserError(`${field}: control characters`);
  return t;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;

function parseDate(v: string | null | undefined): string | null {
  const t = (v ?? '').trim();
  if (!t) return null;
  if (!DATE_RE.test(t) || Number.isNaN(Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t))) {
    throw new UserError(`date: YYYY-MM-DD or an ISO-8601 UTC time such as 2024-03-15T02:10Z, got "${t}"`);
  }
  return t;
}

export function parseBounds(v: [number, number, number, number] | string): [number, number, number, number] {
  const parts = typeof v === 'string' ? v.split(',').map((s) => Number(s.trim())) : v;
  if (parts.length !== 4 || parts.some((x) => !Number.isFinite(x))) {
    throw new UserError(`bounds: four numbers west,south,east,north in degrees, got "${String(v)}"`);
  }
  const [w, s, e, n] = parts as [number, number, number, number];
  if (w < -180 || e > 180 || w >= e) throw new UserError(`bounds: need -180 <= west < east <= 180, got ${w},${e}`);
  if (s < -90 || n > 90 || s >= n) throw new UserError(`bounds: need -90 <= south < north <= 90, got ${s},${n}`);
  return [w, s, e, n];
}

function boxPolygon([w, s, e, n]: [number, number, number, number]): FootprintPolygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}

export function parseFootprint(v: FootprintPolygon | string): FootprintPolygon {
  let g: unknown = v;
  if (typeof v === 'string') {
    try {
      g = JSON.parse(v);
    } catch {
      throw new UserError('footprint: not JSON (a GeoJSON Polygon)');
    }
  }
  const poly = g as { type?: unknown; coordinates?: unknown };
  if (poly?.type !== 'Polygon' || !Array.isArray(poly.coordinates) || poly.coordinates.length === 0) {
    throw new UserError('footprint: a GeoJSON Polygon {"type":"Polygon","coordinates":[[[lon,lat],...]]}');
  }
  const rings = poly.coordinates as unknown[];
  const out: Array<Array<[number, number]>> = [];
  for (const ring of rings) {
    if (!Array.isArray(ring) || ring.length < 4 || ring.length > 10_000) {
      throw new UserError('footprint: each ring needs 4 to 10,000 positions');
    }
    const pts = ring.map((p) => {
      const [x, y] = Array.isArray(p) ? (p as unknown[]) : [];
      if (typeof x !== 'number' || typeof y !== 'number' || Math.abs(x) > 180 || Math.abs(y) > 90) {
        throw new UserError('footprint: positions are [longitude, latitude] in degrees');
      }
      return [x, y] as [number, number];
    });
    const a = pts[0]!;
    const b = pts[pts.length - 1]!;
    if (a[0] !== b[0] || a[1] !== b[1]) throw new UserError('footprint: a ring must end where it starts');
    out.push(pts);
  }
  return { type: 'Polygon', coordinates: out };
}

function bboxOf(p: FootprintPolygon): [number, number, number, number] {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const [x, y] of p.coordinates[0] ?? []) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  return [w, s, e, n];
}

/** A download name without directories, quotes or control characters. */
export function safeFilename(name: string | null | undefined, sha256: string, ext: string): string {
  const base = path.basename(String(name ?? '').replace(/\\/g, '/'));
  const clean = base
    .replace(/[\u0000-\u001f\u007f"\\/]/g, '')
    .trim()
    .slice(0, 200);
  return clean && clean !== '.' && clean !== '..' ? clean : `${sha256.slice(0, 12)}.${ext}`;
}

async function streamToTemp(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  root: string,
  maxBytes: number,
): Promise<{ tmp: string; sha256: string; sizeBytes: number }> {
  const r = await streamToFile(body, { label: 'attachment', maxBytes, dir: path.join(root, 'tmp') });
  return { tmp: r.file, sha256: r.sha256, sizeBytes: r.sizeBytes };
}

interface Inspected {
  mediaType: AttachmentMediaType;
  kind: AttachmentKind;
  ext: string;
  widthPx: number | null;
  heightPx: number | null;
  geoFootprint: FootprintPolygon | null;
  geoProblem: string | null;
}

async function inspect(file: string, sizeBytes: number): Promise<Inspected> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const s = sniff(head.subarray(0, bytesRead));
    if (!s) {
      throw new UnsupportedTypeError(
        `attachment: not a PNG, JPEG, TIFF/GeoTIFF, PDF, HTML or MHTML file (first bytes ${describeHead(head.subarray(0, bytesRead)) || 'none: empty file'})`,
      );
    }
    const out: Inspected = { ...s, widthPx: null, heightPx: null, geoFootprint: null, geoProblem: null };
    if (s.mediaType === 'image/tiff') {
      try {
        const info = await readTiffInfo(fh, sizeBytes);
        out.widthPx = info.widthPx || null;
        out.heightPx = info.heightPx || null;
        out.geoFootprint = info.footprint;
        out.geoProblem = info.georeferenced ? info.problem : null;
      } catch (err) {
        throw new UserError(`attachment: unreadable TIFF (${(err as Error).message})`);
      }
    } else {
      const dims = await imageSize(fh, s.mediaType, sizeBytes);
      out.widthPx = dims?.widthPx ?? null;
      out.heightPx = dims?.heightPx ?? null;
    }
    return out;
  } finally {
    await fh.close();
  }
}

function str(v: SqlValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

function attachmentFromRow(r: Row): Attachment {
  const footprint = r.footprint_json ? (JSON.parse(String(r.footprint_json)) as FootprintPolygon) : null;
  return {
    caseId: str(r.case_id),
    sha256: str(r.sha256),
    mediaType: str(r.media_type) as AttachmentMediaType,
    kind: str(r.kind) as AttachmentKind,
    filename: str(r.filename),
    sizeBytes: Number(r.size_bytes),
    caption: str(r.caption),
    source: str(r.source),
    date: r.taken === null || r.taken === undefined ? null : String(r.taken),
    licence: str(r.licence),
    footprint,
    bbox: footprint ? bboxOf(footprint) : null,
    footprintFrom: r.footprint_from === 'geotiff' || r.footprint_from === 'given' ? r.footprint_from : null,
    widthPx: r.width_px === null || r.width_px === undefined ? null : Number(r.width_px),
    heightPx: r.height_px === null || r.height_px === undefined ? null : Number(r.height_px),
    addedAt: str(r.added_at),
    addedBy: str(r.added_by),
  };
}

async function assertCaseExists(db: Db, caseId: string): Promise<void> {
  const rows = await db.query('SELECT id FROM cases WHERE id = $1', [caseId]);
  if (rows.length === 0)
    throw new NotFoundError(`no case with id "${caseId}" (list them with: watchkeeper cases list)`);
}

/** The case's state for a `log.start` entry (a case older than its log). */
export async function caseSnapshot(db: Db, caseId: string): Promise<unknown> {
  const c = (await db.query('SELECT id, title, summary, status FROM cases WHERE id = $1', [caseId]))[0] ?? null;
  const items = await db.query('SELECT id, kind, ref, note FROM case_items WHERE case_id = $1 ORDER BY seq, id', [
    caseId,
  ]);
  const atts = await db.query('SELECT sha256, caption FROM case_attachments WHERE case_id = $1 ORDER BY sha256', [
    caseId,
  ]);
  return { case: c, items, attachments: atts };
}

/**
 * Attach a file to a case. `body` is the file's bytes as a stream (a file read stream, an HTTP request body).
 * Attaching the same bytes to the same case again returns the existing attachment unchanged.
 */
export async function addAttachment(
  db: Db,
  caseId: string,
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  input: AttachmentInput,
  opts: AddAttachmentOptions = {},
): Promise<Attachment> {
  const caption = text(input.caption, 'caption', 2000, true);
  const source = text(input.source, 'source', 2000, true);
  const licence = text(input.licence, 'licence', 500, false);
  const date = parseDate(input.date);
  const givenFootprint = input.footprint
    ? parseFootprint(input.footprint)
    : input.bounds
      ? boxPolygon(parseBounds(input.bounds))
      : null;
  const maxBytes = opts.maxBytes ?? maxAttachmentBytes();
  if (opts.declaredBytes !== undefined && opts.declaredBytes > maxBytes) {
    throw new TooLargeError(`attachment: ${opts.declaredBytes} bytes is over the ${formatCap(maxBytes)} limit`);
  }
  await assertCaseExists(db, caseId);
  const root = opts.root ?? attachmentsRoot(db);
  const { tmp, sha256, sizeBytes } = await streamToTemp(body, root, maxBytes);
  let placed = false;
  const final = blobPath(root, sha256);
  try {
    if (sizeBytes === 0) throw new UserError('attachment: the file is empty');
    const info = await inspect(tmp, sizeBytes);
    if (givenFootprint && info.kind !== 'image') {
      throw new UserError('bounds/footprint: only images have a footprint');
    }
    const footprint = givenFootprint ?? info.geoFootprint;
    const footprintFrom = givenFootprint ? 'given' : info.geoFootprint ? 'geotiff' : null;
    const filename = safeFilename(input.filename, sha256, info.ext);
    // The file goes in place first (atomic rename); the row only once it is there.
    await mkdir(path.dirname(final), { recursive: true });
    if (existsSync(final)) {
      await rm(tmp, { force: true });
    } else {
      await rename(tmp, final);
      placed = true;
    }
    const actor = opts.actor ?? LOCAL_ACTOR;
    const addedAt = new Date().toISOString();
    const row: Attachment = {
      caseId,
      sha256,
      mediaType: info.mediaType,
      kind: info.kind,
      filename,
      sizeBytes,
      caption,
      source,
      date,
      licence,
      footprint,
      bbox: footprint ? bboxOf(footprint) : null,
      footprintFrom,
      widthPx: info.widthPx,
      heightPx: info.heightPx,
      addedAt,
      addedBy: actor.name,
    };
    const existing = await db.transaction(async (tx) => {
      const found = await tx.query('SELECT * FROM case_attachments WHERE case_id = $1 AND sha256 = $2', [
        caseId,
        sha256,
      ]);
      if (found[0]) return attachmentFromRow(found[0]);
      // The log entry first, so a `log.start` snapshot shows the case as it was before this change.
      const { caseId: _c, addedAt: _a, addedBy: _b, bbox: _x, ...logged } = row;
      await appendCaseLog(tx, caseId, actor, 'attachment.add', sha256, logged, () => caseSnapshot(tx, caseId));
      await tx.query(
        `INSERT INTO case_attachments (case_id, sha256, media_type, kind, filename, size_bytes, caption, source, taken,
           licence, footprint_json, footprint_from, width_px, height_px, added_at, added_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          caseId,
          sha256,
          row.mediaType,
          row.kind,
          filename,
          sizeBytes,
          caption,
          source,
          date,
          licence,
          footprint ? JSON.stringify(footprint) : null,
          footprintFrom,
          row.widthPx,
          row.heightPx,
          addedAt,
          actor.name,
        ],
      );
      await tx.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [addedAt, caseId]);
      return null;
    });
    placed = false;
    if (existing) return existing;
    if (info.geoProblem && !givenFootprint) {
      // Kept, without a footprint: say why so the analyst can give the bounds.
      process.emitWarning(`attachment ${sha256.slice(0, 12)}: no footprint (${info.geoProblem})`);
    }
    return row;
  } catch (err) {
    await rm(tmp, { force: true });
    // A file this call put in place that no row refers to is removed again: a failed attach leaves nothing.
    if (placed) {
      const used = await db.query('SELECT 1 AS x FROM case_attachments WHERE sha256 = $1 LIMIT 1', [sha256]);
      if (used.length === 0) await rm(final, { force: true });
    }
    throw err;
  }
}

export async function listAttachments(db: Db, caseId: string): Promise<Attachment[]> {
  attachmentsRoot(db);
  const rows = await db.query('SELECT * FROM case_attachments WHERE case_id = $1 ORDER BY added_at, sha256', [caseId]);
  return rows.map(attachmentFromRow);
}

export async function getAttachment(db: Db, caseId: string, sha256: string): Promise<Attachment> {
  attachmentsRoot(db);
  const rows = await db.query('SELECT * FROM case_attachments WHERE case_id = $1 AND sha256 = $2', [caseId, sha256]);
  if (!rows[0]) throw new NotFoundError(`case ${caseId} has no attachment ${sha256}`);
  return attachmentFromRow(rows[0]);
}

export interface AttachmentPatch {
  caption?: string;
  source?: string;
  date?: string | null;
  licence?: string;
  /** "w,s,e,n" or [w, s, e, n]; null clears a given footprint (a GeoTIFF's own is read again only on re-attach). */
  bounds?: [number, number, number, number] | string | null;
  footprint?: FootprintPolygon | string | null;
}

/** Change an attachment's caption, source, date, licence or footprint (logged with the fields before and after). */
export async function updateAttachment(
  db: Db,
  caseId: string,
  sha256: string,
  patch: AttachmentPatch,
  actor: CaseActor = LOCAL_ACTOR,
): Promise<Attachment> {
  const a = await getAttachment(db, caseId, sha256);
  const next = { ...a };
  if (patch.caption !== undefined) next.caption = text(patch.caption, 'caption', 2000, true);
  if (patch.source !== undefined) next.source = text(patch.source, 'source', 2000, true);
  if (patch.licence !== undefined) next.licence = text(patch.licence, 'licence', 500, false);
  if (patch.date !== undefined) next.date = parseDate(patch.date);
  if (patch.footprint !== undefined || patch.bounds !== undefined) {
    const fp = patch.footprint
      ? parseFootprint(patch.footprint)
      : patch.bounds
        ? boxPolygon(parseBounds(patch.bounds))
        : null;
    if (fp && a.kind !== 'image') throw new UserError('bounds/footprint: only images have a footprint');
    next.footprint = fp;
    next.bbox = fp ? bboxOf(fp) : null;
    next.footprintFrom = fp ? 'given' : null;
  }
  const fields = ['caption', 'source', 'date', 'licence', 'footprint'] as const;
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const k of fields) {
    if (JSON.stringify(a[k]) !== JSON.stringify(next[k])) {
      before[k] = a[k];
      after[k] = next[k];
    }
  }
  if (Object.keys(after).length === 0) return a;
  const t = new Date().toISOString();
  await db.transaction(async (tx) => {
    await appendCaseLog(tx, caseId, actor, 'attachment.update', sha256, { before, after }, () =>
      caseSnapshot(tx, caseId),
    );
    await tx.query(
      `UPDATE case_attachments SET caption = $1, source = $2, taken = $3, licence = $4, footprint_json = $5,
         footprint_from = $6 WHERE case_id = $7 AND sha256 = $8`,
      [
        next.caption,
        next.source,
        next.date,
        next.licence,
        next.footprint ? JSON.stringify(next.footprint) : null,
        next.footprintFrom,
        caseId,
        sha256,
      ],
    );
    await tx.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [t, caseId]);
  });
  return next;
}

/**
 * Remove an attachment from a case (logged). The bytes stay in the content-addressed directory: another case, or
 * a bundle exported earlier, may cite them, and the log entry names them.
 */
export async function removeAttachment(
  db: Db,
  caseId: string,
  sha256: string,
  actor: CaseActor = LOCAL_ACTOR,
): Promise<Attachment> {
  const a = await getAttachment(db, caseId, sha256);
  const t = new Date().toISOString();
  await db.transaction(async (tx) => {
    await appendCaseLog(
      tx,
      caseId,
      actor,
      'attachment.remove',
      sha256,
      { caption: a.caption, filename: a.filename },
      () => caseSnapshot(tx, caseId),
    );
    await tx.query('DELETE FROM case_attachments WHERE case_id = $1 AND sha256 = $2', [caseId, sha256]);
    await tx.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [t, caseId]);
  });
  return a;
}
