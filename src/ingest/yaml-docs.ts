import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../errors.js';
import { printable } from '../util/printable.js';

/**
 * Multi-document YAML list files (the EU and UK renderings): every document as plain JSON with the line it
 * starts on. The files are a few hundred kB, so they are parsed whole; a YAML error names file and line.
 */
const MAX_ALIASES = 100;

/** The first line of an error message, with any file text in it escaped and cut short. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0]!.trim();
  return /call stack/i.test(first) ? 'nested too deeply' : printable(first, 160);
}

export interface YamlDoc {
  value: Record<string, unknown>;
  line: number;
}

export async function readYamlDocs(file: string): Promise<YamlDoc[]> {
  const base = path.basename(file);
  const text = await readFile(file, 'utf8');
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) newlines.push(i);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const out: YamlDoc[] = [];
  const docs = (() => {
    try {
      return parseAllDocuments(text);
    } catch (err) {
      throw new InputError(`${base}:1: malformed YAML: ${oneLine(err)}`);
    }
  })();
  for (const doc of docs) {
    if (!('errors' in doc)) throw new InputError(`${base}: not a YAML document stream`);
    const err = doc.errors[0];
    if (err)
      throw new InputError(`${base}:${err.linePos?.[0]?.line ?? lineOf(err.pos[0])}: malformed YAML: ${oneLine(err)}`);
    let value: unknown;
    try {
      // Aliases are expanded here; the yaml package stops at 100 of them per document (billion laughs).
      value = doc.toJS({ json: true, mapAsMap: false, maxAliasCount: MAX_ALIASES });
    } catch (e) {
      const at = `${base}:${lineOf(doc.contents?.range?.[0] ?? doc.range[0])}`;
      if (/alias count/i.test((e as Error).message)) {
        throw new InputError(
          `${at}: too many YAML alias expansions in this document (over ${MAX_ALIASES}: an alias bomb?); refusing to read it`,
        );
      }
      throw new InputError(`${at}: malformed YAML: ${oneLine(e)}`);
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(`${base}:${lineOf(doc.range[0])}: expected a mapping per document`);
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    out.push({ value: value as Record<string, unknown>, line: lineOf(start) });
  }
  return out;
}

/** A scalar as trimmed text; null, empty text and mappings or lists (where a scalar belongs) give undefined. */
export const str = (v: unknown): string | undefined => {
  if (v === null || v === undefined || typeof v === 'object') return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
};

export const arr = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Array<Record<string, unknown>>) : [];
