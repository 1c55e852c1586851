import path from 'node:path';
import type { Command } from 'commander';
import { parseSmtpUrl } from '../alerts/smtp.js';
import { addSubscription, listSubscriptions, removeSubscription } from '../alerts/subscriptions.js';
import { UserError } from '../errors.js';
import { type FeedSpec, parseFeed } from '../monitor/feed.js';
import { parseListen, startStatusServer } from '../monitor/http.js';
import { jobCounts } from '../monitor/jobs.js';
import { jsonLogger, type LogLevel } from '../monitor/log.js';
import { metrics } from '../monitor/metrics.js';
import { parseDuration } from '../monitor/schedule.js';
import { MonitorWorker } from '../monitor/worker.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { dbLocation, printTable, withStore } from './context.js';

/** Options of `worker` (and of `serve --monitor`). */
export interface WorkerCliOptions {
  feed?: string[];
  hello?: string;
  detectEvery: string;
  listsEvery: string;
  listsDir?: string;
  listsBaseUrl?: string;
  listsSource?: string[];
  deliverEvery: string;
  retryBackoff: string;
  maxBackoff: string;
  maxAttempts: string;
  smtpUrl?: string;
  smtpFrom?: string;
  publicUrl?: string;
  flush: string;
  idleTimeout: string;
  lookback: string;
  workerId?: string;
  logLevel: string;
  screen?: boolean;
}

/** Add the worker's options to a command (`worker`, `serve`). */
export function addWorkerOptions(cmd: Command): Command {
  return cmd
    .option('--feed <url...>', 'live AIS feeds: tcp://host:port (client, reconnects) or udp://:port (listens)')
    .option(
      '--hello <line>',
      'line sent on each TCP connect: a login or a resume request; {cursorMs}, {cursorS}, {cursorIso} are the ' +
        'latest feed time committed',
    )
    .option('--detect-every <duration>', 'incremental detection and watchlist re-screening (off: never)', '30s')
    .option('--lists-every <duration>', 'download and import the official lists (off: never)', 'off')
    .option('--lists-dir <path>', 'downloaded list files and their ETags (default: lists/ beside the DuckDB file)')
    .option(
      '--lists-base-url <url>',
      'fetch lists from <url>/<source>/<file> (a mirror); env WATCHKEEPER_LISTS_BASE_URL',
    )
    .option('--lists-source <name...>', 'only these list sources (un_sc_sanctions, us_ofac_sdn, opensanctions)')
    .option('--deliver-every <duration>', 'look for alerts to deliver this often (off: never)', '2s')
    .option('--retry-backoff <duration>', 'first retry of a failed delivery; doubled each attempt', '30s')
    .option('--max-backoff <duration>', 'longest wait between two delivery attempts', '1h')
    .option('--max-attempts <n>', 'delivery attempts before a delivery is marked failed', '10')
    .option(
      '--smtp-url <url>',
      'SMTP server for e-mail alerts: smtp://[user:pass@]host:port[?starttls=required] or smtps://; env WATCHKEEPER_SMTP_URL',
    )
    .option('--smtp-from <address>', 'sender of e-mail alerts; env WATCHKEEPER_SMTP_FROM')
    .option('--public-url <url>', 'base URL of the web UI for links in alerts; env WATCHKEEPER_PUBLIC_URL')
    .option('--flush <duration>', 'commit feed batches at least this often', '1s')
    .option('--idle-timeout <duration>', 'reconnect a TCP feed that sends nothing for this long (off: never)', '60s')
    .option('--no-screen', 'do not screen vessels against the lists in detection runs (list updates still re-screen)')
    .option('--lookback <hours>', 'detection look-back around new positions, hours', '72')
    .option('--worker-id <id>', 'this worker in logs, leases and /readyz (default host-pid-random)')
    .option('--log-level <level>', 'debug, info, warn or error (JSON lines on stdout)', 'info');
}

/** Build and start a worker from command-line options (the caller owns the store). */
export async function startWorker(store: Store, storeUrl: string, o: WorkerCliOptions): Promise<MonitorWorker> {
  const level = o.logLevel as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    throw new UserError(`--log-level: debug, info, warn or error, got "${o.logLevel}"`);
  const feeds: FeedSpec[] = (o.feed ?? []).map((f) => parseFeed(f, o.hello));
  const smtpUrl = o.smtpUrl ?? process.env.WATCHKEEPER_SMTP_URL;
  const smtpFrom = o.smtpFrom ?? process.env.WATCHKEEPER_SMTP_FROM;
  if (smtpUrl && !smtpFrom) throw new UserError('an SMTP server needs a sender: --smtp-from or WATCHKEEPER_SMTP_FROM');
  const smtp = smtpUrl ? parseSmtpUrl(smtpUrl, smtpFrom!) : undefined;
  const maxAttempts = Number(o.maxAttempts);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new UserError(`--max-attempts: a whole number of at least 1, got "${o.maxAttempts}"`);
  const lookbackH = Number(o.lookback);
  if (!(lookbackH >= 0)) throw new UserError(`--lookback: hours, got "${o.lookback}"`);
  const listsEveryMs = parseDuration(o.listsEvery, '--lists-every');
  const listsDir =
    o.listsDir ??
    (/^postgres/i.test(storeUrl) ? path.join('var', 'lists') : path.join(path.dirname(storeUrl), 'lists'));
  const worker = new MonitorWorker({
    store,
    storeUrl,
    feeds,
    ...(o.workerId ? { workerId: o.workerId } : {}),
    log: jsonLogger({ level }),
    detectEveryMs: parseDuration(o.detectEvery, '--detect-every'),
    listsEveryMs,
    ...(listsEveryMs > 0
      ? {
          lists: {
            dir: listsDir,
            sources: o.listsSource,
            baseUrl: o.listsBaseUrl ?? process.env.WATCHKEEPER_LISTS_BASE_URL,
          },
        }
      : {}),
    deliverEveryMs: parseDuration(o.deliverEvery, '--deliver-every'),
    delivery: {
      ...(smtp ? { smtp } : {}),
      backoffMs: parseDuration(o.retryBackoff, '--retry-backoff'),
      maxBackoffMs: parseDuration(o.maxBackoff, '--max-backoff'),
      maxAttempts,
      ...((o.publicUrl ?? process.env.WATCHKEEPER_PUBLIC_URL)
        ? { publicUrl: o.publicUrl ?? process.env.WATCHKEEPER_PUBLIC_URL }
        : {}),
    },
    flushMs: parseDuration(o.flush, '--flush'),
    idleTimeoutMs: parseDuration(o.idleTimeout, '--idle-timeout'),
    lookbackH,
    screen: o.screen !== false,
  });
  await worker.start();
  return worker;
}

export function register(program: Command): void {
  const worker = program
    .command('worker')
    .description('the monitoring worker: live AIS feeds, scheduled detection and list updates, alert delivery')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper worker --feed tcp://ais.example.org:5631 --listen 127.0.0.1:9464\n' +
        '  watchkeeper worker status\n',
    );
  addWorkerOptions(
    worker
      .command('run', { isDefault: true })
      .description('run until SIGINT/SIGTERM (the default subcommand: `watchkeeper worker` runs it)'),
  )
    .option('--listen <host:port>', 'serve /healthz, /readyz and /metrics for this worker (e.g. 127.0.0.1:9464)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper worker --feed tcp://153.44.253.27:5631 --detect-every 1m\n' +
        '  watchkeeper worker --feed tcp://feed.example.org:4001 --hello "SINCE {cursorIso}" --lists-every 6h\n' +
        '  WATCHKEEPER_SMTP_URL=smtp://mail.example.org:587 WATCHKEEPER_SMTP_FROM=wk@example.org watchkeeper worker --feed udp://:10110\n' +
        '  WATCHKEEPER_DB=postgres://wk@db/wk watchkeeper worker --feed tcp://feed:5631 --listen 0.0.0.0:9464\n',
    )
    .action(async function (this: Command, opts: WorkerCliOptions & { listen?: string }) {
      const url = dbLocation(this);
      const listen = opts.listen ? parseListen(opts.listen) : undefined;
      const store = await openStore({ url });
      let w: MonitorWorker;
      try {
        w = await startWorker(store, url, opts);
      } catch (err) {
        await store.close();
        throw err;
      }
      const status = listen ? await startStatusServer(store, listen) : undefined;
      if (status)
        process.stdout.write(
          `${JSON.stringify({ ts: new Date().toISOString(), level: 'info', event: 'worker.listen', host: listen!.host, port: status.port })}\n`,
        );
      const rate = setInterval(() => {
        metrics.set('watchkeeper_worker_up', 'The worker is running', {}, 1);
      }, 5000);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      clearInterval(rate);
      await w.stop();
      status?.server.close();
      await store.close();
    });

  worker
    .command('status')
    .description('feeds (cursor, counters, owner), workers (heartbeat) and jobs by state, from the store')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  watchkeeper worker status\n  watchkeeper worker status --json\n')
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const feeds = await store.db.query('SELECT * FROM monitor_feeds ORDER BY feed_id');
        const workers = await store.db.query('SELECT * FROM monitor_workers ORDER BY worker_id');
        const jobs = await jobCounts(store.db);
        const norm = (rows: Array<Record<string, unknown>>) =>
          rows.map((r) =>
            Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
          );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ feeds: norm(feeds), workers: norm(workers), jobs }, null, 2)}\n`);
          return;
        }
        process.stdout.write('Feeds\n');
        printTable(
          norm(feeds).map((f) => ({
            ...f,
            cursor: f.cursor_ms === null ? '' : new Date(Number(f.cursor_ms)).toISOString(),
          })),
          ['feed_id', 'cursor', 'messages', 'positions', 'batches', 'owner', 'updated_at'],
        );
        process.stdout.write('\nWorkers\n');
        printTable(
          norm(workers).map((w) => ({ ...w, heartbeat: new Date(Number(w.heartbeat_ms)).toISOString() })),
          ['worker_id', 'host', 'pid', 'started_at', 'heartbeat'],
        );
        process.stdout.write('\nJobs\n');
        printTable(jobs.map((j) => ({ ...j })));
      });
    });

  const subs = program
    .command('subscriptions')
    .description('who gets which alerts where: webhooks and e-mail, filtered by watch, finding kind and severity')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper subscriptions add webhook https://hooks.example.org/wk\n  watchkeeper subscriptions list\n',
    );
  subs
    .command('add')
    .description('subscribe a webhook URL or an e-mail address to alerts (a webhook secret is printed once)')
    .argument('<channel>', 'webhook or email')
    .argument('<target>', 'the webhook URL or the e-mail address')
    .option('--watch <id...>', 'only alerts of these watches (default: all)')
    .option('--kind <kind...>', 'only findings of these kinds (e.g. ais.encounter sanctions_match)')
    .option('--min-severity <severity>', 'low, medium or high', 'low')
    .option('--secret <secret>', 'webhook signing secret (default: generated and printed once)')
    .option('--user <username>', 'the user the subscription belongs to (default: none, local mode)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper subscriptions add webhook https://hooks.example.org/wk --min-severity medium\n' +
        '  watchkeeper subscriptions add email desk@example.org --watch watch-3f9a1c2b7d --kind ais.encounter\n',
    )
    .action(async function (
      this: Command,
      channel: string,
      target: string,
      opts: { watch?: string[]; kind?: string[]; minSeverity: string; secret?: string; user?: string },
    ) {
      await withStore(this, async (store) => {
        let userId: string | null = null;
        if (opts.user) {
          const [u] = await store.db.query('SELECT id FROM users WHERE username = $1', [opts.user]);
          if (!u) throw new UserError(`no user "${opts.user}"`);
          userId = String(u.id);
        }
        const { subscription, secret } = await addSubscription(store.db, {
          userId,
          channel,
          target,
          ...(opts.secret ? { secret: opts.secret } : {}),
          ...(opts.watch ? { watchIds: opts.watch } : {}),
          ...(opts.kind ? { kinds: opts.kind } : {}),
          minSeverity: opts.minSeverity,
        });
        process.stdout.write(`${subscription.id}\n`);
        if (secret && !opts.secret) process.stderr.write(`webhook secret (shown once): ${secret}\n`);
      });
    });
  subs
    .command('list')
    .description('list subscriptions')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  watchkeeper subscriptions list\n')
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const all = await listSubscriptions(store.db);
        if (opts.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        else
          printTable(
            all.map((s) => ({ ...s })),
            ['id', 'channel', 'target', 'watchIds', 'kinds', 'minSeverity', 'createdAt'],
          );
      });
    });
  subs
    .command('remove')
    .description('delete a subscription (its pending deliveries are dropped)')
    .argument('<id>', 'subscription id')
    .addHelpText('after', '\nExamples:\n  watchkeeper subscriptions remove sub-3f9a1c2b7d4e\n')
    .action(async function (this: Command, id: string) {
      await withStore(this, (store) => removeSubscription(store.db, id));
    });
}
