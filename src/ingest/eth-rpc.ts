import { randomUUID } from 'node:crypto';
import { type Chain, checkAddress } from '../crypto/addresses.js';
import { MAX_UINT256 } from '../crypto/amounts.js';
import type { Transfer } from '../crypto/model.js';
import { JsonRpcClient, RpcError } from '../crypto/rpc.js';
import { blockAt, insertBlocks, insertTransfers, rollbackFrom, type StoredBlock } from '../crypto/store/repo.js';
import { InputError } from '../errors.js';
import type { Store } from '../store/store.js';

/**
 * Ethereum JSON-RPC ingestion: blocks with full transactions (top-level value), receipts (status, ERC-20
 * `Transfer` logs) and internal value transfers (`trace_block`, else `debug_traceBlockByNumber` with the call
 * tracer), for a block range, optionally only the transfers touching some addresses (an address's history).
 *
 * Blocks are fetched in JSON-RPC batches. Each batch of blocks is written in one transaction (atomic per batch).
 * Reorgs: parent hashes must chain inside a batch (else the batch is fetched again) and onto the block already
 * stored below it; when the stored chain differs, the stored blocks from the fork point on and their transfers
 * are removed in the same transaction and the range is re-read from the fork. A block the node does not have is
 * a clear error naming the node's head.
 */

/** keccak256("Transfer(address,address,uint256)") */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

export type InternalMode = 'auto' | 'trace_block' | 'debug' | 'none';

export interface EthIngestOptions {
  rpc: string | JsonRpcClient;
  fromBlock: number;
  /** Inclusive; default the node's head. */
  toBlock?: number;
  /** Blocks per JSON-RPC batch and per store transaction. Default 20. */
  batchBlocks?: number;
  internal?: InternalMode;
  /** Keep only transfers touching these addresses (an address's history over the range). */
  addresses?: string[];
  /** Write here (atomic per batch, reorg-checked); without a store the transfers are returned. */
  store?: Store;
  /** Stop descending further than this when looking for a fork point. Default 64 blocks. */
  maxReorgDepth?: number;
  onBatch?: (info: { toBlock: number; txs: number; transfers: number }) => void;
}

export interface EthIngestResult {
  importId: string;
  fromBlock: number;
  toBlock: number;
  blocks: number;
  /** Blocks skipped because the store already had them with the same hash. */
  skippedBlocks: number;
  txs: number;
  transfers: { native: number; internal: number; token: number };
  /** Blocks removed because of a reorg (and re-read). */
  reorgedBlocks: number;
  internalMode: InternalMode;
  retries: number;
  /** Only when no store was given. */
  transferList?: Transfer[];
}

interface RpcTx {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  transactionIndex: string;
}
interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  transactions: RpcTx[];
}
interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  logIndex: string;
  removed?: boolean;
}
interface RpcReceipt {
  transactionHash: string;
  status?: string;
  contractAddress?: string | null;
  logs: RpcLog[];
}
interface ParityTrace {
  type: string;
  action: {
    callType?: string;
    from?: string;
    to?: string;
    value?: string;
    address?: string;
    refundAddress?: string;
    balance?: string;
  };
  result?: { address?: string } | null;
  error?: string;
  traceAddress: number[];
  transactionHash: string | null;
}
interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  error?: string;
  calls?: CallFrame[];
}

const hexNum = (h: string): number => Number.parseInt(h, 16);
const hexBig = (h: string | undefined): bigint => (h && h !== '0x' ? BigInt(h) : 0n);
const toHex = (n: number): string => `0x${n.toString(16)}`;

/** Node answers are lower-case hex already; normalise defensively without a checksum pass (hot path). */
function addr(a: string): string {
  return a.toLowerCase();
}

interface FetchedBlock {
  block: StoredBlock;
  txs: number;
  transfers: Transfer[];
}

/** Read and convert blocks [from, to]. Exposed for tests and the bench. */
export async function fetchEthBlocks(
  client: JsonRpcClient,
  from: number,
  to: number,
  mode: Exclude<InternalMode, 'auto'>,
  tokenDecimals: Map<string, number>,
  chain: Chain = 'eth',
): Promise<FetchedBlock[]> {
  // With a tracer, receipts are not needed (and eth_getBlockReceipts is slow on some nodes): the top-level trace
  // says whether a transaction failed and which contract it created, and one eth_getLogs per batch gives the
  // ERC-20 Transfer events. Without a tracer, block receipts give status, contract address and logs.
  const calls: Array<{ method: string; params: unknown[] }> = [];
  for (let n = from; n <= to; n++) {
    calls.push({ method: 'eth_getBlockByNumber', params: [toHex(n), true] });
    if (mode === 'none') calls.push({ method: 'eth_getBlockReceipts', params: [toHex(n)] });
    if (mode === 'trace_block') calls.push({ method: 'trace_block', params: [toHex(n)] });
    if (mode === 'debug')
      calls.push({ method: 'debug_traceBlockByNumber', params: [toHex(n), { tracer: 'callTracer' }] });
  }
  if (mode !== 'none')
    calls.push({
      method: 'eth_getLogs',
      params: [{ fromBlock: toHex(from), toBlock: toHex(to), topics: [TRANSFER_TOPIC] }],
    });
  const results = await client.batch<unknown>(calls);
  const logsByTx = new Map<string, RpcLog[]>();
  if (mode !== 'none') {
    for (const log of (results[results.length - 1] as Array<RpcLog & { transactionHash: string }> | null) ?? []) {
      const l = logsByTx.get(log.transactionHash);
      if (l) l.push(log);
      else logsByTx.set(log.transactionHash, [log]);
    }
  }
  const out: FetchedBlock[] = [];
  for (let n = from, k = 0; n <= to; n++, k += 2) {
    const block = results[k] as RpcBlock | null;
    if (!block) {
      const head = hexNum(await client.call<string>('eth_blockNumber'));
      throw new InputError(
        `block ${n} not found on ${client.url} (the node's head is ${head}); use --to-block <= ${head}`,
      );
    }
    if (mode === 'none') {
      out.push(convertBlock(block, (results[k + 1] as RpcReceipt[] | null) ?? [], null, mode, chain));
      continue;
    }
    const traces = results[k + 1];
    out.push(convertBlock(block, receiptsFromTraces(block, traces, mode, logsByTx), traces, mode, chain));
  }
  await fillDecimals(client, out, tokenDecimals);
  return out;
}

/** Status, created contract and logs per transaction, from the top-level traces and eth_getLogs. */
function receiptsFromTraces(
  block: RpcBlock,
  traces: unknown,
  mode: 'trace_block' | 'debug',
  logsByTx: Map<string, RpcLog[]>,
): RpcReceipt[] {
  const top = new Map<string, { failed: boolean; created: string | null }>();
  if (mode === 'trace_block' && Array.isArray(traces)) {
    for (const t of traces as ParityTrace[]) {
      if (!t.transactionHash || t.traceAddress.length !== 0) continue;
      top.set(t.transactionHash, {
        failed: Boolean(t.error),
        created: t.type === 'create' ? (t.result?.address ?? null) : null,
      });
    }
  } else if (mode === 'debug' && Array.isArray(traces)) {
    for (const item of traces as Array<{ txHash?: string; result?: CallFrame }>) {
      if (!item.txHash || !item.result) continue;
      const created = item.result.type === 'CREATE' || item.result.type === 'CREATE2' ? (item.result.to ?? null) : null;
      top.set(item.txHash, { failed: Boolean(item.result.error), created });
    }
  }
  return block.transactions.map((tx) => {
    const t = top.get(tx.hash);
    return {
      transactionHash: tx.hash,
      status: t?.failed ? '0x0' : '0x1',
      contractAddress: t?.created ?? null,
      logs: logsByTx.get(tx.hash) ?? [],
    };
  });
}

function convertBlock(
  block: RpcBlock,
  receipts: RpcReceipt[],
  traces: unknown,
  mode: Exclude<InternalMode, 'auto'>,
  chain: Chain,
): FetchedBlock {
  const number = hexNum(block.number);
  const tsMs = hexNum(block.timestamp) * 1000;
  const ok = new Map<string, RpcReceipt>();
  for (const r of receipts) ok.set(r.transactionHash, r);
  const failed = (hash: string): boolean => ok.get(hash)?.status === '0x0';
  const transfers: Transfer[] = [];
  const base = { chain, blockNumber: number, tsMs };
  for (const tx of block.transactions) {
    if (failed(tx.hash)) continue;
    const value = hexBig(tx.value);
    const to = tx.to ?? ok.get(tx.hash)?.contractAddress ?? null;
    if (value > 0n && to) {
      transfers.push({
        ...base,
        txHash: tx.hash,
        from: addr(tx.from),
        to: addr(to),
        asset: 'ETH',
        amount: value,
        decimals: 18,
        index: -1,
        kind: 'native',
      });
    }
    for (const log of ok.get(tx.hash)?.logs ?? []) {
      if (log.removed || log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC) continue;
      const amount = hexBig(log.data.slice(0, 66));
      if (amount === 0n || amount > MAX_UINT256) continue;
      transfers.push({
        ...base,
        txHash: tx.hash,
        from: addr(`0x${log.topics[1]!.slice(26)}`),
        to: addr(`0x${log.topics[2]!.slice(26)}`),
        asset: addr(log.address),
        amount,
        decimals: -1, // filled by fillDecimals
        index: hexNum(log.logIndex),
        kind: 'token',
      });
    }
  }
  if (mode === 'trace_block' && Array.isArray(traces)) {
    const position = new Map<string, number>();
    for (const t of traces as ParityTrace[]) {
      const hash = t.transactionHash;
      if (!hash || failed(hash)) continue;
      const k = (position.get(hash) ?? -1) + 1;
      position.set(hash, k);
      if (t.traceAddress.length === 0 || t.error) continue; // top-level value is the native transfer
      let from: string | undefined;
      let to: string | undefined;
      let value = 0n;
      if (t.type === 'call' && (t.action.callType === 'call' || t.action.callType === undefined)) {
        from = t.action.from;
        to = t.action.to;
        value = hexBig(t.action.value);
      } else if (t.type === 'create') {
        from = t.action.from;
        to = t.result?.address;
        value = hexBig(t.action.value);
      } else if (t.type === 'suicide') {
        from = t.action.address;
        to = t.action.refundAddress;
        value = hexBig(t.action.balance);
      }
      if (value > 0n && from && to) {
        transfers.push({
          ...base,
          txHash: hash,
          from: addr(from),
          to: addr(to),
          asset: 'ETH',
          amount: value,
          decimals: 18,
          index: k,
          kind: 'internal',
        });
      }
    }
  } else if (mode === 'debug' && Array.isArray(traces)) {
    for (const item of traces as Array<{ txHash?: string; result?: CallFrame }>) {
      const hash = item.txHash;
      if (!hash || !item.result || failed(hash)) continue;
      let k = 0;
      const walk = (f: CallFrame, depth: number): void => {
        const pos = k++;
        if (f.error) return; // a reverted frame moves nothing, nor do its children
        const value = hexBig(f.value);
        if (
          depth > 0 &&
          value > 0n &&
          f.to &&
          f.type !== 'DELEGATECALL' &&
          f.type !== 'STATICCALL' &&
          f.type !== 'CALLCODE'
        ) {
          transfers.push({
            ...base,
            txHash: hash,
            from: addr(f.from),
            to: addr(f.to),
            asset: 'ETH',
            amount: value,
            decimals: 18,
            index: pos,
            kind: 'internal',
          });
        }
        for (const c of f.calls ?? []) walk(c, depth + 1);
      };
      walk(item.result, 0);
    }
  }
  return {
    block: { number, hash: block.hash, parentHash: block.parentHash, tsMs },
    txs: block.transactions.length,
    transfers,
  };
}

/** ERC-20 decimals() for token contracts seen for the first time (0 when the contract does not answer). */
async function fillDecimals(client: JsonRpcClient, blocks: FetchedBlock[], cache: Map<string, number>): Promise<void> {
  const missing = new Set<string>();
  for (const b of blocks)
    for (const t of b.transfers) if (t.kind === 'token' && !cache.has(t.asset)) missing.add(t.asset);
  for (const token of missing) {
    try {
      const r = await client.call<string>('eth_call', [{ to: token, data: '0x313ce567' }, 'latest']);
      const d = r && r !== '0x' ? Number(BigInt(r.slice(0, 66))) : 0;
      cache.set(token, d >= 0 && d <= 77 ? d : 0);
    } catch (e) {
      if (e instanceof RpcError && e.transient) throw e;
      cache.set(token, 0);
    }
  }
  for (const b of blocks) for (const t of b.transfers) if (t.kind === 'token') t.decimals = cache.get(t.asset) ?? 0;
}

/** Pick the internal-transfer method the node supports. */
export async function detectInternalMode(client: JsonRpcClient): Promise<Exclude<InternalMode, 'auto'>> {
  try {
    await client.call('trace_block', ['0x0']);
    return 'trace_block';
  } catch (e) {
    if (e instanceof RpcError && e.transient) throw e;
  }
  try {
    await client.call('debug_traceBlockByNumber', ['0x0', { tracer: 'callTracer' }]);
    return 'debug';
  } catch (e) {
    if (e instanceof RpcError && e.transient) throw e;
  }
  return 'none';
}

export async function ingestEthRpc(opts: EthIngestOptions): Promise<EthIngestResult> {
  const client = typeof opts.rpc === 'string' ? new JsonRpcClient({ url: opts.rpc }) : opts.rpc;
  const chain: Chain = 'eth';
  const head = hexNum(await client.call<string>('eth_blockNumber'));
  const toBlock = opts.toBlock ?? head;
  if (!Number.isInteger(opts.fromBlock) || opts.fromBlock < 0)
    throw new InputError(`--from-block: must be a block number >= 0, got ${opts.fromBlock}`);
  if (toBlock < opts.fromBlock) throw new InputError(`--to-block ${toBlock} is below --from-block ${opts.fromBlock}`);
  if (toBlock > head)
    throw new InputError(
      `block ${toBlock} not found on ${client.url} (the node's head is ${head}); use --to-block <= ${head}`,
    );
  const mode = !opts.internal || opts.internal === 'auto' ? await detectInternalMode(client) : opts.internal;
  let filter: Set<string> | null = null;
  if (opts.addresses && opts.addresses.length > 0) {
    filter = new Set(
      opts.addresses.map((a) => {
        const c = checkAddress('eth', a);
        if (!c.ok) throw new InputError(`--address: invalid eth address "${a}": ${c.reason}`);
        return c.address;
      }),
    );
  }
  const importId = `eth-rpc-${opts.fromBlock}-${toBlock}-${randomUUID().slice(0, 8)}`;
  const result: EthIngestResult = {
    importId,
    fromBlock: opts.fromBlock,
    toBlock,
    blocks: 0,
    skippedBlocks: 0,
    txs: 0,
    transfers: { native: 0, internal: 0, token: 0 },
    reorgedBlocks: 0,
    internalMode: mode,
    retries: 0,
    transferList: opts.store ? undefined : [],
  };
  const decimals = new Map<string, number>();
  const step = Math.max(1, opts.batchBlocks ?? 20);
  let n = opts.fromBlock;
  while (n <= toBlock) {
    const end = Math.min(toBlock, n + step - 1);
    let fetched: FetchedBlock[] | null = null;
    for (let attempt = 1; attempt <= 3 && !fetched; attempt++) {
      const f = await fetchEthBlocks(client, n, end, mode, decimals, chain);
      if (chained(f)) fetched = f;
    }
    if (!fetched)
      throw new InputError(
        `blocks ${n}..${end} on ${client.url} do not chain by parent hash after 3 reads (the node is reorganising); try again`,
      );
    const transfers = fetched
      .flatMap((b) => b.transfers)
      .filter((t) => !filter || filter.has(t.from) || filter.has(t.to));
    const txs = fetched.reduce((s, b) => s + b.txs, 0);
    if (opts.store) {
      const db = opts.store.db;
      const restart = await db.transaction(async (tx) => {
        // Reorg check against what is stored below and inside this batch.
        const below = n > 0 ? await blockAt(tx, chain, n - 1) : undefined;
        if (below && below.hash !== fetched![0]!.block.parentHash) {
          const fork = await findForkPoint(client, tx, chain, n - 1, opts.maxReorgDepth ?? 64);
          result.reorgedBlocks += n - 1 - fork;
          await rollbackFrom(tx, chain, fork + 1);
          return fork + 1;
        }
        const keep: FetchedBlock[] = [];
        for (const b of fetched!) {
          const stored = await blockAt(tx, chain, b.block.number);
          if (stored && stored.hash === b.block.hash) {
            result.skippedBlocks++;
            continue;
          }
          if (stored) {
            result.reorgedBlocks += 1;
            await rollbackFrom(tx, chain, b.block.number);
          }
          keep.push(b);
        }
        const keepNums = new Set(keep.map((b) => b.block.number));
        const rows = transfers.filter((t) => keepNums.has(t.blockNumber ?? -1));
        await insertBlocks(
          tx,
          chain,
          keep.map((b) => b.block),
          importId,
        );
        await insertTransfers(tx, rows, importId);
        count(result, rows);
        result.blocks += keep.length;
        return null;
      });
      if (restart !== null) {
        n = Math.min(n, restart);
        continue;
      }
    } else {
      result.transferList!.push(...transfers);
      count(result, transfers);
      result.blocks += fetched.length;
    }
    result.txs += txs;
    opts.onBatch?.({ toBlock: end, txs, transfers: transfers.length });
    n = end + 1;
  }
  result.retries = client.retries;
  if (opts.store) {
    await opts.store.recordImport({
      id: importId,
      kind: 'crypto.eth-rpc',
      location: client.url,
      sha256: importId,
      importedAt: new Date().toISOString(),
      rowCount: result.transfers.native + result.transfers.internal + result.transfers.token,
      details: { fromBlock: opts.fromBlock, toBlock, internalMode: mode, reorgedBlocks: result.reorgedBlocks },
    });
  }
  return result;
}

function count(r: EthIngestResult, transfers: Transfer[]): void {
  for (const t of transfers) {
    if (t.kind === 'native') r.transfers.native++;
    else if (t.kind === 'internal') r.transfers.internal++;
    else if (t.kind === 'token') r.transfers.token++;
  }
}

function chained(blocks: FetchedBlock[]): boolean {
  for (let i = 1; i < blocks.length; i++) if (blocks[i]!.block.parentHash !== blocks[i - 1]!.block.hash) return false;
  return true;
}

/** Highest block ≤ `from` where the stored hash equals the node's hash. */
async function findForkPoint(
  client: JsonRpcClient,
  db: Store['db'],
  chain: Chain,
  from: number,
  maxDepth: number,
): Promise<number> {
  for (let k = from; k >= Math.max(0, from - maxDepth); k--) {
    const stored = await blockAt(db, chain, k);
    if (!stored) return k;
    const live = await client.call<RpcBlock | null>('eth_getBlockByNumber', [toHex(k), false]);
    if (live && live.hash === stored.hash) return k;
  }
  throw new InputError(`reorg deeper than ${maxDepth} blocks below block ${from}: re-import from an earlier block`);
}
