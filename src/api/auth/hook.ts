import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit, MAX_AUDIT_DOC_CHARS } from '../../auth/audit.js';
import { assertCaseVisible, caseShares } from '../../auth/case-access.js';
import { type AuthOptions, isLoopback, LOOPBACK_NAMES } from '../../auth/config.js';
import { getGroup } from '../../auth/groups.js';
import { sessionLookup } from '../../auth/sessions.js';
import { tokenLookup } from '../../auth/tokens.js';
import { getUser, parseRole } from '../../auth/users.js';
import { getCase } from '../../cases/cases.js';
import type { Store } from '../../store/store.js';
import { CSRF_HEADER, parseCookies, SESSION_COOKIE } from './cookies.js';
import { SlotQueue, windowCounter } from './limits.js';
import {
  allows,
  effectiveRole,
  HEAVY_QUEUE,
  HEAVY_RATE,
  HEAVY_ROUTES,
  isSafeMethod,
  READ_POSTS,
  requiredLevel,
  SAVE_POSTS,
} from './policy.js';
import { LOCAL_PRINCIPAL, type Principal } from './types.js';

/**
 * The server's guard, installed on the root instance before any route: security headers, Host check, sign-in
 * (session cookie or API token), role per route, CSRF on state-changing requests, caps on heavy routes, case
 * visibility (404 for a case not shared with you) and the audit trail of every write.
 */

/** Content-Security-Policy for the UI and reports: no inline or foreign scripts, no framing. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Principals resolved from a secret, for a short time: keeps auth well under 0.2 ms per request. */
const CACHE_TTL_MS = 2000;
const CACHE_MAX = 10_000;
const cache = new Map<string, { p: Principal | null; exp: number }>();

/** Forget cached principals (after logout, revocation, a role or password change, a disabled user). */
export function clearAuthCache(): void {
  cache.clear();
}

function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.status(status).send({ error, message });
}

async function resolvePrincipal(store: Store, req: FastifyRequest): Promise<Principal | null> {
  const authz = req.headers.authorization;
  let secret: string | undefined;
  let kind: 'token' | 'session' | undefined;
  if (authz?.startsWith('Bearer ')) {
    secret = authz.slice(7).trim();
    kind = 'token';
  } else {
    const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (sid) {
      secret = sid;
      kind = 'session';
    }
  }
  if (!secret || !kind) return null;
  const key = `${kind}:${secret}`;
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && hit.exp > now) return hit.p;
  let p: Principal | null = null;
  if (kind === 'token') {
    const t = secret.startsWith('wk_') ? await tokenLookup(store.db, secret) : null;
    if (t && !t.disabled) {
      p = {
        userId: t.token.userId,
        username: t.username,
        role: parseRole(t.role),
        via: 'token',
        scope: t.token.scope,
        tokenId: t.token.id,
      };
    }
  } else {
    const s = await sessionLookup(store.db, secret);
    if (s && !s.disabled) {
      p = { userId: s.userId, username: s.username, role: parseRole(s.role), via: 'session', csrf: s.csrf };
    }
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, { p, exp: now + CACHE_TTL_MS });
  return p;
}

/** The state of a resource before an edit, for the audit trail. */
type BeforeLoader = (store: Store, params: Record<string, string>) => Promise<unknown>;
const BEFORE: Record<string, BeforeLoader> = {
  'PATCH /cases/:id': (s, p) => getCase(s, p.id!),
  'DELETE /cases/:id': (s, p) => getCase(s, p.id!),
  'POST /cases/:id/items': async (s, p) => (await getCase(s, p.id!)).items,
  'DELETE /cases/:id/items/:itemId': async (s, p) =>
    (await getCase(s, p.id!)).items.find((i) => i.id === p.itemId) ?? null,
  'DELETE /watchlist/:id': async (s, p) =>
    (await s.db.query('SELECT * FROM watchlist WHERE id = $1', [p.id!]))[0] ?? null,
  'PATCH /users/:id': (s, p) => getUser(s.db, p.id!),
  'DELETE /auth/tokens/:id': async (s, p) =>
    (
      await s.db.query('SELECT id, user_id, name, scope, created_at, revoked_at FROM api_tokens WHERE id = $1', [p.id!])
    )[0] ?? null,
  'DELETE /cases/:id/shares/:userId': async (s, p) =>
    (await s.db.query('SELECT * FROM case_access WHERE case_id = $1', [p.id!])) ?? null,
  'POST /cases/:id/shares': async (s, p) =>
    (await s.db.query('SELECT * FROM case_access WHERE case_id = $1', [p.id!])) ?? null,
  'POST /cases/:id/group-shares': (s, p) => caseShares(s.db, p.id!),
  'DELETE /cases/:id/group-shares/:groupId': (s, p) => caseShares(s.db, p.id!),
  'DELETE /groups/:id': (s, p) => getGroup(s.db, p.id!),
  'POST /groups/:id/members': (s, p) => getGroup(s.db, p.id!),
  'DELETE /groups/:id/members/:userId': (s, p) => getGroup(s.db, p.id!),
};

/** Responses never echo these into the audit trail. */
const SECRET_KEYS = new Set(['password', 'token', 'csrfToken', 'password_hash', 'token_hash']);

function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : redact(x)]),
    );
  }
  return v;
}

function jsonOrNull(payload: unknown): unknown {
  if (typeof payload !== 'string' || payload.length === 0) return null;
  // A big reply is not parsed only to be cut: the trail keeps its size and head.
  if (payload.length > MAX_AUDIT_DOC_CHARS)
    return { truncated: true, chars: payload.length, head: payload.slice(0, 1024) };
  try {
    return JSON.parse(payload);
  } catch {
    return null;
  }
}

/** undefined without an Origin header; otherwise whether it names this server (as the Host header does). */
function isSameOrigin(req: FastifyRequest): boolean | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  try {
    const o = new URL(origin);
    return o.host === new URL(`${o.protocol}//${req.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

export function installAuth(app: FastifyInstance, store: Store, auth: AuthOptions, boundHost?: string): void {
  const allowed = new Set<string>([...LOOPBACK_NAMES, ...(auth.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  if (boundHost && !['0.0.0.0', '::', ''].includes(boundHost)) allowed.add(boundHost.toLowerCase());
  // Without auth the server only answers loopback names: a hostile page cannot reach it by DNS rebinding. With
  // auth and no configured names, any Host is answered (the names are then the operator's business).
  const checkHost = !allowed.has('*') && (!auth.enabled || (auth.allowedHosts?.length ?? 0) > 0);
  const heavySlots = new SlotQueue(HEAVY_QUEUE);
  // Shared by every server process on a PostgreSQL store; the slots bound this process's Chromium and CPU.
  const heavyRate = windowCounter(store.db, 'heavy', HEAVY_RATE.limit, HEAVY_RATE.windowMs);

  app.decorateRequest('principal', null);
  app.decorateRequest('auditBefore', null);

  app.addHook('onRequest', async (req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    // Served over TLS (--tls-cert): browsers must keep to HTTPS for this host.
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    const url = req.routeOptions.url;
    const isDocs = url?.startsWith('/docs') ?? false;
    if (!isDocs) reply.header('content-security-policy', CSP);

    if (checkHost) {
      const name = hostName(req.headers.host ?? '');
      if (!allowed.has(name) && !isLoopback(name)) {
        return refuse(
          reply,
          403,
          'forbidden_host',
          `this server does not answer to host "${name}"; add it to WATCHKEEPER_ALLOWED_HOSTS`,
        );
      }
    }

    const method = req.method.toUpperCase();
    const schema = req.routeOptions.schema as { hide?: boolean } | undefined;
    // The UI's source maps are build artefacts for developers, not for every client (3 MB of source).
    if (!auth.sourceMaps && url?.endsWith('.map') && isSafeMethod(method)) {
      return refuse(reply, 404, 'not_found', `no route for ${req.method} ${req.url}`);
    }
    const level = requiredLevel(method, url, req.routeOptions.config?.auth, schema?.hide === true);

    // A browser request from another site never changes anything, signed in or not.
    const origin = req.headers.origin;
    const sameOrigin = isSameOrigin(req);
    // Compute-only POSTs (reconciliation, screening) are open to other origins: OpenRefine and notebooks call them
    // cross-site, and they change nothing (with `save: true` they do, so those are refused like any write).
    // (With save: true they are writes: refused cross-site in preHandler, where the body is parsed.)
    const crossSiteOk = url !== undefined && READ_POSTS.has(`${method} ${url}`);
    if (!isSafeMethod(method) && sameOrigin === false && !crossSiteOk) {
      return refuse(reply, 403, 'csrf', `cross-site request refused (Origin ${origin} is not this server)`);
    }

    const p = auth.enabled ? await resolvePrincipal(store, req) : LOCAL_PRINCIPAL;
    req.principal = p;
    if (level !== 'public') {
      if (!p) {
        reply.header('www-authenticate', 'Bearer realm="watchkeeper"');
        return refuse(
          reply,
          401,
          'unauthorized',
          'sign in first (POST /auth/login) or send an API token (Authorization: Bearer <token>)',
        );
      }
      if (!allows(p, level)) {
        return refuse(
          reply,
          403,
          'forbidden',
          `this needs the ${level} role; you act as ${effectiveRole(p)}${p.via === 'token' ? ` (a ${p.scope} token)` : ''}`,
        );
      }
    }
    // Cookie-authenticated changes need the CSRF token or a same-origin browser request.
    if (p?.via === 'session' && !isSafeMethod(method) && sameOrigin !== true) {
      if (req.headers[CSRF_HEADER] !== p.csrf) {
        return refuse(reply, 403, 'csrf', `missing or wrong ${CSRF_HEADER} header (the value of the wk_csrf cookie)`);
      }
    }

    const heavyKey = url ? `${method} ${url}` : '';
    const cap = HEAVY_ROUTES[heavyKey];
    if (cap !== undefined) {
      // Per client first (a user, or an address without auth), then the route's slots with their short queue.
      const client = p?.userId ?? req.ip;
      const waitMs = await heavyRate.take(client);
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        return refuse(
          reply,
          429,
          'too_many_requests',
          `at most ${HEAVY_RATE.limit} reports, bundles and decodes a minute per client; retry in ${Math.ceil(waitMs / 1000)} s`,
        );
      }
      const gone = new AbortController();
      const onClose = () => gone.abort();
      req.raw.once('close', onClose);
      const release = await heavySlots.acquire(heavyKey, cap, gone.signal);
      req.raw.off('close', onClose);
      if (!release) {
        reply.header('retry-after', '5');
        return refuse(
          reply,
          429,
          'too_many_requests',
          `at most ${cap} of these run at once and ${heavySlots.maxQueued} wait; retry in a few seconds`,
        );
      }
      reply.raw.once('close', release);
      reply.raw.once('finish', release);
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    const url = req.routeOptions.url;
    if (!url) return;
    const params = (req.params ?? {}) as Record<string, string>;
    // A case nobody shared with you does not exist for you.
    if (url.startsWith('/cases/:id') && params.id !== undefined) {
      await assertCaseVisible(store.db, req.principal, params.id);
    }
    const method = req.method.toUpperCase();
    const key = `${method} ${url}`;
    const p = req.principal;
    const saving = SAVE_POSTS.has(key) && (req.body as { save?: unknown } | undefined)?.save === true;
    if (saving && isSameOrigin(req) === false) {
      return refuse(reply, 403, 'csrf', `cross-site request refused (Origin ${req.headers.origin} is not this server)`);
    }
    if (
      p &&
      SAVE_POSTS.has(key) &&
      (req.body as { save?: unknown } | undefined)?.save === true &&
      !allows(p, 'analyst')
    ) {
      return refuse(
        reply,
        403,
        'forbidden',
        'saving findings needs the analyst role; send save: false to only compute',
      );
    }
    const loader = BEFORE[key];
    if (loader) req.auditBefore = await loader(store, params).catch(() => null);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const url = req.routeOptions.url;
    const method = req.method.toUpperCase();
    if (!url || isSafeMethod(method)) return payload;
    // Compute-only POSTs (decode, screen, match) change nothing: not audited unless they saved findings.
    const key = `${method} ${url}`;
    const saved = SAVE_POSTS.has(key) && (req.body as { save?: unknown } | undefined)?.save === true;
    if (READ_POSTS.has(key) && !saved && reply.statusCode < 400) return payload;
    const p = req.principal;
    const ok = reply.statusCode < 400;
    try {
      await appendAudit(store.db, {
        userId: p?.userId ?? null,
        username: p?.username ?? 'anonymous',
        via: p?.via ?? 'none',
        method,
        route: url,
        path: req.url,
        operation: (req.routeOptions.schema as { operationId?: string } | undefined)?.operationId ?? null,
        status: reply.statusCode,
        ip: req.ip ?? null,
        userAgent: req.headers['user-agent'] ?? null,
        before: ok ? redact(req.auditBefore) : null,
        after: ok ? redact(jsonOrNull(payload)) : null,
        // Case writes name the case log entry they made (src/api/routes/cases.ts sets the header).
        chainHash: ok ? ((reply.getHeader('x-case-log-hash') as string | undefined) ?? null) : null,
      });
    } catch (err) {
      // The trail must not lose writes silently: log loudly. (A failing store fails the write route itself too.)
      req.log.error({ err }, 'audit trail write failed');
    }
    return payload;
  });
}
