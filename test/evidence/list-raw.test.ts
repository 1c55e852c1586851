import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { buildReportData, renderReportHtml } from '../../src/cases/report.js';
import { listRecordKey, resolveListRecords } from '../../src/evidence/list-raw.js';
import { importList, LIST_FILE_KIND } from '../../src/lists/import.js';
import { openStore } from '../../src/store/open.js';
import type { ListVersion, Store } from '../../src/store/store.js';

/**
 * List statements quoted from the raw list file (issue 16): the real UN consolidated list (XML) and OFAC SDN list
 * (CSV) in data/sanctions, imported from copies so that one can be changed afterwards.
 */
const DATA = path.resolve(import.meta.dirname, '..', '..', 'data', 'sanctions');
const UN = path.join(DATA, 'un', 'un_sc_consolidated_2026-02-27.xml');
const OFAC = path.join(DATA, 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');

describe('list records read back from the raw list files (issue 16)', () => {
  let dir: string;
  let store: Store;
  let un: ListVersion;
  let ofac: ListVersion;
  let unFile: string;
  let ofacFile: string;
  let versions: Map<string, ListVersion>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wk-list-raw-'));
    mkdirSync(path.join(dir, 'ofac'));
    unFile = path.join(dir, path.basename(UN));
    ofacFile = path.join(dir, 'ofac', 'sdn.csv');
    copyFileSync(UN, unFile);
    copyFileSync(OFAC, ofacFile);
    store = await openStore({ url: path.join(dir, 'store.duckdb') });
    un = (await importList(store, unFile, { format: 'un-xml' })).version;
    ofac = (await importList(store, ofacFile, { format: 'ofac-csv', fetchedAt: '2024-05-03T00:00:00.000Z' })).version;
    versions = new Map([
      [un.id, un],
      [ofac.id, ofac],
    ]);
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const statementsOf = async (entityId: string) => (await store.getEntities([entityId]))[0]!.statements;

  it('records where each list file was read from, with its own sha256', async () => {
    const files = await store.listImports(LIST_FILE_KIND);
    const byVersion = new Map(files.map((f) => [String(f.details?.versionId), f]));
    expect(byVersion.get(un.id)?.location).toBe(unFile);
    expect(byVersion.get(un.id)?.sha256).toBe(createHash('sha256').update(readFileSync(UN)).digest('hex'));
    expect(byVersion.get(ofac.id)?.location).toBe(ofacFile);
    expect(byVersion.get(ofac.id)?.sha256).toBe(createHash('sha256').update(readFileSync(OFAC)).digest('hex'));
  });

  it('quotes a UN entry from its ENTITY element, with DATAID and REFERENCE_NUMBER, and the file sha256', async () => {
    const unLines = readFileSync(UN, 'utf8').split('\n');
    const st = (await statementsOf('un-kpe-071')).find((s) => s.versionId === un.id)!;
    expect(st.sourceRecord).toMatch(/^un_sc_consolidated_2026-02-27\.xml:\d+#KPe\.071$/);
    const got = await resolveListRecords(store, [{ versionId: un.id, sourceRecord: st.sourceRecord }], versions);
    const r = got.get(listRecordKey(un.id, st.sourceRecord))!;
    expect(r.status).toBe('verified');
    expect(r.sha256).toBe(un.sha256);
    expect(r.file).toBe(path.basename(UN));
    // The cited line is the <ENTITY> element of PRO-GAIN GROUP CORPORATION (line 47143 of the file).
    expect(unLines[r.line - 1]!.trim()).toBe('<ENTITY>');
    expect(r.line).toBe(47143);
    expect(r.ids).toBe('DATAID 6908686, REFERENCE_NUMBER KPe.071');
    expect(r.lines[0]).toBe('<ENTITY>');
    expect(r.lines).toContain('  <FIRST_NAME>PRO-GAIN GROUP CORPORATION</FIRST_NAME>');
    expect(r.lines.length).toBeLessThanOrEqual(16);
    for (const l of r.lines) expect(l.length).toBeLessThanOrEqual(240);
    // The ENTITY element runs to its closing tag; longer than 16 lines, so quoted in part, and said so.
    const close = unLines.findIndex((l, i) => i >= r.line && l.trim() === '</ENTITY>');
    const total = close - (r.line - 1) + 1;
    if (total > 16) expect(r.message).toContain(`first 16 of ${total} lines`);
    else expect(r.lines).toHaveLength(total);
  });

  it('quotes an OFAC entry from its sdn.csv row', async () => {
    const st = (await statementsOf('ofac-23736')).find((s) => s.versionId === ofac.id)!;
    expect(st.sourceRecord).toBe('sdn.csv:5414#23736');
    const got = await resolveListRecords(store, [{ versionId: ofac.id, sourceRecord: st.sourceRecord }], versions);
    const r = got.get(listRecordKey(ofac.id, st.sourceRecord))!;
    expect(r.status).toBe('verified');
    expect(r.line).toBe(5414);
    expect(r.ids).toBe('ent_num 23736');
    expect(r.lines).toHaveLength(1);
    const row = readFileSync(OFAC, 'latin1').split(/\r?\n/)[5413]!;
    expect(row.startsWith('23736,"YU JONG 2","vessel"')).toBe(true);
    // The row is longer than a quoted line: cut, and said so.
    expect(r.lines[0]).toBe(`${row.slice(0, 239)}…`);
    expect(r.message).toMatch(/quoted in part \(lines cut at 240 characters\)$/);
  });

  it('quotes the records in the report: evidence annex and entity provenance', async () => {
    const c = await createCase(store, { title: 'List records' });
    await addCaseItem(store, c.id, { kind: 'entity', ref: 'ofac-23736' });
    await addCaseItem(store, c.id, { kind: 'entity', ref: 'un-kpe-071' });
    const data = await buildReportData(store, c.id, new Date('2026-12-06T00:00:00Z'));
    const rows = data.evidence.filter((e) => e.kind === 'entity-statement');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const e of rows) {
      expect(e.raw?.status, e.record).toBe('verified');
      expect(e.record).toBe(`${e.raw!.file}:${e.raw!.line}#${e.record.split('#')[1]}`);
    }
    const html = renderReportHtml(data);
    expect(html).toContain('sdn.csv line 5414 (ent_num 23736); file sha256 ' + ofac.sha256);
    expect(html).toContain(`${path.basename(UN)} line 47143 (DATAID 6908686, REFERENCE_NUMBER KPe.071)`);
    expect(html).toContain('&lt;FIRST_NAME&gt;PRO-GAIN GROUP CORPORATION&lt;/FIRST_NAME&gt;');
    // Annex I and annex V both quote them.
    const annexV = html.slice(html.indexOf('id="annex-entities"'));
    expect(annexV).toContain('sdn.csv line 5414');
    expect(annexV).toContain('REFERENCE_NUMBER KPe.071');
  });

  it('says when the list file changed or moved, and then quotes nothing', async () => {
    const st = (await statementsOf('ofac-23736')).find((s) => s.versionId === ofac.id)!;
    const ask = () => resolveListRecords(store, [{ versionId: ofac.id, sourceRecord: st.sourceRecord }], versions);
    appendFileSync(ofacFile, '1,"X",-0- \n');
    const changed = (await ask()).get(listRecordKey(ofac.id, st.sourceRecord))!;
    expect(changed.status).toBe('changed');
    expect(changed.lines).toEqual([]);
    expect(changed.message).toMatch(/changed since it was imported/);
    rmSync(ofacFile);
    const moved = (await ask()).get(listRecordKey(ofac.id, st.sourceRecord))!;
    expect(moved.status).toBe('missing');
    expect(moved.message).toMatch(/no longer at/);
    // The same version imported again from another place: its records are quoted from there.
    const again = path.join(dir, 'again', 'sdn.csv');
    mkdirSync(path.dirname(again));
    copyFileSync(OFAC, again);
    const r = await importList(store, again, { format: 'ofac-csv', fetchedAt: '2024-05-03T00:00:00.000Z' });
    expect(r.version.id).toBe(ofac.id);
    const back = (await ask()).get(listRecordKey(ofac.id, st.sourceRecord))!;
    expect(back.status).toBe('verified');
    expect(back.path).toBe(again);
    expect(back.lines[0]!.startsWith('23736,"YU JONG 2"')).toBe(true);
  });
});
