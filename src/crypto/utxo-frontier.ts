import type { Db, SqlValue } from '../store/db.js';
import { SQL_LIST_BATCH, sqlInList } from '../store/sql-list.js';
import type { Chain } from './addresses.js';
import type { UtxoTx } from './model.js';
import { loadUtxoTxs } from './store/repo.js';
import type { TraceParams, TraceResult } from './trace.js';
import { aggregateUtxo, propagateUtxo, type UtxoPropagation } from './utxo-trace.js';

/**
 * A store-backed forward trace on a UTXO chain that reads only the transactions its taint reaches (iterative
 * frontier expansion) and gives exactly the report of the whole-set trace (`traceUtxo` over every transaction).
 *
 * What the answer depends on (see utxo-trace.ts): the transactions that pay a seed address (their outputs are the
 * starting taint), the seed transactions, and every transaction that spends a tainted output. Any other
 * transaction has no tainted input and pays no seed, so it adds no taint, no edge and no total; and an output's
 * taint is a function of its own transaction's inputs, so leaving the others out changes no value. The report's
 * order and sums follow the tainted transactions alone (`aggregateUtxo`), so they come out the same too.
 *
 * The tainted outputs are not known before the trace, so the trace finds them: propagate over the transactions
 * read so far, ask the store which transactions spend the tainted outputs not asked about yet
 * (`crypto_tx_inputs.prev_tx IN (...)`, index 0410), read those, and repeat until no tainted output has an unread
 * spender. Each round reaches one spend further; a round propagates over the few transactions read, not the chain.
 */

export interface UtxoFrontierStats {
  /** Propagations over the growing set (the last one gives the report). */
  rounds: number;
  /** SQL statements run. */
  queries: number;
  /** Transactions read (with their inputs and outputs). */
  txsRead: number;
  /** Transactions whose spenders were asked for. */
  spendsAsked: number;
}

export interface UtxoFrontierInput {
  db: Db;
  chain: Chain;
  /** Normalised seed addresses, in the caller's order. */
  seeds: string[];
  seedTxs: Set<string>;
  /** Full trace parameters (utxoTraceParams). */
  params: TraceParams;
  roleOf: (address: string) => number;
  /** Thrown for the first seed that no stored output pays (at any time). */
  missingSeed: (address: string) => Error;
  /** Values per statement (default SQL_LIST_BATCH of the engine). */
  batchSize?: number;
}

export interface UtxoFrontierOutput {
  result: TraceResult;
  addresses: string[];
  stats: UtxoFrontierStats;
}

export async function utxoFrontierTrace(input: UtxoFrontierInput): Promise<UtxoFrontierOutput> {
  const { db, chain, params, roleOf } = input;
  const batch = input.batchSize ?? SQL_LIST_BATCH[db.dialect];
  const stats: UtxoFrontierStats = { rounds: 0, queries: 0, txsRead: 0, spendsAsked: 0 };
  /** Rows of `sql` (which holds `{list}`) for `values`, in batches. */
  const byList = async (sql: string, values: string[], each: (r: Record<string, unknown>) => void) => {
    for (let i = 0; i < values.length; i += batch) {
      const args: SqlValue[] = [chain];
      const list = sqlInList(db.dialect, args, values.slice(i, i + batch));
      stats.queries++;
      for (const r of await db.query(sql.replace('{list}', list), args)) each(r);
    }
  };

  // Who pays each seed (at any time: the whole-set trace knows a seed by any output paying it).
  const paying = new Set<string>();
  const paid = new Set<string>();
  await byList(
    'SELECT DISTINCT tx_hash, address FROM crypto_tx_outputs WHERE chain = $1 AND address IN {list}',
    [...new Set(input.seeds)],
    (r) => {
      paying.add(String(r.tx_hash));
      paid.add(String(r.address));
    },
  );
  for (const a of input.seeds) if (!paid.has(a)) throw input.missingSeed(a);

  const txs = new Map<string, UtxoTx>();
  const read = async (ids: Iterable<string>): Promise<void> => {
    const fresh = [...new Set(ids)].filter((t) => !txs.has(t));
    if (fresh.length === 0) return;
    for (let i = 0; i < fresh.length; i += batch) {
      const part = await loadUtxoTxs(db, chain, fresh.slice(i, i + batch));
      stats.queries += 3;
      stats.txsRead += part.length;
      for (const t of part) txs.set(t.txid, t);
    }
  };
  await read([...input.seedTxs, ...paying]);

  const seeds = { addresses: new Set(input.seeds), txids: input.seedTxs };
  /** Spenders asked for, by the txid they spend: [vout, spending txid] pairs. */
  const spenders = new Map<string, Array<[number, string]>>();
  let prop: UtxoPropagation;
  for (;;) {
    prop = propagateUtxo([...txs.values()], seeds, params, roleOf);
    stats.rounds++;
    const tainted = [...prop.taint.keys()].map((k) => {
      const cut = k.lastIndexOf(':');
      return [k.slice(0, cut), Number(k.slice(cut + 1))] as const;
    });
    const ask = [...new Set(tainted.map(([t]) => t).filter((t) => !spenders.has(t)))];
    for (const t of ask) spenders.set(t, []);
    stats.spendsAsked += ask.length;
    await byList(
      'SELECT tx_hash, prev_tx, prev_vout FROM crypto_tx_inputs WHERE chain = $1 AND prev_tx IN {list}',
      ask,
      (r) => {
        if (r.prev_vout !== null) spenders.get(String(r.prev_tx))?.push([Number(r.prev_vout), String(r.tx_hash)]);
      },
    );
    const want = new Set<string>();
    for (const [t, n] of tainted)
      for (const [vout, by] of spenders.get(t)!) if (vout === n && !txs.has(by)) want.add(by);
    if (want.size === 0) break;
    await read(want);
  }
  const { result, addresses } = aggregateUtxo([...txs.values()], prop, input.seeds, params, roleOf);
  return { result, addresses, stats };
}
