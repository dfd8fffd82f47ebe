/**
 * AWS SDK v3 clients for the pipeline, configured once. Against the local emulators (an endpoint is given),
 * S3 must use path-style addressing and must not add flexible checksums: s3rver stores an aws-chunked body
 * with its trailer verbatim, so streamed uploads would be archived corrupted.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClientConfig {
  region?: string;
  /** Local emulator endpoints (http://127.0.0.1:port); absent in AWS. */
  s3Endpoint?: string;
  dynamoEndpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK attempts per call (the adapters retry again on top for throttling and UnprocessedItems). */
  maxAttempts?: number;
  /**
   * Socket idle timeout per request; a stalled S3/DynamoDB call fails and is retried. `throwOnRequestTimeout`
   * is set because the SDK's handler otherwise only logs a warning and keeps waiting.
   */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

/**
 * What both clients take alike: the region (us-east-1 against an emulator when none is given), the emulator's
 * credentials, the attempts and the timeouts (`requestTimeoutMs` unless the config sets one).
 */
function commonOptions(config: AwsClientConfig, endpoint: string | undefined, requestTimeoutMs: number) {
  return {
    ...(config.region ? { region: config.region } : endpoint !== undefined ? { region: 'us-east-1' } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    maxAttempts: config.maxAttempts ?? 3,
    requestHandler: {
      requestTimeout: config.requestTimeoutMs ?? requestTimeoutMs,
      connectionTimeout: config.connectionTimeoutMs ?? 5_000,
      throwOnRequestTimeout: true,
    },
  };
}

export function createS3Client(config: AwsClientConfig = {}): S3Client {
  return new S3Client({
    ...commonOptions(config, config.s3Endpoint, 30_000),
    ...(config.s3Endpoint !== undefined ? { forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createDynamoDocumentClient(config: AwsClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient(commonOptions(config, config.dynamoEndpoint, 10_000));
  return DynamoDBDocumentClient.from(client, {
    // A double beyond ±MAX_SAFE_INTEGER is written as its shortest round-trip decimal (exact, at most 17 digits:
    // the SDK's default refusal is about integer precision, which a double never had). Read back with Number(),
    // never as a BigInt. What a DynamoDB number cannot hold is refused before the request (table-values.ts).
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false, allowImpreciseNumbers: true },
    unmarshallOptions: { wrapNumbers: (text: string) => Number(text) },
  });
}
