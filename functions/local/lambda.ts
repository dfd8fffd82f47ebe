/**
 * Lambda on one machine: the day steps' real handlers (functions/<step>/create-handler.ts: the middy chain,
 * the strict event schema, the service) over emulator-backed dependencies, invoked with the events Step
 * Functions passes and a Lambda context. The local runner, `pulse backfill`, the benchmark and the tests
 * call the pipeline only through these, so what they run is what Lambda runs.
 */
import './powertools-env.ts';
import { randomUUID } from 'node:crypto';
import { createComputeHandler } from '../compute/create-handler.ts';
import { createIngestHandler } from '../ingest/create-handler.ts';
import type { ComputeResult, IngestResult } from '../lib/events.ts';
import { type RawEventHandler, rawEventHandler } from '../lib/middy.ts';
import type { PipelineDeps } from '../pipeline/deps.ts';
import type { PublishResult } from '../pipeline/publish.ts';
import type { BackfillPlan } from '../pipeline/steps.ts';
import { createPublishHandler } from '../publish/create-handler.ts';

export type DayStepName = 'ingest' | 'compute' | 'publish';

/** Each day step's Lambda, invoked with a raw event (unknown until its handler's schema parses it). */
export interface DayInvokers {
  ingest(event: unknown): Promise<IngestResult | BackfillPlan>;
  compute(event: unknown): Promise<ComputeResult>;
  publish(event: unknown): Promise<PublishResult>;
}

/** The fields of Lambda's context object that the middy chain (the logger's context) reads. */
export interface LocalLambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
}

/**
 * A context for one invocation. No `getRemainingTimeInMillis`: locally there is no timeout to end early
 * for (middy's early-timeout timer only starts when the context has one).
 */
export function localLambdaContext(functionName: string): LocalLambdaContext {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
  };
}

function invoker<R>(step: DayStepName, handler: RawEventHandler<R>): (event: unknown) => Promise<R> {
  return (event) => handler(event, localLambdaContext(`local-${step}`));
}

/** The three handlers over `deps`, built as each Lambda builds its own at init (here: once per call). */
export function createDayInvokers(deps: PipelineDeps): DayInvokers {
  return {
    ingest: invoker('ingest', rawEventHandler(createIngestHandler(deps))),
    compute: invoker('compute', rawEventHandler(createComputeHandler(deps))),
    publish: invoker('publish', rawEventHandler(createPublishHandler(deps))),
  };
}

/** Ingest's answer to a backfill `{ from, to }`: the plan the state machine's Map replays. */
export function isBackfillPlan(output: IngestResult | BackfillPlan): output is BackfillPlan {
  return !('date' in output);
}

/** S3 event keys arrive form-encoded: a space as `+`, `/` kept (the ingest schema decodes them). */
function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * The S3 "Object Created" event as the state machine's file-drop rule delivers it from EventBridge
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html), for a file put under `incoming/`.
 */
export function objectCreatedEvent(
  bucket: string,
  key: string,
  options: { size?: number; time?: Date } = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: (options.time ?? new Date()).toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key: encodeS3Key(key), size: options.size ?? 0, sequencer: '0' },
      'request-id': 'local',
      requester: '000000000000',
      reason: 'PutObject',
    },
  };
}
