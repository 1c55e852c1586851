import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * `entities export`: canonical entities with `referents` (FtM JSON lines) and nomenklatura's statements CSV layout.
 * Two sources name the same vessel by IMO 8660313 (a valid check digit), which the resolver merges.
 */
describe('entities export (canonical entities, statements CSV)', () => {
  it('exports one canonical vessel with referents, and its statements in the nomenklatura layout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-export-'));
    const db = path.join(dir, 'x.duckdb');
    const a = path.join(dir, 'a.ftm.json');
    const b = path.join(dir, 'b.ftm.json');
    writeFileSync(a, '{"id":"a-v1","schema":"Vessel","properties":{"name":["CHON MA SAN"],"imoNumber":["8660313"]}}\n');
    writeFileSync(
      b,
      '{"id":"b-v9","schema":"Vessel","properties":{"name":["Chonmasan"],"imoNumber":["IMO 8660313"],"flag":["kp"]}}\n' +
        '{"id":"b-p1","schema":"Person","properties":{"name":["Ri, \\"Tae\\" Chol"]}}\n',
    );
    expect((await runCli(['--db', db, 'entities', 'import', a, '--source', 'src_a'])).code).toBe(0);
    expect((await runCli(['--db', db, 'entities', 'import', b, '--source', 'src_b'])).code).toBe(0);

    const ftm = await runCli(['--db', db, 'entities', 'export']);
    expect(ftm.code, ftm.stderr).toBe(0);
    const lines = ftm.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; referents?: string[]; properties: Record<string, string[]> });
    expect(lines.map((l) => l.id)).toEqual(['b-p1', expect.stringMatching(/^wk-[0-9a-f]{16}$/)]);
    const vessel = lines[1]!;
    expect(vessel.referents).toEqual(['a-v1', 'b-v9']);
    expect(vessel.properties.name!.sort()).toEqual(['CHON MA SAN', 'Chonmasan']);
    expect(lines[0]!.referents).toBeUndefined();

    const out = path.join(dir, 'statements.csv');
    const csv = await runCli(['--db', db, 'entities', 'export', '--format', 'statements', '--out', out]);
    expect(csv.code, csv.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const [header, ...rows] = text.trim().split('\n');
    expect(header).toBe(
      'id,entity_id,canonical_id,prop,prop_type,schema,value,dataset,lang,original_value,first_seen,last_seen',
    );
    const imo = rows.filter((r) => r.includes(',imoNumber,'));
    expect(imo).toHaveLength(2);
    for (const r of imo) {
      const cols = r.split(',');
      expect(cols[0]).toMatch(/^[0-9a-f]{40}$/);
      expect(cols[2]).toBe(vessel.id);
      expect(cols[4]).toBe('identifier');
      expect(cols[5]).toBe('Vessel');
      expect(cols[10]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    }
    expect(imo.map((r) => `${r.split(',')[1]} ${r.split(',')[6]} ${r.split(',')[7]}`).sort()).toEqual([
      'a-v1 8660313 src_a',
      'b-v9 IMO 8660313 src_b',
    ]);
    // One `id` statement per referent, and CSV quoting of a value with quotes and a comma.
    expect(rows.filter((r) => r.includes(',id,id,')).length).toBe(3);
    expect(text).toContain('"Ri, ""Tae"" Chol"');
    const bad = await runCli(['--db', db, 'entities', 'export', '--format', 'xml']);
    expect(bad.code).toBe(2);
  }, 180_000);
});
