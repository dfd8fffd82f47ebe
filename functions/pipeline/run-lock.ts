/**
 * The run lock (issue 20 item 1): one execution at a time, whole.
 *
 * Compute's journal, `history.json`, `latest.json`, the feed and the cursor are read, changed and written back
 * by each run; the day lock (./day-lock.ts) only keeps two runs off one date. Three consecutive days started
 * together (a file drop during the daily run, an operator's re-run, a backfill crossing 19:30, a bulk upload to
 * `incoming/`) could each read the same journal and history and write back over one another. So an execution
 * takes this lock before its first step and keeps it to its end, success or failure: runs are serialized
 * whole, ingest included, and the state each leaves is the one a sequential run in the same order leaves
 * (test/reliability/run-race.test.ts).
 *
 * One item, `PIPELINE` / `RUN` (keys.ts RUN_LOCK_KEY): the owner (the execution's id) and when the lock
 * expires (an ISO timestamp: Step Functions' context gives times as ISO strings, which order as they compare).
 * Taken with one conditional update (`RUN_LOCK_ACQUIRE`): free, expired or already the caller's. In AWS the
 * state machine runs that update itself (a DynamoDB task, infra/constructs/pipeline-state-machine.ts, with these
 * very strings) and releases the lock at every end; on one machine the local runner does the same through
 * `PipelineTable.acquireRunLock` (functions/local/runner.ts `runExecution`).
 *
 * Expiry: the execution's start plus its timeout (`EXECUTION_TIMEOUT_MS`), the moment Step Functions would
 * stop it anyway, so a lock is never held longer than its execution can live. Every ending the state machine's
 * Catch reaches releases it; for those it cannot reach (stopped from outside, an error no Catch sees, a release
 * that failed), a waiting execution asks Step Functions whether the owner still runs and, if not, takes the lock
 * over (`RUN_LOCK_TAKE_OVER`). Never redrive an execution: a redrive resumes inside the body without the lock.
 *
 * Pure data and the one error: no AWS SDK, so infra code and the adapters can import it.
 */

/** Longest life of one execution (the state machine's timeout), and so of its run lock. */
export const EXECUTION_TIMEOUT_MS = 12 * 60 * 60 * 1000;

/** While another execution holds the lock, a waiting one tries again after this long (AWS: a Wait state). */
export const RUN_LOCK_WAIT_MS = 60 * 1000;

/** The condition and update of taking the lock (`:owner`, `:expires`, `:now`); shared by the adapter and the ASL. */
export const RUN_LOCK_ACQUIRE = {
  update: 'SET runOwner = :owner, runExpiresAt = :expires',
  condition: 'attribute_not_exists(runOwner) OR runExpiresAt < :now OR runOwner = :owner',
} as const;

/**
 * Taking over a lock whose owner is no longer running (`:stale`, read just before): an execution that ended
 * without giving it back (stopped from outside, an error no Catch sees, a failed release). The state machine
 * checks the owner with DescribeExecution first (`CheckRunLockOwner`); the condition makes sure it is still that
 * owner's, so of two waiters taking over at once exactly one does.
 */
export const RUN_LOCK_TAKE_OVER = {
  update: 'SET runOwner = :owner, runExpiresAt = :expires',
  condition: 'runOwner = :stale',
} as const;

/** The condition and update of giving it back (`:owner`): only its owner does. */
export const RUN_LOCK_RELEASE = {
  update: 'REMOVE runOwner, runExpiresAt',
  condition: 'runOwner = :owner',
} as const;

export interface RunLock {
  /** The execution's id (`$$.Execution.Id`), or the local runner's run id. */
  owner: string;
  /** ISO timestamp (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
  expiresAt: string;
}

export type RunLockResult = { acquired: true; lock: RunLock } | { acquired: false; heldBy: RunLock | null };

/** When an execution started at `startedAt` must have let go of the lock. */
export function runLockExpiry(startedAt: Date): string {
  return new Date(startedAt.getTime() + EXECUTION_TIMEOUT_MS).toISOString();
}

/** Another execution holds the run lock and did not let go within the caller's patience. */
export class RunLockedError extends Error {
  readonly heldBy: RunLock | null;
  constructor(owner: string, heldBy: RunLock | null) {
    const holder = heldBy ? `${heldBy.owner} until ${heldBy.expiresAt}` : 'another run';
    super(`run ${owner}: the pipeline is being run by ${holder}; runs are serialized (the run lock)`);
    this.name = 'RunLockedError';
    this.heldBy = heldBy;
  }
}
