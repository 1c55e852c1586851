import { UserError } from '../errors.js';
import { parseRole, type Role } from './users.js';

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
  /** Sign-in through an OpenID Connect provider (src/auth/oidc.ts), besides user names and passwords. */
  oidc?: OidcOptions;
}

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, scopes `openid profile email`). Env names in brackets;
 * docs/server.md "OIDC" has an example.
 */
export interface OidcOptions {
  /** The provider's issuer URL; its `/.well-known/openid-configuration` is read at the first sign-in. [WATCHKEEPER_OIDC_ISSUER] */
  issuer: string;
  /** [WATCHKEEPER_OIDC_CLIENT_ID] */
  clientId: string;
  /** Sent with HTTP Basic to the token endpoint; omit for a public client (PKCE only). [WATCHKEEPER_OIDC_CLIENT_SECRET] */
  clientSecret?: string;
  /** This server's callback, registered with the provider: `https://<host>/auth/oidc/callback`. [WATCHKEEPER_OIDC_REDIRECT_URL] */
  redirectUrl: string;
  /** Shown on the sign-in page as "Sign in with <name>" (default "SSO"). [WATCHKEEPER_OIDC_NAME] */
  name?: string;
  /** The id_token claim holding the user's groups or roles (a string or an array; default `groups`). [WATCHKEEPER_OIDC_ROLE_CLAIM] */
  roleClaim?: string;
  /** Claim value → role, the strongest match wins: `wk-admins=admin,investigators=analyst`. [WATCHKEEPER_OIDC_ROLE_MAP] */
  roleMap?: Record<string, Role>;
  /** Role of a user none of whose claim values is mapped; null (`none`) refuses them (default viewer). [WATCHKEEPER_OIDC_DEFAULT_ROLE] */
  defaultRole?: Role | null;
  /** Only verified e-mail addresses in these domains may sign in (default: any). [WATCHKEEPER_OIDC_ALLOWED_DOMAINS] */
  allowedDomains?: string[];
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** OIDC settings from the environment, or undefined when WATCHKEEPER_OIDC_ISSUER is not set. */
export function oidcOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OidcOptions | undefined {
  const issuer = env.WATCHKEEPER_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const clientId = env.WATCHKEEPER_OIDC_CLIENT_ID?.trim();
  const redirectUrl = env.WATCHKEEPER_OIDC_REDIRECT_URL?.trim();
  if (!clientId || !redirectUrl) {
    throw new UserError(
      'WATCHKEEPER_OIDC_ISSUER is set: WATCHKEEPER_OIDC_CLIENT_ID and WATCHKEEPER_OIDC_REDIRECT_URL are needed too',
    );
  }
  const roleMap: Record<string, Role> = {};
  for (const pair of list(env.WATCHKEEPER_OIDC_ROLE_MAP)) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) throw new UserError(`WATCHKEEPER_OIDC_ROLE_MAP: expected value=role, got "${pair}"`);
    roleMap[pair.slice(0, eq).trim()] = parseRole(pair.slice(eq + 1).trim());
  }
  const dr = env.WATCHKEEPER_OIDC_DEFAULT_ROLE?.trim();
  const domains = list(env.WATCHKEEPER_OIDC_ALLOWED_DOMAINS).map((d) => d.toLowerCase());
  return {
    issuer,
    clientId,
    clientSecret: env.WATCHKEEPER_OIDC_CLIENT_SECRET || undefined,
    redirectUrl,
    name: env.WATCHKEEPER_OIDC_NAME?.trim() || undefined,
    roleClaim: env.WATCHKEEPER_OIDC_ROLE_CLAIM?.trim() || undefined,
    roleMap,
    defaultRole: dr === undefined || dr === '' ? undefined : dr === 'none' ? null : parseRole(dr),
    allowedDomains: domains.length > 0 ? domains : undefined,
  };
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
    oidc: oidcOptionsFromEnv(env),
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
