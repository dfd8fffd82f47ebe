/**
 * What tells a human something is wrong: one SNS topic (optionally e-mailed) fed by
 * - "pipeline failed": any execution that failed, timed out or was aborted;
 * - "no snapshot published": no `SnapshotPublished` and no `NonTradingDaySkipped` for 26 hours. The
 *   schedule fires every day and ingest counts the non-trading days it skips, so each day yields one
 *   of the two: no calendar arithmetic in CloudWatch (which only knows UTC), holidays included, and
 *   26 h leaves room for DST shifts and run time. Missing data is breaching: silence is the failure;
 * - "pipeline could not start": anything in the dead-letter queue of the schedule or the drop rule;
 * - the AWS Budgets budget (actual > 80%, forecast > 100% of the monthly amount).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../functions/lib/metric-names.ts';
import { acknowledge } from '../nag.ts';

/** Hours without a published snapshot or a deliberate skip before the alarm fires. */
export const NO_SNAPSHOT_HOURS = 26;

export interface MonitoringProps {
  readonly alarmEmail?: string;
  readonly budgetUsd: number;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
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
    const alarm = new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: stateMachine.metricFailed({ period, statistic: 'Sum' }),
        timedOut: stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        aborted: stateMachine.metricAborted({ period, statistic: 'Sum' }),
      },
      period,
      label: 'Failed, timed-out and aborted executions',
    }).createAlarm(this, 'PipelineFailedAlarm', {
      alarmDescription:
        'A pipeline execution failed, timed out or was aborted. The SNS message of the failure path carries the error; see docs/operations.md.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
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
    return alarm;
  }

  watchDeadLetters(queue: sqs.IQueue): cloudwatch.Alarm {
    const alarm = queue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
      .createAlarm(this, 'StartFailedAlarm', {
        alarmDescription:
          'The schedule or the file-drop rule could not start the pipeline; the event waits in the dead-letter queue.',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}
