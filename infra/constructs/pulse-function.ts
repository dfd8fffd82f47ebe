/**
 * A pipeline Lambda with the project's defaults (Node 24, ARM64, ESM bundle, minified, source maps,
 * X-Ray, JSON logs with a retention, the log and metric settings) and least-privilege bindings:
 * `bindTable` / `bindBucket` grant exactly the actions an access level needs on
 * that resource (object ARNs under a prefix for S3) AND set the environment variable the handler
 * reads (names from functions/lib/env.ts), in one call, so grants and configuration cannot drift.
 */
import * as path from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../../functions/lib/metric-names.ts';
import { LAMBDA_BUNDLE } from '../lambda-bundle.ts';
import { acknowledge, wildcardResourceFinding } from '../nag.ts';

/** A bucket as a function sees it: the bucket and the env var that carries its name. */
export interface BucketBinding {
  readonly bucket: IBucket;
  readonly envName: string;
}

/** A DynamoDB table by name and ARN (imported across stacks) and the env var for its name. */
export interface TableBinding {
  readonly tableName: string;
  readonly tableArn: string;
  readonly envName: string;
}

export type BucketAccess = 'read' | 'write' | 'readwrite';
export type TableAccess = 'read' | 'readwrite';

/**
 * Actions per access level, matching the ports in functions/adapters/ports.ts: the ObjectStore
 * reads (get/head), lists, writes (put, put-if-absent); deletes only through `allowDelete`, on exact
 * keys. The PipelineTable gets, queries, puts (conditional) and updates; no batch operations, no deletes.
 */
const S3_READ = ['s3:GetObject'];
const S3_WRITE = ['s3:PutObject'];
const DDB_READ = ['dynamodb:GetItem', 'dynamodb:Query'];
const DDB_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem'];

export interface PulseFunctionProps {
  /** Handler module relative to the repository root (functions/pipeline/steps.ts). */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Repository root (where package-lock.json is). */
  readonly projectRoot: string;
  readonly logRetention?: logs.RetentionDays;
}

export class PulseFunction extends Construct {
  readonly function: NodejsFunction;
  /**
   * The alias the state machine invokes (issue 20 item 6): `live`, on the version this deployment published
   * (`currentVersion`, a new one whenever code or configuration changes). An execution retrying for hours keeps
   * calling the alias, which a deployment moves atomically, instead of `$LATEST`, which changes under it field by
   * field while a deployment updates code and configuration.
   */
  readonly live: lambda.Alias;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PulseFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Own role instead of the default one: no AWSLambdaBasicExecutionRole managed policy (log
    // permissions on every log group of the account), only this function's log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (Short Pulse)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, props.entry),
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        // Stack traces point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // LAMBDA_BUNDLE (../lambda-bundle.ts) is shared with the bundle benchmark.
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        platform: LAMBDA_BUNDLE.platform,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourcemap,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        bundleAwsSDK: true,
        externalModules: [...LAMBDA_BUNDLE.external],
        forceDockerBundling: false,
      },
    });

    this.live = new lambda.Alias(this, 'Live', { aliasName: 'live', version: this.function.currentVersion });

    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; AWS requires Resource "*" (added by active tracing).',
    );
  }

  /** Read or read-write access to the table (item actions on the table ARN only; it has no indexes). */
  bindTable(table: TableBinding, access: TableAccess): this {
    const actions = access === 'read' ? DDB_READ : [...DDB_READ, ...DDB_WRITE];
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
    this.function.addEnvironment(table.envName, table.tableName);
    return this;
  }

  /**
   * Access to objects under `prefix` (ending in `/`) or to one exact key (no trailing `/`). Read
   * access includes listing the bucket (see below why it is not limited to the prefix).
   */
  bindBucket(binding: BucketBinding, access: BucketAccess, prefix: string): this {
    const { bucket } = binding;
    const isPrefix = prefix.endsWith('/');
    const objects = bucket.arnForObjects(isPrefix ? `${prefix}*` : prefix);
    const actions = [...(access === 'write' ? [] : S3_READ), ...(access === 'read' ? [] : S3_WRITE)];
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [objects] }));
    if (access !== 'write') {
      // Unconditional on purpose: S3 answers 404 for a missing key only to a caller allowed to list
      // the bucket (403 otherwise), and that check carries no s3:prefix, so a prefix condition would
      // turn every "absent" read (first history.json, a new day) into AccessDenied.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    }
    if (isPrefix) {
      acknowledge(
        this,
        wildcardResourceFinding(this, objects),
        `Objects under ${prefix} only (${access} for this function): S3 object permissions need a key pattern.`,
      );
    }
    this.function.addEnvironment(binding.envName, bucket.bucketName);
    return this;
  }

  /**
   * s3:DeleteObject on exactly these keys (no prefix, no wildcard), for a step that must undo its own
   * writes (publish's rollback). The buckets are versioned, so a delete only adds a delete marker: the
   * previous versions stay, and no s3:DeleteObjectVersion is granted to remove them.
   */
  allowDelete(binding: BucketBinding, keys: readonly string[]): this {
    for (const key of keys) {
      if (key.length === 0 || key.endsWith('/') || key.includes('*')) {
        throw new Error(`allowDelete: ${JSON.stringify(key)} is not one exact object key`);
      }
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: keys.map((key) => binding.bucket.arnForObjects(key)),
      }),
    );
    return this;
  }

  /**
   * The bucket's name in the environment without any permission: functions/pipeline/deps.ts builds
   * every store at init, but this function never reads or writes that bucket (a call would be denied).
   */
  nameBucket(binding: BucketBinding): this {
    this.function.addEnvironment(binding.envName, binding.bucket.bucketName);
    return this;
  }

  /** A plain setting (no grant), e.g. the providers' settings from the CDK context. */
  setEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }
}
