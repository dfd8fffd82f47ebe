/**
 * Issue 21 (readers) in a real browser: the site built from a copy of the fixtures whose latest day has the
 * data-quality lists of a real year — 17 splits (one a measured 1-for-43.3 ratio, one 3-for-2) and no rejected
 * day — at 360 and 1280 px, with and without JavaScript. Item 1: the day's page shows counts and the notable
 * items and links the day's data-quality page, which shows every list whole; item 5: no claim that focus shows an
 * exact value; item 7: splits in words.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { buildSite } from '../../site/build.ts';
import { type StaticServer, startStaticServer } from '../../site/serve.ts';
import { FIXTURE_DATA } from '../present/fixtures.ts';
import { HAS_CHROMIUM, launchChromium, openPage } from './browser.ts';

let tmp = '';
let server: StaticServer;
let browser: Browser | undefined;
let asOf = '';

/** Fourteen more splits in 2024, so the latest day has 17 (and its pending one). */
const EXTRA_SPLITS = Array.from({ length: 14 }, (_, i) => ({
  symbol: `SPL${String(i + 1).padStart(2, '0')}`,
  date: `2024-0${1 + Math.floor(i / 3)}-${String(3 + (i % 3) * 7).padStart(2, '0')}`,
  factor: i === 0 ? 0.0231 : i === 1 ? 1.5 : 2,
  rule: '3a' as const,
}));

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pulse-readers-test-'));
  const data = path.join(tmp, 'data');
  cpSync(FIXTURE_DATA, data, { recursive: true });
  const latest = JSON.parse(readFileSync(path.join(data, 'latest.json'), 'utf8')) as Snapshot;
  asOf = latest.asOf;
  const day: Snapshot = {
    ...latest,
    dataQuality: { ...latest.dataQuality, splits: [...latest.dataQuality.splits, ...EXTRA_SPLITS], rejectedDays: [] },
  };
  for (const file of ['latest.json', `snapshots/${asOf}.json`])
    writeFileSync(path.join(data, file), JSON.stringify(day));
  buildSite({ outDir: path.join(tmp, 'dist'), siteUrl: 'https://pulse.test', dataDir: data });
  server = await startStaticServer({ root: path.join(tmp, 'dist'), port: 0 });
  if (HAS_CHROMIUM) browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const VIEWS = [
  { width: 360, height: 800, javaScriptEnabled: true },
  { width: 1280, height: 900, javaScriptEnabled: true },
  { width: 360, height: 800, javaScriptEnabled: false },
] as const;

describe.skipIf(!HAS_CHROMIUM)('data quality on a day with a real year’s lists (item 1)', () => {
  for (const view of VIEWS) {
    it(`the day's page shows the pending and the latest 10 splits, and links every list (${view.width} px, JS ${view.javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const { width, height, javaScriptEnabled } = view;
      const { page, problems, close } = await openPage(browser!, `${server.url}/`, {
        viewport: { width, height },
        javaScriptEnabled,
      });
      try {
        const rows = page.locator('table[data-table="splits"] tbody tr');
        expect(await rows.count()).toBe(1 + 10);
        expect(await rows.first().locator('.badge').innerText()).toBe('Pending');
        // The latest first: the fixture's own split of 10 June leads.
        expect(await rows.nth(1).locator('th').innerText()).toBe('ACMR');
        expect(await page.locator('table[data-table="splits"] caption').innerText()).toContain('latest 10 of 17');
        const link = page.locator('[data-dq-full-link] a');
        expect(await link.getAttribute('href')).toBe(`/archive/${asOf}/data-quality/`);
        expect(await page.locator('[data-dq-full-link]').innerText()).toContain('all 17 splits');
        // No empty "Rejected days" box beside the splits: a line says so, and the splits take the width.
        expect(await page.locator('table[data-table="rejected-days"]').count()).toBe(0);
        expect(await page.locator('[data-no-rejected-days]').isVisible()).toBe(true);
        const table = await page.locator('table[data-table="splits"]').boundingBox();
        const section = await page.locator('#data-quality').boundingBox();
        expect(table && section && table.width > section.width * 0.8).toBe(true);
        expect(await page.locator('.hero .key').innerText()).not.toMatch(/hover or focus/i);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it('the data-quality page lists every split in words, with the exact factor kept, and is axe-clean', async () => {
    const { page, problems, close } = await openPage(browser!, `${server.url}/archive/${asOf}/data-quality/`, {
      viewport: { width: 360, height: 800 },
    });
    try {
      expect(await page.locator('h1').innerText()).toMatch(/^Data quality of /);
      const rows = page.locator('table[data-table="splits"] tbody tr');
      expect(await rows.count()).toBe(1 + 17);
      const cell = (symbol: string) =>
        page.locator('table[data-table="splits"] tr', { hasText: symbol }).locator('td.num');
      expect(await cell('SPL01').innerText()).toBe('1-for-43 (approx.)');
      expect(await cell('SPL01').getAttribute('title')).toBe('factor 0.0231');
      expect(await cell('SPL02').innerText()).toBe('3-for-2');
      expect(await cell('BLTX').innerText()).toBe('1-for-20');
      expect(await page.locator('[data-dq-full-link]').count()).toBe(0);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => v.id)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('the archive day links its data-quality page too', async () => {
    const { page, close } = await openPage(browser!, `${server.url}/archive/${asOf}/`);
    try {
      expect(await page.locator('[data-dq-full-link] a').getAttribute('href')).toBe(`/archive/${asOf}/data-quality/`);
      const response = await page.goto(`${server.url}/archive/${asOf}/data-quality/`);
      expect(response?.status()).toBe(200);
    } finally {
      await close();
    }
  });
});
