/**
 * What the crypto benchmarks share: command-line numbers, a timer reporting wall and CPU seconds, and the synthetic
 * ETH year they write (bench/crypto-frontier.ts, bench/crypto-exposure.ts).
 */
import { TRANSFER_COLS } from '../src/crypto/store/repo.js';
import type { ColumnBatch, Db } from '../src/store/db.js';
import { xorshift32 } from '../test/support/prng.js';

/** `--name N` on the command line, else `def`. */
export function numberArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallS: number; cpuS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 };
}

/** Address of synthetic id `i`. */
export const syntheticAddress = (i: number): string => `0x${i.toString(16).padStart(40, '0')}`;

/**
 * `n` ETH transfers among `nodes` addresses over one year (2022), in time order: heavy-tailed senders (id =
 * nodes × r³: a few hubs, many quiet wallets), uniform receivers, amounts log-uniform between 0.001 and 1,000 ETH in
 * wei. The same rows on every run (xorshift32 from a fixed seed).
 */
export async function writeSyntheticEthYear(
  db: Db,
  n: number,
  nodes: number,
  addr: (i: number) => string = syntheticAddress,
): Promise<void> {
  const rand = xorshift32(0x2545f491);
  const t0 = Date.parse('2022-01-01T00:00:00Z');
  const step = (365 * 86_400_000) / n;
  await db.bulkInsert(
    'crypto_transfers',
    TRANSFER_COLS,
    (function* (): Generator<ColumnBatch> {
      const B = 100_000;
      for (let i0 = 0; i0 < n; i0 += B) {
        const len = Math.min(B, n - i0);
        const cols = Array.from({ length: 12 }, () => new Array(len));
        for (let k = 0; k < len; k++) {
          const e = i0 + k;
          const u = Math.floor(nodes * rand() ** 3);
          let v = Math.floor(nodes * rand());
          if (v === u) v = (v + 1) % nodes;
          cols[0]![k] = 'eth';
          cols[1]![k] = `0x${e.toString(16).padStart(64, '0')}`;
          cols[2]![k] = BigInt(14_000_000 + Math.floor((e * step) / 12_000));
          cols[3]![k] = BigInt(Math.floor(t0 + e * step));
          cols[4]![k] = addr(u);
          cols[5]![k] = addr(v);
          cols[6]![k] = 'ETH';
          cols[7]![k] = BigInt(Math.round(10 ** (15 + 6 * rand()))).toString();
          cols[8]![k] = 18;
          cols[9]![k] = -1;
          cols[10]![k] = 'native';
          cols[11]![k] = 'bench';
        }
        yield { length: len, columns: cols };
      }
    })(),
  );
}
