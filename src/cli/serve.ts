import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import { buildServer } from '../api/server.js';
import { assertBindAllowed, authOptionsFromEnv, noUsersMessage } from '../auth/config.js';
import { countUsers } from '../auth/users.js';
import { loadConfig } from '../config.js';
import { seedDemo, storeIsEmpty } from '../demo/seed.js';
import { UserError } from '../errors.js';
import { screeningService } from '../screening/service.js';
import { openStore } from '../store/open.js';
import { dbLocation } from './context.js';
import { addWorkerOptions, type WorkerCliOptions } from './worker.js';

interface ServeOptions {
  port?: string;
  host?: string;
  seed?: boolean;
  auth?: boolean;
  /** Run the monitoring worker in this process (`--monitor`, with the worker's options). */
  monitor?: boolean;
  /** PEM certificate (chain) and private key: serve HTTPS (env WATCHKEEPER_TLS_CERT / WATCHKEEPER_TLS_KEY). */
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * The certificate and key to serve HTTPS with, or undefined for plain HTTP. Both or neither: one alone is a usage
 * error (exit 2) naming the missing one. An unreadable file, a file that is not PEM, or a key that does not belong to
 * the certificate is a one-line error naming the file.
 */
export function tlsFromOptions(cmd: Command, opts: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  const certPath = opts.tlsCert ?? (process.env.WATCHKEEPER_TLS_CERT || undefined);
  const keyPath = opts.tlsKey ?? (process.env.WATCHKEEPER_TLS_KEY || undefined);
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    const [missing, env, given] =
      certPath === undefined
        ? ['--tls-cert', 'WATCHKEEPER_TLS_CERT', '--tls-key']
        : ['--tls-key', 'WATCHKEEPER_TLS_KEY', '--tls-cert'];
    cmd.error(`error: ${given} needs ${missing} (or env ${env}): TLS takes both a certificate and its private key`, {
      exitCode: 2,
      code: 'commander.tlsPair',
    });
  }
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new UserError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const cert = read(certPath, 'certificate');
  const key = read(keyPath, 'key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new UserError(`the TLS certificate ${certPath} is not a PEM certificate: ${(err as Error).message}`);
  }
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = createPrivateKey(key);
  } catch (err) {
    throw new UserError(`the TLS key ${keyPath} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw new UserError(`the TLS key ${keyPath} does not belong to the certificate ${certPath}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new UserError(`cannot use the TLS certificate ${certPath} with key ${keyPath}: ${(err as Error).message}`);
  }
  return { cert, key };
}

async function serve(cmd: Command, opts: ServeOptions, seedIfEmpty: boolean): Promise<void> {
  const config = loadConfig();
  const port = opts.port !== undefined ? Number(opts.port) : config.port;
  const host = opts.host ?? config.host;
  const auth = authOptionsFromEnv();
  if (opts.auth) auth.enabled = true;
  const https = tlsFromOptions(cmd, opts);
  // Local single-user mode only on loopback: anywhere else, auth on or no start (the error says how).
  assertBindAllowed(host, auth);
  const store = await openStore({ url: dbLocation(cmd) });
  if (auth.enabled && (await countUsers(store.db)) === 0) {
    await store.close();
    throw new UserError(noUsersMessage(store.location));
  }
  if (seedIfEmpty && opts.seed !== false && (await storeIsEmpty(store))) {
    process.stdout.write(`First run: seeding ${store.location} with the bundled demo data\n`);
    const started = Date.now();
    await seedDemo(store, (line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`Demo data loaded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const app = await buildServer({ store, logLevel: config.logLevel, auth, host, https });
  const worker = opts.monitor
    ? await (await import('./worker.js')).startWorker(store, dbLocation(cmd), opts as ServeOptions & WorkerCliOptions)
    : undefined;
  const shutdown = async () => {
    await worker?.stop();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await app.listen({ port, host });
  // Build the screening index now, in the background, so the first search does not wait for it.
  void screeningService(store)
    .index()
    .catch((err: Error) => app.log.warn({ err }, 'screening index build failed'));
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const base = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  process.stdout.write(
    `Watchkeeper ${store.kind} store at ${store.location}\n` +
      `Open ${base}/ in a browser (API docs at ${base}/docs, health at ${base}/healthz)\n` +
      (auth.enabled
        ? `Auth is on: sign in at ${base}/login\n`
        : 'Local single-user mode (no sign-in; loopback only)\n'),
  );
}

export function register(program: Command): void {
  program
    .command('start')
    .description('start the server; on first run seed the store with the bundled demo data')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--auth', 'require sign-in: users, roles, API tokens (env WATCHKEEPER_AUTH=on; see docs/server.md)')
    .option('--no-seed', 'do not seed an empty store')
    .addHelpText('after', '\nExamples:\n  watchkeeper start\n  PORT=9000 watchkeeper start --db ./var/team.duckdb\n')
    .action(async function (this: Command, opts: ServeOptions) {
      await serve(this, opts, true);
    });
  const serveCmd = program
    .command('serve')
    .description('start the HTTP API and web UI on the current store, without seeding')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--auth', 'require sign-in: users, roles, API tokens (env WATCHKEEPER_AUTH=on; see docs/server.md)')
    .option(
      '--tls-cert <file>',
      'serve HTTPS with this PEM certificate (chain); needs --tls-key (env WATCHKEEPER_TLS_CERT)',
    )
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (env WATCHKEEPER_TLS_KEY)')
    .option('--monitor', 'also run the monitoring worker in this process (the worker options below; docs/server.md)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper serve --port 8080\n  WATCHKEEPER_DB=postgres://wk@localhost/wk watchkeeper serve --host 0.0.0.0 --auth\n' +
        '  watchkeeper serve --host 0.0.0.0 --auth --tls-cert /etc/wk/cert.pem --tls-key /etc/wk/key.pem\n' +
        '  watchkeeper serve --monitor --feed tcp://153.44.253.27:5631 --detect-every 1m\n',
    )
    .action(async function (this: Command, opts: ServeOptions) {
      await serve(this, opts, false);
    });
  addWorkerOptions(serveCmd);
}
