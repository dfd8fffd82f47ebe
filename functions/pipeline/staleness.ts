/**
 * How old the published input is, and which providers failed a day's ingest: the pure part of the
 * "stale input is an alarm, not silence" metrics (issue 18). ./health-metrics.ts emits what these
 * functions return; infra/constructs/monitoring.ts alarms on it. No clock here: `today` is a parameter.
 */
import type { IsoDate } from '../../shared/domain.ts';
import type { Snapshot } from '../../shared/snapshot/schema.ts';
import type { FileOutcome } from '../lib/events.ts';
import { PROVIDER_SOURCES, type ProviderSource } from '../lib/metric-names.ts';

const DAY_MS = 86_400_000;

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export interface DataAge {
  /**
   * A minus the settlement date of the short interest file in effect on A (rule 4), in calendar days;
   * undefined when no file is in effect yet (the first days of the data): nothing to call stale.
   */
  shortInterestDays: number | undefined;
  /** Today in New York minus A, in calendar days: 0 when the day's prices were published that evening. */
  priceDays: number;
}

/** The age of a published snapshot's inputs, `today` being the New York date of the publish. */
export function dataAge(snapshot: Pick<Snapshot, 'asOf' | 'dataQuality'>, today: IsoDate): DataAge {
  const settled = snapshot.dataQuality.shortInterestSettlementDate;
  return {
    shortInterestDays: settled === null ? undefined : calendarDaysBetween(settled, snapshot.asOf),
    priceDays: calendarDaysBetween(snapshot.asOf, today),
  };
}

const PROVIDED = new Set<string>(PROVIDER_SOURCES);

/**
 * Whether each provider failed in one day's ingest, from its file outcomes: 1 when any file of the source
 * was not delivered usable — the provider failed after its retries (`failed`, nothing archived), or what it
 * served was refused as a whole (`rejected`, or the same refused bytes again: `duplicate` of a rejected
 * file) —, 0 when it answered otherwise (accepted, not yet available…). A source whose files were all
 * `present` (already in the ledger, the provider not asked) has no entry: a day it was not asked says
 * nothing either way. `failed` with a `rawKey` is a damaged archived copy (issue 17), not the provider's doing.
 */
export function providerFailures(files: readonly FileOutcome[]): Partial<Record<ProviderSource, 0 | 1>> {
  const out: Partial<Record<ProviderSource, 0 | 1>> = {};
  for (const f of files) {
    if (!PROVIDED.has(f.source) || f.status === 'present') continue;
    const source = f.source as ProviderSource;
    const failed =
      (f.status === 'failed' && f.rawKey === undefined) ||
      f.status === 'rejected' ||
      (f.status === 'duplicate' && f.ledgerStatus === 'rejected');
    if (f.status === 'failed' && !failed) continue;
    out[source] = failed || out[source] === 1 ? 1 : 0;
  }
  return out;
}
