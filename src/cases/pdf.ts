import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { UserError } from '../errors.js';

/**
 * HTML → PDF with headless Debian Chromium through playwright-core (no browser download). A fresh user-data dir
 * per browser, no network, no GPU: the report HTML is self-contained, so the browser never makes a request.
 * `htmlToPdf` starts a browser for one document (the CLI); a `PdfRenderer` keeps one browser for many documents
 * and renders them one at a time (the server, benchmarks and tests), which saves the second or so a launch costs.
 */

export const CHROMIUM_PATH = process.env.WATCHKEEPER_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

function footer(title: string): string {
  return `<div style="font-size:8px;width:100%;text-align:center;color:#555">${title.replace(/[<>&"]/g, '')} · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`;
}

/** A page showing exactly `html` (every request refused), fonts loaded. */
async function openReport(context: BrowserContext, html: string): Promise<Page> {
  const page = await context.newPage();
  // Only the report itself: refuse anything that would leave the machine (data: URLs never reach the router).
  await page.route('**/*', (route) => route.abort());
  await page.setContent(html, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  return page;
}

async function printPdf(page: Page, title: string): Promise<Buffer> {
  const pdf = await page.pdf({
    format: 'A4',
    printBackground: true,
    displayHeaderFooter: true,
    headerTemplate: '<span></span>',
    footerTemplate: footer(title),
    margin: { top: '18mm', bottom: '20mm', left: '16mm', right: '16mm' },
  });
  return Buffer.from(pdf);
}

/** One headless Chromium for many reports, rendering one document at a time. */
export class PdfRenderer {
  private context: Promise<{ context: BrowserContext; dir: string }> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private async browser(): Promise<BrowserContext> {
    if (!this.context) {
      if (!existsSync(CHROMIUM_PATH)) {
        throw new UserError(
          `PDF export needs Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium fonts-noto-cjk; or set WATCHKEEPER_CHROMIUM)`,
        );
      }
      this.context = (async () => {
        const { chromium } = await import('playwright-core');
        const dir = await mkdtemp(path.join(os.tmpdir(), 'wk-pdf-'));
        const context = await chromium.launchPersistentContext(dir, {
          executablePath: CHROMIUM_PATH,
          headless: true,
          args: CHROMIUM_ARGS,
          offline: true,
        });
        return { context, dir };
      })();
      this.context.catch(() => {
        this.context = undefined;
      });
    }
    return (await this.context).context;
  }

  /** Run `fn` on a page holding `html`, after every earlier job (one document at a time). */
  withReport<T>(html: string, fn: (page: Page) => Promise<T>): Promise<T> {
    const job = this.queue.then(async () => {
      const page = await openReport(await this.browser(), html);
      try {
        return await fn(page);
      } finally {
        await page.close();
      }
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  pdf(html: string, opts: { title?: string } = {}): Promise<Buffer> {
    return this.withReport(html, (page) => printPdf(page, opts.title ?? ''));
  }

  async close(): Promise<void> {
    const c = this.context;
    this.context = undefined;
    if (!c) return;
    const { context, dir } = await c;
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** One document with its own browser (started and closed here). */
export async function htmlToPdf(html: string, opts: { title?: string } = {}): Promise<Buffer> {
  const r = new PdfRenderer();
  try {
    return await r.pdf(html, opts);
  } finally {
    await r.close();
  }
}

let shared: PdfRenderer | undefined;
let idleTimer: NodeJS.Timeout | undefined;
/** The shared browser closes after this long without a document. */
export const SHARED_IDLE_MS = 60_000;

/**
 * The server's renderer: one Chromium for every PDF request, documents rendered one at a time (a queue, so a burst
 * of requests never starts a browser each), closed after a minute idle and by `closeSharedPdfRenderer`.
 */
export async function renderPdfShared(html: string, opts: { title?: string } = {}): Promise<Buffer> {
  shared ??= new PdfRenderer();
  const r = shared;
  if (idleTimer) clearTimeout(idleTimer);
  try {
    return await r.pdf(html, opts);
  } finally {
    idleTimer = setTimeout(() => {
      if (shared === r) shared = undefined;
      void r.close();
    }, SHARED_IDLE_MS);
    idleTimer.unref();
  }
}

export async function closeSharedPdfRenderer(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  const r = shared;
  shared = undefined;
  await r?.close();
}
