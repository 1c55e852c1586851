import { randomUUID } from 'node:crypto';
import type { UtxoTx } from '../crypto/model.js';
import { RestClient } from '../crypto/rpc.js';
import { existingUtxoTxids, insertUtxoTxs } from '../crypto/store/repo.js';
import { InputError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { BtcChain } from './btc-raw.js';

/**
 * Esplora REST (Blockstream / mempool.space API): `/tx/:txid` and `/address/:addr/txs` (newest first; older
 * confirmed pages via `/address/:addr/txs/chain/:last_seen_txid`). Inputs carry their prevout (address, value
 * in satoshi), so no second lookup is needed. Unconfirmed transactions are skipped (they can still change).
 */

interface EsploraTx {
  txid: string;
  vin: Array<{
    txid: string;
    vout: number;
    is_coinbase: boolean;
    prevout: { scriptpubkey_address?: string; value: number } | null;
  }>;
  vout: Array<{ scriptpubkey: string; scriptpubkey_address?: string; value: number }>;
  status: { confirmed: boolean; block_height?: number; block_hash?: string; block_time?: number };
}

const sats = (v: number, where: string): bigint => {
  if (!Number.isSafeInteger(v) || v < 0) throw new InputError(`${where}: bad satoshi amount ${v}`);
  return BigInt(v);
};

export function esploraTxToUtxo(t: EsploraTx, chain: BtcChain): UtxoTx {
  const coinbase = t.vin.length > 0 && t.vin[0]!.is_coinbase;
  return {
    chain,
    txid: t.txid,
    blockHeight: t.status.block_height ?? null,
    blockHash: t.status.block_hash ?? null,
    tsMs: (t.status.block_time ?? 0) * 1000,
    coinbase,
    inputs: coinbase
      ? [{ prevTxid: null, prevVout: null, address: null, value: null }]
      : t.vin.map((v, n) => ({
          prevTxid: v.txid,
          prevVout: v.vout,
          address: v.prevout?.scriptpubkey_address ?? null,
          value: v.prevout ? sats(v.prevout.value, `tx ${t.txid} vin ${n}`) : null,
        })),
    outputs: t.vout.map((o, n) => ({
      n,
      address: o.scriptpubkey_address ?? null,
      value: sats(o.value, `tx ${t.txid} vout ${n}`),
      scriptHex: o.scriptpubkey,
    })),
  };
}

export interface EsploraOptions {
  url: string | RestClient;
  chain?: BtcChain;
  txids?: string[];
  addresses?: string[];
  /** Pages of 25 confirmed transactions per address. Default 40 (1,000 txs). */
  maxPages?: number;
  store?: Store;
}

export interface EsploraResult {
  importId: string;
  txs: number;
  skippedTxs: number;
  unconfirmed: number;
  retries: number;
  txList?: UtxoTx[];
}

export async function ingestEsplora(opts: EsploraOptions): Promise<EsploraResult> {
  const client = typeof opts.url === 'string' ? new RestClient({ url: opts.url }) : opts.url;
  const chain = opts.chain ?? 'btc';
  const byId = new Map<string, EsploraTx>();
  let unconfirmed = 0;
  for (const txid of opts.txids ?? []) {
    if (!/^[0-9a-f]{64}$/i.test(txid)) throw new InputError(`--tx: "${txid}" is not a 64-hex-digit txid`);
    byId.set(txid.toLowerCase(), await client.get<EsploraTx>(`/tx/${txid.toLowerCase()}`));
  }
  for (const addr of opts.addresses ?? []) {
    let page = await client.get<EsploraTx[]>(`/address/${encodeURIComponent(addr)}/txs`);
    for (let p = 0; p < (opts.maxPages ?? 40); p++) {
      const confirmed = page.filter((t) => t.status.confirmed);
      for (const t of page) byId.set(t.txid, t);
      if (confirmed.length < 25) break;
      page = await client.get<EsploraTx[]>(
        `/address/${encodeURIComponent(addr)}/txs/chain/${confirmed[confirmed.length - 1]!.txid}`,
      );
    }
  }
  const txs: UtxoTx[] = [];
  for (const t of byId.values()) {
    if (!t.status.confirmed) {
      unconfirmed++;
      continue;
    }
    txs.push(esploraTxToUtxo(t, chain));
  }
  txs.sort((a, b) => a.tsMs - b.tsMs || (a.blockHeight ?? 0) - (b.blockHeight ?? 0));
  const result: EsploraResult = {
    importId: `esplora-${randomUUID().slice(0, 8)}`,
    txs: 0,
    skippedTxs: 0,
    unconfirmed,
    retries: client.retries,
  };
  if (!opts.store) return { ...result, txs: txs.length, txList: txs };
  await opts.store.db.transaction(async (tx) => {
    const known = await existingUtxoTxids(
      tx,
      chain,
      txs.map((t) => t.txid),
    );
    const fresh = txs.filter((t) => !known.has(t.txid));
    await insertUtxoTxs(tx, fresh, result.importId);
    result.txs = fresh.length;
    result.skippedTxs = txs.length - fresh.length;
    await opts.store!.recordImport({
      id: result.importId,
      kind: 'crypto.esplora',
      location: client.base,
      sha256: result.importId,
      importedAt: new Date().toISOString(),
      rowCount: fresh.length,
      details: { txids: opts.txids?.length ?? 0, addresses: opts.addresses ?? [] },
    });
  });
  return result;
}
