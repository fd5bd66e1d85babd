/**
 * A page that stands in for VS Code's webview host, in Debian's Chromium: the
 * same page and CSP as the extension serves, the real bundle from dist/, an
 * acquireVsCodeApi that records what the panel posts, and a list of CSP
 * violations that must stay empty.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage } from '../../engine';
import { panelPage } from '../../extension/pageHtml';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/codeServer';

export const ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const ORIGIN = 'https://webview.test';
const NONCE = 'dGVzdC1ub25jZQ==';
const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf' };

/** A few of the variables VS Code sets, for a dark and a light theme. */
const THEMES = `<style nonce="${NONCE}">
body.vscode-dark { --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-sideBar-background: #181818; --vscode-panel-border: #2b2b2b;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-focusBorder: #0078d4;
  --vscode-errorForeground: #f85149; --vscode-textLink-foreground: #4daafc; --vscode-font-family: sans-serif; --vscode-font-size: 13px; }
body.vscode-high-contrast { --vscode-foreground: #ffffff; --vscode-descriptionForeground: #ffffff; --vscode-sideBar-background: #000000; --vscode-contrastBorder: #6fc3df;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-focusBorder: #f38518;
  --vscode-errorForeground: #f48771; --vscode-textLink-foreground: #21a6ff; --vscode-font-family: sans-serif; --vscode-font-size: 13px; }
body.vscode-light { --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #717171; --vscode-sideBar-background: #f8f8f8; --vscode-panel-border: #e5e5e5;
  --vscode-charts-blue: #1a85ff; --vscode-charts-orange: #c27d1a; --vscode-charts-green: #388a34; --vscode-charts-purple: #652d90; --vscode-focusBorder: #005fb8;
  --vscode-errorForeground: #f85149; --vscode-textLink-foreground: #005fb8; --vscode-font-family: sans-serif; --vscode-font-size: 13px; }
</style>
`;

export interface PanelPage {
  readonly browser: Browser;
  readonly page: Page;
}

/**
 * Opens the panel in a dark theme and waits for its 'ready' message. `replies` are
 * what the host answers 'ready' with, at once, as the extension does.
 */
export async function openPanel(replies: HostMessage[] = []): Promise<PanelPage> {
  const html = panelPage({ cspSource: ORIGIN, nonce: NONCE, script: `${ORIGIN}/dist/webview.js`, style: `${ORIGIN}/dist/webview.css` }, THEMES);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`console error: ${m.text()}`); });
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    const file = path.join(ROOT, url.pathname);
    if (!url.pathname.startsWith('/dist/') || !fs.existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body: fs.readFileSync(file) });
  });
  // tsx compiles this file keeping function names through a __name helper, which
  // the functions sent into the page bring along: the page needs one too.
  await page.addInitScript('window.__name = (f) => f;');
  // Typed arrays cross into the page as tagged lists (an init script's argument is JSON).
  const json = JSON.stringify(replies, (_, v) => (ArrayBuffer.isView(v) ? { $typed: v.constructor.name, values: Array.from(v as Float32Array) } : v));
  await page.addInitScript((text) => {
    const answers = JSON.parse(text, (_, v) => (v && typeof v === 'object' && '$typed' in v ? new (globalThis as unknown as Record<string, new (a: number[]) => unknown>)[v.$typed](v.values) : v)) as unknown[];
    const w = window as unknown as { posted: unknown[]; violations: string[]; state: unknown; acquireVsCodeApi: () => unknown };
    w.posted = [];
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
    const postMessage = (m: { type: string }): void => {
      w.posted.push(m);
      if (m.type === 'ready') for (const answer of answers) window.postMessage(answer, '*');
    };
    w.acquireVsCodeApi = () => ({ postMessage, getState: () => w.state, setState: (s: unknown) => { w.state = s; } });
  }, json);
  await page.goto(`${ORIGIN}/index.html`);
  await page.evaluate(() => document.body.classList.add('vscode-dark'));
  await page.waitForFunction(() => (window as unknown as { posted: { type: string }[] }).posted.some((m) => m.type === 'ready'));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return { browser, page };
}

/** Posts a message to the panel as the host would, and waits until it has been drawn. */
export async function deliver(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate((m) => new Promise<void>((resolve) => {
    window.postMessage(m, '*');
    requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
  }), message);
}

/** What the panel has posted to the host so far. */
export async function posted(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { posted: unknown[] }).posted);
}

export async function clearPosted(page: Page): Promise<void> {
  await page.evaluate(() => { (window as unknown as { posted: unknown[] }).posted.length = 0; });
}

/** CSP violations the page has reported. */
export async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { violations: string[] }).violations);
}
