/**
 * Publishing given snapshots the way the pipeline hands them over: compute writes them in one batch and
 * its result names that batch for each day (`snapshotKeys`), publish's only channel (issue 12).
 */
import type { PipelineDeps } from '../../../functions/pipeline/deps.ts';
import { type PublishInput, type PublishResult, runPublish } from '../../../functions/pipeline/publish.ts';

/**
 * Writes `snapshots` as one batch of the run of `date`, then publishes `dates` (default: each snapshot's
 * `asOf`) with compute's hand-over naming that batch.
 */
export async function publishSnapshots(
  deps: PipelineDeps,
  date: string,
  snapshots: readonly { asOf: string }[],
  event: Partial<PublishInput> = {},
): Promise<PublishResult> {
  const key = await deps.derived.putSnapshotBatch(date, snapshots);
  const dates = event.dates ?? snapshots.map((s) => s.asOf);
  return runPublish(deps, { date, dates, snapshotKeys: Object.fromEntries(dates.map((d) => [d, key])), ...event });
}

/**
 * A snapshot as publish writes it: with `publishedAt` (issue 21 item 12: when the day was first published) right
 * after `generatedAt`. What a byte-for-byte comparison with `pulse build`'s output adds.
 */
export function asPublished<S extends { generatedAt: string }>(snapshot: S, publishedAt: string | undefined): S {
  const entries: [string, unknown][] = Object.entries(snapshot).filter(([k]) => k !== 'publishedAt');
  const at = entries.findIndex(([k]) => k === 'generatedAt') + 1;
  entries.splice(at, 0, ['publishedAt', publishedAt]);
  return Object.fromEntries(entries) as S;
}
