/**
 * Part 4: each Lambda handler bundled with esbuild with the options infra gives NodejsFunction
 * (infra/lambda-bundle.ts, shared), its minified size and its cold init (importing the bundle in a
 * fresh Node process with a Lambda-like environment), next to a bundle of the same AWS SDK imports
 * alone, bundled the same way. The esbuild metafile names what each bundle is made of, and a CPU
 * profile of the import, mapped through the bundle's source map, names the packages init spends
 * its time in.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { PIPELINE_STEPS } from '../../functions/pipeline/steps.ts';
import { LAMBDA_BUNDLE } from '../../infra/lambda-bundle.ts';
import { type ChildRun, runChild } from './lib/child.ts';
import { repoRoot } from './lib/inputs.ts';
import { atMost, type BenchContext, PartBuilder } from './lib/part.ts';
import { mdTable, type PartResult } from './lib/report.ts';
import { bytes, median, ms, ratio, spread } from './lib/stats.ts';

export const BUNDLE_BUDGET = { sizeRatio: 1.3, initRatio: 1.2 } as const;
const CONSTRUCT = path.join(repoRoot, 'infra', 'constructs', 'pulse-function.ts');
const IMPORT_CHILD = path.join(import.meta.dirname, 'children', 'import-bundle.ts');
/** Cold init is short and noisy: more runs than the other figures. */
const INIT_RUNS = 9;
/** CPU profiles per handler; the per-package figures are their median. */
const PROFILE_RUNS = 3;

/**
 * The construct must pass every LAMBDA_BUNDLE field to NodejsFunction (it maps them by hand, since
 * CDK names some differently): the fields it does not mention, so the report can say the benchmark
 * may no longer bundle like infra.
 */
export function infraBundlingDrift(constructSource: string): string[] {
  const expected: [RegExp, string][] = [
    [/format:\s*OutputFormat\.ESM/, 'format ESM'],
    [/target:\s*LAMBDA_BUNDLE\.target/, 'target'],
    [/platform:\s*LAMBDA_BUNDLE\.platform/, 'platform'],
    [/minify:\s*LAMBDA_BUNDLE\.minify/, 'minify'],
    [/sourceMap:\s*LAMBDA_BUNDLE\.sourcemap/, 'source map'],
    [/sourcesContent:\s*LAMBDA_BUNDLE\.sourcesContent/, 'sourcesContent'],
    [/mainFields:\s*\[\.\.\.LAMBDA_BUNDLE\.mainFields\]/, 'mainFields'],
    [/bundleAwsSDK:\s*true/, 'bundleAwsSDK'],
    [/externalModules:\s*\[\.\.\.LAMBDA_BUNDLE\.external\]/, 'external modules'],
  ];
  return expected.filter(([re]) => !re.test(constructSource)).map(([, what]) => what);
}

/** esbuild options equal to what NodejsFunction runs for LAMBDA_BUNDLE. */
function esbuildOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    platform: LAMBDA_BUNDLE.platform,
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    external: [...LAMBDA_BUNDLE.external],
  };
}

interface Bundle {
  file: string;
  bytes: number;
  metafile: esbuild.Metafile;
}

async function bundle(entry: string, outDir: string, stdin?: string): Promise<Bundle> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'index.mjs');
  const result = await esbuild.build({
    ...esbuildOptions(),
    ...(stdin === undefined
      ? { entryPoints: [entry] }
      : { stdin: { contents: stdin, resolveDir: repoRoot, sourcefile: entry, loader: 'ts' } }),
    absWorkingDir: repoRoot,
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  return { file: outfile, bytes: statSync(outfile).size, metafile: result.metafile };
}

/** Named runtime imports from `@aws-sdk/*` in the project files a bundle contains (type-only imports excluded). */
export function sdkImports(metafile: esbuild.Metafile): Map<string, Set<string>> {
  const byModule = new Map<string, Set<string>>();
  for (const input of Object.keys(metafile.inputs)) {
    if (input.includes('node_modules') || !/\.ts$/.test(input)) continue;
    const source = readFileSync(path.join(repoRoot, input), 'utf8');
    for (const m of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/[^']+)'/g)) {
      if (m[1]) continue;
      const names = (m[2] ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '' && !n.startsWith('type '))
        .map((n) => n.split(/\s+as\s+/)[0]?.trim() ?? n);
      const set = byModule.get(m[3] as string) ?? new Set<string>();
      for (const n of names) set.add(n);
      byModule.set(m[3] as string, set);
    }
  }
  return byModule;
}

/**
 * An entry that imports exactly those SDK names, constructs each client once (the handlers build
 * theirs at init) and exports everything so nothing is tree-shaken away.
 */
export function sdkOnlyEntry(imports: Map<string, Set<string>>): string {
  const lines: string[] = [];
  const exported: string[] = [];
  for (const [module, names] of [...imports].sort()) {
    const list = [...names].sort();
    lines.push(`import { ${list.join(', ')} } from '${module}';`);
    exported.push(...list);
  }
  const all = new Set(exported);
  if (all.has('S3Client')) lines.push('export const s3 = new S3Client({});');
  if (all.has('DynamoDBClient')) {
    lines.push(
      all.has('DynamoDBDocumentClient')
        ? 'export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));'
        : 'export const dynamo = new DynamoDBClient({});',
    );
  }
  lines.push(`export { ${exported.join(', ')} };`);
  return `${lines.join('\n')}\n`;
}

/** The package (under node_modules) or project folder (two levels) a bundled input came from. */
export function packageOf(input: string): string {
  const nm = input.lastIndexOf('node_modules/');
  if (nm < 0) return input.split('/').slice(0, 2).join('/');
  const rest = input.slice(nm + 'node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
  // zod ships its classic and mini APIs as folders of one package: tell them apart.
  return name === 'zod' && rest[1] === 'v4' ? `zod/v4/${rest[2]}` : name;
}

/** Output bytes by package (node_modules) or project folder, largest first. */
export function contributors(metafile: esbuild.Metafile): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + info.bytesInOutput);
    }
  }
  return [...totals].map(([name, b]) => ({ name, bytes: b })).sort((a, b) => b.bytes - a.bytes);
}

/** One small schema bundled with each zod import style: how much of the bundle the import itself decides. */
async function zodImportStyles(tmpDir: string): Promise<{ label: string; bytes: number }[]> {
  const body =
    "export const s = z.object({ a: z.string(), b: z.number() });\nexport const r = s.safeParse({ a: 'x', b: 1 });\n";
  const styles = [
    { label: "import { z } from 'zod'", head: "import { z } from 'zod';" },
    { label: "import * as z from 'zod'", head: "import * as z from 'zod';" },
    { label: "import * as z from 'zod/mini'", head: "import * as z from 'zod/mini';" },
    // The project's own: zod/mini with zod's English messages registered (what every schema imports).
    { label: "import * as z from './shared/zod.ts'", head: "import * as z from './shared/zod.ts';" },
  ];
  const out: { label: string; bytes: number }[] = [];
  for (const [i, st] of styles.entries()) {
    const b = await bundle(`zod-style-${i}.ts`, path.join(tmpDir, 'bundles', `zod-${i}`), `${st.head}\n${body}`);
    out.push({ label: st.label, bytes: b.bytes });
  }
  return out;
}

/** The environment Lambda gives a function (plus what infra sets), so init does what it does there. */
function lambdaEnv(step: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: `bench-${step}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    TABLE_NAME: 'table',
    RAW_BUCKET: 'raw',
    SITE_BUCKET: 'site',
    POWERTOOLS_SERVICE_NAME: 'short-pulse',
    POWERTOOLS_METRICS_NAMESPACE: 'ShortPulse',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

function importBundle(file: string, step: string, nodeArgs: string[] = []): Promise<ChildRun> {
  return runChild(IMPORT_CHILD, [pathToFileURL(file).href], {
    nodeArgs,
    env: lambdaEnv(step),
    cwd: path.dirname(file),
  });
}

interface InitSample {
  wallMs: number;
  cpuMs: number;
}

/**
 * Handler and SDK-alone imports alternate (after one warm-up of each), so a change in the machine's
 * load during the series weighs on both sides of the ratio alike.
 */
async function initSeries(
  ctx: BenchContext,
  step: string,
  handlerFile: string,
  baselineFile: string,
): Promise<{ handler: InitSample[]; baseline: InitSample[] }> {
  const runs = Math.max(INIT_RUNS, ctx.options.runs);
  const handler: InitSample[] = [];
  const baseline: InitSample[] = [];
  const sample = (r: ChildRun): InitSample => ({
    wallMs: Number(r.report?.importMs ?? Number.NaN),
    cpuMs: Number(r.report?.importCpuMs ?? Number.NaN),
  });
  for (let i = 0; i <= runs; i++) {
    const h = sample(await importBundle(handlerFile, step));
    const b = sample(await importBundle(baselineFile, step));
    if (i === 0) continue;
    handler.push(h);
    baseline.push(b);
    ctx.log(`  ${step}: init ${i}/${runs} ${ms(h.wallMs)} (SDK alone ${ms(b.wallMs)})`);
  }
  return { handler, baseline };
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfileData {
  nodes: CpuProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const OUTSIDE_BUNDLE = {
  v8: '(V8: garbage collection, other native work)',
  // V8 parses and compiles the bundle under Node's compileSourceTextModule, so that time lands here.
  node: '(Node.js: reading and compiling the bundle, built-ins)',
  topLevel: "(the bundle's module top level)",
  idle: '(idle: waiting on file reads)',
} as const;

/**
 * Self time of the samples taken during the import (`fromUs`–`toUs`, V8's monotonic clock), by the
 * package or project folder the running function came from, found through the bundle's source map.
 * Time outside the bundle's own functions goes under the OUTSIDE_BUNDLE labels.
 */
export function initByPackage(
  profile: CpuProfileData,
  bundleFile: string,
  sourceMap: SourceMap,
  fromUs: number,
  toUs: number,
): Map<string, number> {
  const bundleUrl = pathToFileURL(bundleFile).href;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const labelOf = new Map<number, string>();
  const label = (node: CpuProfileNode): string => {
    const f = node.callFrame;
    if (f.url === bundleUrl) {
      if (f.functionName === '' && f.lineNumber === 0 && f.columnNumber === 0) return OUTSIDE_BUNDLE.topLevel;
      const entry = sourceMap.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string };
      if (!entry.originalSource) return OUTSIDE_BUNDLE.topLevel;
      const source = entry.originalSource.startsWith('file:')
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(bundleFile), entry.originalSource);
      return packageOf(path.relative(repoRoot, source));
    }
    if (f.url.startsWith('node:')) return OUTSIDE_BUNDLE.node;
    if (f.functionName === '(idle)') return OUTSIDE_BUNDLE.idle;
    return OUTSIDE_BUNDLE.v8;
  };
  const totals = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const dt = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    if (at < fromUs || at > toUs) continue;
    const id = profile.samples[i] as number;
    let name = labelOf.get(id);
    if (name === undefined) {
      const node = nodes.get(id);
      name = node ? label(node) : OUTSIDE_BUNDLE.v8;
      labelOf.set(id, name);
    }
    totals.set(name, (totals.get(name) ?? 0) + dt / 1000);
  }
  return totals;
}

/** Median per-package init of `runs` profiled imports of a bundle. */
async function profiledInit(tmpDir: string, file: string, step: string, runs: number): Promise<Map<string, number>> {
  const dir = path.join(tmpDir, 'init-profile', `${step}-${path.basename(path.dirname(file))}`);
  const sourceMap = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  const perRun: Map<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const r = await importBundle(file, step, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250']);
    const prof = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
    if (!prof) continue;
    const profile = JSON.parse(readFileSync(path.join(dir, prof), 'utf8')) as CpuProfileData;
    perRun.push(
      initByPackage(profile, file, sourceMap, Number(r.report?.importStartUs), Number(r.report?.importEndUs)),
    );
  }
  const names = new Set(perRun.flatMap((m) => [...m.keys()]));
  return new Map([...names].map((n) => [n, median(perRun.map((m) => m.get(n) ?? 0))]));
}

/** What a handler carries beyond the SDK, by purpose: the packages behind each group are named. */
const GROUPS: { name: string; match: (pkg: string) => boolean }[] = [
  { name: 'zod', match: (p) => p.startsWith('zod') },
  // Gone since issue 20 item 7; named so that a bundle that carries them again says so.
  {
    name: 'Powertools Tracer + X-Ray SDK',
    match: (p) =>
      [
        '@aws-lambda-powertools/tracer',
        'aws-xray-sdk-core',
        'semver',
        'cls-hooked',
        'async-hook-jl',
        'emitter-listener',
        'shimmer',
        'stack-chain',
      ].includes(p),
  },
  { name: 'Powertools Logger, Metrics, commons', match: (p) => p.startsWith('@aws-lambda-powertools/') },
  { name: 'middy', match: (p) => p.startsWith('@middy/') },
  { name: 'ajv (runtime, formats)', match: (p) => p.startsWith('ajv') || p === 'fast-uri' },
  { name: 'project code (functions/, shared/)', match: (p) => p.startsWith('functions/') || p.startsWith('shared/') },
];

function beyondSdk(
  handler: esbuild.Metafile,
  baseline: esbuild.Metafile,
): { group: string; bytes: number; packages: string[] }[] {
  const sdk = new Set(contributors(baseline).map((c) => c.name));
  const out = new Map<string, { bytes: number; packages: Set<string> }>();
  for (const c of contributors(handler)) {
    if (c.bytes === 0) continue;
    const group = sdk.has(c.name)
      ? 'AWS SDK (more of it than the clients alone use)'
      : (GROUPS.find((g) => g.match(c.name))?.name ?? 'other');
    const entry = out.get(group) ?? { bytes: 0, packages: new Set<string>() };
    entry.bytes += sdk.has(c.name)
      ? c.bytes - (contributors(baseline).find((b) => b.name === c.name)?.bytes ?? 0)
      : c.bytes;
    if (!sdk.has(c.name)) entry.packages.add(c.name);
    out.set(group, entry);
  }
  return [...out]
    .map(([group, e]) => ({ group, bytes: e.bytes, packages: [...e.packages] }))
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * The bundles at two earlier points, measured by this benchmark on the shared machine (sizes exact; init is
 * that run's wall-time median; dd4bf45 measured with `--runs 21`, load average 3.9 on 2 CPUs): before issue 7's bundle work (commit 5282753, docs/benchmarks.md of that
 * commit: every schema file wrote `import { z } from 'zod'`, so all of zod's locales were bundled, and
 * publish carried ajv's compiler), and before issue 20 item 7 (commit dd4bf45: classic zod, Powertools
 * Tracer, Logger and Metrics, publish's generated ajv validator and run-time JSON Schemas).
 */
export const EARLIER_BUNDLES: readonly {
  commit: string;
  baselineBytes: number;
  steps: Record<string, { bytes: number; initRatio: number }>;
}[] = [
  {
    commit: '5282753',
    baselineBytes: 489_900,
    steps: {
      ingest: { bytes: 1_174_209, initRatio: 2.45 },
      compute: { bytes: 1_183_019, initRatio: 1.77 },
      publish: { bytes: 1_317_791, initRatio: 2.13 },
    },
  },
  {
    commit: 'dd4bf45',
    baselineBytes: 489_186,
    steps: {
      ingest: { bytes: 873_661, initRatio: 1.52 },
      compute: { bytes: 892_944, initRatio: 1.49 },
      publish: { bytes: 1_022_521, initRatio: 1.76 },
    },
  },
];

function beforeAfter(done: StepResult[]): string {
  const rows = done.map((d) => {
    const initRatio = median(d.init.handler.map((x) => x.wallMs)) / median(d.init.baseline.map((x) => x.wallMs));
    const earlier = EARLIER_BUNDLES.map((e) => ({ e, s: e.steps[d.step] }));
    return [
      d.step,
      ...earlier.map(({ e, s }) => (s ? `${bytes(s.bytes)} (${ratio(s.bytes / e.baselineBytes)})` : '–')),
      `${bytes(d.handler.bytes)} (${ratio(d.handler.bytes / d.baseline.bytes)})`,
      ...earlier.map(({ s }) => (s ? ratio(s.initRatio) : '–')),
      ratio(initRatio),
    ];
  });
  const commits = EARLIER_BUNDLES.map((e) => e.commit);
  return [
    `### The bundles before and after the bundle work (commits ${commits.join(' and ')}, and now)`,
    '',
    mdTable(
      [
        'Handler',
        ...commits.map((c) => `Size at ${c} (× SDK)`),
        'Size now (× SDK)',
        ...commits.map((c) => `Init × at ${c}`),
        'Init × now',
      ],
      rows,
    ),
    '',
    "What changed in issue 7 (5282753 →): zod imported as `import * as z from 'zod'` (the error-message locales, 264 kB, gone); the `json-schema` gate ran ajv's code for the published schema generated ahead of time instead of ajv's compiler; the America/New_York date formatter, publish's `Intl.NumberFormat`, every event schema and the FINRA row schemas built on first use; compute and publish built without the data-source providers; the bundling options in `infra/lambda-bundle.ts`, read by both infra and this benchmark.",
    '',
    "What changed in issue 20 item 7 (dd4bf45 →): no Powertools Tracer (Lambda's active tracing records every invocation; the Tracer only added a handler subsegment, and with the X-Ray SDK it was 121 kB), so no `createRequire` banner either; logs and metrics written by `functions/lib/observability.ts` (the same JSON and EMF lines as Powertools Logger and Metrics, 32.6 kB); publish validates each snapshot once, with zod, and runs the figure gates alone (the JSON Schema gate, ajv's generated validator, 157 kB with ajv-formats, runs in `pulse build` and, on what publish writes, in CI), and takes the JSON Schemas it publishes from a file generated ahead of time instead of running zod's generator; every schema in `zod/mini` through `shared/zod.ts` (the classic API's methods cannot be tree-shaken); Reg SHO rows checked by hand like short interest rows, so nothing bundles zod's compiler (29.6 kB); every schema built on first use (`z.onFirstUse`: the snapshot and stock contracts, 7–12 ms of compute's and publish's init; the stored documents', table items' and vendor rows' schemas; compute's journal), and so dropped from the bundles that never use it; the New York time formatter of `shared/present/format.ts` built on first use (15 ms of publish's init); compute's Lambda built with only the calls compute makes (`createAwsComputeDeps`, `ComputeDeps`: no S3 archive calls, ledger writes, run lock, record encoders or publish's readers, 9.2 kB of its bundle, and the SDK commands behind them gone from its SDK alone too, 1.3 kB).",
  ].join('\n');
}

/** Why the size budget is missed: the allowance beyond the SDK and the groups that fill it, largest first. */
function sizeGapReason(d: StepResult, groups: { group: string; bytes: number }[]): string {
  const allowance = d.baseline.bytes * (BUNDLE_BUDGET.sizeRatio - 1);
  if (d.handler.bytes <= d.baseline.bytes * BUNDLE_BUDGET.sizeRatio) return '';
  const beyond = d.handler.bytes - d.baseline.bytes;
  return (
    `Why \`${d.step}\` misses the size budget: ≤ ${ratio(BUNDLE_BUDGET.sizeRatio)} leaves ${bytes(allowance)} beyond the SDK and it carries ${bytes(beyond)}: ` +
    `${groups.map((g) => `${g.group} ${bytes(g.bytes)}`).join(', ')}.`
  );
}

/** The packages a handler's init spends time in that the SDK alone does not, largest first (profiled ms). */
function initGapReason(step: string, handler?: Map<string, number>, sdk?: Map<string, number>): string {
  if (!handler || !sdk) return '';
  const extra = [...handler]
    .map(([name, t]) => ({ name, extra: t - (sdk.get(name) ?? 0) }))
    .filter((x) => x.extra >= 1 && x.name !== OUTSIDE_BUNDLE.idle)
    .sort((a, b) => b.extra - a.extra)
    .slice(0, 6);
  if (extra.length === 0) return '';
  return `What \`${step}\`'s init spends beyond the SDK alone's (profiled, same units as the table): ${extra
    .map((x) => `${x.name.startsWith('(') ? x.name : `\`${x.name}\``} +${ms(x.extra)}`)
    .join(
      ', ',
    )}. Node's reading and compiling of the bundle grows with its bytes, and with \`--enable-source-maps\` it also reads and parses the bundle's source map at load (about 1.8 bytes of map per byte of code). No schema is built at module load (every one is built on first use, \`z.onFirstUse\`), so zod's share of init is its own module code; the rest of the project's top level is the dependencies' construction (\`createAwsDeps\`), as in the SDK alone.`;
}

interface StepResult {
  step: string;
  handler: Bundle;
  baseline: Bundle;
  imports: Map<string, Set<string>>;
  init: { handler: InitSample[]; baseline: InitSample[] };
}

export async function runBundlesPart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('bundles');
  const { log, tmpDir } = ctx;
  const drift = infraBundlingDrift(readFileSync(CONSTRUCT, 'utf8'));
  if (drift.length > 0) {
    part.detail(
      `**Warning**: \`infra/constructs/pulse-function.ts\` no longer passes ${drift.join(', ')} from \`infra/lambda-bundle.ts\`; this benchmark may no longer bundle like infra.`,
    );
  }
  const steps = PIPELINE_STEPS.filter((s) => s.kind === 'lambda' && s.entry);
  const done: StepResult[] = [];
  let pending = 0;
  for (const step of steps) {
    const entry = path.join(repoRoot, step.entry as string);
    let handler: Bundle;
    try {
      handler = await bundle(entry, path.join(tmpDir, 'bundles', step.name));
    } catch (error) {
      const reason = ((error as esbuild.BuildFailure).errors ?? [])
        .map((e) => `${e.location?.file ?? ''}: ${e.text}`)
        .join('; ');
      log(`  ${step.name}: cannot bundle yet (${reason || (error as Error).message})`);
      part.figure({
        name: `${step.name}: bundle`,
        value: `pending: ${reason || (error as Error).message}`,
        verdict: 'pending',
      });
      pending += 1;
      continue;
    }
    const imports = sdkImports(handler.metafile);
    const baselineSource = sdkOnlyEntry(imports);
    const baselineEntry = path.join(tmpDir, 'bundles', `${step.name}-sdk-only.ts`);
    writeFileSync(baselineEntry, baselineSource);
    const baseline = await bundle(baselineEntry, path.join(tmpDir, 'bundles', `${step.name}-sdk-only`), baselineSource);
    log(`  ${step.name}: ${bytes(handler.bytes)} (SDK alone ${bytes(baseline.bytes)}); timing cold init…`);
    const init = await initSeries(ctx, step.name, handler.file, baseline.file);
    done.push({ step: step.name, handler, baseline, imports, init });
  }

  const rows: string[][] = [];
  const summary: Record<
    string,
    {
      bytes: number;
      initMs: number;
      initCpuMs: number;
      baselineBytes: number;
      baselineInitMs: number;
      baselineInitCpuMs: number;
    }
  > = {};
  for (const d of done) {
    const wall = (xs: InitSample[]) => xs.map((x) => x.wallMs);
    const cpu = (xs: InitSample[]) => xs.map((x) => x.cpuMs);
    const sizeRatio = d.handler.bytes / d.baseline.bytes;
    const initRatio = median(wall(d.init.handler)) / median(wall(d.init.baseline));
    const cpuRatio = median(cpu(d.init.handler)) / median(cpu(d.init.baseline));
    summary[d.step] = {
      bytes: d.handler.bytes,
      initMs: median(wall(d.init.handler)),
      initCpuMs: median(cpu(d.init.handler)),
      baselineBytes: d.baseline.bytes,
      baselineInitMs: median(wall(d.init.baseline)),
      baselineInitCpuMs: median(cpu(d.init.baseline)),
    };
    part.figure({
      name: `${d.step}: size / SDK alone`,
      value: `${bytes(d.handler.bytes)} / ${bytes(d.baseline.bytes)} = ${ratio(sizeRatio)}`,
      budget: '≤ 1.3×',
      verdict: atMost(sizeRatio, BUNDLE_BUDGET.sizeRatio),
    });
    part.figure({
      name: `${d.step}: init / SDK alone`,
      value: `${ms(median(wall(d.init.handler)))} / ${ms(median(wall(d.init.baseline)))} = ${ratio(initRatio)} (CPU ${ratio(cpuRatio)})`,
      budget: '≤ 1.2×',
      verdict: atMost(initRatio, BUNDLE_BUDGET.initRatio),
    });
    rows.push([
      d.step,
      bytes(d.handler.bytes),
      bytes(d.baseline.bytes),
      ratio(sizeRatio),
      spread(wall(d.init.handler), ms),
      spread(wall(d.init.baseline), ms),
      ratio(initRatio),
      `${ms(median(cpu(d.init.handler)))} / ${ms(median(cpu(d.init.baseline)))} = ${ratio(cpuRatio)}`,
      [...d.imports].map(([m, n]) => `${m.replace('@aws-sdk/', '')}: ${[...n].join(', ')}`).join('; '),
    ]);
  }
  part.detail(
    [
      "Each handler entry of `functions/pipeline/steps.ts` bundled with esbuild with `LAMBDA_BUNDLE` (`infra/lambda-bundle.ts`), the options `infra/constructs/pulse-function.ts` gives `NodejsFunction`: ESM, `node24`, minify, source map without sources, `mainFields: module,main`, nothing external. The AWS SDK is bundled on both sides (the Node 24 runtime ships SDK v3, but the functions carry the lockfile's version): \"SDK alone\" bundles exactly the `@aws-sdk/*` names that handler imports (found in the bundle's own sources) with the same options, constructs the clients once and exports everything. Init = `await import(bundle)` in a fresh Node process, from a folder without `node_modules`, with Lambda's environment variables (`AWS_EXECUTION_ENV`, table/bucket names, `NODE_OPTIONS=--enable-source-maps`): wall time (the budget) and the process's CPU time (steadier on a shared machine); median of " +
        `${Math.max(INIT_RUNS, ctx.options.runs)} runs after one warm-up, handler and SDK alone alternating.`,
      '',
      mdTable(
        [
          'Handler',
          'Bundle',
          'SDK alone',
          'Size ×',
          'Init (wall)',
          'SDK alone init',
          'Init ×',
          'Init CPU (×)',
          'SDK imports',
        ],
        rows,
      ),
    ].join('\n'),
  );

  if (done.length > 0) {
    part.detail(beforeAfter(done));
    const beyond = done.map((d) => ({ step: d.step, groups: beyondSdk(d.handler.metafile, d.baseline.metafile) }));
    const groupNames = [...new Set(beyond.flatMap((b) => b.groups.map((g) => g.group)))];
    const budgetBytes = (d: StepResult) => d.baseline.bytes * (BUNDLE_BUDGET.sizeRatio - 1);
    part.detail(
      [
        `### What each bundle carries beyond the SDK (esbuild metafile, bytes in the minified output; the size budget allows ${done.map((d) => `${bytes(budgetBytes(d))} for ${d.step}`).join(', ')})`,
        '',
        mdTable(
          ['Group', ...done.map((d) => d.step), 'Packages'],
          groupNames.map((g) => [
            g,
            ...beyond.map((b) => {
              const found = b.groups.find((x) => x.group === g);
              return found ? bytes(found.bytes) : '–';
            }),
            [...new Set(beyond.flatMap((b) => b.groups.find((x) => x.group === g)?.packages ?? []))]
              .sort()
              .map((p) => `\`${p}\``)
              .join(', '),
          ]),
        ),
        '',
        `Beyond the SDK, against what the budget allows each: ${done
          .map((d) => {
            const left = Math.floor(d.baseline.bytes * BUNDLE_BUDGET.sizeRatio) - d.handler.bytes;
            return `${d.step} ${bytes(d.handler.bytes - d.baseline.bytes)} of ${bytes(budgetBytes(d))} (${left >= 0 ? `${bytes(left)} to spare` : `${bytes(-left)} over`})`;
          })
          .join(', ')}.`,
        ...done.map((d, i) => sizeGapReason(d, beyond[i]?.groups ?? [])).filter((r) => r !== ''),
      ].join('\n'),
    );

    log('  profiling init (CPU profiles of the import, mapped through the source map)…');
    const profiles = new Map<string, Map<string, number>>();
    for (const d of done) profiles.set(d.step, await profiledInit(tmpDir, d.handler.file, d.step, PROFILE_RUNS));
    const first = done[0] as StepResult;
    profiles.set('SDK alone', await profiledInit(tmpDir, first.baseline.file, first.step, PROFILE_RUNS));
    const columns = [...profiles.keys()];
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const names = [...new Set([...profiles.values()].flatMap((m) => [...m.keys()]))]
      .map((n) => ({ n, max: Math.max(...[...profiles.values()].map((m) => m.get(n) ?? 0)) }))
      .filter((x) => x.max >= 1)
      .sort((a, b) => b.max - a.max)
      .map((x) => x.n);
    part.detail(
      [
        `### Where init goes (\`--cpu-prof\` of the import, median of ${PROFILE_RUNS} profiles; self time by the package each running function comes from, through the bundle's source map; rows ≥ 1 ms)`,
        '',
        mdTable(
          ['Package / where', ...columns],
          [
            ...names.map((n) => [
              n.startsWith('(') ? n : `\`${n}\``,
              ...columns.map((c) => ms(profiles.get(c)?.get(n) ?? 0)),
            ]),
            ['**sampled total**', ...columns.map((c) => ms(total(profiles.get(c) ?? new Map())))],
          ],
        ),
        '',
        'The profiler slows the import down (compare the totals with the init table above); read the rows as shares. "Module top level" is code esbuild hoisted out of the modules (client construction runs there, but the SDK functions it calls are counted under their packages).',
        '',
        initGapReason(first.step, profiles.get(first.step), profiles.get('SDK alone')),
      ].join('\n'),
    );
    part.data({
      initByPackage: Object.fromEntries([...profiles].map(([k, m]) => [k, Object.fromEntries(m)])),
      beyondSdk: Object.fromEntries(beyond.map((b) => [b.step, b.groups])),
    });
  }

  const styles = await zodImportStyles(tmpDir);
  part.detail(
    [
      '### The zod import style, measured',
      '',
      `The same two-field schema, bundled alone with the options above, ${styles.length} ways:`,
      '',
      mdTable(
        ['Import', 'Bundle'],
        styles.map((z) => [`\`${z.label}\``, bytes(z.bytes)]),
      ),
      '',
      "`import { z } from 'zod'` takes the exported namespace object `z` as a value, so esbuild must keep everything reachable from it — including `z.locales`, every translation of zod's error messages. `import * as z from 'zod'` lets esbuild see each member used, but the classic API's schemas carry every method of their type, used or not; `zod/mini` is built for tree-shaking, with a functional API (`z.optional(x)`, `x.check(z.minimum(0))`). The project's schemas import `shared/zod.ts`: `zod/mini` plus zod's English messages (the classic API registers them itself, mini does not), the last row.",
    ].join('\n'),
  );
  part.data({ zodImportStyles: styles, bundles: summary });
  return part.finish(
    pending > 0 && done.length === 0 ? 'pending' : 'done',
    pending > 0 ? `${pending} handler(s) cannot be bundled yet` : undefined,
  );
}
