import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * Binary CSV headers and a `null` JSON line through the CLI: the message names file and line, shows the header as
 * escaped text (never raw control bytes), and nothing is imported.
 */

// PNG signature bytes, a NUL and an ANSI "clear screen" sequence in the header row.
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x1b, 0x5b, 0x32, 0x4a]);

describe('binary headers and null lines through the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-bad-headers-'));
  const db = path.join(dir, 'h.duckdb');
  const file = (name: string, ...parts: Array<string | Buffer>): string => {
    const p = path.join(dir, name);
    writeFileSync(p, Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x) : x))));
    return p;
  };
  const noControlBytes = (text: string) => expect(/[\u0000-\u0009\u000b-\u001f\ufffd]/.test(text)).toBe(false);

  it('crypto import: a null JSONL line is a bad record, not a crash', { timeout: 60_000 }, async () => {
    const good =
      '{"chain":"eth","tx_hash":"0x5e8f3b9a8ec1b0c5a1e6bb0aa7d4d1f2f3e4d5c6b7a8990011223344556677889","block_time":"2022-03-23T00:00:00Z",' +
      '"from":"0x098b716b8aaf21512996dc57eb0615e2383e2f96","to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","amount":"1000"}';
    const r = await runCli(['--db', db, 'crypto', 'import', file('t.jsonl', `${good}\nnull\n`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('Cannot read properties');
    expect(r.stderr).toContain('t.jsonl:2: not a JSON object');
  });

  it('crypto import and ais import: a binary CSV header is shown escaped', { timeout: 60_000 }, async () => {
    const t = await runCli(['--db', db, 'crypto', 'import', file('t.csv', BINARY, ',from\n1,2\n')]);
    expect(t.code).toBe(1);
    expect(t.stderr).toBe(
      'watchkeeper: t.csv:1: header must name at least from, to and amount or value (got \\ufffdPNG\\x00\\x1b[2J,from)\n',
    );
    const s = await runCli(['--db', db, 'screen', 'batch', file('s.csv', BINARY, ',full_name\nKim,1\n')]);
    expect(s.code).toBe(1);
    expect(s.stderr).toBe(
      `watchkeeper: ${path.join(dir, 's.csv')}:1: no "name" column (columns: \\ufffdpng\\x00\\x1b[2j, full_name)\n`,
    );
    const a = await runCli(['--db', db, 'ais', 'import', file('a.csv', BINARY, ',', 'x'.repeat(500), '\n1,2\n')]);
    expect(a.code).toBe(1);
    noControlBytes(a.stderr);
    expect(a.stderr).toContain(
      `a.csv:1: no column for mmsi, time, lat, lon (header: \\ufffdPNG\\x00\\x1b[2J,${'x'.repeat(70)}… (510 chars)); map them`,
    );
  });
});
