/**
 * The compute handler over given dependencies (see functions/ingest/create-handler.ts): `handler.ts`
 * builds it from the environment, the local runner and the tests over the emulators.
 */
import { computeEventSchema } from '../lib/events.ts';
import { pipelineHandler } from '../lib/middy.ts';
import { runCompute } from '../pipeline/compute.ts';
import type { ComputeDeps } from '../pipeline/deps.ts';

export function createComputeHandler(deps: ComputeDeps) {
  return pipelineHandler('compute', computeEventSchema).handler(async (event) => runCompute(deps, event));
}
