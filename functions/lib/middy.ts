/**
 * The single middy chain of every pipeline handler: the Lambda context given to the logger first (every
 * entry of the invocation carries it), then metrics (flushed after the handler, or after its failure), then
 * the failure log and the event parser. A handler file adds `.handler(fn)` last, so TypeScript infers the
 * parsed event type. Logs and metrics are ./observability.ts's, not Powertools' (issue 20 item 7). No tracing
 * library: Lambda's active tracing (infra) records each invocation in X-Ray; Powertools Tracer's handler
 * subsegment only repeated it (121 kB of bundle with the X-Ray SDK; docs/benchmarks.md part 4).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { type EventSchema, parseStepEvent } from './events.ts';
import { logger, metrics, setLambdaContext } from './observability.ts';

/** Replaces `request.event` with the schema's output, or throws `EventValidationError` (./events.ts). */
export function parseEvent<T>(handler: string, schema: EventSchema<T>): MiddlewareObj<T> {
  return {
    before: (request) => {
      request.event = parseStepEvent(handler, schema, request.event);
    },
  };
}

/** Every log entry of the invocation carries its Lambda context (request id, function, cold start). */
const lambdaContext: MiddlewareObj = {
  before: (request) => {
    setLambdaContext(request.context);
  },
};

/**
 * The invocation's metrics, one EMF line, after the handler and after a failure alike (no ColdStart metric:
 * each would be one more custom metric, $0.30/month, for what Lambda's own Init Duration already shows).
 */
const flushMetrics: MiddlewareObj = {
  after: () => {
    metrics.flush();
  },
  onError: () => {
    metrics.flush();
  },
};

/** Logs a failed invocation once, structured, with the Lambda context still attached, then rethrows. */
const logFailure: MiddlewareObj = {
  onError: (request) => {
    logger.error('invocation failed', request.error ?? 'unknown error');
  },
};

/**
 * A handler as Lambda calls it: with the raw event. The chain's types name the parsed event (what the
 * handler function sees after `parseEvent`), so a caller holding an unchecked event (the local runner, a
 * test) takes the handler through `rawEventHandler`.
 */
export type RawEventHandler<R> = (event: unknown, context: object) => Promise<R>;

/** The same handler, typed for a raw event: the `parseEvent` middleware checks it before the handler runs. */
export function rawEventHandler<T, R>(handler: (event: T, context: never) => Promise<R>): RawEventHandler<R> {
  return handler as RawEventHandler<R>;
}

/** `pipelineHandler('ingest', schema).handler(async (event) => …)`: the whole chain in one call. */
export function pipelineHandler<T>(name: string, schema: EventSchema<T>) {
  return middy<T>().use(lambdaContext).use(flushMetrics).use(logFailure).use(parseEvent(name, schema));
}
