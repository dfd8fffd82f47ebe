/**
 * functions/local/emulators.ts: what `npm start` relies on — the table and buckets exist after start,
 * a second start on the same folder resumes with the data of the first, stop() frees everything, and a
 * PUT under incoming/ is announced like an S3 event notification.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoDocumentClient, createS3Client } from '../../functions/adapters/aws-clients.ts';
import { createDynamoPipelineTable } from '../../functions/adapters/dynamo-pipeline-table.ts';
import { createS3ObjectStore } from '../../functions/adapters/s3-object-store.ts';
import { type Emulators, LOCAL_CREDENTIALS, startEmulators } from '../../functions/local/emulators.ts';

const dirs: string[] = [];
const running: Emulators[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) await e.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir() {
  const d = await mkdtemp(path.join(tmpdir(), 'short-pulse-emu-'));
  dirs.push(d);
  return d;
}

function clientsFor(e: Emulators) {
  const config = { s3Endpoint: e.s3Endpoint, dynamoEndpoint: e.dynamoEndpoint, credentials: { ...LOCAL_CREDENTIALS } };
  return { s3: createS3Client(config), dynamo: createDynamoDocumentClient(config) };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startEmulators', () => {
  it('creates the table and buckets, keeps data across a restart on the same folder, and frees its ports', async () => {
    const dir = await tempDir();
    const first = await startEmulators({ dir });
    running.push(first);
    expect(first.env).toMatchObject({
      TABLE_NAME: 'short-pulse',
      RAW_BUCKET: 'short-pulse-raw',
      SITE_BUCKET: 'short-pulse-site',
      AWS_ENDPOINT_URL_S3: first.s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: first.dynamoEndpoint,
    });
    let c = clientsFor(first);
    await createS3ObjectStore({ client: c.s3, bucket: first.rawBucket }).put(
      'raw/prices/2024-06-10/2024-06-10.json',
      new TextEncoder().encode('[1]'),
      {
        contentType: 'application/json',
      },
    );
    await createDynamoPipelineTable({ client: c.dynamo, tableName: first.tableName }).advanceCursor(
      'lastIngested',
      '2024-06-10',
    );
    c.s3.destroy();
    c.dynamo.destroy();
    const ports = [first.s3Endpoint, first.dynamoEndpoint].map((u) => Number(new URL(u).port));
    await first.stop();
    running.pop();
    for (const port of ports) expect(await portIsFree(port)).toBe(true);

    const second = await startEmulators({ dir });
    running.push(second);
    c = clientsFor(second);
    const raw = createS3ObjectStore({ client: c.s3, bucket: second.rawBucket });
    expect(Buffer.from((await raw.get('raw/prices/2024-06-10/2024-06-10.json'))!.bytes).toString()).toBe('[1]');
    expect(
      (await createDynamoPipelineTable({ client: c.dynamo, tableName: second.tableName }).getCursor()).lastIngested,
    ).toBe('2024-06-10');
    c.s3.destroy();
    c.dynamo.destroy();
  });

  it('announces objects created under incoming/ (the local stand-in for the S3 event notification)', async () => {
    const e = await startEmulators({
      dir: await tempDir(),
      tableName: 'pulse-events',
      rawBucket: 'events-raw',
      siteBucket: 'events-site',
    });
    running.push(e);
    const seen: [string, string][] = [];
    const unsubscribe = e.onObjectCreated((bucket, key) => seen.push([bucket, key]));
    const c = clientsFor(e);
    const raw = createS3ObjectStore({ client: c.s3, bucket: 'events-raw' });
    await raw.put('incoming/shrt20240131.csv', new TextEncoder().encode('x'), { contentType: 'text/csv' });
    unsubscribe();
    await raw.put('incoming/ignored-after-unsubscribe.csv', new TextEncoder().encode('y'), { contentType: 'text/csv' });
    expect(seen).toEqual([['events-raw', 'incoming/shrt20240131.csv']]);
    c.s3.destroy();
    c.dynamo.destroy();
  });

  it('refuses a table name DynamoDB would refuse (fewer than 3 characters)', async () => {
    await expect(startEmulators({ dir: await tempDir(), tableName: 'sp' })).rejects.toThrow(/3\+ characters/);
  });
});
