import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataPath } from '../../src/paths.js';
import { runCli } from '../support/cli.js';

const UK = dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml');

describe('watchkeeper lists (CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-lists-cli-'));
  const db = path.join(dir, 'cli.duckdb');

  it('imports, shows and diffs versions', { timeout: 180_000 }, async () => {
    const first = await runCli(['--db', db, 'lists', 'import', UK]);
    expect(first.stderr).not.toContain('warning');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('imported gb_ofsi@b460586feeb5 (uk-yaml, 261 records');

    // A later edition of the list: one designation removed, one renamed.
    const text = readFileSync(UK, 'utf8');
    const docs = text.split(/(?=^# source: )/m);
    const edited = docs
      .filter((d) => !d.includes('unique_id: DPR0002\n'))
      .join('')
      .replace(
        '  - name1: Jong\n    name2: Hyuk\n    name6: An\n',
        '  - name1: Jong\n    name2: Hyeok\n    name6: An\n',
      );
    const next = path.join(dir, 'uk_next.yaml');
    writeFileSync(next, edited);
    const second = await runCli(['--db', db, 'lists', 'import', next, '--json']);
    expect(second.code).toBe(0);
    const imported = JSON.parse(second.stdout) as { created: boolean; version: { id: string; recordCount: number } };
    expect(imported.created).toBe(true);
    expect(imported.version.recordCount).toBe(260);

    const show = await runCli(['--db', db, 'lists', 'show', '--json']);
    const versions = JSON.parse(show.stdout) as Array<{ id: string; current: boolean }>;
    expect(versions.map((v) => [v.id, v.current])).toEqual([
      ['gb_ofsi@b460586feeb5', false],
      [imported.version.id, true],
    ]);

    const diff = await runCli(['--db', db, 'lists', 'diff', 'gb_ofsi@b460', 'gb_ofsi', '--json']);
    expect(diff.code).toBe(0);
    const d = JSON.parse(diff.stdout) as {
      added: unknown[];
      removed: Array<{ id: string }>;
      changed: Array<{ id: string; changes: Array<{ prop: string; added: string[]; removed: string[] }> }>;
      unchanged: number;
    };
    expect(d.added).toEqual([]);
    expect(d.removed.map((r) => r.id)).toEqual(['gb-ofsi-dpr0002']);
    expect(d.changed.map((c) => c.id)).toEqual(['gb-ofsi-dpr0001']);
    expect(d.changed[0]!.changes).toContainEqual({ prop: 'name', added: ['Jong Hyeok An'], removed: ['Jong Hyuk An'] });
    expect(d.unchanged).toBe(259);

    const text2 = await runCli(['--db', db, 'lists', 'diff', 'gb_ofsi@b460', 'gb_ofsi']);
    expect(text2.stdout).toContain('0 added, 1 removed, 1 changed, 259 unchanged');
  });

  it('dry-runs an import without a store', async () => {
    const r = await runCli([
      '--db',
      path.join(dir, 'never', 'created.duckdb'),
      'lists',
      'import',
      UK,
      '--dry-run',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'uk-yaml', records: 261, entities: 522 });
  });

  it('rejects a malformed file with file:line and exit code 1', async () => {
    const bad = path.join(dir, 'sdn.csv');
    writeFileSync(bad, '1,"A","individual","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,"B"\r\n');
    const r = await runCli(['--db', db, 'lists', 'import', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('watchkeeper: sdn.csv:2: expected 12 columns, found 2');
    const unknown = await runCli(['--db', db, 'lists', 'import', bad, '--format', 'pdf']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown list format "pdf"');
  });
});
