/**
 * Compute Lambda: folds the new day(s) into the engine (or restates from a late file's date) and writes the
 * snapshots to publish. Its event is ingest's result, checked strictly (../lib/events.ts).
 */
import { computeEventSchema } from '../lib/events.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { runCompute } from '../pipeline/compute.ts';
import { createAwsStoreDeps } from '../pipeline/deps.ts';

const deps = createAwsStoreDeps(process.env);

export const handler = pipelineHandler('compute', computeEventSchema).handler(async (event) => runCompute(deps, event));
