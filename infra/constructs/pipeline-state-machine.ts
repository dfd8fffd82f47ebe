/**
 * The orchestration, built from functions/pipeline/steps.ts so the ASL and the local runner follow
 * one step list. Every execution runs whole under the run lock (functions/pipeline/run-lock.ts, issue 20 item 1):
 *
 *   AcquireRunLock ─ held by another execution ─► WaitForRunLock ► AcquireRunLock …
 *        └► Run (a Parallel of one branch, the body below) ─► the site build ► ReleaseRunLock ► Done
 *                                      └ any failure ─► the site build ► ReleaseRunLockAfterFailure ► RunFailed
 *
 * The body:
 *
 *   Route ─ daily / drop / single date ─► Ingest ► Compute ► Publish ► OweSiteBuild ► Published
 *        └ backfill {from,to} ─► PlanBackfill ► IngestArchivedDays (Map, one date at a time:
 *                                               ArchiveIngest { date, archiveOnly })
 *                                ► BackfillSummary ► BackfillCompute ► BackfillPublish ► BackfillOweSiteBuild ► …
 *
 * The site build, debounced (issue 20 item 4), at the end of every execution, still under the run lock:
 *
 *   ReadSiteBuildOwed ─ nothing published since the last build ─► (release)
 *        └► ListRunningExecutions ─ another execution waits for the lock ─► SiteBuildDeferred ► (release)
 *                 └► BuildSite ► SiteBuildPaid ► (release)
 *
 * A publish marks a build owed (`PIPELINE`/`SITE_BUILD`); the last execution of a burst (none other running, so
 * none waiting for the lock) builds once for all of them, whether its own run published, skipped or failed.
 *
 * After publish, `MoreChunks` sends a run compute folded in chunks (issue 20 item 3: at most half a year of days an
 * invocation) back to compute through `ComputeNextChunk`, until publish no longer answers `more`.
 *
 * A backfill plans only the days whose prices are in the raw archive (issue 18: no source serves past prices,
 * so a day without them used to wait seven hours for the screener, then fail the execution), ingests each from
 * the archive only, then computes once (compute folds every ingested day) and publishes every snapshot.
 *
 * Each step's output is the next step's input; a day step that returns `skipped: true` ends the
 * day (a non-trading day, nothing new). Another run holding the day's lock is an error retried past the lock's
 * expiry (LOCKED_RETRY), never a skip. Lambda tasks retry with
 * exponential backoff and full jitter, except for errors a retry cannot fix (NON_RETRYABLE_ERRORS)
 * and "the day's files are not out yet" (LATE_DATA_ERRORS), retried for hours but never past midnight in New York;
 * any failure but the site build's (which ends in "site stale" and its own alarm: the data is published by then)
 * goes to the failure path, a Fail state carrying the original error and cause, which the
 * "pipeline failed" alarm counts and e-mails (once; the state machine publishes nothing itself).
 */
import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RUN_LOCK_KEY } from '../../functions/pipeline/keys.ts';
import {
  EXECUTION_TIMEOUT_MS,
  RUN_LOCK_ACQUIRE,
  RUN_LOCK_RELEASE,
  RUN_LOCK_TAKE_OVER,
  RUN_LOCK_WAIT_MS,
} from '../../functions/pipeline/run-lock.ts';
import {
  DAY_STEPS,
  LATE_DATA_ERRORS,
  LOCKED_ERRORS,
  NEXT_CHUNK_EVENT,
  NON_RETRYABLE_ERRORS,
  RUN_STEPS,
  type StepDefinition,
  type StepName,
} from '../../functions/pipeline/steps.ts';
import { acknowledge, wildcardResourceFinding } from '../nag.ts';

export const LAMBDA_RETRY = {
  interval: Duration.seconds(10),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.minutes(2),
} as const;

/**
 * Waiting for a day's files to appear: 15 min, then ×1.5, five retries (waits of 15, 22.5, 33.75, 50.6 and
 * 75.9 min: 3 h 18 min). The ladder must end before midnight in New York: the screener serves today's
 * market, so once the date has changed a retry cannot bring the day's prices any more. From the 19:30
 * schedule, with every one of the six attempts running to the ingest timeout (5 min), the last one ends by
 * 23:18 (`lateDataDeadline`); with every other retrier of the task spent on the way too, by 23:37.
 * test/infra/pipeline.test.ts computes the first from these constants, the second from the synthesized ASL.
 */
/**
 * Another run holds the day (LOCKED_ERRORS, issue 20 item 2): waits of 1, 2, 4 and 8 min (15 min), longer than a
 * day lock lives (10 min, `lockTtlMs`), so a killed run's lock has expired by the last attempt; a live run's step
 * (at most its Lambda timeout, 5 min) has ended long before. Then the execution fails: never a success with
 * nothing done. A refused attempt ends at once (one conditional write), so the waits are all the time it adds.
 * No jitter: executions refused together retry together and one wins each round (docs/architecture.md).
 */
export const LOCKED_RETRY = {
  interval: Duration.minutes(1),
  backoffRate: 2,
  maxAttempts: 4,
} as const;

export const LATE_DATA_RETRY = {
  interval: Duration.minutes(15),
  backoffRate: 1.5,
  maxAttempts: 5,
} as const;

/** A Retry's waits in seconds, in order: interval × backoffRate^(n−1), capped by maxDelay (no jitter). */
export function retryWaits(retry: {
  readonly interval: Duration;
  readonly backoffRate: number;
  readonly maxAttempts: number;
  readonly maxDelay?: Duration;
}): number[] {
  const cap = retry.maxDelay?.toSeconds() ?? Number.POSITIVE_INFINITY;
  return Array.from({ length: retry.maxAttempts }, (_, n) =>
    Math.min(retry.interval.toSeconds() * retry.backoffRate ** n, cap),
  );
}

/**
 * Worst-case minutes from an execution's start until a task that keeps failing with late data gives up: each of
 * its invocations runs to `attemptTimeout` and every late-data wait is taken.
 */
export function lateDataDeadline(attemptTimeout: Duration): number {
  const waits = retryWaits(LATE_DATA_RETRY);
  return ((1 + waits.length) * attemptTimeout.toSeconds() + waits.reduce((a, b) => a + b, 0)) / 60;
}

/**
 * An execution's longest life (its ingests are a Distributed Map's children, so its 25,000-event history no longer
 * bounds a backfill; compute folding every day in one invocation does, docs/architecture.md). Also the run lock's life
 * (run-lock.ts): an execution that waits for the lock longer than this times out, which the "pipeline failed"
 * alarm reports.
 */
export const EXECUTION_TIMEOUT = Duration.millis(EXECUTION_TIMEOUT_MS);

/**
 * The site build owed (issue 20 item 4): `owedSince` is set by a publish and removed by the build that pays it.
 * Written only by the state machine, under the run lock.
 */
export const SITE_BUILD_KEY = { pk: 'PIPELINE', sk: 'SITE_BUILD' } as const;

/** The longest a site build is left to later executions of a burst: past it, the execution holding the lock builds. */
export const SITE_BUILD_MAX_DEFER_MS = 60 * 60 * 1000;

/**
 * Whether to leave the owed site build to a later execution (JSONata, ListRunningExecutions' Assign): the newest
 * running execution is another one that started after this one (it waits for the run lock and comes to the same
 * states after this one), and the build has been owed for less than SITE_BUILD_MAX_DEFER_MS. Only to a newer one:
 * ListExecutions is eventually consistent, and an execution that just ended may still be listed as running; if the
 * older one deferred to the newer and the newer to the older, nobody would build. A start time is read as an ISO
 * string or as epoch seconds or milliseconds (the SDK integration's timestamp form).
 */
export const DEFER_SITE_BUILD = `{% (
  $ms := function($t) { $type($t) = 'number' ? ($t < 100000000000 ? $t * 1000 : $t) : $toMillis($t) };
  $newest := $states.result.Executions[0];
  $exists($newest.ExecutionArn)
    and $newest.ExecutionArn != $states.context.Execution.Id
    and $ms($newest.StartDate) > $ms($states.context.Execution.StartTime)
    and $siteBuildOwedSince != ''
    and $ms($states.context.State.EnteredTime) - $ms($siteBuildOwedSince) < ${SITE_BUILD_MAX_DEFER_MS}
) %}`.replace(/\s+/g, ' ');

/** The DynamoDB error of a condition not met: the run lock is another execution's (AcquireRunLock). */
export const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';

/** DescribeExecution's answers for an owner that is no execution (any more): its lock is taken over. */
export const OWNER_GONE = ['Sfn.ExecutionDoesNotExistException', 'Sfn.InvalidArnException'] as const;

/** The run lock's expiry: the execution's start + its timeout (JSONata). */
export const RUN_LOCK_EXPIRES = `{% $fromMillis($toMillis($states.context.Execution.StartTime) + ${EXECUTION_TIMEOUT_MS}) %}`;

export interface PipelineStateMachineProps {
  readonly functions: Readonly<Record<Exclude<StepName, 'build-site'>, lambda.IFunction>>;
  readonly siteBuild: codebuild.IProject;
  /** The pipeline table, where the run lock is (keys.ts RUN_LOCK_KEY). */
  readonly table: dynamodb.ITable;
}

/** `build-site` → `BuildSite`: state names follow the step names. */
export function stateName(step: StepName): string {
  return step
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * A constant object as a Pass state's Parameters: CDK leaves out fields whose value is null, so a null is written
 * as the intrinsic that gives it (`States.StringToJson('null')`).
 */
export function asParameters(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => (v === null ? [`${k}.$`, "States.StringToJson('null')"] : [k, v])),
  );
}

export class PipelineStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The executions' log (level ALL, with data): the "site stale" metric filter reads it (Monitoring.watchSiteBuild). */
  readonly logGroup: logs.LogGroup;
  private readonly props: PipelineStateMachineProps;
  private readonly failure: sfn.IChainable;
  /** Set, not generated: the run lock's owner check names this state machine's executions (executionArns). */
  readonly stateMachineName: string;

  constructor(scope: Construct, id: string, props: PipelineStateMachineProps) {
    super(scope, id);
    this.props = props;
    this.stateMachineName = `${Stack.of(this).stackName}-Pipeline`;

    // One e-mail per failure, and it is the "pipeline failed" alarm's (infra/constructs/monitoring.ts): it also
    // sees what no Catch does (a timeout, an abort, a runtime error in a Choice or Pass state) and carries no
    // execution data. The SNS message this path used to publish doubled every failure's e-mail and carried the
    // execution input, where an S3 drop event names the uploader's IP address (`detail.source-ip-address`).
    // The error and cause stay on the failed execution, where the alarm sends the reader. The Catch path is
    // kept as the one place a failure goes through (a hook for clean-up), ending in this Fail state.
    this.failure = new sfn.Fail(this, 'PipelineFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });

    // Daily, file drop or one given date: the day steps (the site build is owed by publish, built at the run's end).
    const daily = this.daySteps('', true);
    daily.end.next(new sfn.Succeed(this, 'Published'));

    // Backfill: plan the archived dates, ingest them from the archive in order (one at a time: each may
    // restate the days after it), then compute and publish once on the plan's summary.
    const plan = this.lambdaTask('PlanBackfill', 'ingest', true);
    // Issue 20 item 3: a Distributed Map, so each day's ingest (with its retries) is a child execution of its
    // own and a long backfill no longer fills this execution's history (25,000 events: an inline Map of about
    // six events a day stopped near three years). Still one day at a time, in order.
    const ingestDays = new sfn.DistributedMap(this, 'IngestArchivedDays', {
      itemsPath: '$.dates',
      itemSelector: { 'date.$': '$$.Map.Item.Value', archiveOnly: true },
      maxConcurrency: 1,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
      label: 'ArchivedDay',
    });
    // Each child's output is collected into this state's result even with ResultPath null (a Distributed Map without a
    // ResultWriter): a day's ingest result (1–2 kB) would reach the 256 KiB payload limit within a year, so a child
    // ends with an empty object.
    ingestDays.itemProcessor(
      this.lambdaTask('ArchiveIngest', 'ingest', false).next(
        new sfn.Pass(this, 'ArchivedDayDone', { result: sfn.Result.fromObject({}) }),
      ),
    );
    ingestDays.addCatch(this.failure, { resultPath: '$.error' });
    const summary = new sfn.Pass(this, 'BackfillSummary', {
      comment: "compute's event: the plan's summary (the last archived day; skipped when none)",
      inputPath: '$.summary',
    });
    const backfillDays = this.daySteps('Backfill', true, 'compute');
    plan.next(ingestDays);
    ingestDays.next(summary);
    summary.next(backfillDays.start);
    backfillDays.end.next(new sfn.Succeed(this, 'BackfillPublished'));

    const route = new sfn.Choice(this, 'Route').when(sfn.Condition.isPresent('$.from'), plan).otherwise(daily.start);

    // Issue 20 item 1: the body runs whole under the run lock. A Parallel of one branch, so that every way the
    // body ends (its Succeed states, its Fail state, an error no Catch sees) comes back here, where the lock is
    // given back before the execution ends.
    const run = new sfn.Parallel(this, 'Run', {
      comment: 'the whole run, under the run lock (functions/pipeline/run-lock.ts)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    run.branch(route);
    const runFailed = new sfn.Fail(this, 'RunFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    // Issue 20 item 4: the site is built at the end of the execution, failed or not, once for a burst of runs.
    run.addCatch(this.siteBuild('AfterFailure', this.releaseRunLock('ReleaseRunLockAfterFailure', runFailed)), {
      resultPath: '$.error',
    });
    run.next(this.siteBuild('', this.releaseRunLock('ReleaseRunLock', new sfn.Succeed(this, 'Done'))));
    const acquire = this.acquireRunLock(run);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Short Pulse: ingest → compute → publish → build site, daily, on file drops and for backfills',
      stateMachineName: this.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(acquire),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: EXECUTION_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });

    acknowledge(
      this.stateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing and the CloudWatch Logs vended-log delivery APIs (logs:CreateLogDelivery, logs:DescribeResourcePolicies…) support no resource-level permissions; AWS requires Resource "*".',
    );
    // The Distributed Map's grant on its own child executions (DescribeExecution, StopExecution), by name pattern.
    const childExecutions = (suffix: string) =>
      `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}"}]}]}${suffix}:*`;
    for (const suffix of ['', '/ArchivedDay']) {
      acknowledge(
        this.stateMachine,
        `AwsSolutions-IAM5[Resource::${childExecutions(suffix)}]`,
        "The backfill's Distributed Map describes and stops the child executions it starts, which are named after this state machine (CDK's grant for a Distributed Map); no other state machine's.",
      );
    }
    acknowledge(
      this.stateMachine,
      wildcardResourceFinding(this, this.executionArns()),
      "DescribeExecution on this state machine's own executions (named after it): whether the run lock's owner still runs (CheckRunLockOwner); no other state machine's.",
    );
    for (const fn of Object.values(props.functions)) {
      acknowledge(
        this.stateMachine,
        wildcardResourceFinding(this, `${fn.functionArn}:*`),
        "lambda:InvokeFunction on the function's `live` alias and `<alias ARN>:*`, as the Step Functions Lambda integration grants it (issue 20 item 6: never $LATEST); it names no other function.",
      );
    }
  }

  /** The run lock's item (keys.ts RUN_LOCK_KEY). */
  private runLockKey(): Record<string, tasks.DynamoAttributeValue> {
    return {
      pk: tasks.DynamoAttributeValue.fromString(RUN_LOCK_KEY.pk),
      sk: tasks.DynamoAttributeValue.fromString(RUN_LOCK_KEY.sk),
    };
  }

  /**
   * Takes the run lock with the adapter's own update (RUN_LOCK_ACQUIRE: free, expired, or this execution's),
   * owner = the execution's id, expiry = the execution's start + its timeout; while another execution holds
   * it, waits RUN_LOCK_WAIT_MS and tries again (a new entry each time, so `:now` is the time of that try).
   * JSONata, for the time arithmetic; the state passes its input on unchanged.
   */
  private acquireRunLock(next: sfn.IChainable): sfn.IChainable {
    const acquire = tasks.DynamoUpdateItem.jsonata(this, 'AcquireRunLock', {
      comment: 'one execution at a time (functions/pipeline/run-lock.ts)',
      table: this.props.table,
      key: this.runLockKey(),
      updateExpression: RUN_LOCK_ACQUIRE.update,
      conditionExpression: RUN_LOCK_ACQUIRE.condition,
      expressionAttributeValues: {
        ':owner': tasks.DynamoAttributeValue.fromString('{% $states.context.Execution.Id %}'),
        ':now': tasks.DynamoAttributeValue.fromString('{% $states.context.State.EnteredTime %}'),
        ':expires': tasks.DynamoAttributeValue.fromString(RUN_LOCK_EXPIRES),
      },
      outputs: '{% $states.input %}',
    });
    const wait = sfn.Wait.jsonata(this, 'WaitForRunLock', {
      comment: 'another execution holds the run lock',
      time: sfn.WaitTime.duration(Duration.millis(RUN_LOCK_WAIT_MS)),
    });
    acquire.addRetry({ errors: [CONDITION_FAILED], maxAttempts: 0 });
    acquire.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    acquire.addCatch(this.staleLockCheck(acquire, wait, next), {
      errors: [CONDITION_FAILED],
      outputs: '{% $states.input %}',
    });
    wait.next(acquire);
    acquire.next(next);
    return acquire;
  }

  /**
   * The lock is held: by whom, and does that execution still run? (ReadRunLock, CheckRunLockOwner.) Running: wait
   * and try again. Ended without giving it back (stopped, an error no Catch sees, a failed release) or unknown:
   * take it over from that owner (RUN_LOCK_TAKE_OVER), or, when another waiter was quicker, wait. Released in
   * between: try again at once. The owner is kept in a variable: the state's input goes on to the body unchanged.
   */
  private staleLockCheck(acquire: sfn.IChainable, wait: sfn.IChainable, next: sfn.IChainable): sfn.IChainable {
    const read = tasks.DynamoGetItem.jsonata(this, 'ReadRunLock', {
      table: this.props.table,
      key: this.runLockKey(),
      consistentRead: true,
      assign: {
        runLockOwner: '{% $exists($states.result.Item.runOwner.S) ? $states.result.Item.runOwner.S : "" %}',
      },
      outputs: '{% $states.input %}',
    });
    read.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    const check = tasks.CallAwsService.jsonata(this, 'CheckRunLockOwner', {
      comment: 'does the execution holding the run lock still run?',
      service: 'sfn',
      action: 'describeExecution',
      // The SDK's service name is `sfn`, IAM's prefix `states`: named, or the grant would be `sfn:describeExecution`.
      iamAction: 'states:DescribeExecution',
      parameters: { ExecutionArn: '{% $runLockOwner %}' },
      iamResources: [this.executionArns()],
      assign: { runLockOwnerStatus: '{% $states.result.Status %}' },
      outputs: '{% $states.input %}',
    });
    check.addRetry({ errors: [...OWNER_GONE], maxAttempts: 0 });
    check.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    const takeOver = tasks.DynamoUpdateItem.jsonata(this, 'TakeOverRunLock', {
      comment: 'the owner no longer runs: the lock is taken from it',
      table: this.props.table,
      key: this.runLockKey(),
      updateExpression: RUN_LOCK_TAKE_OVER.update,
      conditionExpression: RUN_LOCK_TAKE_OVER.condition,
      expressionAttributeValues: {
        ':owner': tasks.DynamoAttributeValue.fromString('{% $states.context.Execution.Id %}'),
        ':stale': tasks.DynamoAttributeValue.fromString('{% $runLockOwner %}'),
        ':expires': tasks.DynamoAttributeValue.fromString(RUN_LOCK_EXPIRES),
      },
      outputs: '{% $states.input %}',
    });
    takeOver.addRetry({ errors: [CONDITION_FAILED], maxAttempts: 0 });
    takeOver.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    takeOver.addCatch(wait, { errors: [CONDITION_FAILED], outputs: '{% $states.input %}' });
    takeOver.next(next);
    check.addCatch(takeOver, { errors: [...OWNER_GONE], outputs: '{% $states.input %}' });
    const running = sfn.Choice.jsonata(this, 'RunLockOwnerRunning')
      .when(sfn.Condition.jsonata("{% $runLockOwnerStatus = 'RUNNING' %}"), wait)
      .otherwise(takeOver);
    check.next(running);
    const held = sfn.Choice.jsonata(this, 'RunLockHeld')
      .when(sfn.Condition.jsonata("{% $runLockOwner = '' %}"), acquire)
      .otherwise(check);
    read.next(held);
    return read;
  }

  /** Every execution of this state machine (its own name, known before it exists). */
  private executionArns(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * Gives the run lock back if this execution still holds it (RUN_LOCK_RELEASE); when it does not (it expired
   * and another took it), there is nothing to give back and the execution ends as it was going to.
   */
  private releaseRunLock(id: string, next: sfn.State): tasks.DynamoUpdateItem {
    const release = tasks.DynamoUpdateItem.jsonata(this, id, {
      table: this.props.table,
      key: this.runLockKey(),
      updateExpression: RUN_LOCK_RELEASE.update,
      conditionExpression: RUN_LOCK_RELEASE.condition,
      expressionAttributeValues: {
        ':owner': tasks.DynamoAttributeValue.fromString('{% $states.context.Execution.Id %}'),
      },
      outputs: '{% $states.input %}',
    });
    release.addRetry({ errors: [CONDITION_FAILED], maxAttempts: 0 });
    release.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    // Not ours any more, or DynamoDB still failing after the retries: the execution ends as it was going to (a
    // lock left behind is taken over by the next waiter once this execution has ended: staleLockCheck).
    release.addCatch(next, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
    release.next(next);
    return release;
  }

  /** The day steps (from `first` on) chained, each followed by a "skipped?" choice that ends the day. */
  private daySteps(
    prefix: string,
    catchErrors: boolean,
    first: StepName = 'ingest',
  ): { start: sfn.IChainable; end: sfn.INextable } {
    let start: sfn.IChainable | undefined;
    let previous: sfn.Choice | undefined;
    let compute: sfn.IChainable | undefined;
    for (const step of DAY_STEPS.slice(DAY_STEPS.findIndex((s) => s.name === first))) {
      const task = this.stepTask(`${prefix}${stateName(step.name)}`, step, catchErrors);
      if (step.name === 'compute') compute = task;
      // Issue 20 item 4: every publish (each chunk's too) owes a site build before it writes anything.
      const entry = step.name === 'publish' ? this.oweSiteBuild(prefix).next(task) : task;
      if (previous) previous.otherwise(entry);
      else start = entry;
      const done = new sfn.Succeed(this, `${prefix}${stateName(step.name)}Skipped`, {
        comment: `${step.name} reported skipped: nothing more to do for this date`,
      });
      const choice = new sfn.Choice(this, `${prefix}${stateName(step.name)}Done`).when(
        sfn.Condition.and(sfn.Condition.isPresent('$.skipped'), sfn.Condition.booleanEquals('$.skipped', true)),
        done,
      );
      task.next(choice);
      previous = choice;
    }
    if (!start || !previous || !compute) throw new Error('steps.ts defines no day steps');
    const end = new sfn.Pass(this, `${prefix}DayDone`);
    // Issue 20 item 3: compute folds a long run in chunks; publish hands on `more` while one remains, and compute
    // is called again with the run's day and id (the local runner's `nextChunkEvent`, the same event).
    const nextChunk = new sfn.Pass(this, `${prefix}ComputeNextChunk`, {
      comment: "compute's event for the run's next chunk: its day and id, nothing ingested",
      parameters: { ...asParameters(NEXT_CHUNK_EVENT), 'date.$': '$.date', 'runId.$': '$.runId' },
    });
    nextChunk.next(compute);
    const more = new sfn.Choice(this, `${prefix}MoreChunks`)
      .when(
        sfn.Condition.and(sfn.Condition.isPresent('$.more'), sfn.Condition.booleanEquals('$.more', true)),
        nextChunk,
      )
      .otherwise(end);
    previous.otherwise(more);
    return { start, end };
  }

  /** The site build's item (SITE_BUILD_KEY). */
  private siteBuildKey(): Record<string, tasks.DynamoAttributeValue> {
    return {
      pk: tasks.DynamoAttributeValue.fromString(SITE_BUILD_KEY.pk),
      sk: tasks.DynamoAttributeValue.fromString(SITE_BUILD_KEY.sk),
    };
  }

  /**
   * Before each publish (each chunk's too): a site build is owed, since the first unpaid publish. Before and not after
   * it, so that a publish that writes and then fails, or a run that fails in a later chunk, still owes its build. An
   * error here, past the retries, fails the run (the Parallel's Catch), before anything is published.
   */
  private oweSiteBuild(prefix: string): tasks.DynamoUpdateItem {
    const owe = tasks.DynamoUpdateItem.jsonata(this, `${prefix}OweSiteBuild`, {
      comment: 'publish is about to write: the site must be built (at the end of this execution or a later one)',
      table: this.props.table,
      key: this.siteBuildKey(),
      updateExpression: 'SET owedSince = if_not_exists(owedSince, :now)',
      expressionAttributeValues: {
        ':now': tasks.DynamoAttributeValue.fromString('{% $states.context.State.EnteredTime %}'),
      },
      outputs: '{% $states.input %}',
    });
    owe.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    return owe;
  }

  /**
   * The debounced site build (issue 20 item 4), at the end of an execution and before its lock is given back: when a
   * build is owed and no other execution of this state machine runs (any other running one waits for the lock and
   * will come here after this one), the site is built and the debt paid; otherwise the build is left to the last
   * execution of the burst. When it cannot tell (DynamoDB or Step Functions failing past the retries), it builds.
   * A failed build leaves the debt for the next execution and ends in "site stale" (its own alarm), never a failed
   * run: the data is published by then. The states keep their input (a failed run's `$.error` for RunFailed).
   */
  private siteBuild(suffix: string, next: sfn.IChainable): sfn.IChainable {
    const step = RUN_STEPS.find((st) => st.kind === 'site-build');
    if (!step) throw new Error('steps.ts defines no site build');
    const build = new tasks.CodeBuildStartBuild(this, `${stateName(step.name)}${suffix}`, {
      project: this.props.siteBuild,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      resultPath: sfn.JsonPath.DISCARD,
    });
    build.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.minutes(1), maxAttempts: 1 });
    const stale = new sfn.Pass(this, `${stateName(step.name)}${suffix}Stale`, {
      comment: 'the site build failed after the data was published: the page is stale (SiteStaleAlarm)',
      resultPath: sfn.JsonPath.DISCARD,
    });
    build.addCatch(stale, { resultPath: '$.siteBuildError' });
    stale.next(next);
    const paid = tasks.DynamoUpdateItem.jsonata(this, `SiteBuildPaid${suffix}`, {
      comment: 'the site shows everything published so far',
      table: this.props.table,
      key: this.siteBuildKey(),
      updateExpression: 'REMOVE owedSince',
      outputs: '{% $states.input %}',
    });
    paid.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    // Still owed: the next execution builds once more, which does no harm.
    paid.addCatch(next, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
    build.next(paid);
    paid.next(next);

    const read = tasks.DynamoGetItem.jsonata(this, `ReadSiteBuildOwed${suffix}`, {
      table: this.props.table,
      key: this.siteBuildKey(),
      consistentRead: true,
      assign: {
        siteBuildOwed: '{% $exists($states.result.Item.owedSince.S) %}',
        siteBuildOwedSince: '{% $exists($states.result.Item.owedSince.S) ? $states.result.Item.owedSince.S : "" %}',
      },
      outputs: '{% $states.input %}',
    });
    read.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    read.addCatch(build, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
    const list = tasks.CallAwsService.jsonata(this, `ListRunningExecutions${suffix}`, {
      comment: 'the newest running execution: a newer one than this waits for the run lock and builds after it',
      service: 'sfn',
      action: 'listExecutions',
      iamAction: 'states:ListExecutions',
      // Newest first (ListExecutions' order): one is enough.
      parameters: { StateMachineArn: '{% $states.context.StateMachine.Id %}', StatusFilter: 'RUNNING', MaxResults: 1 },
      iamResources: [this.stateMachineArnByName()],
      assign: { deferSiteBuild: DEFER_SITE_BUILD },
      outputs: '{% $states.input %}',
    });
    list.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    list.addCatch(build, { errors: [sfn.Errors.ALL], outputs: '{% $states.input %}' });
    const deferred = sfn.Pass.jsonata(this, `SiteBuildDeferred${suffix}`, {
      comment: 'a newer execution waits for the run lock: the last one of the burst builds',
    });
    deferred.next(next);
    list.next(
      sfn.Choice.jsonata(this, `OtherRunsWaiting${suffix}`)
        .when(sfn.Condition.jsonata('{% $deferSiteBuild %}'), deferred)
        .otherwise(build),
    );
    read.next(
      sfn.Choice.jsonata(this, `SiteBuildOwed${suffix}`)
        .when(sfn.Condition.jsonata('{% $siteBuildOwed %}'), list)
        .otherwise(next),
    );
    return read;
  }

  /** This state machine's ARN from its name, known before it exists (its own role cannot reference it). */
  private stateMachineArnByName(): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private stepTask(id: string, step: StepDefinition, catchErrors: boolean): sfn.TaskStateBase {
    if (step.kind === 'site-build') throw new Error(`${step.name} runs at the end of the execution (siteBuild)`);
    return this.lambdaTask(id, step.name as Exclude<StepName, 'build-site'>, catchErrors);
  }

  private lambdaTask(id: string, step: Exclude<StepName, 'build-site'>, catchErrors: boolean): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: this.props.functions[step],
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
      // Issue 20 item 2: ingest's event travels in an envelope with the execution's id, the day lock's owner for
      // every attempt of this run (a retry after a timeout re-enters its own lock); compute and publish take the
      // same id from ingest's result.
      ...(step === 'ingest'
        ? { payload: sfn.TaskInput.fromObject({ 'runId.$': '$$.Execution.Id', 'event.$': '$' }) }
        : {}),
    });
    task.addRetry({ errors: [...NON_RETRYABLE_ERRORS], maxAttempts: 0 });
    task.addRetry({ errors: [...LATE_DATA_ERRORS], ...LATE_DATA_RETRY });
    task.addRetry({ errors: [...LOCKED_ERRORS], ...LOCKED_RETRY });
    task.addRetry({ errors: [sfn.Errors.ALL], ...LAMBDA_RETRY, jitterStrategy: sfn.JitterType.FULL });
    if (catchErrors) task.addCatch(this.failure, { resultPath: '$.error' });
    return task;
  }
}
