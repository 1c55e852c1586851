import type { Db, Row, SqlValue } from '../store/db.js';
import { sqlInList } from '../store/sql-list.js';
import type { Chain } from './addresses.js';
import { type AttributionIndex, isIllicitSource } from './attribution.js';
import { computeExposure, type ExposureParams, type ExposureResult, requireTargets } from './exposure.js';
import { FRONTIER_BATCH, type FrontierQuery, type FrontierReader, TransferReader, transferFilter } from './frontier.js';
import { TransferGraph } from './graph.js';
import type { Transfer } from './model.js';
import { rowToTransfer, TRANSFER_SELECT } from './store/repo.js';

/**
 * `crypto exposure` by iterative frontier expansion: it reads only the transfers the targets' figures depend on,
 * and gives exactly the `ExposureResult` of `computeExposure` over every transfer of the chain and asset
 * (src/crypto/exposure.ts).
 *
 * What the whole-graph answer depends on. `computeExposure` runs one forward trace (src/crypto/trace.ts) from every
 * listed / DPRK-attributed address in the graph (the sources, targets excluded), with no roles, no seed
 * transactions and no minimum amount, watching the targets. Its figures are:
 * - `received`: the in-window transfers into the targets from outside them, summed in edge order;
 * - `byHop` (hence `exposed`, `direct`, `indirect`): per target, per hop, the tainted value of each tainted transfer
 *   into it, added in edge order; the per-target arrays are then added in the targets' order;
 * - `evidence`: the tainted transfers into the targets, listed in edge order and stably sorted by tainted value;
 * - `sources`: the sources in graph node order that sent any tainted transfer (direct senders first).
 * The first three depend only on the tainted value (and its hops) of the transfers INTO the targets. A transfer
 * u → v carries what the trace computes from u's state just before it, and a state moves only with its holder's own
 * transfers (trace.ts, forward):
 * - a source's transfers are tainted in full at hop 1 whatever its state, and nothing it receives is kept (it is
 *   returned): a source's state never matters;
 * - poison: u's state is whether it is live and its smallest hop, set by its incoming tainted transfers;
 * - haircut: u's balance (its incoming AND outgoing transfers) and its taint per hop bucket and their sum, set by
 *   its incoming transfers; the sum gates whether u passes anything on (`rec[SUM] > 0`, snapped to 0 under 1e-9 of
 *   the balance), so even a bucket at the hop limit matters: haircut's dependence has no hop bound;
 * - FIFO: u's tape, placed by the untracked opening (the largest deficit of outflows over inflows over the whole
 *   window: all of u's transfers) and cumulative positions (its in- and outflows), with the tainted pieces of its
 *   incoming transfers. Pieces do not mix, and a piece at hop h at an address d transfers away from a target can
 *   only reach the target at hop h + d: FIFO's dependence, like poison's, is bounded by the hop limit.
 * So the backward time-respecting closure: the targets need every in-window incoming transfer and the state of
 * each sender just before it; an address whose state is needed up to time D needs its incoming transfers up to D
 * (and the states of their senders before them), plus, for haircut and FIFO, its own balance: its outgoing
 * transfers (haircut: up to D; FIFO: all, for the opening) and FIFO its incoming ones after D too. For poison and
 * FIFO an address d transfers away from a target matters only while d < maxHops (sources: d <= maxHops).
 * Induction over the edges in time order, as in docs/cluster.md for traces: every transfer that moves a needed
 * state before it is needed is read, and a transfer read beyond that (a later one, or another address's) only
 * moves states after they are needed or states that are never needed, so each needed state, hence each tainted
 * transfer into a target, is the whole graph's, float for float: the same operations on the same values in the
 * same order (the graph's edge order is the store order, which the subgraph keeps). Node order does not enter
 * these figures, and targets with no transfer read add zeros.
 *
 * The closure is found as the traces find their holders: compute it over the transfers read so far (each address
 * keeps the latest time and the smallest distance it is needed at: an over-approximation, hence safe), read what
 * its members need and have not been read, each address up to the time it is needed at (`RangeReader`: per
 * address, its transfers are read as a growing prefix in time, so a row met again is known by its time), repeat
 * until nothing is missing. Then `computeExposure` runs on the subgraph.
 *
 * `sources` is not local to the targets: the whole graph lists every source with a tainted outgoing transfer,
 * i.e. (its transfers being tainted in full) every illicit address with an in-window transfer of a non-zero amount
 * to another address that is not a source, in the whole graph's node order (first transfer of the asset, at any
 * time). One aggregate statement per batch of the attribution index's illicit addresses of the chain finds them
 * (`SELECT DISTINCT from_addr ... AND to_addr NOT IN (sources)`), and `firstSeen` orders them.
 *
 * The result is identical at any size: `computeExposure` lists every tainted transfer (no listing cap) and finds
 * the sources that sent from the graph, so neither `evidence` nor `sources` depends on how many tainted transfers
 * the chain holds elsewhere.
 *
 * UTXO chains (btc, ltc) go through a `FrontierReader` of the transfers `loadGraph` derives from their transactions
 * (`UtxoTransferReader`): the same closure, each address read at all times, and the sources by their transfers.
 */

export interface ExposureFrontierInput {
  db: Db;
  /** Chain, normalised asset and window (the window of `params` is taken from here). */
  query: FrontierQuery;
  /** Normalised target addresses, in the caller's order (as `computeExposure` takes them). */
  targets: string[];
  params: Partial<Pick<ExposureParams, 'method' | 'maxHops'>>;
  index: AttributionIndex;
  /** The asset's decimals when no transfer is read (the chain's native decimals). */
  defaultDecimals: number;
  /** Addresses per statement (default `FRONTIER_BATCH` of the engine). */
  batchSize?: number;
  /**
   * Another graph's reader (UTXO chains: `UtxoTransferReader`, the transfers `loadGraph` derives): every read goes
   * through it, at all times (no time bounds), and the sources through its `byAddress`. Default: crypto_transfers.
   */
  reader?: FrontierReader;
}

export interface ExposureFrontierStats {
  /** Closure computations (one per read round, the last finds nothing missing). */
  rounds: number;
  /** Transfer rows the store returned for the closure (a transfer can come back once per side). */
  rowsRead: number;
  /** Rows of the sources statement (distinct senders). */
  sourceRows: number;
  /** Transfers in the subgraph. */
  transfers: number;
  /** SQL statements run (closure, sources, first-seen). */
  queries: number;
  /** Addresses whose incoming / outgoing transfers were read. */
  inAddresses: number;
  outAddresses: number;
  /** Illicit addresses of the chain asked about, and those that sent taint. */
  sourcesChecked: number;
  sourcesSent: number;
}

export interface ExposureFrontierOutput {
  result: ExposureResult;
  /** The subgraph the exposure ran on, and its transfers in store order. */
  graph: TransferGraph;
  transfers: Transfer[];
  decimals: number;
  stats: ExposureFrontierStats;
}

/** The illicit addresses of `chain` that exposure takes as sources, the targets excepted. */
export function illicitAddresses(index: AttributionIndex, chain: Chain, targets: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const a of index.addresses((t) => t.sanctioned || t.dprk)) {
    if (a.chain === chain && !targets.has(a.address) && isIllicitSource(a.tags)) out.push(a.address);
  }
  return out;
}

/**
 * Which of `sources` sent, in the window, a non-zero transfer to an address that is neither itself nor a source
 * (`SELECT DISTINCT from_addr`, pushed down to one shard per address on Citus). PostgreSQL takes at most 65,535
 * parameters: with more sources than fit beside a batch, the statement returns the distinct (sender, receiver)
 * pairs instead and the client drops the receivers that are sources.
 */
async function sourcesThatSent(
  db: Db,
  q: FrontierQuery,
  sources: string[],
  batch: number,
  count: (rows: number) => void,
): Promise<Set<string>> {
  const sent = new Set<string>();
  const all = new Set(sources);
  const pairs = db.dialect === 'postgres' && sources.length + Math.min(batch, sources.length) > 60_000;
  for (let i = 0; i < sources.length; i += batch) {
    const part = sources.slice(i, i + batch);
    const { where, args } = transferFilter(q);
    where.push(`from_addr IN ${sqlInList(db.dialect, args, part)}`, 'to_addr <> from_addr');
    let rows: Row[];
    if (pairs) {
      rows = await db.query(
        `SELECT from_addr AS a, to_addr AS b FROM crypto_transfers WHERE ${where.join(' AND ')} GROUP BY from_addr, to_addr`,
        args,
      );
      for (const r of rows) if (!all.has(String(r.b))) sent.add(String(r.a));
    } else {
      where.push(`to_addr NOT IN ${sqlInList(db.dialect, args, sources)}`);
      rows = await db.query(`SELECT DISTINCT from_addr AS a FROM crypto_transfers WHERE ${where.join(' AND ')}`, args);
      for (const r of rows) sent.add(String(r.a));
    }
    count(rows.length);
  }
  return sent;
}

/** Exposure over the targets' backward closure only; see the module comment. */
export async function frontierExposure(input: ExposureFrontierInput): Promise<ExposureFrontierOutput> {
  const { db, query: q, index } = input;
  const method = input.params.method ?? 'haircut';
  const maxHops = input.params.maxHops ?? 4;
  const batch = input.batchSize ?? FRONTIER_BATCH[db.dialect];
  const reader: FrontierReader = input.reader ?? new TransferReader(db, q, batch);
  const targets = [...new Set(input.targets)];
  const targetSet = new Set(targets);
  const sourceList = illicitAddresses(index, q.chain, targetSet);
  const isSource = new Set(sourceList);
  const hopBounded = method !== 'haircut'; // poison and FIFO (see the module comment)
  const balances = method !== 'poison';

  // The transfers read, each once: per address, its outgoing / incoming transfers in the window up to a time have
  // been read (-Infinity: none, Infinity: all), so a row met again (as the other side's, or in a later read) is
  // known by its time. Rows the store holds twice stay twice, as in the whole graph.
  const read: Transfer[] = [];
  const outUpTo = new Map<string, number>();
  const inUpTo = new Map<string, number>();
  const NONE = Number.NEGATIVE_INFINITY;
  const covered = (t: Transfer): boolean =>
    t.tsMs <= (outUpTo.get(t.from) ?? NONE) || t.tsMs <= (inUpTo.get(t.to) ?? NONE);
  // Incoming transfers per receiver (sender, time), for the closure.
  const inFrom = new Map<string, string[]>();
  const inTs = new Map<string, number[]>();
  const keep = (t: Transfer): void => {
    read.push(t);
    if (t.from === t.to) return; // the trace skips self-transfers
    let f = inFrom.get(t.to);
    if (!f) {
      inFrom.set(t.to, (f = []));
      inTs.set(t.to, []);
    }
    f.push(t.from);
    inTs.get(t.to)!.push(t.tsMs);
  };

  // The closure over what is read: per address the latest time its state is needed (`until`; targets: every
  // incoming transfer) and its smallest distance to a target; what each member needs read, up to which time.
  const closure = (): { needIn: Map<string, number>; needOut: Map<string, number> } => {
    const until = new Map<string, number>();
    const dist = new Map<string, number>();
    const stateUntil = new Map<string, number>(); // latest needed outgoing transfer (targets too)
    const expanded = new Set<string>();
    // Latest time first: an address's time is then final when it comes out (a sender's time is at most its
    // receiver's), so each is expanded once, plus once per shorter distance found (poison, FIFO: at most maxHops).
    const work = new MaxHeap();
    for (const t of targets) {
      until.set(t, Number.POSITIVE_INFINITY);
      dist.set(t, 0);
      work.push(Number.POSITIVE_INFINITY, 0, t);
    }
    while (work.size > 0) {
      const { key: ux, dist: dx, value: x } = work.pop();
      if (ux < until.get(x)! || dx > dist.get(x)!) continue; // superseded by a later push
      if (isSource.has(x)) continue;
      if (hopBounded && dx >= maxHops) continue;
      expanded.add(x);
      const from = inFrom.get(x);
      if (!from) continue;
      const ts = inTs.get(x)!;
      for (let i = 0; i < from.length; i++) {
        const t = ts[i]!;
        if (t > ux) continue;
        const w = from[i]!;
        if (isSource.has(w)) continue; // a source's state never matters
        const sw = stateUntil.get(w);
        if (sw === undefined || t > sw) stateUntil.set(w, t);
        const uw = until.get(w);
        const dw = dist.get(w);
        const later = uw === undefined || t > uw;
        const nearer = dw === undefined || dx + 1 < dw;
        if (later || (hopBounded && nearer)) {
          const u2 = uw === undefined ? t : Math.max(uw, t);
          const d2 = dw === undefined ? dx + 1 : Math.min(dw, dx + 1);
          until.set(w, u2);
          dist.set(w, d2);
          work.push(u2, d2, w);
        }
      }
    }
    // Incoming transfers up to `until` (FIFO: all, its tape's opening needs them); outgoing ones (haircut and FIFO,
    // for addresses whose state is needed): haircut up to the latest needed outgoing transfer, FIFO all.
    const ALL = Number.POSITIVE_INFINITY;
    const needIn = new Map<string, number>();
    const needOut = new Map<string, number>();
    for (const x of expanded) {
      needIn.set(x, method === 'fifo' ? ALL : until.get(x)!);
      const s = stateUntil.get(x);
      if (balances && s !== undefined) needOut.set(x, method === 'fifo' ? ALL : s);
    }
    return { needIn, needOut };
  };

  const ranges = new RangeReader(db, q, batch);
  let rounds = 0;
  for (;;) {
    const { needIn, needOut } = closure();
    rounds++;
    const missing = (need: Map<string, number>, upTo: Map<string, number>): Range[] => {
      const out: Range[] = [];
      for (const [a, hi] of need) {
        const lo = upTo.get(a) ?? NONE;
        if (hi > lo) out.push({ address: a, lo, hi });
      }
      return out;
    };
    const missingIn = missing(needIn, inUpTo);
    const missingOut = missing(needOut, outUpTo);
    if (missingIn.length === 0 && missingOut.length === 0) break;
    if (input.reader) {
      // A reader of another graph (UTXO chains) reads an address's transfers at all times: up to Infinity.
      const all = (rs: Range[]) => rs.map((r) => r.address);
      await reader.byAddress(all(missingOut), all(missingIn), (sent, received, outPart, inPart) => {
        for (const t of sent) if (!covered(t)) keep(t);
        for (const a of outPart) outUpTo.set(a, Number.POSITIVE_INFINITY);
        for (const t of received) if (!covered(t)) keep(t);
        for (const a of inPart) inUpTo.set(a, Number.POSITIVE_INFINITY);
      });
      continue;
    }
    await ranges.read(missingOut, missingIn, (sent, received, outPart, inPart) => {
      // Sent rows first (their senders' new ranges), then received rows not just read as sent.
      for (const t of sent) if (!covered(t)) keep(t);
      for (const r of outPart) outUpTo.set(r.address, r.hi);
      for (const t of received) if (!covered(t)) keep(t);
      for (const r of inPart) inUpTo.set(r.address, r.hi);
    });
  }
  const closureRows = ranges.rowsRead + (input.reader ? reader.rowsRead : 0);
  read.sort((a, b) => reader.compareTransfers(a, b));
  const graph = TransferGraph.fromTransfers(read);
  const decimals = (await reader.decimals(read[0], undefined)) ?? input.defaultDecimals;

  // Does any target appear in the whole graph? Their incoming transfers in the window are read; else ask the store.
  if (!targets.some((a) => graph.id(a) !== undefined) && (await reader.firstSeen(targets)).size === 0) {
    requireTargets(graph, input.targets); // none is in the subgraph: refused as the whole graph refuses
  }

  const result = computeExposure(graph, index, { chain: q.chain, asset: q.asset, decimals }, input.targets, {
    method,
    maxHops,
    sinceMs: q.sinceMs,
    untilMs: q.untilMs,
  });

  // Sources: every source that sent taint anywhere, in the whole graph's node order, direct senders first.
  let sourceRows = 0;
  let queries = 0;
  let sent: Set<string>;
  if (input.reader) {
    // Another graph's reader: every transfer the sources sent, checked here.
    sent = new Set<string>();
    const before = reader.rowsRead;
    await reader.byAddress(sourceList, [], (rows) => {
      for (const t of rows) if (t.amount > 0n && t.from !== t.to && !isSource.has(t.to)) sent.add(t.from);
    });
    sourceRows = reader.rowsRead - before;
  } else {
    sent = await sourcesThatSent(db, q, sourceList, batch, (n) => {
      sourceRows += n;
      queries++;
    });
  }
  const firsts = await reader.firstSeen([...sent]);
  const ordered = [...sent].sort((a, b) => reader.compareFirstSeen(firsts.get(a), firsts.get(b)));
  const directFrom = new Set(result.evidence.filter((e) => e.hop === 1).map((e) => e.from));
  result.sources = ordered
    .sort((a, b) => Number(directFrom.has(b)) - Number(directFrom.has(a)))
    .slice(0, 100)
    .map((s) => {
      const t = index.get(q.chain, s).find((x) => x.sanctioned || x.dprk)!;
      return { address: s, label: t.label, entityId: t.entityId, direct: directFrom.has(s) };
    });

  return {
    result,
    graph,
    transfers: read,
    decimals,
    stats: {
      rounds,
      rowsRead: closureRows,
      sourceRows,
      transfers: read.length,
      queries: ranges.queries + reader.queries + queries,
      inAddresses: inUpTo.size,
      outAddresses: outUpTo.size,
      sourcesChecked: sourceList.length,
      sourcesSent: sent.size,
    },
  };
}

/**
 * The earliest transfer into the targets at any time, zero amounts included (the `crypto.exposure` finding's time,
 * as the whole-graph path takes it from every stored transfer of the asset); undefined when there is none.
 */
export async function firstReceivedMs(
  db: Db,
  q: Pick<FrontierQuery, 'chain' | 'asset'>,
  targets: string[],
  batch = FRONTIER_BATCH[db.dialect],
): Promise<number | undefined> {
  let first: number | undefined;
  const list = [...new Set(targets)];
  for (let i = 0; i < list.length; i += batch) {
    const args: SqlValue[] = [q.chain, q.asset];
    const inList = sqlInList(db.dialect, args, list.slice(i, i + batch));
    const [row] = await db.query(
      `SELECT MIN(ts) AS t FROM crypto_transfers WHERE chain = $1 AND asset = $2 AND to_addr IN ${inList}`,
      args,
    );
    if (row && row.t !== null && row.t !== undefined) {
      const t = Number(row.t);
      if (first === undefined || t < first) first = t;
    }
  }
  return first;
}

/** A binary max-heap of (key, distance, address), the largest key on top. */
class MaxHeap {
  private readonly keys: number[] = [];
  private readonly dists: number[] = [];
  private readonly values: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, dist: number, value: string): void {
    const { keys, dists, values } = this;
    let i = keys.length;
    keys.push(key);
    dists.push(dist);
    values.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! >= key) break;
      keys[i] = keys[p]!;
      dists[i] = dists[p]!;
      values[i] = values[p]!;
      i = p;
    }
    keys[i] = key;
    dists[i] = dist;
    values[i] = value;
  }

  pop(): { key: number; dist: number; value: string } {
    const { keys, dists, values } = this;
    const top = { key: keys[0]!, dist: dists[0]!, value: values[0]! };
    const key = keys.pop()!;
    const dist = dists.pop()!;
    const value = values.pop()!;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && keys[l + 1]! > keys[l]! ? l + 1 : l;
        if (keys[c]! <= key) break;
        keys[i] = keys[c]!;
        dists[i] = dists[c]!;
        values[i] = values[c]!;
        i = c;
      }
      keys[i] = key;
      dists[i] = dist;
      values[i] = value;
    }
    return top;
  }
}

/** Transfers of one address, in the window, with lo < ts <= hi. */
interface Range {
  address: string;
  lo: number;
  hi: number;
}

/**
 * Reads of transfers by address and time range, one statement per batch of addresses, its senders' part `UNION
 * ALL` its receivers' part; each row is then kept if it lies in its own address's range. PostgreSQL / Citus:
 * `from_addr IN (...) AND ts > $lo AND ts <= $hi` with the batch's widest bounds, the addresses being sorted by
 * their upper time so that a batch's bounds stay close (the `from_addr` part goes to one shard per address on
 * Citus). DuckDB, whose batches are large: a hash join with the (address, lo, hi) rows, each address's own bounds.
 */
class RangeReader {
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

  async read(
    senders: Range[],
    receivers: Range[],
    onRows: (sent: Transfer[], received: Transfer[], senders: Range[], receivers: Range[]) => void,
  ): Promise<void> {
    const byHi = (a: Range, b: Range): number => a.hi - b.hi || a.lo - b.lo;
    senders.sort(byHi);
    receivers.sort(byHi);
    for (let i = 0; i < Math.max(senders.length, receivers.length); i += this.batch) {
      const out = senders.slice(i, i + this.batch);
      const inn = receivers.slice(i, i + this.batch);
      const { where: base, args } = transferFilter(this.q);
      const parts: string[] = [];
      for (const [col, list, side] of [
        ['from_addr', out, 0],
        ['to_addr', inn, 1],
      ] as const) {
        if (list.length === 0) continue;
        if (this.db.dialect === 'duckdb') {
          // Each address's own bounds: the lists zipped into rows by parallel unnests, joined (a hash join).
          const split = (values: readonly (string | number)[], cast: string): string => {
            args.push(values.join('\u001f'));
            return `CAST(unnest(string_split($${args.length}, chr(31))) AS ${cast})`;
          };
          const a = split(
            list.map((r) => r.address),
            'TEXT',
          );
          const lo = split(
            list.map((r) => (r.lo === Number.NEGATIVE_INFINITY ? -1 : r.lo)),
            'BIGINT',
          );
          const hi = split(
            list.map((r) => (r.hi === Number.POSITIVE_INFINITY ? 9e15 : r.hi)),
            'BIGINT',
          );
          parts.push(
            `SELECT ${TRANSFER_SELECT}, ${side} AS side FROM crypto_transfers JOIN (SELECT ${a} AS a, ${lo} AS lo, ${hi} AS hi) r ON ${col} = r.a AND ts > r.lo AND ts <= r.hi WHERE ${base.join(' AND ')}`,
          );
          continue;
        }
        const where = [
          ...base,
          `${col} IN ${sqlInList(
            this.db.dialect,
            args,
            list.map((r) => r.address),
          )}`,
        ];
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const r of list) {
          if (r.lo < lo) lo = r.lo;
          if (r.hi > hi) hi = r.hi;
        }
        if (lo > Number.NEGATIVE_INFINITY) {
          args.push(lo);
          where.push(`ts > $${args.length}`);
        }
        if (hi < Number.POSITIVE_INFINITY) {
          args.push(hi);
          where.push(`ts <= $${args.length}`);
        }
        parts.push(`SELECT ${TRANSFER_SELECT}, ${side} AS side FROM crypto_transfers WHERE ${where.join(' AND ')}`);
      }
      this.queries++;
      const rows = await this.db.query(parts.join(' UNION ALL '), args);
      this.rowsRead += rows.length;
      const outRange = new Map(out.map((r) => [r.address, r]));
      const inRange = new Map(inn.map((r) => [r.address, r]));
      const sent: Transfer[] = [];
      const received: Transfer[] = [];
      for (const row of rows) {
        const t = rowToTransfer(row);
        if (t.amount <= 0n) continue;
        const toSender = Number(row.side) === 0;
        const r = toSender ? outRange.get(t.from)! : inRange.get(t.to)!;
        if (t.tsMs > r.lo && t.tsMs <= r.hi) (toSender ? sent : received).push(t);
      }
      onRows(sent, received, out, inn);
    }
  }
}
