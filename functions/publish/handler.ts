/**
 * Publish Lambda: writes the day's snapshot, history and feed to the site bucket (`latest` last) and
 * counts `SnapshotPublished`, the metric the "no snapshot published today" alarm watches. Its event is
 * compute's result, checked strictly (../lib/events.ts): the snapshot batches it names are all it reads.
 * The chain is in ./create-handler.ts; dependencies are built once, at init, from the environment.
 */
import { createAwsStoreDeps } from '../pipeline/deps.ts';
import { createPublishHandler } from './create-handler.ts';

export const handler = createPublishHandler(createAwsStoreDeps(process.env));
