/**
 * Compute's Lambda wiring: `ComputeDeps` (./deps.ts) from the environment (./config.ts), once per init, with
 * only the calls compute makes: S3 reads and writes, the table's ledger index, days, locks and cursor, the
 * derived records it reads and writes. Not `createAwsStoreDeps`, whose full adapters would put ingest's and
 * publish's calls, and the SDK commands behind them, in compute's bundle.
 */
import { randomUUID } from 'node:crypto';
import { createDynamoDocumentClient, createS3Client } from '../adapters/aws-clients.ts';
import { createComputeRepository } from '../adapters/derived-repository.ts';
import { createDynamoComputeTable } from '../adapters/dynamo-compute-table.ts';
import { createS3ReadWrite } from '../adapters/s3-read-write.ts';
import type { Env } from '../lib/env.ts';
import { logger } from '../lib/observability.ts';
import { readAwsEnv } from './config.ts';
import type { ComputeDeps } from './deps.ts';

export function createAwsComputeDeps(env: Env): ComputeDeps {
  const aws = readAwsEnv(env);
  const raw = createS3ReadWrite({ client: createS3Client(aws.clients), bucket: aws.rawBucket });
  return {
    raw,
    derived: createComputeRepository(raw),
    table: createDynamoComputeTable({ client: createDynamoDocumentClient(aws.clients), tableName: aws.tableName }),
    clock: () => new Date(),
    log: logger,
    newRunId: () => randomUUID(),
    config: aws.config,
  };
}
