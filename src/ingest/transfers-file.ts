import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type Chain, checkAddress, parseChain } from '../crypto/addresses.js';
import { parseBaseUnits, parseUnits } from '../crypto/amounts.js';
import { splitCsvLine } from '../crypto/csv.js';
import { NATIVE_ASSET, type Transfer, type TransferKind } from '../crypto/model.js';
import { InputError } from '../errors.js';
import { printable } from '../util/printable.js';

/**
 * Transfers from files, streamed line by line.
 *
 * Generic CSV (header required) or JSONL, one transfer per line:
 *   chain, tx_hash, block_number?, block_time (ISO 8601 or epoch ms), from, to, asset?, amount (integer base
 *   units) or value (decimal, with decimals), decimals?, index?, kind?
 * Dune export of the Lazarus / Ronin transfers (`block_time,from,to,total_eth`, addresses as `\x…` bytea): read
 * as ETH native transfers; the export has no tx hashes, so each transfer's hash is `<file>:L<line>`.
 *
 * Bad records are collected with file:line and reason. By default any bad record fails the whole file (nothing is
 * imported); with `skipBad` they are skipped and reported.
 */

export interface FileParseResult {
  transfers: Transfer[];
  format: 'csv' | 'jsonl' | 'dune-lazarus';
  lines: number;
  rejected: Array<{ where: string; reason: string }>;
}

export interface FileParseOptions {
  /** Chain for rows that do not name one. Default eth. */
  chain?: Chain;
  skipBad?: boolean;
}

export async function readTransfersFile(file: string, opts: FileParseOptions = {}): Promise<FileParseResult> {
  const base = path.basename(file);
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  const out: FileParseResult = { transfers: [], format: 'csv', lines: 0, rejected: [] };
  let header: string[] | null = null;
  let line = 0;
  const jsonl = /\.jsonl?$/i.test(file);
  if (jsonl) out.format = 'jsonl';
  try {
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      const where = `${base}:${line}`;
      let rec: Record<string, unknown>;
      if (jsonl) {
        try {
          rec = JSON.parse(text) as Record<string, unknown>;
        } catch (e) {
          out.rejected.push({ where, reason: `not JSON: ${printable((e as Error).message, 120)}` });
          continue;
        }
        if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
          out.rejected.push({ where, reason: 'not a JSON object' });
          continue;
        }
      } else {
        const cells = splitCsvLine(text);
        if (!header) {
          header = cells.map((h) => h.trim().replace(/^\uFEFF/, ''));
          if (header.join(',') === 'block_time,from,to,total_eth') out.format = 'dune-lazarus';
          else if (!header.includes('from') || !header.includes('to')) {
            throw new InputError(
              `${base}:1: header must name at least from, to and amount or value (got ${printable(header.join(','), 80)})`,
            );
          }
          continue;
        }
        rec = {};
        header.forEach((h, i) => {
          rec[h] = (cells[i] ?? '').trim();
        });
      }
      out.lines++;
      try {
        out.transfers.push(
          out.format === 'dune-lazarus'
            ? duneRow(rec, base, line)
            : genericRow(rec, where, opts.chain ?? 'eth', line, base),
        );
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        out.rejected.push({ where, reason: e.message.replace(`${where}: `, '') });
      }
    }
  } finally {
    rl.close();
  }
  if (out.rejected.length > 0 && !opts.skipBad) {
    const first = out.rejected.slice(0, 5).map((r) => `${r.where}: ${r.reason}`);
    throw new InputError(
      `${base}: ${out.rejected.length} bad record(s), nothing imported (use --skip-bad to import the rest):\n  ${first.join('\n  ')}`,
    );
  }
  return out;
}

function duneRow(rec: Record<string, unknown>, base: string, line: number): Transfer {
  const where = `${base}:${line}`;
  const addr = (field: string): string => {
    const raw = String(rec[field] ?? '').replace(/^\\x/, '0x');
    const c = checkAddress('eth', raw);
    if (!c.ok) throw new InputError(`${where}: ${field}: invalid eth address "${raw}": ${c.reason}`);
    return c.address;
  };
  const ts = Date.parse(String(rec.block_time ?? ''));
  if (Number.isNaN(ts)) throw new InputError(`${where}: block_time: not an ISO time "${String(rec.block_time)}"`);
  return {
    chain: 'eth',
    txHash: `${base}:L${line}`,
    blockNumber: null,
    tsMs: ts,
    from: addr('from'),
    to: addr('to'),
    asset: 'ETH',
    amount: parseUnits(String(rec.total_eth ?? ''), 18, `${where}: total_eth`),
    decimals: 18,
    index: -1,
    kind: 'native',
  };
}

const KINDS = new Set<TransferKind>(['native', 'internal', 'token', 'utxo']);

function genericRow(
  rec: Record<string, unknown>,
  where: string,
  defaultChain: Chain,
  line: number,
  base: string,
): Transfer {
  const str = (k: string): string => (rec[k] === undefined || rec[k] === null ? '' : String(rec[k]).trim());
  const chain = str('chain') ? parseChain(str('chain')) : defaultChain;
  const addr = (field: string): string => {
    const c = checkAddress(chain, str(field));
    if (!c.ok) throw new InputError(`${where}: ${field}: invalid ${chain} address "${str(field)}": ${c.reason}`);
    return c.address;
  };
  const native = NATIVE_ASSET[chain];
  const assetRaw = str('asset');
  let asset = native.symbol;
  if (assetRaw && assetRaw.toUpperCase() !== native.symbol) {
    const c = checkAddress(chain, assetRaw);
    if (!c.ok)
      throw new InputError(
        `${where}: asset: "${assetRaw}" is neither ${native.symbol} nor a token contract: ${c.reason}`,
      );
    asset = c.address;
  }
  const decimalsText = str('decimals');
  const decimals = decimalsText ? Number(decimalsText) : asset === native.symbol ? native.decimals : Number.NaN;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
    throw new InputError(`${where}: decimals: give the token's decimals (0..77), got "${decimalsText}"`);
  }
  let amount: bigint;
  if (str('amount')) amount = parseBaseUnits(str('amount'), `${where}: amount`);
  else if (str('value')) amount = parseUnits(str('value'), decimals, `${where}: value`);
  else throw new InputError(`${where}: amount (base units) or value (decimal) is required`);
  const timeText = str('block_time') || str('timestamp');
  const ts = /^\d+$/.test(timeText) ? Number(timeText) : Date.parse(timeText);
  if (!Number.isFinite(ts)) throw new InputError(`${where}: block_time: not an ISO time or epoch ms "${timeText}"`);
  const kindText = str('kind') || (asset === native.symbol ? 'native' : 'token');
  if (!KINDS.has(kindText as TransferKind))
    throw new InputError(`${where}: kind: one of native, internal, token, utxo`);
  const blockText = str('block_number');
  const indexText = str('index') || str('log_index');
  return {
    chain,
    txHash: str('tx_hash') || `${base}:L${line}`,
    blockNumber: blockText ? Number(blockText) : null,
    tsMs: ts,
    from: addr('from'),
    to: addr('to'),
    asset,
    amount,
    decimals,
    index: indexText ? Number(indexText) : -1,
    kind: kindText as TransferKind,
  };
}
