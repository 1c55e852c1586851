import type { Db, Row, SqlValue } from '../store/db.js';
import { SQL_LIST_BATCH, sqlInList } from '../store/sql-list.js';
import type { Chain } from './addresses.js';
import type { AttributionIndex } from './attribution.js';
import { GraphBuilder, type TransferGraph } from './graph.js';
import type { Transfer } from './model.js';
import { rolesFor } from './report.js';
import { rowToTransfer, TRANSFER_SELECT } from './store/repo.js';
import { ROLE_STOP, type TraceParams, type TraceResult, trace } from './trace.js';

/**
 * A store-backed trace that reads only the transfers its answer depends on, hop by hop (iterative frontier
 * expansion), and gives exactly the report of the whole-graph trace (`trace` over every transfer of the chain and
 * asset).
 *
 * What a trace's answer depends on (see trace.ts). Call "holders" the addresses that hold taint (forward) or
 * interest (backward) at some point: every non-seed address the trace reaches, except services where it stops.
 * - Forward: the seeds' outgoing transfers, every transfer of a seed transaction, and each holder's outgoing
 *   transfers (the ones that carry taint on, and the ones the hop limit stops). Haircut and FIFO also need each
 *   holder's whole balance in the window: its incoming transfers, from tainted senders or not (haircut's share is
 *   taint / balance; FIFO's tape starts with the untracked opening, from all of its inflows and outflows).
 *   Poison needs no more.
 * - Backward mirrors it: the seeds' and holders' incoming transfers (haircut's share is over the inflows before a
 *   transfer), and for FIFO their outgoing transfers too (their tapes).
 * Every other transfer carries no taint and moves only the balance of addresses that never hold taint, so leaving
 * it out changes nothing (the induction over the time-ordered edges is written out in docs/cluster.md).
 *
 * The holders are not known before the trace, so the trace itself finds them: run it on the transfers read so far,
 * read what its holders need and have not been read yet (`WHERE from_addr IN (...)`: one shard per address on
 * Citus, the table being distributed by `from_addr`; `WHERE to_addr IN (...)`: all shards, gathered on the
 * coordinator), and repeat until nothing is missing. Each round reaches one hop further; a round's trace runs over
 * the few transfers read, not the table.
 *
 * The report lists addresses in the whole graph's node order (the order of each address's first transfer of the
 * asset, at any time, the graph being built from transfers ordered by ts, block, tx hash and index) and haircut's
 * float totals sum per address in that order, so the final graph interns the reached addresses in that order
 * (one aggregate query per batch finds their first transfer) before the last run.
 *
 * The reads, and the whole graph's orders, come from a `FrontierReader`: `TransferReader` (crypto_transfers) on
 * account chains; on UTXO chains (backward and `--asset` traces) `UtxoTransferReader`, which derives the transfers
 * `loadGraph` builds from the UTXO tables (src/crypto/utxo-transfer-reader.ts).
 */

/**
 * Addresses per statement: `SQL_LIST_BATCH` (src/store/sql-list.ts). PostgreSQL / Citus: a list of placeholders
 * (Citus prunes the `from_addr` part to one shard per address) answered from the `(chain, from_addr)` /
 * `(chain, to_addr)` indexes; DuckDB: one text parameter in large batches (its ART index serves no IN list).
 */
export const FRONTIER_BATCH = SQL_LIST_BATCH;

export interface FrontierQuery {
  chain: Chain;
  /** Normalised asset (native symbol or token contract). */
  asset: string;
  sinceMs?: number;
  untilMs?: number;
}

export interface FrontierStats {
  /** Trace runs over the growing subgraph (the last one gives the report). */
  rounds: number;
  /** Transfer rows the store returned (the same transfer can come back once as outgoing and once as incoming). */
  rowsRead: number;
  /** Transfers in the final graph. */
  transfers: number;
  /** SQL statements run. */
  queries: number;
  /** Addresses whose outgoing / incoming transfers were read. */
  outAddresses: number;
  inAddresses: number;
}

export interface FrontierTraceInput {
  db: Db;
  query: FrontierQuery;
  /** Normalised seed addresses, in the caller's order. */
  seeds: string[];
  seedTxs: Set<string>;
  /** Trace parameters (method, direction, hops, window, listing cap); `minAmount` is replaced by the next field. */
  params: TraceParams;
  /** The minimum amount in base units, given the asset's decimals as stored (undefined when no transfer is read). */
  minAmount: (decimals: number | undefined) => number;
  index: AttributionIndex;
  /** Thrown for the first seed with no transfer of the asset stored (at any time). */
  missingSeed: (address: string) => Error;
  /** Addresses per statement (default `FRONTIER_BATCH` of the engine). */
  batchSize?: number;
  /** What to read through (default: a `TransferReader` of `query`, the chain's crypto_transfers). */
  reader?: FrontierReader;
}

export interface FrontierTraceOutput {
  result: TraceResult;
  graph: TransferGraph;
  /** The asset's decimals as stored on the transfers read (undefined when none was read). */
  decimals: number | undefined;
  stats: FrontierStats;
}

/** The store's transfer order (`ORDER BY ts, block_number, tx_hash, idx`, NULL blocks last). */
export function compareKey(
  aTs: number,
  aBlock: number | null,
  aTx: string,
  aIdx: number,
  bTs: number,
  bBlock: number | null,
  bTx: string,
  bIdx: number,
): number {
  if (aTs !== bTs) return aTs - bTs;
  if (aBlock !== bBlock) {
    if (aBlock === null) return 1;
    if (bBlock === null) return -1;
    return aBlock - bBlock;
  }
  if (aTx !== bTx) return aTx < bTx ? -1 : 1;
  return aIdx - bIdx;
}

const compareTransfers = (a: Transfer, b: Transfer): number =>
  compareKey(a.tsMs, a.blockNumber, a.txHash, a.index, b.tsMs, b.blockNumber, b.txHash, b.index);

/** Where an address first appears in the whole graph: its first transfer in store order, sender before receiver. */
export interface FirstSeen {
  ts: number;
  block: number | null;
  tx: string;
  idx: number;
  /** 0 as sender, 1 as receiver (the graph interns a transfer's sender first). */
  side: number;
  decimals: number;
}

export const compareFirstSeen = (a: FirstSeen, b: FirstSeen): number =>
  compareKey(a.ts, a.block, a.tx, a.idx, b.ts, b.block, b.tx, b.idx) || a.side - b.side;

/**
 * What the frontier reads through: the transfers of a chain whose whole graph the frontier reproduces, with that
 * graph's orders. `F` is where an address first appears in the whole graph. Two implementations: `TransferReader`
 * (crypto_transfers, account chains) and `UtxoTransferReader` (src/crypto/utxo-transfer-reader.ts: the transfers
 * derived from the UTXO tables, plus the chain's crypto_transfers rows, as `loadGraph` builds them).
 */
export interface FrontierReader<F = unknown> {
  /** Rows the store returned, and statements run. */
  readonly rowsRead: number;
  readonly queries: number;
  /** Transfers in the window of the given seed transactions. */
  byTx(hashes: string[], onRows: (t: Transfer[]) => void): Promise<void>;
  /**
   * Transfers in the window sent by `senders` or received by `receivers`, in batches: `onRows` gets every transfer a
   * batch's senders sent and its receivers received, once per batch, with the addresses it asked for.
   */
  byAddress(
    senders: string[],
    receivers: string[],
    onRows: (sent: Transfer[], received: Transfer[], senders: string[], receivers: string[]) => void,
  ): Promise<void>;
  /** Where each address first appears in the whole graph (at any time); absent when it has no transfer. */
  firstSeen(addresses: string[]): Promise<Map<string, F>>;
  /** The whole graph's edge order (its build sorts by time, stable: this orders transfers of the same time). */
  compareTransfers(a: Transfer, b: Transfer): number;
  /** The whole graph's node order. */
  compareFirstSeen(a: F, b: F): number;
  /**
   * The whole graph's decimals, given the first transfer read (in edge order) and the first seed first-seen
   * without a transfer read (undefined when the whole graph has no transfer).
   */
  decimals(firstRead: Transfer | undefined, firstSeed: F | undefined): Promise<number | undefined>;
}

/**
 * The conditions every frontier read of `crypto_transfers` starts with: the chain and asset, non-zero amounts and
 * (when `windowed`) the query's window; `args` holds their parameters, so more conditions can append theirs.
 */
export function transferFilter(q: FrontierQuery, windowed = true): { where: string[]; args: SqlValue[] } {
  const args: SqlValue[] = [q.chain, q.asset];
  const where = ['chain = $1', 'asset = $2', "amount <> '0'"];
  if (windowed && q.sinceMs !== undefined) {
    args.push(q.sinceMs);
    where.push(`ts >= $${args.length}`);
  }
  if (windowed && q.untilMs !== undefined) {
    args.push(q.untilMs);
    where.push(`ts <= $${args.length}`);
  }
  return { where, args };
}

/** Parameterised reads of one chain and asset's transfers, counting rows and statements. */
export class TransferReader implements FrontierReader<FirstSeen> {
  rowsRead = 0;
  queries = 0;
  private readonly db: Db;
  private readonly q: FrontierQuery;
  private readonly batch: number;

  constructor(db: Db, q: FrontierQuery, batch: number) {
    this.db = db;
    this.q = q;
    this.batch = batch;
  }

  /** `chain = $1 AND asset = $2 AND amount <> '0'` plus the window when `windowed`. */
  private base(windowed: boolean): { where: string; params: SqlValue[] } {
    const { where, args } = transferFilter(this.q, windowed);
    return { where: where.join(' AND '), params: args };
  }

  /** `(...)` for `col IN (...)` holding `values`, whose parameters are appended to `args`. */
  private list(args: SqlValue[], values: readonly (string | number)[]): string {
    return sqlInList(this.db.dialect, args, values);
  }

  private async run(sql: string, params: SqlValue[]): Promise<Row[]> {
    this.queries++;
    return this.db.query(sql, params);
  }

  compareTransfers(a: Transfer, b: Transfer): number {
    return compareTransfers(a, b);
  }

  compareFirstSeen(a: FirstSeen, b: FirstSeen): number {
    return compareFirstSeen(a, b);
  }

  /** The first transfer read's, else the first seed's first transfer's (the asset's decimals as stored). */
  async decimals(firstRead: Transfer | undefined, firstSeed: FirstSeen | undefined): Promise<number | undefined> {
    return firstRead?.decimals ?? firstSeed?.decimals;
  }

  /** Transfers in the window of the given seed transactions. */
  async byTx(hashes: string[], onRows: (t: Transfer[]) => void): Promise<void> {
    for (let i = 0; i < hashes.length; i += this.batch) {
      const part = hashes.slice(i, i + this.batch);
      const { where, params } = this.base(true);
      const args = [...params];
      const list = this.list(args, part);
      const rows = await this.run(
        `SELECT ${TRANSFER_SELECT} FROM crypto_transfers WHERE ${where} AND tx_hash IN ${list}`,
        args,
      );
      this.rowsRead += rows.length;
      onRows(rows.map(rowToTransfer).filter((t) => t.amount > 0n));
    }
  }

  /**
   * Transfers in the window sent by `senders` or received by `receivers`: one statement per batch of each,
   * `SELECT ... WHERE from_addr IN (...) UNION ALL SELECT ... WHERE to_addr IN (...)` (the first part goes to one
   * shard per address on Citus). `onRows` gets each statement's rows with the addresses it asked for.
   */
  async byAddress(
    senders: string[],
    receivers: string[],
    onRows: (sent: Transfer[], received: Transfer[], senders: string[], receivers: string[]) => void,
  ): Promise<void> {
    for (let i = 0; i < Math.max(senders.length, receivers.length); i += this.batch) {
      const out = senders.slice(i, i + this.batch);
      const inn = receivers.slice(i, i + this.batch);
      const { where, params } = this.base(true);
      const args: SqlValue[] = [...params];
      const parts: string[] = [];
      for (const [col, list, side] of [
        ['from_addr', out, 0],
        ['to_addr', inn, 1],
      ] as const) {
        if (list.length === 0) continue;
        const values = this.list(args, list);
        parts.push(
          `SELECT ${TRANSFER_SELECT}, ${side} AS side FROM crypto_transfers WHERE ${where} AND ${col} IN ${values}`,
        );
      }
      const rows = await this.run(parts.join(' UNION ALL '), args);
      this.rowsRead += rows.length;
      const sent: Transfer[] = [];
      const received: Transfer[] = [];
      for (const r of rows) {
        const t = rowToTransfer(r);
        if (t.amount > 0n) (Number(r.side) === 0 ? sent : received).push(t);
      }
      onRows(sent, received, out, inn);
    }
  }

  /**
   * Each address's first transfer of the asset at any time (the window does not apply: the whole graph holds every
   * transfer): the earliest time per address as sender and as receiver (GROUP BY, pushed down to the shards), then
   * the transfers of those addresses at that time, the first of which in store order is the answer.
   */
  async firstSeen(addresses: string[]): Promise<Map<string, FirstSeen>> {
    const out = new Map<string, FirstSeen>();
    for (let i = 0; i < addresses.length; i += this.batch) {
      const part = addresses.slice(i, i + this.batch);
      const { where, params } = this.base(false);
      const args = [...params];
      const list = this.list(args, part);
      const minTs = new Map<string, number>();
      const rows = await this.run(
        ['from_addr', 'to_addr']
          .map(
            (c) =>
              `SELECT ${c} AS a, MIN(ts) AS t FROM crypto_transfers WHERE ${where} AND ${c} IN ${list} GROUP BY ${c}`,
          )
          .join(' UNION ALL '),
        args,
      );
      for (const r of rows) {
        const a = String(r.a);
        const t = Number(r.t);
        const was = minTs.get(a);
        if (was === undefined || t < was) minTs.set(a, t);
      }
      if (minTs.size === 0) continue;
      const times = [...new Set(minTs.values())];
      const found = [...minTs.keys()];
      const args2 = [...params];
      const aList = this.list(args2, found);
      const tList = this.list(args2, times);
      const cands = await this.run(
        (['from_addr', 'to_addr'] as const)
          .map(
            (c, side) =>
              `SELECT ${c} AS a, ${side} AS side, ts, block_number, tx_hash, idx, decimals FROM crypto_transfers WHERE ${where} AND ${c} IN ${aList} AND ts IN ${tList}`,
          )
          .join(' UNION ALL '),
        args2,
      );
      for (const r of cands) {
        const a = String(r.a);
        const ts = Number(r.ts);
        if (minTs.get(a) !== ts) continue;
        const f: FirstSeen = {
          ts,
          block: r.block_number === null ? null : Number(r.block_number),
          tx: String(r.tx_hash),
          idx: Number(r.idx),
          side: Number(r.side),
          decimals: Number(r.decimals),
        };
        const was = out.get(a);
        if (!was || compareFirstSeen(f, was) < 0) out.set(a, f);
      }
    }
    return out;
  }
}

/** Two arrays in `compare` order merged into one (stable: `a`'s rows first on equal keys). */
function mergeSorted(a: Transfer[], b: Transfer[], compare: (a: Transfer, b: Transfer) => number): Transfer[] {
  const out = new Array<Transfer>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Graph over `transfers` (sorted in store order) with `first` interned first, in that order: the reached addresses'
 * relative order is then the whole graph's.
 */
function buildGraph(transfers: Transfer[], first: readonly string[]): TransferGraph {
  const b = new GraphBuilder(transfers.length);
  for (const a of first) b.node(a);
  for (let i = 0; i < transfers.length; i++) {
    const t = transfers[i]!;
    b.add(t.from, t.to, t.tsMs, Number(t.amount), i);
  }
  return b.build(
    (r) => transfers[r]!.txHash,
    (r) => transfers[r]!.amount,
  );
}

/** Trace over only the transfers the answer depends on; see the module comment. */
export async function frontierTrace(input: FrontierTraceInput): Promise<FrontierTraceOutput> {
  const { seeds, seedTxs, index } = input;
  const chain = input.query.chain;
  const reader: FrontierReader =
    input.reader ?? new TransferReader(input.db, input.query, input.batchSize ?? FRONTIER_BATCH[input.db.dialect]);
  const compare = (a: Transfer, b: Transfer): number => reader.compareTransfers(a, b);
  const compareFirst = (a: unknown, b: unknown): number => reader.compareFirstSeen(a, b);
  const backward = input.params.direction === 'backward';
  const balances = input.params.method !== 'poison'; // haircut and FIFO need holders' whole balance
  const tapesBothWays = input.params.method === 'fifo';

  // The transfers read: every row whose sender is in `outDone`, whose receiver is in `inDone`, or (forward) whose
  // transaction is a seed transaction, each once: a row that a new read and an earlier one both match is kept once
  // (duplicated rows in the store stay duplicated, as in the whole graph).
  let read: Transfer[] = [];
  let sortedUpTo = 0; // read[0, sortedUpTo) is in the whole graph's edge order; later rows are new
  const sortRead = (): void => {
    if (sortedUpTo === read.length) return;
    const fresh = read.slice(sortedUpTo).sort(compare);
    read = sortedUpTo === 0 ? fresh : mergeSorted(read.slice(0, sortedUpTo), fresh, compare);
    sortedUpTo = read.length;
  };
  const outDone = new Set<string>();
  const inDone = new Set<string>();
  let txsDone = false;
  const covered = (t: Transfer): boolean =>
    outDone.has(t.from) || inDone.has(t.to) || (txsDone && seedTxs.has(t.txHash));
  const readAddresses = async (senders: string[], receivers: string[]): Promise<void> => {
    const out = [...new Set(senders)].filter((a) => !outDone.has(a));
    const inn = [...new Set(receivers)].filter((a) => !inDone.has(a));
    await reader.byAddress(out, inn, (sent, received, outPart, inPart) => {
      // Sent rows have distinct senders, new to `outDone`; then received rows, skipping those just read as sent.
      for (const t of sent) if (!covered(t)) read.push(t);
      for (const a of outPart) outDone.add(a);
      for (const t of received) if (!covered(t)) read.push(t);
      for (const a of inPart) inDone.add(a);
    });
  };

  // What the seeds need before the first run.
  if (!backward && seedTxs.size > 0) {
    await reader.byTx([...seedTxs], (rows) => {
      for (const t of rows) read.push(t);
    });
    txsDone = true;
  }
  await readAddresses(!backward || tapesBothWays ? seeds : [], backward ? seeds : []);
  // Seeds must be in the whole graph (a transfer of the asset at any time), as the whole-graph trace requires;
  // the store is asked only about seeds the reads did not show.
  const inRead = new Set<string>();
  for (const t of read) {
    inRead.add(t.from);
    inRead.add(t.to);
  }
  const seen = await reader.firstSeen([...new Set(seeds.filter((a) => !inRead.has(a)))]);
  for (const a of seeds) if (!inRead.has(a) && !seen.has(a)) throw input.missingSeed(a);

  // The asset's decimals (TransferReader: those of the first transfer read, else of a seed's first transfer).
  sortRead();
  const seedFirst = [...seen.values()].sort(compareFirst)[0];
  const decimals = await reader.decimals(read[0], seedFirst);
  const params: TraceParams = { ...input.params, minAmount: input.minAmount(decimals) };
  const probe: TraceParams = { ...params, maxListed: 1 };
  const seedSet = new Set(seeds);
  let rounds = 0;
  let graph: TransferGraph;
  let result: TraceResult;
  for (;;) {
    sortRead(); // the new rows only, merged into the sorted ones (a round's read is small beside the graph)
    graph = buildGraph(read, seeds);
    const roles = rolesFor(graph, index, chain);
    result = trace({ graph, seeds: seeds.map((a) => graph.id(a)!), seedTxs, roles, params: probe });
    rounds++;
    // Holders: reached, not a seed, not a service where the trace stops.
    const holders: string[] = [];
    const hop = result.hopByNode;
    for (let v = 0; v < graph.nodeCount; v++) {
      if (hop[v]! < 0 || roles[v] === ROLE_STOP) continue;
      const a = graph.addresses[v]!;
      if (!seedSet.has(a)) holders.push(a);
    }
    const needOut = backward ? (tapesBothWays ? holders : []) : holders;
    const needIn = backward || balances ? holders : [];
    const missingOut = needOut.filter((a) => !outDone.has(a));
    const missingIn = needIn.filter((a) => !inDone.has(a));
    if (missingOut.length === 0 && missingIn.length === 0) break;
    await readAddresses(missingOut, missingIn);
  }

  // The final run, on a graph whose reached addresses keep the whole graph's relative order.
  const reached: string[] = [];
  for (let v = 0; v < graph.nodeCount; v++) if (result.hopByNode[v]! >= 0) reached.push(graph.addresses[v]!);
  const firsts = new Map(seen);
  const unknown = reached.filter((a) => !firsts.has(a));
  for (const [a, f] of await reader.firstSeen(unknown)) firsts.set(a, f);
  reached.sort((a, b) => compareFirst(firsts.get(a), firsts.get(b)));
  const final = buildGraph(read, reached);
  const result2 = trace({
    graph: final,
    seeds: seeds.map((a) => final.id(a)!),
    seedTxs,
    roles: rolesFor(final, index, chain),
    params,
  });
  rounds++;
  return {
    result: result2,
    graph: final,
    decimals,
    stats: {
      rounds,
      rowsRead: reader.rowsRead,
      transfers: read.length,
      queries: reader.queries,
      outAddresses: outDone.size,
      inAddresses: inDone.size,
    },
  };
}
