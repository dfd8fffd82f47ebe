/**
 * Diagnostic for a missed batch budget: the phases of `pulse build` timed one by one in one process,
 * calling what functions/cli/commands/build.ts calls in the same order (loadInput, buildSnapshot,
 * assembleSnapshot/assembleHistory, JSON.stringify), without writing files.
 * Usage: node build-phases.ts PRICES_DIR SHORT_INTEREST_DIR [SPLITS_FILE]
 */
import { loadInput } from '../../../functions/cli/input-folder.ts';
import { buildSnapshot } from '../../../shared/methodology/index.ts';
import { assembleHistory, assembleSnapshot } from '../../../shared/snapshot/assemble.ts';
import { reportToParent } from '../lib/child.ts';

const [prices, shortInterest, splits] = process.argv.slice(2);
if (!prices || !shortInterest) throw new Error('usage: build-phases.ts PRICES_DIR SHORT_INTEREST_DIR [SPLITS_FILE]');
const startupMs = performance.now();
const t0 = performance.now();
const input = loadInput({ prices, shortInterest, shortVolume: null, splits: splits ?? null, root: null });
const t1 = performance.now();
const heapAfterLoad = process.memoryUsage().heapUsed;
const { body, history } = buildSnapshot({
  days: input.priceDays,
  shortInterest: input.shortInterest,
  splits: input.splits,
});
const t2 = performance.now();
const generatedAt = new Date().toISOString();
const snapshot = assembleSnapshot(body, {
  generatedAt,
  sample: false,
  sources: input.sources,
  rejections: input.rejections,
});
const historyDoc = assembleHistory(history, { generatedAt, sample: false });
const t3 = performance.now();
const size = JSON.stringify(snapshot, null, 1).length + JSON.stringify(historyDoc, null, 1).length;
const t4 = performance.now();
reportToParent({
  startupMs,
  loadMs: t1 - t0,
  methodologyMs: t2 - t1,
  assembleMs: t3 - t2,
  serializeMs: t4 - t3,
  heapAfterLoad,
  outputChars: size,
});
