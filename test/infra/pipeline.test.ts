/**
 * The pipeline stack: each function's defaults and its IAM policy scoped to its own table and
 * buckets (object ARNs under its prefixes), `*` only where AWS requires it, the state machine's task
 * order equal to functions/pipeline/steps.ts, retries and the failure path, the schedule, the
 * file-drop rule, the alarms, the budget and the site build.
 */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import jsonata from 'jsonata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/lib/env.ts';
import { computeEventSchema, parseStepEvent } from '../../functions/lib/events.ts';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from '../../functions/lib/metric-names.ts';
import { nextChunkEvent } from '../../functions/local/runner.ts';
import { DEFAULT_PIPELINE_CONFIG } from '../../functions/pipeline/deps.ts';
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
  NON_RETRYABLE_ERRORS,
  PIPELINE_STEPS,
  RUN_STEPS,
  type StepName,
} from '../../functions/pipeline/steps.ts';
import {
  CONDITION_FAILED,
  DEFER_SITE_BUILD,
  LATE_DATA_RETRY,
  LOCKED_RETRY,
  lateDataDeadline,
  OWNER_GONE,
  RUN_LOCK_EXPIRES,
  retryWaits,
  SITE_BUILD_KEY,
  SITE_BUILD_MAX_DEFER_MS,
} from '../../infra/constructs/pipeline-state-machine.ts';
import { SITE_INSTALL } from '../../infra/constructs/site-build.ts';
import { DEAD_LETTER_RETENTION, SCHEDULE, SIZING } from '../../infra/stacks/pipeline-stack.ts';
import { CACHE_CONTROL } from '../../shared/present/security-headers.ts';
import {
  asArray,
  importedArn,
  resourcesOfType,
  roleStatements,
  type Statement,
  type Synthesized,
  synthShortPulse,
} from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthShortPulse();
});
afterAll(() => s.cleanup());

type LambdaStep = Exclude<StepName, 'build-site'>;
const LAMBDA_STEPS: LambdaStep[] = ['ingest', 'compute', 'publish'];

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return s.stacks.pipeline.getLogicalId(construct.node.defaultChild as CfnFunction);
}
const functionId = (step: LambdaStep) => logicalId(s.stacks.pipeline.functions[step].function);
const aliasId = (step: LambdaStep) => logicalId(s.stacks.pipeline.functions[step].live);
const roleId = (step: LambdaStep) => logicalId(s.stacks.pipeline.functions[step].role);

const RAW = 'ShortPulse-RawBucketArn';
const SITE = 'ShortPulse-SiteBucketArn';
const TABLE = 'ShortPulse-TableArn';

/** The non-log, non-X-Ray statements of a function role, as [actions, resource] pairs. */
function grants(step: LambdaStep): Array<{ actions: string[]; resource: unknown; effect: string }> {
  return roleStatements(s.pipeline, roleId(step))
    .filter((st) => !asArray(st.Action).some((a) => a.startsWith('xray:') || a.startsWith('logs:')))
    .flatMap((st) =>
      asArray(st.Resource).map((resource) => ({ actions: asArray(st.Action).sort(), resource, effect: st.Effect })),
    );
}

const DDB_RW = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];

describe('functions', () => {
  it.each(LAMBDA_STEPS)('%s runs Node 24 on ARM64 with X-Ray, JSON logs and the Powertools settings', (step) => {
    const fn = s.pipeline.toJSON().Resources[functionId(step)];
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
          NODE_OPTIONS: '--enable-source-maps',
          [ENV.table]: { 'Fn::ImportValue': 'ShortPulse-TableName' },
          [ENV.rawBucket]: { 'Fn::ImportValue': 'ShortPulse-RawBucketName' },
          [ENV.siteBucket]: { 'Fn::ImportValue': 'ShortPulse-SiteBucketName' },
        },
      },
    });
    const logGroup = s.pipeline.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('builds one function per lambda step of steps.ts, from that step’s entry', () => {
    expect(PIPELINE_STEPS.filter((step) => step.kind === 'lambda').map((step) => step.name)).toEqual(LAMBDA_STEPS);
  });

  it('gives each function its own role without managed policies', () => {
    const roles = LAMBDA_STEPS.map(roleId);
    expect(new Set(roles).size).toBe(3);
    for (const role of roles) {
      expect(s.pipeline.toJSON().Resources[role].Properties.ManagedPolicyArns, role).toBeUndefined();
    }
  });
});

describe('least privilege', () => {
  it('ingest: its table; reads drops; reads and writes raw/ and derived/; lists the raw bucket', () => {
    expect(grants('ingest')).toEqual(
      expect.arrayContaining([
        { effect: 'Allow', actions: DDB_RW, resource: importedArn(TABLE) },
        { effect: 'Allow', actions: ['s3:GetObject'], resource: importedArn(RAW, '/incoming/*') },
        { effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resource: importedArn(RAW, '/raw/*') },
        { effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resource: importedArn(RAW, '/derived/*') },
        { effect: 'Allow', actions: ['s3:ListBucket'], resource: importedArn(RAW) },
      ]),
    );
    expect(grants('ingest')).toHaveLength(5);
  });

  it('compute: its table and derived/ only', () => {
    expect(grants('compute').sort((a, b) => a.actions[0]!.localeCompare(b.actions[0]!))).toEqual([
      { effect: 'Allow', actions: DDB_RW, resource: importedArn(TABLE) },
      { effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resource: importedArn(RAW, '/derived/*') },
      { effect: 'Allow', actions: ['s3:ListBucket'], resource: importedArn(RAW) },
    ]);
  });

  it('publish: reads derived/, keeps the feed, writes the site’s data/ and rss.xml, deletes only what its rollback restores', () => {
    expect(grants('publish')).toEqual(
      expect.arrayContaining([
        { effect: 'Allow', actions: DDB_RW, resource: importedArn(TABLE) },
        { effect: 'Allow', actions: ['s3:GetObject'], resource: importedArn(RAW, '/derived/*') },
        {
          effect: 'Allow',
          actions: ['s3:GetObject', 's3:PutObject'],
          resource: importedArn(RAW, '/derived/feed.json'),
        },
        { effect: 'Allow', actions: ['s3:GetObject', 's3:PutObject'], resource: importedArn(SITE, '/data/*') },
        { effect: 'Allow', actions: ['s3:PutObject'], resource: importedArn(SITE, '/rss.xml') },
        { effect: 'Allow', actions: ['s3:ListBucket'], resource: importedArn(RAW) },
        { effect: 'Allow', actions: ['s3:ListBucket'], resource: importedArn(SITE) },
        { effect: 'Allow', actions: ['s3:DeleteObject'], resource: importedArn(SITE, '/data/history.json') },
        { effect: 'Allow', actions: ['s3:DeleteObject'], resource: importedArn(SITE, '/rss.xml') },
        { effect: 'Allow', actions: ['s3:DeleteObject'], resource: importedArn(RAW, '/derived/feed.json') },
      ]),
    );
    expect(grants('publish')).toHaveLength(10);
  });

  it('lets only publish delete, only the objects its rollback restores, no items, and no wildcard actions', () => {
    for (const step of LAMBDA_STEPS) {
      const statements = roleStatements(s.pipeline, roleId(step));
      const actions = statements.flatMap((st) => asArray(st.Action));
      expect(
        actions.filter((a) => a.includes('*')),
        step,
      ).toEqual([]);
      const deletes = statements.filter((st) => asArray(st.Action).some((a) => /Delete/.test(a)));
      if (step !== 'publish') {
        expect(deletes, step).toEqual([]);
        continue;
      }
      // CDK merges the two buckets' statements into one: s3:DeleteObject on exactly three object ARNs.
      expect(deletes.map((st) => [st.Effect, st.Action])).toEqual([['Allow', 's3:DeleteObject']]);
      expect(asArray(deletes[0]?.Resource)).toEqual(
        expect.arrayContaining([
          importedArn(SITE, '/data/history.json'),
          importedArn(SITE, '/rss.xml'),
          importedArn(RAW, '/derived/feed.json'),
        ]),
      );
      expect(asArray(deletes[0]?.Resource)).toHaveLength(3);
    }
  });

  it('writes logs only to each function’s own log group', () => {
    for (const step of LAMBDA_STEPS) {
      const fn = s.pipeline.toJSON().Resources[functionId(step)];
      const logStatements = roleStatements(s.pipeline, roleId(step)).filter((st) =>
        asArray(st.Action).some((a) => a.startsWith('logs:')),
      );
      expect(logStatements, step).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] },
        },
      ]);
    }
  });

  it('allows Resource "*" only for X-Ray and the Step Functions log-delivery APIs, which require it', () => {
    const allowedOnStar =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|DeleteLogDelivery|DescribeLogGroups|DescribeResourcePolicies|GetLogDelivery|ListLogDeliveries|PutResourcePolicy|UpdateLogDelivery))$/;
    const policies = resourcesOfType(s.pipeline, 'AWS::IAM::Policy');
    const onStar = Object.entries(policies).flatMap(([id, p]) =>
      (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
        asArray(st.Resource).includes('*'),
      ).map((st) => ({ id, actions: asArray(st.Action) })),
    );
    expect(onStar.length).toBeGreaterThan(0);
    for (const { id, actions } of onStar) {
      expect(
        actions.filter((a) => !allowedOnStar.test(a)),
        id,
      ).toEqual([]);
    }
  });

  it('grants no SSM access: no function reads a secret', () => {
    const actions = LAMBDA_STEPS.flatMap((step) =>
      roleStatements(s.pipeline, roleId(step)).flatMap((st) => asArray(st.Action)),
    );
    expect(actions.filter((a) => a.startsWith('ssm:'))).toEqual([]);
  });
});

// ---------------------------------------------------------------- state machine

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: Array<{
    ErrorEquals: string[];
    MaxAttempts?: number;
    IntervalSeconds?: number;
    BackoffRate?: number;
    JitterStrategy?: string;
    MaxDelaySeconds?: number;
  }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  ItemProcessor?: Asl;
  Branches?: Asl[];
  QueryLanguage?: string;
  Arguments?: Record<string, unknown>;
  Output?: unknown;
  Assign?: Record<string, string>;
  Seconds?: number;
  Cause?: string;
  CausePath?: string;
  ItemsPath?: string;
  MaxConcurrency?: number;
  ErrorPath?: string;
}
interface Asl {
  StartAt: string;
  States: Record<string, AslState>;
}

/**
 * The run's body: the one branch of the `Run` Parallel, inside the run lock's states (issue 20 item 1); the
 * whole definition is `definition()`.
 */
function asl(): Asl {
  const run = definition().States.Run;
  if (run?.Type !== 'Parallel' || run.Branches?.length !== 1) throw new Error('no Run parallel of one branch');
  return run.Branches[0] as Asl;
}

/** The definition with each CloudFormation token replaced by `<LogicalId>` so it parses as JSON. */
function definition(): Asl {
  const machines = resourcesOfType(s.pipeline, 'AWS::StepFunctions::StateMachine');
  const [machine] = Object.values(machines);
  const parts = (machine!.Properties!.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = p as Record<string, unknown>;
      if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[])[0]}>`;
      if (o.Ref) return `<${o.Ref as string}>`;
      return '<?>';
    })
    .join('');
  return JSON.parse(text) as Asl;
}

/** Which pipeline step a task state runs, from its resource. */
function stepOf(state: AslState): StepName | undefined {
  for (const step of LAMBDA_STEPS) if (state.Resource === `<${aliasId(step)}>`) return step;
  if (state.Resource?.endsWith(':states:::codebuild:startBuild.sync')) return 'build-site';
  return undefined;
}

/** Task steps met walking from `start` along each Choice's Default (the "not skipped" way). */
function taskOrder(machine: Asl, start: string): { steps: StepName[]; states: string[] } {
  const steps: StepName[] = [];
  const states: string[] = [];
  let name: string | undefined = start;
  const seen = new Set<string>();
  while (name && !seen.has(name)) {
    seen.add(name);
    states.push(name);
    const state: AslState = machine.States[name]!;
    const step = state.Type === 'Task' ? stepOf(state) : undefined;
    if (step) steps.push(step);
    name = state.Type === 'Choice' ? state.Default : state.Next;
  }
  return { steps, states };
}

describe('state machine', () => {
  it('invokes each function through its `live` alias on the published version, never $LATEST (issue 20 item 6)', () => {
    const machine = asl();
    const states = { ...machine.States, ...machine.States.IngestArchivedDays!.ItemProcessor!.States };
    const lambdaTasks = Object.values(states).filter((st) => st.Resource?.startsWith('<'));
    expect(lambdaTasks).toHaveLength(7);
    const resources = s.pipeline.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    for (const step of LAMBDA_STEPS) {
      expect(
        lambdaTasks.some((st) => st.Resource === `<${aliasId(step)}>`),
        step,
      ).toBe(true);
      expect(
        lambdaTasks.some((st) => st.Resource === `<${functionId(step)}>`),
        step,
      ).toBe(false);
      const alias = resources[aliasId(step)]!;
      expect(alias.Type).toBe('AWS::Lambda::Alias');
      expect(alias.Properties.Name).toBe('live');
      expect(alias.Properties.FunctionName).toEqual({ Ref: functionId(step) });
      const version = resources[(alias.Properties.FunctionVersion as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!]!;
      expect(version.Type).toBe('AWS::Lambda::Version');
      expect(version.Properties.FunctionName).toEqual({ Ref: functionId(step) });
    }
  });

  it('runs the daily path in the order of functions/pipeline/steps.ts', () => {
    const machine = asl();
    const route = machine.States[machine.StartAt]!;
    expect(route.Type).toBe('Choice');
    const daily = taskOrder(machine, route.Default!);
    // The run steps (the site build) come after the body, at the execution's end (issue 20 item 4).
    expect(daily.steps).toEqual(DAY_STEPS.map((step) => step.name));
    // Publish owes the site build before it writes (issue 20 item 4).
    expect(daily.states[daily.states.indexOf('Publish') - 1]).toBe('OweSiteBuild');
    expect(daily.states.at(-1)).toBe('Published');
    expect(machine.States.Published!.Type).toBe('Succeed');
    const top = definition();
    // Owed, and no other execution waiting: the site build, then the lock's release.
    expect(taskOrder(top, 'OtherRunsWaiting').steps).toEqual(RUN_STEPS.map((step) => step.name));
    expect(taskOrder(top, 'OtherRunsWaiting').states.slice(-2)).toEqual(['ReleaseRunLock', 'Done']);
    expect(PIPELINE_STEPS.map((step) => step.name)).toEqual([...DAY_STEPS, ...RUN_STEPS].map((step) => step.name));
  });

  it('backfills by ingesting each archived date from the archive, one at a time, then computes, publishes and builds the site once', () => {
    const machine = asl();
    // A Distributed Map (issue 20 item 3): each day a child execution, so a long backfill does not fill this
    // execution's 25,000-event history; standard children (a day's retries may outlast an express one's 5 min).
    expect(machine.States.IngestArchivedDays!.ItemProcessor).toMatchObject({
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    });
    // Each child ends with an empty object: the map collects every child's output even with ResultPath null, and
    // a day's ingest result (1–2 kB) would reach the 256 KiB payload limit within a year.
    expect(machine.States.IngestArchivedDays!.ItemProcessor!.States.ArchivedDayDone).toEqual({
      Type: 'Pass',
      Result: {},
      End: true,
    });
    const plan = machine.States[machine.StartAt]!.Choices![0]!.Next;
    expect(stepOf(machine.States[plan]!)).toBe('ingest');
    const map = machine.States[machine.States[plan]!.Next!]!;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.dates',
      MaxConcurrency: 1,
      ItemSelector: { 'date.$': '$$.Map.Item.Value', archiveOnly: true },
    });
    const inner = map.ItemProcessor!;
    expect(taskOrder(inner, inner.StartAt).steps).toEqual(['ingest']);
    // The plan's summary is compute's event (issue 18: compute folds every ingested day at once).
    const summary = machine.States[map.Next!]!;
    expect(summary).toMatchObject({ Type: 'Pass', InputPath: '$.summary' });
    const backfill = taskOrder(machine, summary.Next!);
    expect(backfill.steps).toEqual(DAY_STEPS.filter((step) => step.name !== 'ingest').map((step) => step.name));
    // The site is built once, at the execution's end, as for any run.
    expect(backfill.states[backfill.states.indexOf('BackfillPublish') - 1]).toBe('BackfillOweSiteBuild');
    expect(backfill.states.at(-1)).toBe('BackfillPublished');
  });

  it('ends the day when a step reports skipped: true', () => {
    const machine = asl();
    for (const [name, state] of Object.entries(machine.States)) {
      const step = stepOf(state);
      if (state.Type !== 'Task' || !step || step === 'build-site' || name === 'PlanBackfill') continue;
      const choice = machine.States[state.Next!]!;
      expect(choice.Type, name).toBe('Choice');
      expect(choice.Choices, name).toEqual([
        {
          And: [
            { Variable: '$.skipped', IsPresent: true },
            { Variable: '$.skipped', BooleanEquals: true },
          ],
          Next: expect.any(String),
        },
      ]);
      expect(machine.States[choice.Choices![0]!.Next]!.Type).toBe('Succeed');
    }
  });

  it('calls compute again while publish answers `more`: a long run folded in chunks (issue 20 item 3)', () => {
    const machine = asl();
    for (const prefix of ['', 'Backfill']) {
      const publishDone = machine.States[`${prefix}PublishDone`]!;
      expect(publishDone.Default, prefix).toBe(`${prefix}MoreChunks`);
      const more = machine.States[`${prefix}MoreChunks`]!;
      expect(more).toMatchObject({
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.more', IsPresent: true },
              { Variable: '$.more', BooleanEquals: true },
            ],
            Next: `${prefix}ComputeNextChunk`,
          },
        ],
        Default: `${prefix}DayDone`,
      });
      const next = machine.States[`${prefix}ComputeNextChunk`]!;
      expect(next).toMatchObject({ Type: 'Pass', Next: `${prefix}Compute` });
      expect(stepOf(machine.States[`${prefix}Compute`]!)).toBe('compute');
      // The event it builds is compute's, as the schema checks it (the local runner builds the same one).
      const {
        'date.$': date,
        'runId.$': runId,
        'restateFrom.$': restateFrom,
        ...fixed
      } = next.Parameters as Record<string, unknown>;
      // CDK drops a null Parameter: it is written as the intrinsic that gives null.
      expect([date, runId, restateFrom]).toEqual(['$.date', '$.runId', "States.StringToJson('null')"]);
      const event = { ...fixed, restateFrom: null, date: '2025-06-10', runId: 'arn:aws:states:execution:x' };
      expect(parseStepEvent('compute', computeEventSchema, event)).toEqual(nextChunkEvent('2025-06-10', event.runId));
    }
  });

  it('retries Lambda tasks with backoff and jitter, fails fast on bad input, waits hours for late data', () => {
    const machine = asl();
    const states = { ...machine.States, ...machine.States.IngestArchivedDays!.ItemProcessor!.States };
    const lambdaTasks = Object.entries(states).filter(([, st]) => LAMBDA_STEPS.includes(stepOf(st) as LambdaStep));
    // Ingest, Compute, Publish, PlanBackfill, the archive ingest inside the Map, the backfill's compute and publish.
    expect(lambdaTasks.map(([name]) => name).sort()).toEqual(
      ['ArchiveIngest', 'BackfillCompute', 'BackfillPublish', 'Compute', 'Ingest', 'PlanBackfill', 'Publish'].sort(),
    );
    for (const [name, state] of lambdaTasks) {
      const retry = state.Retry!;
      expect(
        retry.find((r) => r.ErrorEquals.includes('EventValidationError')),
        name,
      ).toEqual({
        ErrorEquals: [...NON_RETRYABLE_ERRORS],
        MaxAttempts: 0,
      });
      expect(
        retry.find((r) => r.ErrorEquals.includes('DayIncompleteError')),
        name,
      ).toEqual({
        ErrorEquals: [...LATE_DATA_ERRORS],
        IntervalSeconds: LATE_DATA_RETRY.interval.toSeconds(),
        BackoffRate: LATE_DATA_RETRY.backoffRate,
        MaxAttempts: LATE_DATA_RETRY.maxAttempts,
      });
      // Issue 20 item 2: another run holding the day is retried for longer than a lock lives (15 min).
      expect(
        retry.find((r) => r.ErrorEquals.includes('DayLockedError')),
        name,
      ).toEqual({
        ErrorEquals: [...LOCKED_ERRORS],
        IntervalSeconds: LOCKED_RETRY.interval.toSeconds(),
        BackoffRate: LOCKED_RETRY.backoffRate,
        MaxAttempts: LOCKED_RETRY.maxAttempts,
      });
      const lockWaits = retryWaits(LOCKED_RETRY).reduce((a, b) => a + b, 0);
      expect(lockWaits * 1000).toBeGreaterThan(DEFAULT_PIPELINE_CONFIG.lockTtlMs);
      // …and a lock outlives any live holder: twice the longest step's Lambda timeout.
      const longest = Math.max(...Object.values(SIZING).map((s) => s.timeout.toMilliseconds()));
      expect(DEFAULT_PIPELINE_CONFIG.lockTtlMs).toBeGreaterThanOrEqual(2 * longest);
      // States.ALL must come last, or it would shadow the specific retriers.
      expect(retry.at(-1), name).toEqual({
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: 10,
        BackoffRate: 2,
        MaxAttempts: 3,
        MaxDelaySeconds: 120,
        JitterStrategy: 'FULL',
      });
    }
  });

  // Issue 20: after midnight in New York the screener serves the next day, so a retry can no longer succeed.
  const SCHEDULED_AT_MINUTES = Number(SCHEDULE.hour) * 60 + Number(SCHEDULE.minute);
  const MIDNIGHT_MINUTES = 24 * 60;

  it('hands every ingest (daily, drop, backfill plan, each archived day) the execution id as its run id', () => {
    const machine = asl();
    const states = { ...machine.States, ...machine.States.IngestArchivedDays!.ItemProcessor!.States };
    const ingests = Object.entries(states).filter(([, st]) => stepOf(st) === 'ingest');
    expect(ingests.map(([n]) => n).sort()).toEqual(['ArchiveIngest', 'Ingest', 'PlanBackfill']);
    for (const [name, state] of ingests) {
      // payloadResponseOnly: the task's Parameters are the Lambda's event.
      expect((state as { Parameters?: unknown }).Parameters, name).toEqual({
        'runId.$': '$$.Execution.Id',
        'event.$': '$',
      });
    }
    // Compute and publish take it from ingest's result: their event is the previous step's output as it is.
    const later = Object.entries(states).filter(([, st]) => ['compute', 'publish'].includes(stepOf(st) ?? ''));
    expect(later).toHaveLength(4);
    for (const [name, state] of later) expect((state as { Parameters?: unknown }).Parameters, name).toBeUndefined();
  });

  it('gives up waiting for late data before midnight in New York for a run started by the 19:30 schedule', () => {
    expect(SCHEDULE).toMatchObject({ hour: '19', minute: '30' });
    const waits = retryWaits(LATE_DATA_RETRY);
    expect(waits).toEqual([900, 1350, 2025, 3037.5, 4556.25]);
    expect(waits.reduce((a, b) => a + b, 0) / 60).toBeCloseTo(197.81, 2);
    // Six invocations of up to 5 min each and the five waits: 227.8 min after 19:30 is 23:17.8.
    expect(SIZING.ingest.timeout.toMinutes()).toBe(5);
    const deadline = lateDataDeadline(SIZING.ingest.timeout);
    expect(deadline).toBeCloseTo(227.81, 2);
    expect(SCHEDULED_AT_MINUTES + deadline).toBeLessThan(MIDNIGHT_MINUTES - 40);
  });

  it('ends the ingest task before midnight even with every retrier of the synthesized ASL spent', () => {
    const ingest = asl().States.Ingest!;
    expect(stepOf(ingest)).toBe('ingest');
    const timeoutSeconds = SIZING.ingest.timeout.toSeconds();
    let seconds = timeoutSeconds; // the first invocation
    for (const retry of ingest.Retry!) {
      const waits = retryWaits({
        interval: Duration.seconds(retry.IntervalSeconds ?? 1),
        backoffRate: retry.BackoffRate ?? 2,
        maxAttempts: retry.MaxAttempts ?? 3,
        ...(retry.MaxDelaySeconds ? { maxDelay: Duration.seconds(retry.MaxDelaySeconds) } : {}),
      });
      // A Lambda service error means the invocation did not run, and a DayLockedError attempt ends at its first
      // write (withDayLock refuses before any work); every other retried attempt may run to the timeout.
      const instant = retry.ErrorEquals.some((e) => e.startsWith('Lambda.') || LOCKED_ERRORS.includes(e));
      const runs = instant ? 0 : timeoutSeconds;
      for (const wait of waits) seconds += wait + runs;
    }
    expect(SCHEDULED_AT_MINUTES + seconds / 60).toBeLessThan(MIDNIGHT_MINUTES);
    // 246.1 min before issue 20 item 2, plus LOCKED_RETRY's 15 min of waits: the last attempt ends by 23:52.
    expect(seconds / 60).toBeCloseTo(261.1, 1);
  });

  it('ends every failure of the body in a Fail state carrying the original error, publishing nothing itself', () => {
    const machine = asl();
    const catchers = Object.entries(machine.States).filter(([, st]) => st.Catch);
    // Daily Ingest/Compute/Publish, PlanBackfill, the Map, the backfill's Compute/Publish (the site build is not in
    // the body: issue 20 item 4).
    expect(catchers.map(([name]) => name).sort()).toEqual(
      [
        'BackfillCompute',
        'BackfillPublish',
        'Compute',
        'Ingest',
        'IngestArchivedDays',
        'PlanBackfill',
        'Publish',
      ].sort(),
    );
    for (const [name, state] of catchers) {
      expect(state.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PipelineFailed' },
      ]);
    }
    expect(machine.States.PipelineFailed).toEqual({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('sends one e-mail per failure, the alarm’s, and no execution input (a drop event names the uploader’s IP) to the topic', () => {
    const machine = asl();
    const states = { ...machine.States, ...machine.States.IngestArchivedDays!.ItemProcessor!.States };
    const resources = Object.values(states).flatMap((st) => (st.Resource ? [st.Resource] : []));
    // Only the three functions and the owed site build's item: no sns:publish (nor any other service) integration.
    expect(resources.filter((r) => !stepOf({ Type: 'Task', Resource: r }))).toEqual([
      'arn:<AWS::Partition>:states:::dynamodb:updateItem',
      'arn:<AWS::Partition>:states:::dynamodb:updateItem',
    ]);
    const definition = JSON.stringify(
      resourcesOfType(s.pipeline, 'AWS::StepFunctions::StateMachine')[
        Object.keys(resourcesOfType(s.pipeline, 'AWS::StepFunctions::StateMachine'))[0]!
      ]!.Properties!.DefinitionString,
    );
    expect(definition).not.toContain('sns:publish');
    expect(definition).not.toContain('$$.Execution.Input');
    const topic = Object.keys(resourcesOfType(s.pipeline, 'AWS::SNS::Topic'))[0]!;
    expect(definition).not.toContain(topic);
    // Nothing in the stack may publish to the topic through IAM: only alarm actions and AWS Budgets (topic policy).
    const publishers = Object.values(resourcesOfType(s.pipeline, 'AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
        asArray(st.Action).some((a) => a.startsWith('sns:')),
      ),
    );
    expect(publishers).toEqual([]);
    // The alarm that sends the one e-mail counts failed executions, whether or not they went through a Catch.
    const failedAlarms = Object.values(resourcesOfType(s.pipeline, 'AWS::CloudWatch::Alarm')).filter((a) =>
      JSON.stringify(a.Properties!.Metrics ?? []).includes('"ExecutionsFailed"'),
    );
    expect(failedAlarms).toHaveLength(1);
    expect(failedAlarms[0]!.Properties!.AlarmActions).toEqual([{ Ref: topic }]);
  });

  it('runs every execution whole under the run lock: taken first, waited for, given back at every end (issue 20 item 1)', () => {
    const machine = definition();
    // Taken first, with the adapter's own update and condition (functions/pipeline/run-lock.ts), on RUN_LOCK_KEY.
    expect(machine.StartAt).toBe('AcquireRunLock');
    const acquire = machine.States.AcquireRunLock!;
    expect(acquire).toMatchObject({
      Type: 'Task',
      QueryLanguage: 'JSONata',
      Resource: expect.stringMatching(/:states:::dynamodb:updateItem$/),
      Output: '{% $states.input %}',
      Next: 'Run',
    });
    expect(acquire.Arguments).toMatchObject({
      Key: { pk: { S: RUN_LOCK_KEY.pk }, sk: { S: RUN_LOCK_KEY.sk } },
      UpdateExpression: RUN_LOCK_ACQUIRE.update,
      ConditionExpression: RUN_LOCK_ACQUIRE.condition,
      ExpressionAttributeValues: {
        ':owner': { S: '{% $states.context.Execution.Id %}' },
        ':now': { S: '{% $states.context.State.EnteredTime %}' },
        ':expires': {
          S: `{% $fromMillis($toMillis($states.context.Execution.StartTime) + ${EXECUTION_TIMEOUT_MS}) %}`,
        },
      },
    });
    // The lock lives exactly as long as the execution may.
    expect(machine).toMatchObject({ TimeoutSeconds: EXECUTION_TIMEOUT_MS / 1000 });
    // Held by another execution: wait and try again (a new entry, so `:now` is that try's), never a failure.
    expect(acquire.Retry?.[0]).toEqual({ ErrorEquals: [CONDITION_FAILED], MaxAttempts: 0 });
    expect(acquire.Catch).toEqual([
      { ErrorEquals: [CONDITION_FAILED], Output: '{% $states.input %}', Next: 'ReadRunLock' },
    ]);
    expect(machine.States.WaitForRunLock).toMatchObject({
      Type: 'Wait',
      Seconds: RUN_LOCK_WAIT_MS / 1000,
      Next: 'AcquireRunLock',
    });
    // Who holds it, and does that execution still run? Released meanwhile: try again at once. Running: wait.
    // Ended without giving it back (stopped, an error no Catch sees), or no execution at all: take it over.
    expect(machine.States.ReadRunLock).toMatchObject({
      Resource: expect.stringMatching(/:states:::dynamodb:getItem$/),
      Arguments: { Key: { pk: { S: RUN_LOCK_KEY.pk }, sk: { S: RUN_LOCK_KEY.sk } }, ConsistentRead: true },
      Output: '{% $states.input %}',
      Next: 'RunLockHeld',
    });
    expect(machine.States.RunLockHeld).toMatchObject({
      Type: 'Choice',
      Choices: [{ Condition: "{% $runLockOwner = '' %}", Next: 'AcquireRunLock' }],
      Default: 'CheckRunLockOwner',
    });
    expect(machine.States.CheckRunLockOwner).toMatchObject({
      Resource: expect.stringMatching(/:states:::aws-sdk:sfn:describeExecution$/),
      Arguments: { ExecutionArn: '{% $runLockOwner %}' },
      Output: '{% $states.input %}',
      Next: 'RunLockOwnerRunning',
      Catch: [{ ErrorEquals: [...OWNER_GONE], Output: '{% $states.input %}', Next: 'TakeOverRunLock' }],
    });
    expect(machine.States.RunLockOwnerRunning).toMatchObject({
      Choices: [{ Condition: "{% $runLockOwnerStatus = 'RUNNING' %}", Next: 'WaitForRunLock' }],
      Default: 'TakeOverRunLock',
    });
    expect(machine.States.TakeOverRunLock).toMatchObject({
      Arguments: {
        UpdateExpression: RUN_LOCK_TAKE_OVER.update,
        ConditionExpression: RUN_LOCK_TAKE_OVER.condition,
        ExpressionAttributeValues: {
          ':owner': { S: '{% $states.context.Execution.Id %}' },
          ':stale': { S: '{% $runLockOwner %}' },
          ':expires': { S: RUN_LOCK_EXPIRES },
        },
      },
      Next: 'Run',
      // Another waiter took it over first: wait.
      Catch: [{ ErrorEquals: [CONDITION_FAILED], Output: '{% $states.input %}', Next: 'WaitForRunLock' }],
    });
    // The body is one branch; whichever way it ends, the lock is given back by its owner.
    const run = machine.States.Run!;
    // (Through the debounced site build first: issue 20 item 4, its own test.)
    expect(run).toMatchObject({ Type: 'Parallel', ResultPath: null, Next: 'ReadSiteBuildOwed' });
    expect(run.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReadSiteBuildOwedAfterFailure' },
    ]);
    for (const [start, release] of [
      ['ReadSiteBuildOwed', 'ReleaseRunLock'],
      ['ReadSiteBuildOwedAfterFailure', 'ReleaseRunLockAfterFailure'],
    ] as const) {
      // Every way out of the site build leads to the release.
      const ends = new Set<string>();
      const walk = (name: string, seen: Set<string>) => {
        if (seen.has(name)) return;
        seen.add(name);
        if (name === release) {
          ends.add(name);
          return;
        }
        const st = machine.States[name]!;
        const nexts = [
          st.Next,
          st.Default,
          ...(st.Choices ?? []).map((c) => c.Next),
          ...(st.Catch ?? []).map((c) => c.Next),
        ].filter((n): n is string => n !== undefined);
        if (nexts.length === 0) ends.add(name);
        for (const n of nexts) walk(n, seen);
      };
      walk(start, new Set());
      expect([...ends], start).toEqual([release]);
    }
    for (const [name, next] of [
      ['ReleaseRunLock', 'Done'],
      ['ReleaseRunLockAfterFailure', 'RunFailed'],
    ] as const) {
      const release = machine.States[name]!;
      expect(release.Arguments, name).toMatchObject({
        Key: { pk: { S: RUN_LOCK_KEY.pk }, sk: { S: RUN_LOCK_KEY.sk } },
        UpdateExpression: RUN_LOCK_RELEASE.update,
        ConditionExpression: RUN_LOCK_RELEASE.condition,
        ExpressionAttributeValues: { ':owner': { S: '{% $states.context.Execution.Id %}' } },
      });
      expect(release.Next, name).toBe(next);
      // No longer this execution's (expired, taken by another), or DynamoDB failing past the retries: the execution
      // ends as it would (a lock left behind is taken over once this execution has ended).
      expect(release.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: next }]);
    }
    expect(machine.States.Done).toEqual({ Type: 'Succeed' });
    // A failed run still fails the execution (the "pipeline failed" alarm), with the body's error and cause.
    expect(machine.States.RunFailed).toEqual({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    // The only states outside the body are the lock's and the site build's.
    expect(Object.keys(machine.States).sort()).toEqual(
      [
        ...['', 'AfterFailure'].flatMap((suffix) =>
          [
            'BuildSite',
            'BuildSite%Stale',
            'ListRunningExecutions',
            'OtherRunsWaiting',
            'ReadSiteBuildOwed',
            'SiteBuildDeferred',
            'SiteBuildOwed',
            'SiteBuildPaid',
          ].map((n) => (n.includes('%') ? n.replace('%', suffix) : `${n}${suffix}`)),
        ),
        'CheckRunLockOwner',
        'ReadRunLock',
        'RunLockHeld',
        'RunLockOwnerRunning',
        'TakeOverRunLock',
        'AcquireRunLock',
        'Done',
        'ReleaseRunLock',
        'ReleaseRunLockAfterFailure',
        'Run',
        'RunFailed',
        'WaitForRunLock',
      ].sort(),
    );
    // The state machine may read and update items of the pipeline table (the lock's), not put or delete them. The
    // task names the table by its imported name, and its grant is the ARN built from that name.
    const tableArnFromName = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':dynamodb:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':table/',
          { 'Fn::ImportValue': 'ShortPulse-TableName' },
        ],
      ],
    };
    const [role] = Object.keys(resourcesOfType(s.pipeline, 'AWS::IAM::Role')).filter((id) =>
      id.includes('StateMachineRole'),
    );
    const dynamo = roleStatements(s.pipeline, role!).filter((st) =>
      asArray(st.Action).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]).toMatchObject({ Effect: 'Allow', Resource: tableArnFromName });
    expect(asArray(dynamo[0]!.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    // Whether the lock's owner still runs: DescribeExecution on this state machine's own executions.
    const statements = roleStatements(s.pipeline, role!);
    const describe = statements.filter((st) => JSON.stringify(st.Resource).includes('ShortPulsePipeline-Pipeline:*'));
    expect(describe.map((st) => st.Action)).toEqual(['states:DescribeExecution']);
    // No statement names an action of another prefix for Step Functions (the SDK's `sfn:` is not IAM's).
    expect(statements.flatMap((st) => asArray(st.Action)).filter((a) => a.startsWith('sfn:'))).toEqual([]);
    expect(acquire.Arguments?.TableName).toBe('<?>');
  });

  it('builds the site once for a burst of runs: by the last execution, whatever its run did (issue 20 item 4)', async () => {
    const machine = definition();
    const body = asl();
    const key = { pk: { S: SITE_BUILD_KEY.pk }, sk: { S: SITE_BUILD_KEY.sk } };
    // Each publish (each chunk's too) owes a build before it writes (since the first unpaid one); nothing in the body
    // builds. Before, so that a publish that wrote and then failed, or a failed later chunk, still owes it.
    for (const prefix of ['', 'Backfill']) {
      expect(body.States[`${prefix}ComputeDone`]?.Default, prefix).toBe(`${prefix}OweSiteBuild`);
      expect(body.States[`${prefix}OweSiteBuild`], prefix).toMatchObject({
        Resource: expect.stringMatching(/:states:::dynamodb:updateItem$/),
        Arguments: {
          Key: key,
          UpdateExpression: 'SET owedSince = if_not_exists(owedSince, :now)',
          ExpressionAttributeValues: { ':now': { S: '{% $states.context.State.EnteredTime %}' } },
        },
        Output: '{% $states.input %}',
        Next: `${prefix}Publish`,
      });
    }
    expect(Object.values(body.States).filter((st) => stepOf(st) === 'build-site')).toEqual([]);
    // JSONata as Step Functions evaluates it: `$states` bound to the state's context and result.
    const evaluate = (expression: string, states: Record<string, unknown>, variables: Record<string, unknown> = {}) =>
      jsonata(expression.replace(/^\{%\s*|\s*%\}$/g, '')).evaluate({}, { states, ...variables });
    const self = 'arn:aws:states:us-east-1:1:execution:ShortPulsePipeline-Pipeline:self';
    const other = 'arn:aws:states:us-east-1:1:execution:ShortPulsePipeline-Pipeline:other';
    for (const [suffix, release] of [
      ['', 'ReleaseRunLock'],
      ['AfterFailure', 'ReleaseRunLockAfterFailure'],
    ] as const) {
      const build = `BuildSite${suffix}`;
      const read = machine.States[`ReadSiteBuildOwed${suffix}`]!;
      expect(read, suffix).toMatchObject({
        Resource: expect.stringMatching(/:states:::dynamodb:getItem$/),
        Arguments: { Key: key, ConsistentRead: true },
        Output: '{% $states.input %}',
        Next: `SiteBuildOwed${suffix}`,
        // Cannot tell: build.
        Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: build }],
      });
      const owed = read.Assign?.siteBuildOwed as string;
      expect(await evaluate(owed, { result: { Item: { owedSince: { S: '2025-06-10T23:50:00Z' } } } })).toBe(true);
      expect(await evaluate(owed, { result: {} })).toBe(false);
      expect(machine.States[`SiteBuildOwed${suffix}`]).toMatchObject({
        Type: 'Choice',
        Choices: [{ Condition: '{% $siteBuildOwed %}', Next: `ListRunningExecutions${suffix}` }],
        Default: release,
      });
      const list = machine.States[`ListRunningExecutions${suffix}`]!;
      expect(list, suffix).toMatchObject({
        Resource: expect.stringMatching(/:states:::aws-sdk:sfn:listExecutions$/),
        // Newest first: the newest running execution is enough.
        Arguments: { StateMachineArn: '{% $states.context.StateMachine.Id %}', StatusFilter: 'RUNNING', MaxResults: 1 },
        Output: '{% $states.input %}',
        Next: `OtherRunsWaiting${suffix}`,
        Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: build }],
        Assign: { deferSiteBuild: DEFER_SITE_BUILD },
      });
      expect(read.Assign?.siteBuildOwedSince).toBe(
        '{% $exists($states.result.Item.owedSince.S) ? $states.result.Item.owedSince.S : "" %}',
      );
      // Deferred only to a newer running execution (it waits for the run lock and comes here after this one), and
      // for at most an hour of debt. ListExecutions is eventually consistent: an older one still listed is ignored,
      // so two executions never defer to each other.
      const started = '2025-06-10T23:30:00.000Z';
      const defer = (
        newest: { arn: string; start: unknown } | null,
        owedSince: string,
        now = '2025-06-10T23:50:00.000Z',
      ) =>
        evaluate(
          DEFER_SITE_BUILD,
          {
            context: { Execution: { Id: self, StartTime: started }, State: { EnteredTime: now } },
            result: {
              Executions: newest ? [{ ExecutionArn: newest.arn, StartDate: newest.start, Status: 'RUNNING' }] : [],
            },
          },
          { siteBuildOwedSince: owedSince },
        );
      const owedAt = '2025-06-10T23:40:00.000Z';
      expect(await defer(null, owedAt)).toBe(false);
      expect(await defer({ arn: self, start: started }, owedAt)).toBe(false);
      expect(await defer({ arn: other, start: '2025-06-10T23:35:00.000Z' }, owedAt)).toBe(true);
      // The SDK integration's timestamp as epoch seconds or milliseconds reads the same.
      expect(await defer({ arn: other, start: Date.parse('2025-06-10T23:35:00.000Z') / 1000 }, owedAt)).toBe(true);
      expect(await defer({ arn: other, start: Date.parse('2025-06-10T23:35:00.000Z') }, owedAt)).toBe(true);
      // An older execution still listed (ended, not yet seen so), or one started before this one: this one builds.
      expect(await defer({ arn: other, start: '2025-06-10T23:20:00.000Z' }, owedAt)).toBe(false);
      // Owed for an hour or more: built now, whoever waits.
      expect(await defer({ arn: other, start: '2025-06-10T23:35:00.000Z' }, '2025-06-10T22:50:00.000Z')).toBe(false);
      expect(SITE_BUILD_MAX_DEFER_MS).toBe(60 * 60 * 1000);
      expect(machine.States[`OtherRunsWaiting${suffix}`]).toMatchObject({
        Choices: [{ Condition: '{% $deferSiteBuild %}', Next: `SiteBuildDeferred${suffix}` }],
        Default: build,
      });
      expect(machine.States[`SiteBuildDeferred${suffix}`]).toMatchObject({ Type: 'Pass', Next: release });
      // The build keeps the state's input (a failed run's `$.error` for RunFailed); failed, it is "site stale".
      expect(machine.States[build]).toMatchObject({
        Resource: expect.stringMatching(/:states:::codebuild:startBuild\.sync$/),
        ResultPath: null,
        Next: `SiteBuildPaid${suffix}`,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.siteBuildError', Next: `${build}Stale` }],
      });
      expect(machine.States[`${build}Stale`]).toMatchObject({ Type: 'Pass', ResultPath: null, Next: release });
      expect(machine.States[`SiteBuildPaid${suffix}`]).toMatchObject({
        Arguments: { Key: key, UpdateExpression: 'REMOVE owedSince' },
        Next: release,
      });
    }
    // Listing its own executions: this state machine's ARN, built from its name (its role cannot reference it).
    const [role] = Object.keys(resourcesOfType(s.pipeline, 'AWS::IAM::Role')).filter((id) =>
      id.includes('StateMachineRole'),
    );
    const list = roleStatements(s.pipeline, role!).filter((st) => asArray(st.Action).includes('states:ListExecutions'));
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list[0]!.Resource)).toContain(':stateMachine:ShortPulsePipeline-Pipeline"');
  });

  it('is a standard workflow with X-Ray, full logging and a timeout', () => {
    s.pipeline.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(definition()).toMatchObject({ TimeoutSeconds: 12 * 3600 });
  });
});

describe('triggers', () => {
  const stateMachineRef = () => ({
    Ref: Object.keys(resourcesOfType(s.pipeline, 'AWS::StepFunctions::StateMachine'))[0]!,
  });

  it('starts daily at 19:30 New York time with the scheduled time as input, retries and a DLQ', () => {
    s.pipeline.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 19 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: stateMachineRef(),
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StartDeadLetters'), 'Arn'] } },
      },
    });
  });

  it('starts on a file created under incoming/ in the raw bucket', () => {
    s.pipeline.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [{ 'Fn::ImportValue': 'ShortPulse-RawBucketName' }] },
          object: { key: [{ prefix: 'incoming/' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: stateMachineRef(),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21_600 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('lets the scheduler and the rule start only this state machine', () => {
    const policies = Object.values(resourcesOfType(s.pipeline, 'AWS::IAM::Policy'));
    const starts = policies.flatMap((p) =>
      (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter((st) =>
        asArray(st.Action).includes('states:StartExecution'),
      ),
    );
    // The scheduler's, the rule's, and the state machine's own: the backfill's Distributed Map starts each
    // archived day's child execution of this state machine (issue 20 item 3).
    expect(starts).toHaveLength(3);
    for (const st of starts) expect(st.Resource).toEqual(stateMachineRef());
  });
});

describe('alarms and budget', () => {
  const topicRef = () => ({ Ref: Object.keys(resourcesOfType(s.pipeline, 'AWS::SNS::Topic'))[0]! });

  it('alarms when no snapshot was published (nor a non-trading day skipped) for 26 hours, missing data breaching', () => {
    s.pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef()],
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(published, 0) + FILL(skipped, 0)', ReturnData: true }),
        {
          Id: 'published',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: METRIC_NAMESPACE,
              MetricName: METRIC.snapshotPublished,
              Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
            },
            Period: 3600,
            Stat: 'Sum',
          },
        },
        {
          Id: 'skipped',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: METRIC_NAMESPACE,
              MetricName: METRIC.nonTradingDay,
              Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
            },
            Period: 3600,
            Stat: 'Sum',
          },
        },
      ]),
    });
  });

  it('alarms on any failed, timed-out or aborted execution', () => {
    const machine = Object.keys(resourcesOfType(s.pipeline, 'AWS::StepFunctions::StateMachine'))[0]!;
    const metric = (MetricName: string) =>
      Match.objectLike({
        MetricStat: {
          Metric: {
            Namespace: 'AWS/States',
            MetricName,
            Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
          },
          Period: 300,
          Stat: 'Sum',
        },
      });
    s.pipeline.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef()],
      Metrics: Match.arrayWith([metric('ExecutionsFailed'), metric('ExecutionsTimedOut'), metric('ExecutionsAborted')]),
    });
  });

  it('alarms once per event arriving in the start dead-letter queue, not for as long as it is kept', () => {
    const queue = Object.keys(resourcesOfType(s.pipeline, 'AWS::SQS::Queue')).find((id) =>
      id.startsWith('StartDeadLetters'),
    )!;
    const sqsAlarms = Object.values(resourcesOfType(s.pipeline, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties!)
      .filter((p) => p.Namespace === 'AWS/SQS');
    // Arrivals summed over 5 minutes: in alarm the period a failure arrives, OK again the next quiet one.
    expect(sqsAlarms).toEqual([
      expect.objectContaining({
        MetricName: 'NumberOfMessagesSent',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef()],
      }),
    ]);
    // The depth metric would keep the alarm on for the whole retention after one message.
    expect(sqsAlarms.map((p) => p.MetricName)).not.toContain('ApproximateNumberOfMessagesVisible');
    // The events are kept the longest SQS allows, to be read and re-run.
    expect(DEAD_LETTER_RETENTION.toDays()).toBe(14);
    expect(resourcesOfType(s.pipeline, 'AWS::SQS::Queue')[queue]!.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 86_400,
    });
  });

  it('lets only the file-drop rule (EventBridge, this rule) send to the dead-letter queue by queue policy', () => {
    const policies = Object.values(resourcesOfType(s.pipeline, 'AWS::SQS::QueuePolicy'));
    const sends = policies.flatMap((p) =>
      (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.filter(
        (st) => st.Effect === 'Allow' && asArray(st.Action).includes('sqs:SendMessage'),
      ),
    );
    // EventBridge writes with SendMessage (so NumberOfMessagesSent counts it), scoped to the rule's ARN.
    expect(sends).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^FileDropRule/), 'Arn'] } },
        },
      }),
    ]);
  });

  it('sets a monthly cost budget at the configured amount, notifying the alarm topic', () => {
    s.pipeline.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 5, Unit: 'USD' } },
      NotificationsWithSubscribers: [
        {
          Notification: Match.objectLike({ NotificationType: 'ACTUAL', Threshold: 80 }),
          Subscribers: [{ SubscriptionType: 'SNS', Address: topicRef() }],
        },
        {
          Notification: Match.objectLike({ NotificationType: 'FORECASTED', Threshold: 100 }),
          Subscribers: [{ SubscriptionType: 'SNS', Address: topicRef() }],
        },
      ],
    });
  });

  it('lets AWS Budgets of this account publish to the topic, TLS only', () => {
    s.pipeline.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'BudgetsPublish',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

describe('site build', () => {
  const project = () => Object.values(resourcesOfType(s.pipeline, 'AWS::CodeBuild::Project'))[0]!;

  it('runs on ARM Lambda compute with the Node 24 image', () => {
    expect(project().Properties).toMatchObject({
      Environment: {
        Type: 'ARM_LAMBDA_CONTAINER',
        Image: 'aws/codebuild/amazonlinux-aarch64-lambda-standard:nodejs24',
        PrivilegedMode: false,
      },
      Source: { Type: 'S3' },
    });
  });

  it('installs the site’s own dependencies only, without install scripts (issue 20 item 4)', () => {
    const spec = JSON.parse((project().Properties!.Source as { BuildSpec: string }).BuildSpec);
    expect(spec.phases.install.commands).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund']);
    expect(spec.phases.install.commands).toEqual([SITE_INSTALL]);
  });

  it('builds from the published data and uploads pages without touching data/ or rss.xml', () => {
    const spec = JSON.parse((project().Properties!.Source as { BuildSpec: string }).BuildSpec);
    const commands: string[] = spec.phases.build.commands;
    const pull = commands.indexOf('aws s3 sync --only-show-errors "s3://$SITE_BUCKET/data/" "$PULSE_DATA_DIR/"');
    const build = commands.indexOf('npx astro build --root site');
    expect(commands.indexOf('export PULSE_DATA_DIR="$CODEBUILD_SRC_DIR/.local/site-data"')).toBe(0);
    expect(pull).toBeGreaterThan(0);
    expect(build).toBeGreaterThan(pull);
    const assets = commands.find((c) => c.includes('site/dist/_astro'))!;
    expect(assets).toContain(`--cache-control "${CACHE_CONTROL.immutable}"`);
    expect(assets).not.toContain('--delete');
    const pages = commands.at(-1)!;
    expect(pages).toContain('--delete');
    for (const excluded of ['_astro/*', 'data/*', 'rss.xml']) expect(pages).toContain(`--exclude "${excluded}"`);
    expect(pages).toContain(`--cache-control "${CACHE_CONTROL.short}"`);
  });

  it('is denied writing the data publish owns', () => {
    const roleRef = (project().Properties!.ServiceRole as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const denies = roleStatements(s.pipeline, roleRef).filter((st) => st.Effect === 'Deny');
    expect(denies).toEqual([
      {
        Effect: 'Deny',
        Action: ['s3:DeleteObject', 's3:PutObject'],
        Resource: [importedArn(SITE, '/data/*'), importedArn(SITE, '/rss.xml')],
      },
    ]);
  });
});

describe('site URL (issue 20, defect 5: adding a custom domain after the first deploy)', () => {
  const PARAMETER = '/ShortPulse/site-url';

  it('is not passed through an export: the pipeline imports no site URL and the site stack exports none', () => {
    expect(JSON.stringify(s.pipeline.toJSON())).not.toContain('SiteUrl');
    const outputs = s.site.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
    const exported = Object.values(outputs).flatMap((o) => (o.Export ? [o.Export.Name] : []));
    // Exports only for what never changes once the stack exists.
    expect(exported.sort()).toEqual(['ShortPulse-SiteBucketArn', 'ShortPulse-SiteBucketName']);
  });

  it('is written by the site stack to an SSM parameter', () => {
    const distribution = Object.keys(resourcesOfType(s.site, 'AWS::CloudFront::Distribution'))[0]!;
    s.site.hasResourceProperties('AWS::SSM::Parameter', {
      Name: PARAMETER,
      Type: 'String',
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] },
    });
  });

  it('is read by the pipeline stack at deploy time, for publish and the site build', () => {
    const parameters = s.pipeline.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const [id] = Object.entries(parameters).find(([, p]) => p.Default === PARAMETER) ?? [];
    expect(parameters[id!]).toMatchObject({ Type: 'AWS::SSM::Parameter::Value<String>' });
    const publish = s.pipeline.toJSON().Resources[functionId('publish')];
    expect(publish.Properties.Environment.Variables[ENV.siteUrl]).toEqual({ Ref: id });
    const project = Object.values(resourcesOfType(s.pipeline, 'AWS::CodeBuild::Project'))[0]!;
    expect(
      (project.Properties!.Environment as { EnvironmentVariables: unknown[] }).EnvironmentVariables,
    ).toContainEqual(expect.objectContaining({ Name: 'PULSE_SITE_URL', Value: { Ref: id } }));
  });

  it('follows a custom domain', () => {
    const custom = synthShortPulse({
      context: {
        domainName: 'pulse.example.org',
        certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      },
      env: { account: '111111111111', region: 'us-east-1' },
    });
    try {
      custom.site.hasResourceProperties('AWS::SSM::Parameter', { Name: PARAMETER, Value: 'https://pulse.example.org' });
      expect(JSON.stringify(custom.pipeline.toJSON())).not.toContain('SiteUrl');
    } finally {
      custom.cleanup();
    }
  });
});
