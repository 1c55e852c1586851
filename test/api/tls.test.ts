import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createUser } from '../../src/auth/users.js';
import { main } from '../../src/cli/main.js';
import { tlsFromOptions } from '../../src/cli/serve.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * TLS in the server itself (issue 18): a self-signed P-256 certificate made with openssl at test time, the real
 * server (buildServer with the certificate, as `watchkeeper serve --tls-cert --tls-key` builds it) on a free port,
 * requests over node:https trusting that certificate only. Plain HTTP to the port gets no answer; the serve command
 * refuses a certificate without its key (exit 2) and a key that does not belong to the certificate (exit 1).
 */

let dir: string;
let certFile: string;
let keyFile: string;
let otherKeyFile: string;
let store: Store;
let app: FastifyInstance;
let port: number;
const PW = 'correct horse battery';

function selfSigned(name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    // biome-ignore format: the openssl command line as documented
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function get(
  mod: typeof http | typeof https,
  url: string,
  opts: https.RequestOptions = {},
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { ...opts, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-tls-'));
  ({ cert: certFile, key: keyFile } = selfSigned('server'));
  otherKeyFile = selfSigned('other').key;
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await createUser(store.db, { username: 'ada', password: PW, role: 'admin' });
  // secureCookies false (WATCHKEEPER_COOKIE_SECURE=off) must not drop Secure from a cookie sent over TLS.
  app = await buildServer({
    store,
    logLevel: false,
    auth: { enabled: true, secureCookies: false },
    host: '127.0.0.1',
    https: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serve with --tls-cert/--tls-key', () => {
  it('answers /healthz over HTTPS with the configured certificate and sends Strict-Transport-Security', async () => {
    const r = await get(https, `https://127.0.0.1:${port}/healthz`, { ca: readFileSync(certFile) });
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(get(https, `https://127.0.0.1:${port}/healthz`)).rejects.toThrow(/self-signed|self signed/);
  });

  it('gives plain HTTP on the same port no answer', async () => {
    await expect(get(http, `http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('marks the session and CSRF cookies Secure over TLS, even with WATCHKEEPER_COOKIE_SECURE=off', async () => {
    const body = JSON.stringify({ username: 'ada', password: PW });
    const r = await get(
      https,
      `https://127.0.0.1:${port}/auth/login`,
      { ca: readFileSync(certFile), method: 'POST', headers: { 'content-type': 'application/json' } },
      body,
    );
    expect(r.status).toBe(200);
    const cookies = [r.headers['set-cookie'] ?? []].flat();
    const session = cookies.find((c) => c.startsWith('wk_session='));
    const csrf = cookies.find((c) => c.startsWith('wk_csrf='));
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/HttpOnly/);
    expect(csrf).toMatch(/; Secure/);
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('sends no Strict-Transport-Security over plain HTTP', async () => {
    const plain = await buildServer({ store, logLevel: false });
    const r = await plain.inject({ method: 'GET', url: '/healthz', headers: { host: '127.0.0.1' } });
    await plain.close();
    expect(r.statusCode).toBe(200);
    expect(r.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('serve TLS options', () => {
  async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
    vi.stubEnv('WATCHKEEPER_TLS_CERT', '');
    vi.stubEnv('WATCHKEEPER_TLS_KEY', '');
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    let stderr = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    try {
      const code = await main(['node', 'watchkeeper', '--db', path.join(dir, 'cli.duckdb'), 'serve', ...args]);
      return { code, stderr };
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
  }

  it('is a usage error (exit 2) naming --tls-key when only --tls-cert is given', async () => {
    const r = await run(['--tls-cert', certFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tls-cert needs --tls-key (or env WATCHKEEPER_TLS_KEY)');
  });

  it('is a usage error naming --tls-cert when only the key is given (env)', async () => {
    const r = await run([], { WATCHKEEPER_TLS_KEY: keyFile });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tls-key needs --tls-cert (or env WATCHKEEPER_TLS_CERT)');
  });

  it('names the key file when the key does not belong to the certificate, without a stack trace', async () => {
    const r = await run(['--tls-cert', certFile, '--tls-key', otherKeyFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`watchkeeper: the TLS key ${otherKeyFile} does not belong to the certificate ${certFile}\n`);
  });

  it('names an unreadable certificate file', async () => {
    const missing = path.join(dir, 'missing.crt');
    const r = await run(['--tls-cert', missing, '--tls-key', keyFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^watchkeeper: cannot read the TLS certificate ${missing}: ENOENT`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a key file that is not a private key', async () => {
    const r = await run(['--tls-cert', certFile, '--tls-key', certFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^watchkeeper: the TLS key ${certFile} is not a PEM private key`));
  });

  it('reads the pair from WATCHKEEPER_TLS_CERT / WATCHKEEPER_TLS_KEY', () => {
    vi.stubEnv('WATCHKEEPER_TLS_CERT', certFile);
    vi.stubEnv('WATCHKEEPER_TLS_KEY', keyFile);
    try {
      const tls = tlsFromOptions({ error: () => undefined } as never, {});
      expect(tls?.cert.equals(readFileSync(certFile))).toBe(true);
      expect(tls?.key.equals(readFileSync(keyFile))).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
