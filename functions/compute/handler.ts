/**
 * Compute Lambda: folds the new day(s) into the engine (or restates from a late file's date) and writes the
 * snapshots to publish. Its event is ingest's result, checked strictly (../lib/events.ts); the chain is in
 * ./create-handler.ts. Dependencies are built once, at init, from the environment.
 */
import { createAwsComputeDeps } from '../pipeline/compute-deps.ts';
import { createComputeHandler } from './create-handler.ts';

export const handler = createComputeHandler(createAwsComputeDeps(process.env));
