/** `npm run bench -- [--only a,b] [--runs N] [--warmup N] [--scale-runs N] [--restate-size SxY] [--no-write] [--no-profile]`. */
import { parseArgs } from 'node:util';

export const PARTS = ['batch', 'scale', 'daily', 'bundles', 'site', 'cost', 'restate'] as const;
export type PartId = (typeof PARTS)[number];

export const PART_TITLES: Record<PartId, string> = {
  batch: '1. Full-year batch (real 2024 prices)',
  scale: '2. Scale (generated data)',
  daily: '3. Daily step (ingest → compute → publish on dynalite/s3rver)',
  bundles: '4. Lambda bundles',
  site: '5. Site',
  cost: '6. Cost model (monthly, on-demand, us-east-1)',
  restate: '7. Ten-year restatement (generated, Lambda handlers on dynalite/s3rver)',
};

export interface BenchOptions {
  only: PartId[];
  /** Measured runs per figure (median reported). */
  runs: number;
  /** Unmeasured runs before them (file cache, lazy initialisation). */
  warmup: number;
  /** Runs per scale dataset: the 20,000 × 504 build takes minutes, so fewer by default. */
  scaleRuns: number;
  /** Profile (`--cpu-prof`) a batch build when a budget is missed. */
  profile: boolean;
  /** Part 7's dataset: symbols a day and years (issue 20 item 3: 7,000 × 10). */
  restateSize: { symbols: number; years: number };
  /** Write docs/benchmarks.md (default) or only print. */
  write: boolean;
}

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export const BENCH_HELP = `Usage: npm run bench -- [options]

  --only LIST        comma list of parts: ${PARTS.join(', ')} (default: all)
  --runs N           measured runs per figure, median reported (default 3)
  --warmup N         unmeasured runs first (default 1)
  --scale-runs N     runs per scale dataset (default 1; the largest build takes minutes)
  --restate-size SxY part 7's generated data: S symbols a day over Y years (default 7000x10)
  --no-profile       do not profile a build that misses its budget
  --no-write         print only; leave docs/benchmarks.md and the stored figures alone
Parts not run keep their previous figures (from .local/bench/results.json), marked with their date.`;

function count(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new BenchUsageError(`--${name} must be a whole number >= ${min}, got ${raw}`);
  return n;
}

function restateSize(raw: string | undefined): { symbols: number; years: number } {
  if (raw === undefined) return { symbols: 7000, years: 10 };
  const m = /^(\d+)x(\d+)$/.exec(raw);
  const symbols = Number(m?.[1]);
  const years = Number(m?.[2]);
  if (!m || symbols < 10 || years < 1 || years > 20)
    throw new BenchUsageError(`--restate-size must be SYMBOLSxYEARS (at least 10 symbols, 1 to 20 years), got ${raw}`);
  return { symbols, years };
}

export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        only: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        'scale-runs': { type: 'string' },
        'restate-size': { type: 'string' },
        'no-profile': { type: 'boolean' },
        'no-write': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const only: PartId[] = [];
  if (typeof values.only === 'string') {
    for (const raw of values.only.split(',')) {
      const id = raw.trim();
      if (id === '') continue;
      if (!(PARTS as readonly string[]).includes(id)) {
        throw new BenchUsageError(`--only: unknown part "${id}" (parts: ${PARTS.join(', ')})`);
      }
      if (!only.includes(id as PartId)) only.push(id as PartId);
    }
  }
  return {
    only: only.length > 0 ? only : [...PARTS],
    runs: count(values.runs as string | undefined, 'runs', 3, 1),
    warmup: count(values.warmup as string | undefined, 'warmup', 1, 0),
    scaleRuns: count(values['scale-runs'] as string | undefined, 'scale-runs', 1, 1),
    restateSize: restateSize(values['restate-size'] as string | undefined),
    profile: values['no-profile'] !== true,
    write: values['no-write'] !== true,
  };
}
