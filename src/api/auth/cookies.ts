/** Minimal cookie parsing and serialising (the server sets two cookies; no dependency needed). */
export const SESSION_COOKIE = 'wk_session';
export const CSRF_COOKIE = 'wk_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Binds an OIDC sign-in's state to the browser that started it (Lax: it must come back on the provider's redirect). */
export const OIDC_STATE_COOKIE = 'wk_oidc';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  maxAgeS: number;
  /** Default Strict; Lax only for the OIDC state cookie, which a cross-site redirect from the provider brings back. */
  sameSite?: 'Strict' | 'Lax';
  /** Default `/`. */
  path?: string;
}

export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${o.path ?? '/'}`,
    `SameSite=${o.sameSite ?? 'Strict'}`,
    `Max-Age=${o.maxAgeS}`,
  ];
  if (o.httpOnly) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}
