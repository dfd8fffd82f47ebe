/**
 * Times the DuckDB reference on the real 2024 screener snapshots with generated short interest and
 * prints a few results. Usage: `npm exec -- node test/bench/duckdb/run-real.ts [runs] [asOf]`.
 * Skips with a message when ../shared/data is absent (a user's clone).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateShortInterest } from './generate-short-interest.ts';
import { duckdbGroupFigures } from './reference.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const pricesDir = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(pricesDir)) {
    process.stdout.write(`skipped: ${pricesDir} is absent\n`);
    return;
  }
  const runs = Number(process.argv[2] ?? 3);
  const asOf = process.argv[3];
  const work = mkdtempSync(path.join(tmpdir(), 'duckdb-reference-'));
  try {
    const siDir = path.join(work, 'short-interest');
    const genStart = performance.now();
    const files = await generateShortInterest(pricesDir, siDir);
    process.stdout.write(
      `generated ${files.length} short interest files in ${(performance.now() - genStart).toFixed(0)} ms\n`,
    );

    const input = { pricesDir, shortInterestDir: siDir, ...(asOf ? { asOf } : {}) };
    await duckdbGroupFigures(input); // warm-up: file cache and DuckDB's lazy initialisation
    const totals: number[] = [];
    const cpus: number[] = [];
    let last = await duckdbGroupFigures(input);
    for (let i = 0; i < runs; i++) {
      if (i > 0) last = await duckdbGroupFigures(input);
      totals.push(last.timings.totalMs!);
      cpus.push(last.timings.cpuMs!);
    }
    const stages = Object.entries(last.timings)
      .map(([k, v]) => `${k}=${v.toFixed(0)}`)
      .join(' ');
    process.stdout.write(
      `wall time (median of ${runs}): ${median(totals).toFixed(0)} ms, CPU ${median(cpus).toFixed(0)} ms; all: ${totals.map((t) => t.toFixed(0)).join(', ')} ms; last run: ${stages}\n`,
    );
    process.stdout.write(`asOf ${last.asOf}; rejected days: ${JSON.stringify(last.rejectedDays)}\n`);
    const ytd = last.windows.ytd;
    process.stdout.write(`ytd ${ytd.from}..${ytd.to} (${ytd.tradingDays} days)\n`);
    for (const [g, f] of Object.entries(ytd.groups)) process.stdout.write(`  ${g}: ${JSON.stringify(f)}\n`);
    const nvda = last.splits.filter((s) => s.symbol === 'NVDA');
    process.stdout.write(`NVDA splits: ${JSON.stringify(nvda)}\n`);
    const byRule = Object.groupBy(last.splits, (s) => s.rule);
    process.stdout.write(
      `splits: ${last.splits.length} (3a ${byRule['3a']?.length ?? 0}, 3b ${byRule['3b']?.length ?? 0}, 3c ${byRule['3c']?.length ?? 0}); pending: ${JSON.stringify(last.pendingSplits)}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
