/**
 * Builds the site programmatically (tests, screenshots, the local runner): runs the Astro CLI with
 * this Node in a child process. Each build runs from its own scratch working directory under
 * site/.astro/ (git-ignored) so that concurrent builds never share Astro's intermediate folders
 * (Astro puts them under the working directory when the output directory lies outside it), while
 * the intermediate server chunks still resolve the repository's node_modules.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildSiteOptions {
  /** Absolute output directory. */
  outDir: string;
  /** Absolute data directory (PULSE_DATA_DIR); default: the test fixtures. */
  dataDir?: string;
  /** Absolute site URL (PULSE_SITE_URL); default http://localhost:4321. */
  siteUrl?: string;
}

export class SiteBuildError extends Error {
  readonly status: number | null;
  readonly output: string;
  constructor(status: number | null, output: string) {
    super(`astro build failed with status ${status}:\n${output.slice(-4000)}`);
    this.name = 'SiteBuildError';
    this.status = status;
    this.output = output;
  }
}

export const SITE_ROOT = path.dirname(fileURLToPath(import.meta.url));

export function buildSite(options: BuildSiteOptions): void {
  const astroBin = path.join(
    path.dirname(createRequire(import.meta.url).resolve('astro/package.json')),
    'bin',
    'astro.mjs',
  );
  const scratchParent = path.join(SITE_ROOT, '.astro', 'builds');
  mkdirSync(scratchParent, { recursive: true });
  const scratch = mkdtempSync(path.join(scratchParent, 'build-'));
  mkdirSync(options.outDir, { recursive: true });
  const { PULSE_DATA_DIR: _data, PULSE_SITE_URL: _url, ...env } = process.env;
  try {
    const result = spawnSync(process.execPath, [astroBin, 'build', '--root', SITE_ROOT], {
      cwd: scratch,
      encoding: 'utf8',
      env: {
        ...env,
        ...(options.dataDir ? { PULSE_DATA_DIR: options.dataDir } : {}),
        ...(options.siteUrl ? { PULSE_SITE_URL: options.siteUrl } : {}),
        PULSE_SITE_OUT: options.outDir,
        PULSE_SITE_CACHE: path.join(scratch, 'cache'),
        ASTRO_TELEMETRY_DISABLED: '1',
      },
    });
    if (result.status !== 0) throw new SiteBuildError(result.status, `${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
