import { createHash } from 'node:crypto';
import { hex } from '@scure/base';
import { CompactSize, RawTx } from '@scure/btc-signer';
import { addressFromScript } from '../crypto/addresses.js';
import type { UtxoTx } from '../crypto/model.js';
import { InputError } from '../errors.js';

/**
 * Raw Bitcoin transactions and blocks (consensus serialisation, hex) → UtxoTx, parsed with @scure/btc-signer's
 * transaction coder (`RawTx`, BIP-144 segwit serialisation); a block is its 80-byte header, a CompactSize count
 * and that many transactions. Output addresses come from the output script (P2PKH, P2SH, P2WPKH, P2WSH, P2TR;
 * null for bare multisig, P2PK and OP_RETURN). Input addresses and values are unknown from the raw bytes alone
 * (they live in the spent outputs) and stay null until the spent transactions are known (see `resolvePrevouts`).
 */

export type BtcChain = 'btc' | 'btc-testnet' | 'ltc';

type DecodedTx = ReturnType<typeof RawTx.decode>;

const sha256d = (b: Uint8Array): Uint8Array =>
  createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
/** Hashes are shown byte-reversed (Bitcoin Core's convention for txids and block hashes). */
const reverseHex = (b: Uint8Array): string => hex.encode(Uint8Array.from(b).reverse());
const ZERO_TXID = '0'.repeat(64);

/** txid: double SHA-256 of the serialisation without witness data, reversed. */
function txidOf(tx: DecodedTx): string {
  return reverseHex(sha256d(RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined })));
}

function toUtxo(
  tx: DecodedTx,
  chain: BtcChain,
  meta: { blockHeight?: number | null; blockHash?: string | null; tsMs?: number },
): UtxoTx {
  // RawTx gives input txids in display order already (it reverses the wire bytes).
  const coinbase = tx.inputs.length === 1 && hex.encode(tx.inputs[0]!.txid) === ZERO_TXID;
  return {
    chain,
    txid: txidOf(tx),
    blockHeight: meta.blockHeight ?? null,
    blockHash: meta.blockHash ?? null,
    tsMs: meta.tsMs ?? 0,
    coinbase,
    inputs: coinbase
      ? [{ prevTxid: null, prevVout: null, address: null, value: null }]
      : tx.inputs.map((i) => ({ prevTxid: hex.encode(i.txid), prevVout: i.index, address: null, value: null })),
    outputs: tx.outputs.map((o, n) => ({
      n,
      address: addressFromScript(chain, o.script),
      value: o.amount,
      scriptHex: hex.encode(o.script),
    })),
  };
}

function decodeHex(rawHex: string, what: string): Uint8Array {
  const s = rawHex.trim();
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new InputError(`${what}: not hex`);
  return hex.decode(s.toLowerCase());
}

export function parseRawTx(
  rawHex: string,
  chain: BtcChain = 'btc',
  meta: { blockHeight?: number | null; tsMs?: number } = {},
): UtxoTx {
  let tx: DecodedTx;
  try {
    tx = RawTx.decode(decodeHex(rawHex, 'raw transaction'));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`raw transaction: ${(e as Error).message}`);
  }
  return toUtxo(tx, chain, meta);
}

export interface ParsedBlock {
  hash: string;
  prevHash: string;
  merkleRoot: string;
  tsMs: number;
  txs: UtxoTx[];
}

export function parseRawBlock(rawHex: string, chain: BtcChain = 'btc', height: number | null = null): ParsedBlock {
  const bytes = decodeHex(rawHex, 'raw block');
  if (bytes.length < 80) throw new InputError(`raw block: ${bytes.length} bytes, a block header has 80`);
  const header = bytes.subarray(0, 80);
  const hash = reverseHex(sha256d(header));
  const tsMs = new DataView(header.buffer, header.byteOffset, 80).getUint32(68, true) * 1000;
  const txs: UtxoTx[] = [];
  // 80 bytes: a header alone (as headers-first sync and some APIs give it), no transactions.
  if (bytes.length > 80)
    try {
      let pos = 80;
      const count = CompactSize.decode(bytes.subarray(pos), { allowUnreadBytes: true });
      pos += CompactSize.encode(count).length;
      for (let i = 0n; i < count; i++) {
        // Decode one transaction from the stream; its length is that of its (canonical) serialisation.
        const tx = RawTx.decode(bytes.subarray(pos), { allowUnreadBytes: true });
        pos += RawTx.encode(tx).length;
        txs.push(toUtxo(tx, chain, { blockHeight: height, blockHash: hash, tsMs }));
      }
      if (pos !== bytes.length) throw new Error(`${bytes.length - pos} bytes left after ${count} transactions`);
    } catch (e) {
      throw new InputError(`raw block: ${(e as Error).message}`);
    }
  return {
    hash,
    prevHash: reverseHex(header.subarray(4, 36)),
    merkleRoot: reverseHex(header.subarray(36, 68)),
    tsMs,
    txs,
  };
}

/** Fill input addresses and values from the outputs they spend, when those transactions are known. */
export function resolvePrevouts(txs: UtxoTx[], known: Iterable<UtxoTx> = txs): number {
  const outputs = new Map<string, { address: string | null; value: bigint }>();
  for (const t of known)
    for (const o of t.outputs) outputs.set(`${t.txid}:${o.n}`, { address: o.address, value: o.value });
  let filled = 0;
  for (const t of txs) {
    for (const i of t.inputs) {
      if (i.prevTxid === null || i.value !== null) continue;
      const o = outputs.get(`${i.prevTxid}:${i.prevVout}`);
      if (o) {
        i.address = o.address;
        i.value = o.value;
        filled++;
      }
    }
  }
  return filled;
}
