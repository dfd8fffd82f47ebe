/**
 * Faults the adapters must survive (issue 6), injected around the real emulators:
 * - DynamoDB: aws-sdk-client-mock stubs the client's `send` to throw throttling errors for some calls
 *   while every other call really goes to dynalite; afterwards a separate, unmocked client reads what
 *   was written. (The table takes no batch writes: the per-day aggregates they wrote are gone, issue 12.)
 * - S3: a proxy in front of s3rver answers 500/503, stalls past the client timeout, resets the
 *   connection or cuts a body short, and the real SDK stack (timeouts, signing) plus our retries face it.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDocumentClient, createS3Client } from '../../functions/adapters/aws-clients.ts';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { ObjectIntegrityError } from '../../functions/adapters/ports.ts';
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

describe('DynamoDB faults (aws-sdk-client-mock over dynalite)', () => {
  it('retries throttling on conditional puts, updates and reads, and the data lands once', async () => {
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

    await table.advanceCursor('lastIngested', '2024-03-01');
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

    expect(throttled.get(UpdateCommand.name)).toBe(2);
    expect(throttled.get(PutCommand.name)).toBe(2);
    expect(throttled.get(GetCommand.name)).toBe(2);
    mock.restore();
    const reader = createDynamoPipelineTable({ client: passthrough, tableName });
    expect((await reader.getCursor()).lastIngested).toBe('2024-03-01');
    expect(await reader.listFileVersions('prices', '2024-03-01.json')).toEqual([entry]);
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
