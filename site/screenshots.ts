/**
 * `npm run screenshots`: builds the site (from PULSE_DATA_DIR or the fixtures) into a temporary
 * directory, serves it with the production headers and writes the top of the home page at desktop
 * and mobile sizes to docs/screenshots/home-desktop.png and home-mobile.png (Debian Chromium,
 * headless; the clock is set to an hour after the snapshot was generated).
 * Options: `--dist DIR` to shoot an existing build instead of building.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { SnapshotSchema } from '../shared/snapshot/schema.ts';
import { buildSite } from './build.ts';
import { startStaticServer } from './serve.ts';

const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const siteDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(siteDir, '..');
const outDir = path.join(repoRoot, 'docs', 'screenshots');

/** Scrolls through the page so every lazily drawn chart in view gets drawn, then back to the top. */
export async function drawAllCharts(page: Page): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const step = await page.evaluate(() => window.innerHeight);
  for (let y = 0; y < height; y += step) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await page.waitForTimeout(60);
  }
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(200);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  const distFlag = process.argv.indexOf('--dist');
  let dist = distFlag > 0 ? path.resolve(process.argv[distFlag + 1] ?? '') : '';
  let tmp: string | undefined;
  if (!dist) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pulse-shots-'));
    dist = path.join(tmp, 'dist');
    buildSite({ outDir: dist, ...(process.env.PULSE_DATA_DIR ? { dataDir: process.env.PULSE_DATA_DIR } : {}) });
  }
  // Shoot the page as a visitor sees it an hour after publication (not "N days old").
  const latest = SnapshotSchema.parse(JSON.parse(readFileSync(path.join(dist, 'data', 'latest.json'), 'utf8')));
  const viewedAt = new Date(Date.parse(latest.generatedAt) + 3_600_000);
  const server = await startStaticServer({ root: dist, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    mkdirSync(outDir, { recursive: true });
    const shots = [
      // Tall viewports: the headline, key figures, tier chart and table, and the cumulative chart.
      { file: 'home-desktop.png', viewport: { width: 1280, height: 2000 }, scale: 1 },
      { file: 'home-mobile.png', viewport: { width: 360, height: 1600 }, scale: 2 },
    ];
    for (const shot of shots) {
      const context = await browser.newContext({
        viewport: shot.viewport,
        deviceScaleFactor: shot.scale,
        colorScheme: 'light',
        reducedMotion: 'reduce',
      });
      const page = await context.newPage();
      await page.clock.setFixedTime(viewedAt);
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await drawAllCharts(page);
      const target = path.join(outDir, shot.file);
      await page.screenshot({ path: target });
      process.stdout.write(`wrote ${path.relative(repoRoot, target)}\n`);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
