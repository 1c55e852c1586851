import { randomUUID } from 'node:crypto';
import { hex } from '@scure/base';
import { addressFromScript } from '../crypto/addresses.js';
import { parseUnits } from '../crypto/amounts.js';
import type { UtxoInput, UtxoTx } from '../crypto/model.js';
import { JsonRpcClient, RpcError } from '../crypto/rpc.js';
import { blockAt, existingUtxoTxids, insertBlocks, insertUtxoTxs, rollbackUtxoFrom } from '../crypto/store/repo.js';
import { InputError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { BtcChain } from './btc-raw.js';

/**
 * Bitcoin Core JSON-RPC ingestion: `getblockhash` + `getblock <hash> 3` (inputs carry their `prevout`: address
 * and value); nodes older than v25 answer verbosity 2 only, and the spent outputs are then looked up with
 * `getrawtransaction <txid> true` (needs -txindex; without it input values stay unknown and are counted).
 * Atomic per batch of blocks; reorgs below the range are detected by parent hash and rolled back.
 */

interface CoreScriptPubKey {
  hex: string;
  address?: string;
  addresses?: string[];
  type?: string;
}
interface CoreVin {
  coinbase?: string;
  txid?: string;
  vout?: number;
  prevout?: { value: number; scriptPubKey: CoreScriptPubKey };
}
interface CoreVout {
  value: number;
  n: number;
  scriptPubKey: CoreScriptPubKey;
}
export interface CoreTx {
  txid: string;
  vin: CoreVin[];
  vout: CoreVout[];
  blocktime?: number;
  time?: number;
}
export interface CoreBlock {
  hash: string;
  height: number;
  time: number;
  previousblockhash?: string;
  tx: CoreTx[];
}

/** BTC as Core prints it (a JSON number with at most 8 decimals) → satoshi, exactly. */
export function btcToSats(value: number, where: string): bigint {
  if (!Number.isFinite(value) || value < 0) throw new InputError(`${where}: bad amount ${value}`);
  return parseUnits(value.toFixed(8), 8, where);
}

function scriptAddress(chain: BtcChain, spk: CoreScriptPubKey): string | null {
  if (spk.address) return spk.address;
  if (spk.addresses?.length === 1) return spk.addresses[0]!;
  return addressFromScript(chain, hex.decode(spk.hex));
}

export function coreTxToUtxo(
  tx: CoreTx,
  chain: BtcChain,
  meta: { height: number | null; hash: string | null; tsMs: number },
): UtxoTx {
  const coinbase = tx.vin.length > 0 && tx.vin[0]!.coinbase !== undefined;
  const inputs: UtxoInput[] = coinbase
    ? [{ prevTxid: null, prevVout: null, address: null, value: null }]
    : tx.vin.map((v, n) => ({
        prevTxid: v.txid ?? null,
        prevVout: v.vout ?? null,
        address: v.prevout ? scriptAddress(chain, v.prevout.scriptPubKey) : null,
        value: v.prevout ? btcToSats(v.prevout.value, `tx ${tx.txid} vin ${n}`) : null,
      }));
  return {
    chain,
    txid: tx.txid,
    blockHeight: meta.height,
    blockHash: meta.hash,
    tsMs: meta.tsMs,
    coinbase,
    inputs,
    outputs: tx.vout.map((o) => ({
      n: o.n,
      address: scriptAddress(chain, o.scriptPubKey),
      value: btcToSats(o.value, `tx ${tx.txid} vout ${o.n}`),
      scriptHex: o.scriptPubKey.hex,
    })),
  };
}

export function coreBlockToUtxo(block: CoreBlock, chain: BtcChain): UtxoTx[] {
  const tsMs = block.time * 1000;
  return block.tx.map((t) => coreTxToUtxo(t, chain, { height: block.height, hash: block.hash, tsMs }));
}

export interface BtcRpcOptions {
  rpc: string | JsonRpcClient;
  chain?: BtcChain;
  fromHeight: number;
  toHeight?: number;
  batchBlocks?: number;
  store?: Store;
  /** Force verbosity 2 (+ getrawtransaction for prevouts). Default: try 3 first. */
  verbosity?: 2 | 3;
}

export interface BtcIngestResult {
  importId: string;
  blocks: number;
  txs: number;
  skippedTxs: number;
  /** Inputs whose spent output could not be resolved (no verbosity 3, no txindex). */
  unresolvedInputs: number;
  verbosity: 2 | 3;
  reorgedBlocks: number;
  retries: number;
  txList?: UtxoTx[];
}

export async function ingestBtcRpc(opts: BtcRpcOptions): Promise<BtcIngestResult> {
  const client = typeof opts.rpc === 'string' ? new JsonRpcClient({ url: opts.rpc }) : opts.rpc;
  const chain = opts.chain ?? 'btc';
  const head = await client.call<number>('getblockcount');
  const to = opts.toHeight ?? head;
  if (!Number.isInteger(opts.fromHeight) || opts.fromHeight < 0)
    throw new InputError(`--from-block: must be a height >= 0, got ${opts.fromHeight}`);
  if (to < opts.fromHeight) throw new InputError(`--to-block ${to} is below --from-block ${opts.fromHeight}`);
  if (to > head)
    throw new InputError(
      `block ${to} not found on ${client.url} (the node's height is ${head}); use --to-block <= ${head}`,
    );
  let verbosity: 2 | 3 = opts.verbosity ?? 3;
  const result: BtcIngestResult = {
    importId: `btc-rpc-${opts.fromHeight}-${to}-${randomUUID().slice(0, 8)}`,
    blocks: 0,
    txs: 0,
    skippedTxs: 0,
    unresolvedInputs: 0,
    verbosity,
    reorgedBlocks: 0,
    retries: 0,
    txList: opts.store ? undefined : [],
  };
  const step = Math.max(1, opts.batchBlocks ?? 10);
  for (let h = opts.fromHeight; h <= to; ) {
    const end = Math.min(to, h + step - 1);
    const heights = Array.from({ length: end - h + 1 }, (_, k) => h + k);
    const hashes = await client.batch<string>(heights.map((x) => ({ method: 'getblockhash', params: [x] })));
    let blocks: CoreBlock[];
    try {
      blocks = await client.batch<CoreBlock>(hashes.map((x) => ({ method: 'getblock', params: [x, verbosity] })));
    } catch (e) {
      // Core < 25 rejects verbosity 3 ("Verbosity ... out of range" / invalid parameter): fall back to 2.
      if (verbosity === 3 && e instanceof RpcError && !e.transient && opts.verbosity === undefined) {
        verbosity = 2;
        result.verbosity = 2;
        continue;
      }
      throw e;
    }
    for (let k = 1; k < blocks.length; k++) {
      if (blocks[k]!.previousblockhash !== blocks[k - 1]!.hash) {
        throw new InputError(
          `blocks ${h}..${end} on ${client.url} do not chain by parent hash (the node is reorganising); try again`,
        );
      }
    }
    const txs = blocks.flatMap((b) => coreBlockToUtxo(b, chain));
    if (verbosity === 2) result.unresolvedInputs += await resolveWithRawTx(client, txs);
    else
      result.unresolvedInputs += txs.reduce(
        (s, t) => s + t.inputs.filter((i) => i.prevTxid !== null && i.value === null).length,
        0,
      );
    if (opts.store) {
      const restart = await opts.store.db.transaction(async (tx) => {
        const below = h > 0 ? await blockAt(tx, chain, h - 1) : undefined;
        if (below && blocks[0]!.previousblockhash && below.hash !== blocks[0]!.previousblockhash) {
          // Walk down to the fork point (stored hash = node hash), then roll back above it.
          let fork = h - 1;
          for (; fork >= Math.max(0, h - 100); fork--) {
            const stored = await blockAt(tx, chain, fork);
            if (!stored) break;
            const live = await client.call<string>('getblockhash', [fork]);
            if (live === stored.hash) break;
          }
          result.reorgedBlocks += h - 1 - fork;
          await rollbackUtxoFrom(tx, chain, fork + 1);
          return fork + 1;
        }
        const known = await existingUtxoTxids(
          tx,
          chain,
          txs.map((t) => t.txid),
        );
        const fresh = txs.filter((t) => !known.has(t.txid));
        result.skippedTxs += txs.length - fresh.length;
        const storedBlocks = [];
        for (const b of blocks) if (!(await blockAt(tx, chain, b.height))) storedBlocks.push(b);
        await insertBlocks(
          tx,
          chain,
          storedBlocks.map((b) => ({
            number: b.height,
            hash: b.hash,
            parentHash: b.previousblockhash ?? '',
            tsMs: b.time * 1000,
          })),
          result.importId,
        );
        await insertUtxoTxs(tx, fresh, result.importId);
        result.txs += fresh.length;
        return null;
      });
      if (restart !== null) {
        h = restart;
        continue;
      }
    } else {
      result.txList!.push(...txs);
      result.txs += txs.length;
    }
    result.blocks += blocks.length;
    h = end + 1;
  }
  result.retries = client.retries;
  if (opts.store) {
    await opts.store.recordImport({
      id: result.importId,
      kind: 'crypto.btc-rpc',
      location: client.url,
      sha256: result.importId,
      importedAt: new Date().toISOString(),
      rowCount: result.txs,
      details: { fromHeight: opts.fromHeight, toHeight: to, verbosity, unresolvedInputs: result.unresolvedInputs },
    });
  }
  return result;
}

/** Verbosity 2: look the spent outputs up with getrawtransaction (returns inputs left unresolved). */
async function resolveWithRawTx(client: JsonRpcClient, txs: UtxoTx[]): Promise<number> {
  const inBatch = new Map(txs.map((t) => [t.txid, t]));
  const wanted = new Set<string>();
  for (const t of txs) for (const i of t.inputs) if (i.prevTxid && !inBatch.has(i.prevTxid)) wanted.add(i.prevTxid);
  const found = new Map<string, UtxoTx>(inBatch);
  for (const txid of wanted) {
    try {
      const raw = await client.call<CoreTx>('getrawtransaction', [txid, true]);
      found.set(txid, coreTxToUtxo(raw, txs[0]!.chain as BtcChain, { height: null, hash: null, tsMs: 0 }));
    } catch (e) {
      if (e instanceof RpcError && e.transient) throw e;
      // -5: no such transaction (no -txindex): leave the input unresolved.
    }
  }
  let unresolved = 0;
  for (const t of txs) {
    for (const i of t.inputs) {
      if (i.prevTxid === null) continue;
      const o = found.get(i.prevTxid)?.outputs.find((x) => x.n === i.prevVout);
      if (o) {
        i.address = o.address;
        i.value = o.value;
      } else unresolved++;
    }
  }
  return unresolved;
}
