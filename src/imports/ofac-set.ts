import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { OFAC_CSV_FILES } from '../ingest/ofac-csv.js';
import { combinedSha256 } from '../lists/import.js';
import type { ReceivedPart } from './form.js';
import { UnsupportedTypeError } from './upload.js';

/**
 * OFAC's legacy CSV set sent as several files (sdn.csv with add.csv, alt.csv and sdn_comments.csv): which OFAC file
 * each part is, a per-part type check (the column count of its first row), and the set's sha256 as
 * `lists import DIR` computes it, so a set sent over HTTP is the same list version as the same files imported from
 * a directory. The files are written under their OFAC names into one directory, which the CLI's importer
 * (`importList`, src/lists/import.ts) reads as it reads a directory given to `watchkeeper lists import`.
 */

export interface OfacPart {
  role: 'sdn' | 'add' | 'alt' | 'comments';
  /** The name the importer looks for, and the columns of each row (src/ingest/ofac-csv.ts `OFAC_CSV_FILES`). */
  file: string;
  columns: number;
}

/** In the order the importer reads and hashes them. */
export const OFAC_PARTS: readonly OfacPart[] = (['sdn', 'add', 'alt', 'comments'] as const).map((role) => ({
  role,
  ...OFAC_CSV_FILES[role],
}));

const BY_NAME = new Map<string, OfacPart>();
for (const p of OFAC_PARTS) {
  BY_NAME.set(p.role, p);
  BY_NAME.set(p.file, p);
  BY_NAME.set(p.file.replace(/\.csv$/, ''), p);
}

/**
 * Which OFAC file a part is: by its field name (`-F alt=@...`: sdn, add, alt, comments or sdn_comments), else by its
 * file name (sdn.csv, add.csv, alt.csv, sdn_comments.csv, any case, .gz allowed). Null when neither says.
 */
export function ofacRole(field: string, given: string): OfacPart | null {
  return BY_NAME.get(field.trim().toLowerCase()) ?? BY_NAME.get(given.toLowerCase().replace(/\.gz$/, '')) ?? null;
}

/** Fields of one CSV line (double quotes, "" inside), counted; no multi-line values (OFAC has none). */
function csvFieldCount(line: string): number {
  let n = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) n++;
  }
  return n;
}

/** 415 unless the part reads as the OFAC file it was sent as: text rows starting with an ent_num, of its width. */
export async function checkOfacPart(part: OfacPart, file: string, given: string, label: string): Promise<void> {
  const fh = await open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(16 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const text = head.toString('latin1').replace(/^ï»¿/, '');
  const shown = `first bytes "${text.slice(0, 40).replace(/[^\x20-\x7e]/g, '.')}"`;
  const not = `${label}: part "${given}" is not OFAC's ${part.file}`;
  if (head.includes(0)) throw new UnsupportedTypeError(`${not}: a binary file (${shown})`);
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length - 1 && (lines[i]!.trim() === '' || /^\s*ent_num\s*,/i.test(lines[i]!))) i++;
  const first = lines[i]!;
  if (!/^\s*\d+\s*,/.test(first)) {
    throw new UnsupportedTypeError(`${not}: its rows do not start with an ent_num and a comma (${shown})`);
  }
  // Only a row read to its end can be counted (a long remark may go past what was read).
  if (i < lines.length - 1) {
    const n = csvFieldCount(first.replace(/\r$/, ''));
    if (n !== part.columns) {
      const like = OFAC_PARTS.find((p) => p.columns === n);
      throw new UnsupportedTypeError(
        `${not}: its first row has ${n} columns, ${part.file} has ${part.columns}` +
          (like ? ` (${like.file} has ${n}: was it sent under the wrong name?)` : ''),
      );
    }
  }
}

/**
 * Each part's OFAC file, in the importer's order. 400 when a part is none of them, two parts are the same file, or
 * there is no sdn.csv.
 */
export function ofacSet(parts: ReceivedPart[], label: string): Array<{ part: ReceivedPart; ofac: OfacPart }> {
  const seen = new Map<string, ReceivedPart>();
  const out: Array<{ part: ReceivedPart; ofac: OfacPart }> = [];
  for (const p of parts) {
    const ofac = ofacRole(p.field, p.given);
    if (!ofac) {
      throw new UserError(
        `${label}: part "${p.given}" (field "${p.field}") is not one of OFAC's files; several files are imported ` +
          'as an OFAC CSV set: name each part sdn, add, alt or comments (curl -F sdn=@sdn.csv -F alt=@alt.csv), ' +
          'or send the files under their OFAC names (sdn.csv, add.csv, alt.csv, sdn_comments.csv)',
      );
    }
    const dup = seen.get(ofac.role);
    if (dup) throw new UserError(`${label}: parts "${dup.given}" and "${p.given}" are both OFAC's ${ofac.file}`);
    seen.set(ofac.role, p);
    out.push({ part: p, ofac });
  }
  if (!seen.has('sdn')) {
    throw new UserError(
      `${label}: the OFAC set has no sdn.csv part (got ${parts.map((p) => `"${p.given}"`).join(', ')}); ` +
        'add it with -F sdn=@sdn.csv',
    );
  }
  return out.sort((a, b) => OFAC_PARTS.indexOf(a.ofac) - OFAC_PARTS.indexOf(b.ofac));
}

/** The set's sha256 as `lists import` gives the same files in a directory (`combinedSha256`, importer's order). */
export function ofacSetSha256(set: Array<{ part: ReceivedPart; ofac: OfacPart }>): string {
  return combinedSha256(set.map((s) => ({ file: s.ofac.file, sha256: s.part.sha256 })));
}
