/**
 * Creates the pipeline table and buckets when they are missing (local emulators only: in AWS, CDK owns them).
 * Idempotent, so a second `npm start` reuses what is there.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorName, httpStatusOf, sleep } from './retry.ts';

/** The table's key schema: the same one infra/ declares (pk/sk strings, on-demand). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'exists'> {
  let created: 'created' | 'exists' = 'exists';
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException) && errorName(error) !== 'ResourceNotFoundException') throw error;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      created = 'created';
    } catch (createError) {
      if (!(createError instanceof ResourceInUseException) && errorName(createError) !== 'ResourceInUseException') {
        throw createError;
      }
    }
  }
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return created;
    await sleep(20);
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

export async function ensureBucket(client: S3Client, bucket: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'exists';
  } catch (error) {
    if (httpStatusOf(error) !== 404 && errorName(error) !== 'NotFound') throw error;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return 'created';
  } catch (error) {
    const name = errorName(error);
    if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return 'exists';
    throw error;
  }
}
