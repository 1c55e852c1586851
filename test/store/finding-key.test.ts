import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { findingSubjectKey } from '../../src/store/finding-key.js';
import { ALL_MIGRATIONS } from '../../src/store/migrations/index.js';
import { openDb, openStore } from '../../src/store/open.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/**
 * findings.subject_key (migration 0004, the distribution column of findings on Citus): the key the store writes,
 * the key the migration computes in SQL for rows stored before it, and replacement by id when the first subject
 * changes. test/store/citus.test.ts checks the distributed table itself.
 */
const SUBJECTS: string[][] = [
  ['ais-412000001', 'ais-440123456'],
  ['ais-0123'],
  ['ais-1234567890'],
  ['un-kpi-1', 'ais-5'],
  ['wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96'],
  ['ofac-27307 조선'],
  ['ais-'],
  [],
];

function finding(i: number, subjects: string[]): Finding {
  return {
    id: `fk-${i}`,
    kind: 'ais.gap',
    subjects,
    start: `2024-05-0${(i % 8) + 1}T10:00:00.000Z`,
    score: 0.5 + i / 100,
    redFlags: ['ais_disabling'],
    explanation: `finding ${i}`,
    evidence: [],
    params: {},
  };
}

describe('findingSubjectKey', () => {
  it('is the MMSI of a vessel, a signed 32-bit md5 prefix of any other first subject, 0 without subjects', () => {
    expect(findingSubjectKey(['ais-412000001', 'ais-440123456'])).toBe(412000001);
    expect(findingSubjectKey(['ais-0123'])).toBe(123);
    // 10 digits is not an MMSI: hashed like any other id.
    const md5 = (s: string) => createHash('md5').update(s).digest();
    expect(findingSubjectKey(['ais-1234567890'])).toBe(md5('ais-1234567890').readInt32BE(0));
    expect(findingSubjectKey(['un-kpi-1', 'ais-5'])).toBe(md5('un-kpi-1').readInt32BE(0));
    expect(findingSubjectKey([])).toBe(0);
    const keys = SUBJECTS.map(findingSubjectKey);
    expect(keys.every((k) => Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31)).toBe(true);
    expect(keys.some((k) => k < 0)).toBe(true);
  });
});

const before = ALL_MIGRATIONS.filter((m) => m.id < '0004_findings_subject_key');

/**
 * A store migrated up to 0003 holding findings written the old way (no subject_key), then opened with every
 * migration: the rows are kept with the key the store would write, and putFindings replaces by id even when
 * the first subject changed.
 */
async function upgradeAndReplace(url: string, reset: () => Promise<void>): Promise<void> {
  await reset();
  const old = await openStore({ url, migrations: before });
  const fs = SUBJECTS.map((s, i) => finding(i, s));
  for (const f of fs)
    await old.db.query(
      `INSERT INTO findings (id, kind, start_ts, end_ts, start_ms, score, subjects, red_flags, doc)
       VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8)`,
      [f.id, f.kind, f.start, Date.parse(f.start), f.score, JSON.stringify(f.subjects), '[]', JSON.stringify(f)],
    );
  await old.close();
  const store = await openStore({ url });
  try {
    const rows = await store.db.query('SELECT id, subject_key FROM findings ORDER BY id');
    expect(rows.map((r) => [String(r.id), Number(r.subject_key)])).toEqual(
      fs.map((f) => [f.id, findingSubjectKey(f.subjects)]).sort(),
    );
    expect(await store.getFinding('fk-3')).toEqual(fs[3]);
    // The first subject changes: the row moves to another key and the old one is gone.
    const moved = { ...finding(0, ['ais-440123456', 'ais-412000001']), score: 0.99 };
    expect(await store.putFindings([moved])).toBe(1);
    expect(await store.countFindings()).toBe(fs.length);
    expect(await store.getFinding('fk-0')).toEqual(moved);
    const [k] = await store.db.query('SELECT subject_key FROM findings WHERE id = $1', ['fk-0']);
    expect(Number(k?.subject_key)).toBe(440123456);
    expect((await store.queryFindings({ subject: 'ais-412000001' })).map((f) => f.score)).toEqual([0.99]);
  } finally {
    await store.close();
  }
}

describe('findings.subject_key on DuckDB', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-finding-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates stored findings to the key the store writes, and replaces by id when the first subject changes', async () => {
    const file = path.join(dir, 'store.duckdb');
    await upgradeAndReplace(file, async () => rmSync(file, { force: true }));
  });
});

describe.runIf(postgresAvailable())('findings.subject_key on PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  beforeAll(async () => {
    pg = await startTestPostgres('finding-key');
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('migrates stored findings to the key the store writes, and replaces by id when the first subject changes', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    const url = pg.url;
    await upgradeAndReplace(url, async () => {
      const db = await openDb(url);
      await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      await db.close();
    });
  });
});
