import type { Role } from '../../auth/users.js';
import { roleRank } from '../../auth/users.js';
import type { AccessLevel, Principal } from './types.js';

/**
 * Which role a route needs. Declared in route config (`config: {auth: 'admin'}`) or derived: reads (GET/HEAD) need
 * a viewer, writes an analyst. POST routes that only compute (screening, decoding, reconciliation) are reads; the
 * ones below that store findings when their body says `save: true` need an analyst for that.
 */
export const READ_POSTS = new Set([
  'POST /match/:dataset',
  'POST /reconcile/:dataset',
  'POST /ais/decode',
  'POST /cargo/cap',
  'POST /crypto/screen',
  'POST /crypto/trace',
  'POST /crypto/exposure/:address',
]);

/** POST reads that write when the body has `save: true`. */
export const SAVE_POSTS = new Set(['POST /crypto/screen', 'POST /crypto/trace', 'POST /crypto/exposure/:address']);

/** Routes anyone may call: liveness and readiness for load balancers. */
export const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /readyz', 'HEAD /healthz', 'HEAD /readyz']);

/**
 * Heavy routes and how many may run at once (each PDF starts Chromium; AIS decoding of a big body multiplies
 * memory). Beyond that a request waits in a short queue (HEAVY_QUEUE); when the queue is full or the wait too
 * long, the server answers 429 with Retry-After instead of falling over.
 */
export const HEAVY_ROUTES: Record<string, number> = {
  'GET /cases/:id/report.pdf': 2,
  'GET /cases/:id/bundle': 2,
  'POST /ais/decode': 2,
};

/** Requests beyond a heavy route's cap wait in line: at most this many per route, each at most this long. */
export const HEAVY_QUEUE = { maxQueued: 8, maxWaitMs: 30_000 };

/** Heavy requests one client (a user, or an address without auth) may start per window, over all heavy routes. */
export const HEAVY_RATE = { limit: 30, windowMs: 60_000 };

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

export function requiredLevel(
  method: string,
  url: string | undefined,
  declared: AccessLevel | undefined,
  hidden: boolean,
): AccessLevel {
  if (declared) return declared;
  if (url === undefined) return 'public'; // no such route: the 404 handler answers
  const key = `${method} ${url}`;
  if (PUBLIC_ROUTES.has(key)) return 'public';
  // Hidden GET routes are the web UI shell, its assets and the API docs: no data in them.
  if (hidden && isSafeMethod(method)) return 'public';
  if (isSafeMethod(method) || READ_POSTS.has(key)) return 'viewer';
  return 'analyst';
}

/** The role a principal acts with: a read token is a viewer, a write token at most an analyst. */
export function effectiveRole(p: Principal): Role {
  if (p.via !== 'token') return p.role;
  if (p.scope === 'read') return 'viewer';
  return roleRank(p.role) > roleRank('analyst') ? 'analyst' : p.role;
}

export function allows(p: Principal, level: AccessLevel): boolean {
  if (level === 'public') return true;
  return roleRank(effectiveRole(p)) >= roleRank(level);
}
