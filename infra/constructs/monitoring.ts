/**
 * What tells a human something is wrong: one SNS topic (optionally e-mailed) fed by
 * - "pipeline failed": any execution that failed, timed out or was aborted;
 * - "no snapshot published": no `SnapshotPublished` and no `NonTradingDaySkipped` for 26 hours. The
 *   schedule fires every day and ingest counts the non-trading days it skips, so each day yields one
 *   of the two: no calendar arithmetic in CloudWatch (which only knows UTC), holidays included, and
 *   26 h leaves room for DST shifts and run time. Missing data is breaching: silence is the failure;
 * - "pipeline could not start": an event arriving in the dead-letter queue of the schedule or the drop rule
 *   (once per arrival, not for as long as it is kept);
 * - stale input (issue 18: an alarm, not silence): the short interest or the prices `latest.json` moved to
 *   are too old, or a provider failed on PROVIDER_FAILED_DAYS daily runs in a row. Each watches a
 *   one-day period and ignores missing data: publish and the scheduled ingest emit these metrics only when
 *   they run, so a weekend or a holiday has no datapoint, and it must neither clear an alarm nor raise one
 *   (with `notBreaching` a Friday alarm would clear on Saturday and fire again on Monday: a second e-mail
 *   for one problem). No run at all is the "no snapshot" alarm's business;
 * - the AWS Budgets budget (actual > 80%, forecast > 100% of the monthly amount).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRIC,
  METRIC_NAMESPACE,
  PROVIDER_SOURCES,
  type ProviderSource,
  SERVICE_DIMENSION,
  SOURCE_DIMENSION,
} from '../../functions/lib/metric-names.ts';
import { acknowledge } from '../nag.ts';

/** The state machine's "site stale" states (pipeline-state-machine.ts siteBuild), entered when no build succeeded. */
export const SITE_BUILD_STALE_STATES = ['BuildSiteStale', 'BuildSiteAfterFailureStale'] as const;
export const SITE_BUILD_STALE_METRIC = 'SiteBuildStale';
/** Step Functions' execution log (level ALL): one `PassStateEntered` event per Pass state entered, with its name. */
const SITE_BUILD_STALE_PATTERN = logs.FilterPattern.all(
  logs.FilterPattern.stringValue('$.type', '=', 'PassStateEntered'),
  logs.FilterPattern.any(
    ...SITE_BUILD_STALE_STATES.map((name) => logs.FilterPattern.stringValue('$.details.name', '=', name)),
  ),
);

/** Hours without a published snapshot or a deliberate skip before the alarm fires. */
export const NO_SNAPSHOT_HOURS = 26;

/**
 * The short interest in effect on the published day may be this many calendar days old, no more. Not 20:
 * FINRA settles twice a month (gaps of 13–19 days) and the file of a settlement is out 7 trading days later
 * (functions/providers/finra.ts), so on the eve of a publication the file in effect is normally 22–28 days
 * old (2024-06-10: the file of 2024-05-15, 26 days; 2025-01-10, after the Carter day of mourning: 2024-12-13,
 * 28 days). 32 stays quiet when FINRA's CDN has a file one trading day late (it answers 403 until it has it;
 * the next run asks again), and a file that never comes crosses it 2–12 calendar days (at most 8 trading
 * days) after its publication day. test/infra/monitoring.test.ts checks all three on the calendar, 2024–2035.
 */
export const SHORT_INTEREST_MAX_AGE_DAYS = 32;

/**
 * The prices of the published day may be this many calendar days old when published: the daily run
 * publishes the same evening (0, or 1 after retries past midnight); 4 is a long weekend (Thursday's prices
 * still the newest on a Monday after Good Friday). More means trading days are missing from the site.
 */
export const PRICE_MAX_AGE_DAYS = 4;

/** Daily runs in a row in which one provider failed before its alarm fires. */
export const PROVIDER_FAILED_DAYS = 3;

export interface MonitoringProps {
  readonly alarmEmail?: string;
  readonly budgetUsd: number;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  /**
   * The stale-input alarms (see the file comment), created by watchPublishing with the "no snapshot" alarm:
   * they watch what the pipeline publishes and need nothing of the stack's resources.
   */
  readonly inputAlarms: cloudwatch.Alarm[] = [];
  private readonly action: cwActions.SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Short Pulse alarms', enforceSSL: true });
    this.action = new cwActions.SnsAction(this.topic);
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BudgetsPublish',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    acknowledge(
      this.topic,
      'AwsSolutions-SNS2',
      'CloudWatch alarms and AWS Budgets cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key costs $1/month (20% of the budget); messages are alarm texts without secrets.',
    );

    new budgets.CfnBudget(this, 'MonthlyBudget', {
      budget: {
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.budgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        { type: 'ACTUAL', threshold: 80 },
        { type: 'FORECASTED', threshold: 100 },
      ].map(({ type, threshold }) => ({
        notification: {
          notificationType: type,
          comparisonOperator: 'GREATER_THAN',
          threshold,
          thresholdType: 'PERCENTAGE',
        },
        subscribers: [{ subscriptionType: 'SNS', address: this.topic.topicArn }],
      })),
    });
  }

  watchStateMachine(stateMachine: sfn.IStateMachine): cloudwatch.Alarm {
    const period = Duration.minutes(5);
    return this.anyInFiveMinutes(
      'PipelineFailedAlarm',
      new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: stateMachine.metricAborted({ period, statistic: 'Sum' }),
        },
        period,
        label: 'Failed, timed-out and aborted executions',
      }),
      'A pipeline execution failed, timed out or was aborted: open the failed execution in Step Functions for the error and cause; see docs/operations.md.',
    );
  }

  watchPublishing(): cloudwatch.Alarm {
    const period = Duration.hours(1);
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { ...SERVICE_DIMENSION },
        statistic: 'Sum',
        period,
      });
    const alarm = new cloudwatch.MathExpression({
      expression: 'FILL(published, 0) + FILL(skipped, 0)',
      usingMetrics: { published: metric(METRIC.snapshotPublished), skipped: metric(METRIC.nonTradingDay) },
      period,
      label: 'Snapshots published or non-trading days skipped',
    }).createAlarm(this, 'NoSnapshotAlarm', {
      alarmDescription: `No snapshot published (and no non-trading day skipped) for ${NO_SNAPSHOT_HOURS} hours: the daily run did not start or did not finish.`,
      threshold: 1,
      evaluationPeriods: NO_SNAPSHOT_HOURS,
      datapointsToAlarm: NO_SNAPSHOT_HOURS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.watchInputs();
    return alarm;
  }

  private dailyMetric(metricName: string, dimensions: Record<string, string> = {}): cloudwatch.Metric {
    // Minimum over the (UTC) day, the best the day saw: an age is judged by where a backfill publishing old
    // days on its way to today, or a late file dropped after the evening run, ended; a provider that failed
    // and then answered a retry the same day did not fail that day.
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { ...SERVICE_DIMENSION, ...dimensions },
      statistic: 'Minimum',
      period: Duration.days(1),
    });
  }

  private watchInputs(): void {
    const age = (id: string, metricName: string, maxDays: number, what: string) =>
      this.dailyMetric(metricName).createAlarm(this, id, {
        alarmDescription: `${what} of the published snapshot are more than ${maxDays} calendar days old (${metricName}); see docs/operations.md.`,
        threshold: maxDays,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      });
    this.inputAlarms.push(
      age(
        'StaleShortInterestAlarm',
        METRIC.shortInterestAgeDays,
        SHORT_INTEREST_MAX_AGE_DAYS,
        'The short interest figures',
      ),
      age('StalePricesAlarm', METRIC.priceAgeDays, PRICE_MAX_AGE_DAYS, 'The prices'),
    );
    for (const source of PROVIDER_SOURCES) {
      this.inputAlarms.push(
        this.dailyMetric(METRIC.providerFailed, { [SOURCE_DIMENSION]: source }).createAlarm(
          this,
          providerAlarmId(source),
          {
            alarmDescription: `The ${source} provider failed (after its retries, or served a file refused as a whole) on ${PROVIDER_FAILED_DAYS} daily runs in a row; see docs/operations.md.`,
            threshold: 1,
            evaluationPeriods: PROVIDER_FAILED_DAYS,
            datapointsToAlarm: PROVIDER_FAILED_DAYS,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.IGNORE,
          },
        ),
      );
    }
    for (const alarm of this.inputAlarms) alarm.addAlarmAction(this.action);
  }

  /**
   * Alarms on events *arriving* in the dead-letter queue, not on the queue's depth: a depth alarm
   * (`ApproximateNumberOfMessagesVisible`) stays in alarm for as long as one message is kept (14 days), so a
   * second failure meanwhile sends nothing. EventBridge and Scheduler write their undeliverable events with
   * sqs:SendMessage (the rule's queue policy and the schedule role grant it), so `NumberOfMessagesSent`
   * counts each of them (it misses only SQS's own redrive from a source queue, which this queue has none of):
   * the alarm fires in the 5 minutes a failure arrives and returns to OK in the next quiet one.
   */
  watchDeadLetters(queue: sqs.IQueue): cloudwatch.Alarm {
    return this.anyInFiveMinutes(
      'StartFailedAlarm',
      queue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The schedule or the file-drop rule could not start the pipeline: an event arrived in the dead-letter queue (kept there 14 days); see docs/operations.md.',
    );
  }

  /**
   * Issue 20 item 4: a failed site build is not a failed run (the data is published before it), so it has its own
   * alarm: the page is stale until a build succeeds. CodeBuild's FailedBuilds for the project, 5-minute sums.
   */
  /**
   * "Site stale" (issue 20 item 4): a site build that failed (CodeBuild's FailedBuilds), or one that never ran: the
   * execution went through a `…Stale` state (the build failed or could not start: a refused StartBuild, a missing
   * grant or project), counted from the state machine's log (level ALL) by a metric filter.
   */
  watchSiteBuild(project: codebuild.IProject, stateMachineLogs: logs.ILogGroup): cloudwatch.Alarm {
    const stale = new logs.MetricFilter(this, 'SiteBuildStaleFilter', {
      logGroup: stateMachineLogs,
      filterPattern: SITE_BUILD_STALE_PATTERN,
      metricNamespace: METRIC_NAMESPACE,
      metricName: SITE_BUILD_STALE_METRIC,
      metricValue: '1',
    });
    const period = Duration.minutes(5);
    return this.anyInFiveMinutes(
      'SiteStaleAlarm',
      new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(stale, 0)',
        usingMetrics: {
          failed: project.metricFailedBuilds({ period, statistic: 'Sum' }),
          stale: stale.metric({ period, statistic: 'Sum' }),
        },
        period,
        label: 'failed or unstarted site builds',
      }),
      'The site build failed or could not start after the data was published: /data/ and the feed are current, the page is stale until a build succeeds. See the build log in CodeBuild (or the execution, if no build started) and docs/operations.md.',
    );
  }

  /** An alarm mailed to the topic when a 5-minute count is at least 1; quiet periods are not breaching. */
  private anyInFiveMinutes(
    id: string,
    metric: cloudwatch.Metric | cloudwatch.MathExpression,
    description: string,
  ): cloudwatch.Alarm {
    const alarm = metric.createAlarm(this, id, {
      alarmDescription: description,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}

/** `short-interest` → `ShortInterestProviderFailingAlarm`. */
export function providerAlarmId(source: ProviderSource): string {
  const pascal = source.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
  return `${pascal}ProviderFailingAlarm`;
}
