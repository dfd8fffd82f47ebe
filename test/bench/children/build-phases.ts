/**
 * Diagnostic for a missed batch budget: the phases of `pulse build` timed one by one in one process,
 * on one thread (`--workers 0`, so reading and the engine do not overlap and can be told apart):
 * the calls functions/cli/commands/build.ts makes, in the same order, without writing files.
 * Usage: node build-phases.ts PRICES_DIR SHORT_INTEREST_DIR [SPLITS_FILE] [--methodology=1|2|3]
 * (default 3, as `pulse build`).
 */
import { openInput } from '../../../functions/cli/input-folder.ts';
import { startBatch } from '../../../shared/methodology/index.ts';
import { assembleHistory, assembleSnapshot } from '../../../shared/snapshot/assemble.ts';
import { reportToParent } from '../lib/child.ts';

const argv = process.argv.slice(2);
const methodologyArg = argv.find((a) => a.startsWith('--methodology='))?.slice('--methodology='.length) ?? '3';
if (!['1', '2', '3'].includes(methodologyArg))
  throw new Error(`--methodology must be 1, 2 or 3, got ${methodologyArg}`);
const methodology = Number(methodologyArg) as 1 | 2 | 3;
const [prices, shortInterest, splits] = argv.filter((a) => !a.startsWith('--'));
if (!prices || !shortInterest) {
  throw new Error('usage: build-phases.ts PRICES_DIR SHORT_INTEREST_DIR [SPLITS_FILE] [--methodology=1|2|3]');
}
const startupMs = performance.now();
const t0 = performance.now();
const input = openInput(
  {
    prices,
    shortInterest,
    shortVolume: null,
    splits: splits ?? null,
    splitCalendar: null,
    securities: null,
    root: null,
  },
  { workers: 0 },
);
const t1 = performance.now();
const fold = startBatch({ shortInterest: input.shortInterest, splits: input.splits, methodology });
// The generator reads a file when the loop asks for the next day: time spent inside `next` is
// reading and parsing, time inside `add` the engine.
let readMs = 0;
let engineMs = 0;
let heapPeak = 0;
const days = input.priceDays();
for (;;) {
  const a = performance.now();
  const next = await days.next();
  const b = performance.now();
  readMs += b - a;
  if (next.done) break;
  fold.add(next.value);
  engineMs += performance.now() - b;
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}
const t2 = performance.now();
const { body, history } = fold.finish();
const files = input.files();
const t3 = performance.now();
const generatedAt = new Date().toISOString();
const snapshot = assembleSnapshot(body, {
  generatedAt,
  sample: false,
  sources: files.sources,
  rejections: files.rejections,
});
const historyDoc = assembleHistory(history, { generatedAt, sample: false, methodologyVersion: methodology });
const t4 = performance.now();
const size = JSON.stringify(snapshot, null, 1).length + JSON.stringify(historyDoc, null, 1).length;
const t5 = performance.now();
reportToParent({
  startupMs,
  sideFilesMs: t1 - t0,
  readMs,
  engineMs,
  pricePassMs: t2 - t1,
  finishMs: t3 - t2,
  assembleMs: t4 - t3,
  serializeMs: t5 - t4,
  heapPeak,
  outputChars: size,
});
