/**
 * `npm run bench`: issue 7's benchmarks. Runs the parts in order (each prints what it does on stderr),
 * prints the figures as a table and writes docs/benchmarks.md. Benchmarks are not tests: nothing here
 * fails on a slow figure; a missed budget is reported with its measured reason.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBatchPart, runScalePart } from './batch.ts';
import { runBundlesPart } from './bundles.ts';
import { runCostPart } from './cost.ts';
import { runDailyPart } from './daily.ts';
import { benchDir, repoRoot } from './lib/inputs.ts';
import { formatLoad, machineInfo } from './lib/machine.ts';
import { BENCH_HELP, BenchUsageError, PART_TITLES, PARTS, type PartId, parseBenchOptions } from './lib/options.ts';
import type { BenchContext } from './lib/part.ts';
import { PartBuilder } from './lib/part.ts';
import {
  benchmarksPage,
  consoleTable,
  loadStoredResults,
  type PartResult,
  type StoredResults,
  saveStoredResults,
} from './lib/report.ts';
import { runRestatePart } from './restate.ts';
import { runSitePart } from './site.ts';

const RESULTS_FILE = path.join(benchDir, 'results.json');
const PAGE = path.join(repoRoot, 'docs', 'benchmarks.md');

const RUNNERS: Record<PartId, (ctx: BenchContext) => Promise<PartResult>> = {
  batch: runBatchPart,
  scale: runScalePart,
  daily: runDailyPart,
  bundles: runBundlesPart,
  site: runSitePart,
  cost: runCostPart,
  restate: runRestatePart,
};

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseBenchOptions>;
  try {
    parsed = parseBenchOptions(argv);
  } catch (error) {
    if (error instanceof BenchUsageError) {
      console.error(`bench: ${error.message}\n\n${BENCH_HELP}`);
      return 2;
    }
    throw error;
  }
  if (parsed === 'help') {
    console.log(BENCH_HELP);
    return 0;
  }
  const options = parsed;
  const machine = machineInfo(repoRoot);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `bench: ${options.only.join(', ')} — ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load ${formatLoad(machine.loadAverage)}`,
  );
  if (machine.loadAverage[0] > machine.cpus * 0.5) {
    log(
      `bench: the machine is busy (load ${machine.loadAverage[0].toFixed(2)} on ${machine.cpus} CPUs): figures will be noisy`,
    );
  }

  const stored = loadStoredResults(RESULTS_FILE);
  const current: Partial<Record<PartId, PartResult>> = {};
  const tmpDir = mkdtempSync(path.join(tmpdir(), 'short-pulse-bench-'));
  const ctx: BenchContext = {
    options,
    log,
    tmpDir,
    results: () => ({ ...stored?.parts, ...current }),
  };
  try {
    for (const id of PARTS) {
      if (!options.only.includes(id)) continue;
      log(`\n== ${PART_TITLES[id]}`);
      try {
        current[id] = await RUNNERS[id](ctx);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`  part ${id} failed: ${message}`);
        current[id] = new PartBuilder(id).finish('failed', message.split('\n').slice(0, 6).join(' '));
      }
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }

  const merged: StoredResults = { machine, parts: { ...stored?.parts, ...current } };
  // A printed-only run (a trial, e.g. a smaller --restate-size) leaves the stored figures the page is written from.
  if (options.write) saveStoredResults(RESULTS_FILE, merged);
  const parts = PARTS.map((id) => merged.parts[id]).filter((p): p is PartResult => p !== undefined);
  console.log(`\n${consoleTable(parts)}`);
  if (options.write) {
    const page = benchmarksPage({
      machine,
      parts,
      ranNow: options.only,
      command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
      preamble: [
        'Issue 7: speed and cost as measured facts. Every figure below comes from `npm run bench` on the machine described next; rerun it to refresh this page (`npm run bench -- --help` for a subset or more runs). Benchmarks are not part of the test suite, and no test asserts a time.',
        '',
        `**The machine is shared**: other jobs were running while these figures were taken (load average ${formatLoad(machine.loadAverage)} at the start on ${machine.cpus} CPUs; each part records its own). Wall times are therefore upper bounds with run-to-run spread shown as (min–max); CPU times and ratios measured back to back are steadier than absolute times.`,
      ],
    });
    writeFileSync(PAGE, page);
    log(`\nwrote ${path.relative(process.cwd(), PAGE)}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
