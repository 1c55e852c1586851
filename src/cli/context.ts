import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  db?: string;
  verbose?: boolean;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** The store location: --db, then WATCHKEEPER_DB, then ./var/watchkeeper.duckdb. */
export function dbLocation(cmd: Command): string {
  return globalOptions(cmd).db ?? loadConfig().db;
}

/** Open the store for one command and always close it, so DuckDB's file lock is released on errors too. */
export async function withStore<T>(cmd: Command, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ url: dbLocation(cmd) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export { note, type Progress, phase, progress } from './progress.js';

/** Free text wider than this is cut (with "…"); identifiers never are. */
const MAX_TEXT_WIDTH = 60;

/**
 * A cell without whitespace is an identifier (hash, address, entity or finding id, URL, number): it is printed
 * whole, however long, since a cut hash or address is worse than a wide column.
 */
function isIdentifier(cell: string): boolean {
  return !/\s/.test(cell);
}

/** Text cut to about `width` between words, so a hash or address inside it is never split. */
export function cutText(text: string, width: number): string {
  if (text.length <= width) return text;
  let cut = text.lastIndexOf(' ', width - 1);
  if (cut <= 0) cut = text.search(/\s/); // the first word alone is wider: keep it whole
  if (cut < 0) return text;
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** Print rows as an aligned text table (identifiers in full, long text cut with "…"). */
export function printTable(rows: Array<Record<string, unknown>>, columns?: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cols = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c])));
  const shown = (v: string) => (isIdentifier(v) ? v.length : Math.min(MAX_TEXT_WIDTH, v.length));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => shown(row[i]!))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => cutText(v, widths[i]!).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(formatCell).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
