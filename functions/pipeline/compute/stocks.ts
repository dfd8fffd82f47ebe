/**
 * The per-stock files in the pipeline (issue 19): compute resumes the stock recorder of `pulse build`
 * (shared/methodology/stocks.ts) at its checkpoint, so the files it hands to publish equal `pulse build`'s
 * on the same inputs.
 *
 * The recorder needs every final day of the year (a day is final once it has left the engine's ring). They are
 * kept one object a year (derived/stocks/years/<YYYY>.bin.gz): a run reads the year of the checkpoint's oldest
 * final day (and the year before in January, for the day before the year's first), and rewrites the years its
 * fold made days final in — two or three requests, whatever the day of the year. A day missing there (state
 * written by an earlier version, or lost) is rebuilt from the checkpoint of the day RING − 1 accepted days later,
 * which still holds it in its ring; if that checkpoint is gone too, this run publishes no stock files (a warning
 * says why) and the journal forgets the last ones, so publish leaves the site's as they were.
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
import type { ComputeDeps } from '../deps.ts';
import { loadCheckpoint } from './inputs.ts';

const yearOf = (date: string) => date.slice(0, 4);

/** A resumed recorder and the final days it was seeded with (what `saveStockDays` keeps besides the new ones). */
export interface ResumedRecorder {
  recorder: StockRecorder;
  seed: readonly RecordedDay[];
}

/**
 * A recorder resumed at `base` (the checkpoint the fold starts from), whose accepted days are `acceptedBefore`
 * (oldest first, as the journal lists them); null when a day of its seed cannot be had (warned).
 */
export async function resumeStockRecorder(
  deps: ComputeDeps,
  base: EngineState,
  acceptedBefore: readonly IsoDate[],
): Promise<ResumedRecorder | null> {
  if (base.dayCount !== acceptedBefore.length) {
    deps.log.warn('no stock files this run: the checkpoint and the journal disagree on the days folded', {
      checkpointDays: base.dayCount,
      journalDays: acceptedBefore.length,
    });
    return null;
  }
  const range = seedRange(base.dayCount, (j) => yearOf(acceptedBefore[j] as IsoDate));
  if (range === null) return { recorder: startStockRecorder(), seed: [] };
  const wanted = acceptedBefore.slice(range.from, range.to + 1);
  const years = [...new Set(wanted.map(yearOf))];
  const stored = new Map<number, RecordedDay>();
  for (const days of await Promise.all(years.map((y) => deps.derived.getStockYear(y)))) {
    for (const day of days ?? []) stored.set(day.index, day);
  }
  const seed: RecordedDay[] = [];
  let rebuilt = 0;
  for (let k = 0; k < wanted.length; k++) {
    const j = range.from + k;
    const date = wanted[k] as IsoDate;
    let day = stored.get(j);
    if (day !== undefined && (day.date !== date || day.price.length > base.symbols.length)) {
      deps.log.warn('a stored stock day does not match the journal: rebuilt from a checkpoint', {
        date,
        index: j,
        stored: day.date,
      });
      day = undefined;
    }
    if (day === undefined) {
      const holder = acceptedBefore[j + RING - 1] as IsoDate;
      try {
        day = recordDay(await loadCheckpoint(deps, holder), j);
        rebuilt++;
      } catch (error) {
        deps.log.warn('no stock files this run: a day of the per-stock series is missing', {
          date,
          checkpoint: holder,
          error: (error as Error).message,
        });
        return null;
      }
    }
    seed.push(day);
  }
  if (rebuilt > 0) {
    // The seed holds its last day's year whole (from the year's first day): that year is stored again. A rebuilt
    // day before it (the previous year's last) is rebuilt again when needed, never stored alone over its year.
    const year = yearOf((seed.at(-1) as RecordedDay).date);
    deps.log.warn('stock days rebuilt from checkpoints', { days: rebuilt, stored: year });
    await deps.derived.putStockYear(
      year,
      seed.filter((d) => yearOf(d.date) === year),
    );
  }
  return { recorder: startStockRecorder(seed), seed };
}

/**
 * Rewrites the year objects of the days that became final in this run (`fresh`, consecutive after `seed`): each
 * holds the seed's days of its year, then the fresh ones. Days recorded by an earlier fold after the seed are
 * dropped (this fold recorded them again, or will).
 */
export async function saveStockDays(
  deps: ComputeDeps,
  seed: readonly RecordedDay[],
  fresh: readonly RecordedDay[],
): Promise<void> {
  // Each year of a fresh day is whole here: the seed holds the year of its last day from the year's first day, and
  // a later year starts with a fresh day.
  const years = [...new Set(fresh.map((d) => yearOf(d.date)))];
  const all = [...seed, ...fresh];
  await Promise.all(
    years.map((y) =>
      deps.derived.putStockYear(
        y,
        all.filter((d) => yearOf(d.date) === y),
      ),
    ),
  );
}
