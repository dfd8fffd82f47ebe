/**
 * CloudWatch names shared by the handlers (which emit) and the CDK alarms (which watch). Pure
 * constants: infra imports this file without the handlers' logging and metrics code.
 */

/** POWERTOOLS_SERVICE_NAME (the name Powertools read, kept) of every pipeline function: one service, so alarms need one dimension. */
export const SERVICE_NAME = 'short-pulse';

/** POWERTOOLS_METRICS_NAMESPACE. */
export const METRIC_NAMESPACE = 'ShortPulse';

export const METRIC = {
  /** Emitted by publish (1) each time a day's snapshot is published. */
  snapshotPublished: 'SnapshotPublished',
  /** Emitted by ingest (1) when the scheduled date is not a US trading day: the run ends on purpose. */
  nonTradingDay: 'NonTradingDaySkipped',
  /**
   * Emitted by publish when `latest.json` moves to a day A: A minus the settlement date of the short
   * interest file in effect on A, in calendar days (functions/pipeline/staleness.ts). Not emitted when no
   * file is in effect yet.
   */
  shortInterestAgeDays: 'ShortInterestAgeDays',
  /** Emitted by publish when `latest.json` moves to a day A: today in New York minus A, in calendar days. */
  priceAgeDays: 'PriceAgeDays',
  /**
   * Emitted by the scheduled day's ingest, once per source a provider was asked for (dimension
   * `source`, PROVIDER_SOURCES): 1 when the provider failed after its retries, 0 when it answered.
   */
  providerFailed: 'ProviderFailed',
} as const;

/** The dimension (`service`) every custom metric carries (functions/lib/observability.ts, as Powertools did). */
export const SERVICE_DIMENSION = { service: SERVICE_NAME } as const;

/** The dimension naming the source of a `ProviderFailed` datapoint. */
export const SOURCE_DIMENSION = 'source';

/**
 * The sources a data provider fetches (functions/providers: the screener, FINRA's two files, the split
 * calendar), each with its own `ProviderFailed` series and alarm; splits.csv and securities.csv are
 * the operator's files, never fetched. test/pipeline/staleness.test.ts checks it against the providers.
 */
export const PROVIDER_SOURCES = ['prices', 'short-interest', 'short-volume', 'split-calendar'] as const;
export type ProviderSource = (typeof PROVIDER_SOURCES)[number];
