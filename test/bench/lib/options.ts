/** `npm run bench -- [--only a,b] [--runs N] [--warmup N] [--scale-runs N] [--no-write] [--no-profile]`. */
import { parseArgs } from 'node:util';

export const PARTS = ['batch', 'scale', 'daily', 'bundles', 'site', 'cost'] as const;
export type PartId = (typeof PARTS)[number];

export const PART_TITLES: Record<PartId, string> = {
  batch: '1. Full-year batch (real 2024 prices)',
  scale: '2. Scale (generated data)',
  daily: '3. Daily step (ingest → compute → publish on dynalite/s3rver)',
  bundles: '4. Lambda bundles',
  site: '5. Site',
  cost: '6. Cost model (monthly, on-demand, us-east-1)',
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
  --no-profile       do not profile a build that misses its budget
  --no-write         print only; leave docs/benchmarks.md alone
Parts not run keep their previous figures (from .local/bench/results.json), marked with their date.`;

function count(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new BenchUsageError(`--${name} must be a whole number >= ${min}, got ${raw}`);
  return n;
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
    profile: values['no-profile'] !== true,
    write: values['no-write'] !== true,
  };
}
