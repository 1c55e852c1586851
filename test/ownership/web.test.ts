// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, RESULTS, startHarness } from '../web/harness.js';

/**
 * Who is behind the ship in a real browser (Debian Chromium via playwright-core) on the demo data: the four lists,
 * the bundled registry extract (data/ownership/registry.csv) and the simulated Yellow Sea AIS, as `watchkeeper
 * start` seeds them. The vessel page of YU JONG 2 shows its registry identity timeline (list names, former names, the simulated
 * MMSI with dates) and its owner with listing status; the owner's entity page lists the vessels it owns.
 */

let h: Harness;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness(async () => {}, { from: 'demo' });
  page = h.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 420_000);

afterAll(async () => {
  await h?.close();
});

async function open(url: string, testId: string): Promise<void> {
  await page.goto(h.base + url);
  await page.getByTestId(testId).waitFor({ timeout: 60_000 });
}

describe('ownership on the vessel and entity pages (demo data)', () => {
  it('YU JONG 2: identity timeline with sources and dates, owner listed, the 50 % rule; its owner lists it', async () => {
    const [ais] = (await h.store.db.query(
      "SELECT mmsi FROM vessel_identity WHERE imo = 8604917 AND name = 'YU JONG 2' LIMIT 1",
    )) as [{ mmsi: number }];
    await open('/vessel/ofac-23736', 'registry-identity');
    const names = await page.getByTestId('registry-names').innerText();
    expect(names).toContain('YU JONG 2');
    // Former names from the UK entry's aliases and the simulated transponder's earlier name.
    for (const n of ['Dae Hung 12', 'Ryoko', 'RYONG BONG 7']) expect(names).toContain(n);
    const identity = await page.getByTestId('registry-identity').innerText();
    const mmsiRow = identity.split('\n').find((l) => l.startsWith('MMSI') && l.includes(String(ais.mmsi)))!;
    expect(mmsiRow).toContain('ais');
    expect(mmsiRow).toContain('2024-03-0');
    expect(identity).toMatch(/Flag\s+kp\s+us_ofac_sdn/);
    const row = await page
      .getByTestId('registry-owners')
      .locator('tr', { hasText: 'KOREA YUJONG SHIPPING CO LTD' })
      .filter({ hasText: '2017-01-01' })
      .first()
      .innerText();
    expect(row).toContain('registered owner');
    expect(row).toContain('listed');
    expect(row).toContain('un-kpe-066');
    expect(row).toContain('ship_registry');
    expect(await page.getByTestId('registry-control').innerText()).toContain('listed');
    // The ownership chain up to the ultimate owners, whoever they are.
    expect(await page.getByTestId('ownership-chain').innerText()).toMatch(
      /KOREA YUJONG SHIPPING CO LTD\s+listed\s+holds an unknown share of YU JONG 2 \(IMO 8604917\)/,
    );
    expect(await page.getByTestId('ultimate-owners').innerText()).toBe('Ultimate owners: KOREA YUJONG SHIPPING CO LTD');
    // One owner node for the company's four list entries (and the registry row), on canonical ids.
    expect(await page.getByTestId('exposure').first().innerText()).toContain(
      'listed KOREA YUJONG SHIPPING CO LTD (eu-fsf-eu-4455-11, gb-ofsi-dpr0166, ofac-23714, un-kpe-066), since 2017-01-01.',
    );
    await page.screenshot({ path: path.join(RESULTS, 'ownership-vessel.png'), fullPage: true });

    await page
      .getByTestId('registry-owners')
      .getByRole('link', { name: 'KOREA YUJONG SHIPPING CO LTD' })
      .first()
      .click();
    await page.getByTestId('party-vessels').waitFor({ timeout: 60_000 });
    const vessels = await page.getByTestId('party-vessels').innerText();
    expect(vessels).toContain('YU JONG 2 (IMO 8604917)');
    expect(vessels).toContain('registered owner');
    await page.screenshot({ path: path.join(RESULTS, 'ownership-entity.png'), fullPage: true });
    // The vessel link opens the vessel page again.
    await page.getByTestId('party-vessels').getByRole('link', { name: 'YU JONG 2 (IMO 8604917)' }).first().click();
    await page.getByTestId('registry-identity').waitFor({ timeout: 60_000 });
    expect(pageErrors).toEqual([]);
    expect(h.requests.every((u) => u.startsWith(h.base))).toBe(true);
  });
});
