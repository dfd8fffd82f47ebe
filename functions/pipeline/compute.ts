/**
 * Compute: folds the newly ingested day(s) into the methodology engine with the fold `pulse build` runs
 * (`startAdvance`, shared/methodology/advance.ts: rule 2 via `classifyDay`, then `stepDay`), and writes the run's snapshots, in one
 * object, for publish. Incremental: it loads the engine checkpoint of the last day before the work, the price days
 * from there on, and only the short interest files the engine will actually read — never the history.
 *
 * What it keeps (docs/operations.md, "Compute and restatement"):
 *   derived/state/<day>.json.gz   the engine state after each folded day (accepted or refused by rule 2)
 *   derived/state/journal.json.gz the days folded, every ledger entry seen (for `sources` and
 *                                 `dataQuality.rejections`), the position reached in the ledger index,
 *                                 the overrides in use (splits.csv, split calendar, securities.csv),
 *                                 and for each day the batch with its
 *                                 latest snapshot
 *   derived/snapshots/runs/<day>-<sha256>.json.gz   the snapshots of one run (its newest day), never replaced
 *
 * Replay. The work starts at the earliest of: the first ingested day not folded yet, and the cursor's
 * `restateFrom` (ingest sets it when a short interest file, a revision, a splits, split calendar or
 * securities file, or a late price day arrives). Everything after the checkpoint before it is folded
 * again, so the state equals a batch run over the same inputs. Days before the run's date that get a new snapshot are `restated: true`,
 * `restatedOn: <run's trading date>`.
 *
 * Pending splits. A split that rule 3(b) can only confirm later is decided by the engine itself on the
 * day the share count arrives: `stepDay` returns the records of the held days, restated. The snapshots
 * of those days are then recomputed with rule 3(b) seeing the days known now (the engine's look-ahead),
 * so an archived day shows the split it had: "what we know today about that day". The checkpoints stay
 * those of the look-ahead-free fold, which is what `pulse build` runs. Every such snapshot is rewritten:
 * a decision changes the figures of each day since the split (measured on the real 2024 data, none of
 * the re-snapshotted days came out unchanged), so skipping "unchanged" days would save nothing.
 *
 * This file is the shell's entry: the lock, the journal and ledger read, and the choice between finishing
 * a stopped run, answering "nothing new" and folding. The parts, in ./compute/:
 *   journal.ts    the journal (the one commit record), the ledger read, the inputs listed by a snapshot
 *   inputs.ts     checkpoints, short interest files and price days, each read on demand
 *   fold.ts       the main fold (the one fold of shared/methodology/advance.ts, resumed) and the run's writes
 *   lookahead.ts  the look-ahead fold that snapshots earlier days as known now
 *   commit.ts     the snapshots handed to publish, the commit and the writes derived from it
 */
import type { IsoDate } from '../../shared/domain.ts';
import type { ComputeResult, IngestResult } from '../lib/events.ts';
import { finishRun, resultOf, unchanged, type Work, withSnapshotKeys } from './compute/commit.ts';
import { chunkResult, fold } from './compute/fold.ts';
import { filesInEffect, loadJournal, readLedger, saveJournal } from './compute/journal.ts';
import { withDayLock } from './day-lock.ts';
import type { ComputeDeps } from './deps.ts';
import { assertIsoDate, maxDate, minDate } from './keys.ts';
import { refreshSplitInputs } from './split-inputs.ts';
import { stopwatch } from './stopwatch.ts';

export { ComputeStateError } from './compute/journal.ts';

/** What compute reads of its event, ingest's result (`computeEventSchema`, ../lib/events.ts). */
export type ComputeInput = Pick<IngestResult, 'date'> & Partial<Pick<IngestResult, 'runId' | 'skipped'>>;

/**
 * Compute's result is publish's event (`publishEventSchema`): `dates` to publish and, for each, the batch
 * holding its latest snapshot (`snapshotKeys`), the only thing publish reads of compute's work.
 */
export type { ComputeResult } from '../lib/events.ts';

/**
 * Folds what is new since the last run through the engine (see the file comment) and writes the
 * snapshots publish needs. Takes the day's lock; another run holding it → `DayLockedError` (retried).
 */
export async function runCompute(deps: ComputeDeps, input: ComputeInput): Promise<ComputeResult> {
  const date = assertIsoDate(input.date);
  const runId = typeof input.runId === 'string' ? input.runId : deps.newRunId();
  const none = {
    date,
    runId,
    dates: [],
    snapshotKeys: {},
    through: null,
    restated: [],
    rejectedDays: [],
    replayedFrom: null,
  };
  if (input.skipped === true) return { ...none, skipped: true, reason: 'the previous step skipped this day' };

  return withDayLock(deps, { step: 'compute', date, runId }, () => computeLocked(deps, date, runId));
}

/** Under the day lock: reads the journal and the ledger, then folds what is new (or finishes a stopped run). */
async function computeLocked(deps: ComputeDeps, date: IsoDate, runId: string): Promise<ComputeResult> {
  const watch = stopwatch();
  const [cursor, journal] = await Promise.all([deps.table.getCursor(), loadJournal(deps)]);
  const fresh = await readLedger(deps, journal);
  const effective = filesInEffect(journal.files);

  journal.splits = await refreshSplitInputs(deps, effective, journal.splits);

  const upTo = maxDate(date, journal.lastDay) as IsoDate;
  const firstNew =
    effective
      .filter((f) => f.source === 'prices' && f.status === 'accepted' && f.date !== null)
      .map((f) => f.date as IsoDate)
      .filter((d) => (journal.lastDay === null || d > journal.lastDay) && d <= upTo)
      .sort()[0] ?? null;
  const restateFrom = cursor.restateFrom !== null && cursor.restateFrom <= upTo ? cursor.restateFrom : null;
  let start = minDate(firstNew, restateFrom);
  const work: Work = { date, runId, journal, effective, cursorRestateFrom: cursor.restateFrom, watch };
  watch.lap('read journal and ledger');
  const chunk = journal.chunk;
  if (chunk) {
    // A run folded in chunks (issue 20 item 3; ./compute/fold.ts). The same run, nothing new since: hand its last
    // chunk to publish again if publish has not taken it, else fold the next chunk.
    if (chunk.date === date && fresh.length === 0 && cursor.restateFrom === chunk.restateFrom) {
      const publish = (await deps.table.getDay(date))?.steps.publish;
      if (publish?.state !== 'done' || publish.at < chunk.handed.at) return chunkResult(journal, runId);
      const next = effective
        .filter((f) => f.source === 'prices' && f.status === 'accepted' && f.date !== null && f.date > chunk.through)
        .map((f) => f.date as IsoDate)
        .sort()[0];
      if (next !== undefined) return await fold(deps, work, next, chunk);
    }
    // New input (or another day's run): the chunked run starts over from its first day, with what came since.
    deps.log.warn('a run folded in chunks starts over', { date, runId, of: chunk.runId, from: chunk.start });
    start = minDate(start, chunk.start);
    delete journal.chunk;
  }
  const committed = journal.run;
  if (
    committed?.date === date &&
    fresh.length === 0 &&
    firstNew === null &&
    (restateFrom === null || restateFrom === committed.restateFrom)
  ) {
    // Nothing arrived since the last run of this day. If it stopped after its journal (killed, or its
    // answer lost before publish ran), finish it and answer what it would have: folding again would
    // call the days it computed first "restated", answering `date` alone would leave the others unpublished.
    const day = await deps.table.getDay(date);
    const status = day?.steps.compute;
    const finished = status?.runId === committed.status.runId && status.at === committed.status.at;
    const publish = day?.steps.publish;
    if (!finished || publish?.state !== 'done' || publish.at < committed.status.at) {
      if (!finished) {
        deps.log.warn('finishing a compute run stopped after its journal', {
          date,
          runId,
          of: committed.status.runId,
        });
        await finishRun(deps, committed);
      }
      return withSnapshotKeys(resultOf(committed, runId), journal);
    }
  }
  if (start === null) {
    if (fresh.length > 0) await saveJournal(deps, journal);
    return await unchanged(deps, work, 'no new day and nothing to restate');
  }
  return await fold(deps, work, start);
}
