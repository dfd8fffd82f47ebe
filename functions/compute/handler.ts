/** Compute Lambda: advances state and aggregates by one day (or restates from a late file's date). */
import { dayEventSchema } from '../lib/events.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { runCompute } from '../pipeline/compute.ts';
import { createAwsStoreDeps } from '../pipeline/deps.ts';

const deps = createAwsStoreDeps(process.env);

export const handler = pipelineHandler('compute', dayEventSchema).handler(async (event) => runCompute(deps, event));
