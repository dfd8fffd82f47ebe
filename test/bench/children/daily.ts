/**
 * The pipeline's day steps against running emulators, with metered SDK clients (lib/aws-counters.ts).
 *   days CONFIG_JSON   run whole days in order (the history before the measured days; figures per day)
 *   step CONFIG_JSON   run one step on one input, in this fresh process, as one Lambda invocation would
 * CONFIG: { env: emulator env, inputDir, lag, dates?: [...], step?: name, input?: {...} }.
 * The clock is the evening of the day being run (New York), advancing with real time, so the ledger's
 * recorded times and the day lock behave as on consecutive days in production.
 */
import { createDynamoDocumentClient, createS3Client } from '../../../functions/adapters/aws-clients.ts';
import { createDynamoPipelineTable } from '../../../functions/adapters/dynamo-pipeline-table.ts';
import { createS3ObjectStore } from '../../../functions/adapters/s3-object-store.ts';
import { createDayInvokers, type DayInvokers, type DayStepName } from '../../../functions/local/lambda.ts';
import { runDaySteps } from '../../../functions/local/runner.ts';
import { createPipelineDeps, type PipelineDeps } from '../../../functions/pipeline/deps.ts';
import type { StepName } from '../../../functions/pipeline/steps.ts';
import { createProviders, readProvidersConfig } from '../../../functions/providers/config.ts';
import { type AwsMeter, emptyMeter, meterDynamo, meterS3 } from '../lib/aws-counters.ts';
import { reportToParent } from '../lib/child.ts';
import { createPhaseLog } from '../lib/phase-log.ts';

interface Config {
  env: Record<string, string>;
  inputDir: string;
  lag: number;
  dates?: string[];
  step?: StepName;
  input?: Record<string, unknown>;
}

const { log, messages: errors, phases: loggedPhases } = createPhaseLog();

function benchDeps(config: Config, date: string, meter: () => AwsMeter): PipelineDeps {
  const env = config.env;
  const clientConfig = {
    region: env.AWS_REGION ?? 'us-east-1',
    ...(env.AWS_ENDPOINT_URL_S3 ? { s3Endpoint: env.AWS_ENDPOINT_URL_S3 } : {}),
    ...(env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamoEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
  };
  const s3 = createS3Client(clientConfig);
  const dynamo = createDynamoDocumentClient(clientConfig);
  meterS3(s3, meter);
  meterDynamo(dynamo, meter);
  // 19:30 New York (the schedule), whatever the season: 00:30 UTC of the next day at the latest.
  const evening = Date.parse(`${date}T23:45:00Z`);
  const t0 = performance.now();
  const clock = () => new Date(evening + (performance.now() - t0));
  const providers = createProviders(
    readProvidersConfig({
      PROVIDERS: 'folder',
      INPUT_DIR: config.inputDir,
      SHORT_INTEREST_LAG_DAYS: String(config.lag),
    }),
    clock,
  );
  return createPipelineDeps({
    raw: createS3ObjectStore({ client: s3, bucket: env.RAW_BUCKET ?? '' }),
    site: createS3ObjectStore({ client: s3, bucket: env.SITE_BUCKET ?? '' }),
    table: createDynamoPipelineTable({ client: dynamo, tableName: env.TABLE_NAME ?? '' }),
    providers,
    clock,
    log,
    // The day lock's owner, as the parent names the run (a Lambda draws a UUID).
    newRunId: () => `bench-${date}`,
  });
}

function summary(output: object): Record<string, unknown> {
  const o: Record<string, unknown> = { ...output };
  const pick = ['date', 'skipped', 'reason', 'restateFrom', 'dates', 'restated', 'published', 'latest', 'through'];
  return Object.fromEntries(pick.filter((k) => k in o).map((k) => [k, o[k]]));
}

const [mode, json] = process.argv.slice(2);
if (!json) throw new Error('usage: daily.ts days|step CONFIG_JSON');
const config = JSON.parse(json) as Config;

if (mode === 'days') {
  const days: Record<string, unknown>[] = [];
  for (const date of config.dates ?? []) {
    let meter = emptyMeter();
    const deps = benchDeps(config, date, () => meter);
    const steps: Record<string, { ms: number; meter: AwsMeter; output: Record<string, unknown> }> = {};
    const real = createDayInvokers(deps);
    const timed = async <R extends object>(name: DayStepName, invoke: () => Promise<R>): Promise<R> => {
      meter = emptyMeter();
      const started = performance.now();
      const output = await invoke();
      steps[name] = { ms: performance.now() - started, meter, output: summary(output) };
      return output;
    };
    const invokers: DayInvokers = {
      ingest: (event) => timed('ingest', () => real.ingest(event)),
      compute: (event) => timed('compute', () => real.compute(event)),
      publish: (event) => timed('publish', () => real.publish(event)),
    };
    const started = performance.now();
    await runDaySteps(deps, { date }, { invokers });
    days.push({ date, ms: performance.now() - started, steps });
    process.stderr.write(`    ${date} ${(performance.now() - started).toFixed(0)} ms\n`);
  }
  reportToParent({ days, warnings: errors.slice(0, 20) });
} else if (mode === 'step') {
  const step = config.step;
  if (step !== 'ingest' && step !== 'compute' && step !== 'publish') throw new Error('step mode needs a day step');
  if (!config.input) throw new Error('step mode needs input');
  const meter = emptyMeter();
  const deps = benchDeps(config, String(config.input.date), () => meter);
  const invoke = createDayInvokers(deps)[step];
  const started = performance.now();
  const output = await invoke({ ...config.input });
  const ms = performance.now() - started;
  reportToParent({
    step,
    ms,
    meter,
    output,
    summary: summary(output),
    phases: loggedPhases(),
    warnings: errors.slice(0, 20),
  });
} else {
  throw new Error(`daily.ts: unknown mode ${mode ?? '(none)'} (days | step)`);
}
