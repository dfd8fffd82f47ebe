/**
 * The one infra test that really bundles: synth with NodejsFunction bundling on (local esbuild, no
 * Docker), then check each function's asset is a minified ES module with a source map, carries
 * the AWS SDK inside (no imports left for the runtime to resolve), and loads in a fresh Node
 * process with the environment the stack sets. Skipped, with the reason, until every service
 * module the handlers import exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, type Synthesized, synthShortPulse } from './synth.ts';

const SERVICES = ['deps', 'ingest', 'compute', 'publish'].map((m) => `functions/pipeline/${m}.ts`);
const missing = SERVICES.filter((file) => !existsSync(path.join(repoRoot, file)));
if (missing.length > 0) console.warn(`bundling.test.ts skipped: missing ${missing.join(', ')}`);

const STEPS = ['ingest', 'compute', 'publish'] as const;

describe.skipIf(missing.length > 0)('Lambda bundles', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthShortPulse({ bundling: true });
  });
  afterAll(() => s?.cleanup());

  /** The bundled `index.mjs` of a step's function, found through the template's asset key. */
  function bundle(step: (typeof STEPS)[number]): string {
    const fn = s.stacks.pipeline.functions[step].function;
    const logicalId = s.stacks.pipeline.getLogicalId(fn.node.defaultChild as never);
    const key = s.pipeline.toJSON().Resources[logicalId].Properties.Code.S3Key as string;
    return path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
  }

  it.each(STEPS)('%s is a minified ES module with a source map, and calls no require()', (step) => {
    const file = bundle(step);
    const code = readFileSync(file, 'utf8');
    // esbuild turns a CommonJS require() it cannot resolve at build time into a shim that throws
    // "Dynamic require of … is not supported" in an ES module: none may be left (the bundle has no
    // createRequire banner since Powertools Tracer and its X-Ray SDK are gone).
    expect(code).not.toContain('Dynamic require of');
    expect(existsSync(`${file}.map`)).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    // Minified: long lines (newlines left only inside template literals), not ~40 characters a line.
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    const sourceMap = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(sourceMap.sources.some((src) => src.endsWith(`functions/${step}/handler.ts`))).toBe(true);
    expect(sourceMap.sourcesContent).toBeUndefined();
    console.info(`${step}: ${(statSync(file).size / 1024).toFixed(0)} KiB`);
  });

  it.each(STEPS)('%s bundles the AWS SDK v3 instead of importing the runtime’s copy', (step) => {
    const code = readFileSync(bundle(step), 'utf8');
    // Anything not bundled survives as an import statement: only Node built-ins may.
    const specifiers = [...code.matchAll(/(?:^|[;}])import\s*[\w{},*\s$]*from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((spec) => !spec?.startsWith('node:'))).toEqual([]);
    expect(code.includes('DynamoDBClient')).toBe(true);
    expect(code.includes('S3Client')).toBe(true);
  });

  it.each(STEPS)('%s loads in a fresh Node process, outside the repository (no node_modules)', (step) => {
    expect(path.relative(repoRoot, bundle(step)).startsWith('..')).toBe(true);
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundle(step))}); console.log(typeof m.handler);`,
      ],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          TABLE_NAME: 'table',
          RAW_BUCKET: 'raw',
          SITE_BUCKET: 'site',
          POWERTOOLS_SERVICE_NAME: 'short-pulse',
          POWERTOOLS_METRICS_NAMESPACE: 'ShortPulse',
        },
        cwd: path.dirname(bundle(step)),
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('function');
  });
});
