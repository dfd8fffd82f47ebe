/**
 * Micro-benchmark of `snapshotAt` (rules 7–10), the largest part of the daily compute step: on an
 * ordinary day compute rebuilds the snapshots of the ~10 days a pending rule 3(b) split may restate.
 * Steps the engine through an input folder up to `--until` (default: the last day), keeps the states
 * of the last `--last` accepted days, then times `snapshotAt` on each, `--runs` times, in CPU time.
 * `--cache DIR` keeps those states as JSON (loaded instead of rebuilt when present) so profiling
 * runs (`node --cpu-prof`) spend their time in `snapshotAt`, not in parsing a year of files.
 *
 * Usage: npm exec -- node test/bench/children/snapshot-at.ts PRICES_DIR SHORT_INTEREST_DIR
 *          [--splits FILE] [--until YYYY-MM-DD] [--last 10] [--runs 5] [--cache DIR]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openInput, PRICE_FILE } from '../../../functions/cli/input-folder.ts';
import {
  classifyDay,
  cloneState,
  initialState,
  recordRejectedDay,
  snapshotAt,
  stepDay,
} from '../../../shared/methodology/index.ts';
import type { EngineState, StepContext } from '../../../shared/methodology/types.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    until: { type: 'string' },
    last: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    cache: { type: 'string' },
    splits: { type: 'string' },
  },
});
const [prices, shortInterest] = positionals;
if (!prices || !shortInterest) {
  throw new Error(
    'usage: snapshot-at.ts PRICES_DIR SHORT_INTEREST_DIR [--splits FILE] [--until DATE] [--last N] [--runs N] [--cache DIR]',
  );
}
const last = Number(values.last);
const runs = Number(values.runs);

async function buildStates(): Promise<EngineState[]> {
  const input = openInput(
    {
      prices: prices as string,
      shortInterest: shortInterest as string,
      shortVolume: null,
      securities: null,
      splits: values.splits ?? null,
      splitCalendar: null,
      root: null,
    },
    { workers: 0 },
  );
  const until = values.until;
  const candidates = readdirSync(prices as string).filter(
    (f) => PRICE_FILE.test(f) && (until === undefined || f.slice(0, 10) <= until),
  ).length;
  const ctx: StepContext = { shortInterest: input.shortInterest, splits: input.splits, lookahead: [] };
  let state = initialState();
  const kept: EngineState[] = [];
  let seen = 0;
  for await (const day of input.priceDays()) {
    if (until !== undefined && day.date > until) break;
    seen++;
    const reason = classifyDay(state, day);
    if (reason !== null) {
      recordRejectedDay(state, { date: day.date, file: day.file, reason });
      continue;
    }
    state = stepDay(state, day, ctx).state;
    // Rejected files make this keep a few more states than asked, never fewer.
    if (seen > candidates - last - 5) kept.push(cloneState(state));
  }
  return kept.slice(-last);
}

async function states(): Promise<EngineState[]> {
  const dir = values.cache;
  if (dir !== undefined && existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json'))) {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as EngineState);
  }
  const built = await buildStates();
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    for (const s of built) writeFileSync(path.join(dir, `${s.lastDate}.json`), JSON.stringify(s));
  }
  return built;
}

const list = await states();
// One untimed call per state: compiles the code and builds any per-state caches the first call would.
for (const s of list) snapshotAt(s);
const perCall: number[] = [];
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  for (const s of list) snapshotAt(s);
  const c = process.cpuUsage(c0);
  perCall.push((c.user + c.system) / 1000 / list.length);
}
perCall.sort((a, b) => a - b);
const median = perCall[Math.floor(perCall.length / 2)] as number;
process.stdout.write(
  `${list.length} states (${list[0]?.lastDate} … ${list.at(-1)?.lastDate}), ${list[0]?.symbols.length} symbols: ` +
    `snapshotAt CPU ms per call median ${median.toFixed(1)} (min ${perCall[0]?.toFixed(1)}, max ${perCall.at(-1)?.toFixed(1)})\n`,
);
