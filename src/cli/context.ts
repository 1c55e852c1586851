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

/** Progress on stderr for long jobs, throttled, overwriting one line on a TTY. */
export function progress(label: string): { tick(done: number, total?: number): void; done(summary: string): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  const started = Date.now();
  return {
    tick(done: number, total?: number) {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
      const pct = total ? ` ${((100 * done) / total).toFixed(1)}%` : '';
      const line = `${label}: ${done.toLocaleString('en-US')}${total ? `/${total.toLocaleString('en-US')}` : ''}${pct} (${rate.toLocaleString('en-US')}/s)`;
      if (tty) process.stderr.write(`\r${line}\u001b[K`);
      else process.stderr.write(`${line}\n`);
    },
    done(summary: string) {
      if (tty) process.stderr.write('\r\u001b[K');
      process.stderr.write(`${label}: ${summary} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

/** Print rows as JSON lines or an aligned text table. */
export function printTable(rows: Array<Record<string, unknown>>, columns?: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cols = columns ?? Object.keys(rows[0]!);
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c])));
  const widths = cols.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]!.length))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!))
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
