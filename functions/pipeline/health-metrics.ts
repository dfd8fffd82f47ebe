/**
 * Emits the input-health metrics (names in ../lib/metric-names.ts) through the metrics of
 * ../lib/observability.ts; the middy chain flushes them at the end of the invocation (a single metric is
 * written at once). The figures come from ./staleness.ts; infra/constructs/monitoring.ts alarms on them.
 * Local runs disable metrics (functions/local/powertools-env.ts), so nothing is printed there.
 */
import type { FileOutcome } from '../lib/events.ts';
import { METRIC, SOURCE_DIMENSION } from '../lib/metric-names.ts';
import { MetricUnit, metrics } from '../lib/observability.ts';
import { type DataAge, providerFailures } from './staleness.ts';

/** After publish moved `latest`: the age of its prices and of its short interest (when a file is in effect). */
export function recordDataAge(age: DataAge): void {
  metrics.addMetric(METRIC.priceAgeDays, MetricUnit.Count, age.priceDays);
  if (age.shortInterestDays !== undefined) {
    metrics.addMetric(METRIC.shortInterestAgeDays, MetricUnit.Count, age.shortInterestDays);
  }
}

/**
 * After a scheduled day's ingest (its result, or the result a DayIncompleteError carries): one
 * `ProviderFailed` datapoint per source its provider was asked for, with the `source` dimension.
 */
export function recordProviderHealth(files: readonly FileOutcome[]): void {
  for (const [source, failed] of Object.entries(providerFailures(files))) {
    // One dimension value per datapoint: a buffered metric shares one dimension set with every other.
    const single = metrics.singleMetric();
    single.addDimension(SOURCE_DIMENSION, source);
    single.addMetric(METRIC.providerFailed, MetricUnit.Count, failed);
  }
}
