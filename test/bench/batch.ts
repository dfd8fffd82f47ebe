/**
 * Parts 1 and 2: `pulse build` over a whole input folder, next to the parse floor and the DuckDB
 * reference on the same files, each in a fresh Node process (wall time from spawn to exit, peak RSS
 * reported by the child itself). Part 1 uses the real 2024 screener snapshots; part 2 generated
 * folders of 10,000 symbols × one year and 20,000 × two years.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { autoWorkers, PRICE_FILE } from '../../functions/cli/input-folder.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { type ChildRun, runChild, type Series, series } from './lib/child.ts';
import { CHECK_TOLERANCE, type CheckResult, compareFigures, type WindowFigures } from './lib/compare.ts';
import { summariseCpuProfile } from './lib/cpu-profile.ts';
import { type Dataset, realDataset, repoRoot, SAMPLE_SEED, sampleDataset } from './lib/inputs.ts';
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

export interface DatasetMeasure {
  dataset: Dataset;
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
    const run = await runChild(PULSE_CLI, ['build', ...inputArgs(ds), '--out', out, ...extraArgs], {
      nodeArgs,
      check: false,
    });
    if (run.status === 0) keep?.(out);
    return run;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function measureDataset(ctx: BenchContext, ds: Dataset, warmup: number, runs: number): Promise<DatasetMeasure> {
  const { log } = ctx;
  log(`  ${ds.label}`);
  const floorScript = path.join(CHILDREN, 'parse-floor.ts');
  // The floor runs first: its warm-up also brings the files into the page cache for the others.
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
  const probe = await buildOnce(ctx, ds, nodeArgs, keep);
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
        const r = await buildOnce(ctx, ds, nodeArgs, keep);
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
  if (!existsSync(DUCKDB_REFERENCE)) {
    duckdbNote = 'test/bench/duckdb/reference.ts is absent: DuckDB not measured';
  } else {
    const out = path.join(ctx.tmpDir, `duckdb-${ds.id}.json`);
    const input = JSON.stringify({
      pricesDir: ds.pricesDir,
      shortInterestDir: ds.shortInterestDir,
      ...(ds.splitsFile && existsSync(ds.splitsFile) ? { splitsFile: ds.splitsFile } : {}),
    });
    try {
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
  await buildOnce(ctx, ds, [...m.oursNodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`], undefined, ['--workers', '0']);
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!file) {
    part.detail('Profiling produced no `.cpuprofile`.');
    return;
  }
  const profile = summariseCpuProfile(path.join(dir, file), repoRoot, 12);
  const gc = profile.functions.find((f) => f.label === '(garbage collector)');
  part.detail(
    [
      `### Profile of \`pulse build --workers 0\` (\`node --cpu-prof\`, ${ms(profile.totalMs)} sampled)`,
      '',
      'Self time by function (JSON.parse has no frame of its own: V8 counts it in the function that calls it, here `parseScreener`):',
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
  const phasesRun = await runChild(path.join(CHILDREN, 'build-phases.ts'), [
    ds.pricesDir,
    ds.shortInterestDir,
    ...(ds.splitsFile && existsSync(ds.splitsFile) ? [ds.splitsFile] : []),
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
          ? `With ${workersLabel(m.workers)} the files are parsed on other threads while the engine steps earlier days, which takes the wall time below the one-thread figure (${ms(oursWall)} against ${ms(single)}) at the cost of more CPU in all (${ms(oursCpu)}, every thread) and a heap per worker; on this machine's ${availableParallelism()} cores, shared with other jobs, the parsing threads and the engine compete for the same cores.`
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

export async function runBatchPart(ctx: BenchContext): Promise<PartResult> {
  const part = new PartBuilder('batch');
  const { options, log } = ctx;
  const ds = await realDataset(log);
  if (!ds) {
    const msg = '../shared/data/nasdaq-screener/2024 is absent (a fresh clone): skipped';
    log(`  ${msg}`);
    return part.finish('skipped', msg);
  }
  const m = await measureDataset(ctx, ds, options.warmup, options.runs);
  const floorWall = median(m.floor.wallMs);
  const oursWall = median(m.ours?.wallMs ?? []);
  const duckWall = median(m.duckdb?.wallMs ?? []);
  const oursPeak = maxOf(m.ours?.maxRssBytes ?? []);
  const oursFloor = oursWall / floorWall;
  const oursDuck = oursWall / duckWall;

  part.figure({
    name: 'input',
    value: `${int(m.days)} days, ${int(m.rows)} symbol-days (${int(m.rows / m.days)} symbols a day)`,
  });
  part.figure({
    name: 'pulse build: wall',
    value: m.ours ? spread(m.ours.wallMs, ms) : `failed: ${m.oursFailure}`,
    verdict: m.ours ? 'info' : 'failed',
  });
  part.figure({ name: 'pulse build: CPU', value: m.ours ? ms(median(m.oursCpuMs)) : '—' });
  const gcMs = median(m.ours?.runs.map((r) => r.gcMs) ?? []);
  part.figure({
    name: 'pulse build: garbage collection pauses (main thread)',
    value: m.ours ? `${ms(gcMs)} (${((gcMs / oursWall) * 100).toFixed(0)}% of wall)` : '—',
  });
  part.figure({
    name: 'pulse build: peak memory (RSS)',
    value: bytes(oursPeak),
    budget: '≤ 1.5 GB',
    verdict: atMost(oursPeak, BATCH_BUDGET.peakBytes),
  });
  part.figure({ name: 'parse floor: wall (process)', value: spread(m.floor.wallMs, ms) });
  part.figure({ name: 'parse floor: in-process', value: ms(median(m.floorWorkMs)) });
  part.figure({ name: 'parse floor: peak memory', value: bytes(maxOf(m.floor.maxRssBytes)) });
  if (m.duckdb) {
    part.figure({ name: 'DuckDB: wall', value: spread(m.duckdb.wallMs, ms) });
    part.figure({ name: 'DuckDB: CPU (all threads)', value: ms(median(m.duckdbCpuMs)) });
    part.figure({ name: 'DuckDB: peak memory', value: bytes(maxOf(m.duckdb.maxRssBytes)) });
  } else {
    part.figure({ name: 'DuckDB', value: m.duckdbNote ?? 'not measured', verdict: 'pending' });
  }
  part.figure({
    name: 'ours / parse floor',
    value: ratio(oursFloor),
    budget: '≤ 1.5×',
    verdict: atMost(oursFloor, BATCH_BUDGET.floorRatio),
  });
  part.figure({
    name: 'ours / DuckDB',
    value: ratio(oursDuck),
    budget: '≤ 1.0×',
    verdict: m.duckdb ? atMost(oursDuck, BATCH_BUDGET.duckdbRatio) : 'pending',
  });
  part.figure({
    name: 'CHECK: DuckDB figures = ours (1e-6 relative)',
    value: m.check
      ? `max deviation ${m.check.maxRelative.toExponential(2)}, ${m.check.overCount} of ${int(m.check.compared)} over`
      : (m.duckdbNote ?? 'not run'),
    budget: '≤ 1e-6',
    verdict: checkVerdict(m.check),
  });
  if (m.check && m.check.overCount > 0) {
    log(
      `  !!! CHECK FAILED: ${m.check.overCount} values differ from DuckDB by more than ${CHECK_TOLERANCE}; worst ${m.check.worst?.where} (${m.check.maxRelative.toExponential(2)})`,
    );
  }
  part.detail(
    [
      `Input: \`../shared/data/nasdaq-screener/2024\` (${int(m.days)} gzipped screener snapshots) and ${readdirSync(ds.shortInterestDir).length} short interest files generated by \`generateShortInterestFor\` (seed 7) into \`.local/bench/inputs/\`.`,
      `\`pulse build\` is the real command line (\`node functions/cli/pulse.ts build --prices … --short-interest … --out <tmp>\`), in a fresh process per run: the wall time includes Node's start, reading, parsing, the methodology and writing the snapshot. It reads the short interest files first, then streams the price files through the engine one day at a time in (date, file) order (\`openInput\` in functions/cli/input-folder.ts, \`startBatch\` in shared/methodology/batch.ts), with ${workersLabel(m.workers)} reading and parsing the next days while the engine steps the current one (\`--workers auto\`; functions/cli/price-pool.ts). CPU time counts every thread; garbage collection pauses are the main thread's. The parse floor is a process that only reads, gunzips and \`JSON.parse\`s the same files (\`test/bench/children/parse-floor.ts\`); DuckDB runs \`test/bench/duckdb/reference.ts\` (SQL, own parser, multi-threaded: compare CPU too). Peak memory is the child's max RSS (\`process.resourceUsage().maxRSS\`). ${options.warmup} warm-up + ${options.runs} measured runs each; median (min–max).`,
      '',
      '### Cross-check against DuckDB',
      '',
      ...checkLines(m.check, m.duckdbNote),
    ].join('\n'),
  );
  const missed =
    !(oursFloor <= BATCH_BUDGET.floorRatio) ||
    !(oursDuck <= BATCH_BUDGET.duckdbRatio) ||
    !(oursPeak <= BATCH_BUDGET.peakBytes);
  if (missed && options.profile && m.ours) await profileBuild(ctx, ds, m, part);
  part.data({
    rows: m.rows,
    days: m.days,
    oursWallMs: oursWall,
    oursPeakBytes: oursPeak,
    oursGcMs: gcMs,
    floorWallMs: floorWall,
    duckdbWallMs: duckWall,
    checkMaxRelative: m.check?.maxRelative ?? null,
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
    measures.push(await measureDataset(ctx, ds, 0, options.scaleRuns));
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
