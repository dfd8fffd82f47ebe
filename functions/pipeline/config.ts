/**
 * The pipeline's settings and what every Lambda reads from its environment, once per init. Apart from
 * deps.ts so that compute's wiring (compute-deps.ts) takes them without the adapters it does not build.
 *
 * Environment (names shared with infra through functions/lib/env.ts where they exist):
 *   TABLE_NAME, RAW_BUCKET, SITE_BUCKET          required
 *   SITE_URL                                     absolute site origin for RSS links (default http://localhost:4321)
 *   SAMPLE_DATA=true                             marks inputs as generated sample data (local runs)
 *   AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB   local emulators (path-style S3, no flexible checksums)
 *   provider settings: see functions/providers/config.ts
 */
import type { AwsClientConfig } from '../adapters/aws-clients.ts';
import { ENV, type Env, optionalEnv, requireEnvs } from '../lib/env.ts';

export interface PipelineConfig {
  /** Absolute site origin used in RSS links. */
  siteUrl: string;
  /** Input files above this size are refused (after being archived). */
  maxFileBytes: number;
  /** How long a day lock is held before another run may take it over (a killed Lambda's lock expires). */
  lockTtlMs: number;
  /** The inputs are generated sample data: every snapshot says `sample: true` (env SAMPLE_DATA=true). */
  sample: boolean;
  /**
   * Compute re-reads the ledger index this far back before the last entry it saw, for entries another
   * ingest recorded at the same moment (clocks of concurrent Lambdas); 0 for a single sequential runner.
   */
  ledgerOverlapMs: number;
  /**
   * Issue 20 item 3: compute folds at most this many price days per invocation, then commits and answers `more`;
   * the state machine publishes those days and calls compute again. Half a year: measured in docs/benchmarks.md.
   */
  computeChunkDays: number;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  siteUrl: 'http://localhost:4321',
  maxFileBytes: 64 * 1024 * 1024,
  // The Lambda timeout ceiling: a run cannot still be alive after it.
  // Twice the longest step's Lambda timeout (5 min, infra/stacks/pipeline-stack.ts SIZING): a live holder is done
  // long before; a killed one's lock is free within LOCKED_RETRY's waits (issue 20 item 2).
  lockTtlMs: 10 * 60 * 1000,
  sample: false,
  ledgerOverlapMs: 5 * 60 * 1000,
  computeChunkDays: 126,
};

/** The table and buckets a Lambda works on, its clients' settings and its pipeline settings. */
export interface AwsEnv {
  tableName: string;
  rawBucket: string;
  siteBucket: string;
  clients: AwsClientConfig;
  config: PipelineConfig;
}

/** The AWS (or emulator) wiring from the environment: fails fast naming a missing table or bucket variable. */
export function readAwsEnv(env: Env): AwsEnv {
  const names = requireEnvs(env, [ENV.table, ENV.rawBucket, ENV.siteBucket]);
  const s3Endpoint = optionalEnv(env, 'AWS_ENDPOINT_URL_S3');
  const dynamoEndpoint = optionalEnv(env, 'AWS_ENDPOINT_URL_DYNAMODB');
  const region = optionalEnv(env, 'AWS_REGION');
  // Against the emulators the credentials come from `env` too, so a local runner need not touch process.env;
  // in Lambda the SDK's default chain (the role's session credentials) applies.
  const accessKeyId = optionalEnv(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = optionalEnv(env, 'AWS_SECRET_ACCESS_KEY');
  const local = s3Endpoint !== undefined || dynamoEndpoint !== undefined;
  return {
    tableName: names[ENV.table],
    rawBucket: names[ENV.rawBucket],
    siteBucket: names[ENV.siteBucket],
    clients: {
      ...(region ? { region } : {}),
      ...(s3Endpoint ? { s3Endpoint } : {}),
      ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
      ...(local && accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    },
    config: {
      ...DEFAULT_PIPELINE_CONFIG,
      siteUrl: optionalEnv(env, ENV.siteUrl) ?? DEFAULT_PIPELINE_CONFIG.siteUrl,
      sample: optionalEnv(env, 'SAMPLE_DATA') === 'true',
    },
  };
}
