import {
  createHash,
  createSign,
  sign as cryptoSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenID Connect provider for tests (node:http + node:crypto): discovery, an authorize endpoint that signs
 * the user in at once and redirects back with a code, a token endpoint that checks the client secret and the PKCE
 * verifier and returns an id_token signed RS256 (or ES256: `alg`), and the JWKS. `next` bends the next id_token: claims added or replaced,
 * signed with a key not in the JWKS, for another audience, or already expired.
 */

export interface Tamper {
  claims?: Record<string, unknown>;
  /** Sign with a key that is not in the JWKS (same kid). */
  foreignKey?: boolean;
  audience?: string;
  /** Seconds since expiry (an expired token). */
  expiredFor?: number;
}

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claims of the user who signs in (sub, email, groups ...). */
  user: Record<string, unknown>;
  next: Tamper | null;
  /** Codes exchanged, for asserting single use. */
  tokenRequests: number;
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  nonce: string;
  challenge: string;
  used: boolean;
}

/** Signing algorithms the provider can use: RS256 (default) and ES256 (P-256, the JWS raw r||s signature). */
export type ProviderAlg = 'RS256' | 'ES256';

function keyPair(alg: ProviderAlg) {
  return alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function sign(payload: object, key: KeyObject, kid: string, alg: ProviderAlg): string {
  const h = Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid })).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const data = Buffer.from(`${h}.${p}`);
  const s =
    alg === 'ES256'
      ? cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
      : createSign('RSA-SHA256').update(data).sign(key).toString('base64url');
  return `${h}.${p}.${s}`;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startOidcProvider(
  opts: { clientId?: string; clientSecret?: string; alg?: ProviderAlg } = {},
): Promise<OidcProvider> {
  const alg = opts.alg ?? 'RS256';
  const { privateKey, publicKey } = keyPair(alg);
  const foreign = keyPair(alg).privateKey;
  const kid = 'test-key-1';
  const grants = new Map<string, Grant>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider: OidcProvider = {
    issuer,
    clientId: opts.clientId ?? 'watchkeeper',
    clientSecret: opts.clientSecret ?? 'test-client-secret',
    user: { sub: 'user-1', email: 'ines@example.org', email_verified: true, preferred_username: 'ines' },
    next: null,
    tokenRequests: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [alg],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') {
      return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }] });
    }
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== provider.clientId || q.get('response_type') !== 'code') {
        return json(res, 400, { error: 'invalid_request' });
      }
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('nonce')) {
        return json(res, 400, { error: 'invalid_request', error_description: 'PKCE S256 and a nonce are required' });
      }
      if (!(q.get('scope') ?? '').split(' ').includes('openid')) return json(res, 400, { error: 'invalid_scope' });
      const code = randomBytes(16).toString('hex');
      grants.set(code, {
        clientId: provider.clientId,
        redirectUri: q.get('redirect_uri') ?? '',
        nonce: q.get('nonce') ?? '',
        challenge: q.get('code_challenge') ?? '',
        used: false,
      });
      const back = new URL(q.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        provider.tokenRequests++;
        const f = new URLSearchParams(body);
        const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
        if (basic !== `${provider.clientId}:${provider.clientSecret}`)
          return json(res, 401, { error: 'invalid_client' });
        const g = grants.get(f.get('code') ?? '');
        if (!g || g.used || f.get('grant_type') !== 'authorization_code' || f.get('redirect_uri') !== g.redirectUri) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        const challenge = createHash('sha256')
          .update(f.get('code_verifier') ?? '')
          .digest('base64url');
        if (challenge !== g.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
        g.used = true;
        const t = provider.next ?? {};
        provider.next = null;
        const now = Math.floor(Date.now() / 1000);
        const exp = t.expiredFor !== undefined ? now - t.expiredFor : now + 300;
        const claims = {
          iss: issuer,
          aud: t.audience ?? g.clientId,
          iat: exp - 300,
          exp,
          nonce: g.nonce,
          ...provider.user,
          ...t.claims,
        };
        const idToken = sign(claims, t.foreignKey ? foreign : privateKey, kid, alg);
        return json(res, 200, {
          access_token: randomBytes(16).toString('hex'),
          token_type: 'Bearer',
          id_token: idToken,
        });
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  });
  return provider;
}
