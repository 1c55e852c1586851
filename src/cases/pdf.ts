import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * HTML → PDF with headless Debian Chromium through playwright-core (no browser download). A fresh user-data dir
 * per run, no network, no GPU: the report HTML is self-contained, so the browser never makes a request.
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

export async function htmlToPdf(html: string, opts: { title?: string } = {}): Promise<Buffer> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new UserError(
      `PDF export needs Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium fonts-noto-cjk; or set WATCHKEEPER_CHROMIUM)`,
    );
  }
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'wk-pdf-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    offline: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Only the report itself: refuse anything that would leave the machine.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;width:100%;text-align:center;color:#555">${(opts.title ?? '').replace(/[<>&"]/g, '')} · page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      margin: { top: '18mm', bottom: '20mm', left: '16mm', right: '16mm' },
    });
    return Buffer.from(pdf);
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}
