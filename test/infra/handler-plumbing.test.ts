/**
 * The Lambda plumbing under the handlers: environment read once with errors naming the variable,
 * the event boundary — one strict schema per step event (ingest: schedule, day, backfill, the S3 drop
 * as EventBridge delivers it; compute: ingest's result; publish: compute's result), each refusing a
 * wrong or unexpected field by name — and the middy chain that parses events before the handler runs.
 */
import { describe, expect, it } from 'vitest';
import { EnvError, optionalEnv, requireEnv, requireEnvs } from '../../functions/lib/env.ts';
import {
  type ComputeResult,
  computeEventSchema,
  decodeS3Key,
  EventValidationError,
  eventIssues,
  type IngestResult,
  ingestEventSchema,
  newYorkDate,
  parseStepEvent,
  publishEventSchema,
} from '../../functions/lib/events.ts';
import { pipelineHandler } from '../../functions/lib/middy.ts';

describe('env', () => {
  it('returns set values and names the missing or blank variable', () => {
    const env = { TABLE_NAME: 't', RAW_BUCKET: ' ', SITE_BUCKET: 's' };
    expect(requireEnv(env, 'TABLE_NAME')).toBe('t');
    expect(() => requireEnv(env, 'NOPE')).toThrow(new EnvError('NOPE', 'is not set'));
    expect(() => requireEnv(env, 'RAW_BUCKET')).toThrow('environment variable RAW_BUCKET: is empty');
    expect(requireEnvs(env, ['TABLE_NAME', 'SITE_BUCKET'])).toEqual({ TABLE_NAME: 't', SITE_BUCKET: 's' });
    expect(optionalEnv(env, 'RAW_BUCKET')).toBeUndefined();
    expect(optionalEnv(env, 'SITE_BUCKET')).toBe('s');
  });

  it('reports the first missing variable of a group, with the variable on the error', () => {
    try {
      requireEnvs({ TABLE_NAME: 't' }, ['TABLE_NAME', 'RAW_BUCKET', 'SITE_BUCKET']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError);
      expect((error as EnvError).variable).toBe('RAW_BUCKET');
      expect((error as EnvError).name).toBe('EnvError');
    }
  });
});

describe('newYorkDate', () => {
  it.each([
    // 19:30 EST (UTC-5) is 00:30 UTC the next day.
    ['2024-01-03T00:30:00Z', '2024-01-02'],
    // 19:30 EDT (UTC-4) is 23:30 UTC the same day.
    ['2024-07-01T23:30:00Z', '2024-07-01'],
    // The same UTC time of day falls on different New York dates either side of the end of DST (2024-11-03).
    ['2024-11-03T04:30:00Z', '2024-11-03'],
    ['2024-11-04T04:30:00Z', '2024-11-03'],
  ])('%s is %s in New York', (instant, date) => {
    expect(newYorkDate(new Date(instant))).toBe(date);
  });
});

describe('ingest events', () => {
  const parse = (event: unknown) => ingestEventSchema.safeParse(event);

  it('turns the scheduler’s instant into the New York trading date', () => {
    expect(parse({ scheduledTime: '2024-01-03T00:30:00Z' }).data).toEqual({
      kind: 'day',
      date: '2024-01-02',
      scheduled: true,
    });
  });

  it('accepts a Step Functions day, keeping it unscheduled', () => {
    expect(parse({ date: '2024-02-29' }).data).toEqual({ kind: 'day', date: '2024-02-29', scheduled: false });
  });

  it('accepts a backfill range and refuses a reversed one', () => {
    expect(parse({ from: '2024-01-02', to: '2024-01-31' }).data).toEqual({
      kind: 'backfill',
      from: '2024-01-02',
      to: '2024-01-31',
    });
    const reversed = parse({ from: '2024-02-01', to: '2024-01-31' });
    expect(reversed.success).toBe(false);
    expect(reversed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['to', '`from` must not be after `to`'],
    ]);
  });

  it('refuses dates that are not calendar days, naming the field', () => {
    for (const date of ['2024-02-30', '2024-13-01', '24-01-02', '2024-1-2']) {
      const result = parse({ date });
      expect(result.success, date).toBe(false);
      expect(result.error?.issues[0]?.path, date).toEqual(['date']);
    }
  });

  it('reads a drop from an EventBridge "Object Created" event, decoding the key', () => {
    const event = {
      version: '0',
      source: 'aws.s3',
      'detail-type': 'Object Created',
      detail: {
        version: '0',
        bucket: { name: 'shortpulsedata-rawbucket-abc' },
        object: { key: 'incoming/shrt20240131+%281%29.csv', size: 5, etag: 'x', sequencer: '1' },
        reason: 'PutObject',
      },
    };
    expect(parse(event).data).toEqual({
      kind: 'drop',
      bucket: 'shortpulsedata-rawbucket-abc',
      key: 'incoming/shrt20240131 (1).csv',
    });
  });

  it('refuses drops outside incoming/, other S3 events and undecodable keys, naming the field', () => {
    const drop = (key: string, detailType = 'Object Created') => ({
      source: 'aws.s3',
      'detail-type': detailType,
      detail: { bucket: { name: 'raw' }, object: { key } },
    });
    const refusal = (event: unknown) => {
      try {
        parseStepEvent('ingest', ingestEventSchema, event);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal(drop('raw/prices/2024-01-02/x.json'))).toBe(
      'ingest: invalid event: detail.object.key: key must be under incoming/',
    );
    expect(refusal(drop('incoming/'))).toBe('ingest: invalid event: detail.object.key: key must be under incoming/');
    expect(refusal(drop('incoming/a.csv', 'Object Deleted'))).toMatch(/^ingest: invalid event: detail-type: /);
    expect(refusal({ ...drop('incoming/a.csv'), source: 'aws.ec2' })).toMatch(/^ingest: invalid event: source: /);
    expect(refusal(drop('incoming/%E0%A4%A.csv'))).toBe(
      'ingest: invalid event: detail.object.key: key is not valid URL encoding',
    );
  });

  it('keeps no second drop shape: an S3 notification `{ Records }` (no trigger sends one) is refused', () => {
    const notification = {
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'raw' }, object: {} } }],
    };
    expect(() => parseStepEvent('ingest', ingestEventSchema, notification)).toThrow(
      'ingest: invalid event: date: Invalid input: expected string, received undefined; Records: unexpected field: no step writes it (strict event)',
    );
  });

  it('refuses an unexpected field in a day, a schedule or a backfill, by name', () => {
    const message = (event: unknown) => {
      const result = ingestEventSchema.safeParse(event);
      return result.success ? 'accepted' : new EventValidationError('ingest', eventIssues(result.error)).message;
    };
    expect(message({ date: '2024-02-29', runId: 'x' })).toBe(
      'ingest: invalid event: runId: unexpected field: no step writes it (strict event)',
    );
    expect(message({ scheduledTime: '2024-01-03T00:30:00Z', date: '2024-01-02' })).toBe(
      'ingest: invalid event: date: unexpected field: no step writes it (strict event)',
    );
    expect(message({ from: '2024-01-02', to: '2024-01-31', dates: [] })).toBe(
      'ingest: invalid event: dates: unexpected field: no step writes it (strict event)',
    );
  });

  it('reads the state machine’s envelope: the execution id becomes the run id, the inner event is checked as it is (issue 20 item 2)', () => {
    const runId = 'arn:aws:states:us-east-1:123456789012:execution:Pipeline:daily-2024-01-02';
    expect(parse({ runId, event: { scheduledTime: '2024-01-03T00:30:00Z' } }).data).toEqual({
      kind: 'day',
      date: '2024-01-02',
      scheduled: true,
      runId,
    });
    expect(parse({ runId, event: { date: '2024-02-29', archiveOnly: true } }).data).toEqual({
      kind: 'day',
      date: '2024-02-29',
      scheduled: false,
      archiveOnly: true,
      runId,
    });
    expect(parse({ runId, event: { from: '2024-01-02', to: '2024-01-31' } }).data).toMatchObject({
      kind: 'backfill',
      runId,
    });
    const message = (event: unknown) => {
      const result = ingestEventSchema.safeParse(event);
      return result.success ? 'accepted' : new EventValidationError('ingest', eventIssues(result.error)).message;
    };
    expect(message({ runId, event: { date: '2024-02-30' } })).toMatch(/^ingest: invalid event: event\.date: /);
    expect(message({ runId: '', event: { date: '2024-02-29' } })).toMatch(/^ingest: invalid event: runId: /);
    expect(message({ runId, event: { runId, event: { date: '2024-02-29' } } })).toBe(
      'ingest: invalid event: event: an envelope inside an envelope',
    );
    expect(message({ runId, event: { date: '2024-02-29' }, extra: 1 })).toMatch(/extra: unexpected field/);
  });

  it('decodes form-encoded keys: + is a space, %2B a plus', () => {
    expect(decodeS3Key('incoming/a+b%2Bc.csv')).toBe('incoming/a b+c.csv');
  });
});

/** Ingest's result for a day: exactly compute's event. */
const ingestResult = (): IngestResult => ({
  date: '2024-01-02',
  skipped: false,
  runId: 'r1',
  files: [
    {
      source: 'prices',
      file: '2024-01-02.json',
      date: '2024-01-02',
      status: 'accepted',
      sha256: 'a'.repeat(64),
      size: 10,
      rawKey: 'raw/prices/2024-01-02/2024-01-02.json',
      derivedKey: 'derived/prices/2024-01-02.json',
      rows: 7,
      rejectedRows: 1,
    },
    {
      source: 'short-interest',
      file: 'shrt20240102.csv',
      date: null,
      status: 'not-yet-available',
      rows: 0,
      rejectedRows: 0,
      reason: 'HTTP 404',
    },
  ],
  rows: 7,
  rejectedRows: 1,
  rejections: [{ file: '2024-01-02.json', line: 3, field: 'lastsale', reason: 'is missing' }],
  restateFrom: '2023-12-15',
  pricesReady: true,
});

const BATCH = 'derived/snapshots/runs/2024-01-02-0123456789abcdef.json.gz';

/** Compute's result for a run that restated a day: exactly publish's event. */
const computeResult = (): ComputeResult => ({
  date: '2024-01-02',
  skipped: false,
  runId: 'r1',
  dates: ['2023-12-29', '2024-01-02'],
  snapshotKeys: { '2023-12-29': BATCH, '2024-01-02': BATCH },
  through: '2024-01-02',
  restated: ['2023-12-29'],
  rejectedDays: [],
  replayedFrom: '2023-12-29',
});

/** The EventValidationError a step's handler would throw for `event`, as its message. */
function refusal(step: 'compute' | 'publish', event: unknown): string {
  try {
    parseStepEvent<unknown>(step, step === 'compute' ? computeEventSchema : publishEventSchema, event);
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return (error as Error).message;
  }
  return 'accepted';
}

describe('compute’s event: ingest’s result, strictly', () => {
  it('is accepted as ingest returns it', () => {
    expect(computeEventSchema.parse(ingestResult())).toEqual(ingestResult());
  });

  it('refuses an unexpected field, at the top or inside a file outcome, naming it', () => {
    expect(refusal('compute', { ...ingestResult(), acceptGates: ['tier-pnl'] })).toBe(
      'compute: invalid event: acceptGates: unexpected field: no step writes it (strict event)',
    );
    const files = ingestResult().files.map((f, i) => (i === 0 ? { ...f, bytes: 'x' } : f));
    expect(refusal('compute', { ...ingestResult(), files })).toBe(
      'compute: invalid event: files.0.bytes: unexpected field: no step writes it (strict event)',
    );
  });

  it('refuses a wrong or missing field, naming it', () => {
    expect(refusal('compute', { ...ingestResult(), date: '2024-02-30' })).toBe(
      'compute: invalid event: date: expected a calendar date YYYY-MM-DD',
    );
    expect(refusal('compute', { ...ingestResult(), restateFrom: 'yesterday' })).toBe(
      'compute: invalid event: restateFrom: expected a calendar date YYYY-MM-DD',
    );
    const { runId: _runId, ...withoutRunId } = ingestResult();
    expect(refusal('compute', withoutRunId)).toMatch(/^compute: invalid event: runId: /);
    // A bare day is not ingest's result: compute needs what ingest found.
    expect(refusal('compute', { date: '2024-01-02' })).toMatch(/^compute: invalid event: skipped: .*; runId: /);
  });
});

describe('publish’s event: compute’s result, strictly', () => {
  it('is accepted as compute returns it, with the gates an operator accepts on a re-run', () => {
    expect(publishEventSchema.parse(computeResult())).toEqual(computeResult());
    const rerun = { ...computeResult(), acceptGates: ['short-interest-move'] };
    expect(publishEventSchema.parse(rerun)).toEqual(rerun);
  });

  it('refuses an unexpected field, naming it (nothing reaches publish but compute’s result)', () => {
    expect(refusal('publish', { ...computeResult(), snapshots: [] })).toBe(
      'publish: invalid event: snapshots: unexpected field: no step writes it (strict event)',
    );
    expect(refusal('publish', { ...computeResult(), pricesReady: true })).toBe(
      'publish: invalid event: pricesReady: unexpected field: no step writes it (strict event)',
    );
  });

  it('refuses a key that is not a snapshot batch, a day without its batch, a batch for no day', () => {
    expect(
      refusal('publish', {
        ...computeResult(),
        snapshotKeys: { ...computeResult().snapshotKeys, '2024-01-02': 'derived/state/journal.json.gz' },
      }),
    ).toBe('publish: invalid event: snapshotKeys.2024-01-02: expected a derived/snapshots/runs/… batch key');
    expect(refusal('publish', { ...computeResult(), snapshotKeys: { '2024-01-02': BATCH } })).toBe(
      'publish: invalid event: snapshotKeys: no snapshot batch for 2023-12-29 of `dates`',
    );
    expect(
      refusal('publish', {
        ...computeResult(),
        snapshotKeys: { ...computeResult().snapshotKeys, '2023-12-28': BATCH },
      }),
    ).toBe('publish: invalid event: snapshotKeys.2023-12-28: 2023-12-28 is not one of `dates`');
    // What the journal fallback served before issue 12: a day with no batch named is refused, not looked up.
    expect(refusal('publish', { date: '2024-01-02', dates: ['2024-01-02'] })).toMatch(/^publish: invalid event: /);
  });

  it('refuses a gate name that does not exist, listing the ones that do', () => {
    expect(refusal('publish', { ...computeResult(), acceptGates: ['symbol_drop'] })).toBe(
      'publish: invalid event: acceptGates.0: Invalid option: expected one of "json-schema"|"tier-pnl"|"symbol-drop"|"short-interest-move"',
    );
  });
});

describe('middy chain', () => {
  const context = {
    functionName: 'test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-fn',
    memoryLimitInMB: '128',
    awsRequestId: 'req-1',
    logGroupName: '/aws/lambda/test-fn',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };

  it('hands the handler the parsed event and returns its result', async () => {
    const handler = pipelineHandler('test', ingestEventSchema).handler(async (request) => ({ got: request }));
    // The raw event (typed as the parsed one by middy, since the parser runs before the handler).
    const raw = { scheduledTime: '2024-07-01T23:30:00Z' } as unknown as Parameters<typeof handler>[0];
    await expect(handler(raw, context)).resolves.toEqual({
      got: { kind: 'day', date: '2024-07-01', scheduled: true },
    });
  });

  it('rejects a bad event with EventValidationError before the handler runs', async () => {
    let ran = false;
    const handler = pipelineHandler('test', computeEventSchema).handler(async () => {
      ran = true;
      return {};
    });
    const failure = handler({ ...ingestResult(), date: 'yesterday' }, context);
    await expect(failure).rejects.toBeInstanceOf(EventValidationError);
    await expect(failure).rejects.toThrow('test: invalid event: date: expected a calendar date YYYY-MM-DD');
    expect(ran).toBe(false);
  });
});
