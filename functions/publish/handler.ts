/**
 * Publish Lambda: writes the day's snapshot, history and feed to the site bucket (`latest` last) and
 * counts `SnapshotPublished`, the metric the "no snapshot published today" alarm watches. Its event is
 * compute's result, checked strictly (../lib/events.ts): the snapshot batches it names are all it reads.
 */
import { publishEventSchema } from '../lib/events.ts';
import { METRIC } from '../lib/metric-names.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { countMetric } from '../lib/observability.ts';
import { createAwsStoreDeps } from '../pipeline/deps.ts';
import { runPublish } from '../pipeline/publish.ts';

const deps = createAwsStoreDeps(process.env);

export const handler = pipelineHandler('publish', publishEventSchema).handler(async (event) => {
  const result = await runPublish(deps, event);
  if (!result.skipped && result.published.length > 0) countMetric(METRIC.snapshotPublished);
  return result;
});
