/**
 * The ingest handler over given dependencies: the middy chain, the event schema and the one call to the
 * service. `handler.ts` (the Lambda entry infra bundles) builds it from the environment at init; the local
 * runner and the tests build it over the emulators, so they invoke exactly what Lambda invokes.
 */
import { isTradingDay } from '../../shared/calendar.ts';
import { ingestEventSchema } from '../lib/events.ts';
import { METRIC } from '../lib/metric-names.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { countMetric } from '../lib/observability.ts';
import type { PipelineDeps } from '../pipeline/deps.ts';
import { planBackfill, runIngest } from '../pipeline/ingest.ts';

/** Time kept back from Lambda's limit to end an attempt cleanly: release the lock, record the day, report. */
export const DEADLINE_MARGIN_MS = 30_000;

/** The invocation's deadline from Lambda's context (issue 20 item 2); none without one (a local call). */
export function invocationDeadline(context: unknown): AbortSignal | undefined {
  const remaining = (context as { getRemainingTimeInMillis?: () => number } | null)?.getRemainingTimeInMillis?.();
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return undefined;
  return AbortSignal.timeout(Math.max(1_000, remaining - DEADLINE_MARGIN_MS));
}

export function createIngestHandler(base: PipelineDeps) {
  return pipelineHandler('ingest', ingestEventSchema).handler(async (request, context) => {
    const deadline = invocationDeadline(context);
    const deps: PipelineDeps = deadline ? { ...base, deadline } : base;
    // Issue 18: only the days whose prices are archived are planned; the others are reported as missing.
    if (request.kind === 'backfill') return planBackfill(deps, request.from, request.to, request.runId);
    // The schedule fires every day so the "no snapshot" alarm has a heartbeat; weekends and holidays end
    // here: runIngest answers `skipped` for them before any I/O, in the result shape compute's event has.
    if (request.kind === 'day' && request.scheduled && !isTradingDay(request.date)) countMetric(METRIC.nonTradingDay);
    return runIngest(deps, request);
  });
}
