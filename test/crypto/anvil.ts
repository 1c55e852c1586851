import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

/**
 * A real local Ethereum node for tests and the bench: anvil from the npm package @foundry-rs/anvil (the binary
 * ships in @foundry-rs/anvil-linux-amd64), on a free loopback port, started and stopped by the caller.
 */
export interface AnvilNode {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function anvilBinary(): string {
  const direct = path.join(PACKAGE_ROOT, 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');
  if (existsSync(direct)) return direct;
  return path.join(PACKAGE_ROOT, 'node_modules', '@foundry-rs', 'anvil', 'bin.mjs');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startAnvil(extraArgs: string[] = []): Promise<AnvilNode> {
  const port = await freePort();
  const bin = anvilBinary();
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--silent',
    '--gas-price',
    '0',
    '--base-fee',
    '0',
    '--auto-impersonate',
    ...extraArgs,
  ];
  const child: ChildProcess = bin.endsWith('.mjs')
    ? spawn(process.execPath, [bin, ...args], { stdio: 'ignore' })
    : spawn(bin, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`anvil exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('anvil did not answer within 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Raw JSON-RPC for test set-up (anvil_* and evm_* methods). */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const j = (await r.json()) as { result?: T; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result as T;
}

// ---- transactions on an anvil node (auto-impersonate: any `from` can send; gas price and base fee 0) -----------

export type Hex = `0x${string}`;

/** Decimal ETH ("12.5") to wei, exactly (string arithmetic, independent of the code under test). */
export function parseEther(eth: string): bigint {
  const [int, frac = ''] = eth.split('.');
  return BigInt(`${int || '0'}${frac.padEnd(18, '0')}`);
}

/** ABI-encode static words: addresses and uint256 values, 32 bytes each (no 0x). */
export function abiWords(...values: Array<string | bigint>): string {
  return values
    .map((v) => (typeof v === 'bigint' ? v.toString(16) : v.replace(/^0x/i, '').toLowerCase()).padStart(64, '0'))
    .join('');
}

/** ERC-20 `transfer(address,uint256)` call data (selector 0xa9059cbb). */
export function erc20TransferData(to: string, units: bigint): Hex {
  return `0xa9059cbb${abiWords(to, units)}`;
}

export interface TxReceipt {
  status: 'success' | 'reverted';
  contractAddress: string | null;
}

/** `eth_sendTransaction` with zero fees, then the receipt (anvil mines at once). */
export async function sendTx(
  url: string,
  tx: { from: string; to?: string; value?: bigint; data?: Hex; gas?: bigint },
): Promise<{ hash: Hex; receipt: TxReceipt }> {
  const hex = (n: bigint) => `0x${n.toString(16)}`;
  const hash = await rpc<Hex>(url, 'eth_sendTransaction', [
    {
      from: tx.from,
      ...(tx.to ? { to: tx.to } : {}),
      value: hex(tx.value ?? 0n),
      ...(tx.data ? { data: tx.data } : {}),
      ...(tx.gas ? { gas: hex(tx.gas) } : {}),
      maxFeePerGas: '0x0',
      maxPriorityFeePerGas: '0x0',
    },
  ]);
  for (let i = 0; i < 200; i++) {
    const r = await rpc<{ status: string; contractAddress: string | null } | null>(url, 'eth_getTransactionReceipt', [
      hash,
    ]);
    if (r)
      return {
        hash,
        receipt: { status: r.status === '0x1' ? 'success' : 'reverted', contractAddress: r.contractAddress },
      };
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`no receipt for ${hash}`);
}
