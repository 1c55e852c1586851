import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { ofacFilesIn } from '../ingest/ofac-csv.js';

/** The list formats `lists import` reads. */
export const LIST_FORMATS = ['un-xml', 'ofac-csv', 'ftm', 'eu-yaml', 'uk-yaml'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** Default dataset (source) name per format: OpenSanctions' names (src/lists/dataset-names.ts). */
export const DEFAULT_SOURCES: Record<ListFormat, string> = {
  'un-xml': 'un_sc_sanctions',
  'ofac-csv': 'us_ofac_sdn',
  ftm: 'opensanctions',
  'eu-yaml': 'eu_fsf',
  'uk-yaml': 'gb_hmt_sanctions',
};

export function parseFormat(text: string): ListFormat {
  if ((LIST_FORMATS as readonly string[]).includes(text)) return text as ListFormat;
  throw new InputError(`unknown list format "${text}": use one of ${LIST_FORMATS.join(', ')}`);
}

function head(file: string, bytes = 4096): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/**
 * Recognise a list file by its content (not its name): UN XML by its root element, FtM JSON lines by a leading
 * `{` with "schema", OFAC CSV by `<digits>,"` rows, the EU/UK YAML renderings by their field names. A directory
 * holding sdn.csv is an OFAC set.
 */
export function detectFormat(file: string): ListFormat {
  if (!existsSync(file)) throw new InputError(`${file}: no such file or directory`);
  if (statSync(file).isDirectory()) {
    if (ofacFilesIn(file)) return 'ofac-csv';
    throw new InputError(`${file}: a directory is only importable as an OFAC CSV set (sdn.csv, add.csv, alt.csv)`);
  }
  const raw = head(file);
  // gzip: OpenSanctions publishes entities.ftm.json.gz; readFtmLines decompresses it.
  if (raw.charCodeAt(0) === 0x1f && raw.charCodeAt(1) === 0x8b) {
    if (file.endsWith('.gz')) return 'ftm';
    throw new InputError(`${path.basename(file)}: gzip data; only FtM JSON lines may be gzipped (name it *.gz)`);
  }
  const text = raw.replace(/^\uFEFF|^ï»¿/, '');
  const trimmed = text.trimStart();
  if (trimmed === '' && statSync(file).size <= raw.length) {
    throw new InputError(
      `${path.basename(file)}: empty file (no content to tell the list format from); nothing to import (to record an empty list: --format <format> --allow-empty)`,
    );
  }
  if (trimmed.startsWith('<')) {
    if (/<CONSOLIDATED_LIST[\s>]/.test(text)) return 'un-xml';
    throw new InputError(`${file}: XML, but not a UN SC consolidated list (no <CONSOLIDATED_LIST> root); use --format`);
  }
  if (trimmed.startsWith('{') && /"schema"\s*:/.test(text)) return 'ftm';
  if (/^\d+,(?:"|-0-)/.test(trimmed)) return 'ofac-csv';
  if (/^\s*eu_reference_number:|^\s*logical_id:/m.test(text)) return 'eu-yaml';
  if (/^\s*ofsi_group_id:|^\s*regime_name:|^\s*unique_id:/m.test(text)) return 'uk-yaml';
  throw new InputError(`${path.basename(file)}: cannot tell the list format from its content; use --format`);
}
