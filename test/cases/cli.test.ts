import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { FX, fixtureFindings, seedCaseFixture } from './fixture.js';
import { pdfText, squash } from './pdf-text.js';
import { runCli } from './run-cli.js';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-cases-cli-'));
  db = path.join(dir, 'wk.duckdb');
  const store = await openStore({ url: db });
  await seedCaseFixture(store);
  await store.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('watchkeeper cases / watch / alerts', () => {
  it('creates a case, adds items, shows the evidence and exports HTML and PDF', async () => {
    const created = await runCli([
      '--db',
      db,
      'cases',
      'create',
      'CHON MA SAN 천마산호',
      '--summary',
      'Korea Bay STS.',
    ]);
    expect(created.stderr).toBe('');
    const id = created.stdout.trim();
    expect(id).toMatch(/^case-[0-9a-f]{10}$/);
    const [sts] = fixtureFindings();
    expect((await runCli(['--db', db, 'cases', 'add', id, 'finding', sts!.id])).code).toBe(0);
    expect(
      (await runCli(['--db', db, 'cases', 'add', id, 'entity', FX.tanker, '--note', 'the listed hull'])).code,
    ).toBe(0);
    const bad = await runCli(['--db', db, 'cases', 'add', id, 'vessel', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('kind: must be one of finding, entity, address, note, got "vessel"');
    const show = await runCli(['--db', db, 'cases', 'show', id, '--json']);
    const shown = JSON.parse(show.stdout) as { items: unknown[]; evidence: Array<{ ref: string; record: string }> };
    expect(shown.items).toHaveLength(2);
    expect(shown.evidence.map((e) => e.record)).toContain('mmsi:445123000@1710452400000');
    const html = path.join(dir, 'r.html');
    expect((await runCli(['--db', db, 'cases', 'export', id, '-o', html])).stdout).toContain('wrote');
    expect(await readFile(html, 'utf8')).toContain('Ship-to-ship transfers');
    const pdf = path.join(dir, 'r.pdf');
    const exp = await runCli(['--db', db, 'cases', 'export', id, '--format', 'pdf', '-o', pdf]);
    expect(exp.code).toBe(0);
    const text = squash(pdfText(await readFile(pdf)));
    expect(text).toContain(squash('CHON MA SAN 천마산호'));
    expect(text).toContain(squash('Annex I. Evidence'));
    const missing = await runCli(['--db', db, 'cases', 'show', 'case-nope']);
    expect(missing.stderr).toContain('no case with id "case-nope"');
  });

  it('watches a vessel and lists alerts', async () => {
    const w = await runCli(['--db', db, 'watch', 'add', 'vessel', String(FX.mmsiTanker), '--label', 'CHON MA SAN']);
    expect(w.stdout).toContain('subjects: ais-445123000');
    const list = await runCli(['--db', db, 'watch', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ ref: '445123000', label: 'CHON MA SAN', alertCount: 0 }),
    ]);
    const alerts = await runCli(['--db', db, 'alerts']);
    expect(alerts.stdout.trim()).toBe('(none)');
  });
});
