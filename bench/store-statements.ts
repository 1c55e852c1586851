/**
 * Statement store speed: addListVersion with the real OFAC 2024 and UN lists (parsed once, outside the timings),
 * currentStatements / statementsForVersion / getEntity / putStatements, and the whole demo list seeding
 * (parse + import of UN, OFAC 2024, EU, UK), on DuckDB (file) and PostgreSQL.
 *
 *   npx tsx bench/store-statements.ts [--pg postgres://...] [--engines duckdb,postgres] [--label before|after]
 *
 * PostgreSQL: --pg or WATCHKEEPER_BENCH_PG, else a throwaway cluster (as the tests do), else skipped.
 * Appends a section to bench/results/store-statements.md (one per --label).
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedListsDemo } from '../src/lists/demo.js';
import { parseListFile, versionId } from '../src/lists/import.js';
import type { Statement } from '../src/model/statement.js';
import { dataPath } from '../src/paths.js';
import { openDb, openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import { startTestPostgres } from '../test/support/postgres.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : dflt;
}

const LABEL = arg('label', 'run');
const ENGINES = arg('engines', 'duckdb,postgres').split(',');
const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');
const OFAC24 = dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');

async function listStatements(file: string, format: 'un-xml' | 'ofac-csv', source: string, seenAt: string) {
  const parsed = await parseListFile(file, format);
  const id = versionId(source, `bench${source}00000000`);
  const sts: Statement[] = [];
  for (const e of parsed.entities) for (const s of e.statements(source, seenAt, id)) sts.push(s);
  return {
    version: {
      id,
      source,
      format,
      url: null,
      fetchedAt: seenAt,
      sha256: `bench-${source}`,
      recordCount: parsed.stats.records,
    },
    statements: sts,
    entityIds: parsed.entities.map((e) => e.id),
  };
}

interface Timed<T> {
  ms: number;
  /** CPU time of this process (ours plus DuckDB's threads; not the PostgreSQL server's). */
  cpuMs: number;
  value: T;
}

async function timed<T>(fn: () => Promise<T>): Promise<Timed<T>> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, value };
}

async function best<T>(runs: number, fn: () => Promise<T>): Promise<Timed<T>> {
  let out: Timed<T> | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await timed(fn);
    if (!out || r.ms < out.ms) out = r;
  }
  return out as Timed<T>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`);
const cpu = (t: Timed<unknown>) => ms(t.cpuMs);

const un = await listStatements(UN, 'un-xml', 'un_sc', '2026-02-27T00:00:00.000Z');
const ofac = await listStatements(OFAC24, 'ofac-csv', 'us_ofac_sdn', '2024-05-03T00:00:00.000Z');

/** 50 k statements outside versions (AIS-style vessels), then the same again plus 50 k new ones. */
function looseStatements(from: number, n: number): Statement[] {
  const out: Statement[] = [];
  for (let i = from; i < from + n; i++) {
    const id = `ais-${200_000_000 + Math.floor(i / 5)}`;
    const k = i % 5;
    const prop = ['name', 'mmsi', 'imoNumber', 'flag', 'callSign'][k] as string;
    out.push({
      entityId: id,
      schema: 'Vessel',
      prop,
      value: `${prop}-${i}`,
      source: 'ais',
      sourceRecord: `bench:${i}`,
      seenAt: '2024-05-01T00:00:00.000Z',
    });
  }
  return out;
}

interface EngineResult {
  engine: string;
  rows: string[];
}

async function runEngine(engine: string, url: string, fresh: () => Promise<void>): Promise<EngineResult> {
  const rows: string[] = [];
  await fresh();
  let store: Store = await openStore({ url });
  const a = await timed(() => store.addListVersion(un.version, un.statements));
  rows.push(
    `| addListVersion UN (${fmt(un.statements.length)} statements) | ${ms(a.ms)} | ${cpu(a)} | ${fmt(un.statements.length / (a.ms / 1000))} statements/s |`,
  );
  const b = await timed(() => store.addListVersion(ofac.version, ofac.statements));
  rows.push(
    `| addListVersion OFAC 2024 (${fmt(ofac.statements.length)} statements, into a store holding UN) | ${ms(b.ms)} | ${cpu(b)} | **${fmt(ofac.statements.length / (b.ms / 1000))} statements/s** |`,
  );
  const total = un.statements.length + ofac.statements.length;
  const c = await best(3, () => store.currentStatements());
  if (c.value.length !== total) throw new Error(`currentStatements: ${c.value.length} != ${total}`);
  rows.push(
    `| currentStatements() (${fmt(total)} statements, best of 3) | **${ms(c.ms)}** | ${cpu(c)} | ${fmt(total / (c.ms / 1000))} statements/s |`,
  );
  const d = await best(3, () => store.currentStatements({ sources: ['us_ofac_sdn'] }));
  rows.push(`| currentStatements({sources: [OFAC]}) (${fmt(d.value.length)}, best of 3) | ${ms(d.ms)} | ${cpu(d)} | |`);
  const e = await best(3, () => store.statementsForVersion(ofac.version.id));
  rows.push(`| statementsForVersion(OFAC) (${fmt(e.value.length)}, best of 3) | ${ms(e.ms)} | ${cpu(e)} | |`);
  const ids = ofac.entityIds.filter((_, i) => i % Math.floor(ofac.entityIds.length / 200) === 0).slice(0, 200);
  const lat: number[] = [];
  for (const id of ids) {
    const r = await timed(() => store.getEntity(id));
    if (!r.value) throw new Error(`getEntity(${id}): missing`);
    lat.push(r.ms);
  }
  lat.sort((x, y) => x - y);
  rows.push(
    `| getEntity, ${ids.length} OFAC ids | p50 ${ms(lat[Math.floor(lat.length / 2)] as number)} | | p95 ${ms(lat[Math.floor(lat.length * 0.95)] as number)} |`,
  );
  const p1 = await timed(() => store.putStatements(looseStatements(0, 50_000)));
  const p2 = await timed(() => store.putStatements(looseStatements(0, 100_000)));
  if (p1.value !== 50_000 || p2.value !== 50_000) throw new Error(`putStatements: ${p1.value}, ${p2.value}`);
  rows.push(
    `| putStatements 50 k new | ${ms(p1.ms)} | ${cpu(p1)} | ${fmt(50_000 / (p1.ms / 1000))} statements/s |`,
    `| putStatements 100 k (50 k exact duplicates skipped) | ${ms(p2.ms)} | ${cpu(p2)} | ${fmt(100_000 / (p2.ms / 1000))} statements/s |`,
  );
  await store.close();
  // The demo seeding of the lists, parse included, into a fresh store.
  await fresh();
  store = await openStore({ url });
  const s = await timed(() => seedListsDemo(store));
  const [cnt] = await store.db.query<{ n: number }>('SELECT count(*) AS n FROM statements');
  rows.push(
    `| demo list seeding (parse + import UN, OFAC 2024, EU, UK; ${fmt(Number(cnt?.n))} statements) | **${(s.ms / 1000).toFixed(2)} s** | ${(s.cpuMs / 1000).toFixed(2)} s | |`,
  );
  await store.close();
  return { engine, rows };
}

const results: EngineResult[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-bench-stmts-'));
try {
  if (ENGINES.includes('duckdb')) {
    const file = path.join(dir, 'bench.duckdb');
    results.push(
      await runEngine('DuckDB (file)', file, async () => {
        rmSync(file, { force: true });
        rmSync(`${file}.wal`, { force: true });
      }),
    );
  }
  if (ENGINES.includes('postgres')) {
    const given = arg('pg', process.env.WATCHKEEPER_BENCH_PG ?? '');
    const handle = given ? undefined : await startTestPostgres('bench-statements');
    const url = given || handle?.url;
    if (url) {
      try {
        results.push(
          await runEngine('PostgreSQL 15', url, async () => {
            const db = await openDb(url);
            await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
            await db.close();
          }),
        );
      } finally {
        await handle?.stop();
      }
    } else results.push({ engine: 'PostgreSQL', rows: ['| skipped: no server | | | |'] });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const out = path.join(import.meta.dirname, 'results', 'store-statements.md');
mkdirSync(path.dirname(out), { recursive: true });
const lines: string[] = [];
if (!existsSync(out))
  lines.push('## Statement store: list versions and statement reads (bench/store-statements.ts)', '');
lines.push(
  `### ${LABEL}: ${new Date().toISOString().slice(0, 16)}Z, load average ${os.loadavg()[0]?.toFixed(1)} (2 cores, shared)`,
  '',
);
for (const r of results)
  lines.push(`| ${r.engine} | time | CPU (this process) | rate |`, '|---|---|---|---|', ...r.rows, '');
appendFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
