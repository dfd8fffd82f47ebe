/**
 * Faults the adapters must survive (issue 6), injected around the real emulators:
 * - DynamoDB: aws-sdk-client-mock stubs the client's `send` to return UnprocessedItems or throttling
 *   errors for some calls while every other call (and the part of a batch "processed") really goes to
 *   dynalite; afterwards a separate, unmocked client reads what was written.
 * - S3: a proxy in front of s3rver answers 500/503, stalls past the client timeout, resets the
 *   connection or cuts a body short, and the real SDK stack (timeouts, signing) plus our retries face it.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandInput, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDocumentClient, createS3Client } from '../../functions/adapters/aws-clients.ts';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { BatchIncompleteError, type DayAggregates, ObjectIntegrityError } from '../../functions/adapters/ports.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { type FaultProxy, s3ErrorXml, startFaultProxy } from './helpers/fault-proxy.ts';
import { type LocalAws, startLocalAws } from './helpers/local-aws.ts';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const days = (n: number): DayAggregates[] =>
  Array.from({ length: n }, (_, i) => ({
    date: `2024-03-${String(i + 1).padStart(2, '0')}`,
    aggregates: { total: { pnl: i, exposure: 1000 + i } },
  }));

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

describe('DynamoDB faults (aws-sdk-client-mock over dynalite)', () => {
  it('retries UnprocessedItems with backoff until every item is written', async () => {
    const tableName = await aws.newTable();
    const faulty = createDynamoDocumentClient(aws.clientConfig);
    const passthrough = createDynamoDocumentClient(aws.clientConfig);
    const mock = mockClient(faulty);
    const batchSizes: number[] = [];
    // Call 1: dynalite writes 10 of 25, 15 come back unprocessed; call 2: 5 of those 15; then everything.
    const processedPerCall = [10, 5];
    mock.send.callsFake(async (command) => {
      if (!(command instanceof BatchWriteCommand)) return passthrough.send(command as never);
      const requests = command.input.RequestItems?.[tableName] as WriteRequests;
      batchSizes.push(requests.length);
      const keep = processedPerCall.shift() ?? requests.length;
      await passthrough.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests.slice(0, keep) } }));
      const rest = requests.slice(keep);
      return { UnprocessedItems: rest.length > 0 ? { [tableName]: rest } : {}, $metadata: {} };
    });
    const delays: number[] = [];
    const table = createDynamoPipelineTable({
      client: faulty,
      tableName,
      random: () => 1,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });

    await table.putAggregates(days(25));

    expect(batchSizes).toEqual([25, 15, 10]);
    // Full jitter with random = 1: the ceilings 50 · 2^(attempt−1).
    expect(delays).toEqual([50, 100]);
    mock.restore();
    const reader = createDynamoPipelineTable({ client: passthrough, tableName });
    const stored = await reader.getAggregates(days(25).map((d) => d.date));
    expect(stored.size).toBe(25);
    expect(stored.get('2024-03-25')).toEqual({ total: { pnl: 24, exposure: 1024 } });
    faulty.destroy();
    passthrough.destroy();
  });

  it('gives up loudly (BatchIncompleteError) when items stay unprocessed through every attempt', async () => {
    const tableName = await aws.newTable();
    const faulty = createDynamoDocumentClient(aws.clientConfig);
    const mock = mockClient(faulty);
    mock.send.callsFake(async (command) => {
      const requests = (command as BatchWriteCommand).input.RequestItems?.[tableName] as WriteRequests;
      return { UnprocessedItems: { [tableName]: requests.slice(1) }, $metadata: {} };
    });
    const table = createDynamoPipelineTable({
      client: faulty,
      tableName,
      retry: { attempts: 4 },
      sleep: async () => {},
    });
    const error = await table.putAggregates(days(5)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    // 5 sent, then 4, 3, 2 left; after the 4th attempt one item is still unprocessed.
    expect((error as BatchIncompleteError).unprocessed).toBe(1);
    faulty.destroy();
  });

  it('retries throttling on batch writes, conditional puts and reads, and the data lands once', async () => {
    const tableName = await aws.newTable();
    const faulty = createDynamoDocumentClient(aws.clientConfig);
    const passthrough = createDynamoDocumentClient(aws.clientConfig);
    const mock = mockClient(faulty);
    const throttled = new Map<string, number>();
    mock.send.callsFake(async (command) => {
      const name = command.constructor.name;
      const seen = throttled.get(name) ?? 0;
      // The first two calls of each kind are throttled, as on-demand tables do under a sudden burst.
      if (seen < 2) {
        throttled.set(name, seen + 1);
        throw new ProvisionedThroughputExceededException({
          message: 'Rate of requests exceeds the allowed throughput.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return passthrough.send(command as never);
    });
    const table = createDynamoPipelineTable({ client: faulty, tableName, sleep: async () => {} });

    await table.putAggregates(days(3));
    const entry = {
      source: 'prices' as const,
      file: '2024-03-01.json',
      sha256: 'a'.repeat(64),
      size: 10,
      receivedAt: '2024-03-01T23:00:00.000Z',
      origin: 'fetch' as const,
      rawKey: 'raw/prices/2024-03-01/2024-03-01.json',
      date: '2024-03-01',
      status: 'accepted' as const,
      rows: 1,
      rejectedRows: 0,
      rejections: [],
      derivedKey: 'derived/prices/2024-03-01.json',
    };
    expect(await table.recordFile(entry)).toBe('recorded');
    expect(await table.getFile('prices', '2024-03-01.json', 'a'.repeat(64))).toEqual(entry);

    expect(throttled.get(BatchWriteCommand.name)).toBe(2);
    expect(throttled.get(PutCommand.name)).toBe(2);
    expect(throttled.get(GetCommand.name)).toBe(2);
    mock.restore();
    expect(
      (await createDynamoPipelineTable({ client: passthrough, tableName }).getAggregates(['2024-03-03'])).get(
        '2024-03-03',
      ),
    ).toEqual({
      total: { pnl: 2, exposure: 1002 },
    });
    faulty.destroy();
    passthrough.destroy();
  });
});

describe('S3 faults (proxy in front of s3rver)', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(aws.emulators.s3Endpoint);
  });
  afterEach(() => {
    proxy.setPlan(() => undefined);
    proxy.requests.length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** SDK retries off (maxAttempts 1) so the adapter's own retries are what is tested; 300 ms socket timeout. */
  async function storeThroughProxy(attempts = 4) {
    const bucket = await aws.newBucket();
    const client = createS3Client({
      ...aws.clientConfig,
      s3Endpoint: proxy.endpoint,
      maxAttempts: 1,
      requestTimeoutMs: 300,
    });
    const store = createS3ObjectStore({ client, bucket, retry: { attempts, baseDelayMs: 1, maxDelayMs: 5 } });
    const direct = createS3ObjectStore({ client: aws.s3, bucket });
    return { store, direct, client };
  }

  const body = new TextEncoder().encode(
    `Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\r\n${'20240610|AAPL|100|0|200|Q,N\r\n'.repeat(200)}1\r\n`,
  );

  it('a PUT answered 500 twice is retried and stored once, byte-exact', async () => {
    const { store, direct, client } = await storeThroughProxy();
    let puts = 0;
    proxy.setPlan((r) =>
      r.method === 'PUT' && puts++ < 2
        ? { kind: 'respond', status: 500, body: s3ErrorXml('InternalError', 'We encountered an internal error.') }
        : undefined,
    );
    await store.put('raw/short-volume/2024-06-10/CNMSshvol20240610.txt', body, { contentType: 'text/plain' });
    expect(proxy.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    const got = await direct.get('raw/short-volume/2024-06-10/CNMSshvol20240610.txt');
    expect(Buffer.from(got!.bytes).equals(Buffer.from(body))).toBe(true);
    client.destroy();
  });

  it('a PUT whose connection is reset is retried', async () => {
    const { store, direct, client } = await storeThroughProxy();
    let puts = 0;
    proxy.setPlan((r) => (r.method === 'PUT' && puts++ === 0 ? { kind: 'reset' } : undefined));
    await store.put('data/latest.json', new TextEncoder().encode('{"asOf":"2024-06-10"}'), {
      contentType: 'application/json',
    });
    expect(Buffer.from((await direct.get('data/latest.json'))!.bytes).toString()).toBe('{"asOf":"2024-06-10"}');
    client.destroy();
  });

  it('a GET answered 503 SlowDown, then stalled past the timeout, is retried until it reads', async () => {
    const { store, direct, client } = await storeThroughProxy();
    await direct.put('derived/prices/2024-06-10.json', body, { contentType: 'application/json' });
    let gets = 0;
    proxy.setPlan((r) => {
      if (r.method !== 'GET') return undefined;
      gets++;
      if (gets === 1)
        return { kind: 'respond', status: 503, body: s3ErrorXml('SlowDown', 'Please reduce your request rate.') };
      if (gets === 2) return { kind: 'stall', ms: 1_500 };
      return undefined;
    });
    const got = await store.get('derived/prices/2024-06-10.json');
    expect(gets).toBe(3);
    expect(Buffer.from(got!.bytes).equals(Buffer.from(body))).toBe(true);
    client.destroy();
  });

  it('a GET whose body is cut short is never returned as data: it is retried', async () => {
    const { store, direct, client } = await storeThroughProxy();
    await direct.put('derived/prices/2024-06-11.json', body, { contentType: 'application/json' });
    let gets = 0;
    proxy.setPlan((r) => (r.method === 'GET' && gets++ === 0 ? { kind: 'truncate', keep: 100 } : undefined));
    const got = await store.get('derived/prices/2024-06-11.json');
    expect(gets).toBe(2);
    expect(got!.bytes.byteLength).toBe(body.byteLength);
    client.destroy();
  });

  it('a read that keeps returning bytes that do not match their sha256 fails with ObjectIntegrityError', async () => {
    const bucket = await aws.newBucket();
    const direct = createS3ObjectStore({ client: aws.s3, bucket });
    await direct.put('raw/x.txt', new TextEncoder().encode('original'), { contentType: 'text/plain' });
    // Replace the bytes behind the store's back, keeping the recorded sha256 (what a corrupted read looks like).
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const head = await direct.head('raw/x.txt');
    await aws.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'raw/x.txt', Body: 'tampered', Metadata: { sha256: head!.sha256! } }),
    );
    const store = createS3ObjectStore({
      client: aws.s3,
      bucket,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(store.get('raw/x.txt')).rejects.toBeInstanceOf(ObjectIntegrityError);
  });

  it('a PUT failing with 500 on every attempt fails cleanly after the last attempt', async () => {
    const { store, direct, client } = await storeThroughProxy(3);
    proxy.setPlan((r) =>
      r.method === 'PUT' ? { kind: 'respond', status: 500, body: s3ErrorXml('InternalError', 'boom') } : undefined,
    );
    await expect(store.put('data/history.json', body, { contentType: 'application/json' })).rejects.toMatchObject({
      name: 'InternalError',
    });
    expect(proxy.requests.filter((r) => r.method === 'PUT')).toHaveLength(3);
    expect(await direct.head('data/history.json')).toBeUndefined();
    client.destroy();
  });
});
