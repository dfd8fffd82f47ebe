/**
 * Stateless compute, redeployed freely: the three pipeline functions, the daily site build, the
 * state machine, what starts it (a schedule, file drops) and what watches it (alarms, budget).
 * The buckets and the table come from the data and site stacks through named exports, which also
 * keeps those stacks from being deleted while this one uses them; the site URL, which can change, through
 * an SSM parameter read at deploy time.
 */
import { CfnOutput, Duration, Fn, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { ENV } from '../../functions/lib/env.ts';
import { DROP_PREFIX } from '../../functions/lib/events.ts';
import {
  DERIVED_PREFIX,
  FEED_KEY,
  PUBLISH_ROLLBACK_KEYS,
  RAW_PREFIX,
  SITE_RSS_KEY,
} from '../../functions/pipeline/keys.ts';
import { PIPELINE_STEPS, type StepName } from '../../functions/pipeline/steps.ts';
import { Monitoring } from '../constructs/monitoring.ts';
import { PipelineStateMachine } from '../constructs/pipeline-state-machine.ts';
import { type BucketBinding, PulseFunction, type TableBinding } from '../constructs/pulse-function.ts';
import { SiteBuild } from '../constructs/site-build.ts';
import { acknowledge } from '../nag.ts';
import { dataExportNames } from './data-stack.ts';
import { siteExportNames, siteUrlParameterName } from './site-stack.ts';

/** 19:30 in New York, every day: FINRA's daily files are out by 18:00 ET; see docs/architecture.md. */
export const SCHEDULE = { hour: '19', minute: '30', timeZone: TimeZone.AMERICA_NEW_YORK } as const;

type LambdaStep = Exclude<StepName, 'build-site'>;

/** SQS's longest retention: the start dead-letter queue's events wait two weeks to be read and re-run. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Everything publish writes under the site bucket's data/ (keys.ts: latest, snapshots, history, schema). */
const SITE_DATA_PREFIX = 'data/';

/** Sizing per function (one run a day: memory buys CPU, the cost is negligible). */
export const SIZING: Record<LambdaStep, { memorySize: number; timeout: Duration; description: string }> = {
  ingest: { memorySize: 1024, timeout: Duration.minutes(5), description: 'Fetch or receive a day, archive, normalise' },
  // 2 GB (issue 20 item 3): the last chunk of a ten-year restatement at 7,000 symbols, which also builds the current
  // year's stock files (as any December day does), peaked at 1.06 GB in compute and 1.27 GB in publish with a 1 GB
  // heap allowed (docs/benchmarks.md part 7); the cost is cents a month (part 6).
  compute: { memorySize: 2048, timeout: Duration.minutes(5), description: 'Advance state and aggregates by a day' },
  // The stock files of a real year (issue 19) are ≈ 115 MB of JSON checked before the first write.
  publish: {
    memorySize: 2048,
    timeout: Duration.minutes(3),
    description: 'Write the snapshot, history, feed and stock files',
  },
};

export interface PipelineStackProps extends StackProps {
  readonly prefix: string;
  readonly projectRoot: string;
  readonly budgetUsd: number;
  readonly alarmEmail?: string;
  /**
   * The data providers' settings for the ingest function (PULSE_CONTACT, PROVIDERS, NASDAQ_USER_AGENT, …),
   * from the CDK context through infra/config.ts's `providerEnvironment`.
   */
  readonly providerEnvironment?: Readonly<Record<string, string>>;
}

export class PipelineStack extends Stack {
  readonly functions: Record<LambdaStep, PulseFunction>;
  readonly pipeline: PipelineStateMachine;
  readonly monitoring: Monitoring;
  readonly siteBuild: SiteBuild;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const data = dataExportNames(props.prefix);
    const site = siteExportNames(props.prefix);

    const raw: BucketBinding = {
      envName: ENV.rawBucket,
      bucket: s3.Bucket.fromBucketAttributes(this, 'RawBucket', {
        bucketName: Fn.importValue(data.rawBucketName),
        bucketArn: Fn.importValue(data.rawBucketArn),
      }),
    };
    const siteBucket: BucketBinding = {
      envName: ENV.siteBucket,
      bucket: s3.Bucket.fromBucketAttributes(this, 'SiteBucket', {
        bucketName: Fn.importValue(site.siteBucketName),
        bucketArn: Fn.importValue(site.siteBucketArn),
      }),
    };
    // Not an export: the URL changes when a custom domain is added (infra/stacks/site-stack.ts).
    const siteUrl = ssm.StringParameter.valueForStringParameter(this, siteUrlParameterName(props.prefix));
    const table: TableBinding = {
      envName: ENV.table,
      tableName: Fn.importValue(data.tableName),
      tableArn: Fn.importValue(data.tableArn),
    };

    const fn = (step: LambdaStep): PulseFunction => {
      const definition = PIPELINE_STEPS.find((s) => s.name === step);
      if (!definition?.entry) throw new Error(`steps.ts has no entry for ${step}`);
      return new PulseFunction(this, `${step[0]!.toUpperCase()}${step.slice(1)}`, {
        entry: definition.entry,
        projectRoot: props.projectRoot,
        ...SIZING[step],
      });
    };

    // Grants follow the key layout of functions/pipeline/keys.ts: who reads and writes which prefix.
    const ingest = fn('ingest')
      .bindTable(table, 'readwrite')
      .bindBucket(raw, 'read', DROP_PREFIX)
      .bindBucket(raw, 'readwrite', RAW_PREFIX)
      .bindBucket(raw, 'readwrite', DERIVED_PREFIX)
      .nameBucket(siteBucket);
    for (const [name, value] of Object.entries(props.providerEnvironment ?? {})) ingest.setEnvironment(name, value);

    const compute = fn('compute')
      .bindTable(table, 'readwrite')
      .bindBucket(raw, 'readwrite', DERIVED_PREFIX)
      .nameBucket(siteBucket);

    const publish = fn('publish')
      .setEnvironment(ENV.siteUrl, siteUrl)
      .bindTable(table, 'readwrite')
      .bindBucket(raw, 'read', DERIVED_PREFIX)
      // The feed of the last 60 published snapshots, from which rss.xml is rebuilt (functions/pipeline/publish.ts).
      .bindBucket(raw, 'readwrite', FEED_KEY)
      .bindBucket(siteBucket, 'readwrite', SITE_DATA_PREFIX)
      .bindBucket(siteBucket, 'write', SITE_RSS_KEY)
      // A publish failing before latest.json restores history.json, rss.xml and the feed; after a failed
      // first publish that means deleting them (functions/pipeline/publish.ts). Those keys only.
      .allowDelete(siteBucket, PUBLISH_ROLLBACK_KEYS.site)
      .allowDelete(raw, PUBLISH_ROLLBACK_KEYS.raw);

    this.functions = { ingest, compute, publish };

    this.siteBuild = new SiteBuild(this, 'SiteBuild', {
      projectRoot: props.projectRoot,
      siteBucket: siteBucket.bucket,
      siteUrl,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      budgetUsd: props.budgetUsd,
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    this.pipeline = new PipelineStateMachine(this, 'Pipeline', {
      // The `live` aliases, never $LATEST (issue 20 item 6).
      functions: { ingest: ingest.live, compute: compute.live, publish: publish.live },
      siteBuild: this.siteBuild.project,
      table: dynamodb.Table.fromTableName(this, 'PipelineTable', table.tableName),
    });
    const { stateMachine } = this.pipeline;

    this.deadLetters = new sqs.Queue(this, 'StartDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The alarm mails once per arrival; the event itself is the only record of which start was lost (the
      // scheduled time, the dropped key), so keep it as long as SQS can for someone to read it and re-run.
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    acknowledge(
      this.deadLetters,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the schedule and the file-drop rule; it has no consumer to fail.',
    );

    new scheduler.Schedule(this, 'DailySchedule', {
      description: 'Daily run at 19:30 New York time; ingest ends non-trading days at once',
      schedule: scheduler.ScheduleExpression.cron(SCHEDULE),
      timeWindow: scheduler.TimeWindow.off(),
      target: new schedulerTargets.StepFunctionsStartExecution(stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        deadLetterQueue: this.deadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });

    new events.Rule(this, 'FileDropRule', {
      description: `A file uploaded under ${DROP_PREFIX} in the raw bucket starts the pipeline`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [raw.bucket.bucketName] },
          object: { key: [{ prefix: DROP_PREFIX }] },
        },
      },
      targets: [
        new eventsTargets.SfnStateMachine(stateMachine, {
          deadLetterQueue: this.deadLetters,
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    this.monitoring.watchStateMachine(stateMachine);
    // `pulse upload-history --state-machine` starts the one backfill execution here (docs/operations.md).
    new CfnOutput(this, 'StateMachineArn', {
      value: stateMachine.stateMachineArn,
      description: 'The pipeline state machine (pulse upload-history --state-machine)',
    });
    this.monitoring.watchPublishing();
    this.monitoring.watchDeadLetters(this.deadLetters);
    this.monitoring.watchSiteBuild(this.siteBuild.project, this.pipeline.logGroup);
  }
}
