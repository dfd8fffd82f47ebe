/**
 * The per-stock files in the pipeline (issue 19): compute resumes the stock recorder of `pulse build`
 * (shared/methodology/stocks.ts) at its checkpoint, so the files it hands to publish equal `pulse build`'s
 * on the same inputs.
 *
 * The recorder needs every final day of the year (a day is final once it has left the engine's ring). Each run
 * stores the days that became final during its fold (derived/stocks/days/<date>.bin.gz) and the next run loads
 * those the checkpoint it starts from no longer holds (`seedRange`). A day missing there (state written by an
 * earlier version, or lost) is rebuilt from the checkpoint of the day RING − 1 accepted days later, which still
 * holds it in its ring, and stored again; if that checkpoint is gone too, this run publishes no stock files
 * (a warning says why) and the journal forgets the last ones, so publish leaves the site's as they were.
 */
import type { IsoDate } from '../../../shared/domain.ts';
import { RING } from '../../../shared/methodology/engine.ts';
import type { EngineState } from '../../../shared/methodology/index.ts';
import {
  type RecordedDay,
  recordDay,
  type StockRecorder,
  seedRange,
  startStockRecorder,
} from '../../../shared/methodology/stocks.ts';
import type { PipelineDeps } from '../deps.ts';
import { loadCheckpoint } from './inputs.ts';

/** How many stored days are read at once. */
const PARALLEL_READS = 16;

async function inBatches<T, R>(items: readonly T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

/**
 * A recorder resumed at `base` (the checkpoint the fold starts from), whose accepted days are `acceptedBefore`
 * (oldest first, as the journal lists them); null when a day of its seed cannot be had (warned).
 */
export async function resumeStockRecorder(
  deps: PipelineDeps,
  base: EngineState,
  acceptedBefore: readonly IsoDate[],
): Promise<StockRecorder | null> {
  if (base.dayCount !== acceptedBefore.length) {
    deps.log.warn('no stock files this run: the checkpoint and the journal disagree on the days folded', {
      checkpointDays: base.dayCount,
      journalDays: acceptedBefore.length,
    });
    return null;
  }
  const range = seedRange(base.dayCount, (j) => (acceptedBefore[j] as IsoDate).slice(0, 4));
  if (range === null) return startStockRecorder();
  const wanted = acceptedBefore.slice(range.from, range.to + 1);
  const stored = await inBatches(wanted, PARALLEL_READS, (date) => deps.derived.getStockDay(date));
  const seed: RecordedDay[] = [];
  for (let k = 0; k < wanted.length; k++) {
    const j = range.from + k;
    const date = wanted[k] as IsoDate;
    let day = stored[k];
    if (day !== undefined && (day.index !== j || day.date !== date || day.price.length > base.symbols.length)) {
      deps.log.warn('a stored stock day does not match the journal: rebuilt from a checkpoint', {
        date,
        index: j,
        stored: { index: day.index, date: day.date },
      });
      day = undefined;
    }
    if (day === undefined) {
      const holder = acceptedBefore[j + RING - 1] as IsoDate;
      try {
        day = recordDay(await loadCheckpoint(deps, holder), j);
      } catch (error) {
        deps.log.warn('no stock files this run: a day of the per-stock series is missing', {
          date,
          checkpoint: holder,
          error: (error as Error).message,
        });
        return null;
      }
      await deps.derived.putStockDay(day);
    }
    seed.push(day);
  }
  return startStockRecorder(seed);
}
