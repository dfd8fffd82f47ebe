/**
 * The `build-site` step on one machine: what the CodeBuild project does in AWS. Copies what publish wrote
 * to the site bucket (`data/…`, `rss.xml`) to a local folder, runs the Astro build on it, and puts
 * publish's `rss.xml` beside the pages. Skipped when neither the published data nor the site's sources
 * changed since the last build, so a second `npm start` serves at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSite, SITE_ROOT } from '../../site/build.ts';
import type { ObjectStore } from '../adapters/ports.ts';

/** The site as the local run reaches it: built here, served by site/serve.ts (one entry, issue 12 item 5). */
export { type StaticServer, startStaticServer } from '../../site/serve.ts';

import { SITE_HISTORY_KEY, SITE_LATEST_KEY, SITE_RSS_KEY } from '../pipeline/keys.ts';

export interface SiteBuildResult {
  /** The built site (served as it is). */
  outDir: string;
  /** False when the previous build was still current. */
  built: boolean;
  /** Objects copied from the site bucket (0 when skipped). */
  exported: number;
}

/** Nothing was published yet: there is no data to build a page from. */
export class NothingPublishedError extends Error {
  readonly field = 'data/latest.json';
  constructor(bucket: string) {
    super(`s3://${bucket}/${SITE_LATEST_KEY} does not exist: no day was published, so there is no site to build`);
    this.name = 'NothingPublishedError';
  }
}

const REPO_ROOT = path.resolve(SITE_ROOT, '..');

/** Size and mtime of every file the site is built from (its sources and the methodology text). */
function sourcesStamp(): string {
  const hash = createHash('sha256');
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const name of readdirSync(p).sort())
        if (name !== 'node_modules' && name !== '.astro') walk(path.join(p, name));
    } else {
      hash.update(`${path.relative(REPO_ROOT, p)}:${s.size}:${s.mtimeMs}\n`);
    }
  };
  for (const p of ['site/src', 'site/public', 'site/astro.config.ts', 'shared/present', 'docs/methodology.md']) {
    walk(path.join(REPO_ROOT, p));
  }
  return hash.digest('hex');
}

/**
 * Every publish rewrites history.json (its generatedAt follows the newest snapshot) and latest.json or
 * rss.xml, so these three identify what the site bucket holds without reading every snapshot.
 */
async function publishedStamp(site: ObjectStore): Promise<string | null> {
  const objects = await Promise.all([SITE_LATEST_KEY, SITE_HISTORY_KEY, SITE_RSS_KEY].map((k) => site.get(k)));
  if (!objects[0]) return null;
  const hash = createHash('sha256');
  for (const o of objects) hash.update(o ? o.bytes : new Uint8Array()).update('\0');
  return hash.digest('hex');
}

export async function buildLocalSite(options: {
  site: ObjectStore;
  stateDir: string;
  siteUrl: string;
}): Promise<SiteBuildResult> {
  const outDir = path.join(options.stateDir, 'site');
  const exportDir = path.join(options.stateDir, 'site-data');
  const stampFile = path.join(options.stateDir, 'site-build.json');
  const published = await publishedStamp(options.site);
  if (published === null) throw new NothingPublishedError(options.site.bucket);
  const stamp = { published, sources: sourcesStamp(), siteUrl: options.siteUrl };
  if (existsSync(stampFile) && existsSync(path.join(outDir, 'index.html'))) {
    try {
      const previous = JSON.parse(readFileSync(stampFile, 'utf8')) as typeof stamp;
      if (
        previous.published === stamp.published &&
        previous.sources === stamp.sources &&
        previous.siteUrl === stamp.siteUrl
      ) {
        return { outDir, built: false, exported: 0 };
      }
    } catch {
      // An unreadable stamp only means building again.
    }
  }

  rmSync(exportDir, { recursive: true, force: true });
  const keys = [...(await options.site.list('data/')).map((o) => o.key), SITE_RSS_KEY];
  let exported = 0;
  for (let i = 0; i < keys.length; i += 16) {
    const objects = await Promise.all(keys.slice(i, i + 16).map((k) => options.site.get(k)));
    for (const o of objects) {
      if (!o) continue;
      const target = path.join(exportDir, ...o.key.split('/'));
      if (!target.startsWith(exportDir + path.sep)) continue;
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, o.bytes);
      exported++;
    }
  }
  rmSync(stampFile, { force: true });
  rmSync(outDir, { recursive: true, force: true });
  // The site renders /rss.xml itself from the published snapshots (their `publishedAt` is the items' pubDate), for
  // this run's origin: publish's rss.xml names the origin of the run that published (issue 21 item 12: a
  // port or origin change must not leave the feed pointing at the old one).
  buildSite({ outDir, dataDir: path.join(exportDir, 'data'), siteUrl: options.siteUrl });
  writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  return { outDir, built: true, exported };
}
