import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('watchkeeper CLI', () => {
  it('lists every command group with a one-line description', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'serve', 'store', 'entities', 'lists', 'screen', 'ais', 'crypto']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b.*\\S`, 'm'));
    }
  });

  it('gives every command --help with examples', async () => {
    const r = await runCli(['store', 'info', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('watchkeeper store info');
  });

  it('rejects unknown flags with one line and exit 2 (a usage error)', async () => {
    const r = await runCli(['store', 'info', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a store path that cannot be opened, without a stack trace', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-cli-'));
    const notADir = path.join(dir, 'file');
    writeFileSync(notADir, 'x');
    const r = await runCli(['--db', path.join(notADir, 'store.duckdb'), 'store', 'info']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(path.join(notADir, 'store.duckdb'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli(['--verbose', '--db', path.join(notADir, 'store.duckdb'), 'store', 'info']);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('reports a PostgreSQL that does not answer in one line', async () => {
    const r = await runCli(['--db', 'postgres://wk:secret@127.0.0.1:1/none', 'store', 'info']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).not.toContain('secret');
  });

  it('imports and exports FtM JSON lines through the store', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-cli-'));
    const db = path.join(dir, 'wk.duckdb');
    const file = path.join(dir, 'in.ftm.json');
    writeFileSync(
      file,
      '{"id":"v1","schema":"Vessel","properties":{"name":["CHON MA SAN"],"imoNumber":["8660313"]}}\n' +
        '{"id":"p1","schema":"Person","properties":{"name":["최춘식"],"alias":["Choe Chun Sik"]}}\n',
    );
    const imp = await runCli(['--db', db, 'entities', 'import', file, '--source', 'demo']);
    expect(imp.stderr).toBe('');
    expect(imp.stdout).toMatch(/imported 2 entities \(4 statements\) as demo@[0-9a-f]{12}/);
    const again = await runCli(['--db', db, 'entities', 'import', file, '--source', 'demo']);
    expect(again.stdout).toContain('already imported');
    const out = path.join(dir, 'out.ftm.json');
    const exp = await runCli(['--db', db, 'entities', 'export', '--out', out]);
    expect(exp.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: 'p1', schema: 'Person', properties: { alias: ['Choe Chun Sik'], name: ['최춘식'] }, datasets: ['demo'] },
      { id: 'v1', schema: 'Vessel', properties: { imoNumber: ['8660313'], name: ['CHON MA SAN'] }, datasets: ['demo'] },
    ]);
  });
});
