/** withDayLock, the one day lock of ingest, compute and publish (issue 12): one message, always released. */
import { describe, expect, it } from 'vitest';
import { withDayLock } from '../../functions/pipeline/day-lock.ts';
import { memoryDeps } from './helpers/deps.ts';

const DAY = '2024-06-10';

describe('withDayLock', () => {
  it('runs the work under the lock and releases it afterwards', async () => {
    const deps = memoryDeps();
    const seen = await withDayLock(
      deps,
      { step: 'compute', date: DAY, runId: 'run-a' },
      async () => (await deps.table.getDay(DAY))?.lock?.owner,
      () => 'busy',
    );
    expect(seen).toBe('run-a');
    expect((await deps.table.getDay(DAY))?.lock).toBeNull();
  });

  it('releases the lock when the work throws', async () => {
    const deps = memoryDeps();
    const failing = withDayLock(
      deps,
      { step: 'publish', date: DAY, runId: 'run-a' },
      async () => {
        throw new Error('boom');
      },
      () => 'busy',
    );
    await expect(failing).rejects.toThrow('boom');
    expect((await deps.table.getDay(DAY))?.lock).toBeNull();
  });

  it('another run holding the day: the work does not run, one message names the holder and its expiry', async () => {
    const deps = memoryDeps();
    const now = deps.clock().getTime();
    await deps.table.acquireDayLock(DAY, 'execution-1', now + 60_000, now);
    let ran = false;
    const answer = await withDayLock(
      deps,
      { step: 'ingest', date: DAY, runId: 'execution-2' },
      async () => {
        ran = true;
        return 'worked';
      },
      (reason) => reason,
    );
    expect(ran).toBe(false);
    expect(answer).toBe(`day ${DAY} is being processed by execution-1 until ${new Date(now + 60_000).toISOString()}`);
    expect(deps.log.entries).toContainEqual({
      level: 'info',
      message: 'day locked by another run',
      extra: [{ step: 'ingest', date: DAY, runId: 'execution-2', reason: answer }],
    });
    expect((await deps.table.getDay(DAY))?.lock?.owner).toBe('execution-1');
  });

  it('is re-entrant for the steps of one run (the same owner)', async () => {
    const deps = memoryDeps();
    const inner = await withDayLock(
      deps,
      { step: 'compute', date: DAY, runId: 'run-a' },
      () =>
        withDayLock(
          deps,
          { step: 'publish', date: DAY, runId: 'run-a' },
          async () => 'inner ran',
          () => 'busy',
        ),
      () => 'busy',
    );
    expect(inner).toBe('inner ran');
  });
});
