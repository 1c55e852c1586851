import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAuthCache } from '../../src/api/auth/hook.js';
import { buildServer } from '../../src/api/server.js';
import { oidcOptionsFromEnv } from '../../src/auth/config.js';
import { createUser } from '../../src/auth/users.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../src/cases/pdf.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { type OidcProvider, startOidcProvider } from '../support/oidc-provider.js';
import { ensureWebBuilt } from './harness.js';

/**
 * The SPA's sign-in with auth on, in Debian's Chromium: a wrong password shows an error, the right one lands on the
 * page asked for (not the overview), the user menu names the user and role, a viewer sees no write buttons, and
 * signing out brings the form back. Then "Sign in with <provider>" through a local OIDC provider on another site
 * (127.0.0.1 against the app's localhost), back to the page asked for.
 */

const PW = 'correct horse battery';
let dir: string;
let store: Store;
let app: FastifyInstance;
let base: string;
let browser: BrowserContext;
let page: Page;
let idp: OidcProvider;
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureWebBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-login-'));
  store = await openStore({ url: path.join(dir, 'login.duckdb') });
  await createUser(store.db, { username: 'ana', password: PW, role: 'analyst' });
  await createUser(store.db, { username: 'vic', password: PW, role: 'viewer' });
  idp = await startOidcProvider();
  // The callback URL names the port, so pick a free one first.
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  base = `http://localhost:${port}`;
  const oidc = oidcOptionsFromEnv({
    WATCHKEEPER_OIDC_ISSUER: idp.issuer,
    WATCHKEEPER_OIDC_CLIENT_ID: idp.clientId,
    WATCHKEEPER_OIDC_CLIENT_SECRET: idp.clientSecret,
    WATCHKEEPER_OIDC_REDIRECT_URL: `${base}/auth/oidc/callback`,
    WATCHKEEPER_OIDC_NAME: 'Example IdP',
    WATCHKEEPER_OIDC_ROLE_MAP: 'wk-analysts=analyst',
  });
  app = await buildServer({ store, logLevel: false, auth: { enabled: true, oidc } });
  await app.listen({ host: '127.0.0.1', port });
  browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 420_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await app?.close();
  await store?.close();
  await idp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function signIn(username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

describe('signing in to the web app', () => {
  it('refuses a wrong password, lands on the page asked for, hides writes from a viewer, signs out', async () => {
    await page.goto(`${base}/case`);
    await page.getByTestId('page-login').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('page-cases').count()).toBe(0);

    await signIn('ana', 'not the password');
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('Wrong user name or password');

    await signIn('ana', PW);
    await page.getByTestId('page-cases').waitFor();
    expect(new URL(page.url()).pathname).toBe('/case');
    expect(await page.getByTestId('user-name').textContent()).toBe('ana');
    expect(await page.getByTestId('user-role').textContent()).toContain('analyst');
    expect(await page.getByTestId('create-case').isVisible()).toBe(true);
    // The session cookie is HttpOnly: the page cannot read it, only the CSRF cookie.
    const visible = await page.evaluate(() => document.cookie);
    expect(visible).toContain('wk_csrf=');
    expect(visible).not.toContain('wk_session=');

    // A change from the page carries the CSRF token and is accepted.
    await page.getByTestId('case-title').fill('Signed-in case');
    await page.getByTestId('create-case').click();
    await page.waitForURL(/\/case\/.+/);
    const made = await store.db.query('SELECT count(*)::INTEGER AS n FROM cases');
    expect(Number(made[0]!.n)).toBe(1);

    await page.getByTestId('sign-out').click();
    await page.getByTestId('page-login').waitFor();
    const me = await page.evaluate(async () => (await fetch('/auth/me')).json());
    expect(me).toMatchObject({ authEnabled: true, user: null });

    await page.goto(`${base}/case`);
    await signIn('vic', PW);
    await page.getByTestId('page-cases').waitFor();
    expect(await page.getByTestId('user-role').textContent()).toContain('viewer');
    expect(await page.getByTestId('create-case').isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('signs in with the OIDC provider from the form and lands on the page asked for', async () => {
    idp.user = {
      sub: 'sub-ola',
      email: 'ola@example.org',
      email_verified: true,
      preferred_username: 'ola',
      groups: ['wk-analysts'],
    };
    await browser.clearCookies(); // the viewer of the test before
    await page.goto(`${base}/watch`);
    await page.getByTestId('page-login').waitFor({ timeout: 60_000 });
    const button = page.getByTestId('login-oidc');
    expect(await button.textContent()).toBe('Sign in with Example IdP');
    await button.click();
    await page.getByTestId('page-watch').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/watch');
    expect(await page.getByTestId('user-name').textContent()).toBe('ola');
    expect(await page.getByTestId('user-role').textContent()).toContain('analyst');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('brings the form back when the session ends while in use, then goes on where the user was', async () => {
    await browser.clearCookies();
    await page.goto(`${base}/case`);
    await signIn('ana', PW);
    await page.getByTestId('page-cases').waitFor();
    // The session ends on the server (expired or revoked): the next call gets a 401.
    await store.db.query('DELETE FROM sessions');
    clearAuthCache();
    await page.getByRole('link', { name: 'Watchlist & alerts' }).click();
    await page.getByTestId('login-expired').waitFor();
    expect(new URL(page.url()).pathname).toBe('/watch');
    await signIn('ana', PW);
    await page.getByTestId('page-watch').waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
