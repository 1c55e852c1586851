import type { ColumnBatch, ColumnSpec, Db, Row, SqlValue } from '../../store/db.js';
import { SQL_LIST_BATCH, sqlInList } from '../../store/sql-list.js';
import type { Chain } from '../addresses.js';
import type { Tag } from '../attribution.js';
import type { Transfer, TransferKind, UtxoTx } from '../model.js';

/** Portable SQL over `Db` for the crypto tables (same code on DuckDB and PostgreSQL). */

/** The columns of `crypto_transfers` as bulk loads write them. */
export const TRANSFER_COLS: ColumnSpec[] = [
  { name: 'chain', type: 'text' },
  { name: 'tx_hash', type: 'text' },
  { name: 'block_number', type: 'bigint' },
  { name: 'ts', type: 'bigint' },
  { name: 'from_addr', type: 'text' },
  { name: 'to_addr', type: 'text' },
  { name: 'asset', type: 'text' },
  { name: 'amount', type: 'text' },
  { name: 'decimals', type: 'int' },
  { name: 'idx', type: 'int' },
  { name: 'kind', type: 'text' },
  { name: 'import_id', type: 'text' },
];

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export async function insertTransfers(db: Db, transfers: Transfer[], importId: string): Promise<number> {
  if (transfers.length === 0) return 0;
  const batches = function* (): Generator<ColumnBatch> {
    for (const part of chunks(transfers, 20_000)) {
      yield {
        length: part.length,
        columns: [
          part.map((t) => t.chain),
          part.map((t) => t.txHash),
          part.map((t) => (t.blockNumber === null ? null : BigInt(t.blockNumber))),
          part.map((t) => BigInt(t.tsMs)),
          part.map((t) => t.from),
          part.map((t) => t.to),
          part.map((t) => t.asset),
          part.map((t) => t.amount.toString()),
          part.map((t) => t.decimals),
          part.map((t) => t.index),
          part.map((t) => t.kind),
          part.map(() => importId),
        ],
      };
    }
  };
  return db.bulkInsert('crypto_transfers', TRANSFER_COLS, batches());
}

export async function insertUtxoTxs(db: Db, txs: UtxoTx[], importId: string): Promise<number> {
  if (txs.length === 0) return 0;
  const txRows: SqlValue[][] = [];
  const inRows: SqlValue[][] = [];
  const outRows: SqlValue[][] = [];
  for (const t of txs) {
    txRows.push([
      t.chain,
      t.txid,
      t.blockHeight === null ? null : BigInt(t.blockHeight),
      t.blockHash,
      BigInt(t.tsMs),
      t.coinbase,
      importId,
    ]);
    for (const [n, i] of t.inputs.entries()) {
      inRows.push([
        t.chain,
        t.txid,
        n,
        i.prevTxid,
        i.prevVout,
        i.address,
        i.value === null ? null : i.value.toString(),
        importId,
      ]);
    }
    for (const o of t.outputs)
      outRows.push([t.chain, t.txid, o.n, o.address, o.value.toString(), o.scriptHex, importId]);
  }
  const columnar = (rows: SqlValue[][], width: number): ColumnBatch => ({
    length: rows.length,
    columns: Array.from({ length: width }, (_, c) => rows.map((r) => r[c] ?? null)),
  });
  await db.bulkInsert(
    'crypto_utxo_txs',
    [
      { name: 'chain', type: 'text' },
      { name: 'tx_hash', type: 'text' },
      { name: 'block_height', type: 'bigint' },
      { name: 'block_hash', type: 'text' },
      { name: 'ts', type: 'bigint' },
      { name: 'coinbase', type: 'bool' },
      { name: 'import_id', type: 'text' },
    ],
    [columnar(txRows, 7)],
  );
  if (inRows.length > 0) {
    await db.bulkInsert(
      'crypto_tx_inputs',
      [
        { name: 'chain', type: 'text' },
        { name: 'tx_hash', type: 'text' },
        { name: 'n', type: 'int' },
        { name: 'prev_tx', type: 'text' },
        { name: 'prev_vout', type: 'int' },
        { name: 'address', type: 'text' },
        { name: 'amount', type: 'text' },
        { name: 'import_id', type: 'text' },
      ],
      [columnar(inRows, 8)],
    );
  }
  await db.bulkInsert(
    'crypto_tx_outputs',
    [
      { name: 'chain', type: 'text' },
      { name: 'tx_hash', type: 'text' },
      { name: 'n', type: 'int' },
      { name: 'address', type: 'text' },
      { name: 'amount', type: 'text' },
      { name: 'script', type: 'text' },
      { name: 'import_id', type: 'text' },
    ],
    [columnar(outRows, 7)],
  );
  return txs.length;
}

/** Which of these txids are already stored (re-imports skip them). */
export async function existingUtxoTxids(db: Db, chain: Chain, txids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(txids, 500)) {
    const rows = await db.query(
      `SELECT DISTINCT tx_hash FROM crypto_utxo_txs WHERE chain = $1 AND tx_hash IN (${part.map((_, i) => `$${i + 2}`).join(', ')})`,
      [chain, ...part],
    );
    for (const r of rows) out.add(String(r.tx_hash));
  }
  return out;
}

/**
 * Stored UTXO transactions of a chain with their inputs and outputs: every one, or those of `txids` (in batches;
 * a store-backed trace reads only the transactions its taint reaches, src/crypto/utxo-frontier.ts).
 */
export async function loadUtxoTxs(db: Db, chain: Chain, txids?: readonly string[]): Promise<UtxoTx[]> {
  if (txids === undefined) return loadUtxoPart(db, chain, undefined);
  const out: UtxoTx[] = [];
  const ids = [...new Set(txids)];
  for (let i = 0; i < ids.length; i += SQL_LIST_BATCH[db.dialect])
    out.push(...(await loadUtxoPart(db, chain, ids.slice(i, i + SQL_LIST_BATCH[db.dialect]))));
  return out;
}

/** A `crypto_utxo_txs` row (tx_hash, block_height, block_hash, ts, coinbase) as a transaction without its inputs and outputs. */
export function utxoTxFromHeader(chain: Chain, r: Row): UtxoTx {
  return {
    chain,
    txid: String(r.tx_hash),
    blockHeight: r.block_height === null ? null : Number(r.block_height),
    blockHash: r.block_hash === null ? null : String(r.block_hash),
    tsMs: Number(r.ts),
    coinbase: Boolean(r.coinbase),
    inputs: [],
    outputs: [],
  };
}

async function loadUtxoPart(db: Db, chain: Chain, txids: string[] | undefined): Promise<UtxoTx[]> {
  const args: SqlValue[] = [chain];
  const only = txids ? ` AND tx_hash IN ${sqlInList(db.dialect, args, txids)}` : '';
  const txs = await db.query(
    `SELECT tx_hash, block_height, block_hash, ts, coinbase FROM crypto_utxo_txs WHERE chain = $1${only} ORDER BY ts, tx_hash`,
    args,
  );
  const byId = new Map<string, UtxoTx>();
  for (const r of txs) byId.set(String(r.tx_hash), utxoTxFromHeader(chain, r));
  if (byId.size === 0) return [];
  for (const r of await db.query(
    `SELECT tx_hash, prev_tx, prev_vout, address, amount FROM crypto_tx_inputs WHERE chain = $1${only} ORDER BY tx_hash, n`,
    args,
  )) {
    byId.get(String(r.tx_hash))?.inputs.push({
      prevTxid: r.prev_tx === null ? null : String(r.prev_tx),
      prevVout: r.prev_vout === null ? null : Number(r.prev_vout),
      address: r.address === null ? null : String(r.address),
      value: r.amount === null ? null : BigInt(String(r.amount)),
    });
  }
  for (const r of await db.query(
    `SELECT tx_hash, n, address, amount, script FROM crypto_tx_outputs WHERE chain = $1${only} ORDER BY tx_hash, n`,
    args,
  )) {
    byId.get(String(r.tx_hash))?.outputs.push({
      n: Number(r.n),
      address: r.address === null ? null : String(r.address),
      value: BigInt(String(r.amount)),
      scriptHex: String(r.script),
    });
  }
  return [...byId.values()];
}

/** The columns `rowToTransfer` reads, for a SELECT list. */
export const TRANSFER_SELECT =
  'chain, tx_hash, block_number, ts, from_addr, to_addr, asset, amount, decimals, idx, kind';

/** A `crypto_transfers` row (its columns by name) as a Transfer. */
export function rowToTransfer(r: Row): Transfer {
  return {
    chain: String(r.chain) as Chain,
    txHash: String(r.tx_hash),
    blockNumber: r.block_number === null ? null : Number(r.block_number),
    tsMs: Number(r.ts),
    from: String(r.from_addr),
    to: String(r.to_addr),
    asset: String(r.asset),
    amount: BigInt(String(r.amount)),
    decimals: Number(r.decimals),
    index: Number(r.idx),
    kind: String(r.kind) as TransferKind,
  };
}

export interface TransferQuery {
  chain: Chain;
  asset?: string;
  sinceMs?: number;
  untilMs?: number;
  /** Only transfers touching this address. */
  address?: string;
  limit?: number;
}

export async function queryTransfers(db: Db, q: TransferQuery): Promise<Transfer[]> {
  const where = ['chain = $1'];
  const params: SqlValue[] = [q.chain];
  if (q.asset) {
    params.push(q.asset);
    where.push(`asset = $${params.length}`);
  }
  if (q.sinceMs !== undefined) {
    params.push(q.sinceMs);
    where.push(`ts >= $${params.length}`);
  }
  if (q.untilMs !== undefined) {
    params.push(q.untilMs);
    where.push(`ts <= $${params.length}`);
  }
  if (q.address) {
    params.push(q.address);
    where.push(`(from_addr = $${params.length} OR to_addr = $${params.length})`);
  }
  const limit = q.limit ? ` LIMIT ${Math.floor(q.limit)}` : '';
  const rows = await db.query(
    `SELECT ${TRANSFER_SELECT} FROM crypto_transfers WHERE ${where.join(' AND ')} ORDER BY ts, block_number, tx_hash, idx${limit}`,
    params,
  );
  return rows.map(rowToTransfer);
}

/**
 * Transfers touching any of `addresses` (normal forms), grouped by address, each group in time order: one query
 * per 1,000 addresses instead of one per address (bulk screening of counterparties).
 */
export async function transfersTouching(db: Db, chain: Chain, addresses: string[]): Promise<Map<string, Transfer[]>> {
  const out = new Map<string, Transfer[]>();
  const unique = [...new Set(addresses)];
  for (const part of chunks(unique, 1000)) {
    const inList = part.map((_, i) => `$${i + 2}`).join(', ');
    const rows = await db.query(
      `SELECT ${TRANSFER_SELECT} FROM crypto_transfers WHERE chain = $1 AND (from_addr IN (${inList}) OR to_addr IN (${inList})) ORDER BY ts, block_number, tx_hash, idx`,
      [chain, ...part],
    );
    const mine = new Set(part);
    const add = (a: string, t: Transfer) => {
      const l = out.get(a);
      if (l) l.push(t);
      else out.set(a, [t]);
    };
    for (const r of rows) {
      const t = rowToTransfer(r);
      if (mine.has(t.from)) add(t.from, t);
      if (t.to !== t.from && mine.has(t.to)) add(t.to, t);
    }
  }
  return out;
}

/**
 * A cheap fingerprint of the tags table's content (rows per import): it changes whenever an attribution import
 * (in this process or another) replaces tags, so a cached index can be checked before it is used.
 */
export async function tagsFingerprint(db: Db): Promise<string> {
  const rows = await db.query('SELECT import_id, COUNT(*) AS n FROM crypto_tags GROUP BY import_id ORDER BY import_id');
  return rows.map((r) => `${String(r.import_id)}:${String(r.n)}`).join(',');
}

export async function countTransfers(db: Db, chain?: Chain): Promise<number> {
  const rows = chain
    ? await db.query('SELECT COUNT(*) AS n FROM crypto_transfers WHERE chain = $1', [chain])
    : await db.query('SELECT COUNT(*) AS n FROM crypto_transfers');
  return Number(rows[0]?.n ?? 0);
}

// ---- blocks (reorg detection) --------------------------------------------------------------------------------

export interface StoredBlock {
  number: number;
  hash: string;
  parentHash: string;
  tsMs: number;
}

export async function blockAt(db: Db, chain: Chain, number: number): Promise<StoredBlock | undefined> {
  const rows = await db.query(
    'SELECT number, hash, parent_hash, ts FROM crypto_blocks WHERE chain = $1 AND number = $2',
    [chain, number],
  );
  const r = rows[0];
  return r
    ? { number: Number(r.number), hash: String(r.hash), parentHash: String(r.parent_hash), tsMs: Number(r.ts) }
    : undefined;
}

export async function insertBlocks(db: Db, chain: Chain, blocks: StoredBlock[], importId: string): Promise<void> {
  if (blocks.length === 0) return;
  await db.bulkInsert(
    'crypto_blocks',
    [
      { name: 'chain', type: 'text' },
      { name: 'number', type: 'bigint' },
      { name: 'hash', type: 'text' },
      { name: 'parent_hash', type: 'text' },
      { name: 'ts', type: 'bigint' },
      { name: 'import_id', type: 'text' },
    ],
    [
      {
        length: blocks.length,
        columns: [
          blocks.map(() => chain),
          blocks.map((b) => BigInt(b.number)),
          blocks.map((b) => b.hash),
          blocks.map((b) => b.parentHash),
          blocks.map((b) => BigInt(b.tsMs)),
          blocks.map(() => importId),
        ],
      },
    ],
  );
}

/** Remove blocks from `fromNumber` on and their transfers (a reorg replaced them). Returns transfers removed. */
export async function rollbackFrom(db: Db, chain: Chain, fromNumber: number): Promise<number> {
  const n = await db.query('SELECT COUNT(*) AS n FROM crypto_transfers WHERE chain = $1 AND block_number >= $2', [
    chain,
    fromNumber,
  ]);
  await db.query('DELETE FROM crypto_transfers WHERE chain = $1 AND block_number >= $2', [chain, fromNumber]);
  await db.query('DELETE FROM crypto_blocks WHERE chain = $1 AND number >= $2', [chain, fromNumber]);
  return Number(n[0]?.n ?? 0);
}

// ---- tags ------------------------------------------------------------------------------------------------------

/** Replace all tags of the given sources (re-importing attribution refreshes it) in one transaction. */
export async function replaceTags(db: Db, tags: Tag[], importId: string): Promise<number> {
  const sources = [...new Set(tags.map((t) => t.source))];
  return db.transaction(async (tx) => {
    for (const part of chunks(sources, 200)) {
      await tx.query(`DELETE FROM crypto_tags WHERE source IN (${part.map((_, i) => `$${i + 1}`).join(', ')})`, part);
    }
    if (tags.length === 0) return 0;
    const batches = function* (): Generator<ColumnBatch> {
      for (const p of chunks(tags, 20_000)) {
        yield {
          length: p.length,
          columns: [
            p.map((t) => t.chain),
            p.map((t) => t.address),
            p.map((t) => t.label),
            p.map((t) => t.category),
            p.map((t) => t.abuse),
            p.map((t) => t.actor),
            p.map((t) => t.source),
            p.map((t) => t.sourceRecord),
            Float64Array.from(p.map((t) => t.confidence)),
            p.map((t) => t.entityId),
            p.map((t) => t.programs.join(',')),
            p.map((t) => t.sanctioned),
            p.map((t) => t.dprk),
            p.map(() => importId),
          ],
        };
      }
    };
    return tx.bulkInsert(
      'crypto_tags',
      [
        { name: 'chain', type: 'text' },
        { name: 'address', type: 'text' },
        { name: 'label', type: 'text' },
        { name: 'category', type: 'text' },
        { name: 'abuse', type: 'text' },
        { name: 'actor', type: 'text' },
        { name: 'source', type: 'text' },
        { name: 'source_record', type: 'text' },
        { name: 'confidence', type: 'double' },
        { name: 'entity_id', type: 'text' },
        { name: 'programs', type: 'text' },
        { name: 'sanctioned', type: 'bool' },
        { name: 'dprk', type: 'bool' },
        { name: 'import_id', type: 'text' },
      ],
      batches(),
    );
  });
}

function rowToTag(r: Row): Tag {
  return {
    chain: String(r.chain) as Chain,
    address: String(r.address),
    label: String(r.label),
    category: String(r.category),
    abuse: r.abuse === null ? null : String(r.abuse),
    actor: r.actor === null ? null : String(r.actor),
    source: String(r.source),
    sourceRecord: String(r.source_record),
    confidence: Number(r.confidence),
    entityId: r.entity_id === null ? null : String(r.entity_id),
    programs: String(r.programs ?? '')
      .split(',')
      .filter(Boolean),
    sanctioned: Boolean(r.sanctioned),
    dprk: Boolean(r.dprk),
  };
}

const TAG_SELECT =
  'SELECT chain, address, label, category, abuse, actor, source, source_record, confidence, entity_id, programs, sanctioned, dprk FROM crypto_tags';

export async function loadTags(db: Db, chain?: Chain): Promise<Tag[]> {
  const rows = chain ? await db.query(`${TAG_SELECT} WHERE chain = $1`, [chain]) : await db.query(TAG_SELECT);
  return rows.map(rowToTag);
}

export async function countTags(db: Db): Promise<number> {
  const rows = await db.query('SELECT COUNT(*) AS n FROM crypto_tags');
  return Number(rows[0]?.n ?? 0);
}

export async function tagsFor(db: Db, chain: Chain, addresses: string[]): Promise<Tag[]> {
  const out: Tag[] = [];
  for (const part of chunks(addresses, 500)) {
    const rows = await db.query(
      `${TAG_SELECT} WHERE chain = $1 AND address IN (${part.map((_, i) => `$${i + 2}`).join(', ')})`,
      [chain, ...part],
    );
    out.push(...rows.map(rowToTag));
  }
  return out;
}

// ---- addresses (clusters) ----------------------------------------------------------------------------------------

export async function saveClusters(db: Db, chain: Chain, clusterOf: Map<string, string>): Promise<number> {
  const now = new Date().toISOString();
  const entries = [...clusterOf.entries()];
  return db.transaction(async (tx) => {
    await tx.query('DELETE FROM crypto_addresses WHERE chain = $1', [chain]);
    if (entries.length === 0) return 0;
    return tx.bulkInsert(
      'crypto_addresses',
      [
        { name: 'chain', type: 'text' },
        { name: 'address', type: 'text' },
        { name: 'cluster_id', type: 'text' },
        { name: 'updated_at', type: 'text' },
      ],
      [
        {
          length: entries.length,
          columns: [
            entries.map(() => chain),
            entries.map(([a]) => a),
            entries.map(([, c]) => c),
            entries.map(() => now),
          ],
        },
      ],
    );
  });
}

export async function clusterMembers(db: Db, chain: Chain, address: string): Promise<string[]> {
  const rows = await db.query(
    'SELECT b.address FROM crypto_addresses a JOIN crypto_addresses b ON a.chain = b.chain AND a.cluster_id = b.cluster_id WHERE a.chain = $1 AND a.address = $2 ORDER BY b.address',
    [chain, address],
  );
  return rows.map((r) => String(r.address));
}

/** Remove UTXO transactions (with inputs and outputs) and blocks from height `fromHeight` on (reorg). */
export async function rollbackUtxoFrom(db: Db, chain: Chain, fromHeight: number): Promise<void> {
  // The txids first, then deletes by list: on Citus the three tables are sharded by txid, and a list prunes to
  // their shards where a subquery on another table would not plan as one statement.
  const rows = await db.query('SELECT DISTINCT tx_hash FROM crypto_utxo_txs WHERE chain = $1 AND block_height >= $2', [
    chain,
    fromHeight,
  ]);
  const txids = rows.map((r) => String(r.tx_hash));
  for (let i = 0; i < txids.length; i += SQL_LIST_BATCH[db.dialect]) {
    for (const table of ['crypto_tx_inputs', 'crypto_tx_outputs']) {
      const args: SqlValue[] = [chain];
      const list = sqlInList(db.dialect, args, txids.slice(i, i + SQL_LIST_BATCH[db.dialect]));
      await db.query(`DELETE FROM ${table} WHERE chain = $1 AND tx_hash IN ${list}`, args);
    }
  }
  await db.query('DELETE FROM crypto_utxo_txs WHERE chain = $1 AND block_height >= $2', [chain, fromHeight]);
  await db.query('DELETE FROM crypto_blocks WHERE chain = $1 AND number >= $2', [chain, fromHeight]);
}
