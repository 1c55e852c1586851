import type { Db, Row, SqlValue } from '../store/db.js';
import { sqlInList } from '../store/sql-list.js';
import {
  compareFirstSeen,
  compareKey,
  type FirstSeen,
  type FrontierQuery,
  type FrontierReader,
  TransferReader,
} from './frontier.js';
import type { Transfer, UtxoTx } from './model.js';
import { utxoToTransfers } from './model.js';
import { utxoTxFromHeader } from './store/repo.js';

/**
 * The frontier's reads (src/crypto/frontier.ts) on a UTXO chain (btc, btc-testnet, ltc), for the traces that run on
 * the account-style graph: backward traces and traces of an `--asset`. That graph (`loadGraph` in service.ts) is
 * every stored transaction of the chain turned into transfers by `utxoToTransfers` (each input address pays each
 * output address its share; `coinbase` and `unknown` stand for a coinbase's and an unresolved input's sender),
 * followed by the chain's crypto_transfers rows of the asset. This reader gives the same transfers, for the
 * addresses and transactions the frontier asks about only:
 * - the transactions an address sends from are those with an input from it (`unknown`: an input without address;
 *   `coinbase`: the coinbase transactions), the ones it receives in those with a paid output to it: one statement
 *   per batch joins crypto_tx_inputs / crypto_tx_outputs (their `(chain, address)` indexes) with crypto_utxo_txs
 *   for the headers in the window (colocated by `tx_hash` on Citus);
 * - the inputs and outputs of those not read yet are read by `(chain, tx_hash)`, turned into transfers by the same
 *   `utxoToTransfers`, once per trace (kept), and their transfers from the senders / to the receivers asked about
 *   are returned;
 * - the chain's crypto_transfers rows come from a `TransferReader` in the same batches.
 *
 * Orders. The whole graph's edges are sorted by time, stable over that concatenation: at equal times, a UTXO
 * transaction's transfers (by transaction hash, then as `utxoToTransfers` gives them) come before the
 * crypto_transfers rows (in store order). Its nodes are interned in concatenation order: an address that appears in
 * a UTXO transaction's transfers is placed by its first one (transaction time, hash, position, sender before
 * receiver), before every address seen in crypto_transfers rows only. `firstSeen` finds that first transaction: the
 * earliest time among the address's transactions (an aggregate over the index), then the first transaction of that
 * time whose transfers hold it (one whose inputs and outputs are all its own gives none: the next time is tried).
 *
 * Assumes a transaction is stored once (imports skip stored txids), as `loadUtxoTxs` does.
 */

/** Where an address first appears in the whole graph: in a UTXO transaction's transfers, or in crypto_transfers. */
export type UtxoFirstSeen = { part: 0; ts: number; tx: string; pos: number; side: number } | { part: 1; at: FirstSeen };

/** The header columns of `crypto_utxo_txs u`. */
const HEADER = 'u.tx_hash, u.block_height, u.block_hash, u.ts, u.coinbase';

/** The senders `utxoToTransfers` gives a coinbase transaction and an input without address. */
const COINBASE = 'coinbase';
const UNKNOWN = 'unknown';

export class UtxoTransferReader implements FrontierReader<UtxoFirstSeen> {
  private ownRows = 0;
  private ownQueries = 0;
  private readonly account: TransferReader;
  /** The time of each transaction read (null: no such transaction stored). */
  private readonly headers = new Map<string, number | null>();
  /** Transfers of the transactions read, as `utxoToTransfers` gives them. */
  private readonly derived = new Map<string, Transfer[]>();
  /** A derived transfer's position in its transaction's list (account rows have none). */
  private readonly pos = new WeakMap<Transfer, number>();

  constructor(
    private readonly db: Db,
    private readonly q: FrontierQuery,
    private readonly batch: number,
  ) {
    this.account = new TransferReader(db, q, batch);
  }

  get rowsRead(): number {
    return this.ownRows + this.account.rowsRead;
  }

  get queries(): number {
    return this.ownQueries + this.account.queries;
  }

  private async run(sql: string, params: SqlValue[]): Promise<Row[]> {
    this.ownQueries++;
    const rows = await this.db.query(sql, params);
    this.ownRows += rows.length;
    return rows;
  }

  private accountRows: Promise<boolean> | undefined;

  /**
   * Whether the chain has crypto_transfers rows of the asset (a UTXO chain usually has none): asked once, so the
   * rounds do not scan that table for nothing (DuckDB scans it whole for each statement).
   */
  private hasAccountRows(): Promise<boolean> {
    this.accountRows ??= this.run(
      "SELECT 1 AS x FROM crypto_transfers WHERE chain = $1 AND asset = $2 AND amount <> '0' LIMIT 1",
      [this.q.chain, this.q.asset],
    ).then((r) => r.length > 0);
    return this.accountRows;
  }

  private inWindow(ts: number): boolean {
    return !(
      (this.q.sinceMs !== undefined && ts < this.q.sinceMs) ||
      (this.q.untilMs !== undefined && ts > this.q.untilMs)
    );
  }

  /** Read the headers, inputs and outputs of the transactions not read yet, and turn them into transfers. */
  private async load(hashes: readonly string[]): Promise<void> {
    const todo = [...new Set(hashes)].filter((h) => !this.headers.has(h));
    for (let i = 0; i < todo.length; i += this.batch) {
      const part = todo.slice(i, i + this.batch);
      const args: SqlValue[] = [this.q.chain];
      const list = sqlInList(this.db.dialect, args, part);
      const txs = new Map<string, UtxoTx>();
      for (const r of await this.run(
        `SELECT ${HEADER} FROM crypto_utxo_txs u WHERE u.chain = $1 AND u.tx_hash IN ${list}`,
        args,
      ))
        txs.set(String(r.tx_hash), utxoTxFromHeader(this.q.chain, r));
      for (const h of part) if (!txs.has(h)) this.headers.set(h, null);
      await this.loadBodies(txs);
    }
  }

  /** Read the inputs and outputs of `txs` (headers read, at most a batch) and turn them into transfers. */
  private async loadBodies(txs: Map<string, UtxoTx>): Promise<void> {
    for (const [h, t] of txs) this.headers.set(h, t.tsMs);
    if (txs.size === 0) return;
    const args: SqlValue[] = [this.q.chain];
    const list = sqlInList(this.db.dialect, args, [...txs.keys()]);
    const ins: Row[] = [];
    const outs: Row[] = [];
    for (const r of await this.run(
      `SELECT 0 AS side, tx_hash, n, address, amount FROM crypto_tx_inputs WHERE chain = $1 AND tx_hash IN ${list}
       UNION ALL SELECT 1 AS side, tx_hash, n, address, amount FROM crypto_tx_outputs WHERE chain = $1 AND tx_hash IN ${list}`,
      args,
    ))
      (Number(r.side) === 0 ? ins : outs).push(r);
    // By n within each transaction, as loadUtxoTxs reads them.
    const byN = (a: Row, b: Row): number => Number(a.n) - Number(b.n);
    for (const r of ins.sort(byN)) {
      txs.get(String(r.tx_hash))!.inputs.push({
        prevTxid: null,
        prevVout: null,
        address: r.address === null ? null : String(r.address),
        value: r.amount === null ? null : BigInt(String(r.amount)),
      });
    }
    for (const r of outs.sort(byN)) {
      txs.get(String(r.tx_hash))!.outputs.push({
        n: Number(r.n),
        address: r.address === null ? null : String(r.address),
        value: BigInt(String(r.amount)),
        scriptHex: '',
      });
    }
    for (const [h, tx] of txs) {
      const transfers = utxoToTransfers(tx);
      for (const [k, t] of transfers.entries()) this.pos.set(t, k);
      this.derived.set(h, transfers);
    }
  }

  /** The transfers of the given transactions (read first when needed), in the window only when `windowed`. */
  private async transfersOf(hashes: readonly string[], windowed: boolean): Promise<Map<string, Transfer[]>> {
    await this.load(hashes);
    const out = new Map<string, Transfer[]>();
    for (const h of hashes) {
      const ts = this.headers.get(h);
      if (ts === undefined || ts === null || (windowed && !this.inWindow(ts))) continue;
      out.set(h, this.derived.get(h)!);
    }
    return out;
  }

  async byTx(hashes: string[], onRows: (t: Transfer[]) => void): Promise<void> {
    const txs = await this.transfersOf([...new Set(hashes)], true);
    onRows([...txs.values()].flat());
    if (await this.hasAccountRows()) await this.account.byTx(hashes, onRows);
  }

  async byAddress(
    senders: string[],
    receivers: string[],
    onRows: (sent: Transfer[], received: Transfer[], senders: string[], receivers: string[]) => void,
  ): Promise<void> {
    for (let i = 0; i < Math.max(senders.length, receivers.length); i += this.batch) {
      const out = senders.slice(i, i + this.batch);
      const inn = receivers.slice(i, i + this.batch);
      // The headers of the transactions in the window that may hold a transfer from `out` or to `inn`.
      const args: SqlValue[] = [this.q.chain];
      const win: string[] = [];
      if (this.q.sinceMs !== undefined) {
        args.push(this.q.sinceMs);
        win.push(` AND u.ts >= $${args.length}`);
      }
      if (this.q.untilMs !== undefined) {
        args.push(this.q.untilMs);
        win.push(` AND u.ts <= $${args.length}`);
      }
      const w = win.join('');
      const join = (t: string) => `${t} x JOIN crypto_utxo_txs u ON u.chain = x.chain AND u.tx_hash = x.tx_hash`;
      const parts: string[] = [];
      const realOut = out.filter((a) => a !== COINBASE && a !== UNKNOWN);
      const realIn = inn.filter((a) => a !== COINBASE && a !== UNKNOWN);
      if (realOut.length > 0) {
        const l = sqlInList(this.db.dialect, args, realOut);
        parts.push(`SELECT ${HEADER} FROM ${join('crypto_tx_inputs')} WHERE x.chain = $1 AND x.address IN ${l}${w}`);
      }
      if (out.includes(UNKNOWN))
        parts.push(
          `SELECT ${HEADER} FROM ${join('crypto_tx_inputs')} WHERE x.chain = $1 AND x.address IS NULL AND NOT u.coinbase${w}`,
        );
      if (out.includes(COINBASE))
        parts.push(`SELECT ${HEADER} FROM crypto_utxo_txs u WHERE u.chain = $1 AND u.coinbase${w}`);
      if (realIn.length > 0) {
        const l = sqlInList(this.db.dialect, args, realIn);
        parts.push(
          `SELECT ${HEADER} FROM ${join('crypto_tx_outputs')} WHERE x.chain = $1 AND x.address IN ${l} AND x.amount <> '0'${w}`,
        );
      }
      const fresh = new Map<string, UtxoTx>();
      const hashes = new Set<string>();
      if (parts.length > 0)
        for (const r of await this.run(parts.join(' UNION ALL '), args)) {
          const h = String(r.tx_hash);
          hashes.add(h);
          if (!this.headers.has(h) && !fresh.has(h)) fresh.set(h, utxoTxFromHeader(this.q.chain, r));
        }
      const todo = [...fresh.values()];
      for (let j = 0; j < todo.length; j += this.batch)
        await this.loadBodies(new Map(todo.slice(j, j + this.batch).map((t) => [t.txid, t])));
      const txs = [...hashes].sort().map((h) => this.derived.get(h)!);
      const outSet = new Set(out);
      const inSet = new Set(inn);
      const sent: Transfer[] = [];
      const received: Transfer[] = [];
      for (const transfers of txs)
        for (const t of transfers) {
          if (outSet.has(t.from)) sent.push(t);
          if (inSet.has(t.to)) received.push(t);
        }
      // The crypto_transfers rows of the same addresses (one batch: the lists are no longer than it).
      if (await this.hasAccountRows())
        await this.account.byAddress(out, inn, (s, r) => {
          sent.push(...s);
          received.push(...r);
        });
      onRows(sent, received, out, inn);
    }
  }

  /**
   * For each address (grouped by the time bound it is searched after): the earliest time of its candidate
   * transactions, then those transactions at that time.
   */
  private async candidates(
    addresses: string[],
    after: number | undefined,
  ): Promise<Map<string, { ts: number; txs: string[] }>> {
    const out = new Map<string, { ts: number; txs: string[] }>();
    const real = addresses.filter((a) => a !== COINBASE && a !== UNKNOWN);
    // The transactions that can give an address a transfer: `x` is its row, `u` the header, `y` a row of the other
    // side with another address (a transaction whose inputs and outputs are all the address's gives it none).
    type Source = { from: string; addr: string; where: string; group: boolean };
    const sources = (args: SqlValue[]): Source[] => {
      const s: Source[] = [];
      const on = (t: string) => `${t}.chain = x.chain AND ${t}.tx_hash = x.tx_hash`;
      let bound = '';
      if (after !== undefined) {
        args.push(after);
        bound = ` AND u.ts > $${args.length}`;
      }
      const paid = "y.address IS NOT NULL AND y.amount <> '0'";
      if (real.length > 0) {
        const l = sqlInList(this.db.dialect, args, real);
        s.push({
          from: `crypto_tx_inputs x JOIN crypto_utxo_txs u ON ${on('u')} JOIN crypto_tx_outputs y ON ${on('y')}`,
          addr: 'x.address',
          where: `x.chain = $1 AND x.address IN ${l} AND NOT u.coinbase AND ${paid} AND y.address <> x.address${bound}`,
          group: true,
        });
        s.push({
          from: `crypto_tx_outputs x JOIN crypto_utxo_txs u ON ${on('u')} LEFT JOIN crypto_tx_inputs y ON ${on('y')}`,
          addr: 'x.address',
          where: `x.chain = $1 AND x.address IN ${l} AND x.amount <> '0' AND (u.coinbase OR y.address IS NULL OR y.address <> x.address)${bound}`,
          group: true,
        });
      }
      if (addresses.includes(UNKNOWN))
        s.push({
          from: `crypto_tx_inputs x JOIN crypto_utxo_txs u ON ${on('u')} JOIN crypto_tx_outputs y ON ${on('y')}`,
          addr: `CAST('${UNKNOWN}' AS TEXT)`,
          where: `x.chain = $1 AND x.address IS NULL AND NOT u.coinbase AND ${paid}${bound}`,
          group: false,
        });
      if (addresses.includes(COINBASE))
        s.push({
          from: 'crypto_utxo_txs u JOIN crypto_tx_outputs y ON y.chain = u.chain AND y.tx_hash = u.tx_hash',
          addr: `CAST('${COINBASE}' AS TEXT)`,
          where: `u.chain = $1 AND u.coinbase AND ${paid}${bound}`,
          group: false,
        });
      return s;
    };
    const args: SqlValue[] = [this.q.chain];
    const s = sources(args);
    if (s.length === 0) return out;
    const minTs = new Map<string, number>();
    for (const r of await this.run(
      s
        .map(
          (x) =>
            `SELECT ${x.addr} AS a, MIN(u.ts) AS t FROM ${x.from} WHERE ${x.where}${x.group ? ` GROUP BY ${x.addr}` : ''}`,
        )
        .join(' UNION ALL '),
      args,
    )) {
      if (r.t === null) continue;
      const a = String(r.a);
      const t = Number(r.t);
      const was = minTs.get(a);
      if (was === undefined || t < was) minTs.set(a, t);
    }
    if (minTs.size === 0) return out;
    const args2: SqlValue[] = [this.q.chain];
    const s2 = sources(args2);
    const tList = sqlInList(this.db.dialect, args2, [...new Set(minTs.values())]);
    // Each address at its own time only (the pairs), not at every address's time.
    const pList = sqlInList(
      this.db.dialect,
      args2,
      [...minTs].map(([a, t]) => `${a}:${t}`),
    );
    for (const r of await this.run(
      s2
        .map(
          (x) =>
            `SELECT DISTINCT ${x.addr} AS a, u.tx_hash AS h, u.ts AS t FROM ${x.from} WHERE ${x.where} AND u.ts IN ${tList} AND (${x.addr} || ':' || CAST(u.ts AS TEXT)) IN ${pList}`,
        )
        .join(' UNION ALL '),
      args2,
    )) {
      const a = String(r.a);
      const ts = Number(r.t);
      if (minTs.get(a) !== ts) continue;
      const e = out.get(a) ?? { ts, txs: [] };
      e.txs.push(String(r.h));
      out.set(a, e);
    }
    for (const e of out.values()) e.txs = [...new Set(e.txs)].sort();
    return out;
  }

  async firstSeen(addresses: string[]): Promise<Map<string, UtxoFirstSeen>> {
    const out = new Map<string, UtxoFirstSeen>();
    const unique = [...new Set(addresses)];
    for (let i = 0; i < unique.length; i += this.batch) {
      // Addresses still looked for in the UTXO part, by the time their next candidates must come after.
      let pending = new Map<number | undefined, string[]>([[undefined, unique.slice(i, i + this.batch)]]);
      while (pending.size > 0) {
        const next = new Map<number | undefined, string[]>();
        for (const [after, list] of pending) {
          const cands = await this.candidates(list, after);
          const txs = await this.transfersOf([...new Set([...cands.values()].flatMap((c) => c.txs))], false);
          for (const [a, c] of cands) {
            let hit: UtxoFirstSeen | undefined;
            for (const h of c.txs) {
              const transfers = txs.get(h) ?? [];
              for (let k = 0; k < transfers.length && !hit; k++) {
                const t = transfers[k]!;
                if (t.from === a) hit = { part: 0, ts: c.ts, tx: h, pos: k, side: 0 };
                else if (t.to === a) hit = { part: 0, ts: c.ts, tx: h, pos: k, side: 1 };
              }
              if (hit) break;
            }
            if (hit) out.set(a, hit);
            else {
              // Its transactions of that time give it no transfer (it only pays itself): try the next time.
              const l = next.get(c.ts) ?? [];
              l.push(a);
              next.set(c.ts, l);
            }
          }
        }
        pending = next;
      }
    }
    const rest = unique.filter((a) => !out.has(a));
    if (rest.length > 0 && (await this.hasAccountRows()))
      for (const [a, f] of await this.account.firstSeen(rest)) out.set(a, { part: 1, at: f });
    return out;
  }

  compareTransfers(a: Transfer, b: Transfer): number {
    if (a.tsMs !== b.tsMs) return a.tsMs - b.tsMs;
    const pa = this.pos.get(a);
    const pb = this.pos.get(b);
    if (pa !== undefined && pb !== undefined) {
      if (a.txHash !== b.txHash) return a.txHash < b.txHash ? -1 : 1;
      return pa - pb;
    }
    if (pa !== undefined) return -1;
    if (pb !== undefined) return 1;
    return compareKey(a.tsMs, a.blockNumber, a.txHash, a.index, b.tsMs, b.blockNumber, b.txHash, b.index);
  }

  compareFirstSeen(a: UtxoFirstSeen, b: UtxoFirstSeen): number {
    if (a.part !== b.part) return a.part - b.part;
    if (a.part === 1 && b.part === 1) return compareFirstSeen(a.at, b.at);
    if (a.part === 0 && b.part === 0) {
      if (a.ts !== b.ts) return a.ts - b.ts;
      if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
      return a.pos - b.pos || a.side - b.side;
    }
    return 0;
  }

  /**
   * `loadGraph`'s decimals: its first transfer's. That is a UTXO transaction's transfer (their decimals are
   * `utxoToTransfers`'s) when any stored transaction gives one, else the first crypto_transfers row of the asset.
   */
  async decimals(firstRead: Transfer | undefined, firstSeed: UtxoFirstSeen | undefined): Promise<number | undefined> {
    if (firstRead && this.pos.has(firstRead)) return firstRead.decimals;
    if (firstSeed?.part === 0) return this.derived.get(firstSeed.tx)![firstSeed.pos]!.decimals;
    for (const transfers of this.derived.values()) if (transfers.length > 0) return transfers[0]!.decimals;
    // Any transaction that gives a transfer: those with a paid output, by hash, a page at a time.
    let last: string | undefined;
    for (;;) {
      const args: SqlValue[] = [this.q.chain];
      let after = '';
      if (last !== undefined) {
        args.push(last);
        after = ` AND tx_hash > $${args.length}`;
      }
      const page = (
        await this.run(
          `SELECT DISTINCT tx_hash FROM crypto_tx_outputs WHERE chain = $1 AND address IS NOT NULL AND amount <> '0'${after} ORDER BY tx_hash LIMIT 64`,
          args,
        )
      ).map((r) => String(r.tx_hash));
      if (page.length === 0) break;
      for (const transfers of (await this.transfersOf(page, false)).values())
        if (transfers.length > 0) return transfers[0]!.decimals;
      last = page[page.length - 1];
    }
    const [row] = await this.run(
      'SELECT decimals FROM crypto_transfers WHERE chain = $1 AND asset = $2 ORDER BY ts, block_number, tx_hash, idx LIMIT 1',
      [this.q.chain, this.q.asset],
    );
    return row ? Number(row.decimals) : undefined;
  }
}
