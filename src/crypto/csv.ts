import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Split one CSV line (RFC 4180 quoting; no embedded newlines, which none of our sources use). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  values: Record<string, string>;
  raw: string;
}

/** Stream a CSV file with a header line as records keyed by column name. */
export async function* readCsv(file: string): AsyncGenerator<CsvRow> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let header: string[] | null = null;
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    const cells = splitCsvLine(text);
    if (!header) {
      header = cells.map((h) => h.trim().replace(/^\uFEFF/, ''));
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      values[h] = (cells[i] ?? '').trim();
    });
    yield { line, values, raw: text };
  }
}
