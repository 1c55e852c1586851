// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { seedTradeDemo } from '../../src/trade/demo.js';
import { type Harness, RESULTS, startHarness } from '../web/harness.js';

/**
 * The Trade page in a real browser (Debian Chromium via playwright-core) on the demo's trade data: the demo lists
 * and the demo shipments and Comtrade extract (src/trade/demo.ts, what `serve` seeds into an empty store), plus
 * one DPRK port call at Nampo with a draught rise, so the finding page has a cargo estimate to show.
 */

let h: Harness;
let page: Page;
const pageErrors: string[] = [];
const MMSI = 445_100_123;
const T0 = Date.parse('2024-05-01T00:00:00Z');
const H = 3_600_000;

const visit: Finding = {
  id: 'f-web-trade-visit',
  kind: 'ais.port_visit',
  subjects: [`ais-${MMSI}`],
  start: new Date(T0).toISOString(),
  end: new Date(T0 + 10 * H).toISOString(),
  score: 0.95,
  redFlags: ['DPRK_PORT_CALL'],
  explanation: 'Port call at NAMPO (DPRK).',
  evidence: [],
  params: {},
  vessels: [{ mmsi: MMSI, name: 'WEB TEST' }],
  details: { port: { name: 'NAMPO', iso3: 'PRK', lat: 38.73, lon: 125.4 }, dprkPort: true },
};

beforeAll(async () => {
  h = await startHarness(
    async (store) => {
      await seedTradeDemo(store);
      // The AIS static reports of the call: draught 6.0 m before, 10.0 m after; 169 × 27 m (100 + 69, 13 + 14).
      for (const [tsMs, draughtM] of [
        [T0 - H, 6],
        [T0 + 10 * H, 10],
      ] as const)
        await store.db.query(
          `INSERT INTO vessel_static (mmsi, ts, imo, name, callsign, ship_type, to_bow, to_stern, to_port, to_starboard,
           draught, destination, eta, import_id) VALUES ($1, $2, NULL, 'WEB TEST', NULL, 70, 100, 69, 13, 14, $3, NULL, NULL, 'test')`,
          [MMSI, tsMs, draughtM],
        );
      await store.putFindings([visit]);
    },
    { from: 'lists' },
  );
  page = h.page;
  page.on('pageerror', (e) => pageErrors.push(String(e)));
}, 600_000);

afterAll(async () => {
  await h?.close();
});

async function open(url: string, testId: string): Promise<void> {
  await page.goto(h.base + url);
  await page.getByTestId(testId).waitFor();
  await page
    .getByTestId('loading')
    .first()
    .waitFor({ state: 'detached', timeout: 20_000 })
    .catch(() => {});
}

describe('Trade page on the demo data', () => {
  it('lists the screened shipments with their findings: party, HS code, ports and date', async () => {
    await page.goto(h.base);
    await page.getByRole('link', { name: 'Trade' }).click();
    await page.getByTestId('page-trade').waitFor();
    await page.getByTestId('trade-hits').waitFor();
    const rows = page.getByTestId('trade-hits').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const listed = await page.locator('[data-testid="trade-hits"] tr[data-kind="trade.listed_party"]').innerText();
    expect(listed).toContain('consignee: KOREA RYONBONG GENERAL CORP.');
    expect(listed).toContain('090230');
    expect(listed).toContain('Dandong → Nampo');
    expect(listed).toContain('2024-02-16');
    const goods = await page.locator('[data-testid="trade-hits"] tr[data-kind="trade.prohibited_goods"]').innerText();
    expect(goods).toContain('870323');
    expect(goods).toContain('Vladivostok → Rajin');
    expect(goods).toContain('S/RES/2397');
  });

  it('shows the banned flows partners report, and the empty cap tracker says what it reads', async () => {
    await open('/trade', 'page-trade');
    await page.getByTestId('mirror-banned').waitFor();
    const mirror = await page.getByTestId('mirror-banned').innerText();
    expect(mirror).toContain('coal');
    expect(mirror).toContain('2701');
    expect(await page.locator('#cap').innerText()).toContain('No estimated deliveries');
    await page.screenshot({ path: path.join(RESULTS, 'trade.png'), fullPage: true });
  });

  it('shows the cargo estimate on the page of a port call that has one', async () => {
    await open(`/finding/${visit.id}`, 'page-finding');
    await page.getByTestId('cargo-estimate').waitFor();
    const text = await page.getByTestId('cargo-estimate').innerText();
    expect(text).toContain('loaded');
    expect(text).toContain('4.0 m');
    // 1.025 × 169 × 27 × 0.866667 / 100 = 40.53 t/cm × 400 cm = 16,214 t (test/cargo/banned-export.test.ts)
    expect(text).toContain('16,214');
    expect(pageErrors).toEqual([]);
  });
});
