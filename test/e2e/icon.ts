/**
 * Part of `npm run screenshots`: renders media/icon.svg into media/icon.png, the
 * 128 x 128 Marketplace icon, with Debian's Chromium.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from './codeServer';

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(ROOT, 'media/icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: path.join(ROOT, 'media/icon.png'), omitBackground: true });
  } finally {
    await browser.close();
  }
}

void main();
