import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath } from '../../src/paths.js';
import { runCli } from '../support/cli.js';

const NOTES = path.join('test', 'fixtures', 'resolve', 'user-notes.ftm.jsonl');

/**
 * `entities import --as-user NAME`: FtM JSON lines added to the user dataset with the analyst as source, beside the
 * real UN list: the graph and the ownership network read the user's Ownership of a front company by KOMID.
 */
describe('watchkeeper entities import --as-user', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-user-cli-'));
  const db = path.join(dir, 'cli.duckdb');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the file to the user dataset with the user as source, replaces on re-import, audits', async () => {
    const un = await runCli([
      '--db',
      db,
      'lists',
      'import',
      dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'),
    ]);
    expect(un.code, un.stderr).toBe(0);
    const both = await runCli(['--db', db, 'entities', 'import', NOTES, '--as-user', 'alice', '--source', 'x']);
    expect(both.code).toBe(2);

    const r = await runCli(['--db', db, 'entities', 'import', NOTES, '--as-user', 'alice']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'added 2 user entities, replaced 0, annotated 0 existing ones (8 statements, source user:alice)\n',
    );
    const show = await runCli(['--db', db, 'entities', 'show', 'acme-front-1']);
    expect(show.code, show.stderr).toBe(0);
    const e = JSON.parse(show.stdout);
    expect(e.datasets).toEqual(['user']);
    expect(e.statements).toHaveLength(4);
    for (const s of e.statements) {
      expect(s.source).toBe('user');
      expect(s.record).toMatch(/^user:alice@\d{4}-\d\d-\d\dT/);
    }
    // The list entry stays a list entry; the user's link reaches it (one edge, read by the ownership network).
    const owners = await runCli(['--db', db, 'ownership', 'control', 'acme-front-1', '--json']);
    expect(owners.code, owners.stderr).toBe(0);
    expect(JSON.parse(owners.stdout)).toMatchObject({ blocked: true, share: 75 });

    const again = await runCli(['--db', db, 'entities', 'import', NOTES, '--as-user', 'bob']);
    expect(again.stdout).toBe(
      'added 0 user entities, replaced 2, annotated 0 existing ones (8 statements, source user:bob)\n',
    );
    const shown = JSON.parse((await runCli(['--db', db, 'entities', 'show', 'acme-front-1'])).stdout);
    expect(shown.statements.every((s: { record: string }) => s.record.startsWith('user:bob@'))).toBe(true);

    // One version of the user dataset: each change replaces it.
    const versions = await runCli(['--db', db, 'lists', 'show', '--source', 'user', '--json']);
    expect(versions.code, versions.stderr).toBe(0);
    expect(JSON.parse(versions.stdout)).toEqual([
      expect.objectContaining({ source: 'user', format: 'user', recordCount: 2, statementCount: 8, current: true }),
    ]);

    const audit = await runCli(['--db', db, 'audit', '--json']);
    const rows = JSON.parse(audit.stdout) as Array<{ route: string; via: string; after: { asUser: string } }>;
    expect(rows.filter((a) => a.route === 'entities import --as-user').map((a) => a.after.asUser)).toEqual([
      'bob',
      'alice',
    ]);
  }, 180_000);
});
