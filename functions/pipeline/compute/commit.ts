/**
 * The end of a compute run: the snapshots it hands to publish, and its commit. The journal's `run` is the
 * one commit record; the cursor (`lastComputed`), the clearing of `restateFrom` and the day's compute
 * status derive from it (`finishRun`), and a run killed among those writes is finished from the journal
 * by the next run of its day.
 */
import type { IsoDate } from '../../../shared/domain.ts';
import type { SnapshotBody } from '../../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../../shared/snapshot/assemble.ts';
import type { Snapshot } from '../../../shared/snapshot/schema.ts';
import type { ComputeResult } from '../../lib/events.ts';
import type { ComputeDeps } from '../deps.ts';
import { DERIVED_COMPUTE_JOURNAL_KEY } from '../keys.ts';
import type { Stopwatch } from '../stopwatch.ts';
import { type CommittedRun, ComputeStateError, inputsOf, type Journal, type JournalFile } from './journal.ts';

/** One run of compute: its day, id, the journal as read, the cursor's restateFrom as read. */
export interface Work {
  date: IsoDate;
  runId: string;
  journal: Journal;
  /** `filesInEffect` of the journal's files, after the ledger read. */
  effective: readonly JournalFile[];
  cursorRestateFrom: IsoDate | null;
  watch: Stopwatch;
}

/** What every snapshot of a run is assembled with. */
export interface SnapshotMeta {
  /** The journal's files (every ledger entry seen). */
  files: readonly JournalFile[];
  generatedAt: string;
  sample: boolean;
}

/** The run's snapshot metadata: generated short interest marks itself (issue 10), whatever SAMPLE_DATA says. */
export function snapshotMeta(deps: ComputeDeps, work: Work): SnapshotMeta {
  return {
    files: work.journal.files,
    generatedAt: deps.clock().toISOString(),
    sample: deps.config.sample || work.effective.some((f) => f.status === 'accepted' && f.generated === true),
  };
}

/** A snapshot body with the run's metadata: `sources` and rejections of the files about days up to it. */
export function snapshotOf(
  meta: SnapshotMeta,
  body: SnapshotBody,
  restatedOn: IsoDate | null,
  latest: boolean,
): Snapshot {
  // The newest snapshot lists every file received, as `pulse build` lists every file of its folder
  // (a short interest file settled after the last accepted day included); an earlier day, the files
  // about days up to it.
  const inputs = inputsOf(meta.files, latest ? null : body.asOf);
  return assembleSnapshot(
    { ...body, restated: restatedOn !== null, restatedOn },
    {
      generatedAt: meta.generatedAt,
      sample: meta.sample,
      sources: inputs.sources,
      rejections: inputs.rejections,
      rejectedRows: inputs.rejectedRows,
    },
  );
}

/**
 * Where publish finds the snapshot of each day of `result.dates`: the batch the journal names for it. Every
 * day this version folds gets one; a day without is a journal of a version that wrote per-day objects.
 */
export function withSnapshotKeys(result: Omit<ComputeResult, 'snapshotKeys'>, journal: Journal): ComputeResult {
  const snapshotKeys: Record<IsoDate, string> = {};
  for (const d of result.dates) {
    const key = journal.snapshotBatches?.[d];
    if (key === undefined) {
      throw new ComputeStateError(
        DERIVED_COMPUTE_JOURNAL_KEY,
        `snapshotBatches.${d}`,
        'no snapshot batch for a day to publish (delete derived/state/ to fold every day again)',
      );
    }
    snapshotKeys[d] = key;
  }
  // The stock files go with the newest day they were computed for, when it is one to publish.
  const stocks = journal.stocks && result.dates.includes(journal.stocks.asOf) ? journal.stocks : undefined;
  return { ...result, snapshotKeys, ...(stocks ? { stocks } : {}) };
}

/** The writes after the journal; each is idempotent, so a run killed among them is finished by running them again. */
export async function finishRun(deps: ComputeDeps, run: CommittedRun): Promise<void> {
  const lastDay = run.result.through;
  await deps.table.advanceCursor('lastComputed', lastDay);
  if (run.restateFrom !== null && run.restateFrom <= lastDay) {
    // Only if no later file asked for an earlier restatement meanwhile (the next run does it).
    await deps.table.clearRestateFrom(run.restateFrom);
  }
  await deps.table.setStepStatus(run.date, 'compute', run.status);
}

export function resultOf(run: CommittedRun, runId: string): Omit<ComputeResult, 'snapshotKeys'> {
  const { dates, rejectedDays } = run.result;
  return {
    date: run.date,
    runId,
    skipped: dates.length === 0,
    ...(dates.length === 0 ? { reason: `no snapshot: ${rejectedDays.map((r) => r.reason).join('; ')}` } : {}),
    ...run.result,
  };
}

/** The answer of a run with nothing to fold: the day's earlier result, if it was computed. */
export async function unchanged(deps: ComputeDeps, work: Work, why: string): Promise<ComputeResult> {
  const { date, runId, journal } = work;
  if (journal.lastDay !== null) await deps.table.advanceCursor('lastComputed', journal.lastDay);
  const own = journal.folded.find((f) => f.date === date);
  const dates = own?.accepted ? [date] : [];
  return withSnapshotKeys(
    {
      date,
      runId,
      skipped: dates.length === 0,
      reason: dates.length === 0 ? `nothing to compute for ${date}: ${why}` : `${date} already computed: ${why}`,
      dates,
      through: journal.lastDay,
      restated: [],
      rejectedDays: [],
      replayedFrom: null,
    },
    journal,
  );
}
