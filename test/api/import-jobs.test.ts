import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/api/auth/cookies.js';
import { buildServer } from '../../src/api/server.js';
import { listAudit } from '../../src/auth/audit.js';
import { createSession } from '../../src/auth/sessions.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/auth/users.js';
import { type ImportJob, importJobRunner } from '../../src/imports/jobs.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * POST /imports/{lists,ais,transfers} and /imports/jobs with auth on, on DuckDB: the file streams to disk with a
 * cap (413) and a type check (415), runs as a job through the CLI's importers, and a cancelled or failed job
 * writes nothing.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p));
const USCG = read('test/fixtures/ais/uscg-nais.nmea');
const SYNTH = read('test/fixtures/ais/synthetic.nmea');
const FTM = read('test/fixtures/lists/dprk_sample.ftm.jsonl');
/** The header and first five transfers of the dspytdao Lazarus export (data/crypto/traces). */
const TRANSFERS = Buffer.from(
  `${read('data/crypto/traces/dspytdao_LazarusTabularTxs1322519.csv').toString('utf8').split('\n').slice(0, 6).join('\n')}\n`,
);
const PW = 'correct horse battery';

let dir: string;
let store: Store;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

/** API tokens; the admin signs in with a session (a token acts at most as an analyst). */
let rootCookie = '';

function as(user: string, method: string, url: string, body?: Buffer | Readable) {
  return app.inject({
    method: method as 'GET',
    url,
    ...(body !== undefined ? { body } : {}),
    headers: {
      ...(user === 'root' ? { cookie: rootCookie } : { authorization: `Bearer ${tokens[user]}` }),
      ...(body !== undefined ? { 'content-type': 'application/octet-stream' } : {}),
    },
  });
}

async function settle(user: string, id: string): Promise<ImportJob> {
  for (;;) {
    const j = (await as(user, 'GET', `/imports/jobs/${id}`)).json() as ImportJob;
    if (j.state !== 'queued' && j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function count(sql: string): Promise<number> {
  return Number((await store.db.query(sql))[0]?.n ?? 0);
}

const importDirs = () => {
  const d = path.join(dir, 'imports');
  return existsSync(d) ? readdirSync(d) : [];
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-import-jobs-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  for (const [username, role] of [
    ['alice', 'analyst'],
    ['bob', 'analyst'],
    ['vic', 'viewer'],
    ['root', 'admin'],
  ] as const) {
    const u = await createUser(store.db, { username, password: PW, role });
    if (username === 'root') rootCookie = `${SESSION_COOKIE}=${(await createSession(store.db, u.id)).id}`;
    else tokens[username] = (await createToken(store.db, u.id, { name: 'test', scope: 'write' })).token;
  }
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('imports over HTTP', () => {
  let aisJob: ImportJob;

  it('imports an NMEA file as a job through the same importer as the CLI', async () => {
    const r = await as('alice', 'POST', '/imports/ais?filename=capture%20one.nmea', USCG);
    expect(r.statusCode).toBe(202);
    const queued = r.json() as ImportJob;
    expect(queued).toMatchObject({ kind: 'ais', format: 'nmea', owner: 'alice', filename: 'capture_one.nmea' });
    expect(queued.sizeBytes).toBe(USCG.length);
    aisJob = await settle('alice', queued.id);
    // `watchkeeper ais import test/fixtures/ais/uscg-nais.nmea` stores the same 4 positions.
    expect(aisJob.state).toBe('done');
    expect(aisJob.result).toMatchObject({ created: true, format: 'nmea', positions: 4 });
    expect(await count('SELECT count(*) AS n FROM positions')).toBe(4);
    const lines = USCG.toString('latin1')
      .split('\n')
      .filter((l) => l !== '').length;
    expect(aisJob.progress).toMatchObject({ unit: 'lines', done: lines, total: lines });
    expect(importDirs()).toEqual([]); // the uploaded file is gone once the job ends
  });

  it('names file and line when the importer refuses a (gzipped) file, and writes nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM positions');
    const r = await as('alice', 'POST', '/imports/ais?filename=synthetic.nmea.gz', gzipSync(SYNTH));
    expect(r.statusCode).toBe(202);
    const job = await settle('alice', (r.json() as ImportJob).id);
    expect(job.state).toBe('failed');
    expect(job.sizeBytes).toBe(SYNTH.length); // decompressed on the way to disk
    expect(job.error).toMatch(/^synthetic\.nmea:1: AIS messages have no time/);
    expect(job.error).not.toContain(dir);
    expect(await count('SELECT count(*) AS n FROM positions')).toBe(before);
  });

  it('a cancelled running import leaves the positions table unchanged; a queued one is cancelled at once', async () => {
    const runner = importJobRunner(store);
    const before = await count('SELECT count(*) AS n FROM positions');
    const keysBefore = await count('SELECT count(*) AS n FROM position_imports');
    const importsBefore = await count('SELECT count(*) AS n FROM imports');
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let runningId = '';
    let sawPositions = false;
    let cancelSent: Promise<{ statusCode: number; json: () => unknown }> | null = null;
    let firstHold: (() => void) | null = null;
    const firstSeen = new Promise<void>((r) => {
      firstHold = r;
    });
    runner.testGate = async (id, what) => {
      runningId = id;
      if (firstHold) {
        // Hold the job at its first statement while a second one is sent (it must queue: 1 at a time).
        const f = firstHold;
        firstHold = null;
        f();
        await held;
      }
      if (what.startsWith('bulk positions')) {
        sawPositions = true;
        return;
      }
      // The positions are written (in the transaction): now cancel, and go on once the cancel has arrived.
      if (sawPositions && !cancelSent) {
        cancelSent = as('alice', 'DELETE', `/imports/jobs/${id}`);
        while (!(await runner.get(id, { userId: null, username: 'alice', admin: false })).cancelRequested) {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    try {
      const first = await as('alice', 'POST', '/imports/ais?startTime=2024-05-01T00:00:00Z', SYNTH);
      expect(first.statusCode).toBe(202);
      await firstSeen;
      const second = await as('alice', 'POST', '/imports/transfers', TRANSFERS);
      expect(second.statusCode).toBe(202);
      const queuedId = (second.json() as ImportJob).id;
      expect(((await as('alice', 'GET', `/imports/jobs/${queuedId}`)).json() as ImportJob).state).toBe('queued');
      const cq = await as('alice', 'DELETE', `/imports/jobs/${queuedId}`);
      expect(cq.statusCode).toBe(200);
      expect(cq.json()).toMatchObject({ id: queuedId, state: 'cancelled', cancelRequested: true });
      expect(((await as('alice', 'GET', `/imports/jobs/${runningId}`)).json() as ImportJob).state).toBe('running');
      release();
      const job = await settle('alice', (first.json() as ImportJob).id);
      expect(sawPositions).toBe(true);
      expect(job.state).toBe('cancelled');
      const del = await (cancelSent as unknown as Promise<{ statusCode: number; json: () => unknown }>);
      expect(del.statusCode).toBe(200);
      expect(del.json()).toMatchObject({ state: 'cancelled' });
    } finally {
      runner.testGate = null;
    }
    expect(await count('SELECT count(*) AS n FROM positions')).toBe(before);
    expect(await count('SELECT count(*) AS n FROM position_imports')).toBe(keysBefore);
    expect(await count('SELECT count(*) AS n FROM imports')).toBe(importsBefore);
    expect(await count('SELECT count(*) AS n FROM crypto_transfers')).toBe(0);
    // A job that has ended cannot be cancelled.
    expect((await as('alice', 'DELETE', `/imports/jobs/${aisJob.id}`)).statusCode).toBe(409);
  });

  it('imports a list file and a transfers file', async () => {
    const l = await as('alice', 'POST', '/imports/lists?source=dprk_sample', FTM);
    expect(l.statusCode).toBe(202);
    expect(l.json()).toMatchObject({ format: 'ftm', filename: 'upload.jsonl' });
    const lj = await settle('alice', (l.json() as ImportJob).id);
    const lines = FTM.toString('utf8')
      .split('\n')
      .filter((x) => x.trim() !== '').length;
    expect(lj).toMatchObject({ state: 'done', result: { created: true, source: 'dprk_sample', records: lines } });
    expect((await store.listVersions('dprk_sample')).map((v) => v.id)).toEqual([
      (lj.result as { versionId: string }).versionId,
    ]);

    const t = await as('alice', 'POST', '/imports/transfers?filename=lazarus.csv', TRANSFERS);
    expect(t.statusCode).toBe(202);
    const tj = await settle('alice', (t.json() as ImportJob).id);
    expect(tj).toMatchObject({ state: 'done', format: 'csv', result: { created: true, transfers: 5 } });
    expect(await count('SELECT count(*) AS n FROM crypto_transfers')).toBe(5);
  });

  it('refuses a file of the wrong type (415) and one over the cap (413), leaving no file behind', async () => {
    const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1');
    const r = await as('alice', 'POST', '/imports/ais', pdf);
    expect(r.statusCode).toBe(415);
    expect(r.json()).toMatchObject({ error: 'unsupported_media_type' });
    expect((r.json() as { message: string }).message).toMatch(
      /not NMEA .* or a CSV with a header line \(first bytes "%PDF-1.7/,
    );
    const t = await as('alice', 'POST', '/imports/transfers', Buffer.from('\u0000\u0001binary'));
    expect(t.statusCode).toBe(415);
    const l = await as('alice', 'POST', '/imports/lists', Buffer.from('just some words\n'));
    expect(l.statusCode).toBe(415);
    expect((l.json() as { message: string }).message).toMatch(/not a UN SC XML, OFAC CSV, FtM JSON lines/);
    expect((await as('alice', 'POST', '/imports/lists', Buffer.alloc(0))).statusCode).toBe(400);

    const big = Buffer.concat(Array.from({ length: 40 }, () => TRANSFERS)); // ~10 KB
    process.env.WATCHKEEPER_IMPORT_MAX_MB_TRANSFERS = String(4 / 1024); // 4 KB
    try {
      // Announced by Content-Length: refused before reading.
      const a = await as('alice', 'POST', '/imports/transfers', big);
      expect(a.statusCode).toBe(413);
      expect((a.json() as { message: string }).message).toContain('4 KB (WATCHKEEPER_IMPORT_MAX_MB_TRANSFERS)');
      // Streamed without a length (and gzipped: the cap counts what it holds): stopped at the cap.
      const s = await as('alice', 'POST', '/imports/transfers', Readable.from([gzipSync(big)]));
      expect(s.statusCode).toBe(413);
      expect((s.json() as { message: string }).message).toContain('over the 4 KB');
    } finally {
      delete process.env.WATCHKEEPER_IMPORT_MAX_MB_TRANSFERS;
    }
    expect(importDirs()).toEqual([]);
  });

  it('is for analysts and admins: viewers get 403, another analyst sees none of your jobs', async () => {
    expect((await as('vic', 'POST', '/imports/ais', USCG)).statusCode).toBe(403);
    expect((await as('vic', 'GET', '/imports/jobs')).statusCode).toBe(403);
    expect((await as('vic', 'GET', `/imports/jobs/${aisJob.id}`)).statusCode).toBe(403);
    expect((await as('bob', 'GET', `/imports/jobs/${aisJob.id}`)).statusCode).toBe(404);
    expect((await as('bob', 'DELETE', `/imports/jobs/${aisJob.id}`)).statusCode).toBe(404);
    expect((await as('bob', 'GET', '/imports/jobs')).json()).toEqual({ total: 0, results: [] });
    const mine = (await as('alice', 'GET', '/imports/jobs')).json() as { total: number; results: ImportJob[] };
    const all = (await as('root', 'GET', '/imports/jobs?state=done')).json() as { results: ImportJob[] };
    expect(mine.total).toBe(6);
    expect(mine.results.every((j) => j.owner === 'alice')).toBe(true);
    expect(all.results.map((j) => j.id)).toContain(aisJob.id);
    expect(all.results.every((j) => j.state === 'done')).toBe(true);
    expect((await as('root', 'GET', `/imports/jobs/${aisJob.id}`)).json()).toMatchObject({ id: aisJob.id });
  });

  it('writes every job creation and cancel to the audit trail', async () => {
    const { results } = await listAudit(store.db, { limit: 500 });
    const ops = results.filter((e) => e.operation?.startsWith('import') || e.operation === 'cancelImportJob');
    const created = ops.filter((e) => e.operation === 'importAisFile' && e.status === 202);
    expect(created.map((e) => e.username)).toContain('alice');
    expect(created.some((e) => (e.after as { id?: string } | null)?.id === aisJob.id)).toBe(true);
    expect(ops.filter((e) => e.operation === 'cancelImportJob' && e.status === 200).length).toBe(2);
    expect(ops.some((e) => e.operation === 'importAisFile' && e.status === 403 && e.username === 'vic')).toBe(true);
  });

  it('counts the jobs by kind and state in /metrics', async () => {
    const rows = await store.db.query('SELECT kind, state, count(*) AS n FROM import_jobs GROUP BY kind, state');
    expect(rows.length).toBeGreaterThan(2);
    const text = (await as('root', 'GET', '/metrics')).body;
    for (const r of rows)
      expect(text).toContain(`watchkeeper_import_jobs{kind="${r.kind}",state="${r.state}"} ${Number(r.n)}`);
    expect(text).toContain('watchkeeper_import_jobs{kind="ais",state="done"}');
  });

  it('marks a job left running by a stopped server as failed (interrupted), as server start does', async () => {
    await store.db.query(
      `INSERT INTO import_jobs (id, kind, state, owner_id, owner_name, filename, size_bytes, sha256, format, params,
         runner, cancel_requested, created_at, heartbeat_ms)
       VALUES ('imp-left', 'ais', 'running', NULL, 'alice', 'x.nmea', 10, 'ab', 'nmea', '{}', 'gone:1:x', FALSE, $1, $2)`,
      [new Date().toISOString(), Date.now()],
    );
    // What the imports plugin runs when a server starts.
    expect(await importJobRunner(store).sweepInterrupted()).toBe(1);
    const j = (await as('alice', 'GET', '/imports/jobs/imp-left')).json() as ImportJob;
    expect(j).toMatchObject({ state: 'failed' });
    expect(j.error).toMatch(/^interrupted/);
  });
});
