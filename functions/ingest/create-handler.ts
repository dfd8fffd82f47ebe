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

export function createIngestHandler(deps: PipelineDeps) {
  return pipelineHandler('ingest', ingestEventSchema).handler(async (request) => {
    // Issue 18: only the days whose prices are archived are planned; the others are reported as missing.
    if (request.kind === 'backfill') return planBackfill(deps, request.from, request.to);
    // The schedule fires every day so the "no snapshot" alarm has a heartbeat; weekends and holidays end
    // here: runIngest answers `skipped` for them before any I/O, in the result shape compute's event has.
    if (request.kind === 'day' && request.scheduled && !isTradingDay(request.date)) countMetric(METRIC.nonTradingDay);
    return runIngest(deps, request);
  });
}
