/**
 * Issue 21 on a real-data build (optional: `npm run test:real`, with ../shared/data): `pulse build` on the real
 * 2024 screener files and FINRA's real short interest files (methodology 3, no stock files), the site built from
 * it and read in Chromium at 360 and 1280 px, light and dark, with and without JavaScript — the same checks as the
 * fixture build (reader-checks.ts) plus what only a real year brings: about 400 splits (item 1: the home page
 * shows counts and notable items, the day's data-quality page every one, in words, item 7), a historical build
 * (item 6: built long after 31 Dec 2024, it says so calmly; real data has no sample banner), and a restatement
 * marked on the real day (item 8: `previousPublication` as publish writes it, set here on the built snapshot).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Snapshot, SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { buildSite } from '../../site/build.ts';
import { type StaticServer, startStaticServer } from '../../site/serve.ts';
import { pulse } from '../helpers/pulse-cli.ts';
import { FINRA_2024, PRICES_2024, REAL_YEAR_PRESENT } from '../methodology/real-year.ts';
import { HAS_CHROMIUM, launchChromium, openPage, rendered } from './browser.ts';
import {
  checkArchive,
  checkAxe,
  checkHome,
  checkLinkPreview,
  checkMethodology,
  READER_VIEWS,
  viewName,
} from './reader-checks.ts';

const SITE_URL = 'https://pulse.test';
let tmp = '';
let server: StaticServer;
let browser: Browser | undefined;
let snapshot: Snapshot;

beforeAll(async () => {
  if (!REAL_YEAR_PRESENT || !HAS_CHROMIUM) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pulse-readers-real-'));
  const out = path.join(tmp, 'build');
  const built = await pulse(
    'build',
    '--prices',
    PRICES_2024,
    '--short-interest',
    FINRA_2024,
    '--out',
    out,
    '--no-stocks',
  );
  expect(built.code, built.stderr).toBe(0);
  const data = path.join(out, 'data');
  const latest = SnapshotSchema.parse(JSON.parse(readFileSync(path.join(data, 'latest.json'), 'utf8')));
  // Item 8 on the real day: restated, with what had been published for it before (figures of our choosing).
  snapshot = {
    ...latest,
    restated: true,
    restatedOn: '2025-01-02',
    previousPublication: {
      generatedAt: '2024-12-31T22:05:00.000Z',
      headline:
        'Short sellers are up $20.0B on small, micro and nano caps this year, down $190.0B on mid, large and mega caps.',
      ytdPnlUsd: -170_000_000_000,
      dayPnlUsd: 4_000_000_000,
    },
  };
  for (const file of ['latest.json', `snapshots/${latest.asOf}.json`]) {
    writeFileSync(path.join(data, file), JSON.stringify(snapshot));
  }
  buildSite({ outDir: path.join(tmp, 'dist'), siteUrl: SITE_URL, dataDir: data });
  server = await startStaticServer({ root: path.join(tmp, 'dist'), port: 0 });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!REAL_YEAR_PRESENT || !HAS_CHROMIUM)('the site on the real 2024 year (issue 21)', () => {
  it('is real data, as of 31 Dec 2024, with hundreds of splits to show', () => {
    expect(snapshot.sample).toBe(false);
    expect(snapshot.asOf).toBe('2024-12-31');
    expect(snapshot.dataQuality.splits.length).toBeGreaterThan(100);
  });

  for (const view of READER_VIEWS) {
    it(`home page, items 1–6 (${viewName(view)})`, async () => {
      await checkHome(browser!, server.url, snapshot, view);
    });
    it(`methodology page, item 9 (${viewName(view)})`, async () => {
      await checkMethodology(browser!, server.url, view);
    });
    it(`archive, item 10 (${viewName(view)})`, async () => {
      await checkArchive(browser!, server.url, [snapshot.asOf], view);
    });
  }

  it('items 1 and 7: the data-quality page lists every split in words; the home page only the latest', async () => {
    const { page, problems, close } = await openPage(browser!, `${server.url}/archive/${snapshot.asOf}/data-quality/`, {
      viewport: { width: 360, height: 800 },
    });
    try {
      const splits = snapshot.dataQuality.splits.length + snapshot.dataQuality.pendingSplits.length;
      expect(await page.locator('table[data-table="splits"] tbody tr').count()).toBe(splits);
      const text = await rendered(page.locator('table[data-table="splits"]'));
      expect(text).toMatch(/\d+-for-\d+/);
      expect(text).not.toMatch(/×\s?0\.\d/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
    const home = await openPage(browser!, `${server.url}/`, { viewport: { width: 1280, height: 900 } });
    try {
      expect(await home.page.locator('table[data-table="splits"] tbody tr').count()).toBeLessThanOrEqual(
        10 + snapshot.dataQuality.pendingSplits.length,
      );
      // The home page was 37,500 px tall on this year, 30,000 of it the splits (issue 21 item 1).
      expect(await home.page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(16_000);
    } finally {
      await home.close();
    }
  });

  it('items 6 and 8: a calm historical note, no stale or sample banner, and what was published before', async () => {
    const { page, problems, close } = await openPage(browser!, `${server.url}/`, { at: '2026-12-07T12:00:00Z' });
    try {
      expect(await rendered(page.locator('[data-historical]'))).toMatch(
        /^Historical snapshot as of Tuesday 31 December 2024/,
      );
      expect(await page.locator('[data-stale-warning]').count()).toBe(0);
      expect(await page.locator('[data-sample-banner]').count()).toBe(0);
      const before = await rendered(page.locator('[data-previous-publication]'));
      expect(before).toContain('All U.S. stocks were −$170.0B this year and +$4.0B on the day; they are now');
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('item 11: link previews of real data, with the day’s image', async () => {
    await checkLinkPreview(server.url, SITE_URL, snapshot);
    await checkLinkPreview(server.url, SITE_URL, snapshot, `/archive/${snapshot.asOf}/`);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`the home page and the methodology are axe-clean (${scheme})`, async () => {
      await checkAxe(browser!, `${server.url}/`, scheme);
      await checkAxe(browser!, `${server.url}/methodology/`, scheme);
    });
  }
});
