/**
 * The pipeline's step list: the single source of truth for the order in which a day is processed.
 * The Step Functions definition (infra/constructs/pipeline-state-machine.ts) chains its tasks from
 * this list and the local runner (functions/local) walks the same list, so the two cannot drift;
 * test/infra/pipeline-stack.test.ts asserts the synthesized ASL's task order equals it.
 *
 * Pure data: no AWS SDK, no env, so infra code and the local runner can import it.
 */

export type StepName = 'ingest' | 'compute' | 'publish' | 'build-site';

export interface StepDefinition {
  readonly name: StepName;
  /** `lambda`: a function built from `entry`; `site-build`: the CodeBuild project (AWS) / `astro build` (local). */
  readonly kind: 'lambda' | 'site-build';
  /** Handler module, relative to the repository root (lambda steps only). */
  readonly entry?: string;
  /** Runs once per trading day (`day`) or once per execution after all days (`run`). */
  readonly scope: 'day' | 'run';
}

export const PIPELINE_STEPS: readonly StepDefinition[] = [
  { name: 'ingest', kind: 'lambda', entry: 'functions/ingest/handler.ts', scope: 'day' },
  { name: 'compute', kind: 'lambda', entry: 'functions/compute/handler.ts', scope: 'day' },
  { name: 'publish', kind: 'lambda', entry: 'functions/publish/handler.ts', scope: 'day' },
  { name: 'build-site', kind: 'site-build', scope: 'run' },
];

/** The per-day steps, in order (what a backfill replays for each date). */
export const DAY_STEPS: readonly StepDefinition[] = PIPELINE_STEPS.filter((s) => s.scope === 'day');

/** The steps that run once per execution, after the day steps. */
export const RUN_STEPS: readonly StepDefinition[] = PIPELINE_STEPS.filter((s) => s.scope === 'run');

/**
 * Error names (`error.name`, which Lambda reports as the error type) that a retry cannot fix: bad
 * input or a refused day. The state machine fails these at once instead of retrying with backoff.
 */
export const NON_RETRYABLE_ERRORS: readonly string[] = [
  'EventValidationError',
  'EnvError',
  'FormatError',
  'CalendarDateError',
  'KeyError',
  'DropBucketError',
  'SanityGateError',
  'HistoryUnreadableError',
];

/**
 * Error names that mean "the data is not out yet" (functions/pipeline/ingest.ts DayIncompleteError):
 * retried for hours, not seconds, before the run is declared failed.
 */
export const LATE_DATA_ERRORS: readonly string[] = ['DayIncompleteError'];

/**
 * Another run holds the day (functions/pipeline/day-lock.ts DayLockedError, issue 20 item 2): retried for longer
 * than a lock lives (`lockTtlMs`, 10 min), so a killed run's lock expires and the retry takes the day over, and a
 * live run finishes first; then the execution fails rather than succeed with nothing done.
 */
export const LOCKED_ERRORS: readonly string[] = ['DayLockedError'];

/**
 * What every day step's result has (the state machine passes each step's output as the next step's
 * input; each result is exactly the next step's event, checked strictly by functions/lib/events.ts):
 * - `date`: the trading day processed (YYYY-MM-DD, US/Eastern).
 * - `skipped: true`: nothing to do for this date (not a trading day, nothing new; another run holding the day
 *   is a `DayLockedError`, never a skip):
 *   the state machine ends the day there without running the later steps.
 */
export interface StepResult {
  date: string;
  skipped?: boolean;
}

/**
 * The output of ingest on a backfill request `{ from, to }` (functions/pipeline/ingest.ts `planBackfill`):
 * the dates with archived prices, which the Map state ingests from the archive in order; the trading days
 * without (reported); and compute's event for after the Map (compute then folds every ingested day at once).
 */
export interface BackfillPlan {
  dates: string[];
  missing: string[];
  summary: StepResult;
}

/**
 * Compute's event for a run's next chunk (issue 20 item 3), besides the run's `date` and `runId`: nothing
 * ingested. The state machine's `ComputeNextChunk` and the local runner (`nextChunkEvent`) pass it.
 */
export const NEXT_CHUNK_EVENT = {
  skipped: false,
  files: [],
  rows: 0,
  rejectedRows: 0,
  rejections: [],
  restateFrom: null,
  pricesReady: true,
} as const;
