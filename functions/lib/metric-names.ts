/**
 * CloudWatch names shared by the handlers (which emit) and the CDK alarms (which watch). Pure
 * constants: infra imports this file without pulling in Powertools.
 */

/** POWERTOOLS_SERVICE_NAME of every pipeline function: one service, so alarms need one dimension. */
export const SERVICE_NAME = 'short-pulse';

/** POWERTOOLS_METRICS_NAMESPACE. */
export const METRIC_NAMESPACE = 'ShortPulse';

export const METRIC = {
  /** Emitted by publish (1) each time a day's snapshot is published. */
  snapshotPublished: 'SnapshotPublished',
  /** Emitted by ingest (1) when the scheduled date is not a US trading day: the run ends on purpose. */
  nonTradingDay: 'NonTradingDaySkipped',
} as const;

/** Powertools adds this dimension (`service`) to every custom metric. */
export const SERVICE_DIMENSION = { service: SERVICE_NAME } as const;
