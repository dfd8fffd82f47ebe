/**
 * Issue 21's reader checks that hold for any build, run by readers.test.ts on the fixtures and by
 * readers-real.test.ts on the real 2024 year: each takes the served site, the snapshot it was built from and a
 * view (width, JavaScript, light or dark) and asserts what the reader must see. Expected figures come from the
 * snapshot through the shared formatters, not from the page.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { formatUsd } from '../../shared/present/format.ts';
import { HEADLINE_GROUP_LABELS, HEADLINE_GROUPS, headlineGroupFigures } from '../../shared/present/headline.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { openPage, rendered } from './browser.ts';

export interface ReaderView {
  width: number;
  height: number;
  javaScriptEnabled: boolean;
  colorScheme: 'light' | 'dark';
}

export const READER_VIEWS: readonly ReaderView[] = [
  { width: 360, height: 800, javaScriptEnabled: true, colorScheme: 'light' },
  { width: 360, height: 800, javaScriptEnabled: false, colorScheme: 'dark' },
  { width: 1280, height: 900, javaScriptEnabled: true, colorScheme: 'dark' },
  { width: 1280, height: 900, javaScriptEnabled: false, colorScheme: 'light' },
];

export const viewName = (v: ReaderView) => `${v.width} px, JS ${v.javaScriptEnabled ? 'on' : 'off'}, ${v.colorScheme}`;

function contextOf(v: ReaderView): BrowserContextOptions {
  return {
    viewport: { width: v.width, height: v.height },
    javaScriptEnabled: v.javaScriptEnabled,
    colorScheme: v.colorScheme,
  };
}

/** Item 2: how many figures of the top lists and the crowded list lie outside the screen (cut or scrolled away). */
export function clippedFigures(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      [...document.querySelectorAll('table[data-table^="top-"] td, table[data-table="crowded"] td')]
        .map((e) => e.getBoundingClientRect())
        .filter((r) => r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < 0)).length,
  );
}

/** Items 1–5 on the home page: data quality short, no figure clipped, the headline's rows and charts, no-JS tables. */
export async function checkHome(browser: Browser, url: string, snapshot: Snapshot, v: ReaderView): Promise<void> {
  const { page, problems, close } = await openPage(browser, `${url}/`, contextOf(v));
  try {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(v.width);
    // Item 1: the data-quality section shows counts and notable items and links the day's full page.
    expect(await page.locator('[data-dq-full-link] a').getAttribute('href')).toBe(
      `/archive/${snapshot.asOf}/data-quality/`,
    );
    const dq = await page.locator('#data-quality').boundingBox();
    expect(dq?.height, 'data-quality section height').toBeLessThan(v.width < 600 ? 6000 : 3000);
    // Item 2: no figure of the top lists or the crowded list lies outside the screen.
    expect(await clippedFigures(page)).toBe(0);
    // Item 3: the headline's groups have their own rows, with the headline's figures.
    const ytd = page.locator('.panel[data-window="ytd"] table[data-table="tier-pnl"]');
    for (const g of HEADLINE_GROUPS) {
      const row = ytd.locator(`tr[data-group="${g}"]`);
      const f = headlineGroupFigures(snapshot.windows.ytd.groups, g);
      const text = await row.textContent();
      expect(text).toContain(HEADLINE_GROUP_LABELS[g]);
      expect(text).toContain(formatUsd(f.pnlUsd, { signed: true }));
    }
    // Item 5: no claim that hover or focus shows exact values.
    expect(await page.locator('body').textContent()).not.toMatch(/hover or focus/i);
    // Item 6: the sample banner on sample data only.
    expect(await page.locator('[data-sample-banner]').count()).toBe(snapshot.sample ? 1 : 0);
    const tierFigure = page.locator('.panel[data-window="ytd"] figure.chart');
    if (v.javaScriptEnabled) {
      // Item 3: two lines for the headline's groups, the six tiers as a percentage; month names that fit.
      const canvases = page.locator('#cumulative canvas');
      expect(await canvases.count()).toBe(2);
      const specs = await canvases.evaluateAll((cs) =>
        cs.map((c) => JSON.parse((c as HTMLElement).dataset.chart ?? '')),
      );
      expect(specs[0].series.map((s: { key: string }) => s.key)).toEqual(['midLargeMega', 'smallMicroNano']);
      expect(specs[1].format).toBe('pct');
      expect(specs[1].series).toHaveLength(6);
      for (let i = 0; i < 2; i++) {
        const canvas = canvases.nth(i);
        await canvas.scrollIntoViewIfNeeded();
        await page.waitForFunction(
          (el) => (el as HTMLElement).dataset.rendered === 'true',
          await canvas.elementHandle(),
        );
        const { labels, width } = await canvas.evaluate((c) => ({
          labels: ((c as HTMLElement).dataset.xLabels ?? '').split(',').filter((l) => l !== ''),
          width: c.getBoundingClientRect().width,
        }));
        expect(labels.length).toBeGreaterThan(0);
        // About 44 px per month name: no overlap (at 360 px: every third month at most).
        expect(labels.length * 44, `month labels ${labels.join(' ')} in ${width} px`).toBeLessThanOrEqual(width);
      }
      expect(await tierFigure.locator('.needs-js').isVisible()).toBe(false);
    } else {
      // Item 4: no chart box or legend, a note instead, and the table across the figure's width.
      expect(await tierFigure.locator('.chart-box').isVisible()).toBe(false);
      expect(await rendered(tierFigure.locator('.needs-js'))).toBe(
        'The chart needs JavaScript; the table gives its figures.',
      );
      expect(await page.locator('#cumulative .legend').first().isVisible()).toBe(false);
      const table = await tierFigure.locator('table').boundingBox();
      const figure = await tierFigure.boundingBox();
      expect(table && figure && table.width >= figure.width * 0.95).toBe(true);
      const cells = await tierFigure.locator('tbody tr').first().locator('th, td').count();
      expect(cells).toBe(4);
    }
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
}

/** Item 9: the methodology page opens with "How to read these numbers" on one screen, then a table of contents. */
export async function checkMethodology(browser: Browser, url: string, v: ReaderView): Promise<void> {
  const { page, problems, close } = await openPage(browser, `${url}/methodology/`, contextOf(v));
  try {
    expect(await rendered(page.locator('h1'))).toBe('How to read these numbers');
    const summary = await page.locator('[data-reader-summary]').boundingBox();
    if (v.width >= 1280) expect((summary?.y ?? 0) + (summary?.height ?? Infinity)).toBeLessThanOrEqual(v.height);
    const toc = page.locator('[data-toc]');
    expect(await toc.isVisible()).toBe(true);
    const targets = await toc.locator('a').evaluateAll((as) => as.map((a) => (a.getAttribute('href') ?? '').slice(1)));
    expect(targets.length).toBeGreaterThan(15);
    for (const id of targets) expect(await page.locator(`[id="${id}"]`).count(), id).toBe(1);
    const text = await page.locator('article').textContent();
    expect(text).not.toContain('For developers');
    expect(text).not.toMatch(/\b(shared|test)\/[\w/-]+\.ts\b/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(v.width);
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
}

/** Item 10: the archive by month, newest open, every day with its page and JSON, a compact chart with JavaScript. */
export async function checkArchive(browser: Browser, url: string, days: readonly string[], v: ReaderView) {
  const { page, problems, close } = await openPage(browser, `${url}/archive/`, contextOf(v));
  try {
    const months = [...new Set(days.map((d) => d.slice(0, 7)))];
    expect(await page.locator('details.archive-month').count()).toBe(months.length);
    expect(await page.locator('details.archive-month[open]').count()).toBe(1);
    expect(await page.locator('details.archive-month').first().getAttribute('data-month')).toBe(months.sort().at(-1));
    for (const d of days) {
      expect(await page.locator(`a[href="/archive/${d}/"]`).count(), d).toBe(1);
      expect(await page.locator(`a[href="/data/snapshots/${d}.json"]`).count(), d).toBe(1);
    }
    // Closed months are one line each: the page stays short at 360 px.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(1500 + 45 * Math.min(days.length, 23) + 60 * months.length);
    if (days.length > 1 && v.javaScriptEnabled) {
      const canvas = page.locator('canvas');
      await canvas.scrollIntoViewIfNeeded();
      await page.waitForSelector('canvas[data-rendered="true"]');
      expect((await canvas.boundingBox())?.height).toBeLessThan(200);
    }
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
}

/** Item 11: link previews, with a 1200 × 630 PNG of the day, and titles that say "Sample data" when they are. */
export async function checkLinkPreview(url: string, siteUrl: string, snapshot: Snapshot, path = '/'): Promise<void> {
  const html = await (await fetch(`${url}${path}`)).text();
  const meta = (key: string) =>
    new RegExp(`<meta (?:property|name)="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html)?.[1];
  const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '';
  expect(title.startsWith('Sample data: ')).toBe(snapshot.sample);
  expect(meta('og:title')?.startsWith('Sample data: ')).toBe(snapshot.sample);
  expect(meta('twitter:card')).toBe('summary_large_image');
  expect(meta('og:description')).toBeTruthy();
  expect(meta('og:image:alt')).toContain(snapshot.sample ? 'Sample data.' : 'Short sellers');
  const image = meta('og:image') ?? '';
  expect(image.startsWith(`${siteUrl}/og/`)).toBe(true);
  expect(meta('twitter:image')).toBe(image);
  const res = await fetch(`${url}${new URL(image).pathname}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  const png = Buffer.from(await res.arrayBuffer());
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 630]);
}

/** axe-core on a page in a colour scheme: no violation at all. */
export async function checkAxe(browser: Browser, url: string, colorScheme: 'light' | 'dark'): Promise<void> {
  const { page, problems, close } = await openPage(browser, url, { colorScheme });
  try {
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((x) => `${x.id}: ${x.nodes.length}`)).toEqual([]);
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
}
