/**
 * Live monitoring end to end ("Done when" of issue 18): a local TCP AIS feed replays real NMEA (the DMA AISLib
 * stream with its $PGHP times, then the 15-minute simulator fixture with tag-block times, garbage in between), a
 * local webhook receiver and a local SMTP sink stand in for the people to alert, and `watchkeeper worker` runs as
 * a child process. Mid-stream the feed goes down and comes back, the worker is killed (SIGKILL) and restarted; later,
 * while both receivers are down and deliveries wait for a retry, the worker is killed again. Then: every distinct
 * valid position sent is stored exactly once, and every alert reached the webhook (signature verified) and the
 * mailbox its subscription asked for exactly once. On DuckDB, and on PostgreSQL when one can be had.
 *
 * Detection builds a shore raster for the area of the positions, several seconds for this stream's ocean-wide
 * extent, once per process; so only the second worker detects (the first is killed while ingesting, and the third
 * finds nothing new to detect and only delivers).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { addSubscription } from '../../src/alerts/subscriptions.js';
import { addWatch, listAlerts } from '../../src/cases/watch.js';
import { severityOf } from '../../src/findings/kinds.js';
import { NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';
import { AisRowBuilder } from '../../src/maritime/store/rows.js';
import { openStore } from '../../src/store/open.js';
import { nmeaRecords, ReplayFeed } from '../support/ais-feed.js';
import { cliEntry } from '../support/cli.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { WebhookSink } from '../support/webhook-sink.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILES = [
  path.join(ROOT, 'data/ais/nmea/dma-aislib_stream_example.txt'),
  path.join(ROOT, 'test/fixtures/maritime/sim-yellow-sea-seed3-15min.nmea'),
];
const SECRET = 'whsec_test_0123456789abcdef';
/** Vessels of the simulator fixture with findings: RYONG BONG 7 and CHON MA 3 (MID 445), SEA PEARL 2. */
const WATCHED = ['445112576', '445113568', '352334477'];

const records = FILES.flatMap((f) => nmeaRecords(readFileSync(f, 'latin1')));

/** Distinct valid positions in what the feed sends, through the decoder and row builder an import uses. */
function distinctPositions(): number {
  const builder = new AisRowBuilder('expected', { capacity: 1 << 14 });
  const dec = new NmeaAisDecoder({
    onMessage: (msg, meta) => {
      if (!Number.isNaN(meta.tsMs)) builder.addMessage(msg, meta.tsMs, meta.lastLine);
    },
  });
  for (const r of records) dec.push(Buffer.from(`${r.lines.join('\r\n')}\r\n`, 'latin1'));
  dec.end();
  return builder.positions.length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Worker {
  child: ChildProcess;
  logs: Array<Record<string, unknown>>;
  port: Promise<number>;
  exited: Promise<number | null>;
}

function startWorker(db: string, feedPort: number, smtpPort: number, detectEvery = '1s'): Worker {
  const child = spawn(
    process.execPath,
    [
      ...cliEntry(),
      '--db',
      db,
      'worker',
      '--feed',
      `tcp://127.0.0.1:${feedPort}`,
      '--hello',
      'SINCE {cursorMs}',
      '--detect-every',
      detectEvery,
      '--no-screen',
      '--deliver-every',
      '100ms',
      '--retry-backoff',
      '100ms',
      '--max-backoff',
      '400ms',
      '--flush',
      '200ms',
      '--smtp-url',
      `smtp://wk:secret-pw@127.0.0.1:${smtpPort}`,
      '--smtp-from',
      'watchkeeper@test.invalid',
      '--listen',
      '127.0.0.1:0',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The webhook receiver is on loopback, which webhooks refuse unless allowed (src/alerts/webhook.ts).
      env: { ...process.env, NO_COLOR: '1', WATCHKEEPER_WEBHOOK_ALLOW: '127.0.0.1' },
    },
  );
  const logs: Array<Record<string, unknown>> = [];
  let out = '';
  let err = '';
  let setPort: (p: number) => void = () => undefined;
  const port = new Promise<number>((r) => {
    setPort = r;
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let i = out.indexOf('\n');
    while (i >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        logs.push(rec);
        if (rec.event === 'worker.listen') setPort(Number(rec.port));
      } catch {
        logs.push({ event: 'unparsed', line });
      }
      i = out.indexOf('\n');
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (err.trim()) logs.push({ event: 'stderr', text: err });
      resolve(code);
    }),
  );
  return { child, logs, port, exited };
}

async function metricsOf(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

function sum(m: Map<string, number>, prefix: string): number {
  let s = 0;
  for (const [k, v] of m) if (k === prefix || k.startsWith(`${prefix}{`)) s += v;
  return s;
}

async function scenario(db: string): Promise<void> {
  const expected = distinctPositions();
  // Watches and subscriptions first (the worker is not running: DuckDB allows one process).
  const setup = await openStore({ url: db });
  const webhook = new WebhookSink(SECRET);
  const smtp = new SmtpSink();
  await webhook.start();
  await smtp.start();
  for (const mmsi of WATCHED) await addWatch(setup, { kind: 'vessel', ref: mmsi });
  // The receiver is on loopback, which subscriptions refuse unless allowed (as the worker is, below).
  process.env.WATCHKEEPER_WEBHOOK_ALLOW = '127.0.0.1';
  const hook = await addSubscription(setup.db, { channel: 'webhook', target: webhook.url, secret: SECRET });
  delete process.env.WATCHKEEPER_WEBHOOK_ALLOW;
  const mail = await addSubscription(setup.db, { channel: 'email', target: 'desk@test.invalid', minSeverity: 'high' });
  await setup.close();

  const feed = new ReplayFeed(records, { recordsPerS: 1500, overlapMs: 30_000, garbageEvery: 97 });
  const feedPort = await feed.start();
  const workers: Worker[] = [];
  try {
    // Worker A: the feed goes down and comes back at a quarter; A is killed inside the last part of the stream (the
    // simulator's records), so that B's first detection run sees the whole area and builds its raster once.
    const a = startWorker(db, feedPort, smtp.port, 'off');
    workers.push(a);
    await until('a quarter of the feed', () => feed.high >= records.length * 0.25);
    await feed.stop();
    await sleep(300);
    await feed.start();
    await until('the last part of the feed', () => feed.high >= records.length * 0.93);
    const aPort = await a.port;
    await until(
      'positions committed by A',
      async () => sum(await metricsOf(aPort), 'watchkeeper_feed_positions_stored_total') > 0,
    );
    a.child.kill('SIGKILL');
    await a.exited;

    // The receivers go down; worker B raises alerts whose first attempts fail, and is killed while they wait.
    webhook.failing = true;
    smtp.failing = true;
    const b = startWorker(db, feedPort, smtp.port);
    workers.push(b);
    const bPort = await b.port;
    await until('the whole feed sent', () => feed.finished);
    await until(
      'B detected everything and failed delivery attempts to both receivers',
      async () =>
        webhook.receipts.length > 0 &&
        smtp.deferred > 0 &&
        (await metricsOf(bPort)).get('watchkeeper_detection_pending_seconds') === 0,
      60_000,
    );
    b.child.kill('SIGKILL');
    await b.exited;
    webhook.failing = false;
    smtp.failing = false;

    // Worker C finishes the stream and the deliveries.
    const c = startWorker(db, feedPort, smtp.port);
    workers.push(c);
    const cPort = await c.port;
    await until(
      'everything stored, detected and delivered',
      async () => {
        const m = await metricsOf(cPort);
        const pending = [...m].filter(([k]) => /^watchkeeper_alert_deliveries\{.*state="(pending|sending)"/.test(k));
        return (
          m.get('watchkeeper_detection_pending_seconds') === 0 &&
          pending.every(([, v]) => v === 0) &&
          sum(m, 'watchkeeper_alert_deliveries') > 0 &&
          (m.get('watchkeeper_feed_cursor_seconds{feed="tcp://127.0.0.1:' + feedPort + '"}') ?? 0) * 1000 >=
            Math.max(...records.map((r) => r.tsMs))
        );
      },
      30_000,
    );
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  } catch (err) {
    for (const w of workers) w.child.kill('SIGKILL');
    const tail = workers.flatMap((w, i) => w.logs.slice(-15).map((l) => `${'ABC'[i]}: ${JSON.stringify(l)}`));
    throw new Error(`${(err as Error).message}\n${tail.join('\n')}`);
  } finally {
    await feed.stop();
  }

  // The feed was asked to resume: every connection after the first carried the committed cursor.
  expect(feed.connections).toBeGreaterThanOrEqual(4);
  expect(feed.hellos.filter((h) => h !== 'SINCE 0').length).toBeGreaterThanOrEqual(2);

  const store = await openStore({ url: db });
  try {
    const [count] = await store.db.query('SELECT count(*) AS n FROM positions');
    const [dups] = await store.db.query(
      `SELECT count(*) AS n FROM (SELECT mmsi, ts, lat, lon, msg_type FROM positions
         GROUP BY mmsi, ts, lat, lon, msg_type HAVING count(*) > 1) d`,
    );
    expect(Number(dups?.n)).toBe(0);
    expect(Number(count?.n)).toBe(expected);

    const alerts = await listAlerts(store, {});
    const watchedAlerts = alerts.filter((al) => WATCHED.includes(al.watchRef));
    expect(watchedAlerts.length).toBe(alerts.length);
    expect(new Set(alerts.map((al) => al.watchRef))).toEqual(new Set(WATCHED));
    expect(alerts.some((al) => al.findingKind === 'ais.identity_change')).toBe(true);

    // Webhook: one accepted POST per alert, each signed correctly; failed attempts (503) came before it.
    const accepted = webhook.accepted();
    expect(accepted.every((r) => r.verified)).toBe(true);
    expect(webhook.receipts.every((r) => r.verified)).toBe(true);
    const hookAlerts = accepted.map((r) => (JSON.parse(r.body) as { alert: { id: string } }).alert.id);
    expect(hookAlerts.length).toBe(new Set(hookAlerts).size);
    expect(new Set(hookAlerts)).toEqual(new Set(alerts.map((al) => al.id)));
    expect(new Set(accepted.map((r) => r.delivery)).size).toBe(accepted.length);
    // A tampered body does not verify.
    const { verifyWebhook } = await import('../../src/alerts/webhook.js');
    const first = accepted[0]!;
    expect(verifyWebhook(SECRET, first, `${first.body} `)).toBe(false);

    // E-mail: the subscription asked for high severity only; one message per such alert, with AUTH PLAIN.
    const high = alerts.filter((al) => severityOf(al.score) === 'high').map((al) => al.id);
    expect(high.length).toBeGreaterThan(0);
    expect(high.length).toBeLessThan(alerts.length);
    const mailed = smtp.mails.map((m) => m.headers['x-watchkeeper-alert']);
    expect(mailed.length).toBe(new Set(mailed).size);
    expect(new Set(mailed)).toEqual(new Set(high));
    expect(smtp.mails.every((m) => m.auth === 'wk:secret-pw' && m.to[0] === 'desk@test.invalid')).toBe(true);
    expect(smtp.mails[0]!.text).toContain('Finding: ');

    const rows = await store.db.query(
      'SELECT subscription_id, state, count(*) AS n FROM alert_deliveries GROUP BY subscription_id, state',
    );
    const by = new Map(rows.map((r) => [`${r.subscription_id}/${r.state}`, Number(r.n)]));
    expect(by.get(`${hook.subscription.id}/delivered`)).toBe(alerts.length);
    expect(by.get(`${mail.subscription.id}/delivered`)).toBe(high.length);
    expect(by.get(`${mail.subscription.id}/skipped`)).toBe(alerts.length - high.length);
  } finally {
    await store.close();
    await webhook.stop();
    await smtp.stop();
  }
}

describe('live monitoring: feed and worker killed mid-stream', () => {
  const dirs: string[] = [];
  let pg: TestPostgres | undefined;
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await pg?.stop();
  });

  it('DuckDB: no position lost or duplicated, every alert delivered once by webhook and e-mail', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-live-'));
    dirs.push(dir);
    await scenario(path.join(dir, 'live.duckdb'));
  }, 120_000);

  it.runIf(postgresAvailable())(
    'PostgreSQL: the same',
    async () => {
      pg = await startTestPostgres('monitor-live');
      await scenario(pg!.url);
    },
    120_000,
  );
});
