/**
 * Scaling benchmark (issue 19): import and per-vessel detection of N simulated positions on one PostgreSQL node
 * vs the 3-node Citus cluster (a coordinator and two workers) on this machine. The machine has 2 cores shared by
 * everything, so wall time says little: the figures are CPU seconds per node (each server's postmaster with its
 * exited and live backends, read from /proc) and per client process, and rows per node.
 *
 *   npx tsx bench/cluster.ts [--positions 10000000] [--workers 2] [--layout sequential|stacked]
 *                            [--one-process auto|yes|no] [--setups both|one-node|citus] [--out FILE]
 *                            [--columnar-after DAYS] [--statements]
 *
 * Data: copies of the simulated Yellow Sea scenario (src/cluster/sim-dataset.ts), generated once and written to
 * both stores; `sequential` (the default) puts copy k k × 3 days after the first, `stacked` puts every copy over
 * the same three days (n fleets in one sea: encounter cells then grow with the square of n).
 * The one-process reference holds every position of the store in one process: `auto` runs it up to 20 M
 * positions (above that it needs more memory than a worker is given, which is what the workers are for).
 * Detection: `planRun` + worker processes (test/cluster/worker-child.ts, as `cluster detect-worker`), every
 * detector (encounters by cell × slot units included); then one process running every detector over all positions
 * of the same store, and (with the one-process run) over the same copies in an embedded DuckDB file. Findings
 * parity: the sets of findings (one node / Citus × workers / one process, and DuckDB), read back from each store,
 * compared by id and by the sha256 of each finding's canonical JSON.
 * `--columnar-after DAYS` (Citus only; the single node has no columnar access method): after the heap detection,
 * the retention of `store retain --columnar-after DAYS` (src/store/postgres/partitions.ts), with "now" the end of
 * the last day that holds positions (so DAYS = 0 converts every day partition); storage of the positions
 * partitions per node before and after (pg_table_size, pg_indexes_size of every shard of every day partition),
 * the conversion's wall and server CPU, then detection by the workers again on the columnar layout and its
 * findings compared with the heap run's.
 * `--statements` (single node only): the node is restarted with pg_stat_statements and track_io_timing; the
 * detection by workers is broken down by statement (server execution time, rows, buffers), then one per-vessel
 * unit's reads are run alone with the backend's CPU read from /proc around each (the production read and
 * variants: unordered, ordered by (mmsi, ts) only, the count), and EXPLAIN (ANALYZE, BUFFERS) of the production
 * read.
 * Writes bench/results/cluster.md (or --out).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CELL_KIND, planRun } from '../src/cluster/detect-queue.js';
import { type SimLayout, simulatedCopy, writeCopy } from '../src/cluster/sim-dataset.js';
import { DETECTOR_KINDS, runDetectors } from '../src/maritime/events/index.js';
import { buildGeoContext } from '../src/maritime/geo/context.js';
import {
  loadPositions,
  loadStatics,
  POSITION_SELECT,
  POSITION_SELECT_UNORDERED,
  sortByVesselTime,
} from '../src/maritime/tracks/load.js';
import { buildTracks } from '../src/maritime/tracks/segment.js';
import { PositionBuilder } from '../src/maritime/tracks/types.js';
import { openDb, openStore } from '../src/store/open.js';
import { CopyBinaryDecoder } from '../src/store/postgres/copy-binary.js';
import { columnarAfter } from '../src/store/postgres/partitions.js';
import type { Store } from '../src/store/store.js';
import { canonicalJson } from '../src/util/canonical-json.js';
import { startTestCitus } from '../test/support/citus.js';
import { PG_BIN, startTestPostgres } from '../test/support/postgres.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const TARGET = Number(arg('positions', '10000000'));
const WORKERS = Number(arg('workers', '2'));
const LAYOUT = arg('layout', 'sequential') as SimLayout;
if (LAYOUT !== 'sequential' && LAYOUT !== 'stacked') throw new Error(`--layout ${LAYOUT}: sequential or stacked`);
const ONE_PROCESS = arg('one-process', 'auto');
const OUT = arg('out', 'bench/results/cluster.md');
const SETUPS = arg('setups', 'both');
if (!['both', 'one-node', 'citus'].includes(SETUPS)) throw new Error(`--setups ${SETUPS}: both, one-node or citus`);
const COLUMNAR_AFTER = process.argv.includes('--columnar-after') ? Number(arg('columnar-after', '')) : undefined;
if (COLUMNAR_AFTER !== undefined && !(COLUMNAR_AFTER >= 0)) throw new Error('--columnar-after: a number of days');
const STATEMENTS = process.argv.includes('--statements');
const TICK = 100; // USER_HZ

function procCpu(pid: number, children: boolean): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    const [ut, st, cut, cst] = [rest[11], rest[12], rest[13], rest[14]].map(Number);
    return ((ut ?? 0) + (st ?? 0) + (children ? (cut ?? 0) + (cst ?? 0) : 0)) / TICK;
  } catch {
    return 0;
  }
}

/** CPU seconds of a server so far: its postmaster (with reaped backends) and its live backends. */
async function serverCpu(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const [r] = (await c.query('SELECT pg_backend_pid() AS pid')).rows;
  // Read the backend's parent (the postmaster) while the backend is alive: it exits with the connection.
  // The servers' processes may be hidden from this user (/proc hidepid): then per-node CPU is not measurable.
  let stat: string;
  try {
    stat = readFileSync(`/proc/${r.pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  } finally {
    await c.end();
  }
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  let total = procCpu(ppid, true);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === ppid) total += procCpu(Number(d), false);
    } catch {}
  }
  return total;
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: all processes, other users' jobs included). */
function machineCpu(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return (f.reduce((a, b) => a + b, 0) - idle) / TICK;
}

/** Stored findings as id → sha256 of the canonical JSON (keys sorted). */
async function findingHashes(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await store.queryFindings({ limit: 1_000_000 }))
    out.set(f.id, createHash('sha256').update(canonicalJson(f)).digest('hex'));
  return out;
}

function compare(a: Map<string, string>, b: Map<string, string>): string {
  let same = 0;
  let differ = 0;
  let onlyA = 0;
  for (const [id, h] of a) {
    const o = b.get(id);
    if (o === undefined) onlyA++;
    else if (o === h) same++;
    else differ++;
  }
  const onlyB = [...b.keys()].filter((id) => !a.has(id)).length;
  const ok = differ === 0 && onlyA === 0 && onlyB === 0;
  return `${ok ? 'identical' : 'DIFFERENT'}: ${same.toLocaleString('en-US')} same id and hash, ${differ} same id other content, ${onlyA} only left, ${onlyB} only right`;
}

interface Setup {
  name: string;
  store: Store;
  url: string;
  nodes: Array<{ name: string; url: string }>;
}

process.on('exit', (code) => process.stderr.write(`bench/cluster.ts: exit ${code}\n`));
const single = SETUPS !== 'citus' ? await startTestPostgres('cluster-bench') : undefined;
const citus = SETUPS !== 'one-node' ? await startTestCitus() : undefined;
if (SETUPS !== 'citus' && !single) throw new Error('no PostgreSQL');
/** Restart the single node with pg_stat_statements preloaded and I/O timing on (`--statements`). */
async function restartWithStatements(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const dir = String((await c.query('SHOW data_directory')).rows[0].data_directory);
  await c.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  await c.query('ALTER SYSTEM SET track_io_timing = on');
  await c.end();
  const ctl = path.join(PG_BIN, 'pg_ctl');
  const args = ['-D', dir, '-l', path.join(dir, '..', 'log-restart'), '-w', '-t', '60', 'restart'];
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(asRoot ? 'runuser' : ctl, asRoot ? ['-u', 'postgres', '--', ctl, ...args] : args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`pg_ctl restart failed: ${r.stderr || r.stdout}`);
  const c2 = new pg.Client({ connectionString: url });
  await c2.connect();
  await c2.query('CREATE SCHEMA IF NOT EXISTS stat');
  await c2.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA stat');
  await c2.query('ALTER SYSTEM SET pg_stat_statements.track_planning = on');
  await c2.query('SELECT pg_reload_conf()');
  await c2.end();
}

const setups: Setup[] = [];
if (single) {
  if (STATEMENTS) await restartWithStatements(single.url);
  const db = await openDb(single.url);
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await db.close();
  setups.push({
    name: 'one node',
    store: await openStore({ url: single.url }),
    url: single.url,
    nodes: [{ name: 'node', url: single.url }],
  });
}
if (citus)
  setups.push({
    name: 'Citus 3 nodes',
    store: await openStore({ url: citus.url }),
    url: citus.url,
    nodes: [
      { name: 'coordinator', url: citus.url },
      ...citus.workers.map((_, i) => ({ name: `worker ${i + 1}`, url: citus.workerUrl(i) })),
    ],
  });

const cpuAll = async (s: Setup) => Promise.all(s.nodes.map((n) => serverCpu(n.url)));
/** A node's CPU seconds, or why there is none (its processes are hidden from this user). */
const cpuCell = (x: number): string => (Number.isNaN(x) ? 'not readable' : x.toFixed(1));
const importCpu = new Map<string, { wall: number; client: number; nodes: number[]; machine: number }>();
const before = new Map<string, number[]>();
for (const s of setups) before.set(s.name, await cpuAll(s));
let total = 0;
let copies = 0;
const acc = new Map<string, { wall: number; client: number; machine: number }>();
// The embedded store as a third reference (one process, same copies) wherever the one-process run is made.
const duckDir =
  ONE_PROCESS === 'yes' || (ONE_PROCESS === 'auto' && TARGET <= 20_000_000)
    ? mkdtempSync(path.join(os.tmpdir(), 'wk-cluster-duck-'))
    : undefined;
const duck = duckDir ? await openStore({ url: path.join(duckDir, 'bench.duckdb') }) : undefined;
while (total < TARGET) {
  const c = simulatedCopy(copies, 101, LAYOUT);
  if (duck) await writeCopy(duck, c, `sim:copy-${copies}`);
  for (const s of setups) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const m0 = machineCpu();
    await writeCopy(s.store, c, `sim:copy-${copies}`);
    const a = acc.get(s.name) ?? { wall: 0, client: 0, machine: 0 };
    a.machine += machineCpu() - m0;
    const d = process.cpuUsage(c0);
    a.wall += (performance.now() - t0) / 1000;
    a.client += (d.user + d.system) / 1e6;
    acc.set(s.name, a);
  }
  total += c.positions.length;
  copies++;
  process.stderr.write(`\r${total.toLocaleString('en-US')} positions written`);
}
process.stderr.write('\n');
for (const s of setups) {
  const after = await cpuAll(s);
  const b = before.get(s.name) as number[];
  importCpu.set(s.name, {
    ...(acc.get(s.name) as { wall: number; client: number; machine: number }),
    nodes: after.map((x, i) => x - b[i]!),
  });
}

/** Each node's database size on disk (tables, indexes, TOAST), bytes. */
async function sizesPerNode(s: Setup): Promise<number[]> {
  const out: number[] = [];
  for (const n of s.nodes) {
    const c = new pg.Client({ connectionString: n.url });
    await c.connect();
    out.push(Number((await c.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b));
    await c.end();
  }
  return out;
}

async function rowsPerNode(s: Setup): Promise<number[]> {
  if (s.nodes.length === 1) {
    const [r] = await s.store.db.query('SELECT count(*) AS n FROM positions');
    return [Number(r?.n)];
  }
  const rows = await s.store.db.query(
    `SELECT nodeport AS port, sum(shard_size) AS bytes FROM citus_shards GROUP BY nodeport ORDER BY nodeport`,
  );
  const out: number[] = [0];
  for (let i = 0; i < (citus?.workers.length ?? 0); i++) {
    const c = new pg.Client({ connectionString: citus!.workerUrl(i) });
    await c.connect();
    await c.query('SET citus.override_table_visibility TO off');
    const names = (await c.query("SELECT relname FROM pg_class WHERE relname ~ '^positions_[0-9]+$' AND relkind = 'p'"))
      .rows;
    let n = 0;
    for (const r of names) n += Number((await c.query(`SELECT count(*) AS n FROM ${r.relname}`)).rows[0].n);
    out.push(n);
    await c.end();
  }
  void rows;
  return out;
}

/** Detection by WORKERS worker processes on a setup: the table line and the findings (id → sha256). */
async function detectByWorkers(
  s: Setup,
  phase: string,
): Promise<{ line: string; hashes: Map<string, string>; run: Awaited<ReturnType<typeof planRun>> }> {
  process.stderr.write(`${s.name}: ${phase} ${WORKERS} workers\n`);
  const names = s.nodes.map((n) => n.name);
  const b = await cpuAll(s);
  await s.store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
  const run = await planRun(s.store, { minUnits: WORKERS * 4 });
  const t0 = performance.now();
  const m0 = machineCpu();
  const outs = await Promise.all(
    Array.from(
      { length: WORKERS },
      () =>
        new Promise<string>((resolve) => {
          const p = spawn(
            process.execPath,
            ['--import', 'tsx', 'test/cluster/worker-child.ts', s.url, 'run', '600000'],
            {
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          let t = '';
          p.stdout.on('data', (d: Buffer) => {
            t += d.toString();
          });
          p.on('exit', () => resolve(t));
        }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const machine = machineCpu() - m0;
  const load = os.loadavg()[0]!;
  const a = await cpuAll(s);
  const stats = outs.map(
    (o) => JSON.parse(o.trim().split('\n').pop() as string) as { cpuS: number; findings: number; units: number },
  );
  const [cells] = await s.store.db.query('SELECT count(*) AS n FROM monitor_jobs WHERE kind = $1 AND id LIKE $2', [
    CELL_KIND,
    `cdetect:${run.runId}:%`,
  ]);
  const units = stats.reduce((x, y) => x + y.units, 0);
  return {
    line: `| ${s.name} | ${phase} ${WORKERS} workers (${units} units: ${run.units.length - 1} per-vessel, 1 plan, ${Number(cells?.n)} cell × slot; ${stats.reduce((x, y) => x + y.findings, 0)} findings; load ${load.toFixed(1)} at the end) | ${wall.toFixed(1)} | ${stats.map((x) => x.cpuS.toFixed(1)).join(' + ')} | ${machine.toFixed(1)} | ${a.map((x, i) => `${names[i]} ${cpuCell(x - b[i]!)}`).join(', ')} | |`,
    hashes: await findingHashes(s.store),
    run,
  };
}

/** Storage of the positions day partitions (every shard of them on Citus) per node: table and index bytes. */
async function positionStorage(
  s: Setup,
): Promise<Array<{ table: number; index: number; parts: number; columnar: number; indexes: string }>> {
  const out: Array<{ table: number; index: number; parts: number; columnar: number; indexes: string }> = [];
  for (const n of s.nodes) {
    const c = new pg.Client({ connectionString: n.url });
    await c.connect();
    if (s.nodes.length > 1) await c.query('SET citus.override_table_visibility TO off');
    const [r] = (
      await c.query(
        `SELECT coalesce(sum(pg_table_size(c.oid)), 0) AS t, coalesce(sum(pg_indexes_size(c.oid)), 0) AS i,
                count(*) AS n, count(*) FILTER (WHERE am.amname = 'columnar') AS col
         FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam
         WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
           AND c.relname ~ '^positions_(p[0-9]{8}|default)(_[0-9]+)?$'`,
      )
    ).rows;
    const idx = (
      await c.query(
        `SELECT regexp_replace(pg_get_indexdef(x.indexrelid), '^.* USING [a-z]+ ', '') AS def,
                sum(pg_relation_size(x.indexrelid)) AS b
         FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
         WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
           AND c.relname ~ '^positions_(p[0-9]{8}|default)(_[0-9]+)?$'
         GROUP BY 1 ORDER BY 1`,
      )
    ).rows.map((x) => `${x.def} ${(Number(x.b) / 2 ** 20).toFixed(1)} MiB`);
    out.push({
      table: Number(r.t),
      index: Number(r.i),
      parts: Number(r.n),
      columnar: Number(r.col),
      indexes: idx.join(', '),
    });
    await c.end();
  }
  return out;
}

const statementLines: string[] = [];
const columnarLines: string[] = [];

/** Collapse literals so one statement shape (e.g. each unit's COPY with its own MMSI range) groups together. */
function shape(q: string): string {
  return q
    .replace(/\s+/g, ' ')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .replace(/\$N/g, '$')
    .trim();
}

/** Server time of the detection by workers per statement shape (pg_stat_statements on the single node). */
async function statementBreakdown(s: Setup): Promise<string[]> {
  const rows = await s.store.db.query(
    `SELECT query, calls, total_exec_time AS ex, total_plan_time AS pl, rows, shared_blks_hit AS hit,
            shared_blks_read AS rd, temp_blks_written AS tmp, blk_read_time AS io
     FROM stat.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const groups = new Map<
    string,
    { calls: number; ex: number; pl: number; rows: number; hit: number; rd: number; tmp: number; io: number }
  >();
  for (const r of rows) {
    const k = shape(String(r.query));
    const g = groups.get(k) ?? { calls: 0, ex: 0, pl: 0, rows: 0, hit: 0, rd: 0, tmp: 0, io: 0 };
    g.calls += Number(r.calls);
    g.ex += Number(r.ex);
    g.pl += Number(r.pl);
    g.rows += Number(r.rows);
    g.hit += Number(r.hit);
    g.rd += Number(r.rd);
    g.tmp += Number(r.tmp);
    g.io += Number(r.io);
    groups.set(k, g);
  }
  const all = [...groups.entries()].sort((a, b) => b[1].ex + b[1].pl - (a[1].ex + a[1].pl));
  const total = all.reduce((x, [, g]) => x + g.ex + g.pl, 0);
  const out = [
    '',
    `### Server time of the detection by ${WORKERS} workers, by statement (single node, pg_stat_statements)`,
    '',
    `${all.length} statement shapes, ${(total / 1000).toFixed(1)} s of server execution + planning time in all (time, not CPU: it includes waiting for a core on this shared host).`,
    '',
    '| statement (literals as N) | calls | exec s | plan s | share | rows | buffers hit / read | temp blocks written | read I/O s |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  let rest = 0;
  for (const [i, [k, g]] of all.entries()) {
    if (i >= 15) {
      rest += g.ex + g.pl;
      continue;
    }
    out.push(
      `| \`${k.length > 160 ? `${k.slice(0, 160)}…` : k}\` | ${g.calls} | ${(g.ex / 1000).toFixed(2)} | ${(g.pl / 1000).toFixed(2)} | ${((100 * (g.ex + g.pl)) / total).toFixed(1)}% | ${g.rows.toLocaleString('en-US')} | ${g.hit.toLocaleString('en-US')} / ${g.rd.toLocaleString('en-US')} | ${g.tmp.toLocaleString('en-US')} | ${(g.io / 1000).toFixed(2)} |`,
    );
  }
  if (rest > 0)
    out.push(
      `| ${all.length - 15} other shapes | | ${(rest / 1000).toFixed(2)} | | ${((100 * rest) / total).toFixed(1)}% | | | | |`,
    );
  return out;
}

/**
 * Server CPU of one statement: its own backend's (read from /proc around it) and every node's (the whole server, so
 * on Citus the workers' backends that the coordinator opens too); best of `times` by backend CPU; COPY drained.
 */
async function backendCpu(
  s: Setup,
  setup: string[],
  sql: string,
  times = 3,
): Promise<{ cpu: number; nodes: number[]; wall: number; bytes: number }> {
  let best = { cpu: Number.POSITIVE_INFINITY, nodes: [] as number[], wall: Number.POSITIVE_INFINITY, bytes: 0 };
  for (let k = 0; k < times; k++) {
    const c = new pg.Client({ connectionString: s.url });
    await c.connect();
    const pid = Number((await c.query('SELECT pg_backend_pid() AS p')).rows[0].p);
    for (const q of setup) await c.query(q);
    const n0 = await cpuAll(s);
    const c0 = procCpu(pid, false);
    const t0 = performance.now();
    let bytes = 0;
    if (sql.startsWith('COPY')) {
      const stream = c.query(copyTo(sql));
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
    } else await c.query(sql);
    const wall = (performance.now() - t0) / 1000;
    const cpu = procCpu(pid, false) - c0;
    const n1 = await cpuAll(s);
    await c.end();
    if (cpu < best.cpu) best = { cpu, nodes: n1.map((x, i) => x - n0[i]!), wall, bytes };
  }
  return best;
}

/** One per-vessel unit's reads alone on the single node: CPU per variant and EXPLAIN (ANALYZE, BUFFERS). */
async function unitReads(s: Setup, u: { lo: number; hi: number; positions: number }, layout = ''): Promise<string[]> {
  const where = `WHERE mmsi >= ${u.lo} AND mmsi <= ${u.hi}`;
  const prod = POSITION_SELECT(where);
  const cols = prod.slice(0, prod.indexOf('ORDER BY'));
  const wm = ["SET work_mem = '256MB'"];
  const variants: Array<[string, string[], string]> = [
    [
      'count(*) of the unit (before session 10 loadPositions sized a unit with it)',
      [],
      `SELECT count(*) FROM positions ${where}`,
    ],
    [
      'ordered: COPY binary ORDER BY mmsi, ts, lat, lon, work_mem 256MB (the read before session 10)',
      wm,
      `COPY (${prod}) TO STDOUT (FORMAT binary)`,
    ],
    ['ordered by (mmsi, ts) only', wm, `COPY (${cols} ORDER BY mmsi, ts) TO STDOUT (FORMAT binary)`],
    [
      'unordered: the read now (POSITION_SELECT_UNORDERED; the client sorts)',
      [],
      `COPY (${POSITION_SELECT_UNORDERED(where)}) TO STDOUT (FORMAT binary)`,
    ],
    [
      'static reports of the unit (loadStatics)',
      [],
      `SELECT mmsi, ts, imo, name, callsign, ship_type, draught, destination, import_id FROM vessel_static ${where} ORDER BY mmsi, ts`,
    ],
  ];
  const [parts] = await s.store.db.query(
    "SELECT count(*) AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'positions'",
  );
  const out = [
    '',
    `### One per-vessel unit's reads alone (${s.name}${layout}; MMSI ${u.lo}-${u.hi}, ${u.positions.toLocaleString('en-US')} positions, ${Number(parts?.n)} day partitions of positions)`,
    '',
    `CPU read from /proc around each statement: the backend that runs it (${s.nodes[0]!.name}) and every node in all (the whole server: on Citus, the workers' backends the coordinator opens, and the bench's own look-ups); best of 3 by backend CPU; load ${os.loadavg()[0]!.toFixed(1)} before.`,
    '',
    '| read | backend CPU s | CPU s per node | wall s | bytes out |',
    '|---|---|---|---|---|',
  ];
  // The read as the per-vessel unit makes it (this version of loadPositions): client CPU (decoding and, on
  // PostgreSQL, the client-side sort) and each node's CPU, best of 3 by the nodes' total.
  let best = { client: 0, nodes: [] as number[], wall: 0, sum: Number.POSITIVE_INFINITY };
  for (let k = 0; k < 3; k++) {
    const n0 = await cpuAll(s);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const cols = await loadPositions(s.store.db, { mmsiRange: [u.lo, u.hi] });
    const wall = (performance.now() - t0) / 1000;
    const d = process.cpuUsage(c0);
    const n1 = await cpuAll(s);
    if (cols.length !== u.positions) throw new Error(`unit read ${cols.length} positions, planned ${u.positions}`);
    const nodes = n1.map((x, i) => x - n0[i]!);
    const client = (d.user + d.system) / 1e6;
    const sum = nodes.reduce((a, b) => a + b, 0);
    if (sum < best.sum) best = { client, nodes, wall, sum };
  }
  // The client-side sort alone, on the rows as the unordered read delivers them.
  {
    const pb = new PositionBuilder(u.positions + 1);
    const decoder = new CopyBinaryDecoder(['int', 'double', 'double', 'double', 'real', 'real', 'int'], {
      row(v) {
        pb.push(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, 0);
      },
    });
    const c = new pg.Client({ connectionString: s.url });
    await c.connect();
    for await (const chunk of c.query(copyTo(`COPY (${POSITION_SELECT_UNORDERED(where)}) TO STDOUT (FORMAT binary)`)))
      decoder.push(chunk as Buffer);
    decoder.end();
    await c.end();
    const c0 = process.cpuUsage();
    sortByVesselTime(pb);
    const d = process.cpuUsage(c0);
    out.push(
      `| sortByVesselTime alone on those ${pb.length.toLocaleString('en-US')} rows as they arrive: client CPU ${((d.user + d.system) / 1e6).toFixed(2)} s | | | | |`,
    );
  }
  out.push(
    `| loadPositions of the unit as the worker calls it (client CPU ${best.client.toFixed(2)} s: decoding and any client-side sort) | | ${best.nodes.map((x, i) => `${s.nodes[i]!.name} ${x.toFixed(2)}`).join(', ')} | ${best.wall.toFixed(2)} | |`,
  );
  for (const [name, setup, sql] of variants) {
    const r = await backendCpu(s, setup, sql);
    out.push(
      `| ${name} | ${r.cpu.toFixed(2)} | ${r.nodes.map((x, i) => `${s.nodes[i]!.name} ${x.toFixed(2)}`).join(', ')} | ${r.wall.toFixed(2)} | ${r.bytes ? r.bytes.toLocaleString('en-US') : ''} |`,
    );
  }
  for (const [title, setup, sql] of [
    ['the ordered read (before session 10)', wm, prod],
    ['the unordered read (now)', [], POSITION_SELECT_UNORDERED(where)],
    ['the count', [], `SELECT count(*) FROM positions ${where}`],
  ] as Array<[string, string[], string]>) {
    const c = new pg.Client({ connectionString: s.url });
    await c.connect();
    for (const q of setup) await c.query(q);
    const plan = (await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`)).rows.map((r) => String(r['QUERY PLAN']));
    await c.end();
    // Partition-level lines repeat once per partition: keep the first few of each kind and the totals.
    const kept: string[] = [];
    const seen = new Map<string, number>();
    let dropped = 0;
    // A line is kept when it is near the top of the plan (the sort, the append, the totals) or among the first two
    // of its kind (same text once partition names and numbers are blanked, whatever the depth).
    for (const l of plan) {
      const k = l
        .trim()
        .replace(/positions_(p\d+|default)(_\d+)?/g, 'positions_N')
        .replace(/\d+(\.\d+)?/g, 'N');
      const n = (seen.get(k) ?? 0) + 1;
      seen.set(k, n);
      const depth = l.length - l.trimStart().length;
      if (n <= 2 || depth <= 6) kept.push(l);
      else dropped++;
    }
    out.push(
      '',
      `EXPLAIN (ANALYZE, BUFFERS) of ${title} (${dropped} repeated per-partition lines left out):`,
      '',
      '```',
      ...kept,
      '```',
    );
  }
  return out;
}

const runOneProcess = ONE_PROCESS === 'yes' || (ONE_PROCESS === 'auto' && total <= 20_000_000);
const parity: Array<{ name: string; byWorkers: Map<string, string>; oneProcess: Map<string, string> }> = [];
const lines = [
  '## Import and detection: one node vs Citus (bench/cluster.ts)',
  '',
  `${total.toLocaleString('en-US')} simulated positions (${copies} copies of the Yellow Sea scenario, ${LAYOUT === 'sequential' ? 'one after another in time' : 'stacked over the same three days'}); ${os.cpus().length} shared cores, ` +
    `load ${os.loadavg()[0]!.toFixed(1)} at the end of the import; ${WORKERS} detection worker processes per setup.`,
  '',
  '| setup | phase | wall s | client CPU s | machine CPU s | CPU s per node | rows per node |',
  '|---|---|---|---|---|---|---|',
];
for (const s of setups) {
  const imp = importCpu.get(s.name)!;
  const rows = await rowsPerNode(s);
  const names = s.nodes.map((n) => n.name);
  lines.push(
    `| ${s.name} | import | ${imp.wall.toFixed(1)} | ${imp.client.toFixed(1)} | ${imp.machine.toFixed(1)} | ${imp.nodes.map((x, i) => `${names[i]} ${cpuCell(x)}`).join(', ')} | ${rows.map((x, i) => `${names[i]} ${x.toLocaleString('en-US')}`).join(', ')} (database ${(await sizesPerNode(s)).map((x, i) => `${names[i]} ${(x / 2 ** 30).toFixed(2)} GiB`).join(', ')}) |`,
  );
  if (STATEMENTS && s.nodes.length === 1) await s.store.db.query('SELECT stat.pg_stat_statements_reset()');
  const det = await detectByWorkers(s, 'detection by');
  lines.push(det.line);
  if (STATEMENTS && s.nodes.length === 1) statementLines.push(...(await statementBreakdown(s)));
  if (STATEMENTS) statementLines.push(...(await unitReads(s, det.run.units[0]!)));
  const byWorkers = det.hashes;
  await s.store.db.exec('DELETE FROM finding_subjects; DELETE FROM findings');
  // One process, every detector over all positions of the store (the single-run reference).
  if (runOneProcess) {
    process.stderr.write(`${s.name}: detection by one process\n`);
    const b1 = await cpuAll(s);
    const c0 = process.cpuUsage();
    const t1 = performance.now();
    const m1 = machineCpu();
    const tracks = buildTracks(await loadPositions(s.store.db), await loadStatics(s.store.db));
    const found = runDetectors(tracks, buildGeoContext(det.run.bbox), { kinds: DETECTOR_KINDS });
    const d = process.cpuUsage(c0);
    const a1 = await cpuAll(s);
    lines.push(
      `| ${s.name} | detection by one process (${found.length} findings, ${found.filter((f) => f.kind === 'ais.encounter').length} encounters) | ${((performance.now() - t1) / 1000).toFixed(1)} | ${((d.user + d.system) / 1e6).toFixed(1)} | ${(machineCpu() - m1).toFixed(1)} | ${a1.map((x, i) => `${names[i]} ${cpuCell(x - b1[i]!)}`).join(', ')} | |`,
    );
    await s.store.putFindings(found);
  }
  const oneProcess = runOneProcess ? await findingHashes(s.store) : new Map<string, string>();
  parity.push({ name: s.name, byWorkers, oneProcess });
  if (COLUMNAR_AFTER !== undefined && s.nodes.length === 1)
    columnarLines.push(`- ${s.name}: no columnar conversion (plain PostgreSQL has no columnar access method).`);
  if (COLUMNAR_AFTER !== undefined && s.nodes.length > 1) {
    const heap = await positionStorage(s);
    const [mx] = await s.store.db.query('SELECT max(ts) AS t FROM positions');
    const now = (Math.floor(Number(mx?.t) / 86_400_000) + 1) * 86_400_000;
    process.stderr.write(`${s.name}: store retain --columnar-after ${COLUMNAR_AFTER}\n`);
    const b2 = await cpuAll(s);
    const c2 = process.cpuUsage();
    const t2 = performance.now();
    const m2 = machineCpu();
    const r = await columnarAfter(s.store.db, COLUMNAR_AFTER, now);
    const wall2 = (performance.now() - t2) / 1000;
    const machine2 = machineCpu() - m2;
    const d2 = process.cpuUsage(c2);
    const a2 = await cpuAll(s);
    lines.push(
      `| ${s.name} | store retain --columnar-after ${COLUMNAR_AFTER} (${r.converted.length} day partitions to columnar, ${r.kept} kept as heap; load ${os.loadavg()[0]!.toFixed(1)} at the end) | ${wall2.toFixed(1)} | ${((d2.user + d2.system) / 1e6).toFixed(1)} | ${machine2.toFixed(1)} | ${a2.map((x, i) => `${names[i]} ${cpuCell(x - b2[i]!)}`).join(', ')} | |`,
    );
    const col = await positionStorage(s);
    const det2 = await detectByWorkers(s, 'columnar: detection by');
    lines.push(det2.line);
    if (STATEMENTS) statementLines.push(...(await unitReads(s, det2.run.units[0]!, ', every day partition columnar')));
    const mib = (x: number): string => (x / 2 ** 20).toFixed(1);
    columnarLines.push(
      '',
      `Storage of the positions day partitions per node (pg_table_size and pg_indexes_size summed over every shard of every day partition), heap after the import vs after \`store retain --columnar-after ${COLUMNAR_AFTER}\` ("now" = the end of the last day with positions):`,
      '',
      '| node | rows | partitions (shards) | heap table MiB | heap indexes MiB | heap bytes/position (table + indexes) | columnar partitions | columnar table MiB | indexes MiB after | bytes/position after (table + indexes) | table ratio | total ratio |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...s.nodes.map((n, i) => {
        const h = heap[i]!;
        const c = col[i]!;
        const per = (x: number): string => (rows[i]! > 0 ? (x / rows[i]!).toFixed(1) : '');
        return `| ${n.name} | ${rows[i]!.toLocaleString('en-US')} | ${h.parts} | ${mib(h.table)} | ${mib(h.index)} | ${per(h.table + h.index)} (${per(h.table)} + ${per(h.index)}) | ${c.columnar} | ${mib(c.table)} | ${mib(c.index)} | ${per(c.table + c.index)} (${per(c.table)} + ${per(c.index)}) | ${c.table > 0 && rows[i]! > 0 ? (h.table / c.table).toFixed(1) : ''} | ${c.table > 0 && rows[i]! > 0 ? ((h.table + h.index) / (c.table + c.index)).toFixed(1) : ''} |`;
      }),
      '',
      'Indexes per node (every shard of every day partition), heap / after:',
      '',
      ...s.nodes.map((n, i) => `- ${n.name}: ${heap[i]!.indexes} / ${col[i]!.indexes}`),
      '',
      `- ${s.name}, ${WORKERS} workers, heap vs columnar: ${compare(byWorkers, det2.hashes)}`,
    );
  }
  await s.store.close();
}
const [p1, p3] = parity as [(typeof parity)[0], (typeof parity)[0] | undefined];
let duckLine: string | undefined;
if (duck && runOneProcess) {
  process.stderr.write('DuckDB: detection by one process\n');
  const [b] = await duck.db.query('SELECT min(lon) AS a, min(lat) AS b, max(lon) AS c, max(lat) AS d FROM positions');
  const c0 = process.cpuUsage();
  const t1 = performance.now();
  const tracks = buildTracks(await loadPositions(duck.db), await loadStatics(duck.db));
  const bbox = { minLon: Number(b?.a), minLat: Number(b?.b), maxLon: Number(b?.c), maxLat: Number(b?.d) };
  const found = runDetectors(tracks, buildGeoContext(bbox), { kinds: DETECTOR_KINDS });
  const d = process.cpuUsage(c0);
  lines.push(
    `| DuckDB (embedded, one file) | detection by one process (${found.length} findings, ${found.filter((f) => f.kind === 'ais.encounter').length} encounters) | ${((performance.now() - t1) / 1000).toFixed(1)} | ${((d.user + d.system) / 1e6).toFixed(1)} | | | |`,
  );
  await duck.putFindings(found);
  duckLine = `- one process, DuckDB vs ${p1.name}: ${compare(await findingHashes(duck), p1.oneProcess)}`;
}
await duck?.close();
if (duckDir) rmSync(duckDir, { recursive: true, force: true });
lines.push(
  '',
  `Findings parity (by id and by sha256 of each finding's canonical JSON, read back from the store; ${p1.byWorkers.size.toLocaleString('en-US')} findings):`,
  '',
  ...(runOneProcess
    ? parity.map((p) => `- ${p.name}, ${WORKERS} workers vs one process: ${compare(p.byWorkers, p.oneProcess)}`)
    : [
        `- one process: not run (${total.toLocaleString('en-US')} positions do not fit one process; --one-process yes forces it)`,
      ]),
  ...(p3
    ? [
        ...(runOneProcess ? [`- one process, ${p1.name} vs ${p3.name}: ${compare(p1.oneProcess, p3.oneProcess)}`] : []),
        `- ${WORKERS} workers, ${p1.name} vs ${p3.name}: ${compare(p1.byWorkers, p3.byWorkers)}`,
      ]
    : []),
  ...(duckLine ? [duckLine] : []),
  ...(columnarLines.length ? ['', '### Columnar retention (Citus columnar)', ...columnarLines] : []),
  ...statementLines,
);
await single?.stop();
await citus?.stop();
const out = lines.join('\n');
console.log(out);
writeFileSync(OUT, `${out}\n`);
