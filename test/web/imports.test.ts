// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, RESULTS, startHarness } from './harness.js';

/**
 * The Imports page in a real browser (Debian Chromium via playwright-core) against the real server: an NMEA
 * capture (test/fixtures/ais/uscg-nais.nmea) chosen in the form is uploaded with XMLHttpRequest as a multipart
 * form, becomes an import job that the page follows to its end, shows the job's position count, and appears in
 * the recent jobs; the positions are in the store.
 */

const NMEA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ais/uscg-nais.nmea');

let h: Harness;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness(async () => undefined);
  page = h.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 420_000);

afterAll(async () => {
  await h?.close();
});

describe('the Imports page', () => {
  it('uploads an NMEA file, follows its job to the end and lists it with its position count', async () => {
    await page.goto(`${h.base}/import`);
    await page.getByTestId('import-form').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('empty').innerText()).toBe('No imports yet.');
    await page.getByTestId('import-kind').selectOption('ais');
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
});
