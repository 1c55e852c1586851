import { constants, createHash, createPublicKey, type JsonWebKey, randomBytes, verify } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { OidcOptions } from './config.js';
import {
  createUser,
  findUserByName,
  getUser,
  nowIso,
  type Role,
  roleRank,
  setRole,
  sha256,
  type User,
} from './users.js';

/**
 * OpenID Connect sign-in: authorization code flow with PKCE (S256), scopes `openid profile email`. The provider's
 * metadata comes from `<issuer>/.well-known/openid-configuration`; the id_token is verified here with node:crypto
 * (RS256/384/512, PS256/384/512 or ES256/384/512 against the provider's JWKS; iss, aud/azp, exp, iat and nonce). A
 * user is matched by (issuer, subject), or created with the role the configured claim maps to; the caller then
 * opens a normal session.
 */

export class OidcError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 502,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const OIDC_SCOPES = 'openid profile email';
/** How long a started sign-in may take at the provider. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Clock skew allowed on exp and iat. */
const SKEW_S = 60;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

/** At most this many sign-ins in progress (started, not finished, not expired) at once. */
const MAX_PENDING = 10_000;

export interface IdClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  nonce?: string;
  azp?: string;
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
  [claim: string]: unknown;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new OidcError(
      502,
      'oidc_provider',
      `the identity provider did not answer at ${url}: ${(err as Error).message}`,
    );
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200);
    throw new OidcError(502, 'oidc_provider', `the identity provider answered ${res.status} at ${url} ${text}`.trim());
  }
  return (await res.json()) as T;
}

/** A safe place to land after sign-in: a path on this server, never another origin. */
export function safeReturnTo(value: string | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value.slice(0, 2000);
}

/**
 * The id_token signatures accepted: RSA PKCS#1 v1.5 (RS*), RSA-PSS (PS*) and ECDSA (ES*, the JWS raw r||s form), with
 * the matching JWKS key type and curve. Never `none` or a shared-secret HS* (the client secret is not a key here).
 */
const JWS_ALGS: Record<string, { kty: 'RSA' | 'EC'; hash: string; crv?: string; pss?: boolean }> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', crv: 'P-256' },
  ES384: { kty: 'EC', hash: 'sha384', crv: 'P-384' },
  ES512: { kty: 'EC', hash: 'sha512', crv: 'P-521' },
};

/** Verify a compact JWS id_token signed with one of the JWKS keys (JWS_ALGS), then its claims. Throws OidcError. */
export function verifyIdToken(
  jwt: string,
  keys: JsonWebKey[],
  expect: { issuer: string; clientId: string; nonce: string; nowS?: number },
): IdClaims {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new OidcError(401, 'oidc_token', 'the id_token is not a signed JWT');
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: IdClaims;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    throw new OidcError(401, 'oidc_token', 'the id_token is not valid JSON');
  }
  const alg = header.alg !== undefined && Object.hasOwn(JWS_ALGS, header.alg) ? JWS_ALGS[header.alg] : undefined;
  if (!alg) {
    throw new OidcError(
      401,
      'oidc_token',
      `id_token algorithm ${header.alg} is not accepted (${Object.keys(JWS_ALGS).join(', ')})`,
    );
  }
  const candidates = keys.filter(
    (k) =>
      k.kty === alg.kty &&
      (alg.crv === undefined || k.crv === alg.crv) &&
      (k.alg === undefined || k.alg === header.alg) &&
      (header.kid === undefined || k.kid === header.kid) &&
      (k.use === undefined || k.use === 'sig'),
  );
  if (candidates.length === 0)
    throw new OidcError(401, 'oidc_token', `no ${header.alg} key "${header.kid}" in the JWKS`);
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const good = candidates.some((jwk) => {
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      return verify(
        alg.hash,
        data,
        alg.kty === 'EC'
          ? { key, dsaEncoding: 'ieee-p1363' }
          : alg.pss
            ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
            : key,
        sig,
      );
    } catch {
      return false;
    }
  });
  if (!good) throw new OidcError(401, 'oidc_token', 'the id_token signature does not verify');
  if (claims.iss !== expect.issuer) {
    throw new OidcError(401, 'oidc_token', `id_token issuer "${claims.iss}" is not "${expect.issuer}"`);
  }
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.clientId)) throw new OidcError(401, 'oidc_token', 'the id_token is not for this client');
  if (aud.length > 1 && claims.azp !== expect.clientId) {
    throw new OidcError(401, 'oidc_token', 'the id_token has several audiences and azp is not this client');
  }
  const now = expect.nowS ?? Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp + SKEW_S < now) {
    throw new OidcError(401, 'oidc_token', 'the id_token has expired');
  }
  if (typeof claims.iat === 'number' && claims.iat - SKEW_S > now) {
    throw new OidcError(401, 'oidc_token', 'the id_token was issued in the future');
  }
  if (claims.nonce !== expect.nonce) throw new OidcError(401, 'oidc_token', 'the id_token nonce does not match');
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw new OidcError(401, 'oidc_token', 'the id_token has no subject');
  }
  return claims;
}

/** The role the claims map to (the strongest), the default role, or null (refused). */
export function mapRole(o: OidcOptions, claims: IdClaims): Role | null {
  const raw = claims[o.roleClaim ?? 'groups'];
  const values = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
  let best: Role | null = null;
  for (const v of values) {
    const r = o.roleMap?.[v];
    if (r && (best === null || roleRank(r) > roleRank(best))) best = r;
  }
  if (best) return best;
  return o.defaultRole === undefined ? 'viewer' : o.defaultRole;
}

const USERNAME_CHARS = /[^A-Za-z0-9._@-]/g;

/** The user for (issuer, subject): found, or created with a fresh name; the role follows the provider's claims. */
export async function userForClaims(db: Db, o: OidcOptions, claims: IdClaims): Promise<User> {
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
  if (o.allowedDomains && o.allowedDomains.length > 0) {
    const domain = email?.split('@')[1];
    if (!email || claims.email_verified === false || !domain || !o.allowedDomains.includes(domain)) {
      throw new OidcError(403, 'forbidden', `sign-in is limited to ${o.allowedDomains.join(', ')} addresses`);
    }
  }
  const role = mapRole(o, claims);
  if (!role) throw new OidcError(403, 'forbidden', 'your identity provider account has no Watchkeeper role');
  const rows = await db.query('SELECT user_id FROM oidc_identities WHERE issuer = $1 AND subject = $2', [
    claims.iss,
    claims.sub,
  ]);
  let user: User;
  if (rows[0]) {
    user = await getUser(db, String(rows[0].user_id));
    if (user.disabled) throw new OidcError(403, 'forbidden', 'this account is disabled');
    if (user.role !== role) user = await setRole(db, user.id, role);
    return user;
  }
  const base = (claims.preferred_username ?? email ?? `oidc-${claims.sub}`).replace(USERNAME_CHARS, '-').slice(0, 50);
  let username = base || 'oidc-user';
  if (await findUserByName(db, username)) username = `${username}-${sha256(`${claims.iss}|${claims.sub}`).slice(0, 8)}`;
  if (await findUserByName(db, username)) {
    throw new UserError(`cannot create a user for this sign-in: the name "${username}" is taken`);
  }
  // The account signs in through the provider: its password is random and never shown.
  user = await createUser(db, { username, password: b64url(randomBytes(32)), role });
  await db.query(
    'INSERT INTO oidc_identities (issuer, subject, user_id, email, created_at) VALUES ($1, $2, $3, $4, $5)',
    [claims.iss, claims.sub, user.id, email ?? null, nowIso()],
  );
  return user;
}

/**
 * One configured provider: discovery and keys cached in the process. Started sign-ins (state, nonce, PKCE verifier,
 * where to land) are in the store (table `oidc_pending`, the state as its SHA-256), so a sign-in started on one
 * server process can be finished on another behind the same load balancer; each is taken once (deleted as it is
 * read) and expires after STATE_TTL_MS.
 */
export class OidcClient {
  private discovery: Promise<Discovery> | null = null;
  private keys: JsonWebKey[] | null = null;

  constructor(
    readonly options: OidcOptions,
    private readonly db: Db,
  ) {}

  get name(): string {
    return this.options.name ?? 'SSO';
  }

  private issuer(): string {
    return this.options.issuer.replace(/\/+$/, '');
  }

  async metadata(): Promise<Discovery> {
    if (!this.discovery) {
      const url = `${this.issuer()}/.well-known/openid-configuration`;
      this.discovery = getJson<Discovery>(url).then((d) => {
        if (d.issuer.replace(/\/+$/, '') !== this.issuer()) {
          throw new OidcError(
            502,
            'oidc_provider',
            `the provider says its issuer is "${d.issuer}", not ${this.issuer()}`,
          );
        }
        for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
          if (typeof d[k] !== 'string') throw new OidcError(502, 'oidc_provider', `the provider metadata has no ${k}`);
        }
        return d;
      });
      this.discovery.catch(() => {
        this.discovery = null;
      });
    }
    return this.discovery;
  }

  private async jwks(refresh: boolean): Promise<JsonWebKey[]> {
    if (!this.keys || refresh) {
      const d = await this.metadata();
      this.keys = (await getJson<{ keys: JsonWebKey[] }>(d.jwks_uri)).keys ?? [];
    }
    return this.keys;
  }

  /** Start a sign-in: the provider URL to redirect to, and the state to bind to the browser (a cookie). */
  async begin(returnTo: string | undefined): Promise<{ url: string; state: string }> {
    const d = await this.metadata();
    const now = Date.now();
    await this.db.query('DELETE FROM oidc_pending WHERE expires_ms <= $1', [BigInt(now)]);
    const [n] = await this.db.query('SELECT count(*) AS n FROM oidc_pending');
    if (Number(n?.n ?? 0) >= MAX_PENDING) throw new OidcError(502, 'oidc_busy', 'too many sign-ins in progress; retry');
    const state = b64url(randomBytes(24));
    const nonce = b64url(randomBytes(24));
    const verifier = b64url(randomBytes(48));
    await this.db.query(
      `INSERT INTO oidc_pending (state_hash, nonce, verifier, return_to, expires_ms, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sha256(state), nonce, verifier, safeReturnTo(returnTo), BigInt(now + STATE_TTL_MS), nowIso()],
    );
    const url = new URL(d.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('redirect_uri', this.options.redirectUrl);
    url.searchParams.set('scope', OIDC_SCOPES);
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', nonce);
    url.searchParams.set('code_challenge', b64url(createHash('sha256').update(verifier).digest()));
    url.searchParams.set('code_challenge_method', 'S256');
    return { url: url.toString(), state };
  }

  /**
   * Finish a sign-in: the state must be one this server started, not used before, not expired, and the one bound to
   * this browser; the code is exchanged for tokens and the id_token verified.
   */
  async finish(
    code: string,
    state: string,
    browserState: string | undefined,
  ): Promise<{ claims: IdClaims; returnTo: string }> {
    // Taken once: the row is deleted as it is read, so of two callbacks with one state (any process) one gets it.
    const [row] = await this.db.query(
      'DELETE FROM oidc_pending WHERE state_hash = $1 RETURNING nonce, verifier, return_to, expires_ms',
      [sha256(state)],
    );
    if (!row || Number(row.expires_ms) <= Date.now()) {
      throw new OidcError(400, 'oidc_state', 'unknown, expired or already used sign-in state; sign in again');
    }
    const p = { nonce: String(row.nonce), verifier: String(row.verifier), returnTo: String(row.return_to) };
    if (browserState !== state) {
      throw new OidcError(400, 'oidc_state', 'this sign-in was not started in this browser; sign in again');
    }
    const d = await this.metadata();
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.redirectUrl,
      client_id: this.options.clientId,
      code_verifier: p.verifier,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (this.options.clientSecret) {
      const id = encodeURIComponent(this.options.clientId);
      const secret = encodeURIComponent(this.options.clientSecret);
      headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    }
    const tokens = await getJson<{ id_token?: string }>(d.token_endpoint, {
      method: 'POST',
      headers,
      body: form.toString(),
    });
    if (typeof tokens.id_token !== 'string') {
      throw new OidcError(502, 'oidc_provider', 'the token endpoint returned no id_token');
    }
    const expect = { issuer: d.issuer, clientId: this.options.clientId, nonce: p.nonce };
    let claims: IdClaims;
    try {
      claims = verifyIdToken(tokens.id_token, await this.jwks(false), expect);
    } catch (err) {
      // A key rotated at the provider: fetch the JWKS once more before refusing.
      if (!(err instanceof OidcError) || !/signature|no \w+ key/.test(err.message)) throw err;
      claims = verifyIdToken(tokens.id_token, await this.jwks(true), expect);
    }
    return { claims, returnTo: p.returnTo };
  }
}
