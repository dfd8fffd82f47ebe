/**
 * The single middy chain of every pipeline handler, in the order Powertools documents for middy: the
 * logger first (Lambda context added, keys reset between invocations), then metrics (flushed after
 * the handler), then the event parser. A handler file adds `.handler(fn)` last, so TypeScript infers
 * the parsed event type. No Powertools Tracer: Lambda's active tracing (infra) already records each
 * invocation in X-Ray, and the Tracer's handler subsegment only repeated it (121 kB of bundle with the
 * X-Ray SDK; docs/benchmarks.md part 4).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import { type EventSchema, parseStepEvent } from './events.ts';
import { logger, metrics } from './observability.ts';

/** Replaces `request.event` with the schema's output, or throws `EventValidationError` (./events.ts). */
export function parseEvent<T>(handler: string, schema: EventSchema<T>): MiddlewareObj<T> {
  return {
    before: (request) => {
      request.event = parseStepEvent(handler, schema, request.event);
    },
  };
}

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
  return (
    middy<T>()
      .use(injectLambdaContext(logger, { resetKeys: true }))
      // No ColdStart metric: each would be one more custom metric ($0.30/month) for what Lambda's
      // own Init Duration already shows.
      .use(logMetrics(metrics))
      .use(logFailure)
      .use(parseEvent(name, schema))
  );
}
