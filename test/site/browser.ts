/**
 * The site tests' browser: Debian Chromium through playwright-core (never a downloaded browser), and `openPage`,
 * which opens a page and records what must never happen on it: console errors, page errors, CSP violations and
 * dialogs (alert).
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync'],
  });
}

export interface Opened {
  page: Page;
  problems: string[];
  close(): Promise<void>;
}

/** Opens `url` in a new context (1280 × 900 unless told); `at` fixes the page's clock first. */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions & { at?: string } = {},
): Promise<Opened> {
  const { at, ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  if (at) await page.clock.setFixedTime(new Date(at));
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, close: () => context.close() };
}

/** What a reader sees of an element (hidden parts left out, laid-out line breaks kept). */
export function rendered(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point of the check
  return locator.innerText();
}
