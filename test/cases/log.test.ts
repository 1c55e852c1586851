import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle, verifyBundle } from '../../src/cases/bundle.js';
import { addCaseItem, createCase, deleteCase, removeCaseItem, updateCase } from '../../src/cases/cases.js';
import { canonicalJson, GENESIS_HASH, readCaseLog, verifyChain } from '../../src/cases/log.js';
import { openDb, openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { runCli } from './run-cli.js';

/** The case log as a hash chain, on both stores: written with each change, re-verified, tampering found. */

function suite(name: string, open: () => Promise<Store>) {
  describe(`case log on ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    }, 120_000);
    afterAll(async () => {
      await store?.close();
    });

    it('chains every change: create, edit, notes added and removed, delete', async () => {
      const c = await createCase(store, { title: 'Chain', summary: 'first' }, { name: 'alice' });
      const note = await addCaseItem(store, c.id, { kind: 'note', ref: 'Seen at Nampo' }, { name: 'alice' });
      await updateCase(store, c.id, { summary: 'second', status: 'closed' }, { name: 'bob' });
      await removeCaseItem(store, c.id, note.id, { name: 'bob' });
      const hashes: string[] = [];
      await deleteCase(store, c.id, { name: 'root', hashes });
      const log = await readCaseLog(store.db, c.id);
      expect(log.map((e) => [e.seq, e.action, e.actor, e.target])).toEqual([
        [1, 'case.create', 'alice', c.id],
        [2, 'item.add', 'alice', note.id],
        [3, 'case.update', 'bob', c.id],
        [4, 'item.remove', 'bob', note.id],
        [5, 'case.delete', 'root', c.id],
      ]);
      expect(log[2]!.detail).toEqual({
        before: { summary: 'first', status: 'open' },
        after: { summary: 'second', status: 'closed' },
      });
      expect(log[0]!.prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < log.length; i++) expect(log[i]!.prevHash).toBe(log[i - 1]!.hash);
      // The hash is sha256 of the canonical JSON of the entry with its prevHash, re-computed here by hand.
      const e = log[1]!;
      const body = `{"action":"item.add","actor":"alice","caseId":"${c.id}","detail":{"kind":"note","note":"Seen at Nampo","ref":"Seen at Nampo"},"prevHash":"${log[0]!.hash}","seq":2,"target":"${note.id}","ts":"${e.ts}"}`;
      expect(canonicalJson({ ...e, hash: undefined })).toBe(body);
      expect(e.hash).toBe(createHash('sha256').update(body).digest('hex'));
      expect(hashes).toEqual([log[4]!.hash]);
      expect(verifyChain(log)).toEqual({ ok: true, entries: 5, head: log[4]!.hash, broken: null });
    });

    it('finds an entry changed, removed or re-hashed in the store', async () => {
      const c = await createCase(store, { title: 'Tamper' });
      for (const ref of ['one', 'two', 'three']) await addCaseItem(store, c.id, { kind: 'note', ref });
      expect(verifyChain(await readCaseLog(store.db, c.id)).ok).toBe(true);
      // Someone with database access rewrites a note in the log.
      await store.db.query(
        `UPDATE case_log SET detail_json = '{"kind":"note","note":"TWO","ref":"TWO"}' WHERE case_id = $1 AND seq = 3`,
        [c.id],
      );
      const changed = verifyChain(await readCaseLog(store.db, c.id));
      expect(changed.ok).toBe(false);
      expect(changed.broken?.seq).toBe(3);
      expect(changed.broken?.reason).toMatch(/^stored hash [0-9a-f]{64} does not match its content/);
      // ... and re-computes that entry's hash: the next entry's link breaks instead.
      const [row] = await readCaseLog(store.db, c.id).then((l) => l.filter((x) => x.seq === 3));
      const { entryHash } = await import('../../src/cases/log.js');
      await store.db.query('UPDATE case_log SET hash = $1 WHERE case_id = $2 AND seq = 3', [entryHash(row!), c.id]);
      const relinked = verifyChain(await readCaseLog(store.db, c.id));
      expect(relinked.broken).toMatchObject({ seq: 4 });
      expect(relinked.broken?.reason).toMatch(/^prev_hash [0-9a-f]{64} is not the hash of entry 3/);
      // An entry removed.
      await store.db.query('DELETE FROM case_log WHERE case_id = $1 AND seq = 2', [c.id]);
      expect(verifyChain(await readCaseLog(store.db, c.id)).broken).toEqual({
        seq: 3,
        reason: 'entry 2 has sequence number 3',
      });
    });

    it('bundles a case without findings and checks its chain against the store', async () => {
      const c = await createCase(store, { title: 'Bundle on this store' }, { name: 'alice' });
      await addCaseItem(store, c.id, { kind: 'note', ref: 'A note to bundle' }, { name: 'alice' });
      const out = path.join(dir, `${name}-${c.id}.tar`);
      const r = await exportBundle(store, c.id, out, { pdf: false });
      expect(r.manifest.chain.entries).toBe(2);
      const v = await verifyBundle(out, store);
      expect([v.ok, v.reproducible, v.store?.chain]).toEqual([true, true, 'the store holds the same chain']);
      await addCaseItem(store, c.id, { kind: 'note', ref: 'Later' });
      expect((await verifyBundle(out, store)).store?.chain).toBe("the store's chain continues it (1 later entry)");
      await store.db.query(`UPDATE case_log SET actor = 'mallory' WHERE case_id = $1 AND seq = 2`, [c.id]);
      expect((await verifyBundle(out, store)).store?.chain).toBe(
        'the store holds this head, but its own chain does not verify',
      );
      await expect(exportBundle(store, c.id, `${out}.2`, { pdf: false })).rejects.toThrow(
        /its log does not verify \(entry 2: stored hash/,
      );
    });

    it('starts the log of a case older than it with a snapshot of its state', async () => {
      const t = '2024-01-01T00:00:00.000Z';
      await store.db.query(
        `INSERT INTO cases (id, title, summary, status, created_at, updated_at) VALUES ('case-old', 'Old', '', 'open', $1, $1)`,
        [t],
      );
      await store.db.query(
        `INSERT INTO case_items (id, case_id, kind, ref, note, added_at, seq) VALUES ('item-old', 'case-old', 'note', 'legacy', 'legacy', $1, 0)`,
        [t],
      );
      await addCaseItem(store, 'case-old', { kind: 'note', ref: 'new' });
      const log = await readCaseLog(store.db, 'case-old');
      expect(log.map((e) => e.action)).toEqual(['log.start', 'item.add']);
      expect(log[0]!.detail).toEqual({
        state: {
          case: { id: 'case-old', title: 'Old', summary: '', status: 'open' },
          items: [{ id: 'item-old', kind: 'note', ref: 'legacy', note: 'legacy' }],
          attachments: [],
        },
      });
      expect(verifyChain(log).ok).toBe(true);
    });
  });
}

let dir: string;
suite('DuckDB', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-caselog-'));
  return openStore({ url: path.join(dir, 'wk.duckdb') });
});

describe('watchkeeper cases log', () => {
  it('prints the chain and says whether it verifies (exit 1 when not)', async () => {
    const db = path.join(dir, 'cli.duckdb');
    const id = (await runCli(['--db', db, 'cases', 'create', 'CLI chain'])).stdout.trim();
    expect((await runCli(['--db', db, 'cases', 'add', id, 'note', 'first note'])).code).toBe(0);
    const ok = await runCli(['--db', db, 'cases', 'log', id]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/case\.create/);
    expect(ok.stdout).toMatch(/item\.add/);
    expect(ok.stdout).toMatch(/cli:\S+/);
    const json = JSON.parse((await runCli(['--db', db, 'cases', 'log', id, '--json'])).stdout) as {
      verified: boolean;
      head: string;
      entries: Array<{ hash: string }>;
    };
    expect(json.verified).toBe(true);
    expect(ok.stdout).toContain(`chain verifies: 2 entries, head ${json.head}`);
    expect(json.head).toBe(json.entries[1]!.hash);
    const store = await openStore({ url: db });
    await store.db.query(`UPDATE case_log SET actor = 'mallory' WHERE case_id = $1 AND seq = 1`, [id]);
    await store.close();
    const bad = await runCli(['--db', db, 'cases', 'log', id]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/chain does NOT verify at entry 1: stored hash/);
    expect((await runCli(['--db', db, 'cases', 'log', 'case-nope'])).code).toBe(1);
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

let pg: TestPostgres | undefined;
describe.runIf(postgresAvailable())('PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('case-log');
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });
  suite('PostgreSQL', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    const db = await openDb(pg.url);
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await db.close();
    return openStore({ url: pg.url });
  });
});
