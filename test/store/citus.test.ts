import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAttribution, importTransferFile, traceFromStore } from '../../src/crypto/service.js';
import { insertUtxoTxs, loadTags, loadUtxoTxs, rollbackUtxoFrom } from '../../src/crypto/store/repo.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { detectStore } from '../../src/maritime/detect.js';
import { loadPositions } from '../../src/maritime/tracks/load.js';
import { dataPath } from '../../src/paths.js';
import { findingSubjectKey } from '../../src/store/finding-key.js';
import { openStore } from '../../src/store/open.js';
import { citusInfo, DISTRIBUTED, isCitus } from '../../src/store/postgres/citus.js';
import {
  columnarAfter,
  ensurePositionPartitions,
  partitionName,
  positionPartitions,
} from '../../src/store/postgres/partitions.js';
import type { Store } from '../../src/store/store.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { randomChain } from '../crypto/random-utxo.js';
import { citusAvailable, startTestCitus, type TestCitus } from '../support/citus.js';
import { runCli } from '../support/cli.js';

const available = citusAvailable();

// Real AIS (Danish Maritime Authority's AisLib example stream) and our simulated Yellow Sea scenario.
const FILES = [
  dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'),
  path.join('test', 'fixtures', 'maritime', 'sim-yellow-sea-seed3-15min.nmea'),
];

const SUMMARY_SQL = `SELECT count(*) AS n, count(DISTINCT mmsi) AS vessels, min(ts) AS lo, max(ts) AS hi,
  sum(CAST(floor(lat * 100000) AS BIGINT)) AS lat_sum FROM positions`;
const PER_VESSEL_SQL = 'SELECT mmsi, count(*) AS n FROM positions GROUP BY mmsi ORDER BY mmsi';

async function workerQuery(url: string, sql: string): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Citus hides shard tables from pg_class on the nodes unless told not to.
    await c.query('SET citus.override_table_visibility TO off');
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

/** Rows of `table` each worker holds, counted on the worker itself over its shard tables (`<table>_<shardid>`). */
async function rowsPerWorker(cluster: TestCitus, table: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < cluster.workers.length; i++) {
    const url = cluster.workerUrl(i);
    const names = await workerQuery(
      url,
      `SELECT relname FROM pg_class WHERE relname ~ '^${table}_[0-9]+$' AND relkind IN ('r', 'p') ORDER BY relname`,
    );
    expect(names.length).toBe(4);
    let n = 0;
    for (const r of names) {
      const [c] = await workerQuery(url, `SELECT count(*) AS n FROM ${r.relname}`);
      n += Number(c?.n);
    }
    out.push(n);
  }
  return out;
}

describe.runIf(available)('Citus cluster store (coordinator + 2 workers)', () => {
  let cluster: TestCitus | undefined;
  let citus: Store | undefined;
  let duck: Store | undefined;
  let duckDir = '';

  beforeAll(async () => {
    cluster = await startTestCitus();
    citus = await openStore({ url: cluster.url });
    duckDir = mkdtempSync(path.join(tmpdir(), 'wk-citus-duck-'));
    duck = await openStore({ url: path.join(duckDir, 'store.duckdb') });
    for (const f of FILES) {
      await importNmeaFile(citus, f);
      await importNmeaFile(duck, f);
    }
  }, 240_000);

  afterAll(async () => {
    await citus?.close();
    await duck?.close();
    await cluster?.stop();
    if (duckDir) rmSync(duckDir, { recursive: true, force: true });
  });

  it('lays the tables out: positions by mmsi, findings by first subject, small tables as reference tables', async () => {
    if (!citus) throw new Error('no cluster');
    expect(await isCitus(citus.db)).toBe(true);
    const info = await citusInfo(citus.db);
    const byName = new Map(info.tables.map((t) => [t.table, t]));
    for (const d of DISTRIBUTED) {
      expect(byName.get(d.table)).toMatchObject({ type: 'distributed', column: d.column, shards: 8 });
    }
    // Findings share the positions' colocation group: a vessel's findings sit on the shards of its positions.
    const groups = await citus.db.query(
      `SELECT logicalrelid::text AS t, colocationid AS g FROM pg_dist_partition
       WHERE logicalrelid IN ('findings'::regclass, 'positions'::regclass) AND partmethod = 'h' ORDER BY 1`,
    );
    expect(groups.map((r) => r.t)).toEqual(['findings', 'positions']);
    expect(groups[0]?.g).toBe(groups[1]?.g);
    for (const t of [
      'statements',
      'list_versions',
      'finding_subjects',
      'imports',
      'maritime_zones',
      'position_imports',
    ]) {
      expect(byName.get(t)?.type, t).toBe('reference');
    }
    // No table of the store stayed a plain coordinator-local table, except the append-only audit trail (its
    // trigger is refused on Citus tables).
    const local = await citus.db.query(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND NOT EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = c.oid)`,
    );
    expect(local.map((r) => r.name)).toEqual(['audit_log']);
    expect(info.nodes.map((n) => n.role)).toEqual(['coordinator', 'worker', 'worker']);
  });

  it('spreads the imported positions over shards on both workers', async () => {
    if (!citus || !cluster) throw new Error('no cluster');
    const [total] = await citus.db.query('SELECT count(*) AS n FROM positions');
    const shards = await citus.db.query(
      `SELECT nodeport AS port, count(*) AS shards FROM citus_shards
       WHERE table_name = 'positions'::regclass GROUP BY nodeport ORDER BY nodeport`,
    );
    expect(shards.map((s) => Number(s.port)).sort()).toEqual(cluster.workers.map((w) => w.port).sort());
    expect(shards.map((s) => Number(s.shards))).toEqual([4, 4]);
    // Each worker holds a real part of the rows (read from its own shard tables), and the parts add up.
    const perWorker = await rowsPerWorker(cluster, 'positions');
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(Number(total?.n));
  });

  it('answers the same counts as DuckDB on the same files', async () => {
    if (!citus || !duck) throw new Error('no stores');
    const [c] = await citus.db.query(SUMMARY_SQL);
    const [d] = await duck.db.query(SUMMARY_SQL);
    expect(Number(c?.n)).toBeGreaterThan(1000);
    expect({ ...c, n: Number(c?.n), vessels: Number(c?.vessels), lat_sum: Number(c?.lat_sum) }).toEqual({
      ...d,
      n: Number(d?.n),
      vessels: Number(d?.vessels),
      lat_sum: Number(d?.lat_sum),
    });
    const cv = (await citus.db.query(PER_VESSEL_SQL)).map((r) => [Number(r.mmsi), Number(r.n)]);
    const dv = (await duck.db.query(PER_VESSEL_SQL)).map((r) => [Number(r.mmsi), Number(r.n)]);
    expect(cv).toEqual(dv);
  });

  it('detects the same findings as DuckDB', async () => {
    if (!citus || !duck) throw new Error('no stores');
    const rc = await detectStore(citus, { screen: false });
    const rd = await detectStore(duck, { screen: false });
    expect(rc.positions).toBe(rd.positions);
    const key = (fs: { id: string; kind: string; start: string }[]) =>
      fs.map((f) => `${f.kind} ${f.start} ${f.id}`).sort();
    expect(rd.findings.length).toBeGreaterThan(0);
    expect(key(rc.findings)).toEqual(key(rd.findings));
    const [sc] = await citus.db.query('SELECT count(*) AS n FROM findings');
    const [sd] = await duck.db.query('SELECT count(*) AS n FROM findings');
    expect(Number(sc?.n)).toBe(Number(sd?.n));
  });

  it('stores findings sharded by first subject: read back identical to DuckDB, replaced by id', async () => {
    if (!citus || !duck || !cluster) throw new Error('no stores');
    // Runs after detection: the same findings on both, read back whole (every filter path of the store).
    const all = async (s: Store) => (await s.queryFindings()).map((f) => canonicalJson(f));
    expect(await all(citus)).toEqual(await all(duck));
    // A finding of a vessel (its first subject an AIS vessel), the one the detectors found first.
    const one = (await duck.queryFindings()).find((f) => /^ais-\d+$/.test(f.subjects[0] ?? ''));
    if (!one) throw new Error('no vessel finding');
    expect(await citus.getFinding(one.id)).toEqual(one);
    const bySubject = async (s: Store) => (await s.queryFindings({ subject: one.subjects[0] })).map((f) => f.id);
    expect(await bySubject(citus)).toEqual(await bySubject(duck));
    expect(await citus.countFindings({ kinds: [one.kind] })).toBe(await duck.countFindings({ kinds: [one.kind] }));
    // The rows are on both workers, and a vessel's finding is in the shard holding that vessel's positions.
    const perWorker = await rowsPerWorker(cluster, 'findings');
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(await duck.countFindings());
    const mmsi = Number(one.subjects[0]?.slice(4));
    const [stored] = await citus.db.query('SELECT subject_key FROM findings WHERE id = $1', [one.id]);
    expect(Number(stored?.subject_key)).toBe(mmsi);
    const placement = (table: string, value: number) =>
      citus?.db.query(
        `SELECT d.shardminvalue AS min, c.nodeport AS port FROM pg_dist_shard d JOIN citus_shards c USING (shardid)
         WHERE d.shardid = get_shard_id_for_distribution_column($1, $2::int)`,
        [table, value],
      );
    const here = await placement('findings', mmsi);
    expect(here).toHaveLength(1);
    expect(here).toEqual(await placement('positions', mmsi));
    // A finding whose subjects change order (another first subject, another shard) replaces the stored one.
    const f = { ...one, id: 'citus-reorder', subjects: ['ais-412000001', 'wallet-eth-0xabc'] };
    await citus.putFindings([f]);
    const g = { ...f, subjects: ['wallet-eth-0xabc', 'ais-412000001'], score: 0.123 };
    await citus.putFindings([g]);
    const rows = await citus.db.query('SELECT subject_key FROM findings WHERE id = $1', ['citus-reorder']);
    expect(rows.map((r) => Number(r.subject_key))).toEqual([findingSubjectKey(g.subjects)]);
    expect(await citus.getFinding('citus-reorder')).toEqual(g);
    expect((await citus.queryFindings({ subject: 'ais-412000001' })).map((x) => x.score)).toEqual([0.123]);
    await citus.db.query('DELETE FROM finding_subjects WHERE finding_id = $1', ['citus-reorder']);
    await citus.db.query('DELETE FROM findings WHERE id = $1', ['citus-reorder']);
  });

  it('moves the findings of a store laid out before 0004 (a reference table) into the distributed table', async () => {
    if (!citus || !duck || !cluster) throw new Error('no stores');
    const want = (await duck.queryFindings()).map((f) => canonicalJson(f));
    // Rebuild the layout of an older store: findings without subject_key, a reference table, migration 0004 not
    // applied. Then open the store again: the migration and the layout move the rows into the shards.
    await citus.db.exec(`CREATE TABLE findings_old AS SELECT id, kind, start_ts, end_ts, start_ms, score, subjects,
      red_flags, doc FROM findings;
      DROP TABLE findings;
      ALTER TABLE findings_old RENAME TO findings;
      ALTER TABLE findings ADD PRIMARY KEY (id);
      SELECT create_reference_table('findings');
      DELETE FROM schema_migrations WHERE id = '0004_findings_subject_key';`);
    await citus.close();
    citus = await openStore({ url: cluster.url });
    const [part] = await citus.db.query(
      "SELECT column_to_column_name(logicalrelid, partkey) AS col FROM pg_dist_partition WHERE logicalrelid = 'findings'::regclass",
    );
    expect(part?.col).toBe('subject_key');
    expect((await citus.queryFindings()).map((f) => canonicalJson(f))).toEqual(want);
    const keys = await citus.db.query('SELECT subject_key, subjects FROM findings');
    expect(keys.every((r) => Number(r.subject_key) === findingSubjectKey(JSON.parse(String(r.subjects))))).toBe(true);
  });

  it('store info shows the nodes, shards and sizes', async () => {
    if (!cluster || !citus) throw new Error('no cluster');
    const json = await runCli(['--db', cluster.url, 'store', 'info', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const info = JSON.parse(json.stdout) as {
      citus: { nodes: { port: number; role: string; shards: number; bytes: number }[]; tables: { table: string }[] };
    };
    const shardsOnWorkers = await citus.db.query(
      'SELECT nodeport AS port, count(*) AS n FROM citus_shards GROUP BY nodeport ORDER BY nodeport',
    );
    const nodes = info.citus.nodes;
    expect(nodes.map((n) => [n.port, n.role])).toEqual([
      [cluster.coordinator.port, 'coordinator'],
      ...cluster.workers.map((w) => [w.port, 'worker']),
    ]);
    for (const w of nodes.filter((n) => n.role === 'worker')) {
      const row = shardsOnWorkers.find((r) => Number(r.port) === w.port);
      expect(w.shards).toBe(Number(row?.n));
      expect(w.bytes).toBeGreaterThan(0);
    }
    const positions = info.citus.tables.find((t) => t.table === 'positions') as { bytes: number } | undefined;
    expect(positions).toMatchObject({ type: 'distributed', shards: 8 });
    // The table's size (indexes included) is the sum of its shards' sizes on the workers (positions: of its day
    // partitions' shards).
    const [sum] = await citus.db.query(
      `SELECT sum(shard_size) AS b FROM citus_shards WHERE table_name = 'positions'::regclass
         OR table_name IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'positions'::regclass)`,
    );
    expect(positions?.bytes).toBe(Number(sum?.b));
    expect(positions?.bytes).toBeGreaterThan(0);
    const text = await runCli(['--db', cluster.url, 'store', 'info']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Citus nodes:');
    // Already laid out: `store migrate --distributed` finds nothing left to place.
    const again = await runCli(['--db', cluster.url, 'store', 'migrate', '--distributed']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('citus: 0 tables distributed, 0 made reference tables');
    expect(text.stdout).toMatch(/positions\s+distributed\s+mmsi\s+8\s+\d+/);
    // The findings' shards too (distributed by their first subject).
    expect(text.stdout).toMatch(/findings\s+distributed\s+subject_key\s+8\s+\d+/);
    expect(info.citus.tables.find((t) => t.table === 'findings')).toMatchObject({
      type: 'distributed',
      column: 'subject_key',
      shards: 8,
    });
  });

  it('imports crypto transfers sharded by sender and traces them as on a single node', async () => {
    if (!citus) throw new Error('no cluster');
    await importAttribution(citus, { packs: ['lazarus'] });
    await importTransferFile(citus, dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv'));
    if (!cluster) throw new Error('no cluster');
    const perWorker = await rowsPerWorker(cluster, 'crypto_transfers');
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(436);
    const [n] = await citus.db.query("SELECT count(*) AS n FROM crypto_transfers WHERE chain = 'eth'");
    expect(Number(n?.n)).toBe(436);
    // The expectations of test/crypto/postgres.test.ts (single-node PostgreSQL, the same as DuckDB).
    const r = await traceFromStore(citus, { chain: 'eth', from: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'] });
    expect(r.totals.start).toBe('182163.95603');
    expect(r.listedReached).toHaveLength(7);
    expect(r.byService.find((g) => g.service === 'LAZARUS GROUP (ofac-27307)')?.amount).toBe('140.143581706');
  });

  it('shards UTXO transactions by txid and traces them by frontier as DuckDB does', async () => {
    if (!citus || !duck || !cluster) throw new Error('no cluster');
    for (const s of [citus, duck]) await importAttribution(s, { packs: ['exchange-wallets-binance'] });
    const stops = (await loadTags(citus.db, 'btc')).map((t) => t.address).sort();
    const c = randomChain(5, 200, 40, 12, stops.slice(0, 2), []);
    for (const s of [citus, duck]) await s.db.transaction((tx) => insertUtxoTxs(tx, c.txs, 'random'));
    const perWorker = await rowsPerWorker(cluster, 'crypto_tx_outputs');
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(c.txs.reduce((n, t) => n + t.outputs.length, 0));
    for (const method of ['haircut', 'fifo'] as const) {
      const req = { chain: 'btc' as const, from: [c.addresses[0]!], method, hops: 4 };
      let read = 0;
      const onCitus = await traceFromStore(citus, req, { onUtxoStats: (s) => (read = s.txsRead) });
      expect(onCitus).toEqual(await traceFromStore(duck, req, { read: 'whole' }));
      expect(read).toBeLessThan(c.txs.length);
    }
    // Backward: the frontier over the transfers derived from the UTXO tables (src/crypto/utxo-transfer-reader.ts).
    const back = { chain: 'btc' as const, from: [c.addresses[2]!], direction: 'backward' as const, hops: 3 };
    expect(await traceFromStore(citus, back)).toEqual(await traceFromStore(duck, back, { read: 'whole' }));
    // A reorg's rollback deletes by txid list on the shards.
    const top = Math.max(...c.txs.map((t) => t.blockHeight ?? 0));
    await citus.db.transaction((tx) => rollbackUtxoFrom(tx, 'btc', top - 9));
    const kept = c.txs.filter((t) => t.blockHeight === null || t.blockHeight < top - 9);
    expect((await loadUtxoTxs(citus.db, 'btc')).length).toBe(kept.length);
  });

  it('partitions positions by day on every shard, creates days on demand and moves old days to columnar', async () => {
    if (!citus || !cluster || !duck) throw new Error('no cluster');
    const [total] = await citus.db.query('SELECT count(*) AS n FROM positions');
    const days = await citus.db.query('SELECT DISTINCT CAST(floor(ts / 86400000.0) AS BIGINT) AS d FROM positions');
    const parts = await positionPartitions(citus.db, true);
    const dayParts = parts.filter((p) => p.fromMs !== null);
    // The imports created one partition per day they wrote, before writing: nothing is left in the default.
    expect(dayParts.map((p) => p.name).sort()).toEqual(days.map((r) => partitionName(Number(r.d) * 86_400_000)).sort());
    expect(parts.find((p) => p.name === 'positions_default')?.rows).toBe(0);
    expect(dayParts.reduce((a, p) => a + p.rows, 0)).toBe(Number(total?.n));
    // Each worker's shards of the distributed parent are partitioned: 4 shards of every day partition per worker.
    for (let i = 0; i < cluster.workers.length; i++) {
      const shards = await workerQuery(
        cluster.workerUrl(i),
        "SELECT relname FROM pg_class WHERE relname ~ '^positions_p[0-9]{8}_[0-9]+$' AND relkind = 'r'",
      );
      expect(shards.length).toBe(4 * dayParts.length);
    }
    // A row written by a writer that did not create its day lands in the default partition; creating the day
    // moves it into the new partition.
    const future = Date.parse('2030-01-02T03:04:05Z');
    await citus.db.exec(
      `INSERT INTO positions (mmsi, ts, lat, lon, msg_type) VALUES (219000001, ${future}, 55.5, 11.5, 1)`,
    );
    const [inDefault] = await citus.db.query('SELECT count(*) AS n FROM positions_default');
    expect(Number(inDefault?.n)).toBe(1);
    expect(await ensurePositionPartitions(citus.db, future, future)).toEqual(['positions_p20300102']);
    const [moved] = await citus.db.query('SELECT count(*) AS n FROM positions_p20300102');
    const [left] = await citus.db.query('SELECT count(*) AS n FROM positions_default');
    expect([Number(moved?.n), Number(left?.n)]).toEqual([1, 0]);
    // Retention: every partition of the past goes columnar, the 2030 one stays heap; the data reads the same.
    const cli = await runCli(['--db', cluster.url, 'store', 'retain', '--columnar-after', '0', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const r = JSON.parse(cli.stdout) as { converted: string[]; kept: number; alreadyColumnar: number };
    expect(r.converted.sort()).toEqual(dayParts.map((p) => p.name).sort());
    expect(r.kept).toBe(1);
    const after = await positionPartitions(citus.db);
    expect(
      after
        .filter((p) => p.accessMethod === 'columnar')
        .map((p) => p.name)
        .sort(),
    ).toEqual(r.converted);
    const [c] = await citus.db.query(`${SUMMARY_SQL} WHERE ts < ${future}`);
    const [d] = await duck.db.query(SUMMARY_SQL);
    expect([Number(c?.n), Number(c?.lat_sum)]).toEqual([Number(d?.n), Number(d?.lat_sum)]);
    const cols = await loadPositions(citus.db, { untilMs: future });
    expect(cols.length).toBe(Number(d?.n));
    const again = await columnarAfter(citus.db, 0);
    expect(again).toEqual({ converted: [], alreadyColumnar: r.converted.length, kept: 1 });
  });
});
