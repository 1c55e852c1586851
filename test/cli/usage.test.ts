import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printTable } from '../../src/cli/context.js';
import { buildProgram, main } from '../../src/cli/main.js';
import {
  formatDuration,
  progress,
  progressEnabled,
  progressLine,
  setProgress,
  stopProgress,
} from '../../src/cli/progress.js';
import { cliEntry, runCli } from '../support/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function capture(fn: () => void, stream: NodeJS.WriteStream = process.stdout): string {
  let out = '';
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof stream.write;
  try {
    fn();
  } finally {
    stream.write = write;
  }
  return out;
}

describe('--help', () => {
  it('has an Examples section on every command of the tree', async () => {
    const program = await buildProgram();
    const all: Array<{ name: string; cmd: Command }> = [];
    const walk = (c: Command, prefix: string) => {
      for (const sub of c.commands) {
        const name = `${prefix} ${sub.name()}`.trim();
        all.push({ name, cmd: sub });
        walk(sub, name);
      }
    };
    walk(program, '');
    expect(all.length).toBeGreaterThanOrEqual(49);
    const without: string[] = [];
    for (const { name, cmd } of all) {
      let help = '';
      cmd.configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) });
      cmd.outputHelp();
      // An Examples heading followed by at least one `watchkeeper ...` line.
      if (!/\nExamples:\n\s+(\S+=\S+ )?(zcat .*\| )?watchkeeper /.test(help)) without.push(name);
    }
    expect(without).toEqual([]);
  });
});

describe('usage errors', () => {
  it('exit 2 for an unknown option, a bad option value, a missing argument or subcommand, an unknown command or extra arguments', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-usage-'));
    const db = path.join(dir, 'u.duckdb');
    for (const args of [
      ['store', 'info', '--bogus'],
      ['cases', 'show'],
      ['lists', 'frobnicate'],
      ['screen', 'batch'],
      ['cases', 'create', 'a', 'b'],
      ['cases'],
      ['findings', '--limit', 'abc'],
      ['findings', '--kind', 'nonsense'],
    ]) {
      const r = await runCli(['--db', db, ...args]);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // A command line that is right but names something missing is a failure (1), not a usage error.
    const missing = await runCli(['--db', db, 'cases', 'show', 'case-nope']);
    expect(missing.code).toBe(1);
  });
});

describe('a closed stdout (| head)', () => {
  it('stops quietly: no EPIPE stack trace, exit 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-epipe-'));
    const csv = path.join(dir, 'names.csv');
    const names = ['Kim Jong Un', 'Choe Chun Sik', 'Ri Myong Hun', 'Korea Achim Shipping', 'Chon Ma San'];
    writeFileSync(csv, `name\n${Array.from({ length: 30_000 }, (_, i) => `${names[i % 5]} ${i}`).join('\n')}\n`);
    const child = spawn(
      process.execPath,
      [...cliEntry(), '--db', path.join(dir, 'e.duckdb')].concat(['screen', 'batch', csv]),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Read the first chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
  }, 120_000);
});

describe('tables', () => {
  it('never cut a hash or an address; long text is cut between words', () => {
    const hash = 'f1c7e0b7c4d3a2b1908f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a2e';
    const address = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';
    const text = `From ${address} through the Ronin bridge exploit, then on to Tornado Cash`;
    const out = capture(() =>
      printTable([
        { ref: 'E-1', contentHash: hash, explanation: text },
        { ref: 'E-2', contentHash: `sha256:${hash}`, explanation: 'short' },
      ]),
    );
    const lines = out.split('\n');
    expect(lines[2]).toContain(hash);
    expect(lines[3]).toContain(`sha256:${hash}`);
    // The text column is cut at about 60 characters, between words: the address is whole or not there at all.
    expect(lines[2]).toContain('…');
    expect(lines[2]).toContain(address);
    expect(lines[2]).not.toContain('Tornado');
    for (const l of lines.filter(Boolean)) {
      const partial = /0x[0-9a-fA-F]+/.exec(l)?.[0];
      if (partial) expect(partial).toBe(address);
    }
  });
});

describe('progress', () => {
  afterEach(() => {
    vi.useRealTimers();
    setProgress({ forced: false });
  });

  it('formats percentage, rate and time left when the size is known', () => {
    expect(progressLine('import', 25_000, 100_000, 5_000)).toBe('import: 25,000/100,000 25.0% ETA 15 s (5,000/s, 5 s)');
    expect(progressLine('detect', undefined, undefined, 3_250)).toBe('detect: 3.3 s');
    expect(progressLine('simulate', 40_000, undefined, 2_000)).toBe('simulate: 40,000 (20,000/s, 2 s)');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });

  it('is switched on by the global --progress option before the command runs', async () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'wk-progress-')), 'p.duckdb');
    const tty = process.stderr.isTTY;
    (process.stderr as { isTTY?: boolean }).isTTY = false;
    try {
      const seen: boolean[] = [];
      for (const args of [
        ['--progress', '--db', db, 'store', 'info'],
        ['--db', db, 'store', 'info'],
      ]) {
        let out = '';
        const write = process.stdout.write.bind(process.stdout);
        process.stdout.write = ((chunk: string | Uint8Array) => {
          out += String(chunk);
          return true;
        }) as typeof process.stdout.write;
        try {
          expect(await main(['node', 'watchkeeper', ...args])).toBe(0);
        } finally {
          process.stdout.write = write;
        }
        expect(out).toContain(db);
        seen.push(progressEnabled());
      }
      expect(seen).toEqual([true, false]);
    } finally {
      (process.stderr as { isTTY?: boolean }).isTTY = tty;
      process.exitCode = undefined;
    }
  }, 90_000);

  it('writes nothing but the summary when stderr is not a terminal, progress lines with --progress', () => {
    vi.useFakeTimers();
    const tty = process.stderr.isTTY;
    (process.stderr as { isTTY?: boolean }).isTTY = false;
    try {
      const run = () =>
        capture(() => {
          const p = progress('screen batch');
          for (let i = 1; i <= 4; i++) {
            vi.advanceTimersByTime(2_000);
            p.tick(i * 1000, 4000);
          }
          vi.advanceTimersByTime(6_000);
          p.done('4,000 rows');
        }, process.stderr);
      expect(run()).toBe('screen batch: 4,000 rows in 14.0 s\n');
      setProgress({ forced: true });
      const forced = run().split('\n').filter(Boolean);
      // After a quiet first second: the time elapsed, then counts with the percentage and time left.
      expect(forced[0]).toBe('screen batch: 1.0 s');
      expect(forced.slice(1, -1)).toEqual([
        'screen batch: 2,000/4,000 50.0% ETA 6 s (333/s, 6 s)', // drawn by the timer at 6 s, one line per 5 s
        'screen batch: 4,000/4,000 100.0% (364/s, 11 s)',
      ]);
      expect(forced.at(-1)).toBe('screen batch: 4,000 rows in 14.0 s');
    } finally {
      (process.stderr as { isTTY?: boolean }).isTTY = tty;
    }
  });
});

describe('one progress line at a time', () => {
  afterEach(() => {
    vi.useRealTimers();
    setProgress({ forced: false });
  });

  it('a new phase ends the one before, and stopProgress (end of a command, an error) ends the last', () => {
    vi.useFakeTimers();
    const tty = process.stderr.isTTY;
    (process.stderr as { isTTY?: boolean }).isTTY = false;
    setProgress({ forced: true });
    try {
      const out = capture(() => {
        const first = progress('file-1.nmea');
        first.tick(5_000);
        vi.advanceTimersByTime(1_250); // drawn at 1 s
        const second = progress('file-2.nmea'); // the first was never ended by its caller
        second.tick(1_000);
        vi.advanceTimersByTime(6_000); // drawn at 1 s and 6 s (one line per 5 s in a log); file-1 not any more
        stopProgress();
        vi.advanceTimersByTime(20_000); // nothing after the command ended
      }, process.stderr);
      expect(out.split('\n').filter(Boolean)).toEqual([
        'file-1.nmea: 5,000 (5,000/s, 1 s)',
        'file-2.nmea: 1,000 (1,000/s, 1 s)',
        'file-2.nmea: 1,000 (167/s, 6 s)',
      ]);
    } finally {
      (process.stderr as { isTTY?: boolean }).isTTY = tty;
    }
  });
});

describe('screen batch', () => {
  it('checks its input before opening the store and building the index', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-batch-'));
    // A store that cannot be opened: if the input were read after it, this is the error we would see.
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, 'x');
    const db = path.join(notADir, 'store.duckdb');
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'name,schema\nKim Jong Un,Person\nCHON MA SAN,Starship\n');
    const r = await runCli(['--db', db, 'screen', 'batch', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`watchkeeper: ${bad}:3: unknown schema "Starship"\n`);
    const noName = path.join(dir, 'noname.csv');
    writeFileSync(noName, 'full_name\nKim Jong Un\n');
    const r2 = await runCli(['--db', db, 'screen', 'batch', noName]);
    expect(r2.stderr).toBe(`watchkeeper: ${noName}:1: no "name" column (columns: full_name)\n`);
    const r3 = await runCli(['--db', db, 'screen', 'batch', path.join(dir, 'missing.csv')]);
    expect(r3.stderr).toBe(`watchkeeper: ${path.join(dir, 'missing.csv')}: cannot read the file\n`);
  });
});
