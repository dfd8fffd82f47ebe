/**
 * Part 4: each Lambda handler bundled with esbuild the way infra's NodejsFunction does it
 * (infra/constructs/pulse-function.ts), its minified size and its cold init (importing the bundle in a
 * fresh Node process with a Lambda-like environment), next to a bundle of the same AWS SDK imports
 * alone. When a budget is missed, the esbuild metafile names what the bundle is made of and a CPU
 * profile of the import names what init spends its time on.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { PIPELINE_STEPS } from '../../functions/pipeline/steps.ts';
import { runChild, series } from './lib/child.ts';
import { summariseCpuProfile } from './lib/cpu-profile.ts';
import { repoRoot } from './lib/inputs.ts';
import { atMost, type BenchContext, PartBuilder } from './lib/part.ts';
import { mdTable, type PartResult } from './lib/report.ts';
import { bytes, median, ms, ratio, spread } from './lib/stats.ts';

export const BUNDLE_BUDGET = { sizeRatio: 1.3, initRatio: 1.2 } as const;
const CONSTRUCT = path.join(repoRoot, 'infra', 'constructs', 'pulse-function.ts');
const IMPORT_CHILD = path.join(import.meta.dirname, 'children', 'import-bundle.ts');
/** Cold init is short and noisy: more runs than the other figures. */
const INIT_RUNS = 9;

/** The bundling options infra passes to NodejsFunction, read from the construct so the two cannot drift. */
export function infraBundlingOptions(): { banner: string; warnings: string[] } {
  const source = readFileSync(CONSTRUCT, 'utf8');
  const banner = /banner:\s*\n?\s*"([^"]+)"/.exec(source)?.[1] ?? /banner:\s*\n?\s*'([^']+)'/.exec(source)?.[1];
  if (banner === undefined) throw new Error(`${CONSTRUCT}: no bundling banner found; update test/bench/bundles.ts`);
  const expected: [RegExp, string][] = [
    [/format:\s*OutputFormat\.ESM/, 'format ESM'],
    [/target:\s*'node24'/, "target 'node24'"],
    [/minify:\s*true/, 'minify'],
    [/sourceMap:\s*true/, 'source map'],
    [/sourcesContent:\s*false/, 'sourcesContent false'],
    [/mainFields:\s*\['module',\s*'main'\]/, "mainFields ['module', 'main']"],
    [/bundleAwsSDK:\s*true/, 'bundleAwsSDK'],
    [/externalModules:\s*\[\]/, 'no external modules'],
  ];
  const warnings = expected.filter(([re]) => !re.test(source)).map(([, what]) => what);
  return { banner, warnings };
}

interface Bundle {
  file: string;
  bytes: number;
  metafile: esbuild.Metafile;
}

async function bundle(entry: string, outDir: string, banner: string, stdin?: string): Promise<Bundle> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'index.mjs');
  // The same esbuild options CDK's NodejsFunction derives from the construct's bundling props.
  const result = await esbuild.build({
    ...(stdin === undefined
      ? { entryPoints: [entry] }
      : { stdin: { contents: stdin, resolveDir: repoRoot, sourcefile: entry, loader: 'ts' } }),
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: banner },
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

/** Output bytes by package (node_modules) or project folder, largest first. */
export function contributors(metafile: esbuild.Metafile): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      let name: string;
      const nm = input.lastIndexOf('node_modules/');
      if (nm >= 0) {
        const rest = input.slice(nm + 'node_modules/'.length).split('/');
        name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
        // zod ships its classic and mini APIs as folders of one package: tell them apart.
        if (name === 'zod' && rest[1] === 'v4') name = `zod/v4/${rest[2]}`;
      } else {
        name = input.split('/').slice(0, 2).join('/');
      }
      totals.set(name, (totals.get(name) ?? 0) + info.bytesInOutput);
    }
  }
  return [...totals].map(([name, b]) => ({ name, bytes: b })).sort((a, b) => b.bytes - a.bytes);
}

/** One small schema bundled with each zod import style: how much of the bundle the import itself decides. */
async function zodImportStyles(tmpDir: string, banner: string): Promise<{ label: string; bytes: number }[]> {
  const body =
    "export const s = z.object({ a: z.string(), b: z.number() });\nexport const r = s.safeParse({ a: 'x', b: 1 });\n";
  const styles = [
    { label: "import { z } from 'zod'", head: "import { z } from 'zod';" },
    { label: "import * as z from 'zod'", head: "import * as z from 'zod';" },
    { label: "import * as z from 'zod/mini'", head: "import * as z from 'zod/mini';" },
  ];
  const out: { label: string; bytes: number }[] = [];
  for (const [i, st] of styles.entries()) {
    const b = await bundle(
      `zod-style-${i}.ts`,
      path.join(tmpDir, 'bundles', `zod-${i}`),
      banner,
      `${st.head}\n${body}`,
    );
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

async function initSeries(ctx: BenchContext, label: string, file: string, step: string) {
  const url = pathToFileURL(file).href;
  return series(
    label,
    1,
    Math.max(INIT_RUNS, ctx.options.runs),
    () => runChild(IMPORT_CHILD, [url], { env: lambdaEnv(step), cwd: path.dirname(file) }),
    () => {},
  );
}

export async function runBundlesPart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('bundles');
  const { log, tmpDir } = ctx;
  const { banner, warnings } = infraBundlingOptions();
  if (warnings.length > 0) {
    part.detail(
      `**Warning**: infra's bundling options changed (${warnings.join(', ')} not found in \`infra/constructs/pulse-function.ts\`); this benchmark may no longer bundle like infra.`,
    );
  }
  const steps = PIPELINE_STEPS.filter((s) => s.kind === 'lambda' && s.entry);
  const rows: string[][] = [];
  const summary: Record<string, { bytes: number; initMs: number; baselineBytes: number; baselineInitMs: number }> = {};
  let pending = 0;
  const overBudget: { step: string; bundle: Bundle; sizeRatio: number; initRatio: number }[] = [];
  for (const step of steps) {
    const entry = path.join(repoRoot, step.entry as string);
    const outDir = path.join(tmpDir, 'bundles', step.name);
    let handler: Bundle;
    try {
      handler = await bundle(entry, outDir, banner);
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
    const baseline = await bundle(
      baselineEntry,
      path.join(tmpDir, 'bundles', `${step.name}-sdk-only`),
      banner,
      baselineSource,
    );
    log(`  ${step.name}: ${bytes(handler.bytes)} (SDK alone ${bytes(baseline.bytes)}); timing cold init…`);
    const handlerInit = await initSeries(ctx, step.name, handler.file, step.name);
    const baselineInit = await initSeries(ctx, `${step.name} SDK only`, baseline.file, step.name);
    const importMs = (s: typeof handlerInit) => s.runs.map((r) => Number(r.report?.importMs ?? Number.NaN));
    const hImport = importMs(handlerInit);
    const bImport = importMs(baselineInit);
    const sizeRatio = handler.bytes / baseline.bytes;
    const initRatio = median(hImport) / median(bImport);
    summary[step.name] = {
      bytes: handler.bytes,
      initMs: median(hImport),
      baselineBytes: baseline.bytes,
      baselineInitMs: median(bImport),
    };
    part.figure({
      name: `${step.name}: size / SDK alone`,
      value: `${bytes(handler.bytes)} / ${bytes(baseline.bytes)} = ${ratio(sizeRatio)}`,
      budget: '≤ 1.3×',
      verdict: atMost(sizeRatio, BUNDLE_BUDGET.sizeRatio),
    });
    part.figure({
      name: `${step.name}: init / SDK alone`,
      value: `${ms(median(hImport))} / ${ms(median(bImport))} = ${ratio(initRatio)}`,
      budget: '≤ 1.2×',
      verdict: atMost(initRatio, BUNDLE_BUDGET.initRatio),
    });
    rows.push([
      step.name,
      bytes(handler.bytes),
      bytes(baseline.bytes),
      ratio(sizeRatio),
      spread(hImport, ms),
      spread(bImport, ms),
      ratio(initRatio),
      ms(median(handlerInit.wallMs)),
      [...imports].map(([m, n]) => `${m.replace('@aws-sdk/', '')}: ${[...n].join(', ')}`).join('; '),
    ]);
    if (!(sizeRatio <= BUNDLE_BUDGET.sizeRatio) || !(initRatio <= BUNDLE_BUDGET.initRatio)) {
      overBudget.push({ step: step.name, bundle: handler, sizeRatio, initRatio });
    }
  }
  part.detail(
    [
      'Each handler entry of `functions/pipeline/steps.ts` bundled with esbuild using the options `infra/constructs/pulse-function.ts` gives `NodejsFunction` (ESM, `node24`, minify, source map without sources, `mainFields: module,main`, the `createRequire` banner, SDK bundled). "SDK alone" bundles exactly the `@aws-sdk/*` names that handler imports (found in the bundle\'s own sources), constructs the clients once and exports everything. Init = time for `await import(bundle)` in a fresh Node process, from a folder without `node_modules`, with Lambda\'s environment variables (`AWS_EXECUTION_ENV`, table/bucket names, `NODE_OPTIONS=--enable-source-maps`); median of ' +
        `${Math.max(INIT_RUNS, ctx.options.runs)} runs after one warm-up. "Process" adds Node's own start.`,
      '',
      mdTable(
        [
          'Handler',
          'Bundle',
          'SDK alone',
          'Size ×',
          'Init (import)',
          'SDK alone init',
          'Init ×',
          'Process',
          'SDK imports',
        ],
        rows,
      ),
    ].join('\n'),
  );
  for (const o of overBudget) {
    const parts = contributors(o.bundle.metafile);
    const total = parts.reduce((s, p) => s + p.bytes, 0);
    part.detail(
      [
        `### What \`${o.step}\` is made of (esbuild metafile, bytes in the minified output)`,
        '',
        mdTable(
          ['Package / folder', 'Bytes', 'Share'],
          parts.slice(0, 12).map((p) => [`\`${p.name}\``, bytes(p.bytes), `${((p.bytes / total) * 100).toFixed(1)}%`]),
        ),
      ].join('\n'),
    );
  }
  if (overBudget.length > 0) {
    const first = overBudget[0] as (typeof overBudget)[number];
    const dir = path.join(tmpDir, 'init-profile');
    mkdirSync(dir, { recursive: true });
    await runChild(IMPORT_CHILD, [pathToFileURL(first.bundle.file).href], {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      env: lambdaEnv(first.step),
      cwd: path.dirname(first.bundle.file),
    });
    const prof = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
    if (prof) {
      const summaryProfile = summariseCpuProfile(path.join(dir, prof), repoRoot, 10);
      part.detail(
        [
          `### Where \`${first.step}\`'s init goes (\`--cpu-prof\` of the import, ${ms(summaryProfile.totalMs)} sampled; the bundle is one file, so functions are named by minified name and line)`,
          '',
          mdTable(
            ['Function', 'Self time', 'Share'],
            summaryProfile.functions.map((f) => [
              `\`${f.label.replace(/\(.*index\.mjs/, '(index.mjs')}\``,
              ms(f.selfMs),
              `${(f.share * 100).toFixed(1)}%`,
            ]),
          ),
        ].join('\n'),
      );
    }
    const styles = await zodImportStyles(tmpDir, banner);
    part.detail(
      [
        '### The zod import style, measured',
        '',
        'The same two-field schema, bundled alone with the options above, three ways:',
        '',
        mdTable(
          ['Import', 'Bundle'],
          styles.map((z) => [`\`${z.label}\``, bytes(z.bytes)]),
        ),
        '',
        "`import { z } from 'zod'` takes the exported namespace object `z` as a value, so esbuild must keep everything reachable from it — including `z.locales`, every translation of zod's error messages. `import * as z from 'zod'` lets esbuild see each member used; `zod/mini` is built for tree-shaking.",
      ].join('\n'),
    );
    part.data({ zodImportStyles: styles });
    const zod = contributors(first.bundle.metafile).filter((p) => p.name.startsWith('zod') && p.bytes > 0);
    const zodBytes = zod.reduce((sum, p) => sum + p.bytes, 0);
    const namedImporters = Object.keys(first.bundle.metafile.inputs).filter(
      (input) =>
        !input.includes('node_modules') &&
        /\.ts$/.test(input) &&
        /import\s+\{\s*z\s*\}\s+from\s+'zod'/.test(readFileSync(path.join(repoRoot, input), 'utf8')),
    );
    const ajv = contributors(
      overBudget.find((o) => o.step === 'publish')?.bundle.metafile ?? { inputs: {}, outputs: {} },
    )
      .filter((p) => ['ajv', 'fast-uri', 'fast-deep-equal', 'json-schema-traverse', 'ajv-formats'].includes(p.name))
      .reduce((sum, p) => sum + p.bytes, 0);
    part.detail(
      [
        "What would fix it (outside this benchmark's area): " +
          (zod.length > 0
            ? `zod is ${bytes(zodBytes)} of \`${first.step}\` (${zod.map((z) => `${z.name} ${bytes(z.bytes)}`).join(', ')}). ${namedImporters.length} project file(s) in that bundle write \`import { z } from 'zod'\` (${namedImporters.map((f) => `\`${f}\``).join(', ')}); as measured above, \`import * as z from 'zod'\` lets esbuild drop the locales and unused classes with no other change to the schemas, and \`zod/mini\` goes further. `
            : '') +
          (ajv
            ? `\`publish\` also carries ajv (${bytes(ajv)} with its dependencies) for its JSON Schema gate (a second validator beside zod); if the zod check of the snapshot is enough, dropping it saves that much. `
            : '') +
          'Powertools Tracer pulls the X-Ray SDK (CommonJS, not tree-shakeable, with `semver`): loading it lazily, or relying on the Lambda-native X-Ray integration instead, would take it out of init.',
      ].join('\n'),
    );
  }
  part.data({ bundles: summary });
  return part.finish(
    pending > 0 && rows.length === 0 ? 'pending' : 'done',
    pending > 0 ? `${pending} handler(s) cannot be bundled yet` : undefined,
  );
}
