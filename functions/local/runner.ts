/**
 * The pipeline on one machine (`npm start`, `pulse run`): the embedded emulators stand in for DynamoDB
 * and S3, the folder provider for FINRA and Nasdaq, and each trading day of the input goes through the
 * state machine's step list (functions/pipeline/steps.ts) — each step is its Lambda handler (./lambda.ts:
 * the middy chain, the strict event schema, the service) invoked with the event Step Functions would pass:
 * `{ date }` for a day, the S3 "Object Created" event for a drop, then each step's result as the next
 * one's event, a `skipped` result ending the day. Then the once-per-run steps (the site build) and a static server with production's
 * headers.
 *
 * Like production, files dated on days that are not trading days (a weekend price file, a split calendar
 * of a day without prices) and the short interest files FINRA would publish after the input's last day
 * reach the pipeline as file drops: the former at their place in time, the latter after the last day, so
 * the final snapshot is computed from every file of the folder.
 */
import { SPLIT_CALENDAR_FILE } from '../../shared/formats/nasdaq-split-calendar.ts';
import './powertools-env.ts';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { addTradingDays, isTradingDay } from '../../shared/calendar.ts';
import type { IsoDate, Rejection } from '../../shared/domain.ts';
import { headersForPath } from '../../shared/present/security-headers.ts';
import { SAMPLE_MANIFEST_FILE } from '../../shared/sample/index.ts';
import type { Log } from '../adapters/ports.ts';
import type { ComputeResult, IngestResult } from '../lib/events.ts';
import { laterSnapshotsOfADay, listFolder, PRICE_FILE, SHORT_INTEREST_FILE } from '../lib/input-names.ts';
import { DayLockedError } from '../pipeline/day-lock.ts';
import { createAwsDeps, type PipelineDeps } from '../pipeline/deps.ts';
import { DayIncompleteError } from '../pipeline/ingest.ts';
import { incomingKey, type SourceName, siteSnapshotKey } from '../pipeline/keys.ts';
import { type PublishResult, SanityGateError } from '../pipeline/publish.ts';
import { RunLockedError, runLockExpiry } from '../pipeline/run-lock.ts';
import { type BackfillPlan, DAY_STEPS, NEXT_CHUNK_EVENT, RUN_STEPS, type StepName } from '../pipeline/steps.ts';
import { startEmulators } from './emulators.ts';
import { createDayInvokers, type DayInvokers, isBackfillPlan, objectCreatedEvent } from './lambda.ts';
import { buildLocalSite, type SiteBuildResult, type StaticServer, startStaticServer } from './site.ts';

export const DEFAULT_PORT = 4321;

export interface DayWalk {
  /** Each step's output, by step, for the steps that ran. */
  outputs: { ingest?: IngestResult; compute?: ComputeResult; publish?: PublishResult };
  /** The steps that ran, in order. */
  ran: StepName[];
}

export interface DayStepOptions {
  /** The handlers to invoke (default: `createDayInvokers(deps)`, the real ones); the benchmark wraps them. */
  invokers?: DayInvokers;
  /** The run's id (the day lock's owner), as a Lambda's `newRunId` would draw it; default: deps' own. */
  runId?: string;
  onStep?: (step: StepName) => void;
  /**
   * False: publish is handed compute's result without its stock files (issue 19), which the caller publishes
   * once later (`runLocal` after a catch-up of many days: one day's stock files replace the previous day's).
   */
  withStocks?: boolean;
  /**
   * The run lock's waiting (functions/pipeline/run-lock.ts): try again every `waitMs` (default
   * LOCAL_RUN_LOCK_WAIT_MS) while another run holds it, for at most `patienceMs` (LOCAL_RUN_LOCK_PATIENCE_MS).
   */
  runLock?: { waitMs?: number; patienceMs?: number };
  /** Called once the run lock is taken, with its owner (the race test records the order runs got it in). */
  onLock?: (owner: string) => void;
}

/**
 * On one machine a run waits for another in the same process (the emulators' lock file keeps other processes
 * off a state folder), which holds it seconds to minutes: tries every 250 ms, for up to 30 min (a whole
 * catch-up's day is minutes). Every local run of `npm start` and `pulse upload-history` has the one owner
 * LOCAL_RUN_ID, so a lock left by a stopped process is re-entered, never waited for.
 */
export const LOCAL_RUN_LOCK_WAIT_MS = 250;
export const LOCAL_RUN_LOCK_PATIENCE_MS = 30 * 60 * 1000;

/**
 * Runs DAY_STEPS in order on one execution input (a trading day `{ date }`, or the S3 "Object Created"
 * event of a drop: `objectCreatedEvent`), as the state machine does: each step is its Lambda handler,
 * given the previous step's result as its event; `skipped` ends the day. A backfill `{ from, to }` is
 * `runExecution`'s.
 */
export function runDaySteps(deps: PipelineDeps, event: unknown, options: DayStepOptions = {}): Promise<DayWalk> {
  return underRunLock(deps, options, () => daySteps(deps, event, options));
}

/**
 * Runs `work` as one execution under the run lock (functions/pipeline/run-lock.ts), as the state machine does:
 * taken before the first step (waiting `waitMs` between tries while another run holds it, for at most
 * `patienceMs`, then `RunLockedError`), given back at the end, failed or not. The owner is the run's id
 * (`options.runId`), or one drawn for this execution.
 */
async function underRunLock<T>(deps: PipelineDeps, options: DayStepOptions, work: () => Promise<T>): Promise<T> {
  const owner = options.runId ?? `local-${randomUUID()}`;
  const waitMs = options.runLock?.waitMs ?? LOCAL_RUN_LOCK_WAIT_MS;
  const patienceMs = options.runLock?.patienceMs ?? LOCAL_RUN_LOCK_PATIENCE_MS;
  const startedAt = new Date();
  for (;;) {
    const now = new Date();
    const taken = await deps.table.acquireRunLock(owner, runLockExpiry(startedAt), now.toISOString());
    if (taken.acquired) break;
    if (now.getTime() - startedAt.getTime() >= patienceMs) throw new RunLockedError(owner, taken.heldBy);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  options.onLock?.(owner);
  try {
    return await work();
  } finally {
    await deps.table.releaseRunLock(owner);
  }
}

async function daySteps(deps: PipelineDeps, event: unknown, options: DayStepOptions): Promise<DayWalk> {
  const runId = options.runId;
  const withRun: PipelineDeps = runId === undefined ? deps : { ...deps, newRunId: () => runId };
  const invokers = options.invokers ?? createDayInvokers(withRun);
  const walk: DayWalk = { outputs: {}, ran: [] };
  const enter = (step: StepName) => {
    options.onStep?.(step);
    walk.ran.push(step);
  };
  for (const step of DAY_STEPS) {
    switch (step.name) {
      case 'ingest': {
        enter('ingest');
        const output = await invokers.ingest(event);
        if (isBackfillPlan(output)) throw new Error('runDaySteps: a backfill { from, to } is run by runExecution');
        walk.outputs.ingest = output;
        if (output.skipped) return walk;
        break;
      }
      case 'compute': {
        if (!walk.outputs.ingest) throw new Error('the state machine runs compute after ingest');
        enter('compute');
        walk.outputs.compute = await invokers.compute(walk.outputs.ingest);
        if (walk.outputs.compute.skipped) return walk;
        break;
      }
      case 'publish': {
        if (!walk.outputs.compute) throw new Error('the state machine runs publish after compute');
        enter('publish');
        const { stocks: _stocks, ...withoutStocks } = walk.outputs.compute;
        walk.outputs.publish = await invokers.publish(
          options.withStocks === false ? withoutStocks : walk.outputs.compute,
        );
        // Issue 20 item 3: compute folded a long run in chunks; as the state machine's loop does, compute the
        // next chunk and publish it, until the last. The walk reports every chunk's days.
        const published = [...walk.outputs.publish.published];
        const restated = [...walk.outputs.compute.restated];
        const rejectedDays = [...walk.outputs.compute.rejectedDays];
        while (walk.outputs.publish.more === true && !walk.outputs.publish.skipped) {
          const { date, runId } = walk.outputs.publish;
          enter('compute');
          walk.outputs.compute = await invokers.compute(nextChunkEvent(date, runId));
          if (walk.outputs.compute.skipped) break;
          enter('publish');
          const { stocks: _s, ...chunkWithoutStocks } = walk.outputs.compute;
          walk.outputs.publish = await invokers.publish(
            options.withStocks === false ? chunkWithoutStocks : walk.outputs.compute,
          );
          published.push(...walk.outputs.publish.published);
          restated.push(...walk.outputs.compute.restated);
          rejectedDays.push(...walk.outputs.compute.rejectedDays);
        }
        walk.outputs.publish = { ...walk.outputs.publish, published };
        walk.outputs.compute = { ...walk.outputs.compute, restated, rejectedDays };
        if (walk.outputs.publish.skipped) return walk;
        break;
      }
      default:
        throw new Error(`the local runner has no implementation of the day step "${step.name}"`);
    }
  }
  return walk;
}

/**
 * Compute's event for a run's next chunk (issue 20 item 3): the run's day and id, nothing ingested; the state
 * machine's `ComputeNextChunk` state passes the same.
 */
export function nextChunkEvent(date: IsoDate, runId: string): IngestResult {
  return { ...NEXT_CHUNK_EVENT, files: [], rejections: [], date, runId };
}

/** What `runExecution` did with a backfill `{ from, to }`: the plan, each day's ingest, then compute and publish once. */
export interface BackfillWalk {
  plan: BackfillPlan;
  /** Each planned date's ingest from the archive (`{ date, archiveOnly: true }`), in order. */
  ingests: IngestResult[];
  /** Compute and publish on the plan's summary, once every day is ingested. */
  steps: DayWalk;
}

/**
 * One state machine execution's day steps (infra/constructs/pipeline-state-machine.ts, the `Route`
 * choice). Any input but a backfill is one day (`runDaySteps`). A backfill `{ from, to }` (issue 18) is
 * planned by the ingest handler (only the days whose prices are archived), then each planned date is ingested
 * from the raw archive, one at a time, as the Map state does with `{ date, archiveOnly: true }`; then compute
 * folds every ingested day at once from the plan's summary, and publish writes every snapshot.
 */
export async function runExecution(
  deps: PipelineDeps,
  input: unknown,
  options: DayStepOptions = {},
): Promise<{ plan: null; days: DayWalk[] } | ({ days: [] } & BackfillWalk)> {
  const isBackfill = typeof input === 'object' && input !== null && 'from' in input;
  if (!isBackfill) return { plan: null, days: [await runDaySteps(deps, input, options)] };
  return underRunLock(deps, options, () => backfillSteps(deps, input, options));
}

async function backfillSteps(deps: PipelineDeps, input: unknown, options: DayStepOptions) {
  const invokers = options.invokers ?? createDayInvokers(deps);
  options.onStep?.('ingest');
  const plan = await invokers.ingest(input);
  if (!isBackfillPlan(plan)) throw new Error('ingest answered a backfill event with a day result, not a plan');
  const ingests: IngestResult[] = [];
  for (const date of plan.dates) {
    options.onStep?.('ingest');
    const output = await invokers.ingest({ date, archiveOnly: true });
    if (isBackfillPlan(output)) throw new Error('ingest answered a day event with a plan');
    ingests.push(output);
  }
  const steps = await daySteps(deps, null, {
    ...options,
    invokers: { ...invokers, ingest: async () => plan.summary as IngestResult },
  });
  return { plan, days: [] as [], ingests, steps };
}

// ---------------------------------------------------------------- the run

export type DayOutcome = 'published' | 'refused' | 'failed' | 'skipped';

export interface DayReport {
  /** The trading day, or the dropped file for a drop. */
  label: string;
  date: IsoDate;
  kind: 'day' | 'drop';
  outcome: DayOutcome;
  /** One line per problem: file/line/field and reason. */
  problems: string[];
  /** Snapshots published (restated days included). */
  published: IsoDate[];
  restated: IsoDate[];
}

export type RunEvent =
  | { kind: 'emulators'; dir: string }
  | { kind: 'plan'; days: number; done: number; toRun: number; drops: number }
  | { kind: 'step'; step: StepName; label: string }
  | { kind: 'day'; report: DayReport }
  | { kind: 'site'; built: boolean; exported: number; outDir: string }
  | { kind: 'serving'; urls: SiteUrls };

export interface SiteUrls {
  page: string;
  rss: string;
  latest: string;
}

export interface RunLocalOptions {
  inputDir: string;
  stateDir: string;
  /** Default: env PORT, else 4321; 0 = any free port. */
  port?: number;
  /** Interface to serve on (default 127.0.0.1; `0.0.0.0` to reach it from another machine or a container). */
  host?: string;
  /** Serve the site after the build (default true). */
  serve?: boolean;
  /** Run the once-per-run steps (the site build); default true. */
  site?: boolean;
  /** Trading days between a settlement date and the release of its file (default 7, as FINRA). */
  shortInterestLag?: number;
  onProgress?: (event: RunEvent) => void;
  /** Forwarded warnings and errors of the services' structured logs. */
  log?: Log;
  /** Test hook: e.g. wrap the ports with counters. */
  wrapDeps?: (deps: PipelineDeps) => PipelineDeps;
  /** Leave the emulators running when not serving (the caller inspects them, then calls stop()). */
  keepEmulators?: boolean;
}

export interface LocalRun {
  reports: DayReport[];
  /** Days of the input already done by an earlier run (nothing was redone for them). */
  resumed: number;
  site: SiteBuildResult | null;
  server: StaticServer | null;
  urls: SiteUrls | null;
  deps: PipelineDeps;
  /** Stops the server and the emulators (idempotent). */
  stop(): Promise<void>;
}

interface InputPlan {
  tradingDays: IsoDate[];
  /** Files that arrive as drops: dated on a closed day, or published after the last trading day. */
  drops: { date: IsoDate; source: SourceName; file: string; location: string }[];
  /** A second snapshot of a day (`.json` beside `.json.gz`): not read, reported (issue 17), as rule 2 reports it in `build`. */
  notRead: { date: IsoDate; file: string; reason: string }[];
}

function planInput(inputDir: string, lag: number): InputPlan {
  const tradingDays: IsoDate[] = [];
  const drops: InputPlan['drops'] = [];
  const names = listFolder(path.join(inputDir, 'prices')).files;
  const later = laterSnapshotsOfADay(names);
  const notRead: InputPlan['notRead'] = later.map(({ date, file, first }) => ({
    date,
    file,
    reason: `another snapshot of ${date} (${first}) is in the folder: only the first in name order is read (pulse build's rule 2 rejects the second as a duplicate)`,
  }));
  const skipped = new Set(later.map((l) => l.file));
  for (const name of names) {
    const date = PRICE_FILE.exec(name)?.[1];
    if (!date || skipped.has(name)) continue;
    if (isTradingDay(date)) tradingDays.push(date);
    else drops.push({ date, source: 'prices', file: name, location: path.join(inputDir, 'prices', name) });
  }
  // A calendar of a day the run does not ingest (a closed day, a day without prices) arrives as a drop, so
  // the run reads every calendar file of the folder, as `pulse build` does.
  const trading = new Set(tradingDays);
  for (const name of listFolder(path.join(inputDir, 'split-calendar')).files) {
    const date = SPLIT_CALENDAR_FILE.exec(name)?.[1];
    if (!date || trading.has(date)) continue;
    drops.push({ date, source: 'split-calendar', file: name, location: path.join(inputDir, 'split-calendar', name) });
  }
  const last = tradingDays.at(-1);
  if (last !== undefined) {
    for (const name of listFolder(path.join(inputDir, 'short-interest')).files) {
      const m = SHORT_INTEREST_FILE.exec(name);
      if (!m) continue;
      const settlement = `${m[1]}-${m[2]}-${m[3]}`;
      // What the folder provider has not released by the last day: FINRA publishes it later.
      if (settlement > last || addTradingDays(settlement, lag) > last) {
        drops.push({
          date: last,
          source: 'short-interest',
          file: name,
          location: path.join(inputDir, 'short-interest', name),
        });
      }
    }
  }
  drops.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.file < b.file ? -1 : 1));
  return { tradingDays, drops, notRead };
}

function describeRejection(r: Rejection): string {
  return `${r.file}${r.line > 0 ? `:${r.line}` : ''} [${r.field}] ${r.reason}`;
}

/**
 * The one run id of every local run (issue 20 item 2): the emulators' lock file lets one process use a state
 * folder at a time, so any day lock found there is a stopped local run's (Ctrl-C, a crash), which the next run
 * re-enters instead of waiting for it to expire.
 */
export const LOCAL_RUN_ID = 'local';

/** What went wrong with a day, as lines naming file, line, field and reason. */
function problemsOf(error: unknown): string[] | null {
  // Another process's run holds the day (a state folder shared against the lock file): a failed day, listed.
  if (error instanceof DayLockedError || error instanceof RunLockedError) return [error.message];
  if (error instanceof DayIncompleteError) {
    const lines = error.result.rejections.map(describeRejection);
    for (const f of error.result.files) {
      if (f.source === 'prices' && f.status !== 'accepted' && f.status !== 'duplicate' && f.status !== 'present') {
        const line = `${f.file} [prices] ${f.status}${f.reason ? `: ${f.reason}` : ''}`;
        if (!lines.some((l) => l.startsWith(`${f.file} `) || l.startsWith(`${f.file}:`))) lines.push(line);
      }
    }
    return lines.length > 0 ? lines : [error.message];
  }
  if (error instanceof SanityGateError) return error.issues.map((i) => `publish refused (${error.gate}): ${i}`);
  if (error instanceof Error && (error.name === 'FormatError' || error.name === 'EventValidationError')) {
    return [error.message];
  }
  return null;
}

function reportOf(label: string, date: IsoDate, kind: DayReport['kind'], walk: DayWalk): DayReport {
  const { ingest, compute, publish } = walk.outputs;
  const problems = [
    ...(ingest?.rejections ?? []).map(describeRejection),
    ...(compute?.rejectedDays ?? []).map((r) => `${r.file} [day] refused by rule 2: ${r.reason}`),
  ];
  const published = publish && !publish.skipped ? (publish.published ?? []) : [];
  const refused = (compute?.rejectedDays ?? []).some((r) => r.date === date);
  const outcome: DayOutcome =
    published.length > 0 ? 'published' : refused || problems.length > 0 ? 'refused' : 'skipped';
  return { label, date, kind, outcome, problems, published, restated: compute?.restated ?? [] };
}

/**
 * A trading day is done when publish finished it, or compute refused it by rule 2 (nothing to publish), or — after
 * a backfill, whose one publish writes every day but records only its last — when its prices were ingested and
 * its snapshot is on the site (issue 18: `pulse run` after `pulse upload-history` redoes nothing).
 */
async function isDone(deps: PipelineDeps, date: IsoDate): Promise<boolean> {
  const day = await deps.table.getDay(date);
  if (day?.steps.publish?.state === 'done' || day?.steps.compute?.state === 'refused') return true;
  return day?.steps.ingest?.state === 'done' && (await deps.site.head(siteSnapshotKey(date))) !== undefined;
}

const quietLog = (forward?: Log): Log => ({
  debug() {},
  info() {},
  warn: (message, ...extra) => forward?.warn(message, ...extra),
  error: (message, ...extra) => forward?.error(message, ...extra),
});

function portFrom(option: number | undefined): number {
  if (option !== undefined) return option;
  const env = process.env.PORT;
  if (env === undefined || env.trim() === '') return DEFAULT_PORT;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be a port number, got ${env}`);
  return n;
}

export async function runLocal(options: RunLocalOptions): Promise<LocalRun> {
  const inputDir = path.resolve(options.inputDir);
  const stateDir = path.resolve(options.stateDir);
  if (!existsSync(path.join(inputDir, 'prices'))) {
    throw new Error(`${inputDir} has no prices/ folder (input folder convention: docs/data-formats.md)`);
  }
  const lag = options.shortInterestLag ?? 7;
  const port = portFrom(options.port);
  const emit = options.onProgress ?? (() => {});
  const emulatorsDir = path.join(stateDir, 'emulators');
  const emulators = await startEmulators({ dir: emulatorsDir });
  let server: StaticServer | null = null;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server?.close();
    await emulators.stop();
  };

  try {
    emit({ kind: 'emulators', dir: emulatorsDir });
    const sample = existsSync(path.join(inputDir, SAMPLE_MANIFEST_FILE));
    const siteUrl = `http://localhost:${port === 0 ? DEFAULT_PORT : port}`;
    const base = createAwsDeps({
      ...emulators.env,
      PROVIDERS: 'folder',
      INPUT_DIR: inputDir,
      SHORT_INTEREST_LAG_DAYS: String(lag),
      SITE_URL: siteUrl,
      SAMPLE_DATA: sample ? 'true' : 'false',
    });
    // One runner, one day at a time: no concurrent ingest for compute to wait for in the ledger index.
    const local: PipelineDeps = { ...base, log: quietLog(options.log), config: { ...base.config, ledgerOverlapMs: 0 } };
    const deps = options.wrapDeps ? options.wrapDeps(local) : local;

    const plan = planInput(inputDir, lag);
    const done = new Set<IsoDate>();
    for (let i = 0; i < plan.tradingDays.length; i += 25) {
      const batch = plan.tradingDays.slice(i, i + 25);
      const flags = await Promise.all(batch.map((d) => isDone(deps, d)));
      batch.forEach((d, j) => {
        if (flags[j]) done.add(d);
      });
    }
    const drops: InputPlan['drops'] = [];
    for (const drop of plan.drops) {
      if ((await deps.table.listFileVersions(drop.source, drop.file)).length === 0) drops.push(drop);
    }
    const toRun = plan.tradingDays.filter((d) => !done.has(d));
    emit({ kind: 'plan', days: plan.tradingDays.length, done: done.size, toRun: toRun.length, drops: drops.length });

    const reports: DayReport[] = [];
    for (const n of plan.notRead) {
      const report: DayReport = {
        label: n.file,
        date: n.date,
        kind: 'drop',
        outcome: 'refused',
        problems: [`${n.file} [prices] not read: ${n.reason}`],
        published: [],
        restated: [],
      };
      reports.push(report);
      emit({ kind: 'day', report });
    }
    // Issue 19: the stock files (one file per stock, ≈ 3,000 on the sample) are published once, after the
    // catch-up, from the newest compute result that has them: every day's would replace the previous day's.
    let stockRun: ComputeResult | null = null;
    const runOne = async (label: string, date: IsoDate, kind: DayReport['kind'], event: unknown) => {
      let report: DayReport;
      try {
        const walk = await runDaySteps(deps, event, {
          runId: LOCAL_RUN_ID,
          onStep: (step) => emit({ kind: 'step', step, label }),
          withStocks: false,
        });
        const computed = walk.outputs.compute;
        if (computed?.stocks && walk.outputs.publish && !walk.outputs.publish.skipped) stockRun = computed;
        report = reportOf(label, date, kind, walk);
      } catch (error) {
        const problems = problemsOf(error);
        if (problems === null) throw error;
        report = { label, date, kind, outcome: 'failed', problems, published: [], restated: [] };
      }
      reports.push(report);
      emit({ kind: 'day', report });
    };
    const drop = async (d: InputPlan['drops'][number]) => {
      const key = incomingKey(d.file);
      const bytes = readFileSync(d.location);
      await deps.raw.put(key, bytes, { contentType: 'application/octet-stream' });
      await runOne(d.file, d.date, 'drop', objectCreatedEvent(deps.raw.bucket, key, { size: bytes.byteLength }));
    };

    let next = 0;
    for (const date of toRun) {
      while (next < drops.length && (drops[next]?.date as IsoDate) < date)
        await drop(drops[next++] as (typeof drops)[0]);
      await runOne(date, date, 'day', { date });
    }
    while (next < drops.length) await drop(drops[next++] as (typeof drops)[0]);
    if (stockRun !== null) {
      const run: ComputeResult = stockRun;
      emit({ kind: 'step', step: 'publish', label: `stock files ${run.stocks?.asOf}` });
      await createDayInvokers({ ...deps, newRunId: () => LOCAL_RUN_ID }).publish(run);
    }

    let site: SiteBuildResult | null = null;
    let urls: SiteUrls | null = null;
    if (options.site !== false) {
      for (const step of RUN_STEPS) {
        emit({ kind: 'step', step: step.name, label: 'run' });
        if (step.name !== 'build-site') {
          throw new Error(`the local runner has no implementation of the run step "${step.name}"`);
        }
        site = await buildLocalSite({ site: deps.site, stateDir, siteUrl });
        emit({ kind: 'site', built: site.built, exported: site.exported, outDir: site.outDir });
      }
      if (options.serve !== false && site) {
        server = await startStaticServer({
          root: site.outDir,
          port,
          headers: headersForPath,
          ...(options.host ? { host: options.host } : {}),
        }).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
          throw new Error(
            `port ${port} is already in use: set PORT or --port to another one (the site is built in ${site?.outDir})`,
          );
        });
        urls = { page: `${server.url}/`, rss: `${server.url}/rss.xml`, latest: `${server.url}/data/latest.json` };
        emit({ kind: 'serving', urls });
      }
    }
    if (!server && options.keepEmulators !== true) await stop();
    return { reports, resumed: done.size, site, server, urls, deps, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
