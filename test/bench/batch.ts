/**
 * Parts 1 and 2: `pulse build` over a whole input folder, next to the parse floor and the DuckDB
 * reference on the same files, each in a fresh Node process (wall time from spawn to exit, peak RSS
 * reported by the child itself). Part 1 uses the real 2024 screener snapshots twice: with FINRA's real
 * 2024 short interest files and the default methodology (v3) against the parse floor (the headline
 * ratio), and with generated short interest and `--methodology 2` against the DuckDB reference (which
 * implements v2 and not FINRA's R revisions: the cross-check). Part 2 uses generated folders of
 * 10,000 symbols × one year and 20,000 × two years.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { autoWorkers, PRICE_FILE } from '../../functions/cli/input-folder.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { type ChildRun, runChild, type Series, series } from './lib/child.ts';
import { CHECK_TOLERANCE, type CheckResult, compareFigures, type WindowFigures } from './lib/compare.ts';
import { summariseCpuProfile } from './lib/cpu-profile.ts';
import {
  BENCH_SEED,
  type Dataset,
  realDataset,
  realFinraDataset,
  realFinraDir,
  repoRoot,
  SAMPLE_SEED,
  sampleDataset,
} from './lib/inputs.ts';
import { formatLoad, loadAverage } from './lib/machine.ts';
import { atMost, type BenchContext, PartBuilder } from './lib/part.ts';
import type { PartResult } from './lib/report.ts';
import { mdTable } from './lib/report.ts';
import { bytes, int, maxOf, median, ms, ratio, spread } from './lib/stats.ts';

const PULSE_CLI = path.join(repoRoot, 'functions', 'cli', 'pulse.ts');
const CHILDREN = path.join(import.meta.dirname, 'children');
const DUCKDB_REFERENCE = path.join(import.meta.dirname, 'duckdb', 'reference.ts');

export const BATCH_BUDGET = { floorRatio: 1.5, duckdbRatio: 1.0, peakBytes: 1.5e9 } as const;
/** A larger heap for a retry when the default one (about 4 GB on 64-bit) runs out at scale. */
const BIG_HEAP_MB = 12_288;

interface DuckdbResult {
  asOf: string;
  windows: Record<string, WindowFigures>;
  splits: { symbol: string; date: string; factor: number }[];
  pendingSplits: { symbol: string; date: string }[];
  timings: Record<string, number>;
}

/** Load average (1/5/15 min) when a series started. */
type Load = [number, number, number];

export interface MeasureOptions {
  /** Arguments every `pulse build` of the dataset gets (e.g. `--methodology 2`). */
  buildArgs?: string[];
  /** Time the DuckDB reference and compare its figures with the build's (default true). */
  duckdb?: boolean;
}

export interface DatasetMeasure {
  dataset: Dataset;
  /** Arguments every measured `pulse build` got besides the input and --out. */
  buildArgs: string[];
  /** Machine load average before each series (the build's: before its first run). */
  loads: { floor: Load; build: Load; duckdb: Load | null };
  /** Parsing worker threads `pulse build --workers auto` uses for this input on this machine. */
  workers: number;
  rows: number;
  days: number;
  floor: Series;
  floorWorkMs: number[];
  ours: Series | null;
  oursFailure: string | null;
  /** Node options the measured build needed (a larger heap), empty when none. */
  oursNodeArgs: string[];
  oursCpuMs: number[];
  duckdb: Series | null;
  duckdbCpuMs: number[];
  duckdbNote: string | null;
  check: CheckResult | null;
  snapshot: Snapshot | null;
}

function inputArgs(ds: Dataset): string[] {
  return ds.inputDir ? ['--input', ds.inputDir] : ['--prices', ds.pricesDir, '--short-interest', ds.shortInterestDir];
}

function tail(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' / ');
}

async function buildOnce(
  ctx: BenchContext,
  ds: Dataset,
  nodeArgs: string[],
  keep?: (out: string) => void,
  extraArgs: string[] = [],
): Promise<ChildRun> {
  const out = mkdtempSync(path.join(ctx.tmpDir, 'build-'));
  try {
    // The budget is the snapshot's: the per-stock files (issue 19) are measured with the site, not here.
    const run = await runChild(PULSE_CLI, ['build', ...inputArgs(ds), '--out', out, '--no-stocks', ...extraArgs], {
      nodeArgs,
      check: false,
    });
    if (run.status === 0) keep?.(out);
    return run;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function measureDataset(
  ctx: BenchContext,
  ds: Dataset,
  warmup: number,
  runs: number,
  opts: MeasureOptions = {},
): Promise<DatasetMeasure> {
  const { log } = ctx;
  const buildArgs = opts.buildArgs ?? [];
  log(`  ${ds.label}${buildArgs.length ? ` (pulse build ${buildArgs.join(' ')})` : ''}`);
  const floorScript = path.join(CHILDREN, 'parse-floor.ts');
  const loadNow = (series: string): Load => {
    const load = loadAverage();
    log(`  load average before ${series}: ${formatLoad(load)}`);
    return load;
  };
  // The floor runs first: its warm-up also brings the files into the page cache for the others.
  const floorLoad = loadNow('the parse floor');
  const floor = await series('parse floor', Math.max(warmup, 1), runs, () => runChild(floorScript, ds.floorPaths), log);
  const first = floor.runs[0]?.report ?? {};
  const rows = Number(first.rows ?? Number.NaN);
  const days = Number(first.days ?? Number.NaN);

  let snapshot: Snapshot | null = null;
  const keep = (out: string) => {
    snapshot = JSON.parse(readFileSync(path.join(out, 'data', 'latest.json'), 'utf8')) as Snapshot;
  };
  let nodeArgs: string[] = [];
  let oursFailure: string | null = null;
  const buildLoad = loadNow('pulse build');
  const probe = await buildOnce(ctx, ds, nodeArgs, keep, buildArgs);
  if (probe.status !== 0) {
    oursFailure = `exit ${probe.status}: ${tail(probe.stderr)}`;
    log(`  pulse build failed (${oursFailure}); retrying with --max-old-space-size=${BIG_HEAP_MB}`);
    nodeArgs = [`--max-old-space-size=${BIG_HEAP_MB}`];
  } else {
    log(
      `  pulse build: first run ${(probe.wallMs / 1000).toFixed(2)} s (${warmup > 0 ? 'warm-up' : 'measured'}), peak ${(probe.maxRssBytes / 1e6).toFixed(0)} MB`,
    );
  }
  let ours: Series | null = null;
  try {
    // The first run is a warm-up when one is asked for, else the first measured run (the largest
    // build takes minutes: no run is thrown away unless asked).
    const probeMeasured = probe.status === 0 && warmup === 0;
    const extraWarmup = probe.status === 0 ? Math.max(0, warmup - 1) : warmup;
    const more = await series(
      'pulse build',
      extraWarmup,
      probeMeasured ? runs - 1 : runs,
      async () => {
        const r = await buildOnce(ctx, ds, nodeArgs, keep, buildArgs);
        if (r.status !== 0) throw new Error(`pulse build exit ${r.status}: ${tail(r.stderr)}`);
        return r;
      },
      log,
    );
    ours = probeMeasured
      ? {
          runs: [probe, ...more.runs],
          wallMs: [probe.wallMs, ...more.wallMs],
          maxRssBytes: [probe.maxRssBytes, ...more.maxRssBytes],
        }
      : more;
  } catch (error) {
    oursFailure = `${oursFailure ? `${oursFailure}; ` : ''}${(error as Error).message}`;
    log(`  pulse build failed: ${(error as Error).message}`);
  }

  let duckdb: Series | null = null;
  let duckdbNote: string | null = null;
  let check: CheckResult | null = null;
  let duckdbLoad: Load | null = null;
  if (opts.duckdb === false) {
    duckdbNote = 'DuckDB not run on this dataset';
  } else if (!existsSync(DUCKDB_REFERENCE)) {
    duckdbNote = 'test/bench/duckdb/reference.ts is absent: DuckDB not measured';
  } else {
    const out = path.join(ctx.tmpDir, `duckdb-${ds.id}.json`);
    const input = JSON.stringify({
      pricesDir: ds.pricesDir,
      shortInterestDir: ds.shortInterestDir,
      ...(ds.splitsFile && existsSync(ds.splitsFile) ? { splitsFile: ds.splitsFile } : {}),
    });
    try {
      duckdbLoad = loadNow('DuckDB');
      duckdb = await series(
        'DuckDB',
        warmup,
        runs,
        () => runChild(path.join(CHILDREN, 'duckdb-figures.ts'), [input, out]),
        log,
      );
      const ref = JSON.parse(readFileSync(out, 'utf8')) as DuckdbResult;
      const snap = snapshot as Snapshot | null;
      if (snap) {
        check = compareFigures(
          { windows: snap.windows, splits: snap.dataQuality.splits, pending: snap.dataQuality.pendingSplits },
          { windows: ref.windows, splits: ref.splits, pending: ref.pendingSplits },
        );
        if (snap.asOf !== ref.asOf) duckdbNote = `as-of differs: ours ${snap.asOf}, DuckDB ${ref.asOf}`;
      }
    } catch (error) {
      duckdbNote = `DuckDB failed: ${tail((error as Error).message, 4)}`;
      log(`  ${duckdbNote}`);
    }
  }
  return {
    dataset: ds,
    buildArgs,
    loads: { floor: floorLoad, build: buildLoad, duckdb: duckdbLoad },
    workers: autoWorkers(readdirSync(ds.pricesDir).filter((n) => PRICE_FILE.test(n)).length),
    rows,
    days,
    floor,
    floorWorkMs: floor.runs.map((r) => Number(r.report?.workMs ?? Number.NaN)),
    ours,
    oursFailure,
    oursNodeArgs: nodeArgs,
    oursCpuMs: ours?.runs.map((r) => r.cpuMs) ?? [],
    duckdb,
    duckdbCpuMs: duckdb?.runs.map((r) => r.cpuMs) ?? [],
    duckdbNote,
    check,
    snapshot,
  };
}

function checkLines(check: CheckResult | null, note: string | null): string[] {
  const lines: string[] = [];
  if (note) lines.push(`- ${note}`);
  if (!check) return lines;
  const worst = check.worst;
  lines.push(
    `- ${int(check.compared)} values compared (every window × group and sector × field); max relative deviation ${check.maxRelative.toExponential(2)}${worst ? ` at \`${worst.where}\` (ours ${worst.ours}, DuckDB ${worst.reference})` : ''}; ${check.overCount} over ${CHECK_TOLERANCE}.`,
  );
  if (check.overCount > 0) {
    lines.push(
      '',
      '**CHECK FAILED: the two implementations disagree.** Largest deviations:',
      '',
      mdTable(
        ['Where', 'Ours', 'DuckDB', 'Relative'],
        check.over.map((d) => [d.where, String(d.ours), String(d.reference), d.relative.toExponential(2)]),
      ),
      '',
    );
  }
  const list = (label: string, items: string[]) => {
    if (items.length > 0) {
      lines.push(`- ${label} (${items.length}): ${items.slice(0, 12).join(', ')}${items.length > 12 ? ', …' : ''}`);
    }
  };
  list('Splits only ours found', check.splitsOnlyOurs);
  list('Splits only DuckDB found', check.splitsOnlyReference);
  list('Pending splits only ours', check.pendingOnlyOurs);
  list('Pending splits only DuckDB', check.pendingOnlyReference);
  return lines;
}

function checkVerdict(check: CheckResult | null): 'met' | 'failed' | 'pending' {
  if (!check) return 'pending';
  return check.overCount === 0 ? 'met' : 'failed';
}

async function profileBuild(ctx: BenchContext, ds: Dataset, m: DatasetMeasure, part: PartBuilder): Promise<void> {
  const { log } = ctx;
  log('  profiling pulse build --workers 0 (--cpu-prof)…');
  const dir = mkdtempSync(path.join(ctx.tmpDir, 'cpuprof-'));
  // On one thread, so that one profile holds parsing and the engine (each worker writes its own).
  await buildOnce(ctx, ds, [...m.oursNodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`], undefined, [
    ...m.buildArgs,
    '--workers',
    '0',
  ]);
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!file) {
    part.detail('Profiling produced no `.cpuprofile`.');
    return;
  }
  const profile = summariseCpuProfile(path.join(dir, file), repoRoot, 12);
  const gc = profile.functions.find((f) => f.label === '(garbage collector)');
  part.detail(
    [
      `### Profile of \`pulse build${m.buildArgs.length ? ` ${m.buildArgs.join(' ')}` : ''} --workers 0\` (\`node --cpu-prof\`, ${ms(profile.totalMs)} sampled)`,
      '',
      `Dataset: ${m.dataset.label}.`,
      '',
      'Self time by function (a compact snapshot is read by the text scanner, `spanRows` and `scanRowAt`; `JSON.parse`, where a file needs it, has no frame of its own: V8 counts it in the function that calls it):',
      '',
      mdTable(
        ['Function', 'Self time', 'Share'],
        profile.functions.map((f) => [`\`${f.label}\``, ms(f.selfMs), `${(f.share * 100).toFixed(1)}%`]),
      ),
      '',
      'By file:',
      '',
      mdTable(
        ['File', 'Self time', 'Share'],
        profile.files.slice(0, 8).map((f) => [`\`${f.label}\``, ms(f.selfMs), `${(f.share * 100).toFixed(1)}%`]),
      ),
    ].join('\n'),
  );

  log('  measuring the parser alone (retention.ts discard)…');
  const discard = await runChild(path.join(CHILDREN, 'retention.ts'), [ds.pricesDir, 'discard']);
  const floorWork = median(m.floorWorkMs);
  const oursWall = median(m.ours?.wallMs ?? []);
  const oursCpu = median(m.oursCpuMs);
  const discardMs = Number(discard.report?.workMs);
  log('  timing the phases of pulse build on one thread (build-phases.ts)…');
  const methodologyAt = m.buildArgs.indexOf('--methodology');
  const phasesRun = await runChild(path.join(CHILDREN, 'build-phases.ts'), [
    ds.pricesDir,
    ds.shortInterestDir,
    ...(ds.splitsFile && existsSync(ds.splitsFile) ? [ds.splitsFile] : []),
    ...(methodologyAt >= 0 ? [`--methodology=${m.buildArgs[methodologyAt + 1]}`] : []),
  ]);
  const ph = (phasesRun.report ?? {}) as Record<string, number>;
  const single = Object.values(ph).length > 0 ? phasesRun.wallMs : Number.NaN;
  const engineShare = profile.files.find((f) => f.label === 'shared/methodology/engine.ts');
  const readMs = ph.readMs ?? Number.NaN;
  const engineMs = ph.engineMs ?? Number.NaN;
  part.detail(
    [
      '### Where the time goes',
      '',
      mdTable(
        ['Same price files, one process each', 'Time', 'Peak memory', '× parse floor'],
        [
          [
            'gunzip + JSON.parse, nothing kept (parse floor, in-process)',
            ms(floorWork),
            bytes(maxOf(m.floor.maxRssBytes)),
            '1.00×',
          ],
          [
            '`decodeText` + `parseScreener`, each day dropped (the parser alone, in-process)',
            ms(discardMs),
            bytes(discard.maxRssBytes),
            ratio(discardMs / floorWork),
          ],
          [
            '`pulse build` phases on one thread (`--workers 0`, process wall)',
            ms(single),
            bytes(phasesRun.maxRssBytes),
            ratio(single / floorWork),
          ],
          [
            `\`pulse build\` as measured (${workersLabel(m.workers)}, process wall)`,
            ms(oursWall),
            bytes(maxOf(m.ours?.maxRssBytes ?? [])),
            ratio(oursWall / floorWork),
          ],
        ],
      ),
      '',
      'The phases of `pulse build` on one thread (`test/bench/children/build-phases.ts`: the calls `build.ts` makes, in order, with `--workers 0` so that reading and the engine can be timed apart):',
      '',
      mdTable(
        ['Phase', 'Time'],
        [
          ['Node start and module loading', ms(ph.startupMs ?? Number.NaN)],
          [
            '`openInput`: list the folders, read and parse the short interest (and splits) files',
            ms(ph.sideFilesMs ?? Number.NaN),
          ],
          ['price files: read, sha256, `decodeText`, `parseScreener`, one day at a time', ms(readMs)],
          ['engine: `classifyDay` + `stepDay` for each day (`startBatch().add`)', ms(engineMs)],
          ['`finish`: snapshot at A and history rows', ms(ph.finishMs ?? Number.NaN)],
          ['`assembleSnapshot` + `assembleHistory` (schema checks)', ms(ph.assembleMs ?? Number.NaN)],
          ['`JSON.stringify` of both', ms(ph.serializeMs ?? Number.NaN)],
          ['largest heap after a day (`heapUsed`)', bytes(ph.heapPeak ?? Number.NaN)],
        ],
      ),
      '',
      `Measured reason: \`pulse build\` folds the price files one day at a time (\`openInput\` + \`startBatch\`), so no more than a few days of rows are alive (largest heap ${bytes(ph.heapPeak ?? Number.NaN)} on one thread). ` +
        `What is left is parsing: the project's parser, validation and mapping included, takes ${ratio(discardMs / floorWork)} the floor's time for the same files, and on one thread the price files take ${ms(readMs)} against ${ms(engineMs)} for the engine` +
        (engineShare ? ` (the engine's own functions: ${ms(engineShare.selfMs)} of samples in the profile)` : '') +
        '. ' +
        (m.workers > 0
          ? `With ${workersLabel(m.workers)} the files are parsed on other threads while the engine steps earlier days, ${oursWall < single ? `which takes the wall time below the one-thread figure (${ms(oursWall)} against ${ms(single)})` : `yet the measured wall time is not below the one-thread figure (${ms(oursWall)} against ${ms(single)}): the parsing threads found no idle core`} at the cost of more CPU in all (${ms(oursCpu)}, every thread) and a heap per worker; on this machine's ${availableParallelism()} cores, shared with other jobs (load average ${formatLoad(m.loads.build)} before the measured build), the parsing threads and the engine compete for the same cores.`
          : 'The build ran on one thread (`--workers auto` chose none here), so parsing and the engine add up.') +
        (gc
          ? ` The main thread spends ${(gc.share * 100).toFixed(0)}% of the profile's samples in the garbage collector.`
          : ''),
    ].join('\n'),
  );
}

function workersLabel(workers: number): string {
  return workers === 0 ? 'one thread' : `${workers} parsing worker thread${workers > 1 ? 's' : ''}`;
}

/** One row per series of a dataset: the load average before it (1/5/15 min). */
function loadRows(title: string, m: DatasetMeasure): string[][] {
  const build = `\`pulse build${m.buildArgs.length ? ` ${m.buildArgs.join(' ')}` : ''}\``;
  return [
    [title, 'parse floor', formatLoad(m.loads.floor)],
    [title, build, formatLoad(m.loads.build)],
    ...(m.loads.duckdb ? [[title, 'DuckDB', formatLoad(m.loads.duckdb)]] : []),
  ];
}

export async function runBatchPart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('batch');
  const { options, log } = ctx;
  const crossDs = await realDataset(log);
  if (!crossDs) {
    const msg = '../shared/data/nasdaq-screener/2024 is absent (a fresh clone): skipped';
    log(`  ${msg}`);
    return part.finish('skipped', msg);
  }
  const finraRel = path.relative(repoRoot, realFinraDir);
  const finraDs = realFinraDataset();
  const finraSkip = finraDs
    ? null
    : `${finraRel} is absent: pulse build (v3) on FINRA's real short interest files not measured (the v2 cross-check below still runs)`;

  // Headline: the default methodology (v3) on FINRA's real files, against the parse floor of the same files.
  let v3: DatasetMeasure | null = null;
  if (finraDs) {
    log("  -- v3 (default) on FINRA's real short interest files: ours / parse floor");
    v3 = await measureDataset(ctx, finraDs, options.warmup, options.runs, { duckdb: false });
  } else {
    log(`  ${finraSkip}`);
  }
  // The DuckDB cross-check: DuckDB implements v2 and does not apply FINRA's R revisions, so the build it
  // is compared with runs --methodology 2 on generated short interest.
  log('  -- v2 cross-check (generated short interest): pulse build --methodology 2 against DuckDB');
  const v2 = await measureDataset(ctx, crossDs, options.warmup, options.runs, {
    buildArgs: ['--methodology', '2'],
  });

  const v3Wall = median(v3?.ours?.wallMs ?? []);
  const v3Floor = median(v3?.floor.wallMs ?? []);
  const v3Peak = maxOf(v3?.ours?.maxRssBytes ?? []);
  const v3Ratio = v3Wall / v3Floor;
  const v3Gc = median(v3?.ours?.runs.map((r) => r.gcMs) ?? []);
  const v2Wall = median(v2.ours?.wallMs ?? []);
  const v2Floor = median(v2.floor.wallMs);
  const duckWall = median(v2.duckdb?.wallMs ?? []);
  const v2Peak = maxOf(v2.ours?.maxRssBytes ?? []);
  const v2Duck = v2Wall / duckWall;
  const finraFiles = finraDs ? readdirSync(finraDs.shortInterestDir).length : 0;
  const generatedFiles = readdirSync(crossDs.shortInterestDir).length;

  if (v3) {
    part.figure({
      name: 'input',
      value: `${int(v3.days)} days, ${int(v3.rows)} symbol-days (${int(v3.rows / v3.days)} symbols a day); ${finraFiles} FINRA short interest files`,
    });
    part.figure({
      name: 'pulse build (v3, FINRA files): wall',
      value: v3.ours ? spread(v3.ours.wallMs, ms) : `failed: ${v3.oursFailure}`,
      verdict: v3.ours ? 'info' : 'failed',
    });
    part.figure({ name: 'pulse build (v3, FINRA files): CPU', value: v3.ours ? ms(median(v3.oursCpuMs)) : '—' });
    part.figure({
      name: 'pulse build (v3, FINRA files): garbage collection pauses (main thread)',
      value: v3.ours ? `${ms(v3Gc)} (${((v3Gc / v3Wall) * 100).toFixed(0)}% of wall)` : '—',
    });
    part.figure({
      name: 'pulse build (v3, FINRA files): peak memory (RSS)',
      value: bytes(v3Peak),
      budget: '≤ 1.5 GB',
      verdict: atMost(v3Peak, BATCH_BUDGET.peakBytes),
    });
    part.figure({ name: 'parse floor (prices + FINRA files): wall (process)', value: spread(v3.floor.wallMs, ms) });
    part.figure({ name: 'parse floor (prices + FINRA files): in-process', value: ms(median(v3.floorWorkMs)) });
    part.figure({ name: 'parse floor (prices + FINRA files): peak memory', value: bytes(maxOf(v3.floor.maxRssBytes)) });
  }
  part.figure({
    name: 'ours / parse floor',
    value: v3 ? `${ratio(v3Ratio)} (v3 on FINRA files)` : `skipped: ${finraRel} is absent`,
    budget: '≤ 1.5×',
    verdict: v3 ? atMost(v3Ratio, BATCH_BUDGET.floorRatio) : 'pending',
  });

  const x = 'v2 cross-check';
  part.figure({
    name: `${x}: input`,
    value: `${int(v2.days)} days, ${int(v2.rows)} symbol-days; ${generatedFiles} generated short interest files (seed ${BENCH_SEED})`,
  });
  part.figure({
    name: `${x}: pulse build --methodology 2: wall`,
    value: v2.ours ? spread(v2.ours.wallMs, ms) : `failed: ${v2.oursFailure}`,
    verdict: v2.ours ? 'info' : 'failed',
  });
  part.figure({ name: `${x}: pulse build --methodology 2: CPU`, value: v2.ours ? ms(median(v2.oursCpuMs)) : '—' });
  part.figure({ name: `${x}: pulse build --methodology 2: peak memory (RSS)`, value: bytes(v2Peak) });
  part.figure({ name: `${x}: parse floor (prices + generated files): wall`, value: spread(v2.floor.wallMs, ms) });
  part.figure({ name: `${x}: ours / parse floor`, value: ratio(v2Wall / v2Floor) });
  if (v2.duckdb) {
    part.figure({ name: `${x}: DuckDB: wall`, value: spread(v2.duckdb.wallMs, ms) });
    part.figure({ name: `${x}: DuckDB: CPU (all threads)`, value: ms(median(v2.duckdbCpuMs)) });
    part.figure({ name: `${x}: DuckDB: peak memory`, value: bytes(maxOf(v2.duckdb.maxRssBytes)) });
  } else {
    part.figure({ name: `${x}: DuckDB`, value: v2.duckdbNote ?? 'not measured', verdict: 'pending' });
  }
  part.figure({
    name: `${x}: ours (--methodology 2) / DuckDB`,
    value: ratio(v2Duck),
    budget: '≤ 1.0×',
    verdict: v2.duckdb ? atMost(v2Duck, BATCH_BUDGET.duckdbRatio) : 'pending',
  });
  part.figure({
    name: `${x}: CHECK: DuckDB figures = pulse build --methodology 2 (1e-6 relative)`,
    value: v2.check
      ? `max deviation ${v2.check.maxRelative.toExponential(2)}, ${v2.check.overCount} of ${int(v2.check.compared)} over`
      : (v2.duckdbNote ?? 'not run'),
    budget: '≤ 1e-6',
    verdict: checkVerdict(v2.check),
  });
  if (v2.check && v2.check.overCount > 0) {
    log(
      `  !!! CHECK FAILED: ${v2.check.overCount} values differ from DuckDB by more than ${CHECK_TOLERANCE}; worst ${v2.check.worst?.where} (${v2.check.maxRelative.toExponential(2)})`,
    );
  }

  const priceRel = path.relative(repoRoot, crossDs.pricesDir);
  const main = v3 ?? v2;
  part.detail(
    [
      ...(finraSkip ? [`**${finraSkip}.** The headline ratio is pending until the folder is there.`, ''] : []),
      `Headline (\`ours / parse floor\`): \`pulse build\` with its default methodology (v3) on \`${priceRel}\` (${int(main.days)} gzipped screener snapshots) and FINRA's ${finraDs ? `${finraFiles} ` : ''}real short interest files in \`${finraRel}\` (shrt20231229.csv … shrt20241231.csv, read in place, R revisions applied), against the parse floor over the same price files and FINRA files.`,
      '',
      `v2 cross-check: \`pulse build --methodology 2\` on the same price files with ${generatedFiles} short interest files generated by \`generateShortInterestFor\` (seed ${BENCH_SEED}) into \`.local/bench/inputs/\`, against the DuckDB reference (\`test/bench/duckdb/\`), which implements methodology v2 and whose parser does not apply FINRA's R revisions: hence v2 and generated short interest for the comparison. Its parse floor reads the price files and the generated files. Both the timing ratio against DuckDB and the check of the figures are on this dataset.`,
      '',
      `\`pulse build\` is the real command line (\`node functions/cli/pulse.ts build --prices … --short-interest … --out <tmp> --no-stocks [--methodology 2]\`; the per-stock files of issue 19, about 6 s and 128 MB more on the real year, are left out of this budget, defined for the snapshot), in a fresh process per run: the wall time includes Node's start, reading, parsing, the methodology and writing the snapshot. It reads the short interest files first (\`readShortInterest\`: each line read in place, straight into the file's maps), then streams the price files through the engine one day at a time in (date, file) order (\`openInput\` in functions/cli/input-folder.ts, \`startBatch\` in shared/methodology/batch.ts), with ${workersLabel(main.workers)} reading and parsing the next days while the engine steps the current one (\`--workers auto\`; functions/cli/price-pool.ts). A snapshot in the API's compact shape, as every real one is, is read from its text without \`JSON.parse\` (shared/formats/nasdaq-screener.ts, \`spanRows\`; docs/data-formats.md). CPU time counts every thread; garbage collection pauses are the main thread's. The parse floor is a process that only reads, gunzips and \`JSON.parse\`s the same files (\`test/bench/children/parse-floor.ts\`), as issue 16 defines it; DuckDB runs \`test/bench/duckdb/reference.ts\` (SQL, own parser, multi-threaded: compare CPU too). Peak memory is the child's max RSS (\`process.resourceUsage().maxRSS\`). ${options.warmup} warm-up + ${options.runs} measured runs each; median (min–max).`,
      '',
      '### Machine load',
      '',
      mdTable(
        ['Dataset', 'Series', 'Load average before it (1 / 5 / 15 min)'],
        [...(v3 ? loadRows('v3 on FINRA files', v3) : []), ...loadRows('v2 cross-check', v2)],
      ),
      '',
      `The machine has ${availableParallelism()} cores. Load skews the ratios: \`pulse build\` is multi-threaded (parsing workers next to the engine) while the parse floor runs on one thread, so other jobs on the machine slow the two differently — a loaded machine takes cores the build's workers would use and inflates \`ours / parse floor\` more than the floor's own time. Compare ratios only from runs on an idle machine (1-minute load well below 1).`,
      '',
      '### Cross-check against DuckDB (v2, generated short interest)',
      '',
      ...checkLines(v2.check, v2.duckdbNote),
    ].join('\n'),
  );

  if (options.profile) {
    const v3Missed = v3?.ours && (!(v3Ratio <= BATCH_BUDGET.floorRatio) || !(v3Peak <= BATCH_BUDGET.peakBytes));
    const v2Missed = v2.ours && v2.duckdb && !(v2Duck <= BATCH_BUDGET.duckdbRatio);
    if (v3 && finraDs && v3Missed) await profileBuild(ctx, finraDs, v3, part);
    else if (v2Missed) await profileBuild(ctx, crossDs, v2, part);
  }
  part.data({
    dataset: main.dataset.id,
    rows: main.rows,
    days: main.days,
    oursWallMs: median(main.ours?.wallMs ?? []),
    oursPeakBytes: maxOf(main.ours?.maxRssBytes ?? []),
    oursGcMs: median(main.ours?.runs.map((r) => r.gcMs) ?? []),
    floorWallMs: median(main.floor.wallMs),
    v2WallMs: v2Wall,
    v2FloorWallMs: v2Floor,
    duckdbWallMs: duckWall,
    checkMaxRelative: v2.check?.maxRelative ?? null,
  });
  return part.finish();
}

/** One sentence on how time and memory per symbol-day move between the datasets, from the figures. */
function linearity(measures: DatasetMeasure[]): string {
  const ok = measures.filter((m) => m.ours);
  if (ok.length < 2) return 'Too few successful builds to compare growth.';
  const [a, b] = [ok[0] as DatasetMeasure, ok.at(-1) as DatasetMeasure];
  const t = median(b.ours?.wallMs ?? []) / b.rows / (median(a.ours?.wallMs ?? []) / a.rows);
  const cpu = median(b.oursCpuMs) / b.rows / (median(a.oursCpuMs) / a.rows);
  const peakA = maxOf(a.ours?.maxRssBytes ?? []);
  const peakB = maxOf(b.ours?.maxRssBytes ?? []);
  const mem = peakB / b.rows / (peakA / a.rows);
  const fl = median(b.floor.wallMs) / b.rows / (median(a.floor.wallMs) / a.rows);
  const symbols = b.rows / b.days / (a.rows / a.days);
  return (
    `From ${int(a.rows)} to ${int(b.rows)} symbol-days (${ratio(b.rows / a.rows)}): time per symbol-day ${ratio(t)} for \`pulse build\` (CPU time ${ratio(cpu)}; ${ratio(fl)} for the parse floor), peak memory per symbol-day ${ratio(mem)}. ` +
    (t <= 1.15
      ? 'Time is linear in symbol-days. '
      : cpu <= 1.15
        ? 'Wall time per symbol-day grew but CPU time did not: the difference is time spent waiting for the shared cores, not work. '
        : 'Time grows faster than the input. ') +
    (mem > 0.85
      ? 'Peak memory grows as fast as the input.'
      : `Peak memory grows slower than the input (${ratio(peakB / peakA)} for ${ratio(symbols)} the symbols a day and ${ratio(b.days / a.days)} the days): the build holds the engine state, per symbol, and a few days of rows, never the whole input.`)
  );
}

export async function runScalePart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('scale');
  const { options, log } = ctx;
  const sets = [
    { symbols: 10_000, from: '2024-01-01', to: '2024-12-31' },
    { symbols: 20_000, from: '2024-01-01', to: '2025-12-31' },
  ];
  const measures: DatasetMeasure[] = [];
  for (const s of sets) {
    const ds = await sampleDataset(s.symbols, s.from, s.to, log);
    // The DuckDB reference implements methodology 2: the build it is checked against runs v2 too.
    measures.push(await measureDataset(ctx, ds, 0, options.scaleRuns, { buildArgs: ['--methodology', '2'] }));
  }
  const baseline = ctx.results().batch?.data as
    | { rows?: number; oursWallMs?: number; oursPeakBytes?: number; oursGcMs?: number }
    | undefined;
  const rowsOf = (m: DatasetMeasure) => [
    m.dataset.label,
    `${int(m.days)} × ${int(m.rows / m.days)} = ${int(m.rows)}`,
    m.ours ? ms(median(m.ours.wallMs)) : `failed (${m.oursFailure})`,
    m.ours ? `${((median(m.ours.wallMs) * 1000) / m.rows).toFixed(2)} µs` : '—',
    bytes(maxOf(m.ours?.maxRssBytes ?? [])),
    m.ours ? `${(maxOf(m.ours.maxRssBytes) / m.rows).toFixed(0)} B` : '—',
    m.ours
      ? `${ms(median(m.ours.runs.map((r) => r.gcMs)))} (${((median(m.ours.runs.map((r) => r.gcMs)) / median(m.ours.wallMs)) * 100).toFixed(0)}%)`
      : '—',
    ms(median(m.floor.wallMs)),
    m.duckdb ? ms(median(m.duckdb.wallMs)) : '—',
    m.check ? `${m.check.maxRelative.toExponential(1)}${m.check.overCount > 0 ? ' FAILED' : ''}` : '—',
  ];
  const table = measures.map(rowsOf);
  if (baseline?.rows && baseline.oursWallMs) {
    table.unshift([
      'real 2024 (part 1, median)',
      int(baseline.rows),
      ms(baseline.oursWallMs),
      `${((baseline.oursWallMs * 1000) / baseline.rows).toFixed(2)} µs`,
      bytes(baseline.oursPeakBytes ?? Number.NaN),
      `${((baseline.oursPeakBytes ?? Number.NaN) / baseline.rows).toFixed(0)} B`,
      baseline.oursGcMs !== undefined ? ms(baseline.oursGcMs) : '',
      '',
      '',
      '',
    ]);
  }
  for (const m of measures) {
    const label = `${int(m.rows / m.days)} × ${int(m.days)}`;
    part.figure({
      name: `${label}: pulse build wall`,
      value: m.ours ? ms(median(m.ours.wallMs)) : `failed: ${m.oursFailure}`,
      verdict: m.ours ? 'info' : 'failed',
    });
    part.figure({
      name: `${label}: pulse build peak memory`,
      value: `${bytes(maxOf(m.ours?.maxRssBytes ?? []))}${m.oursNodeArgs.length ? ` (needed ${m.oursNodeArgs.join(' ')})` : ''}`,
    });
    part.figure({
      name: `${label}: per symbol-day`,
      value: m.ours
        ? `${((median(m.ours.wallMs) * 1000) / m.rows).toFixed(2)} µs, ${(maxOf(m.ours.maxRssBytes) / m.rows).toFixed(0)} B`
        : '—',
    });
    part.figure({
      name: `${label}: ours / floor, ours / DuckDB`,
      value: `${ratio(median(m.ours?.wallMs ?? []) / median(m.floor.wallMs))}, ${ratio(median(m.ours?.wallMs ?? []) / median(m.duckdb?.wallMs ?? []))}`,
    });
    part.figure({
      name: `${label}: CHECK vs DuckDB`,
      value: m.check
        ? `max deviation ${m.check.maxRelative.toExponential(2)}, ${m.check.overCount} over`
        : (m.duckdbNote ?? 'not run'),
      verdict: checkVerdict(m.check),
    });
  }
  const [small, big] = measures;
  if (small?.ours && big?.ours) {
    const perSmall = median(small.ours.wallMs) / small.rows;
    const perBig = median(big.ours.wallMs) / big.rows;
    const memSmall = maxOf(small.ours.maxRssBytes) / small.rows;
    const memBig = maxOf(big.ours.maxRssBytes) / big.rows;
    part.figure({
      name: 'linearity: per-symbol-day cost, large / small',
      value: `time ${ratio(perBig / perSmall)}, memory ${ratio(memBig / memSmall)} (1.00× = linear)`,
    });
  }
  part.detail(
    [
      `Each dataset is a \`pulse sample\`-style folder from \`generateSample({ seed, symbols, from, to, gzip: true })\`, written once to \`.local/bench/inputs/\` and reused. Both sizes are generated whole with seed ${SAMPLE_SEED} (the generator gives tickers of 3 letters or more once the 676 two-letter names are taken). \`pulse build\` runs with \`--workers auto\` (${workersLabel(measures[0]?.workers ?? 0)}). ${options.scaleRuns} measured run(s) per figure (the largest build takes minutes; the parse floor runs first and warms the page cache).`,
      '',
      mdTable(
        [
          'Dataset',
          'Symbol-days',
          'pulse build',
          'per symbol-day',
          'Peak memory',
          'per symbol-day',
          'GC pauses',
          'Parse floor',
          'DuckDB',
          'Check (max rel.)',
        ],
        table,
      ),
      '',
      ...measures.flatMap((m) =>
        (m.check && m.check.overCount > 0) || m.duckdbNote
          ? [`${m.dataset.label}:`, ...checkLines(m.check, m.duckdbNote), '']
          : [],
      ),
      linearity(measures),
    ].join('\n'),
  );
  return part.finish();
}
