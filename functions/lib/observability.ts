/**
 * The structured logs and custom metrics of a Lambda function, written by the project itself (issue 20 item 7:
 * Powertools Logger, Metrics and their commons were 32.6 kB of each bundle, a quarter of what the size budget
 * allows beyond the AWS SDK, for a JSON line per log entry and one per metrics flush). The lines are the ones
 * Powertools wrote:
 *
 *   - a log entry is one JSON line on stdout, `level`, `message`, `timestamp`, `service`, then the Lambda
 *     context the middy chain sets per invocation (`cold_start`, `function_arn`, `function_memory_size`,
 *     `function_name`, `function_request_id`, `xray_trace_id`), then the entry's own keys; an Error given as
 *     the extra is written under `error` (`name`, `location`, `message`, `stack`, its own fields, `cause`);
 *   - metrics are CloudWatch's embedded metric format (EMF): one line per flush, namespace
 *     `POWERTOOLS_METRICS_NAMESPACE`, every metric with the `service` dimension (and a single metric's own),
 *     which the alarms of infra/constructs/monitoring.ts watch.
 *
 * Environment (the variable names Powertools read, kept: infra sets the first two, the local runner the last
 * two through functions/local/powertools-env.ts): POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE
 * (defaults in ./metric-names.ts), POWERTOOLS_LOG_LEVEL (DEBUG, INFO, WARN, ERROR or SILENT; default INFO; never
 * below AWS_LAMBDA_LOG_LEVEL, which Lambda sets from the function's application log level, INFO in infra),
 * POWERTOOLS_METRICS_DISABLED=true. Read when
 * this module loads. Module scope on purpose: one logger and one metrics buffer per execution environment, which
 * the middy chain (./middy.ts) gives each invocation's context and flushes after it.
 */
import { METRIC_NAMESPACE, SERVICE_NAME } from './metric-names.ts';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 } as const;
type LevelName = keyof typeof LEVELS;
type Extra = Record<string, unknown> | Error | string | undefined;

function levelOf(value: string | undefined): number | undefined {
  const name = value?.trim().toUpperCase();
  return name !== undefined && name in LEVELS ? LEVELS[name as LevelName] : undefined;
}

const env = process.env;
const serviceName = env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;
const namespace = env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE;
const threshold = Math.max(levelOf(env.POWERTOOLS_LOG_LEVEL) ?? LEVELS.INFO, levelOf(env.AWS_LAMBDA_LOG_LEVEL) ?? 0);
const metricsDisabled = env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase() === 'true';

/** A line on stdout, as Powertools wrote it (Lambda forwards stdout to the function's log group). */
function writeLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The first `(file:line:column)` of a stack, as `file:line`. */
function codeLocation(stack: string | undefined): string {
  const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/m.exec(stack ?? '');
  return match ? `${match[1]}:${Number(match[2])}` : '';
}

function formatError(error: Error): Record<string, unknown> {
  const { name, message, stack, cause } = error;
  const out: Record<string, unknown> = {
    name,
    location: codeLocation(stack),
    message,
    stack,
    cause: cause instanceof Error ? formatError(cause) : cause,
  };
  for (const [key, value] of Object.entries(error)) {
    if (!['name', 'message', 'stack', 'cause'].includes(key)) out[key] = value;
  }
  return out;
}

/** The Lambda context of the invocation in progress (set by the middy chain), as log keys. */
let invocation: Record<string, unknown> = {};
let invocations = 0;

/** What the middy chain calls before each invocation: later log entries carry this context. */
export function setLambdaContext(context: {
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
  functionName?: string;
  awsRequestId?: string;
}): void {
  invocations += 1;
  const traceId = /Root=([^;]+)/.exec(env._X_AMZN_TRACE_ID ?? '')?.[1];
  invocation = {
    cold_start: invocations === 1 && env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency',
    function_arn: context.invokedFunctionArn,
    function_memory_size: context.memoryLimitInMB,
    function_name: context.functionName,
    function_request_id: context.awsRequestId,
    ...(traceId ? { xray_trace_id: traceId } : {}),
  };
}

function log(level: LevelName, message: string, extras: Extra[]): void {
  if (LEVELS[level] < threshold) return;
  const entry: Record<string, unknown> = {
    level,
    message,
    timestamp: new Date().toISOString(),
    service: serviceName,
    ...invocation,
  };
  for (const extra of extras) {
    if (extra instanceof Error) entry.error = formatError(extra);
    else if (typeof extra === 'string') entry.extra = extra;
    else if (extra !== undefined) Object.assign(entry, extra);
  }
  writeLine(entry);
}

/** The function's structured logger (the pipeline's `Log`, functions/adapters/ports.ts). */
export const logger = {
  debug: (message: string, ...extras: Extra[]) => log('DEBUG', message, extras),
  info: (message: string, ...extras: Extra[]) => log('INFO', message, extras),
  warn: (message: string, ...extras: Extra[]) => log('WARN', message, extras),
  error: (message: string, ...extras: Extra[]) => log('ERROR', message, extras),
};

/** The units the pipeline's metrics use (CloudWatch's names). */
export const MetricUnit = { Count: 'Count' } as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

interface Datapoint {
  name: string;
  unit: MetricUnit;
  values: number[];
}

/** One EMF line: the metrics' definitions under `_aws`, then the dimension values and the metric values. */
function emf(datapoints: readonly Datapoint[], dimensions: Record<string, string>): Record<string, unknown> {
  const values: Record<string, number | number[]> = {};
  for (const d of datapoints) values[d.name] = d.values.length === 1 ? (d.values[0] as number) : d.values;
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: datapoints.map((d) => ({ Name: d.name, Unit: d.unit })),
        },
      ],
    },
    ...dimensions,
    ...values,
  };
}

function addTo(datapoints: Datapoint[], name: string, unit: MetricUnit, value: number): void {
  const found = datapoints.find((d) => d.name === name);
  if (found) found.values.push(value);
  else datapoints.push({ name, unit, values: [value] });
}

const buffered: Datapoint[] = [];

/** The function's custom metrics: buffered until the middy chain flushes them after the invocation. */
export const metrics = {
  /** Adds a datapoint (with the `service` dimension) to the invocation's EMF line. */
  addMetric(name: string, unit: MetricUnit, value: number): void {
    addTo(buffered, name, unit, value);
  },
  /** A metric with dimensions of its own, written at once on its own EMF line when its datapoint is added. */
  singleMetric() {
    const dimensions: Record<string, string> = { service: serviceName };
    return {
      addDimension(name: string, value: string): void {
        dimensions[name] = value;
      },
      addMetric(name: string, unit: MetricUnit, value: number): void {
        if (!metricsDisabled) writeLine(emf([{ name, unit, values: [value] }], dimensions));
      },
    };
  },
  /** Writes the buffered datapoints as one EMF line, if there are any, and empties the buffer. */
  flush(): void {
    const datapoints = buffered.splice(0);
    if (datapoints.length > 0 && !metricsDisabled) writeLine(emf(datapoints, { service: serviceName }));
  },
};

/** Count one occurrence of a custom metric (flushed by the middy chain at the end of the request). */
export function countMetric(name: string): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
}
