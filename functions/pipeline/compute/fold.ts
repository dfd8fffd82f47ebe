/**
 * The main fold of a compute run: resumes the one fold (`startAdvance`, shared with `pulse build`) from the
 * checkpoint before the work, folds the new and restated days without look-ahead (its states are the
 * checkpoints), then has the look-ahead fold (./lookahead.ts) snapshot the earlier days as known now.
 */
import type { IsoDate } from '../../../shared/domain.ts';
import { cloneState, initialState, snapshotAt, startAdvance } from '../../../shared/methodology/index.ts';
import type { RecordedDay } from '../../../shared/methodology/stocks.ts';
import type { Snapshot } from '../../../shared/snapshot/schema.ts';
import type { ComputeResult } from '../../lib/events.ts';
import type { PipelineDeps } from '../deps.ts';
import { maxDate } from '../keys.ts';
import { overrideContext } from '../split-inputs.ts';
import { finishRun, resultOf, snapshotMeta, snapshotOf, unchanged, type Work, withSnapshotKeys } from './commit.ts';
import { type Checkpoint, foldDay, loadCheckpoint, PriceDays, ShortInterestFiles, yieldToIo } from './inputs.ts';
import { saveJournal } from './journal.ts';
import { lookaheadFold, planSide, type SidePlan } from './lookahead.ts';
import { resumeStockRecorder, saveStockDays } from './stocks.ts';

type ComputeRejectedDay = ComputeResult['rejectedDays'][number];

/**
 * Folds the days from `start` on (the work of the file comment of ../compute.ts), writes a checkpoint after
 * each, the run's snapshots in one batch, then the journal that commits the run and the writes derived from it.
 */
export async function fold(deps: PipelineDeps, work: Work, start: IsoDate): Promise<ComputeResult> {
  const { date, runId, journal, watch, effective } = work;
  const previousLastDay = journal.lastDay;
  const priceDates = effective
    .filter((f) => f.source === 'prices' && f.status === 'accepted' && f.date !== null)
    .map((f) => f.date as IsoDate)
    .sort();
  const settlements = [
    ...new Set(
      effective
        .filter((f) => f.source === 'short-interest' && f.status === 'accepted' && f.date !== null)
        .map((f) => f.date as IsoDate),
    ),
  ].sort();
  const upTo = maxDate(date, previousLastDay) as IsoDate;

  const before = journal.folded.filter((f) => f.date < start);
  const baseDay = before.at(-1)?.date ?? null;
  const candidates = priceDates.filter((d) => (baseDay === null || d > baseDay) && d <= upTo);
  const prices = new PriceDays(deps);
  // The first days' prices are read while the checkpoint is: both are known from the journal alone.
  const loadingBase = baseDay === null ? Promise.resolve(initialState()) : loadCheckpoint(deps, baseDay);
  prices.prefetch(candidates.slice(0, PriceDays.AHEAD + 1));
  const baseState = await loadingBase;
  watch.lap('load checkpoint');
  // Issue 19: the per-stock series, resumed where the checkpoint is (./stocks.ts).
  const resumed = await resumeStockRecorder(
    deps,
    baseState,
    before.filter((f) => f.accepted).map((f) => f.date),
  );
  const recorder = resumed?.recorder ?? null;
  const finalDays: RecordedDay[] = [];
  watch.lap('load stock days');
  const si = new ShortInterestFiles(deps, settlements);
  const overrides = overrideContext(journal.splits);

  // The look-ahead-free fold: what `pulse build` runs; its states are the checkpoints.
  const sideBase = cloneState(baseState);
  const main = startAdvance(baseState, overrides);
  const outcomes = main.outcomes;
  const released = new Set<IsoDate>();
  const rejectedDays: ComputeRejectedDay[] = [];
  // The look-ahead fold's inputs, started as soon as the last day is stepped (see `planSide`).
  let side: SidePlan | null | undefined;
  const startSide = () => {
    if (side !== undefined || outcomes.length === 0) return;
    side = planSide(deps, {
      outcomes,
      released,
      folded: journal.folded,
      start,
      baseDay,
      baseState: sideBase,
      priceDates,
      prices,
    });
  };
  // The checkpoint being written: one at a time, in day order; the last completes during the look-ahead fold.
  let writing: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < candidates.length; i++) {
    const day = await prices.at(candidates, i);
    watch.lap('read prices');
    if (!day) continue;
    const outcome = await foldDay(main, day, si);
    watch.lap('fold');
    if (outcome.rejected !== null) {
      if (previousLastDay === null || day.date > previousLastDay) {
        rejectedDays.push({ date: day.date, file: day.file, reason: outcome.rejected });
      }
    } else {
      if (recorder) {
        recorder.onDay(main.state);
        finalDays.push(...recorder.takeFinal());
      }
      for (const r of outcome.restated) {
        // Replayed days repeat releases already published; only a new day's release restates anything.
        if (previousLastDay === null || day.date > previousLastDay) released.add(r.date);
      }
    }
    // The look-ahead's checkpoint and price days are read while this day's state is serialised and snapshotted.
    if (i === candidates.length - 1) {
      startSide();
      await yieldToIo();
    }
    // putCheckpoint serialises the state before it returns (the next step mutates it in place).
    await writing;
    writing = deps.derived.putCheckpoint(day.date, { v: 1, date: day.date, state: main.state } satisfies Checkpoint);
    // Awaited before the snapshots are written; meanwhile a failure must not count as unhandled.
    writing.catch(() => undefined);
    await yieldToIo();
    watch.lap('write checkpoints');
  }
  if (outcomes.length === 0) {
    deps.log.warn('nothing to fold: no stored price day in range', { date, start, upTo });
    return unchanged(deps, work, 'no stored price day to compute');
  }

  startSide();
  await yieldToIo();
  const last = outcomes.at(-1) as { date: IsoDate; accepted: boolean };
  const lastDay = maxDate(previousLastDay, last.date) as IsoDate;
  const runDate = maxDate(date, lastDay) as IsoDate;
  const meta = snapshotMeta(deps, work);
  const restatedOn = (x: IsoDate) => (previousLastDay !== null && x <= previousLastDay && x < runDate ? runDate : null);

  const snapshots: Snapshot[] = [];
  const newestBody = main.state.lastDate === null ? null : snapshotAt(main.state);
  if (last.accepted && newestBody) {
    snapshots.push(snapshotOf(meta, newestBody, restatedOn(last.date), true));
  }
  watch.lap('snapshots');
  // The stock files as of the newest accepted day, as `pulse build` writes them (its body: the main fold's).
  let stocks: { asOf: IsoDate; key: string } | undefined;
  if (recorder && newestBody) {
    const output = recorder.finish(main.state, newestBody);
    const asOf = newestBody.asOf;
    const methodologyVersion = main.state.methodology ?? 1;
    const content = { asOf, methodologyVersion, stocks: output.stocks, index: output.index };
    stocks = { asOf, key: await deps.derived.putStockRun(content) };
  }
  if (resumed && finalDays.length > 0) await saveStockDays(deps, resumed.seed, finalDays);
  watch.lap('stock files');

  if (side) {
    const bodies = await lookaheadFold({ ...side, last: last.date, prices, si, overrides, watch });
    // When the last day folded was refused by rule 2, the newest snapshot is an earlier day's.
    const newest = main.state.lastDate;
    for (const body of bodies) {
      snapshots.push(snapshotOf(meta, body, restatedOn(body.asOf), body.asOf === newest));
    }
    watch.lap('snapshots');
  }
  snapshots.sort((a, b) => (a.asOf < b.asOf ? -1 : 1));
  // One object for the run's snapshots (1 PUT here, 1 GET in publish, instead of one of each per day:
  // with rule 3(b) releases an ordinary day rewrites about 11). Batches are never replaced, so a day's
  // entry in the journal, saved after the batch, always names an object that holds its latest snapshot.
  // The last checkpoint and the batch are independent; both land before the journal that commits the run.
  const [, key] = await Promise.all([
    writing,
    snapshots.length > 0 ? deps.derived.putSnapshotBatch(runDate, snapshots) : undefined,
  ]);
  if (key !== undefined) {
    journal.snapshotBatches = {
      ...journal.snapshotBatches,
      ...Object.fromEntries(snapshots.map((s) => [s.asOf, key])),
    };
  }
  watch.lap('write checkpoint and snapshots');

  journal.folded = [...before, ...outcomes];
  journal.lastDay = lastDay;
  if (stocks) journal.stocks = stocks;
  else delete journal.stocks;
  const dates = snapshots.map((s) => s.asOf);
  const restated = snapshots.filter((s) => s.restated).map((s) => s.asOf);
  const refused = outcomes.find((o) => o.date === date && !o.accepted);
  journal.run = {
    date,
    restateFrom: work.cursorRestateFrom,
    status: {
      state: refused ? 'refused' : 'done',
      at: deps.clock().toISOString(),
      runId,
      detail: [
        `folded ${outcomes.length} day(s) from ${start} through ${lastDay}`,
        `${dates.length} snapshot(s)${restated.length > 0 ? `, ${restated.length} restated` : ''}`,
        ...rejectedDays.map((r) => `refused ${r.date} (${r.file}): ${r.reason}`),
      ]
        .join('; ')
        .slice(0, 1000),
    },
    result: { dates, through: lastDay, restated, rejectedDays, replayedFrom: start },
  };
  await saveJournal(deps, journal);
  await finishRun(deps, journal.run);
  watch.lap('write journal and cursor');
  deps.log.info('computed', {
    date,
    runId,
    from: start,
    through: lastDay,
    snapshots: dates,
    restated,
    rejectedDays,
    ms: watch.ms(),
  });
  return withSnapshotKeys(resultOf(journal.run, runId), journal);
}
