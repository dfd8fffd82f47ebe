/**
 * A Lambda killed mid-way, around the real emulators: aws-sdk-client-mock replaces `send` on an S3 and a
 * DynamoDB document client (as test/adapters/faults.test.ts does) and forwards every command to dynalite
 * and s3rver, counting the writes as they are sent. The N-th write is sent and lands; from then on the
 * process is "dead": every later command, read or write, fails with LambdaKilledError before it leaves,
 * and the step's own clean-up (lock release, publish's rollback) cannot run either — as when the Lambda
 * runtime is killed. Requests already sent (reads, and writes 1..N sent together) complete.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDynamoDocumentClient, createS3Client } from '../../../functions/adapters/aws-clients.ts';
import type { LocalAws } from '../../adapters/helpers/local-aws.ts';

export class LambdaKilledError extends Error {
  constructor(command: string) {
    super(`the Lambda was killed: ${command} never sent`);
    this.name = 'LambdaKilledError';
  }
}

const WRITES = new Set([
  'PutObjectCommand',
  'CopyObjectCommand',
  'DeleteObjectCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
  'TransactWriteCommand',
]);

interface AnyCommand {
  constructor: { name: string };
  input: Record<string, unknown>;
}

/** `PutObjectCommand derived/state/2025-01-02.json.gz`, `UpdateCommand DAY#2025-01-02`, `BatchWriteCommand 25 item(s)`. */
export function describeCommand(command: AnyCommand): string {
  const name = command.constructor.name;
  const input = command.input;
  if (typeof input.Key === 'string') return `${name} ${input.Key}`;
  const key = (input.Key ?? (input.Item as Record<string, unknown> | undefined)) as Record<string, unknown> | undefined;
  if (key && typeof key.pk === 'string') return `${name} ${key.pk}${key.sk !== undefined ? `/${String(key.sk)}` : ''}`;
  const requests = input.RequestItems as Record<string, unknown[]> | undefined;
  if (requests) return `${name} ${Object.values(requests).reduce((n, r) => n + r.length, 0)} item(s)`;
  return name;
}

export interface KillSwitch {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  /** Writes sent to the emulators since the last `arm`, in the order they were sent. */
  writes: string[];
  /** Kill once the `n`-th write is sent (`null`: count only). Resets the count and revives the process. */
  arm(n: number | null): void;
  readonly killed: boolean;
  destroy(): void;
}

export function killSwitch(aws: LocalAws): KillSwitch {
  const s3 = createS3Client(aws.clientConfig);
  const dynamo = createDynamoDocumentClient(aws.clientConfig);
  let limit: number | null = null;
  let killed = false;
  const writes: string[] = [];
  const gate = async (command: AnyCommand, forward: () => Promise<unknown>) => {
    const what = describeCommand(command);
    if (killed) throw new LambdaKilledError(what);
    if (WRITES.has(command.constructor.name)) {
      // Counted when sent: of writes sent together (compute's snapshots), those after the N-th never leave.
      writes.push(what);
      if (limit !== null && writes.length >= limit) killed = true;
    }
    return forward();
  };
  const s3Mock = mockClient(s3);
  s3Mock.send.callsFake(
    (command) => gate(command as unknown as AnyCommand, () => aws.s3.send(command as never)) as never,
  );
  const dynamoMock = mockClient(dynamo);
  dynamoMock.send.callsFake(
    (command) => gate(command as unknown as AnyCommand, () => aws.dynamo.send(command as never)) as never,
  );
  return {
    s3,
    dynamo,
    writes,
    arm(n) {
      limit = n;
      killed = false;
      writes.length = 0;
    },
    get killed() {
      return killed;
    },
    destroy() {
      s3Mock.restore();
      dynamoMock.restore();
      s3.destroy();
      dynamo.destroy();
    },
  };
}
