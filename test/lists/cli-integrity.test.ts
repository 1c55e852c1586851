import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPath } from '../../src/paths.js';
import { runCli } from '../support/cli.js';

/**
 * Bad list and entity files through the real CLI: each is refused with exit code 1 and one line on stderr naming
 * file and line (text from the file escaped and cut short), and nothing is written to the store.
 */

const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');
const EU = dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml');
const UK = dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml');
const OFAC = dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');
const FTM = path.join(import.meta.dirname, '..', 'fixtures', 'lists', 'dprk_sample.ftm.jsonl');

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** A YAML document whose aliases expand to 9^8 nodes ("billion laughs"). */
function aliasBomb(key: string): string {
  const lines = [`${key}: BOMB-1`, 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 8; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('name_aliases: *a8');
  return `---\n${lines.join('\n')}\n`;
}

describe('bad list and entity files through the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-bad-cli-'));
  const db = path.join(dir, 'bad.duckdb');
  const file = (name: string, text: string | Buffer): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const refused = async (args: string[], message: string): Promise<void> => {
    const r = await runCli(['--db', db, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`watchkeeper: ${message}\n`);
    expect(r.stdout).toBe('');
  };

  const ftmLines = readFileSync(FTM, 'utf8').trimEnd().split('\n');

  it('entities import: deeply nested JSON, a null line, a null value', { timeout: 120_000 }, async () => {
    const deep = `{"id":"x","schema":"Person","properties":{"name":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}}`;
    await refused(
      ['entities', 'import', file('deep.ftm.json', `${ftmLines[0]}\n${deep}\n`)],
      'deep.ftm.json:2: properties.name[0] must be a string, found an array',
    );
    await refused(
      ['entities', 'import', file('null.ftm.json', `${ftmLines[0]}\n${ftmLines[1]}\nnull\n`)],
      'null.ftm.json:3: expected a JSON object with id, schema and properties, found null',
    );
    await refused(
      [
        'lists',
        'import',
        '--format',
        'ftm',
        file('null-value.ftm.json', '{"id":"x","schema":"Person","properties":{"name":[null]}}\n'),
      ],
      'null-value.ftm.json:1: properties.name[0] must be a string, found null',
    );
    // A binary property name is escaped and cut short.
    await refused(
      [
        'entities',
        'import',
        '--strict-properties',
        file(
          'binary.ftm.json',
          `{"id":"x","schema":"Person","properties":{"\\u0000\\u001b[31m${'x'.repeat(200)}":["a"]}}\n`,
        ),
      ],
      `binary.ftm.json:1: property "\\x00\\x1b[31m${'x'.repeat(54)}… (206 chars)" is not defined on schema Person`,
    );
  });

  it('lists import and entities import skip (by default, counted) and refuse (--strict-properties) the same unknown property', {
    timeout: 120_000,
  }, async () => {
    const extra = JSON.parse(ftmLines[1]!) as { properties: Record<string, string[]> };
    extra.properties.wingspan = ['34 m'];
    const text = `${ftmLines[0]}\n${JSON.stringify(extra)}\n${ftmLines[2]}\n`;
    const unknown = file('unknown.ftm.json', text);
    const schema = (JSON.parse(ftmLines[1]!) as { schema: string }).schema;
    const message = `unknown.ftm.json:2: property "wingspan" is not defined on schema ${schema}`;
    await refused(['entities', 'import', '--strict-properties', unknown], message);
    await refused(['lists', 'import', '--strict-properties', unknown], message);
    await refused(
      ['lists', 'import', '--format', 'ftm', unknown, '--source', 'opensanctions', '--strict-properties'],
      message,
    );
    const show = await runCli(['--db', db, 'lists', 'show', '--json']);
    expect(JSON.parse(show.stdout)).toEqual([]);

    const warning = `warning: unknown.ftm.json:2: property "wingspan" is not defined on schema ${schema}; left out on 1 line(s)\n`;
    // The default leaves the values out and counts them; --skip-unknown-properties (the old opt-in) does the same.
    const a = await runCli(['--db', db, 'entities', 'import', unknown, '--source', 'a']);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe(warning);
    const b = await runCli(['--db', db, 'lists', 'import', unknown, '--source', 'b', '--skip-unknown-properties']);
    expect(b.code).toBe(0);
    expect(b.stderr).toContain(warning);
    const c = await runCli(['--db', db, 'lists', 'import', unknown, '--source', 'c', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ created: true, counts: { skippedProperties: 1 } });
    await runCli(['--db', db, 'lists', 'remove', 'c@']);
    const versions = JSON.parse((await runCli(['--db', db, 'lists', 'show', '--json'])).stdout) as Array<{
      source: string;
      recordCount: number;
      statementCount: number;
    }>;
    const count = (source: string) => versions.find((v) => v.source === source);
    expect(count('a')).toMatchObject({ recordCount: 3 });
    expect(count('b')).toMatchObject({ recordCount: 3, statementCount: count('a')!.statementCount });
    const exported = await runCli(['--db', db, 'entities', 'export', '--source', 'b']);
    expect(exported.stdout).not.toContain('wingspan');
    await runCli(['--db', db, 'lists', 'remove', 'a@']);
    await runCli(['--db', db, 'lists', 'remove', 'b@']);
  });

  it('lists import: YAML alias bombs, a binary OFAC header, record-less files', { timeout: 120_000 }, async () => {
    const euText = readFileSync(EU, 'utf8');
    await refused(
      ['lists', 'import', file('eu_bomb.yaml', euText + aliasBomb('eu_reference_number'))],
      `eu_bomb.yaml:${lineCount(euText) + 2}: too many YAML alias expansions in this document (over 100: an alias bomb?); refusing to read it`,
    );
    const ukText = readFileSync(UK, 'utf8');
    await refused(
      ['lists', 'import', '--format', 'uk-yaml', file('uk_bomb.yaml', aliasBomb('unique_id') + ukText)],
      'uk_bomb.yaml:2: too many YAML alias expansions in this document (over 100: an alias bomb?); refusing to read it',
    );
    // A PNG header in front of the real sdn.csv.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x2c, 0x07, 0x0a]);
    await refused(
      ['lists', 'import', '--format', 'ofac-csv', file('sdn.csv', Buffer.concat([png, readFileSync(OFAC)]))],
      'sdn.csv:1: expected 12 columns, found 2, starting "‰PNG\\x00\\x1b[2J,\\x07" (is this an OFAC sdn.csv?)',
    );
    let n = 0;
    const unText = readFileSync(UN, 'utf8').replace(/<(INDIVIDUAL|ENTITY)>[\s\S]*?<\/\1>\s*/g, () => {
      n++;
      return '';
    });
    expect(n).toBe(1003);
    await refused(
      ['lists', 'import', file('consolidated.xml', unText)],
      'consolidated.xml: no records in this un-xml file; refusing to import an empty un_sc_sanctions list (use --allow-empty if the list really is empty)',
    );
    await refused(
      ['lists', 'import', file('empty.xml', '')],
      'empty.xml: empty file (0 bytes); refusing to import an empty list (use --allow-empty if the list really is empty)',
    );
    const show = await runCli(['--db', db, 'lists', 'show', '--json']);
    expect(JSON.parse(show.stdout)).toEqual([]);
  });
});

describe('lists update through the CLI when the source returns an empty body', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-update-cli-'));
  const db = path.join(dir, 'update.duckdb');
  let body = readFileSync(UN);
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/un_sc/consolidated.xml') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('reports failed, exits 1 and keeps the previous version', { timeout: 120_000 }, async () => {
    const args = ['--db', db, 'lists', 'update', '--source', 'un_sc', '--base-url', base, '--json'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject([
      { source: 'un_sc_sanctions', status: 'updated', version: 'un_sc@66b392a40908' },
    ]);

    body = Buffer.alloc(0);
    const empty = await runCli(args);
    expect(empty.code).toBe(1);
    expect(JSON.parse(empty.stdout)).toEqual([
      {
        source: 'un_sc_sanctions',
        status: 'failed',
        version: 'un_sc@66b392a40908',
        bytes: 0,
        message:
          'consolidated.xml: empty file (0 bytes); refusing to import an empty list (use --allow-empty if the list ' +
          'really is empty); keeping un_sc@66b392a40908',
      },
    ]);
    const show = JSON.parse((await runCli(['--db', db, 'lists', 'show', '--json'])).stdout) as Array<{ id: string }>;
    expect(show.map((v) => v.id)).toEqual(['un_sc@66b392a40908']);
  });
});
