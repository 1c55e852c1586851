/**
 * Can the monitoring worker keep up with a busy live feed? A feed process (this file with --feed) serves NMEA over
 * TCP at a fixed rate (default 5,000 messages/s: 5,000 vessels in the Yellow Sea each reporting once a second,
 * with a tag-block time, plus one type 5 static report per vessel at the start); the worker (in this process, on
 * a DuckDB store) ingests it with 1 s batches, the position-key de-duplication and the cursor, and runs
 * incremental detection every 10 s. Measured: messages committed per second against sent, the detection lag of
 * each run (how old the oldest positions it covered were, from their commit), and how long the backlog takes to
 * drain once the feed stops. Target: keeps up at 5,000 messages/s with detection lag < 60 s.
 *
 * Writes bench/results/worker.md. Run: npx tsx bench/worker.ts [--rate 5000] [--seconds 60] [--screen] [--quiet N]
 * [--all-vessels] (`--quiet N`: see seedQuiet)
 * (`--all-vessels`: detection over every vessel of the window, not only those touched since the last run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePosition, singleSentence, type5Sentences } from '../src/maritime/simulate/nmea-encoder.js';
import { jsonLogger } from '../src/monitor/log.js';
import { MonitorWorker } from '../src/monitor/worker.js';
import { openStore } from '../src/store/open.js';
import { insertPositions } from '../test/maritime/helpers.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RATE = arg('--rate', 5000);
const SECONDS = arg('--seconds', 60);
const QUIET = arg('--quiet', 0);

/** The feed: `--feed <port>`; each connection gets RATE messages a second for SECONDS seconds, then it stops. */
async function feedMain(port: number): Promise<void> {
  const vessels = RATE;
  const state = Array.from({ length: vessels }, (_, v) => ({
    mmsi: 412_000_000 + v,
    lat: 31 + ((v * 7919) % 8500) / 1000,
    lon: 120.5 + ((v * 104729) % 5000) / 1000,
    cog: (v * 37) % 360,
    sog: 6 + (v % 12),
  }));
  let sent = 0;
  let served = false;
  const server = createServer((sock) => {
    sock.on('error', () => undefined);
    // One stream: a reconnection (after the stream ended) is held open and gets nothing.
    if (served) return;
    served = true;
    const t0 = Date.now();
    const statics: string[] = [];
    for (const [i, v] of state.entries())
      statics.push(
        ...type5Sentences(
          t0,
          'bench',
          {
            mmsi: v.mmsi,
            imo: null,
            callsign: `BX${i}`,
            name: `BENCH VESSEL ${i}`,
            shipType: 70,
            toBow: 100,
            toStern: 20,
            toPort: 10,
            toStarboard: 10,
            draughtM: 8,
            destination: 'NAMPO',
          },
          i % 10,
        ),
      );
    sock.write(`${statics.join('\r\n')}\r\n`);
    sent += vessels;
    let tick = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      const due = Math.min(Math.round(((now - t0) / 1000) * RATE), SECONDS * RATE);
      const lines: string[] = [];
      while (tick < due) {
        const v = state[tick % vessels]!;
        const dtS = 1;
        const rad = (v.cog * Math.PI) / 180;
        v.lat += (v.sog * dtS * Math.cos(rad)) / 216_000;
        v.lon += (v.sog * dtS * Math.sin(rad)) / (216_000 * Math.cos((v.lat * Math.PI) / 180));
        const tsMs = t0 + Math.floor(tick / RATE) * 1000;
        lines.push(
          singleSentence(
            tsMs,
            'bench',
            encodePosition({
              msgType: 1,
              mmsi: v.mmsi,
              tsMs,
              lat: v.lat,
              lon: v.lon,
              sogKn: v.sog,
              cogDeg: v.cog,
              headingDeg: v.cog,
              navStatus: 0,
            }),
          ),
        );
        tick++;
      }
      if (lines.length) {
        sock.write(`${lines.join('\r\n')}\r\n`);
        sent += lines.length;
        process.stdout.write(`sent ${sent}\n`);
      }
      if (tick >= SECONDS * RATE) {
        clearInterval(timer);
        process.stdout.write(`done ${sent}\n`);
      }
    }, 10);
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
}

/**
 * `--quiet N`: the store already holds the last day of N other vessels of the same sea that do not report during
 * the run (they passed through, or went out of range), detected already: what a store that has been running looks
 * like. They are in every run's look-back window; incremental runs leave them out unless they could meet a vessel
 * that reports.
 */
async function seedQuiet(store: Awaited<ReturnType<typeof openStore>>, n: number): Promise<void> {
  const t0 = Date.now();
  const perVessel = 24;
  const rows = n * perVessel;
  const mmsi = new Int32Array(rows);
  const ts: bigint[] = new Array(rows);
  const lat = new Float64Array(rows);
  const lon = new Float64Array(rows);
  const sog = new Float32Array(rows);
  const cog = new Float32Array(rows);
  let k = 0;
  for (let v = 0; v < n; v++) {
    const la = 31 + ((v * 3571) % 8500) / 1000;
    const lo = 120.5 + ((v * 7243) % 5000) / 1000;
    for (let i = 0; i < perVessel; i++) {
      mmsi[k] = 413_000_000 + v;
      // One position an hour from 26 h to 3 h before the feed starts, 10 kn to the north-east.
      ts[k] = BigInt(t0 - (26 - i) * 3_600_000);
      lat[k] = la + i * 0.12;
      lon[k] = lo + i * 0.14;
      sog[k] = 10;
      cog[k] = 45;
      k++;
    }
  }
  await insertPositions(store, 'bench-quiet', { mmsi, ts, lat, lon, sog, cog });
  await store.db.bulkInsert(
    'vessel_identity',
    [
      { name: 'mmsi', type: 'int' },
      { name: 'first_seen', type: 'bigint' },
      { name: 'last_seen', type: 'bigint' },
      { name: 'messages', type: 'int' },
    ],
    [
      {
        length: n,
        columns: [
          Int32Array.from({ length: n }, (_, v) => 413_000_000 + v),
          Array.from({ length: n }, () => BigInt(t0 - 26 * 3_600_000)),
          Array.from({ length: n }, () => BigInt(t0 - 3 * 3_600_000)),
          new Int32Array(n).fill(perVessel),
        ],
      },
    ],
  );
  // Detected already (a run covered them before this one started).
  await store.db.query('INSERT INTO maritime_detect_imports (import_id, detected_at, run_id) VALUES ($1, $2, $3)', [
    'bench-quiet',
    new Date().toISOString(),
    'bench-seed',
  ]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-bench-worker-'));
  const url = path.join(dir, 'w.duckdb');
  const store = await openStore({ url });
  const port = 20000 + (process.pid % 20000);
  const feed: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--feed',
      String(port),
      '--rate',
      String(RATE),
      '--seconds',
      String(SECONDS),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let sent = 0;
  let feedDone = false;
  await new Promise<void>((resolve) => {
    feed.stdout!.setEncoding('utf8').on('data', (d: string) => {
      for (const line of d.split('\n')) {
        if (line.startsWith('listening')) resolve();
        const m = /^(sent|done) (\d+)/.exec(line);
        if (m) sent = Number(m[2]);
        if (line.startsWith('done')) feedDone = true;
      }
    });
  });
  if (QUIET > 0) await seedQuiet(store, QUIET);
  const runs: Array<{
    lagMs: number;
    ms: number;
    positions: number;
    vessels: number;
    timingsMs: Record<string, number>;
  }> = [];
  // Commits of feed batches (ms): the longest pause between two shows how long detection held ingest up.
  const commits: number[] = [];
  const worker = new MonitorWorker({
    store,
    storeUrl: url,
    feeds: [{ id: `tcp://127.0.0.1:${port}`, tcp: { host: '127.0.0.1', port } }],
    detectEveryMs: 10_000,
    deliverEveryMs: 0,
    flushMs: 1000,
    idleTimeoutMs: 0,
    screen: process.argv.includes('--screen'),
    incremental: !process.argv.includes('--all-vessels'),
    log: jsonLogger({
      level: 'debug',
      write: (line) => {
        const r = JSON.parse(line) as {
          event: string;
          upToDate?: boolean;
          lagMs?: number;
          ms?: number;
          positions?: number;
          vessels?: number;
          timingsMs?: Record<string, number>;
        };
        if (r.event === 'feed.batch') commits.push(Date.now());
        if (r.event === 'job.done' && r.upToDate === false)
          runs.push({
            lagMs: r.lagMs ?? 0,
            ms: r.ms ?? 0,
            positions: r.positions ?? 0,
            vessels: r.vessels ?? 0,
            timingsMs: r.timingsMs ?? {},
          });
        if (r.event === 'job.failed' || r.event === 'worker.pass_failed') process.stderr.write(line);
      },
    }),
  });
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await worker.start();
  const committed = async (): Promise<number> => {
    const [r] = await store.db.query('SELECT messages FROM monitor_feeds');
    return Number(r?.messages ?? 0);
  };
  const samples: Array<{ t: number; sent: number; committed: number }> = [];
  while (!feedDone) {
    await new Promise((r) => setTimeout(r, 5000));
    samples.push({ t: (Date.now() - t0) / 1000, sent, committed: await committed() });
    process.stderr.write(`${JSON.stringify(samples.at(-1))}\n`);
  }
  const feedEnd = Date.now();
  const backlogAtEnd = sent - (await committed());
  while ((await committed()) < sent) await new Promise((r) => setTimeout(r, 200));
  const drainS = (Date.now() - feedEnd) / 1000;
  // The last detection run covers the last batches.
  const { detectionLagMs } = await import('../src/monitor/worker.js');
  while ((await detectionLagMs(store)) > 0) await new Promise((r) => setTimeout(r, 200));
  const wallS = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await worker.stop();
  const [pos] = await store.db.query('SELECT count(*) AS n FROM positions');
  await store.close();
  feed.kill();
  rmSync(dir, { recursive: true, force: true });

  const lags = runs.map((r) => r.lagMs / 1000);
  let maxPauseMs = 0;
  for (let i = 1; i < commits.length; i++) maxPauseMs = Math.max(maxPauseMs, commits[i]! - commits[i - 1]!);
  // Where a run's time goes: each phase's longest time over the runs.
  const phases = new Map<string, number>();
  for (const r of runs)
    for (const [k, v] of Object.entries(r.timingsMs)) phases.set(k, Math.max(phases.get(k) ?? 0, v));
  const maxLag = Math.max(...lags);
  // Over the same window while the feed ran (from the 10 s mark to the last sample before it stopped).
  const steady = samples.filter((s) => s.t > 10 && s.sent < sent);
  const span = steady.length > 1 ? steady.at(-1)!.t - steady[0]!.t : Number.NaN;
  const ratePerS = steady.length > 1 ? (steady.at(-1)!.committed - steady[0]!.committed) / span : Number.NaN;
  const sentPerS = steady.length > 1 ? (steady.at(-1)!.sent - steady[0]!.sent) / span : Number.NaN;
  const md = [
    '## Monitoring worker: live feed ingest and detection lag',
    '',
    `Feed: ${RATE.toLocaleString('en-US')} AIS messages/s (type 1, ${RATE.toLocaleString('en-US')} vessels once a second, tag-block times) for ${SECONDS} s over TCP from a separate process; worker in one process on DuckDB, 1 s batches with the position-key de-duplication and the feed cursor, detection every 10 s${process.argv.includes('--screen') ? ' with screening' : ' (screening off: no lists loaded)'}, ${process.argv.includes('--all-vessels') ? 'over every vessel of the window' : 'incremental (the vessels touched since the last run and their neighbours)'}${QUIET ? `; the store holds the last day of ${QUIET.toLocaleString('en-US')} other vessels that do not report` : ''}. ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| Figure | Value | Target |',
    '|---|---|---|',
    `| Messages sent / committed | ${sent.toLocaleString('en-US')} / ${sent.toLocaleString('en-US')} (positions stored ${Number(pos?.n).toLocaleString('en-US')}) | all |`,
    `| Sent / committed per second, steady state | ${Math.round(sentPerS).toLocaleString('en-US')} / ${Math.round(ratePerS).toLocaleString('en-US')} | committed = sent |`,
    `| Backlog when the feed stopped | ${backlogAtEnd.toLocaleString('en-US')} messages, drained in ${drainS.toFixed(1)} s | small |`,
    `| Detection runs | ${runs.length} (each ${Math.min(...runs.map((r) => r.ms))}-${Math.max(...runs.map((r) => r.ms))} ms, up to ${Math.max(...runs.map((r) => r.positions)).toLocaleString('en-US')} positions) | |`,
    `| Detection lag, max over runs | ${maxLag.toFixed(1)} s (median ${lags.sort((a, b) => a - b)[Math.floor(lags.length / 2)]!.toFixed(1)} s) | < 60 s |`,
    `| Vessels handed to the detectors per run | ${runs.map((r) => r.vessels).join(', ')} | |`,
    `| Longest pause between two committed feed batches (1 s batches) | ${(maxPauseMs / 1000).toFixed(1)} s | ~1 s |`,
    `| Longest phase of a run (ms) | ${[...phases].map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')} | |`,
    `| Worker CPU (user + system) | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s over ${wallS.toFixed(1)} s | |`,
    '',
  ].join('\n');
  writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'worker.md'), md);
  process.stdout.write(md);
}

const f = process.argv.indexOf('--feed');
if (f > 0) await feedMain(Number(process.argv[f + 1]));
else await main();
