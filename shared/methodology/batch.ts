/**
 * `pulse build`: the day-by-day engine folded over the candidate days in date order (rule 2 via
 * `classifyDay`, then `stepDay`), then the snapshot at A. The daily pipeline runs the same functions
 * one day at a time, with no look-ahead either, so the two agree bit for bit.
 */
import type { IsoDate, PriceDay, ShortInterestFile, SplitOverride } from '../domain.ts';
import type { HistoryRow } from '../snapshot/schema.ts';
import { classifyDay, initialState, recordRejectedDay, stepDay } from './engine.ts';
import { historyRows } from './figures.ts';
import { snapshotAt } from './snapshot.ts';
import { type DayRecord, type EngineState, MethodologyError, type SnapshotBody } from './types.ts';

export interface BuildInput {
  days: readonly PriceDay[];
  shortInterest: readonly ShortInterestFile[];
  splits: readonly SplitOverride[];
  /** Compute as of the last accepted day ≤ this date; later files are ignored entirely (decision). */
  asOf?: IsoDate;
}

export interface BuildResult {
  body: SnapshotBody;
  /** One row per counted day ≤ A: each group's 1d and ytd figures as of that day. */
  history: HistoryRow[];
  /** The engine state at A (for callers that continue day by day). */
  state: EngineState;
}

function byDateThenFile(a: PriceDay, b: PriceDay): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

export function buildSnapshot(input: BuildInput): BuildResult {
  const asOf = input.asOf;
  const candidates = (asOf === undefined ? [...input.days] : input.days.filter((d) => d.date <= asOf)).sort(
    byDateThenFile,
  );
  // Rule 4 with --as-of: files settled later cannot be in effect on any day ≤ A anyway.
  const shortInterest =
    asOf === undefined ? input.shortInterest : input.shortInterest.filter((f) => f.settlementDate <= asOf);
  const ctx = { shortInterest, splits: input.splits, lookahead: [] };

  let state = initialState();
  const rejected = [];
  const records: DayRecord[] = [];
  const position = new Map<IsoDate, number>();
  for (const day of candidates) {
    const reason = classifyDay(state, day);
    if (reason !== null) {
      rejected.push({ date: day.date, file: day.file, reason });
      continue;
    }
    const result = stepDay(state, day, ctx);
    state = result.state;
    for (const r of result.restated) {
      const at = position.get(r.date);
      if (at !== undefined) records[at] = r;
    }
    if (result.day) {
      position.set(result.day.date, records.length);
      records.push(result.day);
    }
  }
  const a = state.lastDate;
  if (a === null) {
    throw new MethodologyError(
      asOf === undefined ? 'no accepted trading day in the input' : `no accepted trading day on or before ${asOf}`,
    );
  }
  // dataQuality lists rejections up to A only (decision "--as-of").
  for (const r of rejected) if (r.date <= a) recordRejectedDay(state, r);
  return { body: snapshotAt(state), history: historyRows(records), state };
}
