/**
 * On-demand list prices, US East (N. Virginia), USD, used by the cost model (test/bench/cost.ts).
 * The one place prices are typed in: the model multiplies them by measured counts.
 *
 * Transcribed 2026-11-25 from the public pricing pages named in `source` (read through cached copies
 * of those pages; no AWS account or price API was queried). Prices change: check the pages before
 * relying on a figure, and update `checked` with the values.
 */

export interface Price {
  usd: number;
  unit: string;
  source: string;
  /** false: not confirmed from the pricing page (see `note`). */
  verified: boolean;
  note?: string;
}

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const CLOUDFRONT = 'https://aws.amazon.com/cloudfront/pricing/';
const STEP_FUNCTIONS = 'https://aws.amazon.com/step-functions/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const CODEBUILD = 'https://aws.amazon.com/codebuild/pricing/';

export const PRICES_CHECKED = '2026-11-25';
export const PRICES_REGION = 'us-east-1';

export const AWS_PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second (Arm, first 7.5 billion GB-s a month)',
    source: LAMBDA,
    verified: true,
    note: 'Since 2025-08-01 the INIT phase of on-demand functions is billed too; the model adds the measured cold init.',
  },
  lambdaRequest: { usd: 0.2 / 1e6, unit: 'request', source: LAMBDA, verified: true },
  dynamoWriteUnit: {
    usd: 0.625 / 1e6,
    unit: 'write request unit (on-demand, after the November 2024 price cut)',
    source: DYNAMODB,
    verified: true,
  },
  dynamoReadUnit: { usd: 0.125 / 1e6, unit: 'read request unit (on-demand)', source: DYNAMODB, verified: true },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'GB-month (first 25 GB a month free)',
    source: DYNAMODB,
    verified: true,
  },
  dynamoPitrGbMonth: { usd: 0.2, unit: 'GB-month of continuous backup', source: DYNAMODB, verified: true },
  s3StandardGbMonth: { usd: 0.023, unit: 'GB-month (S3 Standard, first 50 TB)', source: S3, verified: true },
  s3PutRequest: {
    usd: 0.005 / 1000,
    unit: 'PUT, COPY, POST or LIST request (S3 Standard)',
    source: S3,
    verified: true,
  },
  s3GetRequest: { usd: 0.0004 / 1000, unit: 'GET, HEAD or other request (S3 Standard)', source: S3, verified: true },
  cloudfrontTransferGb: {
    usd: 0.085,
    unit: 'GB out to the internet (United States, Mexico, Canada; first 10 TB)',
    source: CLOUDFRONT,
    verified: true,
  },
  cloudfrontHttpsRequest: {
    usd: 0.01 / 10_000,
    unit: 'HTTPS request (United States)',
    source: CLOUDFRONT,
    verified: true,
  },
  cloudfrontFunctionInvocation: {
    usd: 0.1 / 1e6,
    unit: 'CloudFront Functions invocation',
    source: CLOUDFRONT,
    verified: true,
  },
  stepFunctionsTransition: {
    usd: 0.025 / 1000,
    unit: 'state transition (standard workflow)',
    source: STEP_FUNCTIONS,
    verified: true,
  },
  cloudwatchAlarmMetric: {
    usd: 0.1,
    unit: 'standard-resolution alarm metric per month (a metric-math alarm counts each metric)',
    source: CLOUDWATCH,
    verified: true,
  },
  cloudwatchCustomMetric: {
    usd: 0.3,
    unit: 'custom metric per month (first 10,000)',
    source: CLOUDWATCH,
    verified: true,
  },
  cloudwatchLogsIngestGb: {
    usd: 0.5,
    unit: 'GB of logs ingested (standard class)',
    source: CLOUDWATCH,
    verified: true,
  },
  codebuildLambdaArm4GbMinute: {
    usd: 4 * 0.0000133334 * 60,
    unit: 'build minute, Lambda compute, Arm, 4 GB',
    source: CODEBUILD,
    verified: false,
    note: "NOT VERIFIED: CodeBuild's Lambda-compute rate could not be read offline; Lambda's own Arm rate for 4 GB (4 × the GB-second price × 60) stands in. Check the CodeBuild pricing page.",
  },
} as const satisfies Record<string, Price>;

/** Always-free allowances (not the 12-month new-account offers), for the "with free tier" line. */
export const ALWAYS_FREE = {
  lambdaGbSeconds: 400_000,
  lambdaRequests: 1_000_000,
  dynamoStorageGb: 25,
  cloudfrontTransferGb: 1024,
  cloudfrontRequests: 10_000_000,
  cloudfrontFunctionInvocations: 2_000_000,
  stepFunctionsTransitions: 4000,
  cloudwatchAlarmMetrics: 10,
  cloudwatchCustomMetrics: 10,
  cloudwatchLogsGb: 5,
} as const;
