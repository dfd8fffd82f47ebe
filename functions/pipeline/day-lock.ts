/**
 * The day lock, taken the same way by every day step (ingest, compute, publish): a conditional write on
 * `DAY#<date>` (owner = the run id, expiry `lockTtlMs` ahead) so that of two runs of one day exactly one
 * works and the other returns `skipped` at once; released when the work ends, failed or not. The steps
 * of one run share the owner, so the lock is re-entrant across them (PipelineTable.acquireDayLock).
 */
import type { IsoDate } from '../../shared/domain.ts';
import type { DayLock, PipelineStep } from '../adapters/ports.ts';
import type { PipelineDeps } from './deps.ts';

/** The one message a step gives when another run holds the day (it becomes the step's `reason`). */
export function dayLockedReason(date: IsoDate, heldBy: DayLock | null): string {
  const holder = heldBy ? `${heldBy.owner} until ${new Date(heldBy.expiresAt).toISOString()}` : 'another run';
  return `day ${date} is being processed by ${holder}`;
}

/**
 * Runs `work` under the day's lock and releases it afterwards (also when `work` throws); when another run
 * holds the day, logs it once and returns `busy(reason)` without running `work`.
 */
export async function withDayLock<T>(
  deps: Pick<PipelineDeps, 'table' | 'clock' | 'config' | 'log'>,
  lock: { step: PipelineStep; date: IsoDate; runId: string },
  work: () => Promise<T>,
  busy: (reason: string) => T,
): Promise<T> {
  const { step, date, runId } = lock;
  const now = deps.clock().getTime();
  const taken = await deps.table.acquireDayLock(date, runId, now + deps.config.lockTtlMs, now);
  if (!taken.acquired) {
    const reason = dayLockedReason(date, taken.heldBy);
    deps.log.info('day locked by another run', { step, date, runId, reason });
    return busy(reason);
  }
  try {
    return await work();
  } finally {
    await deps.table.releaseDayLock(date, runId);
  }
}
