/**
 * Issue 21 (readers) in a real browser: the site built from a copy of the fixtures whose latest day has the
 * data-quality lists of a real year — 17 splits (one a measured 1-for-43.3 ratio, one 3-for-2) and no rejected
 * day — at 360 and 1280 px, with and without JavaScript. Item 1: the day's page shows counts and the notable
 * items and links the day's data-quality page, which shows every list whole; item 5: no claim that focus shows an
 * exact value; item 7: splits in words; item 2: at 360 px the stock tables are cards, no figure clipped; item 6:
 * the stale warning only on live real data, a calm note on a historical build, times in New York time; item 8:
 * a restated day shows what was published before.
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
import { HAS_CHROMIUM, launchChromium, openPage, rendered } from './browser.ts';
import {
  checkArchive,
  checkAxe,
  checkHome,
  checkLinkPreview,
  checkMethodology,
  clippedFigures,
  READER_VIEWS,
  viewName,
} from './reader-checks.ts';

let tmp = '';
let server: StaticServer;
let historical: StaticServer;
let browser: Browser | undefined;
let asOf = '';
let sampleDist = '';
let latestDay: Snapshot;

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
  // Real data (not sample): the stale warning applies to it.
  const day: Snapshot = {
    ...latest,
    sample: false,
    dataQuality: { ...latest.dataQuality, splits: [...latest.dataQuality.splits, ...EXTRA_SPLITS], rejectedDays: [] },
  };
  const write = (s: Snapshot) => {
    for (const file of ['latest.json', `snapshots/${asOf}.json`])
      writeFileSync(path.join(data, file), JSON.stringify(s));
  };
  write(day);
  latestDay = day;
  // Item 8: the day before, restated, with what publish had published for it before.
  const before = JSON.parse(readFileSync(path.join(data, 'snapshots/2024-06-13.json'), 'utf8')) as Snapshot;
  const restated: Snapshot = {
    ...before,
    restated: true,
    restatedOn: '2024-06-14',
    previousPublication: {
      generatedAt: '2024-06-13T22:01:00.000Z',
      headline:
        'Short sellers are up $1.0B on small, micro and nano caps this year, down $2.0B on mid, large and mega caps.',
      ytdPnlUsd: -1_000_000_000,
      dayPnlUsd: 250_000_000,
    },
  };
  writeFileSync(path.join(data, 'snapshots/2024-06-13.json'), JSON.stringify(restated));
  buildSite({ outDir: path.join(tmp, 'dist'), siteUrl: 'https://pulse.test', dataDir: data });
  // The same day rebuilt two months later (`pulse build --as-of`): a historical snapshot.
  write({ ...day, generatedAt: '2024-08-20T10:00:00.000Z' });
  buildSite({ outDir: path.join(tmp, 'historical'), siteUrl: 'https://pulse.test', dataDir: data });
  // The fixtures as they are (sample data), for the link previews' titles.
  sampleDist = path.join(tmp, 'sample');
  buildSite({ outDir: sampleDist, siteUrl: 'https://pulse.test', dataDir: FIXTURE_DATA });
  server = await startStaticServer({ root: path.join(tmp, 'dist'), port: 0 });
  historical = await startStaticServer({ root: path.join(tmp, 'historical'), port: 0 });
  if (HAS_CHROMIUM) browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await historical?.close();
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
        expect(await rendered(rows.first().locator('.badge'))).toBe('Pending');
        // The latest first: the fixture's own split of 10 June leads.
        expect(await rendered(rows.nth(1).locator('th'))).toBe('ACMR');
        expect(await rendered(page.locator('table[data-table="splits"] caption'))).toContain('latest 10 of 17');
        const link = page.locator('[data-dq-full-link] a');
        expect(await link.getAttribute('href')).toBe(`/archive/${asOf}/data-quality/`);
        expect(await rendered(page.locator('[data-dq-full-link]'))).toContain('all 17 splits');
        // No empty "Rejected days" box beside the splits: a line says so, and the splits take the width.
        expect(await page.locator('table[data-table="rejected-days"]').count()).toBe(0);
        expect(await page.locator('[data-no-rejected-days]').isVisible()).toBe(true);
        const table = await page.locator('table[data-table="splits"]').boundingBox();
        const section = await page.locator('#data-quality').boundingBox();
        expect(table && section && table.width > section.width * 0.8).toBe(true);
        expect(await rendered(page.locator('.hero .key'))).not.toMatch(/hover or focus/i);
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
      expect(await rendered(page.locator('h1'))).toMatch(/^Data quality of /);
      const rows = page.locator('table[data-table="splits"] tbody tr');
      expect(await rows.count()).toBe(1 + 17);
      const cell = (symbol: string) =>
        page.locator('table[data-table="splits"] tr', { hasText: symbol }).locator('td.num');
      expect(await rendered(cell('SPL01'))).toBe('1-for-43 (approx.)');
      expect(await cell('SPL01').getAttribute('title')).toBe('factor 0.0231');
      expect(await rendered(cell('SPL02'))).toBe('3-for-2');
      expect(await rendered(cell('BLTX'))).toBe('1-for-20');
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

describe.skipIf(!HAS_CHROMIUM)('stock tables on a phone (item 2)', () => {
  for (const javaScriptEnabled of [true, false]) {
    it(`at 360 px every row of the top lists and the crowded list is a card: no figure clipped (JS ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const { page, problems, close } = await openPage(browser!, `${server.url}/`, {
        viewport: { width: 360, height: 800 },
        javaScriptEnabled,
      });
      try {
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
        for (const table of ['top-winners', 'top-losers', 'crowded']) {
          const visible = page.locator(`table[data-table="${table}"]:visible`).first();
          expect(await visible.locator('thead').isVisible()).toBe(false);
          const row = visible.locator('tbody tr').first();
          expect(await row.locator('td.rank').isVisible()).toBe(false);
          expect((await rendered(row.locator('.rank-inline'))).trim()).toBe('1.');
          expect((await row.locator('.cell-label').allInnerTexts()).length).toBeGreaterThanOrEqual(3);
        }
        // Every figure of those tables lies inside the viewport (none cut at the right edge, none scrolled away).
        expect(await clippedFigures(page)).toBe(0);
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    });
  }

  it('at 1280 px they stay tables, with one rank column', async () => {
    const { page, close } = await openPage(browser!, `${server.url}/`);
    try {
      const table = page.locator('table[data-table="crowded"]');
      expect(await table.locator('thead').isVisible()).toBe(true);
      expect(await table.locator('tbody tr').first().locator('td.rank').isVisible()).toBe(true);
      expect(await table.locator('tbody tr').first().locator('.rank-inline').isVisible()).toBe(false);
      expect(await table.locator('.cell-label').first().isVisible()).toBe(false);
    } finally {
      await close();
    }
  });
});

describe.skipIf(!HAS_CHROMIUM)('banners (item 6)', () => {
  it('real data warns when it gets old; "last updated" is in New York time', async () => {
    const fresh = await openPage(browser!, `${server.url}/`, { at: '2024-06-14T23:05:44Z' });
    expect(await rendered(fresh.page.locator('time[data-generated-at]'))).toBe('14 Jun 2024, 18:05 New York time');
    expect(await fresh.page.locator('[data-stale-warning]').isVisible()).toBe(false);
    expect(await fresh.page.locator('[data-historical]').count()).toBe(0);
    expect(await fresh.page.locator('[data-sample-banner]').count()).toBe(0);
    await fresh.close();
    const stale = await openPage(browser!, `${server.url}/`, { at: '2024-06-25T12:00:00Z' });
    expect(await stale.page.locator('[data-stale-warning]').isVisible()).toBe(true);
    await stale.close();
  });

  it('a snapshot built long after its day says it is historical, and never that the update failed', async () => {
    const { page, close } = await openPage(browser!, `${historical.url}/`, { at: '2024-09-01T12:00:00Z' });
    expect(await rendered(page.locator('[data-historical]'))).toMatch(
      /^Historical snapshot as of Friday 14 June 2024, built 20 Aug 2024 from the data up to that day\.$/,
    );
    expect(await page.locator('[data-stale-warning]').count()).toBe(0);
    await close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('a restated day (item 8)', () => {
  it('shows what was published before the restatement beside the figures now', async () => {
    const { page, problems, close } = await openPage(browser!, `${server.url}/archive/2024-06-13/`, {
      viewport: { width: 360, height: 800 },
    });
    try {
      const note = await rendered(page.locator('[data-previous-publication]'));
      expect(note).toContain('Published before this restatement (13 Jun 2024, 18:01 New York time)');
      expect(note).toContain('“Short sellers are up $1.0B on small, micro and nano caps this year');
      expect(note).toMatch(/All U\.S\. stocks were −\$1\.0B this year and \+\$250\.0M on the day; they are now [+−]\$/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
    // The day's page without a restatement has no such note.
    const fresh = await openPage(browser!, `${server.url}/`);
    expect(await fresh.page.locator('[data-previous-publication]').count()).toBe(0);
    await fresh.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)(
  'the headline’s groups, charts without JavaScript, methodology, archive (items 3, 4, 9, 10)',
  () => {
    for (const view of READER_VIEWS) {
      it(`home page (${viewName(view)})`, async () => {
        await checkHome(browser!, server.url, latestDay, view);
      });
      it(`methodology page (${viewName(view)})`, async () => {
        await checkMethodology(browser!, server.url, view);
      });
      it(`archive (${viewName(view)})`, async () => {
        await checkArchive(browser!, server.url, ['2024-06-10', '2024-06-11', '2024-06-12', '2024-06-13', asOf], view);
      });
    }
    for (const scheme of ['light', 'dark'] as const) {
      it(`methodology and archive are axe-clean (${scheme})`, async () => {
        await checkAxe(browser!, `${server.url}/methodology/`, scheme);
        await checkAxe(browser!, `${server.url}/archive/`, scheme);
      });
    }
  },
);

describe.skipIf(!HAS_CHROMIUM)('the same checks on the fixtures as they are: sample data (items 1–6, 9, 10)', () => {
  let sample: StaticServer;
  let latest: Snapshot;
  beforeAll(async () => {
    sample = await startStaticServer({ root: sampleDist, port: 0 });
    latest = JSON.parse(readFileSync(path.join(FIXTURE_DATA, 'latest.json'), 'utf8')) as Snapshot;
  });
  afterAll(async () => {
    await sample?.close();
  });
  for (const view of [READER_VIEWS[0], READER_VIEWS[3]] as const) {
    it(`home, methodology and archive (${viewName(view!)})`, async () => {
      expect(latest.sample).toBe(true);
      await checkHome(browser!, sample.url, latest, view!);
      await checkMethodology(browser!, sample.url, view!);
      await checkArchive(
        browser!,
        sample.url,
        ['2024-06-10', '2024-06-11', '2024-06-12', '2024-06-13', '2024-06-14'],
        view!,
      );
    });
  }
});

describe('link previews (item 11)', () => {
  it('real data: og and twitter tags with the day’s 1200 × 630 image, no "Sample data" in the titles', async () => {
    await checkLinkPreview(server.url, 'https://pulse.test', latestDay);
    await checkLinkPreview(server.url, 'https://pulse.test', latestDay, '/stocks/');
  });

  it('an archive day previews its own image', async () => {
    const html = await (await fetch(`${server.url}/archive/2024-06-12/`)).text();
    expect(html).toContain('<meta property="og:image" content="https://pulse.test/og/2024-06-12.png">');
    const png = await fetch(`${server.url}/og/2024-06-12.png`);
    expect(png.status).toBe(200);
  });

  it('sample data: every title says so', async () => {
    const sample = await startStaticServer({ root: sampleDist, port: 0 });
    try {
      const latest = JSON.parse(readFileSync(path.join(FIXTURE_DATA, 'latest.json'), 'utf8')) as Snapshot;
      expect(latest.sample).toBe(true);
      for (const p of ['/', '/archive/', '/methodology/', '/api/', '/stocks/']) {
        await checkLinkPreview(sample.url, 'https://pulse.test', latest, p);
      }
    } finally {
      await sample.close();
    }
  });
});
