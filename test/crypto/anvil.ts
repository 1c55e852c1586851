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
