/**
 * The daily site build installs `dependencies` only (`npm ci --omit=dev`, infra/constructs/site-build.ts; issue 20
 * item 4), so `dependencies` must be exactly the packages the site build imports: every bare import of the
 * site (site/src, site/astro.config.ts) and of the project code it reaches (shared/), and nothing else (the
 * Lambdas' packages are bundled at synth from the full install: devDependencies).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SITE_SOURCE_PATTERNS } from '../../infra/constructs/site-build.ts';

const root = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs|astro)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Package names of the bare specifiers a file imports (static and dynamic), `node:` and `astro:` left out. */
function packagesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'([^'.][^']*)'/g)].map((m) => m[1]!);
  return specifiers
    .filter((s) => !s.startsWith('node:') && !s.startsWith('astro:') && !s.startsWith('/') && !s.includes('${'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

describe('the site build’s dependencies', () => {
  it('are exactly the packages the site and shared/ import', () => {
    const used = new Set(
      [...files('site/src'), path.join(root, 'site/astro.config.ts'), ...files('shared')].flatMap(packagesOf),
    );
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...used].sort());
    // What it builds from is in the build's source asset (site/, shared/, docs/, the package files).
    for (const kept of ['!/site', '!/shared', '!/docs', '!/package.json', '!/package-lock.json']) {
      expect(SITE_SOURCE_PATTERNS).toContain(kept);
    }
  });
});
