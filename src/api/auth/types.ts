import type { Role } from '../../auth/users.js';

/** Who a request acts as. In local mode every request is the single local user, with every right. */
export interface Principal {
  userId: string | null;
  username: string;
  role: Role;
  via: 'local' | 'session' | 'token';
  /** API tokens only. */
  scope?: 'read' | 'write';
  tokenId?: string;
  /** Sessions only: the CSRF token bound to the session. */
  csrf?: string;
}

/** What a route requires: `public` (no sign-in), or the weakest role that may call it. */
export type AccessLevel = 'public' | Role;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    auditBefore: unknown;
  }
  interface FastifyContextConfig {
    /** Override the access level derived from the method (GET: viewer; other methods: analyst). */
    auth?: AccessLevel;
  }
}

export const LOCAL_PRINCIPAL: Principal = { userId: null, username: 'local', role: 'admin', via: 'local' };
