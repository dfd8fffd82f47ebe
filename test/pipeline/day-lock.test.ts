/** withDayLock, the one day lock of ingest, compute and publish (issue 12): one message, always released. */
import { describe, expect, it } from 'vitest';
import { DayLockedError, withDayLock } from '../../functions/pipeline/day-lock.ts';
import { LOCKED_ERRORS } from '../../functions/pipeline/steps.ts';
import { memoryDeps } from './helpers/deps.ts';

const DAY = '2024-06-10';

describe('withDayLock', () => {
  it('runs the work under the lock and releases it afterwards', async () => {
    const deps = memoryDeps();
    const seen = await withDayLock(
      deps,
      { step: 'compute', date: DAY, runId: 'run-a' },
      async () => (await deps.table.getDay(DAY))?.lock?.owner,
    );
    expect(seen).toBe('run-a');
    expect((await deps.table.getDay(DAY))?.lock).toBeNull();
  });

  it('releases the lock when the work throws', async () => {
    const deps = memoryDeps();
    const failing = withDayLock(deps, { step: 'publish', date: DAY, runId: 'run-a' }, async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect((await deps.table.getDay(DAY))?.lock).toBeNull();
  });

  it('another run holding the day: the work does not run, a retryable error names the holder and its expiry', async () => {
    const deps = memoryDeps();
    const now = deps.clock().getTime();
    await deps.table.acquireDayLock(DAY, 'execution-1', now + 60_000, now);
    let ran = false;
    const attempt = withDayLock(deps, { step: 'ingest', date: DAY, runId: 'execution-2' }, async () => {
      ran = true;
      return 'worked';
    });
    const answer = `day ${DAY} is being processed by execution-1 until ${new Date(now + 60_000).toISOString()}`;
    await expect(attempt).rejects.toBeInstanceOf(DayLockedError);
    await expect(attempt).rejects.toMatchObject({
      name: 'DayLockedError',
      message: `ingest: ${answer}; retried until the lock is released or expires`,
      date: DAY,
    });
    expect(LOCKED_ERRORS).toContain(new DayLockedError('ingest', DAY, null).name);
    expect(ran).toBe(false);
    expect(deps.log.entries).toContainEqual({
      level: 'info',
      message: 'day locked by another run',
      extra: [{ step: 'ingest', date: DAY, runId: 'execution-2', reason: answer }],
    });
    expect((await deps.table.getDay(DAY))?.lock?.owner).toBe('execution-1');
  });

  it('is re-entrant for the steps of one run (the same owner)', async () => {
    const deps = memoryDeps();
    const inner = await withDayLock(deps, { step: 'compute', date: DAY, runId: 'run-a' }, () =>
      withDayLock(deps, { step: 'publish', date: DAY, runId: 'run-a' }, async () => 'inner ran'),
    );
    expect(inner).toBe('inner ran');
  });
});

describe('a retry of a killed run (issue 20 item 2)', () => {
  it('re-enters its own run’s lock (the same owner, the execution id) and does the work', async () => {
    const deps = memoryDeps();
    const now = deps.clock().getTime();
    // The first attempt was killed holding the lock (a timeout, an out-of-memory kill): nothing released it.
    await deps.table.acquireDayLock(DAY, 'arn:aws:states:execution:run-1', now + 15 * 60_000, now);
    const retried = await withDayLock(
      deps,
      { step: 'ingest', date: DAY, runId: 'arn:aws:states:execution:run-1' },
      async () => 'ingested',
    );
    expect(retried).toBe('ingested');
    expect((await deps.table.getDay(DAY))?.lock).toBeNull();
  });

  it('another execution is refused while the lock lives, and takes the day over once it has expired', async () => {
    const deps = memoryDeps();
    const now = deps.clock().getTime();
    await deps.table.acquireDayLock(DAY, 'run-1', now + 15 * 60_000, now);
    await expect(withDayLock(deps, { step: 'ingest', date: DAY, runId: 'run-2' }, async () => 'x')).rejects.toThrow(
      DayLockedError,
    );
    const later = { ...deps, clock: () => new Date(now + 15 * 60_000 + 1) };
    expect(await withDayLock(later, { step: 'ingest', date: DAY, runId: 'run-2' }, async () => 'taken over')).toBe(
      'taken over',
    );
  });
});
