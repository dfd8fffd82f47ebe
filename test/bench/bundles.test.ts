/**
 * The bundle benchmark's helpers (test/bench/bundles.ts): that it still bundles the way infra does,
 * how bundled inputs are named by package, and how a CPU profile of an import is attributed to
 * packages through the bundle's source map (a real esbuild bundle, a hand-made profile).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { infraBundlingDrift, initByPackage, OUTSIDE_BUNDLE, packageOf } from './bundles.ts';
import { repoRoot } from './lib/inputs.ts';

describe('infraBundlingDrift', () => {
  const construct = readFileSync(path.join(repoRoot, 'infra/constructs/pulse-function.ts'), 'utf8');

  it('finds every LAMBDA_BUNDLE field passed to NodejsFunction by the construct', () => {
    expect(infraBundlingDrift(construct)).toEqual([]);
  });

  it('names the fields the construct no longer takes from LAMBDA_BUNDLE', () => {
    const edited = construct
      .replace('minify: LAMBDA_BUNDLE.minify', 'minify: false')
      .replace('sourcesContent: LAMBDA_BUNDLE.sourcesContent', 'sourcesContent: true');
    expect(infraBundlingDrift(edited)).toEqual(['minify', 'sourcesContent']);
  });
});

describe('packageOf', () => {
  it.each([
    ['node_modules/@aws-sdk/client-s3/dist-es/S3Client.js', '@aws-sdk/client-s3'],
    ['node_modules/semver/classes/range.js', 'semver'],
    ['node_modules/aws-xray-sdk-core/node_modules/semver/index.js', 'semver'],
    ['node_modules/zod/v4/core/schemas.js', 'zod/v4/core'],
    ['node_modules/zod/v4/locales/fr.js', 'zod/v4/locales'],
    ['functions/lib/events.ts', 'functions/lib'],
    ['shared/calendar.ts', 'shared/calendar.ts'],
  ])('%s → %s', (input, expected) => {
    expect(packageOf(input)).toBe(expected);
  });
});

describe('initByPackage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bundles-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('attributes samples in the import window to the package of the running function, via the source map', async () => {
    for (const name of ['alpha', 'beta']) {
      mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
      writeFileSync(
        path.join(dir, 'node_modules', name, 'index.js'),
        `export function ${name}Work(n) {\n  let s = 0;\n  for (let i = 0; i < n; i++) s += i;\n  return s;\n}\n`,
      );
    }
    writeFileSync(
      path.join(dir, 'entry.js'),
      "import { alphaWork } from 'alpha';\nimport { betaWork } from 'beta';\nexport const r = alphaWork(3) + betaWork(4);\n",
    );
    const bundleFile = path.join(dir, 'out', 'index.mjs');
    await esbuild.build({
      entryPoints: [path.join(dir, 'entry.js')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: true,
      outfile: bundleFile,
      logLevel: 'silent',
    });
    const code = readFileSync(bundleFile, 'utf8');
    const at = (needle: string) => {
      const before = code.slice(0, code.indexOf(needle)).split('\n');
      return { lineNumber: before.length - 1, columnNumber: (before.at(-1) ?? '').length };
    };
    const url = `file://${bundleFile}`;
    const frame = (id: number, functionName: string, where: { lineNumber: number; columnNumber: number }, u = url) => ({
      id,
      callFrame: { functionName, url: u, ...where },
    });
    const profile = {
      nodes: [
        frame(1, 'alphaWork', at('function alphaWork')),
        frame(2, 'betaWork', at('function betaWork')),
        frame(3, '(garbage collector)', { lineNumber: -1, columnNumber: -1 }, ''),
        frame(4, 'compileSourceTextModule', { lineNumber: 316, columnNumber: 0 }, 'node:internal/modules/esm/utils'),
        frame(5, '', { lineNumber: 0, columnNumber: 0 }),
      ],
      startTime: 1000,
      // Samples at 1000, 1100, …, 1600 µs; each stands for the 100 µs until the next.
      samples: [1, 1, 2, 3, 4, 5, 1],
      timeDeltas: [0, 100, 100, 100, 100, 100, 100],
    };
    const sourceMap = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
    // The import ran from 1000 to 1500 µs: the last sample (1600) is after it.
    const totals = initByPackage(profile, bundleFile, sourceMap, 1000, 1500);
    expect(Object.fromEntries(totals)).toEqual({
      alpha: 0.2,
      beta: 0.1,
      [OUTSIDE_BUNDLE.v8]: 0.1,
      [OUTSIDE_BUNDLE.node]: 0.1,
      [OUTSIDE_BUNDLE.topLevel]: 0.1,
    });
  });
});
