/**
 * Part 7's steps (issue 20 item 3), each in this fresh process, against emulators running in a process of their own:
 *   upload CONFIG    archive a generated input folder into the raw bucket (`pulse upload-history`'s uploadFolder)
 *   backfill CONFIG  the backfill `{ from, to }`: ingest plans it, then ingests every planned day from the archive
 *                    (`{ date, archiveOnly: true }`, the Distributed Map's children, here one after another in
 *                    this process); reports the plan's summary, compute's first event
 *   drop CONFIG      a corrected short interest file (a path) put under `incoming/` and ingested as its drop event is
 *                    (the restatement's trigger); reports ingest's result, compute's first event
 *   step CONFIG      one compute or publish invocation on `input`, as one Lambda invocation (compute wired as its
 *                    Lambda is: createAwsComputeDeps)
 * CONFIG: { env: emulator env, inputDir?, from?, to?, file?, step?, input? }.
 * The handlers run with the deps `pulse backfill` gives them (functions/local/backfill.ts offlineDeps: no
 * provider, generated data marked `sample`), the run id the local runner gives a backfill.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createComputeHandler } from '../../../functions/compute/create-handler.ts';
import { rawEventHandler } from '../../../functions/lib/middy.ts';
import { offlineDeps } from '../../../functions/local/backfill.ts';
import {
  createDayInvokers,
  isBackfillPlan,
  localLambdaContext,
  objectCreatedEvent,
} from '../../../functions/local/lambda.ts';
import { LOCAL_RUN_ID } from '../../../functions/local/runner.ts';
import { uploadFolder } from '../../../functions/local/upload-history.ts';
import { createAwsComputeDeps } from '../../../functions/pipeline/compute-deps.ts';
import type { PipelineDeps } from '../../../functions/pipeline/deps.ts';
import { reportToParent } from '../lib/child.ts';
import { createPhaseLog } from '../lib/phase-log.ts';

interface Config {
  env: Record<string, string>;
  inputDir?: string;
  from?: string;
  to?: string;
  /** drop: the corrected file's path (its name is the name it is dropped under). */
  file?: string;
  step?: 'compute' | 'publish';
  input?: Record<string, unknown>;
  /** The clock: `clockBase` (ms) advancing with real time since `realBase` (ms), the same in every child. */
  clock: { clockBase: number; realBase: number };
}

const { log, messages: warnings, phases: loggedPhases } = createPhaseLog();

const SITE_URL = 'http://localhost:4321';

/** One clock for every process of the part, moving forward like the real one (the ledger's and journal's times). */
function clockOf(config: Config): () => Date {
  const { clockBase, realBase } = config.clock;
  return () => new Date(clockBase + (Date.now() - realBase));
}

function deps(config: Config): PipelineDeps {
  const base = offlineDeps(config.env, { siteUrl: SITE_URL, sample: true, log });
  // offlineDeps keeps only warnings and errors; the phases come with compute's and publish's info line.
  return { ...base, clock: clockOf(config), log, newRunId: () => LOCAL_RUN_ID };
}

/**
 * Compute as its Lambda wires it (functions/compute/handler.ts: createAwsComputeDeps, only the calls compute makes,
 * the default ledger overlap), with the part's clock, log and run id.
 */
function computeInvoker(config: Config): (event: unknown) => Promise<unknown> {
  const env = { ...config.env, SITE_URL, SAMPLE_DATA: 'true' };
  const computeDeps = { ...createAwsComputeDeps(env), clock: clockOf(config), log, newRunId: () => LOCAL_RUN_ID };
  const handler = rawEventHandler(createComputeHandler(computeDeps));
  return (event) => handler(event, localLambdaContext('bench-compute'));
}

const [mode, json] = process.argv.slice(2);
if (!json) throw new Error('usage: restate.ts upload|backfill|drop|step CONFIG_JSON');
const config = JSON.parse(json) as Config;
const d = deps(config);
const invokers = createDayInvokers(d);
const started = performance.now();

if (mode === 'upload') {
  if (!config.inputDir) throw new Error('upload needs inputDir');
  const report = await uploadFolder(d, config.inputDir);
  const refused = report.outcomes.filter((o) => o.status === 'refused');
  if (refused.length > 0) throw new Error(`upload refused ${refused.length} file(s), e.g. ${refused[0]?.rel}`);
  reportToParent({ files: report.outcomes.length, from: report.from, to: report.to, ms: performance.now() - started });
} else if (mode === 'backfill') {
  if (!config.from || !config.to) throw new Error('backfill needs from and to');
  const plan = await invokers.ingest({ from: config.from, to: config.to });
  if (!isBackfillPlan(plan)) throw new Error('ingest answered a backfill with a day result');
  let n = 0;
  for (const date of plan.dates) {
    const out = await invokers.ingest({ date, archiveOnly: true });
    if (isBackfillPlan(out)) throw new Error('ingest answered a day with a plan');
    n += 1;
    if (n % 250 === 0) process.stderr.write(`    ingested ${n}/${plan.dates.length} days (${date})\n`);
  }
  reportToParent({
    days: plan.dates.length,
    event: plan.summary,
    ms: performance.now() - started,
    warnings: warnings.slice(0, 20),
  });
} else if (mode === 'drop') {
  if (!config.file) throw new Error('drop needs file');
  const key = `incoming/${path.basename(config.file)}`;
  const body = readFileSync(config.file);
  await d.raw.put(key, body, { contentType: 'text/plain' });
  const bucket = config.env.RAW_BUCKET ?? '';
  const event = await invokers.ingest(objectCreatedEvent(bucket, key, { size: body.byteLength }));
  if (isBackfillPlan(event)) throw new Error('ingest answered a drop with a plan');
  reportToParent({ event, ms: performance.now() - started, warnings: warnings.slice(0, 20) });
} else if (mode === 'step') {
  const step = config.step;
  if (step !== 'compute' && step !== 'publish') throw new Error('step mode needs compute or publish');
  if (!config.input) throw new Error('step mode needs input');
  const output = step === 'compute' ? await computeInvoker(config)(config.input) : await invokers.publish(config.input);
  reportToParent({
    step,
    ms: performance.now() - started,
    output,
    phases: loggedPhases(),
    warnings: warnings.slice(0, 20),
  });
} else {
  throw new Error(`restate.ts: unknown mode ${mode ?? '(none)'} (upload | backfill | drop | step)`);
}
// The SDK's keep-alive sockets would hold the process open a while.
process.exit(0);
