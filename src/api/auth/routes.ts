import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit, listAudit } from '../../auth/audit.js';
import { caseShares, shareCase, unshareCase } from '../../auth/case-access.js';
import type { AuthOptions } from '../../auth/config.js';
import { OidcClient, OidcError, userForClaims } from '../../auth/oidc.js';
import { dummyHash, verifyPassword } from '../../auth/password.js';
import { createSession, deleteSession, SESSION_TTL_MS } from '../../auth/sessions.js';
import { createToken, listTokens, revokeToken } from '../../auth/tokens.js';
import {
  createUser,
  findUserByName,
  getUser,
  listUsers,
  ROLES,
  setDisabled,
  setPassword,
  setRole,
} from '../../auth/users.js';
import { UserError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import { Limit, Nullable, Offset, Results, StringEnum } from '../schemas/common.js';
import { CSRF_COOKIE, OIDC_STATE_COOKIE, parseCookies, SESSION_COOKIE, serializeCookie } from './cookies.js';
import { clearAuthCache } from './hook.js';
import { windowCounter } from './limits.js';
import type { Principal } from './types.js';

/**
 * Sign-in, API tokens, users (admin), case sharing and the audit trail (admin). Every route here declares its
 * access level in `config.auth`; the guard in hook.ts enforces it.
 */

const tags = ['auth'];

export const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: StringEnum(ROLES),
  createdAt: Type.String({ format: 'date-time' }),
  disabled: Type.Boolean(),
});
export type UserView = Static<typeof UserView>;

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginReply = Type.Object({
  user: UserView,
  csrfToken: Type.String({ description: 'send it as the x-csrf-token header on changes (also in the wk_csrf cookie)' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type LoginReply = Static<typeof LoginReply>;

export const Me = Type.Object({
  authEnabled: Type.Boolean(),
  user: Nullable(Type.Object({ id: Nullable(Type.String()), username: Type.String(), role: StringEnum(ROLES) })),
  via: Nullable(StringEnum(['local', 'session', 'token'] as const)),
  oidc: Type.Optional(
    Nullable(
      Type.Object(
        { name: Type.String() },
        { description: 'OIDC sign-in when configured: the sign-in page offers "Sign in with <name>"' },
      ),
    ),
  ),
});
export type Me = Static<typeof Me>;

export const TokenView = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  scope: StringEnum(['read', 'write'] as const),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type TokenView = Static<typeof TokenView>;
export const NewTokenReply = Type.Composite([
  TokenView,
  Type.Object({ token: Type.String({ description: 'the secret: shown once, store it now' }) }),
]);
export type NewTokenReply = Static<typeof NewTokenReply>;

export const CreateTokenBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scope: StringEnum(['read', 'write'] as const) },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;
export const TokenList = Results(TokenView);
export const UserList = Results(UserView);

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    role: StringEnum(ROLES),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    role: Type.Optional(StringEnum(ROLES)),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const CaseShareView = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  access: StringEnum(['owner', 'shared'] as const),
  grantedAt: Type.String({ format: 'date-time' }),
});
export const CaseGroupShareView = Type.Object({
  groupId: Type.String(),
  name: Type.String(),
  grantedAt: Type.String({ format: 'date-time' }),
});
/** results: the users (owner first); groups: the groups the case is shared with (src/api/auth/groups.ts). */
export const CaseShares = Type.Object({ results: Type.Array(CaseShareView), groups: Type.Array(CaseGroupShareView) });
export type CaseShares = Static<typeof CaseShares>;
export const ShareBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export type ShareBody = Static<typeof ShareBody>;

export const AuditEntryView = Type.Object({
  id: Type.String(),
  ts: Type.String({ format: 'date-time' }),
  userId: Nullable(Type.String()),
  username: Type.String(),
  via: Type.String(),
  method: Type.String(),
  route: Type.String(),
  path: Type.String(),
  operation: Nullable(Type.String()),
  status: Type.Integer(),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  before: Type.Unknown({ description: 'the resource before the change (JSON), or null' }),
  after: Type.Unknown({ description: 'the reply of the change (JSON), or null' }),
  chainHash: Type.Optional(
    Nullable(Type.String({ description: 'case writes: the hash of the case log entry made (GET /cases/{id}/log)' })),
  ),
});
export const AuditList = Type.Object({ total: Type.Integer(), results: Type.Array(AuditEntryView) });
export type AuditList = Static<typeof AuditList>;
export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Limit({ maximum: 10_000, default: 100 })),
    offset: Type.Optional(Offset()),
    username: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

const Ok = Type.Object({ ok: Type.Boolean() });

export const OidcLoginQuery = Type.Object(
  { returnTo: Type.Optional(Type.String({ maxLength: 2000, description: 'a path on this server to land on after' })) },
  { additionalProperties: false },
);
export type OidcLoginQuery = Static<typeof OidcLoginQuery>;
export const OidcLoginReply = Type.Object({
  url: Type.String({ description: "the provider's authorization URL (browsers get a 302 to it instead)" }),
});
export const OidcCallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 512 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type OidcCallbackQuery = Static<typeof OidcCallbackQuery>;
export const OidcCallbackReply = Type.Object({
  user: UserView,
  csrfToken: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  returnTo: Type.String({ description: 'where a browser is sent (303) after signing in' }),
});
export type OidcCallbackReply = Static<typeof OidcCallbackReply>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON clients (tests, scripts) get the redirect target in a body; browsers get the redirect. */
function wantsJson(req: FastifyRequest): boolean {
  const a = req.headers.accept ?? '';
  return a.includes('application/json') && !a.includes('text/html');
}

/** Failed sign-ins per client address and user name in a window, before 429. */
const LOGIN_WINDOW_MS = 15 * 60 * 1000;

function requireUser(p: Principal | null, what: string): Principal & { userId: string } {
  if (!p || p.userId === null) {
    throw new UserError(`${what} needs auth on (WATCHKEEPER_AUTH=on) and a signed-in user; see docs/server.md`);
  }
  return p as Principal & { userId: string };
}

export default async function authRoutes(app: FastifyInstance, opts: { store: Store; auth: AuthOptions }) {
  const { store, auth } = opts;
  const db = store.db;
  // Shared by every server process on a PostgreSQL store: N processes behind a load balancer allow what one does.
  const failures = windowCounter(db, 'login', auth.loginAttempts ?? 10, LOGIN_WINDOW_MS);

  // The sign-in form of /login posts urlencoded; only this plugin accepts that type (JSON everywhere else, so a
  // plain HTML form on another site cannot post to the API).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  // Over TLS the cookies are always Secure; otherwise WATCHKEEPER_COOKIE_SECURE, or on when not addressed by loopback.
  const cookieSecure = (req: FastifyRequest) =>
    req.protocol === 'https' ||
    (auth.secureCookies ?? (auth.enabled && !/^(localhost|127\.|\[::1\])/.test(req.hostname)));
  const oidc = auth.enabled && auth.oidc ? new OidcClient(auth.oidc, db) : null;

  /** Open a session for a signed-in user: the HttpOnly session cookie and the CSRF cookie the page reads. */
  async function startSession(req: FastifyRequest, reply: FastifyReply, user: { id: string }) {
    const s = await createSession(db, user.id);
    const secure = cookieSecure(req);
    const maxAgeS = Math.floor(SESSION_TTL_MS / 1000);
    reply.header('set-cookie', [
      serializeCookie(SESSION_COOKIE, s.id, { httpOnly: true, secure, maxAgeS }),
      serializeCookie(CSRF_COOKIE, s.csrf, { httpOnly: false, secure, maxAgeS }),
    ]);
    return s;
  }

  app.post<{ Body: LoginBody; Reply: LoginReply }>(
    '/auth/login',
    {
      config: { auth: 'public' },
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'login',
        summary: 'Sign in with a user name and password; sets the session cookie (HttpOnly, SameSite=Strict)',
        tags,
        body: LoginBody,
        response: { 200: LoginReply },
      },
    },
    async (req, reply) => {
      if (!auth.enabled) throw new UserError('auth is off (local single-user mode): there is nothing to sign in to');
      const key = `${req.ip}|${req.body.username.toLowerCase()}`;
      // Every try is counted before the password is checked (one atomic step, so concurrent tries on several
      // servers cannot slip past the limit); a successful sign-in clears the count.
      const waitMs = await failures.take(key);
      if (waitMs > 0) {
        const s = Math.ceil(waitMs / 1000);
        reply.header('retry-after', String(s));
        return reply
          .status(429)
          .send({ error: 'too_many_requests', message: `too many failed sign-ins; retry in ${s} s` } as never);
      }
      const user = await findUserByName(db, req.body.username);
      const good = await verifyPassword(req.body.password, user?.passwordHash ?? (await dummyHash()));
      if (!user || !good || user.disabled) {
        return reply.status(401).send({ error: 'unauthorized', message: 'wrong user name or password' } as never);
      }
      await failures.reset(key);
      const s = await startSession(req, reply, user);
      req.principal = { userId: user.id, username: user.username, role: user.role, via: 'session', csrf: s.csrf };
      const { passwordHash: _, ...view } = user;
      if (req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
        return reply
          .status(303)
          .header('location', '/')
          .type('text/plain')
          .send('' as never);
      }
      return { user: view, csrfToken: s.csrf, expiresAt: s.expiresAt };
    },
  );

  app.post<{ Reply: Static<typeof Ok> }>(
    '/auth/logout',
    {
      config: { auth: 'public' },
      schema: { operationId: 'logout', summary: 'End the session and clear its cookies', tags, response: { 200: Ok } },
    },
    async (req, reply) => {
      const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (sid && auth.enabled) await deleteSession(db, sid);
      clearAuthCache();
      reply.header('set-cookie', [
        serializeCookie(SESSION_COOKIE, '', { httpOnly: true, secure: cookieSecure(req), maxAgeS: 0 }),
        serializeCookie(CSRF_COOKIE, '', { httpOnly: false, secure: cookieSecure(req), maxAgeS: 0 }),
      ]);
      return { ok: true };
    },
  );

  app.get<{ Reply: Me }>(
    '/auth/me',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'whoAmI',
        summary: 'Whether auth is on and who the request acts as',
        tags,
        response: { 200: Me },
      },
    },
    async (req) => {
      const p = req.principal;
      return {
        authEnabled: auth.enabled,
        user: p ? { id: p.userId, username: p.username, role: p.role } : null,
        via: p?.via ?? null,
        ...(oidc ? { oidc: { name: oidc.name } } : {}),
      };
    },
  );

  function oidcOrRefuse(reply: FastifyReply): OidcClient | null {
    if (oidc) return oidc;
    void reply.status(404).send({
      error: 'not_found',
      message: 'OIDC sign-in is not configured (auth on and WATCHKEEPER_OIDC_ISSUER; see docs/server.md "OIDC")',
    } as never);
    return null;
  }

  /** OIDC sign-ins are GETs, which the guard does not audit: recorded here, succeeded or refused (never the code). */
  async function auditOidc(req: FastifyRequest, status: number, user: UserView | null, after: unknown) {
    await appendAudit(db, {
      userId: user?.id ?? null,
      username: user?.username ?? 'anonymous',
      via: 'oidc',
      method: 'GET',
      route: '/auth/oidc/callback',
      path: '/auth/oidc/callback',
      operation: 'oidcCallback',
      status,
      ip: req.ip ?? null,
      userAgent: req.headers['user-agent'] ?? null,
      before: null,
      after,
    });
  }

  async function oidcFailure(req: FastifyRequest, reply: FastifyReply, err: unknown): Promise<FastifyReply> {
    if (!(err instanceof OidcError)) throw err;
    if (req.routeOptions.url === '/auth/oidc/callback') {
      await auditOidc(req, err.status, null, { error: err.code, message: err.message });
    }
    return reply.status(err.status).send({ error: err.code, message: err.message } as never);
  }

  app.get<{ Querystring: OidcLoginQuery; Reply: Static<typeof OidcLoginReply> }>(
    '/auth/oidc/login',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'oidcLogin',
        summary: "Start signing in with the organisation's OpenID Connect provider (code flow with PKCE): a 302 to it",
        tags,
        querystring: OidcLoginQuery,
        response: { 200: OidcLoginReply },
      },
    },
    async (req, reply) => {
      const client = oidcOrRefuse(reply);
      if (!client) return reply;
      try {
        const { url, state } = await client.begin(req.query.returnTo);
        reply.header(
          'set-cookie',
          serializeCookie(OIDC_STATE_COOKIE, state, {
            httpOnly: true,
            secure: cookieSecure(req),
            maxAgeS: 600,
            sameSite: 'Lax',
            path: '/auth/oidc',
          }),
        );
        if (wantsJson(req)) return { url };
        return reply
          .status(302)
          .header('location', url)
          .type('text/plain')
          .send('' as never);
      } catch (err) {
        return oidcFailure(req, reply, err);
      }
    },
  );

  app.get<{ Querystring: OidcCallbackQuery; Reply: OidcCallbackReply }>(
    '/auth/oidc/callback',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'oidcCallback',
        summary: "The OpenID Connect provider's redirect back: verifies the id_token, opens a session, 303 onwards",
        tags,
        querystring: OidcCallbackQuery,
        response: { 200: OidcCallbackReply },
      },
    },
    async (req, reply) => {
      const client = oidcOrRefuse(reply);
      if (!client) return reply;
      const q = req.query;
      if (q.error) {
        return reply.status(401).send({
          error: 'oidc_denied',
          message: `the identity provider refused the sign-in: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}`,
        } as never);
      }
      if (!q.code || !q.state) throw new UserError('code and state are required (the provider adds them)');
      try {
        const browserState = parseCookies(req.headers.cookie)[OIDC_STATE_COOKIE];
        const { claims, returnTo } = await client.finish(q.code, q.state, browserState);
        const user = await userForClaims(db, client.options, claims);
        const s = await startSession(req, reply, user);
        clearAuthCache();
        req.principal = { userId: user.id, username: user.username, role: user.role, via: 'session', csrf: s.csrf };
        reply.header(
          'set-cookie',
          serializeCookie(OIDC_STATE_COOKIE, '', {
            httpOnly: true,
            secure: cookieSecure(req),
            maxAgeS: 0,
            sameSite: 'Lax',
            path: '/auth/oidc',
          }),
        );
        const json = wantsJson(req);
        await auditOidc(req, json ? 200 : 303, user, {
          user: { id: user.id, username: user.username, role: user.role },
          issuer: claims.iss,
          subject: claims.sub,
        });
        if (json) return { user, csrfToken: s.csrf, expiresAt: s.expiresAt, returnTo };
        return reply
          .status(303)
          .header('location', returnTo)
          .type('text/plain')
          .send('' as never);
      } catch (err) {
        return oidcFailure(req, reply, err);
      }
    },
  );

  app.get('/login', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in · Watchkeeper</title>' +
          '<body style="font-family:sans-serif;max-width:22rem;margin:4rem auto"><h1>Watchkeeper</h1>' +
          '<form method="post" action="/auth/login"><p><label>User name<br><input name="username" autocomplete="username" required></label></p>' +
          '<p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>' +
          '<p><button type="submit">Sign in</button></p></form>' +
          (oidc ? `<p><a href="/auth/oidc/login">Sign in with ${escapeHtml(oidc.name)}</a></p>` : '') +
          '</body></html>',
      ),
  );

  app.get<{ Reply: Static<typeof TokenList> }>(
    '/auth/tokens',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listTokens',
        summary: 'Your API tokens (never their secrets)',
        tags,
        response: { 200: TokenList },
      },
    },
    async (req) => ({ results: await listTokens(db, requireUser(req.principal, 'API tokens').userId) }),
  );

  app.post<{ Body: CreateTokenBody; Reply: NewTokenReply }>(
    '/auth/tokens',
    {
      config: { auth: 'viewer' },
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'createToken',
        summary: 'Create an API token (read or write); the secret is in this reply only',
        tags,
        body: CreateTokenBody,
        response: { 201: NewTokenReply },
      },
    },
    async (req, reply) => {
      const p = requireUser(req.principal, 'API tokens');
      if (p.via === 'token') throw new UserError('an API token cannot create tokens; sign in');
      const { token, record } = await createToken(db, p.userId, req.body);
      return reply.status(201).send({ ...record, token });
    },
  );

  app.delete<{ Params: { id: string }; Reply: TokenView }>(
    '/auth/tokens/:id',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'revokeToken',
        summary: 'Revoke an API token: it stops working at once',
        tags,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: TokenView },
      },
    },
    async (req) => {
      const p = requireUser(req.principal, 'API tokens');
      const t = await revokeToken(db, req.params.id, p.role === 'admin' && p.via === 'session' ? undefined : p.userId);
      clearAuthCache();
      return t;
    },
  );

  app.get<{ Reply: Static<typeof UserList> }>(
    '/users',
    {
      config: { auth: 'admin' },
      schema: { operationId: 'listUsers', summary: 'Users and their roles', tags, response: { 200: UserList } },
    },
    async () => ({ results: await listUsers(db) }),
  );

  app.post<{ Body: CreateUserBody; Reply: UserView }>(
    '/users',
    {
      config: { auth: 'admin' },
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'createUser',
        summary: 'Create a user',
        tags,
        body: CreateUserBody,
        response: { 201: UserView },
      },
    },
    async (req, reply) => reply.status(201).send(await createUser(db, req.body)),
  );

  app.patch<{ Params: { id: string }; Body: UpdateUserBody; Reply: UserView }>(
    '/users/:id',
    {
      config: { auth: 'admin' },
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'updateUser',
        summary: "Change a user's role, password or disabled state (ends their sessions on password change)",
        tags,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: UpdateUserBody,
        response: { 200: UserView },
      },
    },
    async (req) => {
      await getUser(db, req.params.id);
      if (req.body.role !== undefined) await setRole(db, req.params.id, req.body.role);
      if (req.body.password !== undefined) await setPassword(db, req.params.id, req.body.password);
      if (req.body.disabled !== undefined) await setDisabled(db, req.params.id, req.body.disabled);
      clearAuthCache();
      return getUser(db, req.params.id);
    },
  );

  app.get<{ Querystring: AuditQuery; Reply: AuditList }>(
    '/audit',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listAudit',
        summary: 'The audit trail of every write, newest first',
        tags,
        querystring: AuditQuery,
        response: { 200: AuditList },
      },
    },
    async (req) => (await listAudit(db, req.query)) as AuditList,
  );

  const CaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
  app.get<{ Params: { id: string }; Reply: CaseShares }>(
    '/cases/:id/shares',
    {
      schema: {
        operationId: 'listCaseShares',
        summary: 'Who sees a case: its owner, the users and the groups it is shared with',
        tags,
        params: CaseParams,
        response: { 200: CaseShares },
      },
    },
    async (req) => caseShares(db, req.params.id),
  );

  app.post<{ Params: { id: string }; Body: ShareBody; Reply: CaseShares }>(
    '/cases/:id/shares',
    {
      bodyLimit: 16 * 1024,
      schema: {
        operationId: 'shareCase',
        summary: 'Share a case with a user (owner or admin)',
        tags,
        params: CaseParams,
        body: ShareBody,
        response: { 200: CaseShares },
      },
    },
    async (req) => {
      await shareCase(db, req.principal, req.params.id, req.body.username);
      return caseShares(db, req.params.id);
    },
  );

  app.delete<{ Params: { id: string; userId: string }; Reply: CaseShares }>(
    '/cases/:id/shares/:userId',
    {
      schema: {
        operationId: 'unshareCase',
        summary: 'Stop sharing a case with a user (owner or admin)',
        tags,
        params: Type.Object({ id: Type.String({ minLength: 1 }), userId: Type.String({ minLength: 1 }) }),
        response: { 200: CaseShares },
      },
    },
    async (req) => {
      await unshareCase(db, req.principal, req.params.id, req.params.userId);
      return caseShares(db, req.params.id);
    },
  );
}
