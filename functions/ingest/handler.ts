/**
 * Ingest Lambda: a scheduled day, a per-day replay, a backfill plan `{ from, to }`, or a file dropped
 * under `incoming/` in the raw bucket. Parsing lives in ../lib/events.ts, the chain in ./create-handler.ts,
 * the work in ../pipeline/ingest.ts. Dependencies are built once, at init, from the environment.
 */
import { createAwsDeps } from '../pipeline/deps.ts';
import { createIngestHandler } from './create-handler.ts';

export const handler = createIngestHandler(createAwsDeps(process.env));
