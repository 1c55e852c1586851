import { UserError } from '../errors.js';

/**
 * How the server guards itself. Local single-user mode (the default) binds to a loopback address with no accounts;
 * any other address needs auth on (`WATCHKEEPER_AUTH=on` or `--auth`).
 */
export interface AuthOptions {
  /** Users, roles, sessions and tokens are required on every route but /healthz, the login and the UI shell. */
  enabled: boolean;
  /**
   * Host header names the server answers to (DNS-rebinding defence). Default: loopback names, plus the bound
   * address. Env `WATCHKEEPER_ALLOWED_HOSTS` (comma separated); `*` turns the check off.
   */
  allowedHosts?: string[];
  /** Mark cookies Secure (default: on when auth is on and not on a loopback address). Env `WATCHKEEPER_COOKIE_SECURE`. */
  secureCookies?: boolean;
  /** Failed logins per client address and user name in 15 minutes before 429 (default 10). */
  loginAttempts?: number;
  /** Serve the web UI's source maps (`*.js.map`, 3 MB of source); default off. Env `WATCHKEEPER_SOURCE_MAPS`. */
  sourceMaps?: boolean;
}

export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1', '[::1]'];

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return LOOPBACK_NAMES.includes(h) || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if (['1', 'on', 'true', 'yes'].includes(v)) return true;
  if (['0', 'off', 'false', 'no'].includes(v)) return false;
  throw new UserError(`expected on or off, got "${value}"`);
}

export function authOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const hosts = env.WATCHKEEPER_ALLOWED_HOSTS?.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return {
    enabled: flag(env.WATCHKEEPER_AUTH) ?? false,
    allowedHosts: hosts && hosts.length > 0 ? hosts : undefined,
    secureCookies: flag(env.WATCHKEEPER_COOKIE_SECURE),
    sourceMaps: flag(env.WATCHKEEPER_SOURCE_MAPS),
  };
}

/**
 * Refuse to listen anywhere but loopback without auth: an open port on a network would give everyone on it every
 * case, watchlist and write route. The message says how to turn auth on.
 */
export function assertBindAllowed(host: string, auth: AuthOptions): void {
  if (auth.enabled || isLoopback(host)) return;
  throw new UserError(
    `refusing to listen on ${host} without authentication: anyone who can reach the port could read and change ` +
      'every case. Either bind to 127.0.0.1 (the default, single-user), or turn auth on: create the first admin ' +
      'with `watchkeeper users add <name> --role admin`, then start with `WATCHKEEPER_AUTH=on` (or `--auth`). ' +
      'See docs/server.md.',
  );
}

/** With auth on, a server with no users could not be used: say how to create the first admin. */
export function noUsersMessage(location: string): string {
  return (
    `auth is on but the store at ${location} has no users: create the first admin with ` +
    '`watchkeeper users add <name> --role admin` (it asks for the password, or reads it with --password-stdin)'
  );
}
