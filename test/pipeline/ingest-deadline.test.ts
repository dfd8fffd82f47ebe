/**
 * Issue 20 item 2, on the emulators (dynalite, s3rver) with the real screener provider against a local stand-in
 * for api.nasdaq.com: a killed or slow ingest never ends in a silent success.
 *
 * - The ingest handler takes the run id from the state machine's envelope (`$$.Execution.Id`), so a retried
 *   attempt owns the same day lock as the attempt that was killed holding it, and ingests.
 * - A fetch still running when the invocation's deadline (Lambda's remaining time less a margin) passes is
 *   aborted: the attempt throws `StepDeadlineError` (retried by the state machine), with the lock released and
 *   nothing archived, instead of Lambda killing it mid-write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler, DEADLINE_MARGIN_MS, invocationDeadline } from '../../functions/ingest/create-handler.ts';
import { rawEventHandler } from '../../functions/lib/middy.ts';
import { runIngest, StepDeadlineError } from '../../functions/pipeline/ingest.ts';
import { createHttpClient } from '../../functions/providers/http.ts';
import { nasdaqScreenerProvider } from '../../functions/providers/nasdaq-screener.ts';
import { type LocalAws, startLocalAws } from '../adapters/helpers/local-aws.ts';
import { type ReplayServer, startReplayServer } from '../providers/helpers/replay-server.ts';
import { emulatorDeps } from './helpers/deps.ts';

const SCREENER_PATH = '/api/screener/stocks?tableonly=true&download=true';
const DAY = '2024-06-10';
// The emulator deps' default clock too: 19:30 in New York on the day.
const clock = () => new Date('2024-06-10T23:30:00Z');

let aws: LocalAws;
let server: ReplayServer;

beforeAll(async () => {
  [aws, server] = await Promise.all([startLocalAws(), startReplayServer()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([aws?.stop(), server?.close()]);
});

function screener() {
  const http = createHttpClient({
    userAgent: 'ShortPulse/0.1 (test)',
    // The client's own timeout is far away: only the invocation's deadline can stop this fetch.
    timeoutMs: 60_000,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 2 },
    maxBytes: 1024 * 1024,
  });
  return nasdaqScreenerProvider({ http, baseUrl: server.baseUrl, clock });
}

const lambdaContext = (remainingMs: number) => ({
  functionName: 'ingest',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => remainingMs,
});

describe('a slow source and the invocation’s deadline', () => {
  it('the deadline is Lambda’s remaining time less the margin; no context, no deadline', () => {
    expect(DEADLINE_MARGIN_MS).toBe(30_000);
    expect(invocationDeadline({})).toBeUndefined();
    expect(invocationDeadline(lambdaContext(300_000))?.aborted).toBe(false);
  });

  it('aborts the fetch, releases the lock, archives nothing, and throws the retryable StepDeadlineError', async () => {
    server.script(SCREENER_PATH, { delayMs: 20_000, status: 200, body: '{}' });
    const deps = await emulatorDeps(aws, { providers: [screener()] });
    const attempt = runIngest(
      { ...deps, deadline: AbortSignal.timeout(300) },
      { date: DAY, sources: ['prices'], runId: 'exec-1' },
    );
    await expect(attempt).rejects.toBeInstanceOf(StepDeadlineError);
    await expect(attempt).rejects.toMatchObject({
      name: 'StepDeadlineError',
      message: `ingest ${DAY}: the invocation's deadline passed while fetching nasdaq-screener for ${DAY}; the attempt stopped to retry`,
    });
    // Only the deadline gives this error: the 20 s answer would have been archived and refused as a bad file.
    expect((await deps.table.getDay(DAY))?.lock ?? null).toBeNull();
    expect(await deps.raw.list('raw/')).toEqual([]);
  });

  it('through the handler: Lambda’s remaining time sets the deadline, the envelope’s run id owns the lock', async () => {
    server.script(SCREENER_PATH, { delayMs: 20_000, status: 200, body: '{}' });
    const deps = await emulatorDeps(aws, { providers: [screener()] });
    const handler = rawEventHandler(createIngestHandler(deps));
    const runId = 'arn:aws:states:us-east-1:123456789012:execution:Pipeline:run-1';
    // 31 s left: the deadline is 1 s away.
    const attempt = handler({ runId, event: { date: DAY } }, lambdaContext(DEADLINE_MARGIN_MS + 1_000));
    await expect(attempt).rejects.toMatchObject({ name: 'StepDeadlineError' });
    expect((await deps.table.getDay(DAY))?.lock ?? null).toBeNull();
  });
});

describe('a retry of a killed ingest', () => {
  it('re-enters the lock its own run left behind and ingests; another run is refused with a retryable error', async () => {
    server.script(SCREENER_PATH, { status: 404, body: 'Not Found' });
    const deps = await emulatorDeps(aws, { providers: [screener()] });
    const handler = rawEventHandler(createIngestHandler(deps));
    const runId = 'arn:aws:states:us-east-1:123456789012:execution:Pipeline:run-2';
    // The first attempt was killed (timeout, out of memory) holding the day: nothing released the lock.
    const now = clock().getTime();
    expect((await deps.table.acquireDayLock(DAY, runId, now + 10 * 60_000, now)).acquired).toBe(true);

    // Another execution meanwhile: refused with the error the state machine retries, not a silent `skipped`.
    await expect(
      handler({ runId: 'arn:aws:states:us-east-1:123456789012:execution:Pipeline:other', event: { date: DAY } }, {}),
    ).rejects.toMatchObject({ name: 'DayLockedError' });

    // The retry of the same execution works the day: the screener answers 404 (not out yet), so ingest says
    // the day is incomplete (retried for hours) — it did run, under its run id, and let the lock go.
    await expect(handler({ runId, event: { date: DAY } }, {})).rejects.toMatchObject({ name: 'DayIncompleteError' });
    expect(server.hits(SCREENER_PATH).length).toBeGreaterThan(0);
    const day = await deps.table.getDay(DAY);
    expect(day?.steps.ingest).toMatchObject({ state: 'incomplete', runId });
    expect(day?.lock ?? null).toBeNull();
  });
});
