/**
 * One Astro build of the site in this process (part 5), through Astro's programmatic `build`, so that the
 * peak RSS measured is the build's own (`buildSite` runs the CLI in a grandchild, which the rusage preload
 * cannot see): `site-build.ts DATA_DIR OUT_DIR`, the environment `buildSite` sets. Prints `BENCH {"ms": …}`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SITE_ROOT } from '../../../site/build.ts';

const [dataDir, outDir] = process.argv.slice(2);
if (!dataDir || !outDir) throw new Error('usage: site-build.ts DATA_DIR OUT_DIR');
const scratchParent = path.join(SITE_ROOT, '.astro', 'builds');
mkdirSync(scratchParent, { recursive: true });
const scratch = mkdtempSync(path.join(scratchParent, 'bench-'));
mkdirSync(outDir, { recursive: true });
Object.assign(process.env, {
  PULSE_DATA_DIR: path.resolve(dataDir),
  PULSE_SITE_OUT: path.resolve(outDir),
  PULSE_SITE_CACHE: path.join(scratch, 'cache'),
  ASTRO_TELEMETRY_DISABLED: '1',
});
process.chdir(scratch);
const started = performance.now();
try {
  const { build } = await import('astro');
  await build({ root: SITE_ROOT, logLevel: 'error' });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`BENCH ${JSON.stringify({ ms: performance.now() - started })}`);
