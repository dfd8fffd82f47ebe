/**
 * Methodology v1 (docs/methodology.md): short sellers' mark-to-market P&L by tier, sector and stock.
 * Pure: no I/O, no clock; the as-of date is an argument.
 */
export {
  type AdvanceOptions,
  type AdvanceResult,
  type Advancing,
  advance,
  type DayOutcome,
  startAdvance,
} from './advance.ts';
export {
  type BatchFold,
  type BatchOptions,
  type BuildInput,
  type BuildResult,
  buildSnapshot,
  buildSnapshotFrom,
  startBatch,
} from './batch.ts';
export { classifyDays, type DayRejection, rejectionReason } from './classify.ts';
export {
  classifyDay,
  cloneState,
  fileInEffect,
  initialState,
  LOOKAHEAD_DAYS,
  lookaheadDay,
  RING,
  recordRejectedDay,
  stepDay,
} from './engine.ts';
export { historyRows } from './figures.ts';
export { snapshotAt } from './snapshot.ts';
export { CANDIDATE_FACTORS, describeFactor } from './splits.ts';
export { EngineStateError, parseEngineState, settlementsNeeded } from './state.ts';
export { tierOf } from './tiers.ts';
export {
  type DayFigures,
  type DayRecord,
  type EngineState,
  type LookaheadDay,
  MethodologyError,
  type PendingSplit,
  type SnapshotBody,
  type SplitEvent,
  type StepContext,
  type StepResult,
  type TierDayFigures,
} from './types.ts';
