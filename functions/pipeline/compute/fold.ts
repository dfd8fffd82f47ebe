/**
 * The main fold of a compute run: resumes the one fold (`startAdvance`, shared with `pulse build`) from the
 * checkpoint before the work, folds the new and restated days without look-ahead (its states are the
 * checkpoints), then has the look-ahead fold (./lookahead.ts) snapshot the earlier days as known now.
 */
import type { IsoDate } from '../../../shared/domain.ts';
import {
  cloneState,
  initialState,
  LOOKAHEAD_DAYS,
  snapshotAt,
  startAdvance,
} from '../../../shared/methodology/index.ts';
import type { RecordedDay } from '../../../shared/methodology/stocks.ts';
import type { Snapshot } from '../../../shared/snapshot/schema.ts';
import type { ComputeResult } from '../../lib/events.ts';
import type { ComputeDeps } from '../deps.ts';
import { maxDate } from '../keys.ts';
import { overrideContext } from '../split-inputs.ts';
import { finishRun, resultOf, snapshotMeta, snapshotOf, unchanged, type Work, withSnapshotKeys } from './commit.ts';
import {
  type Checkpoint,
  foldDay,
  loadCheckpoint,
  loadSideCheckpoint,
  PriceDays,
  ShortInterestFiles,
  yieldToIo,
} from './inputs.ts';
import { type ChunkedRun, type Journal, saveJournal } from './journal.ts';
import { lookaheadFold, planSide, type SidePlan } from './lookahead.ts';
import { resumeStockRecorder, saveStockDays } from './stocks.ts';

type ComputeRejectedDay = ComputeResult['rejectedDays'][number];

/**
 * Folds the days from `start` on (the work of the file comment of ../compute.ts), writes a checkpoint after
 * each, the run's snapshots in one batch, then the journal that commits the run and the writes derived from it.
 *
 * Chunks (issue 20 item 3). A run folds at most `computeChunkDays` price days per invocation: the main fold goes
 * on past the chunk's end only until the end has its look-ahead days (LOOKAHEAD_DAYS accepted days), the
 * look-ahead fold snapshots the days through the end, and the chunk is committed in the journal (`chunk`: where
 * each fold stopped, the look-ahead fold's state saved under derived/state/side/) and handed to publish with
 * `more: true`. The next invocation (`resumed`) goes on from there; the days past the end are folded again then,
 * the same way. The last chunk ends as an unchunked run does, so the snapshots, checkpoints and journal equal an
 * unchunked run's (test/pipeline/compute-chunks.test.ts), whatever the run's length.
 */
export async function fold(
  deps: ComputeDeps,
  work: Work,
  start: IsoDate,
  chunk: ChunkedRun | null = null,
): Promise<ComputeResult> {
  const { date, runId, journal, watch, effective } = work;
  const previousLastDay = chunk ? chunk.previousLastDay : journal.lastDay;
  const runStart = chunk ? chunk.start : start;
  const cursorRestateFrom = chunk ? chunk.restateFrom : work.cursorRestateFrom;
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
  // The chunk: its last day with a snapshot, when the run goes on after it (`more`).
  const chunkDays = deps.config.computeChunkDays;
  // A chunk must be longer than a split can be held (LOOKAHEAD_DAYS): a day before the run released by a day
  // past the first chunk's end would otherwise never be snapshotted again.
  if (chunkDays <= LOOKAHEAD_DAYS) {
    throw new Error(`computeChunkDays must be more than ${LOOKAHEAD_DAYS} (the look-ahead), got ${chunkDays}`);
  }
  const chunkEnd = candidates.length > chunkDays ? (candidates[chunkDays - 1] as IsoDate) : null;
  const runDate = chunk
    ? chunk.runDate
    : (maxDate(maxDate(date, previousLastDay), candidates.at(-1) ?? null) as IsoDate);
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
  const resumeSide = chunk?.sideThrough
    ? { through: chunk.sideThrough, state: loadSideCheckpoint(deps, chunk.sideThrough) }
    : null;
  resumeSide?.state.catch(() => undefined);
  const startSide = () => {
    if (side !== undefined || outcomes.length === 0) return;
    side = planSide(deps, {
      outcomes,
      released,
      folded: journal.folded,
      start: runStart,
      baseDay,
      baseState: sideBase,
      priceDates,
      prices,
      chunkEnd: stoppedAt,
      resume: resumeSide,
      pending: chunk?.sideDates ?? [],
    });
  };
  // Set when the main fold stops at a chunk's end (after its look-ahead days): the days it snapshots end there.
  let stoppedAt: IsoDate | null = null;
  let acceptedAfterEnd = 0;
  const pastEndRejected: ComputeRejectedDay[] = [];
  const pastEndReleased = new Set<IsoDate>();
  let ended = false;
  /** The run ends in this invocation after all: the days past the chunk's end are this run's like the others. */
  const endsHere = () => {
    if (ended) return;
    ended = true;
    rejectedDays.push(...pastEndRejected);
    for (const r of pastEndReleased) released.add(r);
  };
  // The checkpoint being written: one at a time, in day order; the last completes during the look-ahead fold.
  let writing: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < candidates.length; i++) {
    const day = await prices.at(candidates, i);
    watch.lap('read prices');
    if (!day) continue;
    const outcome = await foldDay(main, day, si);
    watch.lap('fold');
    // Past the chunk's end, the next chunk folds the day again (and finds its refusal and releases then), unless
    // the run ends in this invocation after all: `pastEnd` holds them until that is known.
    const pastEnd = chunkEnd !== null && day.date > chunkEnd;
    if (outcome.rejected !== null) {
      if (previousLastDay === null || day.date > previousLastDay) {
        (pastEnd ? pastEndRejected : rejectedDays).push({ date: day.date, file: day.file, reason: outcome.rejected });
      }
    } else {
      if (pastEnd) acceptedAfterEnd++;
      if (recorder) {
        recorder.onDay(main.state);
        finalDays.push(...recorder.takeFinal());
      }
      for (const r of outcome.restated) {
        // Replayed days repeat releases already published; only a new day's release restates anything.
        if (previousLastDay === null || day.date > previousLastDay) (pastEnd ? pastEndReleased : released).add(r.date);
      }
    }
    // The chunk's end has its look-ahead days: the run goes on from there in the next invocation.
    const stop = chunkEnd !== null && acceptedAfterEnd >= LOOKAHEAD_DAYS && i < candidates.length - 1;
    if (stop) stoppedAt = chunkEnd;
    else if (i === candidates.length - 1) endsHere();
    // The look-ahead's checkpoint and price days are read while this day's state is serialised and snapshotted.
    if (i === candidates.length - 1 || stop) {
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
    if (stop) break;
  }
  if (outcomes.length === 0) {
    deps.log.warn('nothing to fold: no stored price day in range', { date, start, upTo });
    return unchanged(deps, work, 'no stored price day to compute');
  }

  // (Also when the last candidate's price day was missing, so the loop's last turn did not get that far.)
  if (stoppedAt === null) endsHere();
  startSide();
  await yieldToIo();
  const last = outcomes.at(-1) as { date: IsoDate; accepted: boolean };
  // The run's last chunk (or its only one) ends as a run always did; an earlier chunk hands over its days.
  const final = stoppedAt === null;
  const lastDay = maxDate(previousLastDay, last.date) as IsoDate;
  const meta = snapshotMeta(deps, work);
  const restatedOn = (x: IsoDate) => (previousLastDay !== null && x <= previousLastDay && x < runDate ? runDate : null);

  const snapshots: Snapshot[] = [];
  const newestBody = final && main.state.lastDate !== null ? snapshotAt(main.state) : null;
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

  let sideThrough = chunk?.sideThrough ?? null;
  let savingSide: Promise<unknown> = Promise.resolve();
  if (side) {
    const folded = await lookaheadFold({ ...side, last: last.date, prices, si, overrides, watch });
    // When the last day folded was refused by rule 2, the newest snapshot is an earlier day's.
    const newest = final ? main.state.lastDate : null;
    for (const body of folded.bodies) {
      snapshots.push(snapshotOf(meta, body, restatedOn(body.asOf), body.asOf === newest));
    }
    if (stoppedAt !== null) {
      // The next chunk's look-ahead fold goes on from this state (the same fold, never restarted from the main
      // fold's checkpoint, whose held splits the look-ahead has decided).
      savingSide = deps.derived.putSideCheckpoint(stoppedAt, { v: 1, date: stoppedAt, state: folded.state });
      sideThrough = stoppedAt;
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
    savingSide,
  ]);
  if (key !== undefined) {
    journal.snapshotBatches = {
      ...journal.snapshotBatches,
      ...Object.fromEntries(snapshots.map((s) => [s.asOf, key])),
    };
  }
  watch.lap('write checkpoint and snapshots');

  const dates = snapshots.map((s) => s.asOf);
  const restated = snapshots.filter((s) => s.restated).map((s) => s.asOf);
  if (stoppedAt !== null) {
    const handed = await handOverChunk(deps, work, { chunk, stoppedAt, outcomes, before });
    const next = priceDates.find((x) => x > stoppedAt);
    // A chunk without a snapshot (every day refused by rule 2) is not handed over: the next one follows at once.
    if (dates.length > 0 || next === undefined) return handed;
    return await fold(deps, work, next, journal.chunk as ChunkedRun);
  }

  journal.folded = [...before, ...outcomes];
  journal.lastDay = lastDay;
  if (stocks) journal.stocks = stocks;
  else delete journal.stocks;
  delete journal.chunk;
  const chunks = chunk ? chunk.chunks + 1 : 1;
  const allRejected = [...(chunk?.rejectedDays ?? []), ...rejectedDays];
  // The run's own day may have been refused in an earlier chunk (a backfill's planned day, say).
  const refused =
    outcomes.some((o) => o.date === date && !o.accepted) || (chunk?.rejectedDays ?? []).some((r) => r.date === date);
  journal.run = {
    date,
    restateFrom: cursorRestateFrom,
    status: {
      state: refused ? 'refused' : 'done',
      at: deps.clock().toISOString(),
      runId,
      detail: [
        `folded ${outcomes.length} day(s) from ${start} through ${lastDay}${chunks > 1 ? ` (chunk ${chunks}, the run from ${runStart})` : ''}`,
        `${dates.length} snapshot(s)${restated.length > 0 ? `, ${restated.length} restated` : ''}`,
        ...allRejected.map((r) => `refused ${r.date} (${r.file}): ${r.reason}`),
      ]
        .join('; ')
        .slice(0, 1000),
    },
    result: { dates, through: lastDay, restated, rejectedDays, replayedFrom: runStart },
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
    ...(chunks > 1 ? { chunk: chunks } : {}),
    ms: watch.ms(),
  });
  return withSnapshotKeys(resultOf(journal.run, runId), journal);

  /** A chunk that is not the run's last: committed in the journal's `chunk`, its days handed to publish, `more`. */
  async function handOverChunk(
    d: ComputeDeps,
    w: Work,
    c: {
      chunk: ChunkedRun | null;
      stoppedAt: IsoDate;
      outcomes: readonly { date: IsoDate; accepted: boolean }[];
      before: Journal['folded'];
    },
  ): Promise<ComputeResult> {
    const through = c.stoppedAt;
    // The days through the chunk's end are folded anew; the earlier run's verdicts after it stay until replaced.
    journal.folded = [
      ...c.before,
      ...c.outcomes.filter((o) => o.date <= through),
      ...journal.folded.filter((f) => f.date > through),
    ];
    const pending = [...(c.chunk?.sideDates ?? []), ...released].filter((x) => x > through);
    const at = d.clock().toISOString();
    journal.chunk = {
      date,
      runId,
      restateFrom: cursorRestateFrom,
      start: runStart,
      previousLastDay,
      runDate,
      through,
      sideThrough,
      sideDates: [...new Set(pending)].sort(),
      rejectedDays: [...(c.chunk?.rejectedDays ?? []), ...rejectedDays],
      handed: { dates, restated, rejectedDays, at },
      chunks: (c.chunk?.chunks ?? 0) + 1,
    };
    await saveJournal(d, journal);
    watch.lap('write journal');
    d.log.info('computed a chunk', {
      date,
      runId,
      chunk: journal.chunk.chunks,
      from: start,
      through,
      snapshots: dates,
      restated,
      ms: w.watch.ms(),
    });
    return chunkResult(journal, runId);
  }
}

/** What a committed chunk hands to publish (again, when its answer was lost before publish ran). */
export function chunkResult(journal: Journal, runId: string): ComputeResult {
  const c = journal.chunk as ChunkedRun;
  return withSnapshotKeys(
    {
      date: c.date,
      runId,
      skipped: false,
      dates: c.handed.dates,
      through: c.through,
      restated: c.handed.restated,
      rejectedDays: c.handed.rejectedDays,
      replayedFrom: c.start,
      more: true,
    },
    journal,
  );
}
