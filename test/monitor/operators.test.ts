/**
 * The worker's pieces one at a time, on DuckDB and PostgreSQL where it matters: the job queue (a slot enqueued
 * once, a job claimed by one claimant, a dead claimant's job taken again), the API's /readyz, /metrics and alert
 * subscriptions, webhook signatures and the SMTP client against the local sink.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSmtpUrl, sendMail } from '../../src/alerts/smtp.js';
import { signWebhook, verifyWebhook } from '../../src/alerts/webhook.js';
import { buildServer } from '../../src/api/server.js';
import { claimJob, enqueueJob, failJob, finishJob, jobCounts } from '../../src/monitor/jobs.js';
import { enqueueDue, parseDuration } from '../../src/monitor/schedule.js';
import { MonitorWorker } from '../../src/monitor/worker.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { SmtpSink } from '../support/smtp-sink.js';

const dirs: string[] = [];
let pg: TestPostgres | undefined;
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await pg?.stop();
});

async function duck(): Promise<Store> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-ops-'));
  dirs.push(dir);
  return openStore({ url: path.join(dir, 'ops.duckdb') });
}

async function jobQueue(store: Store): Promise<void> {
  const db = store.db;
  // Two workers seeing the same slot make one job.
  const sched = [{ kind: 'detect', everyMs: 30_000 }];
  const t = Date.UTC(2026, 11, 5, 21, 30, 10);
  expect(await enqueueDue(db, sched, t)).toEqual(['detect@2026-12-05T21:30:00.000Z']);
  expect(await enqueueDue(db, sched, t + 5000)).toEqual([]);
  for (let i = 0; i < 5; i++) await enqueueJob(db, { id: `lists@${i}`, kind: 'lists', runAfterMs: t + i });
  // 12 concurrent claims over 6 due jobs: every job claimed exactly once.
  const claims = await Promise.all(
    Array.from({ length: 12 }, (_, i) => claimJob(db, `w${i % 3}`, ['detect', 'lists'], 60_000, t + 60_000)),
  );
  const got = claims.filter((c) => c !== null).map((c) => c!.id);
  expect(got.length).toBe(6);
  expect(new Set(got).size).toBe(6);
  // A claimed job is not due again until its lease runs out; then another worker takes it (attempt 2).
  expect(await claimJob(db, 'w9', ['detect'], 60_000, t + 61_000)).toBeNull();
  const again = await claimJob(db, 'w9', ['detect'], 60_000, t + 200_000);
  expect(again).toMatchObject({ id: 'detect@2026-12-05T21:30:00.000Z', attempts: 2 });
  // The worker that lost the lease cannot finish it; the new owner can.
  const first = claims.find((c) => c?.id === again!.id)!;
  const firstOwner = `w${claims.indexOf(first) % 3}`;
  expect(await finishJob(db, again!.id, firstOwner, { ok: 1 })).toBe(false);
  expect(await finishJob(db, again!.id, 'w9', { ok: 1 })).toBe(true);
  // A failure is retried until maxAttempts, then failed.
  const lists0 = claims.find((c) => c?.id === 'lists@0')!;
  const owner0 = `w${claims.indexOf(lists0) % 3}`;
  expect(await failJob(db, lists0, owner0, 'download failed', { retryMs: 0, maxAttempts: 1 })).toBe('failed');
  const counts = await jobCounts(db);
  expect(counts.find((c) => c.kind === 'detect' && c.state === 'done')?.count).toBe(1);
  expect(counts.find((c) => c.kind === 'lists' && c.state === 'failed')?.count).toBe(1);
  expect(counts.find((c) => c.kind === 'lists' && c.state === 'running')?.count).toBe(4);
}

describe('job queue', () => {
  it('DuckDB: slots enqueue once, claims never overlap, leases expire, lost leases cannot finish', async () => {
    const store = await duck();
    try {
      await jobQueue(store);
    } finally {
      await store.close();
    }
  });
  it.runIf(postgresAvailable())(
    'PostgreSQL: the same, with concurrent claims on several connections (SKIP LOCKED)',
    async () => {
      pg = await startTestPostgres('monitor-ops');
      const store = await openStore({ url: pg!.url });
      try {
        await jobQueue(store);
      } finally {
        await store.close();
      }
    },
    60_000,
  );
  it('parses durations', () => {
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('6h', 'x')).toBe(21_600_000);
    expect(parseDuration('off', 'x')).toBe(0);
    expect(() => parseDuration('soon', '--detect-every')).toThrow(/--detect-every: "soon" is not a duration/);
  });
});

describe('API: /readyz, /metrics, alert subscriptions', () => {
  let store: Store;
  let app: FastifyInstance;
  beforeAll(async () => {
    store = await duck();
    app = await buildServer({ store, logLevel: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('is ready with no worker; a worker whose heartbeat stopped makes it 503', async () => {
    const ok = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ready: true, checks: { store: { ok: true }, migrations: { ok: true } } });
    await store.db.query(
      `INSERT INTO monitor_workers (worker_id, host, pid, started_at, heartbeat_ms) VALUES ('gone', 'h', 1, '2026-01-01T00:00:00Z', $1)`,
      [BigInt(Date.now() - 600_000)],
    );
    const late = await app.inject({ method: 'GET', url: '/readyz' });
    expect(late.statusCode).toBe(503);
    expect(late.json().checks.worker.ok).toBe(false);
    expect(late.json().workerLagS).toBeGreaterThan(590);
    await store.db.query('UPDATE monitor_workers SET heartbeat_ms = $1', [BigInt(Date.now())]);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await store.db.query('DELETE FROM monitor_workers');
  });

  it('serves Prometheus text: requests by route and status, jobs by state, deliveries', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/no/such/route' });
    await enqueueJob(store.db, { id: 'detect@x', kind: 'detect', runAfterMs: 0 });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('# TYPE watchkeeper_http_requests_total counter');
    expect(text).toMatch(/watchkeeper_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toMatch(/watchkeeper_http_requests_total\{method="GET",route="\(no route\)",status="404"\} 1/);
    expect(text).toContain('watchkeeper_jobs{kind="detect",state="queued"} 1');
    expect(text).toContain('watchkeeper_detection_pending_seconds 0');
    for (const line of text.trim().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/);
  });

  it('creates, lists and deletes subscriptions; the webhook secret is shown once; bad targets are 400', async () => {
    const made = await app.inject({
      method: 'POST',
      url: '/alerts/subscriptions',
      payload: { channel: 'webhook', target: 'https://hooks.example.org/wk', minSeverity: 'medium' },
    });
    expect(made.statusCode).toBe(201);
    const body = made.json();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.subscription).toMatchObject({ channel: 'webhook', minSeverity: 'medium', watchIds: null });
    const list = (await app.inject({ method: 'GET', url: '/alerts/subscriptions' })).json();
    expect(list.results.map((s: { id: string }) => s.id)).toEqual([body.subscription.id]);
    expect(JSON.stringify(list)).not.toContain(body.secret);
    const bad = await app.inject({
      method: 'POST',
      url: '/alerts/subscriptions',
      payload: { channel: 'email', target: 'not an address' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not an e-mail address/);
    const unknownWatch = await app.inject({
      method: 'POST',
      url: '/alerts/subscriptions',
      payload: { channel: 'email', target: 'desk@example.org', watchIds: ['watch-nope'] },
    });
    expect(unknownWatch.statusCode).toBe(404);
    const del = await app.inject({ method: 'DELETE', url: `/alerts/subscriptions/${body.subscription.id}` });
    expect(del.statusCode).toBe(204);
    const gone = await app.inject({ method: 'DELETE', url: `/alerts/subscriptions/${body.subscription.id}` });
    expect(gone.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/alerts/deliveries' })).json()).toEqual({ results: [] });
  });
});

describe('delivery channels', () => {
  it('webhook signatures cover the timestamp: a replayed or altered request does not verify', () => {
    const body = '{"type":"watchkeeper.alert"}';
    const now = Date.UTC(2026, 11, 5, 22, 0, 0);
    const ts = now / 1000;
    const signature = signWebhook('s3cret-s3cret-s3cret', ts, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const h = { signature, timestamp: String(ts) };
    expect(verifyWebhook('s3cret-s3cret-s3cret', h, body, { nowMs: now })).toBe(true);
    expect(verifyWebhook('s3cret-s3cret-s3cret', h, `${body} `, { nowMs: now })).toBe(false);
    expect(verifyWebhook('another-secret-xx', h, body, { nowMs: now })).toBe(false);
    // The same request ten minutes later is refused, and a fresh timestamp breaks the signature.
    expect(verifyWebhook('s3cret-s3cret-s3cret', h, body, { nowMs: now + 600_000 })).toBe(false);
    expect(
      verifyWebhook('s3cret-s3cret-s3cret', { signature, timestamp: String(ts + 600) }, body, { nowMs: now + 600_000 }),
    ).toBe(false);
  });

  it('SMTP: AUTH PLAIN, dot-stuffing, UTF-8 subject and body; 4xx is transient, bad addresses permanent', async () => {
    const sink = new SmtpSink();
    await sink.start();
    try {
      const cfg = parseSmtpUrl(`smtp://wk:p%40ss@127.0.0.1:${sink.port}`, 'watchkeeper@example.org');
      const text = 'Line one\n.leading dot\n..two dots\nRYONG BONG 7 (룡봉 7호)\n';
      await sendMail(cfg, { to: 'desk@example.org', subject: 'Alert: 룡봉 7호', text, id: 'dlv-abc' });
      expect(sink.mails).toHaveLength(1);
      const m = sink.mails[0]!;
      expect(m.auth).toBe('wk:p@ss');
      expect(m.from).toBe('watchkeeper@example.org');
      expect(m.to).toEqual(['desk@example.org']);
      expect(m.headers['message-id']).toBe('<dlv-abc@example.org>');
      expect(m.headers.subject).toMatch(/^=\?UTF-8\?B\?/);
      expect(Buffer.from(m.headers.subject!.slice(10, -2), 'base64').toString('utf8')).toBe('Alert: 룡봉 7호');
      expect(m.text).toBe(text.replace(/\n/g, '\r\n'));
      sink.failing = true;
      await expect(sendMail(cfg, { to: 'desk@example.org', subject: 's', text: 't', id: 'x' })).rejects.toMatchObject({
        code: 451,
        permanent: false,
      });
      await expect(sendMail(cfg, { to: 'no at all', subject: 's', text: 't', id: 'x' })).rejects.toMatchObject({
        permanent: true,
      });
      expect(() => parseSmtpUrl('http://x', 'a@b.org')).toThrow(/smtp:\/\/ or smtps:\/\//);
      const tls = parseSmtpUrl('smtps://mail.example.org', 'a@b.org');
      expect(tls).toMatchObject({ secure: true, port: 465 });
    } finally {
      await sink.stop();
    }
  });
});

describe('scheduled list updates', () => {
  it('imports a new version, re-screens after it, and keeps the version when the next download fails', async () => {
    const fixture = readFileSync(path.join(import.meta.dirname, '../fixtures/lists/dprk_sample.ftm.jsonl'));
    let up = true;
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (!up) {
        res.writeHead(503).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(fixture);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const store = await duck();
    const listsDir = mkdtempSync(path.join(tmpdir(), 'wk-ops-lists-'));
    dirs.push(listsDir);
    const worker = new MonitorWorker({
      store,
      storeUrl: 'unused.duckdb',
      feeds: [],
      detectEveryMs: 0,
      deliverEveryMs: 0,
      listsEveryMs: 400,
      lists: { dir: listsDir, sources: ['opensanctions'], baseUrl: `http://127.0.0.1:${port}` },
      tickMs: 50,
    });
    const jobs = async (kind: string, state: string) =>
      (await jobCounts(store.db)).find((c) => c.kind === kind && c.state === state)?.count ?? 0;
    const until = async (cond: () => Promise<boolean>) => {
      const end = Date.now() + 20_000;
      while (!(await cond())) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await worker.start();
      await until(async () => (await jobs('rescreen', 'done')) === 1);
      const [first] = await store.listVersions('opensanctions');
      expect(first?.recordCount).toBe(3);
      up = false;
      // A run already under way when the source went down may still end 'unchanged': wait for one that failed.
      const failed = async () => {
        const rows = await store.db.query("SELECT result FROM monitor_jobs WHERE kind = 'lists' AND state = 'done'");
        return rows
          .flatMap(
            (r) => (JSON.parse(String(r.result)) as { outcomes: Array<{ status: string; message: string }> }).outcomes,
          )
          .find((o) => o.status === 'failed');
      };
      await until(async () => (await failed()) !== undefined);
      await worker.stop();
      const outcome = (await failed())!;
      expect(outcome.status).toBe('failed');
      expect(outcome.message).toContain(`keeping ${first!.id}`);
      expect((await store.listVersions('opensanctions')).map((v) => v.id)).toEqual([first!.id]);
      expect(await jobs('rescreen', 'done')).toBe(1);
      expect(requests.every((u) => u === '/opensanctions/entities.ftm.json')).toBe(true);
    } finally {
      await worker.stop();
      await store.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it('a worker with detection off claims no detection job: a feed worker leaves detection to the others', async () => {
    const store = await duck();
    const heartbeat = async (id: string) =>
      Number(
        (await store.db.query('SELECT heartbeat_ms FROM monitor_workers WHERE worker_id = $1', [id]))[0]?.heartbeat_ms,
      );
    const state = async () =>
      String((await store.db.query("SELECT state FROM monitor_jobs WHERE id = 'detect@x'"))[0]?.state);
    await enqueueJob(store.db, { id: 'detect@x', kind: 'detect', runAfterMs: 0 });
    const feedOnly = new MonitorWorker({
      store,
      storeUrl: 'unused.duckdb',
      feeds: [],
      workerId: 'feed-only',
      detectEveryMs: 0,
      deliverEveryMs: 0,
      tickMs: 20,
    });
    const detector = new MonitorWorker({
      store,
      storeUrl: 'unused.duckdb',
      feeds: [],
      workerId: 'detector',
      detectEveryMs: 3_600_000,
      deliverEveryMs: 0,
      screen: false,
      tickMs: 20,
    });
    try {
      await feedOnly.start();
      // Five passes of the feed worker (each writes its heartbeat first, then claims): the job is still queued.
      for (let i = 0; i < 5; i++) {
        const hb = await heartbeat('feed-only');
        while ((await heartbeat('feed-only')) === hb) await new Promise((r) => setTimeout(r, 10));
      }
      expect(await state()).toBe('queued');
      expect(feedOnly.status().jobsRun).toBe(0);
      await detector.start();
      while ((await state()) !== 'done') await new Promise((r) => setTimeout(r, 20));
      // The row keeps the lease owner that finished it (the in-memory counter moves just after the commit).
      const owner = await store.db.query("SELECT lease_owner FROM monitor_jobs WHERE id = 'detect@x'");
      expect(owner[0]?.lease_owner).toBe('detector');
      expect(feedOnly.status().jobsRun).toBe(0);
    } finally {
      await feedOnly.stop();
      await detector.stop();
      await store.close();
    }
  }, 60_000);
});
