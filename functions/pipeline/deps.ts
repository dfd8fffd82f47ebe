/**
 * Everything the pipeline services touch, injected (STYLE §2): the raw/pipeline bucket, the site bucket,
 * the table, the providers, a clock and a logger. `createAwsDeps(env)` builds the AWS (or emulator)
 * implementation from the environment (./config.ts), once per Lambda init (`createAwsStoreDeps` for publish,
 * which fetches nothing; compute's Lambda builds only what it calls, ./compute-deps.ts); tests build their own
 * with the in-memory fakes or emulator clients through `createPipelineDeps`.
 */
import { randomUUID } from 'node:crypto';
import { createDynamoDocumentClient, createS3Client } from '../adapters/aws-clients.ts';
import {
  type ComputeRepository,
  createDerivedRepository,
  type DerivedRepository,
} from '../adapters/derived-repository.ts';
import { createDynamoPipelineTable } from '../adapters/dynamo-pipeline-table.ts';
import type { ComputeTable, Log, ObjectReadWrite, ObjectStore, PipelineTable } from '../adapters/ports.ts';
import { createS3ObjectStore } from '../adapters/s3-object-store.ts';
import type { Env } from '../lib/env.ts';
import { logger } from '../lib/observability.ts';
import { createProviders, readProvidersConfig } from '../providers/config.ts';
import type { SourceProvider } from '../providers/source-provider.ts';
import { DEFAULT_PIPELINE_CONFIG, type PipelineConfig, readAwsEnv } from './config.ts';

export { DEFAULT_PIPELINE_CONFIG, type PipelineConfig } from './config.ts';

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

/**
 * What compute calls (`runCompute` and its parts take no more), with the narrower ports its Lambda builds
 * (./compute-deps.ts): every PipelineDeps is one.
 */
export interface ComputeDeps extends Pick<PipelineDeps, 'clock' | 'log' | 'newRunId' | 'config'> {
  raw: ObjectReadWrite;
  derived: ComputeRepository;
  table: ComputeTable;
}

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
 * The AWS (or emulator) wiring without data-source providers (`providers: []`): for publish, which never
 * fetches. Its bundle then leaves out the providers' HTTP code (~11 kB) and its init does not read the
 * provider settings.
 */
export function createAwsStoreDeps(env: Env): PipelineDeps {
  const aws = readAwsEnv(env);
  const s3 = createS3Client(aws.clients);
  const dynamo = createDynamoDocumentClient(aws.clients);
  return createPipelineDeps({
    raw: createS3ObjectStore({ client: s3, bucket: aws.rawBucket }),
    site: createS3ObjectStore({ client: s3, bucket: aws.siteBucket }),
    table: createDynamoPipelineTable({ client: dynamo, tableName: aws.tableName }),
    log: logger,
    config: aws.config,
  });
}

/** `createAwsStoreDeps` plus the providers the environment configures (functions/providers/config.ts): for ingest. */
export function createAwsDeps(env: Env): PipelineDeps {
  const deps = createAwsStoreDeps(env);
  return { ...deps, providers: createProviders(readProvidersConfig(env), deps.clock) };
}
