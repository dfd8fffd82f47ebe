/**
 * Stateful resources: the raw archive (every input file as received; the one thing that cannot be
 * rebuilt), its access-log bucket, and the DynamoDB table. Deployed rarely, termination-protected,
 * retained on delete, logical IDs pinned so a refactor can never replace them. The pipeline stack
 * reads them through named exports (see `exportNames`).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  DERIVED_PREFIX,
  INCOMING_PREFIX,
  RAW_PREFIX,
  STOCK_RUNS_PREFIX,
  STOCK_YEARS_LIFECYCLE_PREFIX,
} from '../../functions/pipeline/keys.ts';
import { acknowledge } from '../nag.ts';

/** Logical IDs that must never change (a change means CloudFormation replaces the resource). */
export const DATA_LOGICAL_IDS = {
  rawBucket: 'RawBucket',
  logsBucket: 'AccessLogsBucket',
  table: 'PulseTable',
} as const;

/**
 * Compute's checkpoints `derived/state/<YYYY-MM-DD>.json.gz` expire this long after they were last written
 * (a restatement rewrites the checkpoints of the days it folds again). A restatement from day X loads the
 * checkpoint of the day before X, so this bounds how far back a correction can reach without a full refold.
 * The routine ones reach back weeks: a short interest file restates from its settlement date (published 7
 * trading days later; revisions a few weeks after that), a rule 3(b) split 10 trading days, a late price file
 * its day. 400 days covers those with a wide margin, and a correction dropped for any day of the past
 * 13 months; an older one fails compute with a ComputeStateError naming the missing checkpoint (recovery:
 * docs/operations.md). The trading days of 400 calendar days (≈ 276) cost ≈ 600 MB, trimmed; untrimmed the
 * checkpoints grew by ≈ 550 MB a year.
 */
export const CHECKPOINT_RETENTION = Duration.days(400);

/**
 * Every checkpoint key and no other: the date in a checkpoint's name starts with its millennium digit, and
 * compute's journal (`derived/state/journal.json.gz`, which must never expire) does not. S3 lifecycle filters
 * have no exclusion, so the prefix is what keeps the journal out; test/infra/storage-and-site.test.ts checks it
 * against functions/pipeline/keys.ts.
 */
export const CHECKPOINT_LIFECYCLE_PREFIX = `${DERIVED_PREFIX}state/2`;
/** The look-ahead fold's saved states (compute/fold.ts, keys.ts derivedSideStateKey). */
export const SIDE_STATE_PREFIX = `${DERIVED_PREFIX}state/side/`;

/**
 * A stock run (derived/stocks/runs/…, issue 19) is read by the publish of its own compute run, or of a re-run
 * of that day (a run missing its stock run publishes the day without stock files, with a warning).
 */
export const STOCK_RUN_RETENTION = Duration.days(7);

export function dataExportNames(prefix: string) {
  return {
    rawBucketName: `${prefix}-RawBucketName`,
    rawBucketArn: `${prefix}-RawBucketArn`,
    tableName: `${prefix}-TableName`,
    tableArn: `${prefix}-TableArn`,
  } as const;
}

export interface DataStackProps extends StackProps {
  readonly prefix: string;
}

export class DataStack extends Stack {
  readonly rawBucket: s3.Bucket;
  readonly logsBucket: s3.Bucket;
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const exportNames = dataExportNames(props.prefix);

    this.logsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.logsBucket, DATA_LOGICAL_IDS.logsBucket);
    acknowledge(
      this.logsBucket,
      'AwsSolutions-S1',
      'This is the access-log bucket itself; logging it into itself would log every log delivery, recursively.',
    );

    this.rawBucket = new s3.Bucket(this, 'Raw', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // SSE-S3, not KMS: a customer key costs $1/month plus requests (20% of the $5 budget) and adds
      // nothing for public market data; access is already limited by IAM and the bucket policy.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'raw-bucket/',
      lifecycleRules: [
        // Archived inputs are read again only for replays: infrequent access after 30 days. raw/ is the one
        // thing that cannot be rebuilt, so a version that stops being current (only a deletion or an
        // overwrite by hand does that: ingest never replaces a raw/ key) is kept forever, in Glacier Instant
        // Retrieval after 30 days: a fifth of the price, and restoring it is a plain copy of the version.
        {
          id: 'raw-to-infrequent-access',
          prefix: RAW_PREFIX,
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) },
          ],
        },
        // A drop is archived under raw/ by ingest; the incoming/ copy is only the trigger.
        {
          id: 'expire-incoming',
          prefix: INCOMING_PREFIX,
          expiration: Duration.days(30),
          noncurrentVersionExpiration: Duration.days(30),
        },
        // Compute's engine checkpoints (≈ 2 MB a trading day) are read again only as the base of a restatement
        // (docs/architecture.md, "S3 key layout"): trimmed once older than any restatement reaches back.
        {
          id: 'expire-old-checkpoints',
          prefix: CHECKPOINT_LIFECYCLE_PREFIX,
          expiration: CHECKPOINT_RETENTION,
          noncurrentVersionExpiration: Duration.days(1),
        },
        // The look-ahead fold's state between the chunks of a long compute run (issue 20 item 3): needed only while
        // that run lasts (at most an execution's 12 h); a week covers an operator's re-run of a failed one.
        {
          id: 'expire-side-states',
          prefix: SIDE_STATE_PREFIX,
          expiration: Duration.days(7),
          noncurrentVersionExpiration: Duration.days(1),
        },
        // The final days of the per-stock series (issue 19): read again only by a run resuming within the
        // year, or rebuilding from a checkpoint, so they follow the checkpoints' retention.
        {
          id: 'expire-old-stock-days',
          prefix: STOCK_YEARS_LIFECYCLE_PREFIX,
          expiration: CHECKPOINT_RETENTION,
          noncurrentVersionExpiration: Duration.days(1),
        },
        // The stock files one compute run hands to publish (≈ 30 MB a day on the real market): only the newest
        // is ever published; a week covers a re-run of publish.
        {
          id: 'expire-stock-runs',
          prefix: STOCK_RUNS_PREFIX,
          expiration: STOCK_RUN_RETENTION,
          noncurrentVersionExpiration: Duration.days(1),
        },
        // derived/ is rebuilt from raw/ by a backfill; old versions only help undo a bad day by hand.
        { id: 'expire-old-derived-versions', prefix: DERIVED_PREFIX, noncurrentVersionExpiration: Duration.days(90) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.rawBucket, DATA_LOGICAL_IDS.rawBucket);
    // S3 → EventBridge on the bucket itself (CloudFormation property) rather than CDK's
    // `eventBridgeEnabled`, which deploys a notification custom-resource Lambda to do the same.
    (this.rawBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    // Public access is blocked, but say it in the policy too: nobody outside this account, ever. An AWS
    // service calling with its own service principal (S3 replication or batch operations, AWS Backup, a
    // log or inventory delivery…) has no aws:PrincipalAccount, so the bare condition would deny it too; it
    // is exempted by aws:PrincipalIsAWSService (always present, true only for a service principal), which
    // grants it nothing: this policy allows no one, so such a service still needs an Allow added here.
    this.rawBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOutsideAccount',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: [this.rawBucket.bucketArn, this.rawBucket.arnForObjects('*')],
        conditions: {
          StringNotEquals: { 'aws:PrincipalAccount': this.account },
          Bool: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.table, DATA_LOGICAL_IDS.table);

    new CfnOutput(this, 'RawBucketNameOutput', {
      value: this.rawBucket.bucketName,
      exportName: exportNames.rawBucketName,
    });
    new CfnOutput(this, 'RawBucketArnOutput', {
      value: this.rawBucket.bucketArn,
      exportName: exportNames.rawBucketArn,
    });
    new CfnOutput(this, 'TableNameOutput', { value: this.table.tableName, exportName: exportNames.tableName });
    new CfnOutput(this, 'TableArnOutput', { value: this.table.tableArn, exportName: exportNames.tableArn });
  }
}

/** Fixes the CloudFormation logical ID of a construct's main resource. */
export function pinLogicalId(construct: Construct, logicalId: string): void {
  const resource = construct.node.defaultChild;
  if (!resource || !('overrideLogicalId' in resource) || typeof resource.overrideLogicalId !== 'function') {
    throw new Error(`${construct.node.path} has no CloudFormation resource to pin`);
  }
  resource.overrideLogicalId(logicalId);
}
