// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userStatements } from '../../src/entities/user-store.js';
import { seedFixtureLists } from '../screening/helpers.js';
import { type Harness, RESULTS, startHarness } from './harness.js';

/**
 * "Add what you know" in a real browser (Debian Chromium via playwright-core) against the real server, over the
 * real UN and OFAC entries of the screening fixture: create a company from the Search page, link it as 60 % owned
 * by the UN-listed OFFICE 39 picked by search, see the link on the entity page and the path in the network.
 */

let h: Harness;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness(seedFixtureLists);
  page = h.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 420_000);

afterAll(async () => {
  await h?.close();
});

describe('user entities and links in the web app', () => {
  it('creates a company, links it as owned by a listed organisation, and shows the link and the path', async () => {
    await page.goto(`${h.base}/search`);
    await page.getByTestId('page-search').waitFor();
    await page.getByTestId('new-entity').click();
    await page.getByTestId('new-entity-schema').selectOption('Company');
    await page.getByTestId('new-entity-name').fill('Haegeumgang Trading Front Ltd');
    await page.getByTestId('new-entity-country').fill('KP');
    await page.getByTestId('new-entity-identifier').fill('HK-2291-77');
    await page.getByTestId('new-entity-notes').fill('Named in a shipping agent’s invoices');
    await page.getByTestId('new-entity-submit').click();
    await page.waitForURL(/\/entity\/user-[0-9a-f]{20}$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByTestId('page-entity').waitFor();
    expect(await page.getByTestId('entity-caption').innerText()).toBe('Haegeumgang Trading Front Ltd');
    const props = await page.getByTestId('properties').innerText();
    expect(props).toMatch(/registrationNumber\s+HK-2291-77\s+user/);
    expect(props).toMatch(/country\s+kp\s+user/);
    expect(props).toContain('user:local@');

    await page.getByTestId('link-type').selectOption('owned_by');
    await page.getByTestId('link-search').fill('OFFICE 39');
    await page.getByTestId('link-search-button').click();
    await page.getByTestId('link-candidates').waitFor();
    // OFAC and the UN both list an OFFICE 39 (not merged: OFAC's entry carries no UN reference): pick the UN's.
    await page.locator('[data-testid=pick-target][data-id="un-kpe-030"]').click();
    expect(await page.getByTestId('link-target').innerText()).toContain('OFFICE 39');
    await page.getByTestId('link-percentage').fill('60');
    await page.getByTestId('link-start').fill('2019-03');
    await page.getByTestId('add-link-submit').click();
    await page.getByTestId('link-message').waitFor();
    expect(await page.getByTestId('link-message').innerText()).toBe('Added: is owned by OFFICE 39.');
    const userLink = page.getByTestId('user-link');
    await userLink.first().waitFor();
    expect(await userLink.first().innerText()).toMatch(
      /^is owned by OFFICE 39 un-kpe-030 \(60 %\) since 2019-03 by local, /,
    );
    await page.getByTestId('links').waitFor();
    expect(await page.getByTestId('links').innerText()).toContain('← Ownership OFFICE 39');
    await page.screenshot({ path: path.join(RESULTS, 'user-entities-01-entity.png'), fullPage: true });

    const stored = await userStatements(h.store);
    const ownership = stored.filter((s) => s.schema === 'Ownership');
    expect(ownership.map((s) => [s.prop, s.value]).sort()).toEqual([
      ['asset', id],
      ['owner', 'un-kpe-030'],
      ['percentage', '60'],
      ['startDate', '2019-03'],
    ]);

    await page.goto(`${h.base}/network?from=${encodeURIComponent(id)}&to=un-kpe-030`);
    await page.getByTestId('path-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('path-result').innerText()).toBe(
      'Path of 1 hop(s): Haegeumgang Trading Front Ltd → OFFICE 39',
    );
    await page.screenshot({ path: path.join(RESULTS, 'user-entities-02-network.png'), fullPage: true });

    // Removing the link from the entity page takes it out of the user dataset.
    await page.goto(`${h.base}/entity/${encodeURIComponent(id)}`);
    await page.getByTestId('remove-link').click();
    await page.getByText('No link added by a user yet.').waitFor();
    expect((await userStatements(h.store)).some((s) => s.schema === 'Ownership')).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
