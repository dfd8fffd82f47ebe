/**
 * The built site in a real browser: builds it once from the fixtures (test/fixtures/site/data) into
 * a temporary directory, serves it with the production security headers (site/serve.ts) and drives
 * Debian Chromium with playwright-core. Expected numbers are computed by hand from the fixture's
 * pinned latest-day figures (see test/fixtures/site/generate.ts).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHeadline } from '../../shared/present/headline.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/present/security-headers.ts';
import { SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { buildSite } from '../../site/build.ts';
import { type StaticServer, startStaticServer } from '../../site/serve.ts';
import { FIXTURE_DATA, fixtureSnapshots } from '../present/fixtures.ts';
import { CHROMIUM, HAS_CHROMIUM, launchChromium, type Opened, openPage } from './browser.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE_URL = 'https://pulse.test';
if (!HAS_CHROMIUM) {
  console.warn(`test/site: skipping the browser tests: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}

let tmp = '';
let dist = '';
let server: StaticServer;
let browser: Browser | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'pulse-site-test-'));
  dist = path.join(tmp, 'dist');
  // Without a data directory the site builds from the fixtures.
  buildSite({ outDir: dist, siteUrl: SITE_URL });
  server = await startStaticServer({ root: dist, port: 0 });
  if (HAS_CHROMIUM) {
    browser = await launchChromium();
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('built output', () => {
  it('has no inline script, inline style or event-handler attribute in any page', () => {
    const files = htmlFiles(dist);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      const html = readFileSync(file, 'utf8');
      const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
      const scripts = tags.filter((t) => /^<script\b/i.test(t));
      for (const s of scripts) expect(s, file).toMatch(/^<script type="module" src="\/_astro\/[^"]+\.js">$/);
      expect(html, file).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html, file).not.toMatch(/<style\b/i);
      expect(
        tags.filter((t) => /\sstyle=/i.test(t)),
        file,
      ).toEqual([]);
      expect(
        tags.filter((t) => /\son[a-z]+=/i.test(t)),
        file,
      ).toEqual([]);
      expect(html, file).toContain('<link rel="alternate" type="application/rss+xml"');
    }
  });

  it('links only to its own pages and files (no javascript: URLs from data)', () => {
    for (const file of htmlFiles(dist)) {
      const hrefs = [...readFileSync(file, 'utf8').matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!);
      for (const href of hrefs) expect(href, file).toMatch(/^(\/(?!\/)|#|https:\/\/pulse\.test\/)/);
    }
  });

  it('copies the data files byte for byte', () => {
    for (const rel of ['latest.json', 'history.json', 'snapshots/2024-06-10.json']) {
      expect(readFileSync(path.join(dist, 'data', rel)).equals(readFileSync(path.join(FIXTURE_DATA, rel))), rel).toBe(
        true,
      );
    }
  });

  it('copies a schema but for its $id, which names its URL on this site (issue 21 item 13)', () => {
    const rel = 'schema/snapshot.v1.json';
    const built = JSON.parse(readFileSync(path.join(dist, 'data', rel), 'utf8')) as Record<string, unknown>;
    const source = JSON.parse(readFileSync(path.join(FIXTURE_DATA, rel), 'utf8')) as Record<string, unknown>;
    expect(built.$id).toBe('https://pulse.test/data/schema/snapshot.v1.json');
    expect({ ...built, $id: null }).toEqual({ ...source, $id: null });
  });
});

describe('served site (HTTP)', () => {
  it('sends the CSP and security headers on pages', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves JSON data with open CORS and a JSON content type', async () => {
    const res = await fetch(`${server.url}/data/latest.json`, { headers: { Origin: 'https://elsewhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const latest = SnapshotSchema.parse(await res.json());
    expect(latest.asOf).toBe('2024-06-14');
    const preflight = await fetch(`${server.url}/data/history.json`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    const schema = await fetch(`${server.url}/data/schema/snapshot.v1.json`);
    expect(((await schema.json()) as { title: string }).title).toBe('Short Pulse snapshot v1');
  });

  it('serves an RSS feed that parses, with one item per published day', async () => {
    const res = await fetch(`${server.url}/rss.xml`);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const feed = await new Parser().parseString(await res.text());
    expect(feed.title).toBe('Short Pulse');
    expect(feed.items.map((i) => i.link)).toEqual(
      ['14', '13', '12', '11', '10'].map((d) => `https://pulse.test/archive/2024-06-${d}/`),
    );
    expect(feed.items[0]!.content).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('never serves a file outside the site root', async () => {
    // Raw requests: fetch() would normalise the dot segments away before sending.
    const status = (rawPath: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status('/../../../../etc/passwd')).toBe(404);
    expect(await status('/..%2f..%2f..%2f..%2fetc%2fpasswd')).toBe(404);
    expect(await status('/data/..%2f..%2fpackage.json')).toBe(404);
    expect(await status('/%E0%A4%A')).toBe(400);
  });

  it('redirects a directory without its slash and answers 404 with the not-found page', async () => {
    const redirect = await fetch(`${server.url}/archive`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/archive/');
    const missing = await fetch(`${server.url}/archive/1999-01-01/`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
  });
});

/** Opens a page of the fixture site (./browser.ts). */
function open(pagePath: string, options: BrowserContextOptions & { at?: string } = {}): Promise<Opened> {
  return openPage(browser!, `${server.url}${pagePath}`, options);
}

/** Share of painted pixels in a canvas, and how many are the gain (blue) and loss (orange) colours. */
async function canvasPixels(page: Page, selector: string) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  await page.waitForSelector(`${selector}[data-rendered="true"]`);
  return page.$eval(selector, (el) => {
    const canvas = el as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const near = (i: number, rgb: [number, number, number]) =>
      Math.abs(data[i]! - rgb[0]) <= 6 && Math.abs(data[i + 1]! - rgb[1]) <= 6 && Math.abs(data[i + 2]! - rgb[2]) <= 6;
    let painted = 0;
    let gain = 0;
    let loss = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! === 0) continue;
      painted++;
      // Light-scheme --gain #0a5ca3 and --loss #a03f00 (global.css).
      if (data[i + 3] === 255 && near(i, [10, 92, 163])) gain++;
      if (data[i + 3] === 255 && near(i, [160, 63, 0])) loss++;
    }
    const total = canvas.width * canvas.height;
    return { share: painted / total, gainShare: gain / total, lossShare: loss / total };
  });
}

/** What a reader sees (hidden elements left out, whitespace collapsed), which textContent is not. */
function rendered(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point of the check
  return locator.innerText();
}

const rowText = (page: Page, window: string, group: string) =>
  rendered(page.locator(`.panel[data-window="${window}"] table[data-table="tier-pnl"] tr[data-group="${group}"]`));

describe.skipIf(!HAS_CHROMIUM)('home page in Chromium', () => {
  it('shows the headline and the fixture’s YTD tier figures, formatted', async () => {
    const { page, problems, close } = await open('/');
    expect(await rendered(page.locator('[data-headline]'))).toBe(
      'Short sellers are up $12.9B on small, micro and nano caps this year, down $139.8B on mid, large and mega caps.',
    );
    expect(await page.locator('[data-sample-banner]').isVisible()).toBe(true);
    expect(await rendered(page.locator('time[datetime="2024-06-14"]').first())).toBe('Friday 14 June 2024');
    // Pinned YTD figures: pnl / avg short interest.
    const expected: Record<string, string[]> = {
      mega: ['−$80.0B', '−16.67%', '$480.0B'], // −80 / 480
      large: ['−$30.7B', '−17.73%', '$173.3B'], // −30.73 / 173.3
      mid: ['−$29.1B', '−12.78%', '$227.4B'], // −29.06 / 227.4
      small: ['+$9.0B', '+15.00%', '$60.0B'], // 9 / 60
      micro: ['+$3.0B', '+16.67%', '$18.0B'], // 3 / 18
      nano: ['+$934.0M', '+12.29%', '$7.6B'], // 0.934 / 7.6
      megaLarge: ['−$110.7B', '−16.95%', '$653.3B'], // −110.73 / 653.3
      smallMicroNano: ['+$12.9B', '+15.11%', '$85.6B'], // 12.934 / 85.6
      total: ['−$126.9B', '−13.13%', '$966.3B'], // −126.856 / 966.3
    };
    for (const [group, cells] of Object.entries(expected)) {
      const text = await rowText(page, 'ytd', group);
      for (const cell of cells) expect(text, group).toContain(cell);
    }
    // Colour is never the only cue: losses carry ▼ and the minus sign, gains ▲ and a plus.
    expect(await rowText(page, 'ytd', 'mega')).toContain('▼−$80.0B');
    expect(await rowText(page, 'ytd', 'small')).toContain('▲+$9.0B');
    expect(await rendered(page.locator('[data-card="small"] .card-value'))).toBe('▲+$12.9B');
    expect(await rendered(page.locator('[data-card="large"] .card-value'))).toBe('▼−$139.8B');
    // Exact value on hover.
    expect(
      await page.locator('.panel[data-window="ytd"] tr[data-group="mega"] data').first().getAttribute('title'),
    ).toBe('−$80,000,000,000');
    expect(problems).toEqual([]);
    await close();
  });

  it('switches the tier window (1D, MTD, 30D, YTD) and draws the chart of the chosen window', async () => {
    const { page, problems, close } = await open('/');
    const panel = (w: string) => page.locator(`[data-windowed="tier-window"] .panel[data-window="${w}"]`);
    expect(await panel('ytd').isVisible()).toBe(true);
    expect(await panel('1d').isVisible()).toBe(false);
    await page.locator('label[for="tier-window-1d"]').click();
    expect(await panel('1d').isVisible()).toBe(true);
    expect(await panel('ytd').isVisible()).toBe(false);
    // Pinned 1D: mega +1.25B over 520B exposure, large −0.42B over 180B.
    expect(await rowText(page, '1d', 'mega')).toContain('+$1.3B');
    expect(await rowText(page, '1d', 'mega')).toContain('+0.24%');
    expect(await rowText(page, '1d', 'large')).toContain('−$420.0M');
    expect(await rowText(page, '1d', 'large')).toContain('−0.23%');
    expect(await rendered(panel('1d').locator('.period'))).toBe('Last trading day: 14 Jun 2024 · 1 trading day');
    const chart = await canvasPixels(page, '[data-windowed="tier-window"] .panel[data-window="1d"] canvas');
    expect(chart.share).toBeGreaterThan(0.02);
    await page.locator('label[for="tier-window-mtd"]').click();
    expect(await rendered(panel('mtd').locator('.period'))).toBe(
      'Month to date: 3 Jun 2024 – 14 Jun 2024 · 10 trading days',
    );
    await page.locator('label[for="tier-window-ytd"]').click();
    expect(await panel('ytd').isVisible()).toBe(true);
    expect(await panel('mtd').isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await close();
  });

  it('reads fully and still switches windows without JavaScript', async () => {
    const { page, close } = await open('/', { javaScriptEnabled: false });
    expect(await rowText(page, 'ytd', 'total')).toContain('−$126.9B');
    await page.locator('label[for="tier-window-30d"]').click();
    expect(await page.locator('[data-windowed="tier-window"] .panel[data-window="30d"]').isVisible()).toBe(true);
    expect(await page.locator('[data-windowed="tier-window"] .panel[data-window="ytd"]').isVisible()).toBe(false);
    await close();
  });

  it('shows where shorts are adding and covering (rule 13), switches groups, and says which reports it compares', async () => {
    const { page, problems, close } = await open('/');
    const section = page.locator('[data-net-new="nns-group"]');
    expect(await rendered(section.locator('[data-compares]'))).toBe(
      'Compares FINRA’s reports settled 15 May 2024 and 31 May 2024. The next report settles 14 Jun 2024 and is due from 26 Jun 2024 (FINRA’s 8th business day).',
    );
    const panel = (g: string) => section.locator(`.group-panel[data-group="${g}"]`);
    expect(await panel('total').isVisible()).toBe(true);
    expect(await panel('megaLarge').isVisible()).toBe(false);
    const first = await rendered(panel('total').locator('table[data-table="net-new-adding"] tbody tr').first());
    expect(first).toContain('ACMR');
    expect(first).toContain('+$412.5M');
    expect(first).toContain('+2.5M shares');
    expect(first).toContain('+12.5%');
    await page.locator('label[for="nns-group-megaLarge"]').click();
    expect(await panel('megaLarge').isVisible()).toBe(true);
    expect(await panel('total').isVisible()).toBe(false);
    const tiers = await panel('megaLarge').locator('.sub').allInnerTexts();
    expect(tiers.filter((t) => /^(Mega|Large) ·/.test(t)).length).toBeGreaterThan(0);
    expect(tiers.filter((t) => /^(Mid|Small|Micro|Nano) ·/.test(t))).toEqual([]);
    expect(problems).toEqual([]);
    await close();
    // Without JavaScript the switch is the same CSS.
    const noJs = await open('/', { javaScriptEnabled: false });
    await noJs.page.locator('label[for="nns-group-smallMicroNano"]').click();
    const nns = noJs.page.locator('[data-net-new="nns-group"]');
    expect(await nns.locator('.group-panel[data-group="smallMicroNano"]').isVisible()).toBe(true);
    expect(await nns.locator('.group-panel[data-group="total"]').isVisible()).toBe(false);
    await noJs.close();
  });

  it('shows the top lists within each headline group and by P&L % above a floor (rule 9(b)), with and without JavaScript', async () => {
    for (const javaScriptEnabled of [true, false]) {
      const { page, close } = await open('/', { javaScriptEnabled });
      const ytd = page.locator('[data-top-groups="ytd"]');
      expect(await ytd.locator('.group-panel[data-group="total"]').isVisible()).toBe(true);
      await page.locator('label[for="top-group-ytd-smallMicroNano"]').click();
      const small = ytd.locator('.group-panel[data-group="smallMicroNano"]');
      expect(await small.isVisible()).toBe(true);
      expect(await ytd.locator('.group-panel[data-group="total"]').isVisible()).toBe(false);
      const first = await rendered(small.locator('table[data-table="top-winners"] tbody tr').first());
      expect(first).toContain('DYNQ');
      expect(first).toContain('+$88.0M');
      const byPct = page.locator('.panel[data-window="ytd"] [data-top-by-pct]');
      expect(await rendered(byPct.locator('.note'))).toContain('at least $5.0M of short interest');
      expect(await rendered(byPct.locator('table[data-table="top-winners"] tbody tr').first())).toContain('+62.50%');
      await close();
    }
  });

  it('shows rule 13’s figures whole at 360 px: a card per stock, no figure clipped or scrolled away', async () => {
    const { page, close } = await open('/', { viewport: { width: 360, height: 780 } });
    const row = page.locator('.group-panel[data-group="total"] table[data-table="net-new-adding"] tbody tr').first();
    for (const cell of ['td.usd', 'td.pct']) {
      const box = await row.locator(cell).boundingBox();
      expect(box, cell).not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0), cell).toBeLessThanOrEqual(360);
    }
    expect(await rendered(row.locator('td.usd'))).toContain('Net new shorting');
    expect(await rendered(row.locator('td.usd'))).toContain('+$412.5M');
    await close();
  });

  it('draws the charts: bars in the gain and loss colours, and the cumulative lines', async () => {
    const { page, problems, close } = await open('/', { colorScheme: 'light' });
    const bars = await canvasPixels(page, '[data-windowed="tier-window"] .panel[data-window="ytd"] canvas');
    expect(bars.share).toBeGreaterThan(0.05);
    // YTD: three tiers lost (orange bars), three gained (blue bars).
    expect(bars.lossShare).toBeGreaterThan(0.02);
    expect(bars.gainShare).toBeGreaterThan(0.001);
    // Issue 21 item 3: the headline's two groups, then the tiers as a percentage; both drawn.
    for (const n of [0, 1]) {
      const lines = await canvasPixels(page, `#cumulative figure:nth-of-type(${n + 1}) canvas`);
      expect(lines.share, `cumulative chart ${n}`).toBeGreaterThan(0.01);
    }
    const nns = await canvasPixels(page, '#net-new-shorting canvas');
    expect(nns.share).toBeGreaterThan(0.02);
    // Chart.js is fetched only when a chart comes into view, as a separate file.
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((r) => r.name)
        .filter((n) => n.endsWith('.js')),
    );
    expect(scripts.some((s) => /render-chart/.test(s))).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });

  it('renders hostile names as text: no alert, no injected element', async () => {
    const { page, problems, close } = await open('/');
    const text = await rendered(page.locator('main'));
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain("O\"Brien & 'Sons' <Holdings> Ltd.");
    expect(text).toContain('"><img src=x onerror=alert(2)>');
    expect(text).toContain('javascript:alert(document.domain)');
    expect(text).toContain('Tech & "Energy" <i>Holdings</i>');
    const injected = await page.evaluate(() => ({
      inlineScripts: document.querySelectorAll('script:not([src])').length,
      images: document.querySelectorAll('img').length,
      italics: document.querySelectorAll('main i').length,
      jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    }));
    expect(injected).toEqual({ inlineScripts: 0, images: 0, italics: 0, jsLinks: 0 });
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the settlement date of the short interest in effect beside every short interest column', async () => {
    const { page, problems, close } = await open('/');
    // The fixture's file in effect on 14 Jun 2024 settled on 31 May 2024.
    expect(await rendered(page.locator('[data-settlement-note]'))).toBe(
      'Short interest figures from FINRA’s report settled 31 May 2024, the latest in effect on 14 Jun 2024.',
    );
    const visible = {
      crowded: '#crowded',
      // The YTD panel's All U.S. lists (its group switch and the lists by % hold more of the same tables).
      'top-winners': '[data-windowed="top-window"] .panel[data-window="ytd"] .group-panel[data-group="total"]',
      'top-losers': '[data-windowed="top-window"] .panel[data-window="ytd"] .group-panel[data-group="total"]',
      'tier-pnl': '[data-windowed="tier-window"] .panel[data-window="ytd"]',
      'net-new-shorting': '#net-new-shorting',
      sectors: '[data-windowed="sector-window"] .panel[data-window="ytd"]',
    };
    for (const [table, scope] of Object.entries(visible)) {
      const settled = page.locator(`${scope} table[data-table="${table}"] thead .settled`);
      expect(await settled.count(), table).toBe(1);
      expect(await settled.getAttribute('data-settled'), table).toBe('2024-05-31');
      expect(await rendered(settled), table).toMatch(/^(latest )?settled 31 May 2024$/);
    }
    expect(problems).toEqual([]);
    await close();
  });

  it('says when the data is stale (last updated …)', async () => {
    const fresh = await open('/', { at: '2024-06-14T23:05:44Z' });
    expect((await rendered(fresh.page.locator('[data-age]'))).trim()).toBe('(1 h ago)');
    expect(await fresh.page.locator('[data-stale-warning]').isVisible()).toBe(false);
    await fresh.close();
    // The fixture's latest day is sample data, which is not updated daily: it never says the update may have
    // failed (issue 21 item 6; test/site/readers.test.ts shows the warning on real data).
    const stale = await open('/', { at: '2024-06-25T12:00:00Z' });
    expect((await rendered(stale.page.locator('[data-age]'))).trim()).toBe('(10 days ago)');
    expect(await stale.page.locator('[data-stale-warning]').count()).toBe(0);
    await stale.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('archive in Chromium', () => {
  it('lists every published day and links between days', async () => {
    const { page, problems, close } = await open('/archive/');
    // Issue 21 item 10: one month (June 2024), open, each day with its page and its JSON.
    expect(await page.locator('details.archive-month').count()).toBe(1);
    expect(await rendered(page.locator('details.archive-month[open] summary'))).toMatch(/^June 2024\s+5 days/);
    const links = page.locator('table[data-table="archive"] th a');
    expect(await links.count()).toBe(5);
    expect(await page.locator('table[data-table="archive"] a[href="/data/snapshots/2024-06-12.json"]').count()).toBe(1);
    await page.locator('a[href="/archive/2024-06-12/"]').click();
    await page.waitForURL(`${server.url}/archive/2024-06-12/`);
    expect(await rendered(page.locator('h1'))).toBe('Short sellers on Wednesday 12 June 2024');
    expect(await page.locator('a[rel="prev"]').getAttribute('href')).toBe('/archive/2024-06-11/');
    expect(await page.locator('.badge', { hasText: 'Restated' }).count()).toBeGreaterThan(0);
    await page.locator('a[rel="next"]').click();
    await page.waitForURL(`${server.url}/archive/2024-06-13/`);
    expect(await rendered(page.locator('h1'))).toBe('Short sellers on Thursday 13 June 2024');
    await page.goto(`${server.url}/`);
    await page.locator('a', { hasText: 'Permanent page for this day' }).click();
    await page.waitForURL(`${server.url}/archive/2024-06-14/`);
    expect(await page.locator('a[rel="next"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await close();
  });

  it('renders every fixture snapshot (contract: the site parses each published day)', async () => {
    for (const snapshot of fixtureSnapshots()) {
      const { page, problems, close } = await open(`/archive/${snapshot.asOf}/`);
      expect(await rendered(page.locator('[data-headline]'))).toBe(buildHeadline(snapshot).text);
      expect(await page.locator('[data-sample-banner]').count()).toBe(snapshot.sample ? 1 : 0);
      expect(await page.locator(`a[href="/data/snapshots/${snapshot.asOf}.json"]`).count()).toBe(1);
      expect(await page.locator('a[rel="prev"]').count()).toBe(snapshot.asOf === '2024-06-10' ? 0 : 1);
      expect(problems, snapshot.asOf).toEqual([]);
      await close();
    }
  });
});

describe.skipIf(!HAS_CHROMIUM)('other pages, accessibility and small screens', () => {
  const pages = ['/', '/archive/', '/archive/2024-06-11/', '/methodology/', '/api/'];

  it.each(['light', 'dark'] as const)(
    'has no serious or critical axe-core violations (%s mode)',
    async (colorScheme) => {
      // Archive day pages are made of the home page's components and every page shares one stylesheet:
      // light mode checks each kind of page, dark mode (only the colours differ) the home page.
      for (const p of colorScheme === 'light' ? pages.filter((x) => !x.startsWith('/archive/2')) : ['/']) {
        const { page, problems, close } = await open(p, { colorScheme });
        const result = await new AxeBuilder({ page }).analyze();
        const bad = result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(bad, `${p} (${colorScheme})`).toEqual([]);
        expect(problems, p).toEqual([]);
        await close();
      }
    },
    180_000,
  );

  it('fits a 360 px wide screen without horizontal scrolling', async () => {
    for (const p of pages) {
      const { page, close } = await open(p, { viewport: { width: 360, height: 780 } });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, p).toBeLessThanOrEqual(360);
      await close();
    }
  });

  it('renders the methodology from docs/methodology.md, or the fallback, plus sources and limits', async () => {
    const { page, problems, close } = await open('/methodology/');
    const doc = path.join(repoRoot, 'docs', 'methodology.md');
    // Issue 21 item 9: readers first ("How to read these numbers", a table of contents), then the numbered rules.
    expect(await rendered(page.locator('h1'))).toBe('How to read these numbers');
    if (existsSync(doc)) {
      expect(await page.locator('[data-methodology-fallback]').count()).toBe(0);
      const text = await rendered(page.locator('[data-methodology-doc]'));
      for (let n = 1; n <= 13; n++) expect(text).toContain(`Rule ${n} —`);
      expect(text).not.toContain('For developers');
      expect(await page.locator('[data-toc] a[href="#rule-4--short-interest"]').count()).toBe(1);
    } else {
      expect(await page.locator('[data-methodology-fallback]').isVisible()).toBe(true);
    }
    const text = await rendered(page.locator('article'));
    expect(text).toContain('Data sources and attribution');
    expect(await page.locator('article h2', { hasText: /^Known limits$/ }).count()).toBe(1);
    expect(text).toContain('Not investment advice');
    expect(problems).toEqual([]);
    await close();
  });

  it('documents the API with copy-paste curl commands for this site', async () => {
    const { page, close } = await open('/api/');
    const text = await rendered(page.locator('article'));
    expect(text).toContain("curl -s https://pulse.test/data/latest.json | jq '.windows.ytd.groups.total'");
    expect(text).toContain('/data/schema/snapshot.v1.json');
    expect(text).toContain('Access-Control-Allow-Origin: *');
    await close();
  });
});
