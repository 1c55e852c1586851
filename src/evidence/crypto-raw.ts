/**
 * Raw provenance of crypto transfer evidence: an EvidenceRef `{source: "chain:<chain>", record: "tx:<hash>"}`
 * resolves to the stored transfers of that transaction (block, log index, from, to, asset, amount) and the import
 * they came from (the RPC endpoint or file as recorded in the imports log, with its sha256).
 */
import { createHash } from 'node:crypto';
import type { EvidenceRef } from '../findings/finding.js';
import type { ImportRecord, Store } from '../store/store.js';
import { refKey } from './ais-raw.js';

export interface TransferProvenance {
  chain: string;
  txHash: string;
  blocks: number[];
  /** One line per stored transfer: `block B log I: FROM -> TO AMOUNT ASSET (decimals D)`. */
  transfers: string[];
  /** sha256 over those lines (re-computable from the store). */
  sha256: string;
  /** Where the transfers came from: the import's location (RPC endpoint or file) and its sha256. */
  imports: Array<{ id: string; location: string; sha256: string }>;
}

const TX_RECORD = /^tx:(.+)$/;

export async function resolveTransferEvidence(
  store: Store,
  refs: EvidenceRef[],
): Promise<Map<string, TransferProvenance>> {
  const out = new Map<string, TransferProvenance>();
  const wanted = refs.filter((r) => r.source.startsWith('chain:') && TX_RECORD.test(r.record));
  if (wanted.length === 0) return out;
  const imports = new Map<string, ImportRecord>();
  for (const imp of await store.listImports()) imports.set(imp.id, imp);
  for (const r of wanted) {
    const key = refKey(r);
    if (out.has(key)) continue;
    const chain = r.source.slice('chain:'.length);
    const tx = TX_RECORD.exec(r.record)![1]!;
    const rows = await store.db.query(
      `SELECT block_number, idx, from_addr, to_addr, asset, amount, decimals, import_id FROM crypto_transfers
       WHERE chain = $1 AND lower(tx_hash) = lower($2) ORDER BY idx`,
      [chain, tx],
    );
    if (rows.length === 0) continue;
    const transfers = rows.map(
      (x) =>
        `block ${x.block_number ?? 'not given'}${Number(x.idx) >= 0 ? ` log ${x.idx}` : ''}: ${x.from_addr} -> ${x.to_addr} ${x.amount} ${x.asset} (decimals ${x.decimals})`,
    );
    const ids = [...new Set(rows.map((x) => String(x.import_id)))];
    out.set(key, {
      chain,
      txHash: tx,
      blocks: [
        ...new Set(
          rows
            .filter((x) => x.block_number !== null && x.block_number !== undefined)
            .map((x) => Number(x.block_number)),
        ),
      ],
      transfers,
      sha256: createHash('sha256').update(transfers.join('\n')).digest('hex'),
      imports: ids.map((id) => ({
        id,
        location: imports.get(id)?.location ?? 'unknown (not in the imports log)',
        sha256: imports.get(id)?.sha256 ?? '',
      })),
    });
  }
  return out;
}
