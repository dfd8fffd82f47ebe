/**
 * The one place that builds the Powertools logger and metrics of a Lambda function.
 * Module scope on purpose: Powertools instances live for the execution environment (init once,
 * reused across invocations), and the middy chain (./middy.ts) flushes/reset them per request.
 * Names come from ./metric-names.ts; POWERTOOLS_* env vars set by the CDK construct still win.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, SERVICE_NAME } from './metric-names.ts';

export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Metrics report their own problems through the structured logger (not console.warn). "No
 * application metrics to publish" is the normal case for a step that counts nothing: debug level.
 */
const metricsLog = {
  debug: (message: string) => logger.debug(message),
  info: (message: string) => logger.info(message),
  warn: (message: string) =>
    message.startsWith('No application metrics') ? logger.debug(message) : logger.warn(message),
  error: (message: string) => logger.error(message),
};

export const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME, logger: metricsLog });

/** Count one occurrence of a custom metric (flushed by the middy chain at the end of the request). */
export function countMetric(name: string): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
}
