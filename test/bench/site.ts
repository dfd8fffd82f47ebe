/**
 * Part 5: the public site. `pulse sample` + `pulse build` give a data folder, `buildSite` the Astro
 * build (timed: the daily site build of the cost model), `startStaticServer` serves it with the
 * production headers and gzip, and Lighthouse 12 (mobile preset, Debian Chromium) scores the home page
 * and lists every request of its first load (cache cleared), from which the transfer size is summed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { headersForPath } from '../../shared/present/security-headers.ts';
import { buildSite } from '../../site/build.ts';
import { startStaticServer } from '../../site/serve.ts';
import { runChild } from './lib/child.ts';
import { repoRoot } from './lib/inputs.ts';
import { atLeast, atMost, type BenchContext, PartBuilder } from './lib/part.ts';
import { mdTable, type PartResult } from './lib/report.ts';
import { bytes, median, ms, spread } from './lib/stats.ts';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const CHROME_FLAGS =
  '--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync';
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export const SITE_BUDGET = { performance: 98, accessibility: 100, firstLoadBytes: 120_000 } as const;
const PULSE_CLI = path.join(repoRoot, 'functions', 'cli', 'pulse.ts');

interface LighthouseReport {
  lighthouseVersion: string;
  categories: Record<string, { score: number | null }>;
  audits: Record<
    string,
    {
      score: number | null;
      numericValue?: number;
      displayValue?: string;
      title?: string;
      details?: { items?: Record<string, unknown>[] };
    }
  >;
}

interface NetworkRequest {
  url: string;
  resourceType?: string;
  transferSize?: number;
  resourceSize?: number;
  statusCode?: number;
}

function folderStats(dir: string): { files: number; bytes: number } {
  let files = 0;
  let size = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files += 1;
    size += statSync(path.join(e.parentPath, e.name)).size;
  }
  return { files, bytes: size };
}

function lighthouseCli(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('lighthouse/package.json');
    const cli = path.join(path.dirname(pkg), 'cli', 'index.js');
    return existsSync(cli) ? cli : null;
  } catch {
    return null;
  }
}

async function lighthouse(cli: string, url: string, out: string): Promise<LighthouseReport> {
  await run(
    process.execPath,
    [
      cli,
      url,
      '--output=json',
      `--output-path=${out}`,
      `--only-categories=${CATEGORIES.join(',')}`,
      `--chrome-flags=${CHROME_FLAGS}`,
      '--quiet',
    ],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as LighthouseReport;
}

export async function runSitePart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('site');
  const { log, options, tmpDir } = ctx;
  const cli = lighthouseCli();
  if (!existsSync(CHROMIUM)) return part.finish('skipped', `${CHROMIUM} is missing (apt-get install -y chromium)`);

  const sample = path.join(tmpDir, 'site-sample');
  const built = path.join(tmpDir, 'site-built');
  const outDir = path.join(tmpDir, 'site-dist');
  log('  pulse sample + pulse build…');
  const sampleRun = await runChild(PULSE_CLI, ['sample', '--out', sample]);
  const buildRun = await runChild(PULSE_CLI, ['build', '--input', sample, '--out', built]);
  log(`  sample ${ms(sampleRun.wallMs)}, build ${ms(buildRun.wallMs)}; astro build…`);
  mkdirSync(outDir, { recursive: true });
  const siteBuilds: number[] = [];
  // One build is enough for the cost model; a second one shows the spread (Astro's cache is per build).
  for (let i = 0; i < Math.min(2, options.runs); i++) {
    const started = performance.now();
    buildSite({ outDir, dataDir: path.join(built, 'data') });
    siteBuilds.push(performance.now() - started);
  }
  part.figure({ name: 'astro build (sample data, one published day)', value: spread(siteBuilds, ms) });
  if (!cli) {
    part.figure({
      name: 'Lighthouse',
      value: 'not installed (npm install -D -E lighthouse@12.2.3)',
      verdict: 'pending',
    });
    part.data({ siteBuildMs: median(siteBuilds) });
    return part.finish('done', 'lighthouse is not installed');
  }

  const server = await startStaticServer({ root: outDir, port: 0, headers: headersForPath });
  const reports: LighthouseReport[] = [];
  try {
    const runs = Math.max(1, options.runs);
    for (let i = 0; i < options.warmup + runs; i++) {
      const report = await lighthouse(cli, `${server.url}/`, path.join(tmpDir, `lighthouse-${i}.json`));
      const scores = CATEGORIES.map((c) => `${c} ${Math.round((report.categories[c]?.score ?? 0) * 100)}`).join(', ');
      log(`  lighthouse ${i < options.warmup ? 'warm-up' : `run ${i - options.warmup + 1}/${runs}`}: ${scores}`);
      if (i >= options.warmup) reports.push(report);
    }
  } finally {
    await server.close();
  }
  const score = (c: string) => median(reports.map((r) => Math.round((r.categories[c]?.score ?? Number.NaN) * 100)));
  const last = reports.at(-1) as LighthouseReport;
  const requests = (last.audits['network-requests']?.details?.items ?? []) as unknown as NetworkRequest[];
  const transfer = median(
    reports.map((r) =>
      ((r.audits['network-requests']?.details?.items ?? []) as unknown as NetworkRequest[]).reduce(
        (s, q) => s + (q.transferSize ?? 0),
        0,
      ),
    ),
  );
  const perf = score('performance');
  const a11y = score('accessibility');
  part.figure({
    name: 'Lighthouse performance (mobile)',
    value: spread(
      reports.map((r) => Math.round((r.categories.performance?.score ?? 0) * 100)),
      String,
    ),
    budget: '≥ 98',
    verdict: atLeast(perf, SITE_BUDGET.performance),
  });
  part.figure({
    name: 'Lighthouse accessibility',
    value: String(a11y),
    budget: '100',
    verdict: atLeast(a11y, SITE_BUDGET.accessibility),
  });
  part.figure({ name: 'Lighthouse best practices', value: String(score('best-practices')) });
  part.figure({ name: 'Lighthouse SEO', value: String(score('seo')) });
  part.figure({
    name: 'home page first load (compressed transfer)',
    value: `${bytes(transfer)} in ${requests.length} requests`,
    budget: '≤ 120 kB',
    verdict: atMost(transfer, SITE_BUDGET.firstLoadBytes),
  });
  const metric = (id: string) => last.audits[id]?.displayValue ?? '—';
  const failing = Object.entries(last.audits)
    .filter(([, a]) => a.score !== null && a.score < 0.9 && a.title)
    .map(([id, a]) => `\`${id}\` (${a.displayValue ?? `score ${a.score}`})`);
  part.detail(
    [
      `Data: \`pulse sample\` (3,000 generated symbols, one year) built with \`pulse build\`; site: \`buildSite\` into a scratch folder, served by \`startStaticServer\` with the production headers (gzip for text, as CloudFront compresses). Lighthouse ${last.lighthouseVersion}, default mobile preset (simulated slow 4G, 4× CPU slowdown), \`CHROME_PATH=/usr/bin/chromium\`, flags \`${CHROME_FLAGS}\`; ${options.warmup} warm-up + ${reports.length} runs, median score.`,
      '',
      `Lab metrics of the last run: FCP ${metric('first-contentful-paint')}, LCP ${metric('largest-contentful-paint')}, TBT ${metric('total-blocking-time')}, CLS ${metric('cumulative-layout-shift')}, Speed Index ${metric('speed-index')}.`,
      '',
      'First load of `/` (every request, cache cleared; transfer = bytes on the wire, compressed):',
      '',
      mdTable(
        ['Request', 'Type', 'Transfer', 'Uncompressed'],
        requests.map((q) => [
          `\`${new URL(q.url).pathname}\``,
          q.resourceType ?? '',
          bytes(q.transferSize ?? 0),
          bytes(q.resourceSize ?? 0),
        ]),
      ),
      '',
      failing.length > 0
        ? `Audits scoring below 0.9 in the last run: ${failing.join(', ')}.`
        : 'No audit scored below 0.9 in the last run.',
    ].join('\n'),
  );
  const dist = folderStats(outDir);
  const archiveDir = path.join(outDir, 'archive');
  const archivePages = existsSync(archiveDir)
    ? readdirSync(archiveDir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(path.join(archiveDir, e.name, 'index.html')))
        .map((e) => statSync(path.join(archiveDir, e.name, 'index.html')).size)
    : [];
  const data = folderStats(path.join(built, 'data'));
  part.detail(
    `The built site holds ${dist.files} files (${bytes(dist.bytes)}); the data folder the build reads holds ${data.files} files (${bytes(data.bytes)}), for ${readdirSync(path.join(built, 'data', 'snapshots')).length} published day(s). The cost model (part 6) extends both to a year of published days.`,
  );
  part.data({
    siteBuildMs: median(siteBuilds),
    distFiles: dist.files,
    distBytes: dist.bytes,
    dataFiles: data.files,
    snapshots: readdirSync(path.join(built, 'data', 'snapshots')).length,
    archivePageBytes: archivePages.length > 0 ? median(archivePages) : Number.NaN,
    dataBytes: data.bytes,
    firstLoadPaths: requests.map((q) => new URL(q.url).pathname),
    firstLoadBytes: transfer,
    firstLoadRequests: requests.length,
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, score(c)])),
  });
  return part.finish();
}
