/**
 * The Citus cluster layout (issue 19, first slice). When the PostgreSQL store is a Citus coordinator (the `citus`
 * extension is installed in its database, or `store migrate --distributed` installs it), every table the
 * migrations create becomes a Citus table:
 *
 * - distributed (sharded over the workers): the large, per-vessel and per-address tables and the findings (by
 *   their first subject), see DISTRIBUTED;
 * - reference (a full copy on every node): everything else: lists and statements, finding subjects, imports,
 *   zones, cases, users, ... Small, joined with everything.
 *
 * The schema was written Citus-ready (no uniqueness without the distribution column, no foreign keys), so the
 * layout needs no change to the migrations (findings got their distribution column in migration 0004). It is applied after every migration run and is idempotent: a table created by
 * a later migration gets its place the next time the store opens.
 */
import { UserError } from '../../errors.js';
import type { Db } from '../db.js';

export interface DistributedTable {
  table: string;
  /** The distribution column. */
  column: string;
  /** Place shards beside this table's (same hash ranges on the same nodes), so joins on the column stay local. */
  colocateWith?: string;
}

/**
 * Large tables and their distribution column. Positions, static reports and identities share the MMSI hash
 * ranges, so a vessel's whole history is on one node. Crypto transfers are sharded by sender address: the frontier
 * expansion of a trace (outgoing transfers of a set of addresses) goes to one shard per address. A store laid out
 * before the UTXO tables were listed here keeps them as reference tables until `undistribute_table` is run on each
 * (docs/cluster.md). A colocation
 * target that is not distributed (a store opened with a subset of the migrations) falls back to Citus' default
 * colocation group.
 */
export const DISTRIBUTED: readonly DistributedTable[] = [
  { table: 'positions', column: 'mmsi' },
  { table: 'vessel_static', column: 'mmsi', colocateWith: 'positions' },
  { table: 'vessel_identity', column: 'mmsi', colocateWith: 'positions' },
  { table: 'crypto_transfers', column: 'from_addr' },
  // UTXO transactions with their inputs and outputs, by txid on the same shards: a forward trace reads the
  // transactions it reached by txid (one shard each) and asks all shards which inputs spend them.
  { table: 'crypto_utxo_txs', column: 'tx_hash' },
  { table: 'crypto_tx_inputs', column: 'tx_hash', colocateWith: 'crypto_utxo_txs' },
  { table: 'crypto_tx_outputs', column: 'tx_hash', colocateWith: 'crypto_utxo_txs' },
  // Findings by their first subject (src/store/finding-key.ts: a vessel's MMSI, else a hash of the subject id),
  // on the shards of that vessel's positions. Their subject index (finding_subjects) stays a reference table:
  // joined with the findings shards on each node, no data moves.
  { table: 'findings', column: 'subject_key', colocateWith: 'positions' },
];

/** True when `db` is PostgreSQL with the citus extension installed in its database. */
export async function isCitus(db: Db): Promise<boolean> {
  if (db.dialect !== 'postgres') return false;
  const rows = await db.query("SELECT extname FROM pg_extension WHERE extname = 'citus'");
  return rows.length > 0;
}

export interface LayoutResult {
  /** Tables distributed by this call (`table(column)`). */
  distributed: string[];
  /** Tables made reference tables by this call. */
  reference: string[];
  /** Tables left on the coordinator only (they have triggers, which Citus tables refuse: audit_log). */
  local: string[];
}

/**
 * Plain tables of the public schema that are not Citus tables yet (temp and partition children excluded), and
 * whether they carry user triggers.
 */
async function plainTables(db: Db): Promise<Array<{ name: string; triggers: boolean }>> {
  const rows = await db.query(
    `SELECT c.relname AS name,
            EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_dist_partition d WHERE d.logicalrelid = c.oid)
     ORDER BY c.relname`,
  );
  return rows.map((r) => ({ name: String(r.name), triggers: r.triggers === true }));
}

/**
 * Give every plain table its place in the cluster (see DISTRIBUTED; the rest become reference tables). Runs in one
 * transaction under an advisory lock, so two processes opening the store at once do it once. Existing rows are
 * moved into the shards by Citus itself. Also lets the coordinator plan joins between distributed tables on
 * other columns than the distribution column (repartition joins) for this database.
 */
export async function applyCitusLayout(db: Db): Promise<LayoutResult> {
  const result: LayoutResult = { distributed: [], reference: [], local: [] };
  // Tables with triggers stay coordinator-local (the audit trail's append-only trigger): nothing to do for them.
  if ((await plainTables(db)).every((t) => t.triggers)) return result;
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(1919191919)');
    await tx.exec("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
    const plain = await plainTables(tx);
    result.local = plain.filter((t) => t.triggers).map((t) => t.name);
    const pending = new Set(plain.filter((t) => !t.triggers).map((t) => t.name));
    for (const d of DISTRIBUTED) {
      if (!pending.has(d.table)) continue;
      const target = d.colocateWith;
      const colocate =
        target !== undefined &&
        (
          await tx.query("SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass($1) AND partmethod = 'h'", [
            target,
          ])
        ).length > 0
          ? target
          : 'default';
      await tx.query('SELECT create_distributed_table($1, $2, colocate_with => $3)', [d.table, d.column, colocate]);
      pending.delete(d.table);
      result.distributed.push(`${d.table}(${d.column})`);
    }
    for (const table of pending) {
      await tx.query('SELECT create_reference_table($1)', [table]);
      result.reference.push(table);
    }
  });
  if (result.distributed.length > 0) {
    // New sessions only (connections already in the pool keep the server default).
    const [dbName] = await db.query('SELECT current_database() AS name');
    const name = String(dbName?.name ?? '').replace(/"/g, '""');
    await db.exec(`ALTER DATABASE "${name}" SET citus.enable_repartition_joins = on`);
  }
  return result;
}

/**
 * Called by openStore after the migrations: applies the layout when the database is a Citus coordinator. With
 * `distributed` set, installs the extension first (the server must preload citus) and fails in one line if it can't.
 */
export async function citusLayoutAfterMigrate(db: Db, distributed = false): Promise<LayoutResult | undefined> {
  if (db.dialect !== 'postgres') {
    if (distributed) throw new UserError('--distributed needs a PostgreSQL store (a Citus coordinator)');
    return undefined;
  }
  if (distributed && !(await isCitus(db))) {
    try {
      await db.exec('CREATE EXTENSION IF NOT EXISTS citus');
    } catch (err) {
      throw new UserError(
        `--distributed: cannot install the citus extension at ${db.location}: ${(err as Error).message} (build it with vendor/citus/build.sh and start the server with shared_preload_libraries='citus')`,
      );
    }
  }
  if (!(await isCitus(db))) return undefined;
  return applyCitusLayout(db);
}

export interface CitusNode {
  host: string;
  port: number;
  role: 'coordinator' | 'worker';
  active: boolean;
  shards: number;
  bytes: number;
}

export interface CitusTableInfo {
  table: string;
  type: 'distributed' | 'reference' | 'local';
  column: string | null;
  shards: number;
  bytes: number;
}

export interface CitusInfo {
  nodes: CitusNode[];
  tables: CitusTableInfo[];
}

/** Nodes (with their shard count and bytes) and Citus tables (with shard count and total size), for `store info`. */
export async function citusInfo(db: Db): Promise<CitusInfo> {
  const nodeRows = await db.query(
    `SELECT n.nodename AS host, n.nodeport AS port, n.groupid AS groupid, n.isactive AS active,
            count(s.shardid) AS shards, coalesce(sum(s.shard_size), 0) AS bytes
     FROM pg_dist_node n LEFT JOIN citus_shards s ON s.nodename = n.nodename AND s.nodeport = n.nodeport
     GROUP BY n.nodename, n.nodeport, n.groupid, n.isactive ORDER BY n.groupid`,
  );
  const tableRows = await db.query(
    // A partitioned table (positions, by day) holds no rows itself: its size is its partitions' sizes, and the
    // partitions are listed under it rather than as tables of their own.
    `SELECT table_name::text AS name, citus_table_type AS type, distribution_column AS col,
            shard_count AS shards,
            citus_total_relation_size(table_name) + coalesce((SELECT sum(citus_total_relation_size(i.inhrelid))
              FROM pg_inherits i WHERE i.inhparent = table_name), 0) AS bytes
     FROM citus_tables t
     WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = t.table_name)
     ORDER BY 5 DESC, 1`,
  );
  return {
    nodes: nodeRows.map((r) => ({
      host: String(r.host),
      port: Number(r.port),
      role: Number(r.groupid) === 0 ? 'coordinator' : 'worker',
      active: r.active === true,
      shards: Number(r.shards),
      bytes: Number(r.bytes),
    })),
    tables: tableRows.map((r) => ({
      table: String(r.name),
      type: r.type === 'distributed' ? 'distributed' : r.type === 'reference' ? 'reference' : 'local',
      column: r.col === null || r.col === '<none>' ? null : String(r.col),
      shards: Number(r.shards),
      bytes: Number(r.bytes),
    })),
  };
}
