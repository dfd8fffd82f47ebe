/**
 * How every pipeline Lambda is bundled, in esbuild's own terms. infra/constructs/pulse-function.ts
 * hands these to NodejsFunction (which runs esbuild with them) and test/bench/bundles.ts passes them
 * to esbuild directly, so the benchmarked bundle is the deployed one. No CDK import here: the
 * benchmark loads this file without aws-cdk-lib.
 */
export const LAMBDA_BUNDLE = {
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer the ES module builds of the SDK and middy so esbuild can tree-shake them. No
  // CommonJS dependency calls require() any more (the X-Ray SDK under Powertools Tracer did), so the
  // bundle needs no createRequire banner; test/infra/bundling.test.ts checks that esbuild left no
  // require shim in it.
  mainFields: ['module', 'main'],
  // Nothing external, the AWS SDK v3 included, although the Node 24 runtime ships one: a pinned,
  // tested version (the lockfile's), tree-shaken to the commands used (docs/architecture.md). The
  // benchmark's "SDK alone" bundle is bundled the same way, so the size and init ratios compare
  // like with like.
  external: [] as string[],
} as const;
