/**
 * functions/lib/observability.ts (issue 20 item 7: the project's own, in place of Powertools Logger and
 * Metrics): the JSON log lines and the EMF metric lines a Lambda writes on stdout, with the fields, dimensions
 * and environment variables Powertools had, and the middy chain that gives each invocation its context and
 * flushes its metrics after it, failed or not. stdout is captured, never printed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../../functions/lib/metric-names.ts';

type Observability = typeof import('../../functions/lib/observability.ts');

let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The module as a fresh Lambda environment loads it, with these environment variables. */
async function load(env: Record<string, string | undefined> = {}): Promise<Observability> {
  for (const name of ['POWERTOOLS_LOG_LEVEL', 'AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED']) {
    vi.stubEnv(name, undefined);
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import('../../functions/lib/observability.ts');
}

const context = {
  functionName: 'pulse-compute',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pulse-compute',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
};

describe('log lines', () => {
  it('are one JSON object a line: level, message, timestamp, service, the Lambda context, then the entry’s keys', async () => {
    const o = await load({ _X_AMZN_TRACE_ID: 'Root=1-abc-def;Parent=123;Sampled=1' });
    o.setLambdaContext(context);
    o.logger.info('computed', { date: '2024-06-12', days: 1 });
    expect(Object.keys(lines[0] ?? {})).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'cold_start',
      'function_arn',
      'function_memory_size',
      'function_name',
      'function_request_id',
      'xray_trace_id',
      'date',
      'days',
    ]);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'computed',
      service: SERVICE_NAME,
      cold_start: true,
      function_arn: context.invokedFunctionArn,
      function_memory_size: '1024',
      function_name: 'pulse-compute',
      function_request_id: 'req-1',
      xray_trace_id: '1-abc-def',
      date: '2024-06-12',
      days: 1,
    });
    expect(new Date(lines[0]?.timestamp as string).toISOString()).toBe(lines[0]?.timestamp);
    // The next invocation of the same environment is warm, with its own request id.
    o.setLambdaContext({ ...context, awsRequestId: 'req-2' });
    o.logger.warn('feed unreadable, restarting it');
    expect(lines[1]).toMatchObject({ level: 'WARN', cold_start: false, function_request_id: 'req-2' });
  });

  it('write an Error under `error`, with its location, stack, own fields and cause; a string under `extra`', async () => {
    const o = await load();
    // Made in a named function: the location is the first stack frame written `name (file:line:column)`.
    function failing(): Error {
      return new Error('test: invalid event', { cause: new TypeError('inner') });
    }
    const error = Object.assign(failing(), {
      issues: [{ path: 'date', message: 'expected a calendar date YYYY-MM-DD' }],
    });
    o.logger.error('invocation failed', error);
    o.logger.error('invocation failed', 'unknown error');
    expect(lines[0]?.error).toEqual({
      name: 'Error',
      location: expect.stringMatching(/observability\.test\.ts:\d+$/),
      message: 'test: invalid event',
      stack: error.stack,
      cause: { name: 'TypeError', location: expect.any(String), message: 'inner', stack: expect.any(String) },
      issues: [{ path: 'date', message: 'expected a calendar date YYYY-MM-DD' }],
    });
    expect(lines[1]).toMatchObject({ level: 'ERROR', extra: 'unknown error' });
  });

  it('stop below the level: INFO by default, POWERTOOLS_LOG_LEVEL, never below Lambda’s AWS_LAMBDA_LOG_LEVEL', async () => {
    const write = async (env: Record<string, string>) => {
      lines = [];
      const o = await load(env);
      o.logger.debug('d');
      o.logger.info('i');
      o.logger.warn('w');
      o.logger.error('e');
      return lines.map((l) => l.message);
    };
    expect(await write({})).toEqual(['i', 'w', 'e']);
    expect(await write({ POWERTOOLS_LOG_LEVEL: 'DEBUG' })).toEqual(['d', 'i', 'w', 'e']);
    expect(await write({ POWERTOOLS_LOG_LEVEL: 'error' })).toEqual(['e']);
    expect(await write({ POWERTOOLS_LOG_LEVEL: 'SILENT' })).toEqual([]);
    expect(await write({ POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'WARN' })).toEqual(['w', 'e']);
  });
});

describe('metric lines (CloudWatch embedded metric format)', () => {
  it('flush the invocation’s datapoints as one line with the service dimension; nothing when there are none', async () => {
    const o = await load();
    o.metrics.flush();
    expect(lines).toEqual([]);
    o.countMetric('SnapshotPublished');
    o.metrics.addMetric('PriceAgeDays', o.MetricUnit.Count, 3);
    o.metrics.addMetric('PriceAgeDays', o.MetricUnit.Count, 4);
    o.metrics.flush();
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: METRIC_NAMESPACE,
              Dimensions: [['service']],
              Metrics: [
                { Name: 'SnapshotPublished', Unit: 'Count' },
                { Name: 'PriceAgeDays', Unit: 'Count' },
              ],
            },
          ],
        },
        service: SERVICE_NAME,
        SnapshotPublished: 1,
        PriceAgeDays: [3, 4],
      },
    ]);
    o.metrics.flush();
    expect(lines).toHaveLength(1);
  });

  it('write a single metric at once, on its own line, with its own dimension beside the service', async () => {
    const o = await load({ POWERTOOLS_METRICS_NAMESPACE: 'Other', POWERTOOLS_SERVICE_NAME: 'svc' });
    const single = o.metrics.singleMetric();
    single.addDimension('source', 'short-volume');
    single.addMetric('ProviderFailed', o.MetricUnit.Count, 1);
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'Other',
              Dimensions: [['service', 'source']],
              Metrics: [{ Name: 'ProviderFailed', Unit: 'Count' }],
            },
          ],
        },
        service: 'svc',
        source: 'short-volume',
        ProviderFailed: 1,
      },
    ]);
  });

  it('are not written with POWERTOOLS_METRICS_DISABLED=true (local runs)', async () => {
    const o = await load({ POWERTOOLS_METRICS_DISABLED: 'true' });
    o.countMetric('SnapshotPublished');
    o.metrics.flush();
    o.metrics.singleMetric().addMetric('ProviderFailed', o.MetricUnit.Count, 1);
    expect(lines).toEqual([]);
  });
});

describe('the middy chain', () => {
  const result = {
    date: '2024-06-12',
    skipped: false,
    runId: 'run-1',
    files: [],
    rows: 0,
    rejectedRows: 0,
    rejections: [],
    restateFrom: null,
    pricesReady: true,
  };

  it('gives each log entry the invocation’s context and flushes its metrics after it, failed or not', async () => {
    const o = await load();
    // The chain of the same module instances (load() gave a fresh one).
    const { pipelineHandler } = await import('../../functions/lib/middy.ts');
    const { computeEventSchema } = await import('../../functions/lib/events.ts');
    const handler = pipelineHandler('compute', computeEventSchema).handler(async (event) => {
      o.logger.info('handling', { date: event.date });
      o.countMetric('SnapshotPublished');
      if (event.date === '2024-06-13') throw new Error('boom');
      return { ok: true };
    });
    await expect(handler(result, context as never)).resolves.toEqual({ ok: true });
    expect(lines.map((l) => l.message ?? Object.keys(l).at(-1))).toEqual(['handling', 'SnapshotPublished']);
    expect(lines[0]).toMatchObject({ function_request_id: 'req-1', date: '2024-06-12' });

    lines = [];
    await expect(
      handler({ ...result, date: '2024-06-13' }, { ...context, awsRequestId: 'req-9' } as never),
    ).rejects.toThrow('boom');
    expect(lines.map((l) => l.message ?? Object.keys(l).at(-1))).toEqual([
      'handling',
      'invocation failed',
      'SnapshotPublished',
    ]);
    expect(lines[1]).toMatchObject({ level: 'ERROR', function_request_id: 'req-9', error: { message: 'boom' } });
  });
});
