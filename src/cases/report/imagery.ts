/**
 * The imagery annex: images and documents attached to the case (src/cases/attachments.ts), each with its caption,
 * source, date, licence, footprint and sha256. PNG and JPEG images are embedded as data: URLs (read back and
 * re-hashed by `readAttachment`) so the HTML and PDF stay self-contained; other files are listed.
 */

import type { Db } from '../../store/db.js';
import { listAttachments, readAttachment } from '../attachments.js';

export interface ReportAttachment {
  sha256: string;
  mediaType: string;
  fileName: string;
  caption: string;
  source: string;
  date: string | null;
  licence: string;
  /** Footprint [west, south, east, north] when known. */
  bounds: [number, number, number, number] | null;
  widthPx: number | null;
  heightPx: number | null;
  /** The image itself for image/png and image/jpeg; undefined for other files or a file missing on disk. */
  dataUrl?: string;
  /** Why the image is not shown (file missing or changed), when it is not. */
  problem?: string;
}

export async function loadAttachments(db: Db, caseId: string): Promise<ReportAttachment[]> {
  const out: ReportAttachment[] = [];
  for (const a of await listAttachments(db, caseId)) {
    const r: ReportAttachment = {
      sha256: a.sha256,
      mediaType: a.mediaType,
      fileName: a.filename,
      caption: a.caption,
      source: a.source,
      date: a.date,
      licence: a.licence,
      bounds: a.bbox,
      widthPx: a.widthPx,
      heightPx: a.heightPx,
    };
    if (a.mediaType === 'image/png' || a.mediaType === 'image/jpeg') {
      try {
        const bytes = await readAttachment(a.sha256, db);
        r.dataUrl = `data:${a.mediaType};base64,${bytes.toString('base64')}`;
      } catch (e) {
        r.problem = (e as Error).message;
      }
    }
    out.push(r);
  }
  return out;
}
