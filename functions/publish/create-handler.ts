/**
 * The publish handler over given dependencies (see functions/ingest/create-handler.ts): `handler.ts`
 * builds it from the environment, the local runner and the tests over the emulators.
 */
import { publishEventSchema } from '../lib/events.ts';
import { METRIC } from '../lib/metric-names.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { countMetric } from '../lib/observability.ts';
import type { PipelineDeps } from '../pipeline/deps.ts';
import { runPublish } from '../pipeline/publish.ts';

export function createPublishHandler(deps: PipelineDeps) {
  return pipelineHandler('publish', publishEventSchema).handler(async (event) => {
    const result = await runPublish(deps, event);
    if (!result.skipped && result.published.length > 0) countMetric(METRIC.snapshotPublished);
    return result;
  });
}
