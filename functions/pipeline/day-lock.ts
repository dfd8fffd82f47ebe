/**
 * The day lock, taken the same way by every day step (ingest, compute, publish): a conditional write on
 * `DAY#<date>` (owner = the run id, expiry `lockTtlMs` ahead) so that of two runs of one day exactly one
 * works; released when the work ends, failed or not. The steps of one run share the owner, so the lock is
 * re-entrant across them (PipelineTable.acquireDayLock). In AWS the owner is the Step Functions execution's
 * id, so a retried step (after a timeout or an out-of-memory kill) re-enters its own run's lock.
 *
 * The other run throws `DayLockedError` (issue 20 item 2): it used to answer `skipped`, so a retry that came back
 * with a new run id behind a killed run's lock ended its execution in success with nothing done. The state
 * machine retries the error (LOCKED_RETRY, infra/constructs/pipeline-state-machine.ts) past the lock's expiry,
 * then fails the execution, which the "pipeline failed" alarm reports.
 */
import type { IsoDate } from '../../shared/domain.ts';
import type { DayLock, PipelineStep, PipelineTable } from '../adapters/ports.ts';
import type { PipelineDeps } from './deps.ts';

/** The one message a step gives when another run holds the day (in its `DayLockedError`). */
export function dayLockedReason(date: IsoDate, heldBy: DayLock | null): string {
  const holder = heldBy ? `${heldBy.owner} until ${new Date(heldBy.expiresAt).toISOString()}` : 'another run';
  return `day ${date} is being processed by ${holder}`;
}

/** Another run holds the day: retryable (steps.ts LOCKED_ERRORS), never a silent success. */
export class DayLockedError extends Error {
  readonly date: IsoDate;
  readonly heldBy: DayLock | null;
  constructor(step: PipelineStep, date: IsoDate, heldBy: DayLock | null) {
    super(`${step}: ${dayLockedReason(date, heldBy)}; retried until the lock is released or expires`);
    this.name = 'DayLockedError';
    this.date = date;
    this.heldBy = heldBy;
  }
}

/**
 * Runs `work` under the day's lock and releases it afterwards (also when `work` throws); when another run
 * holds the day, logs it once and throws `DayLockedError` without running `work`.
 */
export async function withDayLock<T>(
  deps: Pick<PipelineDeps, 'clock' | 'config' | 'log'> & {
    table: Pick<PipelineTable, 'acquireDayLock' | 'releaseDayLock'>;
  },
  lock: { step: PipelineStep; date: IsoDate; runId: string },
  work: () => Promise<T>,
): Promise<T> {
  const { step, date, runId } = lock;
  const now = deps.clock().getTime();
  const taken = await deps.table.acquireDayLock(date, runId, now + deps.config.lockTtlMs, now);
  if (!taken.acquired) {
    const reason = dayLockedReason(date, taken.heldBy);
    deps.log.info('day locked by another run', { step, date, runId, reason });
    throw new DayLockedError(step, date, taken.heldBy);
  }
  try {
    return await work();
  } finally {
    await deps.table.releaseDayLock(date, runId);
  }
}
