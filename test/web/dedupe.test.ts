// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadJudgements } from '../../src/resolve/judgement-store.js';
import { seedFixtureLists } from '../screening/helpers.js';
import { type Harness, RESULTS, startHarness } from './harness.js';

/**
 * The Dedupe page in a real browser (Debian Chromium via playwright-core) against the real server: candidate
 * pairs from the real UN and OFAC entries of the screening fixture, side by side with their features; a positive
 * judgement makes the pair leave the list and /entities/{id} answer with the merged canonical entity.
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

describe('the Dedupe page', () => {
  it('lists pairs side by side, judges one positive, and the merge shows in /entities/{id}', async () => {
    await page.goto(`${h.base}/dedupe?schema=Person`);
    await page.getByTestId('dedupe-list').waitFor({ timeout: 120_000 });
    const total = Number(await page.getByTestId('dedupe-list').getAttribute('data-total'));
    expect(total).toBeGreaterThan(20);
    const pair = page.locator('[data-testid=dedupe-pair][data-left="ofac-17614"][data-right="un-kpi-024"]');
    const text = await pair.innerText();
    expect(text).toContain('KIM, Yong Chol');
    expect(text).toContain('KIM YONG CHOL');
    expect(text).toContain('birth_date_match 1');
    expect(text).toMatch(/birthDate\s+1962-02-18\s+1962-02-18/);
    expect(await pair.getByTestId('pair-score').innerText()).toBe('1.000');
    await page.screenshot({ path: path.join(RESULTS, 'dedupe-01-pairs.png'), fullPage: true });

    await pair.getByTestId('judge-positive').click();
    await page.getByTestId('dedupe-message').waitFor();
    expect(await page.getByTestId('dedupe-message').innerText()).toMatch(
      /^positive on ofac-17614 \/ un-kpi-024 by local at .+: now one entity, wk-[0-9a-f]{16}\.$/,
    );
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=dedupe-list]')?.getAttribute('data-total')) === n,
      total - 1,
    );
    expect(await pair.count()).toBe(0);

    const stored = await loadJudgements(h.store.db, { origins: ['analyst'] });
    expect(stored).toEqual([
      expect.objectContaining({ left: 'ofac-17614', right: 'un-kpi-024', verdict: 'positive', author: 'local' }),
    ]);
    // The browser follows /entities' 308 from a referent to the canonical entity.
    const entity = await page.evaluate(async () => {
      const r = await fetch('/entities/ofac-17614');
      return { url: r.url, body: (await r.json()) as { id: string; referents: string[]; datasets: string[] } };
    });
    expect(entity.url).toMatch(/\/entities\/wk-[0-9a-f]{16}$/);
    expect(entity.body.referents).toEqual(['ofac-17614', 'un-kpi-024']);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, 'dedupe-02-judged.png'), fullPage: true });
  }, 240_000);
});
