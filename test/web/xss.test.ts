// biome-ignore-all lint/performance/useDomNodeTextContent: these are Playwright Locator.innerText() calls, not the DOM property
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import.js';
import { seedCaseFixture } from '../cases/fixture.js';
import { pdfText } from '../cases/pdf-text.js';
import { type Harness, startHarness } from './harness.js';

/**
 * Stored XSS (issue 18, "Hardened HTTP"): markup in every user-editable field (case title and summary, case items
 * and their notes, attachment caption/source/licence/filename, watch labels, alert subscription targets, dedupe
 * judgement reasons) and in an imported FtM list (names, aliases, addresses, notes, websites) is rendered on every
 * page of the SPA and in the HTML and PDF case report in Chromium. Each payload calls window.__xss(tag) (a binding
 * the test listens to); dialogs, CSP violations and injected elements count as well. Nothing may execute, and the
 * payload text must be visible as text where it was stored (otherwise the test would prove nothing).
 */

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'xss', 'payload-list.ftm.jsonl');
const PNG = path.join(import.meta.dirname, '..', 'fixtures', 'cases', 'korea-bay.png');

const P = {
  img: "<img src=x onerror=__xss('img')>",
  script: "<script>__xss('script')</script>",
  svg: `"><svg onload=__xss('svg')>`,
  js: "javascript:__xss('js')",
  iframe: `'><iframe srcdoc="<script>parent.__xss('iframe')</script>"></iframe>`,
};
const ALL = Object.values(P).join(' ');

/** Elements and attributes a payload would leave in the DOM if it had been parsed as markup. */
const INJECTED =
  'img[src="x"], svg[onload], iframe[srcdoc], script:not([src]), [onerror], [onload], a[href^="javascript:" i], ' +
  'iframe[src^="javascript:" i]';

let h: Harness;
let page: Page;
let caseId = '';
const hits: string[] = [];
const violations: string[] = [];
let findingId = '';

async function call(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(h.base + url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

beforeAll(async () => {
  h = await startHarness(async (store) => {
    const [sts] = await seedCaseFixture(store);
    findingId = sts!.id;
    // The real import path (parse, statements, list version), as `watchkeeper lists import` runs it.
    await importList(store, FIXTURE, { format: 'ftm', fetchedAt: '2026-01-01T00:00:00Z' });
  });
  page = h.page;
  await page.exposeBinding('__xss', (_src, tag: unknown) => {
    hits.push(`${page.url()}: ${String(tag)}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __xss: (t: string) => void }).__xss(`csp ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('dialog', (d) => {
    hits.push(`${page.url()}: dialog ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });

  // Every user-editable field, through the API the UI uses.
  const c = await call('POST', '/cases', { title: `Case ${P.img} ${P.script}`, summary: ALL });
  caseId = String(c.id);
  await call('PATCH', `/cases/${caseId}`, { title: `Case ${P.img} ${P.script}`, summary: `${ALL}\n\n${P.svg}` });
  await call('POST', `/cases/${caseId}/items`, { kind: 'finding', ref: findingId, note: `${P.img} ${P.iframe}` });
  await call('POST', `/cases/${caseId}/items`, { kind: 'entity', ref: 'xss-person-1', note: `${P.svg} ${P.js}` });
  await call('POST', `/cases/${caseId}/items`, { kind: 'entity', ref: 'xss-vessel', note: P.script });
  await call('POST', `/cases/${caseId}/items`, { kind: 'note', ref: `${P.js} ${P.img}`, note: P.iframe });
  const q = new URLSearchParams({
    caption: `Caption ${P.img} ${P.script}`,
    source: P.js,
    licence: `${P.svg} ${P.iframe}`,
    date: '2026-01-02',
    filename: `x${P.img}.png`,
  });
  const att = await fetch(`${h.base}/cases/${caseId}/attachments?${q}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: await readFile(PNG),
  });
  expect(att.status, await att.clone().text()).toBe(201);
  await call('POST', '/watchlist', { kind: 'entity', ref: 'xss-person-1', label: `${P.img} ${P.script}` });
  await call('POST', '/watchlist', { kind: 'address', ref: `0x${'ab'.repeat(20)}`, label: `${P.svg} ${P.js}` });
  await call('POST', '/alerts/subscriptions', {
    channel: 'webhook',
    target: `https://hooks.example.org/${P.img}?q=${P.svg}`,
  });
  await call('POST', '/dedupe/judgements', {
    left: 'xss-person-1',
    right: 'xss-person-2',
    judgement: 'negative',
    reason: `${P.img} ${P.script} ${P.iframe}`,
  });
}, 300_000);

afterAll(async () => {
  await h?.close();
});

async function render(url: string): Promise<string> {
  await page.goto(h.base + url);
  await page
    .locator('[data-testid^="page-"], [data-testid="error"]')
    .first()
    .waitFor({ timeout: 20_000 })
    .catch((e: Error) => {
      throw new Error(`${url}: ${e.message}`);
    });
  await page
    .getByTestId('loading')
    .first()
    .waitFor({ state: 'detached', timeout: 20_000 })
    .catch(() => {});
  // Let late effects (lazy chunks, images, maps, graph layout) run.
  await page.waitForLoadState('networkidle').catch(() => {});
  const injected = await page.evaluate((sel) => {
    const found: string[] = [];
    const scan = (root: Document | ShadowRoot) => {
      for (const el of Array.from(root.querySelectorAll(sel))) found.push(el.outerHTML.slice(0, 120));
    };
    scan(document);
    for (const f of Array.from(document.querySelectorAll('iframe'))) if (f.contentDocument) scan(f.contentDocument);
    return found;
  }, INJECTED);
  expect(injected, url).toEqual([]);
  return page.locator('body').innerText();
}

describe('stored markup is shown as text, never executed', () => {
  it('renders every page of the SPA without running a payload', async () => {
    const vessel = encodeURIComponent('xss-vessel');
    const pages: Array<[string, string[]]> = [
      ['/', []],
      ['/search?q=KIM', []],
      [`/search?q=${encodeURIComponent(P.img)}`, []],
      ['/entity/xss-person-1', ['<img src=x onerror=', '<script>', 'javascript:', '<svg onload=']],
      ['/entity/xss-company', ['<svg onload=']],
      ['/entity/xss-vessel', ['<img src=x onerror=']],
      [`/vessel/${vessel}`, []],
      ['/vessel/imo-7937317', []],
      [`/finding/${findingId}`, []],
      [`/map?f=${encodeURIComponent(findingId)}`, []],
      ['/network?ids=xss-person-1,xss-company,xss-vessel', []],
      [`/network?from=xss-company&to=xss-vessel`, []],
      ['/case', ['<img src=x onerror=']],
      [`/case/${caseId}`, ['<img src=x onerror=', '<script>', '<iframe srcdoc=', 'javascript:']],
      ['/watch', ['<img src=x onerror=', '<svg onload=']],
      [`/crypto?address=${encodeURIComponent(P.img)}`, []],
      ['/dedupe', []],
      ['/trade', []],
      [`/case/${encodeURIComponent(P.img)}`, []],
      [`/entity/${encodeURIComponent(P.svg)}`, []],
    ];
    for (const [url, visible] of pages) {
      const text = await render(url);
      for (const v of visible) expect(text, `${url} shows ${v} as text`).toContain(v);
    }
    expect(hits).toEqual([]);
    expect(violations).toEqual([]);
  }, 180_000);

  it('the HTML and PDF case reports show the payloads as text', async () => {
    const res = await page.goto(`${h.base}/cases/${caseId}/report.html`);
    expect(res?.status()).toBe(200);
    await page.waitForLoadState('networkidle').catch(() => {});
    const injected = await page.evaluate((sel) => document.querySelectorAll(sel).length, INJECTED);
    expect(injected).toBe(0);
    const text = await page.locator('body').innerText();
    for (const v of ['<img src=x onerror=', '<script>', '<svg onload=', 'javascript:']) expect(text).toContain(v);

    const pdf = await fetch(`${h.base}/cases/${caseId}/report.pdf`);
    expect(pdf.status).toBe(200);
    const pdfT = pdfText(Buffer.from(await pdf.arrayBuffer())).replace(/\s+/g, ' ');
    expect(pdfT).toContain('<img src=x onerror=');
    expect(pdfT).toContain('<script>');
    expect(hits).toEqual([]);
    expect(violations).toEqual([]);
  }, 120_000);
});

describe('the detector itself', () => {
  it('catches a payload that does reach the DOM as markup', async () => {
    await render('/watch');
    const before = hits.length + violations.length;
    await page.evaluate((html) => document.body.insertAdjacentHTML('beforeend', html), P.img);
    await expect.poll(() => hits.length + violations.length, { timeout: 5000 }).toBeGreaterThan(before);
    expect(await page.evaluate((sel) => document.querySelectorAll(sel).length, INJECTED)).toBeGreaterThan(0);
  });
});
