/**
 * Ingest Lambda: a scheduled day, a per-day replay, a backfill plan `{ from, to }`, or a file dropped
 * under `incoming/` in the raw bucket. Parsing lives in ../lib/events.ts; the work in ../pipeline/ingest.ts.
 */
import { isTradingDay, tradingDays } from '../../shared/calendar.ts';
import { ingestEventSchema } from '../lib/events.ts';
import { METRIC } from '../lib/metric-names.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { countMetric } from '../lib/observability.ts';
import { createAwsDeps } from '../pipeline/deps.ts';
import { runIngest } from '../pipeline/ingest.ts';
import type { BackfillPlan } from '../pipeline/steps.ts';

const deps = createAwsDeps(process.env);

export const handler = pipelineHandler('ingest', ingestEventSchema).handler(async (request) => {
  if (request.kind === 'backfill') {
    const plan: BackfillPlan = { dates: tradingDays(request.from, request.to) };
    return plan;
  }
  // The schedule fires every day so the "no snapshot" alarm has a heartbeat; weekends and holidays end
  // here: runIngest answers `skipped` for them before any I/O, in the result shape compute's event has.
  if (request.kind === 'day' && request.scheduled && !isTradingDay(request.date)) countMetric(METRIC.nonTradingDay);
  return runIngest(deps, request);
});
