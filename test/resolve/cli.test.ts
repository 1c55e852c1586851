import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath } from '../../src/paths.js';
import { runCli } from '../support/cli.js';

const NEW_WALLET = '0x94f1b9b64e2932f6a2db338f616844400cd58e8a';
const FIXTURE = path.join('test', 'fixtures', 'resolve', 'sdn_lazarus_new_wallet.csv');

describe('watchkeeper dedupe and the graph’s wallets (CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-resolve-cli-'));
  const db = path.join(dir, 'cli.duckdb');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an sdn.csv naming a new ETH address under DPRK3: crypto screen flags it right after lists import', async () => {
    const imp = await runCli(['--db', db, 'lists', 'import', FIXTURE, '--format', 'ofac-csv']);
    expect(imp.code, imp.stderr).toBe(0);
    const screen = await runCli(['--db', db, 'crypto', 'screen', NEW_WALLET]);
    expect(screen.code, screen.stderr).toBe(0);
    expect(screen.stdout).toContain(
      '0x94F1b9B64E2932F6a2Db338F616844400cD58E8A [eth]: LISTED: LAZARUS GROUP (ofac-27307, DPRK3)',
    );
    expect(screen.stdout).toContain('tag: LAZARUS GROUP (sanctioned, us_ofac_sdn)');
    const show = await runCli(['--db', db, 'entities', 'show', `wallet-eth-${NEW_WALLET}`]);
    expect(JSON.parse(show.stdout).properties.holder).toEqual(['ofac-27307']);
  }, 120_000);

  it('dedupe resolve, judge, export and apply on the UN and UK lists', async () => {
    for (const file of [
      dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'),
      dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml'),
    ]) {
      const r = await runCli(['--db', db, 'lists', 'import', file]);
      expect(r.code, r.stderr).toBe(0);
    }
    const res = await runCli(['--db', db, 'dedupe', 'resolve']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      'resolved: 155 canonical entities from 310 source entities (155 merges, 1 refused; 1,167 entities carry a strong identifier)\n',
    );
    const again = await runCli(['--db', db, 'dedupe', 'resolve', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ ran: false, clusters: 155 });

    const show = await runCli(['--db', db, 'entities', 'show', 'gb-ofsi-dpr0205']);
    expect(show.code).toBe(0);
    const node = JSON.parse(show.stdout);
    expect(node.referents).toEqual(['gb-ofsi-dpr0205', 'un-kpi-013']);
    expect(show.stderr).toBe(`gb-ofsi-dpr0205 is part of canonical entity ${node.id}\n`);
    expect(new Set(node.statements.map((s: { entity_id: string }) => s.entity_id))).toEqual(
      new Set(['gb-ofsi-dpr0205', 'un-kpi-013']),
    );

    const judge = await runCli([
      '--db',
      db,
      'dedupe',
      'judge',
      'un-kpi-013',
      'gb-ofsi-dpr0205',
      'negative',
      '--author',
      'alice',
      '--reason',
      'test',
    ]);
    expect(judge.stdout).toBe('negative: gb-ofsi-dpr0205 / un-kpi-013 (alice); now gb-ofsi-dpr0205 and un-kpi-013\n');
    const out = path.join(dir, 'judgements.jsonl');
    expect((await runCli(['--db', db, 'dedupe', 'export', '--out', out])).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        left: 'gb-ofsi-dpr0205',
        right: 'un-kpi-013',
        judgement: 'negative',
        author: 'alice',
        origin: 'analyst',
      }),
    ]);
    const apply = await runCli(['--db', db, 'dedupe', 'apply', out]);
    expect(apply.stdout).toBe(`applied 0 judgements from ${out} (1 already known)\n`);

    writeFileSync(out, '{"left":"un-kpi-013","right":"gb-ofsi-dpr0205"}\n');
    const bad = await runCli(['--db', db, 'dedupe', 'apply', out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${out}:1: "judgement" is missing`);
    const usage = await runCli(['--db', db, 'dedupe', 'judge', 'un-kpi-013', 'gb-ofsi-dpr0205', 'maybe']);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain('judgement: positive, negative or unsure, got "maybe"');
    const missing = await runCli(['--db', db, 'dedupe', 'judge', 'un-kpi-013', 'nope', 'positive']);
    expect(missing.stderr).toContain('no entity with id "nope"');
  }, 240_000);
});
