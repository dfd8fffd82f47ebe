/**
 * Parts 1 and 2: `pulse build` over a whole input folder, next to the parse floor and the DuckDB
 * reference on the same files, each in a fresh Node process (wall time from spawn to exit, peak RSS
 * reported by the child itself). Part 1 uses the real 2024 screener snapshots; part 2 generated
 * folders of 10,000 symbols × one year and 20,000 × two years.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import { type ChildRun, runChild, type Series, series } from './lib/child.ts';
import { CHECK_TOLERANCE, type CheckResult, compareFigures, type WindowFigures } from './lib/compare.ts';
import { summariseCpuProfile } from './lib/cpu-profile.ts';
import { type Dataset, realDataset, repoRoot, sampleDataset } from './lib/inputs.ts';
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
): Promise<ChildRun> {
  const out = mkdtempSync(path.join(ctx.tmpDir, 'build-'));
  try {
    const run = await runChild(PULSE_CLI, ['build', ...inputArgs(ds), '--out', out], { nodeArgs, check: false });
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
  log('  profiling pulse build (--cpu-prof)…');
  const dir = mkdtempSync(path.join(ctx.tmpDir, 'cpuprof-'));
  await buildOnce(ctx, ds, [...m.oursNodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!file) {
    part.detail('Profiling produced no `.cpuprofile`.');
    return;
  }
  const profile = summariseCpuProfile(path.join(dir, file), repoRoot, 12);
  const gc = profile.functions.find((f) => f.label === '(garbage collector)');
  part.detail(
    [
      `### Profile of \`pulse build\` (\`node --cpu-prof\`, ${ms(profile.totalMs)} sampled)`,
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

  log('  measuring the cost of keeping every parsed day (retention.ts discard | keep)…');
  const script = path.join(CHILDREN, 'retention.ts');
  const discard = await runChild(script, [ds.pricesDir, 'discard']);
  const keep = await runChild(script, [ds.pricesDir, 'keep']);
  const floorWork = median(m.floorWorkMs);
  const oursWall = median(m.ours?.wallMs ?? []);
  const discardMs = Number(discard.report?.workMs);
  const keepMs = Number(keep.report?.workMs);
  log('  timing the phases of pulse build (build-phases.ts)…');
  const phasesRun = await runChild(path.join(CHILDREN, 'build-phases.ts'), [
    ds.pricesDir,
    ds.shortInterestDir,
    ...(ds.splitsFile && existsSync(ds.splitsFile) ? [ds.splitsFile] : []),
  ]);
  const ph = (phasesRun.report ?? {}) as Record<string, number>;
  const engineShare = profile.files.find((f) => f.label === 'shared/methodology/engine.ts');
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
            '`decodeText` + `parseScreener`, each day dropped',
            ms(discardMs),
            bytes(discard.maxRssBytes),
            ratio(discardMs / floorWork),
          ],
          [
            '`decodeText` + `parseScreener`, every day kept (what `loadInput` does)',
            ms(keepMs),
            bytes(keep.maxRssBytes),
            ratio(keepMs / floorWork),
          ],
          [
            'whole `pulse build` (process wall)',
            ms(oursWall),
            bytes(maxOf(m.ours?.maxRssBytes ?? [])),
            ratio(oursWall / floorWork),
          ],
        ],
      ),
      '',
      'The phases of `pulse build` in one process (`test/bench/children/build-phases.ts`, the calls `build.ts` makes, in order):',
      '',
      mdTable(
        ['Phase', 'Time'],
        [
          ['Node start and module loading', ms(ph.startupMs ?? Number.NaN)],
          ['`loadInput` (read, sha256, decode, parse and keep every file)', ms(ph.loadMs ?? Number.NaN)],
          ['`buildSnapshot` (the methodology, every day)', ms(ph.methodologyMs ?? Number.NaN)],
          ['`assembleSnapshot` + `assembleHistory` (schema checks)', ms(ph.assembleMs ?? Number.NaN)],
          ['`JSON.stringify` of both', ms(ph.serializeMs ?? Number.NaN)],
        ],
      ),
      '',
      `Measured reason: parsing with the project's own parser, validation and mapping included, is ${
        discardMs / floorWork < 1.15 ? 'close to' : 'well above'
      } the floor (${ratio(discardMs / floorWork)}) when each day is dropped; keeping a whole year of row objects alive while ` +
        `parsing the next files costs another ${ms(keepMs - discardMs)}` +
        (gc
          ? `, and the profile shows ${(gc.share * 100).toFixed(0)}% of all samples in the garbage collector, which re-traces the growing heap of retained rows on every major collection`
          : '') +
        `. The methodology is not where the budget goes: \`buildSnapshot\` takes ${ms(ph.methodologyMs ?? Number.NaN)} for the whole year` +
        (engineShare ? ` (the engine's own functions: ${ms(engineShare.selfMs)} of samples)` : '') +
        `, against ${ms(ph.loadMs ?? Number.NaN)} for \`loadInput\`, which leaves a ${bytes(ph.heapAfterLoad ?? Number.NaN)} heap behind.`,
      '',
      "What would fix it (outside this benchmark's area): stream the days through the engine instead of loading the folder first — " +
        '`loadInput` could yield one parsed day at a time and `buildSnapshot` fold over an iterable, so each day becomes garbage ' +
        "after `stepDay` (rule 3(b)'s look-ahead already works without later days in the batch); the rows that must outlive a day " +
        '(engine state) are per symbol, not per symbol-day. That removes the retention cost above and most of the peak memory. ' +
        'Rows could also skip the fields no rule reads for past days (`name`, `industry` strings per symbol-day).',
    ].join('\n'),
  );
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
    name: 'pulse build: garbage collection pauses',
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
      `\`pulse build\` is the real command line (\`node functions/cli/pulse.ts build --prices … --short-interest … --out <tmp>\`), in a fresh process per run: the wall time includes Node's start, reading, parsing, the methodology and writing the snapshot. The parse floor is a process that only reads, gunzips and \`JSON.parse\`s the same files (\`test/bench/children/parse-floor.ts\`); DuckDB runs \`test/bench/duckdb/reference.ts\` (SQL, own parser, multi-threaded: compare CPU too). Peak memory is the child's max RSS (\`process.resourceUsage().maxRSS\`). ${options.warmup} warm-up + ${options.runs} measured runs each; median (min–max).`,
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
  const mem = maxOf(b.ours?.maxRssBytes ?? []) / b.rows / (maxOf(a.ours?.maxRssBytes ?? []) / a.rows);
  const fl = median(b.floor.wallMs) / b.rows / (median(a.floor.wallMs) / a.rows);
  return (
    `From ${int(a.rows)} to ${int(b.rows)} symbol-days (${ratio(b.rows / a.rows)}): time per symbol-day ${ratio(t)} for \`pulse build\` (${ratio(fl)} for the parse floor), peak memory per symbol-day ${ratio(mem)}. ` +
    (t > 1.15
      ? 'Time grows faster than the input: the garbage collector re-traces a retained input that grows with it (part 1). '
      : 'Time is linear in symbol-days. ') +
    (mem > 0.85
      ? 'Memory is proportional to the input: the whole input is parsed and held before the engine runs, so the largest input needs several GB.'
      : 'Memory grows slower than the input.')
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
      `Each dataset is a \`pulse sample\`-style folder from \`generateSample({ seed, symbols, from, to, gzip: true })\`, written once to \`.local/bench/inputs/\` and reused. The generator cannot name 20,000 distinct tickers (\`tickerFrom\` in shared/sample/universe.ts loops forever once the two-letter names run out, from about 9,500 symbols; seed 7 already hangs at 10,000), so the 20,000-symbol set is two 10,000-symbol samples (seeds 11 and 2025) merged day by day, the second one's symbols prefixed with \`9\` (short volume files left out). ${options.scaleRuns} measured run(s) per figure (the largest build takes minutes; the parse floor runs first and warms the page cache).`,
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
