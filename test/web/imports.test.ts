// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createUser } from '../../src/auth/users.js';
import { importJobRunner } from '../../src/imports/jobs.js';
import { type Harness, RESULTS, startHarness } from './harness.js';

/**
 * The Imports page in a real browser (Debian Chromium via playwright-core) against the real server: an NMEA
 * capture (test/fixtures/ais/uscg-nais.nmea) chosen in the form is uploaded with XMLHttpRequest as a multipart
 * form, becomes an import job that the page follows to its end, shows the job's position count, and appears in
 * the recent jobs; the positions are in the store. Then, on a second server over the same store with auth on: a
 * viewer gets a note and no form, a signed-in analyst uploads (XMLHttpRequest with the session) and sees her jobs.
 */

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ais');
const NMEA = path.join(FIXTURES, 'uscg-nais.nmea');
const PW = 'correct horse battery';

let h: Harness;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness(async () => undefined);
  page = h.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 420_000);

let authApp: FastifyInstance | undefined;

afterAll(async () => {
  await authApp?.close();
  await h?.close();
});

async function signIn(username: string): Promise<void> {
  await page.getByTestId('page-login').waitFor({ timeout: 30_000 });
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PW);
  await page.getByTestId('login-submit').click();
}

describe('the Imports page', () => {
  it('uploads an NMEA file, follows its job to the end and lists it with its position count', async () => {
    await page.goto(`${h.base}/import`);
    await page.getByTestId('import-form').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('empty').innerText()).toBe('No imports yet.');
    // Lists take several files, dropped or chosen: OFAC's set, each labelled with the OFAC file its name says.
    await page.getByTestId('import-drop').evaluate((el) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['36,"AEROCARIBBEAN AIRLINES",-0- \r\n'], 'SDN.CSV'));
      dt.items.add(new File(['36,12,"aka","AERO-CARIBBEAN",-0- \r\n'], 'alt.csv'));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    const chosen = page.getByTestId('import-chosen').locator('li');
    await chosen.nth(1).waitFor();
    expect(await chosen.allInnerTexts()).toEqual([
      expect.stringMatching(/^SDN\.CSV \(\d+ B\)/),
      expect.stringMatching(/^alt\.csv \(\d+ B\)/),
    ]);
    expect(await chosen.locator('select').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value))).toEqual(
      ['sdn', 'alt'],
    );

    // AIS takes one file: switching the kind clears the choice.
    await page.getByTestId('import-kind').selectOption('ais');
    expect(await page.getByTestId('import-chosen').count()).toBe(0);
    await page.getByTestId('import-files').setInputFiles(NMEA);
    expect(await page.getByTestId('import-chosen').innerText()).toMatch(/^uscg-nais\.nmea \(1 KB\)/);
    await page.getByTestId('import-upload').click();

    const job = page.locator('[data-testid=import-job][data-state=done]');
    await job.waitFor({ timeout: 30_000 });
    expect(await job.getByTestId('import-result').innerText()).toBe('Imported: 4 positions, 4 vessels.');
    expect(await job.innerText()).toContain('AIS positions: uscg-nais.nmea');
    const row = page.locator('[data-testid=import-job-row][data-state=done]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/AIS positions\s+uscg-nais\.nmea .*\s+local\s+done\s+4 positions, 4 vessels/);
    await page.screenshot({ path: path.join(RESULTS, 'imports-01-done.png'), fullPage: true });

    const n = await h.store.db.query('SELECT count(*) AS n FROM positions');
    expect(Number(n[0]?.n)).toBe(4);
    // The upload went to this server's import route, as a form.
    expect(h.requests.filter((u) => u.startsWith(`${h.base}/imports/ais`))).toHaveLength(1);
    expect(h.requests.every((u) => u.startsWith(h.base) || u.startsWith('data:'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('cancels a running job from the page: it ends cancelled and writes nothing', async () => {
    const runner = importJobRunner(h.store);
    const before = Number((await h.store.db.query('SELECT count(*) AS n FROM positions'))[0]?.n);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    // Hold the job at its first statement until the cancel has arrived.
    runner.testGate = async (id) => {
      while (!(await runner.get(id, { userId: null, username: 'local', admin: true })).cancelRequested) {
        await Promise.race([held, new Promise((r) => setTimeout(r, 20))]);
      }
    };
    try {
      await page.getByTestId('import-kind').selectOption('ais');
      await page.getByLabel('Start time').fill('2024-05-01T00:00:00Z');
      await page.getByTestId('import-files').setInputFiles(path.join(FIXTURES, 'synthetic.nmea'));
      await page.getByTestId('import-upload').click();
      await page.locator('[data-testid=import-job][data-state=running]').waitFor({ timeout: 30_000 });
      await page.getByTestId('import-cancel').click();
      const job = page.locator('[data-testid=import-job][data-state=cancelled]');
      await job.waitFor({ timeout: 30_000 });
      expect(await job.getByTestId('import-cancelled').innerText()).toBe('Cancelled; nothing was written.');
    } finally {
      release();
      runner.testGate = null;
    }
    expect(Number((await h.store.db.query('SELECT count(*) AS n FROM positions'))[0]?.n)).toBe(before);
    await page.locator('[data-testid=import-job-row][data-state=cancelled]').waitFor();
  });

  it('with auth on: a viewer sees no form; a signed-in analyst uploads and sees only her jobs', async () => {
    await createUser(h.store.db, { username: 'ana', password: PW, role: 'analyst' });
    await createUser(h.store.db, { username: 'vic', password: PW, role: 'viewer' });
    authApp = await buildServer({ store: h.store, logLevel: false, auth: { enabled: true } });
    await authApp.listen({ host: '127.0.0.1', port: 0 });
    const addr = authApp.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    await page.goto(`${base}/import`);
    await signIn('vic');
    await page.getByTestId('imports-viewer').waitFor();
    expect(await page.getByTestId('import-form').count()).toBe(0);
    await page.getByTestId('sign-out').click();

    await signIn('ana');
    await page.getByTestId('import-form').waitFor();
    const before = Number((await h.store.db.query('SELECT count(*) AS n FROM positions'))[0]?.n);
    await page.getByTestId('import-kind').selectOption('ais');
    // synthetic.nmea has no times of its own: the start time goes with it as the startTime option.
    await page.getByLabel('Start time').fill('2024-05-01T00:00:00Z');
    await page.getByTestId('import-files').setInputFiles(path.join(FIXTURES, 'synthetic.nmea'));
    await page.getByTestId('import-upload').click();
    const job = page.locator('[data-testid=import-job][data-state=done]');
    await job.waitFor({ timeout: 30_000 });
    const added = Number((await h.store.db.query('SELECT count(*) AS n FROM positions'))[0]?.n) - before;
    expect(added).toBeGreaterThan(0);
    expect(await job.getByTestId('import-result').innerText()).toMatch(new RegExp(`^Imported: ${added} positions, `));
    // Her jobs only: the local user's job of the first test is not hers.
    const rows = page.getByTestId('import-job-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/synthetic\.nmea .*\s+ana\s+done/);
    expect(pageErrors).toEqual([]);
  });
});
