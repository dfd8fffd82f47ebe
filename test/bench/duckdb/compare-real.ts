/**
 * Diagnostic: the DuckDB reference against the TypeScript engine (engine-snapshot.ts: the real parsers
 * and shared/methodology, as `pulse build` runs them) on the real 2024 screener snapshots with the
 * bench's generated short interest, for one or more as-of dates. Prints the values that differ by more
 * than 1e-6 and the split decisions (applied and pending) that only one side made; with `--dump`, both
 * sides' decisions on the last 12 accepted days. Exits 1 when any as-of date disagrees.
 * Usage: `npm exec -- node test/bench/duckdb/compare-real.ts [--dump] [shortInterestDir|-] [asOf…]`
 * (`-` or nothing: short interest from generate-short-interest.ts in a temporary folder; the bench's
 * own is .local/bench/inputs/real-2024-si-seed7/short-interest; default as-of: the last file).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareFigures } from '../lib/compare.ts';
import { engineSnapshot } from './engine-snapshot.ts';
import { generateShortInterest } from './generate-short-interest.ts';
import { duckdbGroupFigures } from './reference.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const pricesDir = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');

interface Decision {
  symbol: string;
  date: string;
  factor?: number;
  rule?: string;
}

/** One line per symbol-day decided on the given dates: `date symbol: ours … | DuckDB …`. */
function dumpDecisions(dates: Set<string>, ours: Decision[], reference: Decision[]): string[] {
  const show = (d: Decision | undefined) => (d ? (d.factor === undefined ? 'pending' : `×${d.factor} ${d.rule}`) : '—');
  const key = (d: Decision) => `${d.date} ${d.symbol}`;
  const a = new Map(ours.filter((d) => dates.has(d.date)).map((d) => [key(d), d]));
  const b = new Map(reference.filter((d) => dates.has(d.date)).map((d) => [key(d), d]));
  return [...new Set([...a.keys(), ...b.keys()])].sort().map((k) => {
    const x = show(a.get(k));
    const y = show(b.get(k));
    return `    ${x === y ? ' ' : '!'} ${k}: ours ${x} | DuckDB ${y}`;
  });
}

async function compareAt(shortInterestDir: string, asOf: string | undefined, dump: boolean): Promise<boolean> {
  const t0 = performance.now();
  const snap = await engineSnapshot({ pricesDir, shortInterestDir, ...(asOf ? { asOf } : {}) });
  const t1 = performance.now();
  const ref = await duckdbGroupFigures({ pricesDir, shortInterestDir, ...(asOf ? { asOf } : {}) });
  const t2 = performance.now();
  const check = compareFigures(
    { windows: snap.windows, splits: snap.dataQuality.splits, pending: snap.dataQuality.pendingSplits },
    { windows: ref.windows, splits: ref.splits, pending: ref.pendingSplits },
  );
  const out = process.stdout;
  out.write(
    `as-of ${asOf ?? '(last)'}: A ours ${snap.asOf}, DuckDB ${ref.asOf}; engine ${((t1 - t0) / 1000).toFixed(1)} s, DuckDB ${((t2 - t1) / 1000).toFixed(1)} s\n`,
  );
  out.write(
    `  ${check.compared} values, ${check.overCount} over 1e-6, max relative ${check.maxRelative.toExponential(2)}${check.worst ? ` at ${check.worst.where}` : ''}\n`,
  );
  for (const d of check.over)
    out.write(`    ${d.where}: ours ${d.ours}, DuckDB ${d.reference} (${d.relative.toExponential(2)})\n`);
  const lists = [
    ['splits only ours', check.splitsOnlyOurs],
    ['splits only DuckDB', check.splitsOnlyReference],
    ['pending only ours', check.pendingOnlyOurs],
    ['pending only DuckDB', check.pendingOnlyReference],
  ] as const;
  for (const [label, list] of lists) out.write(`  ${label} (${list.length}): ${list.join(' ')}\n`);
  out.write(
    `  splits ${snap.dataQuality.splits.length} / ${ref.splits.length}, pending ${snap.dataQuality.pendingSplits?.length ?? 0} / ${ref.pendingSplits.length}\n`,
  );
  if (dump) {
    const rejected = new Set(ref.rejectedDays.map((d) => d.date));
    const accepted = readdirSync(pricesDir)
      .map((f) => /^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/.exec(f)?.[1])
      .filter((d): d is string => d !== undefined && d <= ref.asOf && !rejected.has(d))
      .sort();
    const dates = new Set(accepted.slice(-12));
    out.write(`  decisions on the last ${dates.size} accepted days (! = the two differ):\n`);
    const ours = [
      ...snap.dataQuality.splits,
      ...snap.dataQuality.pendingSplits.map(({ symbol, date }) => ({ symbol, date })),
    ];
    const theirs = [...ref.splits, ...ref.pendingSplits];
    for (const line of dumpDecisions(dates, ours, theirs)) out.write(`${line}\n`);
  }
  return check.overCount === 0 && lists.every(([, l]) => l.length === 0) && snap.asOf === ref.asOf;
}

async function main(): Promise<number> {
  if (!existsSync(pricesDir)) {
    process.stdout.write(`skipped: ${pricesDir} is absent\n`);
    return 0;
  }
  const args = process.argv.slice(2);
  const dump = args.includes('--dump');
  const [siArg, ...asOfs] = args.filter((a) => a !== '--dump');
  let work: string | null = null;
  let shortInterestDir: string;
  if (siArg && siArg !== '-') {
    shortInterestDir = path.resolve(siArg);
    if (!existsSync(shortInterestDir)) {
      process.stderr.write(`${shortInterestDir} is absent\n`);
      return 2;
    }
  } else {
    work = mkdtempSync(path.join(tmpdir(), 'compare-real-'));
    shortInterestDir = path.join(work, 'short-interest');
    await generateShortInterest(pricesDir, shortInterestDir);
  }
  try {
    let ok = true;
    for (const asOf of asOfs.length > 0 ? asOfs : [undefined])
      ok = (await compareAt(shortInterestDir, asOf, dump)) && ok;
    return ok ? 0 : 1;
  } finally {
    if (work !== null) rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
