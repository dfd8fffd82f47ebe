/**
 * Everything the pipeline services touch, injected (STYLE §2): the raw/pipeline bucket, the site bucket,
 * the table, the providers, a clock and a logger. `createAwsDeps(env)` builds the AWS (or emulator)
 * implementation from the environment, once per Lambda init (`createAwsStoreDeps` for the steps that
 * fetch nothing); tests build their own with the in-memory fakes or emulator clients through
 * `createPipelineDeps`.
 *
 * Environment (names shared with infra through functions/lib/env.ts where they exist):
 *   TABLE_NAME, RAW_BUCKET, SITE_BUCKET          required
 *   SITE_URL                                     absolute site origin for RSS links (default http://localhost:4321)
 *   SAMPLE_DATA=true                             marks inputs as generated sample data (local runs)
 *   AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB   local emulators (path-style S3, no flexible checksums)
 *   provider settings: see functions/providers/config.ts
 */
import { randomUUID } from 'node:crypto';
import { createDynamoDocumentClient, createS3Client } from '../adapters/aws-clients.ts';
import { createDerivedRepository, type DerivedRepository } from '../adapters/derived-repository.ts';
import { createDynamoPipelineTable } from '../adapters/dynamo-pipeline-table.ts';
import type { Log, ObjectStore, PipelineTable } from '../adapters/ports.ts';
import { createS3ObjectStore } from '../adapters/s3-object-store.ts';
import { ENV, type Env, optionalEnv, requireEnvs } from '../lib/env.ts';
import { logger } from '../lib/observability.ts';
import { createProviders, readProvidersConfig } from '../providers/config.ts';
import type { SourceProvider } from '../providers/source-provider.ts';

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

export interface PipelineDeps {
  /** Raw/pipeline bucket: incoming/, raw/, derived/. */
  raw: ObjectStore;
  /** Normalised records and checkpoints over `raw`. */
  derived: DerivedRepository;
  /** Public site bucket: data/, rss.xml. */
  site: ObjectStore;
  table: PipelineTable;
  providers: SourceProvider[];
  clock: () => Date;
  log: Log;
  newRunId: () => string;
  config: PipelineConfig;
  /**
   * The invocation's deadline (issue 20 item 2): the ingest handler sets it from Lambda's remaining time less a
   * margin, and ingest passes it to every provider fetch, so a slow source ends the attempt in time to release
   * the day lock and report, instead of Lambda killing it mid-write. Absent: no deadline (local runs, tests).
   */
  deadline?: AbortSignal;
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

export interface PipelineParts {
  raw: ObjectStore;
  site: ObjectStore;
  table: PipelineTable;
  providers?: SourceProvider[];
  clock?: () => Date;
  log?: Log;
  newRunId?: () => string;
  config?: Partial<PipelineConfig>;
}

export function createPipelineDeps(parts: PipelineParts): PipelineDeps {
  return {
    raw: parts.raw,
    derived: createDerivedRepository(parts.raw),
    site: parts.site,
    table: parts.table,
    providers: parts.providers ?? [],
    clock: parts.clock ?? (() => new Date()),
    log: parts.log ?? logger,
    newRunId: parts.newRunId ?? (() => randomUUID()),
    config: { ...DEFAULT_PIPELINE_CONFIG, ...parts.config },
  };
}

/**
 * The AWS (or emulator) wiring without data-source providers (`providers: []`): for the steps that
 * never fetch (compute, publish). Their bundles then leave out the providers' HTTP code (~11 kB)
 * and their init does not read the provider settings.
 */
export function createAwsStoreDeps(env: Env): PipelineDeps {
  const names = requireEnvs(env, [ENV.table, ENV.rawBucket, ENV.siteBucket]);
  const s3Endpoint = optionalEnv(env, 'AWS_ENDPOINT_URL_S3');
  const dynamoEndpoint = optionalEnv(env, 'AWS_ENDPOINT_URL_DYNAMODB');
  const region = optionalEnv(env, 'AWS_REGION');
  // Against the emulators the credentials come from `env` too, so a local runner need not touch process.env;
  // in Lambda the SDK's default chain (the role's session credentials) applies.
  const accessKeyId = optionalEnv(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = optionalEnv(env, 'AWS_SECRET_ACCESS_KEY');
  const local = s3Endpoint !== undefined || dynamoEndpoint !== undefined;
  const clientConfig = {
    ...(region ? { region } : {}),
    ...(s3Endpoint ? { s3Endpoint } : {}),
    ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
    ...(local && accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  };
  const s3 = createS3Client(clientConfig);
  const dynamo = createDynamoDocumentClient(clientConfig);
  return createPipelineDeps({
    raw: createS3ObjectStore({ client: s3, bucket: names[ENV.rawBucket] }),
    site: createS3ObjectStore({ client: s3, bucket: names[ENV.siteBucket] }),
    table: createDynamoPipelineTable({ client: dynamo, tableName: names[ENV.table] }),
    log: logger,
    config: {
      siteUrl: optionalEnv(env, ENV.siteUrl) ?? DEFAULT_PIPELINE_CONFIG.siteUrl,
      sample: optionalEnv(env, 'SAMPLE_DATA') === 'true',
    },
  });
}

/** `createAwsStoreDeps` plus the providers the environment configures (functions/providers/config.ts): for ingest. */
export function createAwsDeps(env: Env): PipelineDeps {
  const deps = createAwsStoreDeps(env);
  return { ...deps, providers: createProviders(readProvidersConfig(env), deps.clock) };
}
