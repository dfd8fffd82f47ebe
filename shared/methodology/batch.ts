/**
 * `pulse build`: the one fold (`startAdvance`: rule 2 via `classifyDay`, then `stepDay`) from the initial
 * state over the candidate days in date order, then the snapshot at A. The daily pipeline runs the same functions
 * one day at a time, with no look-ahead either, so the two agree bit for bit.
 *
 * `startBatch` is the fold itself, fed one day at a time: a caller that reads days from disk can drop
 * each day once `add` returns, so memory holds the engine state (per symbol), not the input (per
 * symbol-day). `buildSnapshot` is the same fold over an array.
 */
import type { IsoDate, PriceDay, ShortInterestFile, SplitOverride } from '../domain.ts';
import type { HistoryRow } from '../snapshot/schema.ts';
import { startAdvance } from './advance.ts';
import { initialState } from './engine.ts';
import { historyRows } from './figures.ts';
import type { SecurityType } from './securities.ts';
import { snapshotAt } from './snapshot.ts';
import { type StockOutput, startStockRecorder } from './stocks.ts';
import { type EngineState, MethodologyError, type MethodologyVersion, type SnapshotBody } from './types.ts';

export interface BatchOptions {
  shortInterest: readonly ShortInterestFile[];
  splits: readonly SplitOverride[];
  /** Compute as of the last accepted day ≤ this date; later files are ignored entirely (decision). */
  asOf?: IsoDate;
  /** 3 (default): rules 1–12 with v3's join, split flags and tier as of A; 2 and 1 reproduce v2 and v1. */
  methodology?: MethodologyVersion;
  /** securities.csv overrides of rule 12. */
  securities?: ReadonlyMap<string, SecurityType>;
  /**
   * Called after each accepted day with the state (read it, do not keep or change it): `pulse build` gates
   * every day it folds, as the pipeline does when it publishes each day (issue 17).
   */
  onAccepted?: (state: EngineState) => void;
  /** Also record every stock's daily series and figures for `/data/stocks/` (issue 19; `result.stocks`). */
  stocks?: boolean;
}

export interface BuildInput extends BatchOptions {
  days: readonly PriceDay[];
}

export interface BuildResult {
  body: SnapshotBody;
  /** One row per counted day ≤ A: each group's 1d and ytd figures as of that day. */
  history: HistoryRow[];
  /** The engine state at A (for callers that continue day by day). */
  state: EngineState;
  /** With `stocks: true`: every stock with short interest in the year to date (shared/methodology/stocks.ts). */
  stocks?: StockOutput;
}

/** `buildSnapshot` one day at a time. */
export interface BatchFold {
  /**
   * Rule 2 then the engine for one candidate day. Days must come in (date, file) order, the order
   * `buildSnapshot` sorts them in; a day after `asOf` is skipped. The fold keeps no reference to
   * `day` or its rows once this returns.
   */
  add(day: PriceDay): void;
  /** The snapshot at A; the fold is spent afterwards. */
  finish(): BuildResult;
}

type DayKey = Pick<PriceDay, 'date' | 'file'>;

function byDateThenFile(a: DayKey, b: DayKey): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

export function startBatch(options: BatchOptions): BatchFold {
  const asOf = options.asOf;
  // Rule 4 with --as-of: files settled later cannot be in effect on any day ≤ A anyway.
  const shortInterest =
    asOf === undefined ? options.shortInterest : options.shortInterest.filter((f) => f.settlementDate <= asOf);
  const fold = startAdvance(initialState(options.methodology ?? 3), {
    splits: options.splits,
    ...(options.securities ? { securities: options.securities } : {}),
  });
  let previous: DayKey | null = null;
  let spent = false;
  const recorder = options.stocks === true ? startStockRecorder() : null;

  return {
    add(day) {
      if (spent) throw new MethodologyError('the batch is finished: no day can be added', { file: day.file });
      if (previous !== null && byDateThenFile(day, previous) < 0) {
        throw new MethodologyError(
          `days must come in (date, file) order: ${day.date} (${day.file}) after ${previous.date} (${previous.file})`,
          { file: day.file },
        );
      }
      previous = { date: day.date, file: day.file };
      if (asOf !== undefined && day.date > asOf) return;
      const outcome = fold.add(day, shortInterest);
      if (outcome.rejected === null && recorder) recorder.onDay(fold.result().state);
      if (outcome.rejected === null && options.onAccepted) options.onAccepted(fold.result().state);
    },
    finish() {
      if (spent) throw new MethodologyError('the batch is already finished');
      spent = true;
      // Every rejection is in the state, those after A included (issue 10: a stale file after the last good
      // day says why the snapshot is not newer); with --as-of, files after it were never read (rule 7).
      const { state, records } = fold.result();
      if (state.lastDate === null) {
        throw new MethodologyError(
          asOf === undefined ? 'no accepted trading day in the input' : `no accepted trading day on or before ${asOf}`,
        );
      }
      const body = snapshotAt(state);
      return {
        body,
        history: historyRows(records),
        state,
        ...(recorder ? { stocks: recorder.finish(state, body) } : {}),
      };
    },
  };
}

export function buildSnapshot(input: BuildInput): BuildResult {
  const fold = startBatch(input);
  for (const day of [...input.days].sort(byDateThenFile)) fold.add(day);
  return fold.finish();
}

/** `buildSnapshot` over days read lazily (already in (date, file) order): each day can be garbage after its step. */
export async function buildSnapshotFrom(
  days: Iterable<PriceDay> | AsyncIterable<PriceDay>,
  options: BatchOptions,
): Promise<BuildResult> {
  const fold = startBatch(options);
  for await (const day of days) fold.add(day);
  return fold.finish();
}
