/**
 * Short Pulse public site: fully static. Inputs come from the environment, read here once:
 * - PULSE_DATA_DIR: absolute path of the published data (latest.json, snapshots/, history.json,
 *   schema/); defaults to the test fixtures so a plain `astro build` works in a fresh clone.
 * - PULSE_SITE_URL: absolute URL the site is served from (canonical links, RSS); default localhost.
 * - PULSE_SITE_OUT: output directory (default site/dist).
 * - PULSE_SITE_CACHE: Astro cache directory (lets concurrent builds, e.g. tests, stay apart).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';

const siteRoot = path.dirname(fileURLToPath(import.meta.url));
const fixtureData = path.resolve(siteRoot, '../test/fixtures/site/data');
const dataDir = process.env.PULSE_DATA_DIR || fixtureData;
if (!path.isAbsolute(dataDir)) {
  throw new Error(`PULSE_DATA_DIR must be an absolute path, got ${JSON.stringify(dataDir)}`);
}
if (!existsSync(path.join(dataDir, 'latest.json'))) {
  throw new Error(`PULSE_DATA_DIR ${dataDir}: latest.json not found (expected the publish step's data directory)`);
}
// Content loaders and data endpoints run in this process and read the resolved directory from here.
process.env.PULSE_DATA_DIR = dataDir;

export default defineConfig({
  site: process.env.PULSE_SITE_URL || 'http://localhost:4321',
  outDir: process.env.PULSE_SITE_OUT || './dist',
  ...(process.env.PULSE_SITE_CACHE ? { cacheDir: process.env.PULSE_SITE_CACHE } : {}),
  trailingSlash: 'ignore',
  build: {
    format: 'directory',
    // External stylesheets only: the CSP has no 'unsafe-inline' for styles either.
    inlineStylesheets: 'never',
  },
  devToolbar: { enabled: false },
  // Shiki writes inline style attributes, which the CSP (style-src 'self') refuses: code stays plain.
  markdown: { syntaxHighlight: false },
  vite: {
    build: {
      // Astro inlines small scripts below this limit; inline scripts would violate `script-src 'self'`.
      assetsInlineLimit: 0,
    },
  },
});
