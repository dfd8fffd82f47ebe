/**
 * The Lambda plumbing under the handlers: environment read once with errors naming the variable,
 * the event boundary (schedule, day, backfill, S3 drops in both delivery shapes), and the middy
 * chain that parses events before the handler runs.
 */
import { describe, expect, it } from 'vitest';
import { EnvError, optionalEnv, requireEnv, requireEnvs } from '../../functions/lib/env.ts';
import { dayEventSchema, decodeS3Key, ingestEventSchema, newYorkDate } from '../../functions/lib/events.ts';
import { EventValidationError, pipelineHandler } from '../../functions/lib/middy.ts';

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

  it('reads a drop from an S3 notification record', () => {
    const event = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'raw' }, object: { key: 'incoming/CNMSshvol20240102.txt', size: 10 } },
        },
      ],
    };
    expect(parse(event).data).toEqual({ kind: 'drop', bucket: 'raw', key: 'incoming/CNMSshvol20240102.txt' });
  });

  it('refuses objects outside incoming/, deletions and multi-record notifications', () => {
    const record = (key: string, eventName = 'ObjectCreated:Put') => ({
      eventSource: 'aws:s3',
      eventName,
      s3: { bucket: { name: 'raw' }, object: { key } },
    });
    expect(parse({ Records: [record('raw/prices/2024-01-02/x.json')] }).error?.issues[0]?.message).toBe(
      'key must be under incoming/',
    );
    expect(parse({ Records: [record('incoming/', 'ObjectCreated:Put')] }).success).toBe(false);
    expect(parse({ Records: [record('incoming/a.csv', 'ObjectRemoved:Delete')] }).success).toBe(false);
    expect(parse({ Records: [record('incoming/a.csv'), record('incoming/b.csv')] }).error?.issues[0]?.message).toBe(
      'expected exactly one S3 record per event',
    );
    expect(parse({ Records: [record('incoming/%E0%A4%A.csv')] }).error?.issues[0]?.message).toBe(
      'key is not valid URL encoding',
    );
  });

  it('decodes form-encoded keys: + is a space, %2B a plus', () => {
    expect(decodeS3Key('incoming/a+b%2Bc.csv')).toBe('incoming/a b+c.csv');
  });
});

describe('day events between steps', () => {
  it('keep what the previous step returned', () => {
    const previous = { date: '2024-01-02', skipped: false, restateFrom: '2023-12-15', runId: 'r1', rows: 7 };
    expect(dayEventSchema.parse(previous)).toEqual(previous);
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
    const handler = pipelineHandler('test', dayEventSchema).handler(async () => {
      ran = true;
      return {};
    });
    const failure = handler({ date: 'yesterday' }, context);
    await expect(failure).rejects.toBeInstanceOf(EventValidationError);
    await expect(failure).rejects.toThrow('test: invalid event: date: expected a calendar date YYYY-MM-DD');
    expect(ran).toBe(false);
  });
});
