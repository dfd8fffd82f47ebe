/**
 * The one fold (issue 12): rule 2 (`classifyDay`), then the engine (`stepDay`), day after day, from any
 * state. `pulse build` (`startBatch`) runs it from the initial state over every day; the pipeline's compute
 * resumes it from a checkpoint over the days that are new or restated, and runs it a second time with
 * rule 3(b)'s look-ahead for the snapshots of earlier days. Pure: the caller reads the days and the short
 * interest files; the fold never does I/O and keeps no reference to a day once `add` returns.
 */
import type { IsoDate, PriceDay, ShortInterestFile, SplitOverride } from '../domain.ts';
import type { DayRejection } from './classify.ts';
import { classifyDay, hasUnseenSymbol, recordRejectedDay, stepDay } from './engine.ts';
import type { SecurityType } from './securities.ts';
import { settlementsNeeded } from './state.ts';
import type { DayRecord, EngineState, LookaheadDay, StepContext } from './types.ts';

export interface AdvanceOptions {
  /** splits.csv overrides and split calendar entries (rule 3c). */
  splits: readonly SplitOverride[];
  /** securities.csv overrides of rule 12 (v2). */
  securities?: ReadonlyMap<string, SecurityType>;
}

/** What one candidate day did to the fold. */
export interface DayOutcome {
  date: IsoDate;
  file: string;
  /** Rule 2's reason when the day was refused (recorded in the state), else null. */
  rejected: string | null;
  /** The day's record (null when refused, and for the very first accepted day: rule 7). */
  record: DayRecord | null;
  /** Earlier days recomputed because a pending split was decided on this day (oldest first). */
  restated: DayRecord[];
}

export interface AdvanceResult {
  /** The state after the last day: the fold goes on from here (a checkpoint). */
  state: EngineState;
  /** The records of the days folded here, in order, each replaced by its latest restatement. */
  records: DayRecord[];
  /** Rule 2's refusals among the days folded here (also recorded in the state). */
  rejected: DayRejection[];
  /** Rule 2's verdict on each day folded here, in order. */
  outcomes: { date: IsoDate; accepted: boolean }[];
  /** Days (folded here or before) whose record a split decided here restated, ascending. */
  restated: IsoDate[];
}

/** The fold one day at a time: what `advance` does, for callers that read days lazily. */
export interface Advancing {
  /** The state reached so far (stepped in place: copy it with `cloneState` to keep it). */
  readonly state: EngineState;
  /** Rule 2's verdict on each day added so far, in order (the list itself, grown by `add`). */
  readonly outcomes: readonly { date: IsoDate; accepted: boolean }[];
  /**
   * The settlement dates of the short interest files the engine reads to step `day` when `inEffect` is the
   * one in effect on it (rule 4): every other file may be passed to `add` as an empty stand-in.
   */
  settlementsFor(day: PriceDay, inEffect: IsoDate | null, cycle?: IsoDate | null): IsoDate[];
  /**
   * Rule 2 then the engine for the next candidate day. `shortInterest`: the files (revisions merged), at
   * least those `settlementsFor` names; `lookahead`: the next accepted days' share counts for rule 3(b)
   * (none in `pulse build` and the pipeline's own fold, which decide a held split when its day comes).
   */
  add(day: PriceDay, shortInterest: readonly ShortInterestFile[], lookahead?: readonly LookaheadDay[]): DayOutcome;
  /** What the fold did so far. */
  result(): AdvanceResult;
}

/** Starts the fold from `state`, which it then steps in place. */
export function startAdvance(state: EngineState, options: AdvanceOptions): Advancing {
  let current = state;
  const records: DayRecord[] = [];
  const position = new Map<IsoDate, number>();
  const rejected: DayRejection[] = [];
  const outcomes: { date: IsoDate; accepted: boolean }[] = [];
  const restated = new Set<IsoDate>();
  return {
    get state() {
      return current;
    },
    outcomes,
    settlementsFor(day, inEffect, cycle = null) {
      return settlementsNeeded(current, inEffect, hasUnseenSymbol(current, day), cycle);
    },
    add(day, shortInterest, lookahead = []) {
      const reason = classifyDay(current, day);
      if (reason !== null) {
        const rejection = { date: day.date, file: day.file, reason };
        recordRejectedDay(current, rejection);
        rejected.push(rejection);
        outcomes.push({ date: day.date, accepted: false });
        return { date: day.date, file: day.file, rejected: reason, record: null, restated: [] };
      }
      const ctx: StepContext = {
        shortInterest,
        splits: options.splits,
        lookahead,
        ...(options.securities ? { securities: options.securities } : {}),
      };
      const stepped = stepDay(current, day, ctx);
      current = stepped.state;
      outcomes.push({ date: day.date, accepted: true });
      for (const r of stepped.restated) {
        restated.add(r.date);
        const at = position.get(r.date);
        if (at !== undefined) records[at] = r;
      }
      if (stepped.day) {
        position.set(stepped.day.date, records.length);
        records.push(stepped.day);
      }
      return { date: day.date, file: day.file, rejected: null, record: stepped.day, restated: stepped.restated };
    },
    result() {
      return { state: current, records, rejected, outcomes, restated: [...restated].sort() };
    },
  };
}

/**
 * Resumes the fold at `state` (the initial state, or a checkpoint) over `days` in (date, file) order, with
 * every short interest file (revisions merged): the records, rule 2's refusals and the restated days.
 * `advance(advance(s, a).state, b)` equals `advance(s, a ++ b)` in state and in the records of `b`.
 */
export function advance(
  state: EngineState,
  days: Iterable<PriceDay>,
  shortInterest: readonly ShortInterestFile[],
  options: AdvanceOptions,
): AdvanceResult {
  const fold = startAdvance(state, options);
  for (const day of days) fold.add(day, shortInterest);
  return fold.result();
}
