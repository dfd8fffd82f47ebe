/**
 * The local emulators for a test file: one dynalite + s3rver pair in a temporary folder, and fresh
 * buckets/tables per test (unique names) so tests never see each other's objects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type AwsClientConfig,
  createDynamoDocumentClient,
  createS3Client,
} from '../../../functions/adapters/aws-clients.ts';
import { ensureBucket, ensureTable } from '../../../functions/adapters/provision.ts';
import { type Emulators, LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators } from '../../../functions/local/emulators.ts';

export interface LocalAws {
  emulators: Emulators;
  dir: string;
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  clientConfig: AwsClientConfig;
  newBucket(prefix?: string): Promise<string>;
  newTable(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function startLocalAws(): Promise<LocalAws> {
  const dir = await mkdtemp(path.join(tmpdir(), 'short-pulse-io-'));
  const emulators = await startEmulators({ dir });
  const clientConfig: AwsClientConfig = {
    s3Endpoint: emulators.s3Endpoint,
    dynamoEndpoint: emulators.dynamoEndpoint,
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
  };
  const s3 = createS3Client(clientConfig);
  const dynamo = createDynamoDocumentClient(clientConfig);
  return {
    emulators,
    dir,
    s3,
    dynamo,
    clientConfig,
    async newBucket(prefix = 'bucket') {
      const name = unique(prefix).toLowerCase();
      await ensureBucket(s3, name);
      return name;
    },
    async newTable(prefix = 'table') {
      const name = unique(prefix);
      await ensureTable(dynamo, name);
      return name;
    },
    async stop() {
      s3.destroy();
      dynamo.destroy();
      await emulators.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
