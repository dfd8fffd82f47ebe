/**
 * The look-ahead fold: the snapshots of earlier days as known now. A split that rule 3(b) could only
 * confirm later is decided by the main fold on the day the share count arrives (it restates the held
 * days' records); the snapshots of the earlier days are then recomputed by the same fold from the
 * checkpoint before the first of them, with rule 3(b) seeing the accepted days after each day (at most
 * LOOKAHEAD_DAYS), so an archived day shows the split it had: "what we know today about that day".
 */
import type { IsoDate } from '../../../shared/domain.ts';
import {
  type EngineState,
  initialState,
  LOOKAHEAD_DAYS,
  type LookaheadDay,
  lookaheadDay,
  type SnapshotBody,
  snapshotAt,
  startAdvance,
} from '../../../shared/methodology/index.ts';
import type { ComputeDeps } from '../deps.ts';
import type { OverrideContext } from '../split-inputs.ts';
import type { Stopwatch } from '../stopwatch.ts';
import { foldDay, loadCheckpoint, type PriceDays, type ShortInterestFiles, yieldToIo } from './inputs.ts';
import type { Journal } from './journal.ts';

export interface SideInput {
  /** This run's days, as folded. */
  outcomes: readonly { date: IsoDate; accepted: boolean }[];
  /** Days whose held split a new day released. */
  released: ReadonlySet<IsoDate>;
  /** Rule 2's verdict on the days folded by earlier runs. */
  folded: Journal['folded'];
  start: IsoDate;
  baseDay: IsoDate | null;
  baseState: EngineState;
  priceDates: IsoDate[];
  prices: PriceDays;
  /**
   * A run folded in chunks (issue 20 item 3): the last day of this chunk's snapshots (the main fold went on to
   * give it its look-ahead days); null in the run's last chunk, which snapshots every day before the last.
   */
  chunkEnd: IsoDate | null;
  /** The look-ahead fold of an earlier chunk of the run: the day it stopped after and its state then. */
  resume: { through: IsoDate; state: Promise<EngineState> } | null;
  /** Days an earlier chunk's new days released, not reached by the look-ahead fold yet. */
  pending: readonly IsoDate[];
}

/** What the look-ahead fold needs, its reads already started. */
export interface SidePlan {
  sideDates: Set<IsoDate>;
  /** Rule 2's verdict on every folded day (this run's and earlier ones). */
  accepted: Map<IsoDate, boolean>;
  /** The state before the first side day (a checkpoint being read, or the run's base). */
  state: Promise<EngineState>;
  /** The price days from there through the run's last day. */
  dates: IsoDate[];
  /** Snapshots through this day (a chunk's end), or null: every day before the last. */
  chunkEnd: IsoDate | null;
}

/**
 * The earlier days with a new snapshot — those folded again and those whose held split was released —
 * or null when there are none. Known once the run's last day is stepped, so the checkpoint before the
 * first of them and the price days after it are read from here, beside the main fold's remaining work:
 * the same objects `lookaheadFold` would read, only sooner.
 */
export function planSide(deps: ComputeDeps, input: SideInput): SidePlan | null {
  const last = (input.outcomes.at(-1) as { date: IsoDate }).date;
  const { chunkEnd, resume } = input;
  // A chunk snapshots its days through its end; the run's last chunk, every day before the last.
  const inRange = (d: IsoDate) => (chunkEnd === null ? d < last : d <= chunkEnd) && (!resume || d > resume.through);
  const accepted = new Map<IsoDate, boolean>([
    ...input.folded.map((f) => [f.date, f.accepted] as const),
    ...input.outcomes.map((o) => [o.date, o.accepted] as const),
  ]);
  const sideDates = new Set<IsoDate>();
  for (const o of input.outcomes) if (o.accepted && inRange(o.date)) sideDates.add(o.date);
  for (const d of [...input.released, ...input.pending]) if (inRange(d) && accepted.get(d)) sideDates.add(d);
  if (resume) {
    // Resumed where an earlier chunk stopped: it goes on through this chunk, snapshot days or not.
    const dates = input.priceDates.filter((d) => d > resume.through && d <= last);
    input.prices.prefetch(dates);
    return { sideDates, accepted, state: resume.state, dates, chunkEnd };
  }
  if (sideDates.size === 0) return null;
  const first = [...sideDates].sort()[0] as IsoDate;
  let state = Promise.resolve(input.baseState);
  let from = input.baseDay;
  if (first < input.start) {
    from = input.folded.filter((f) => f.date < first).at(-1)?.date ?? null;
    state = from === null ? Promise.resolve(initialState()) : loadCheckpoint(deps, from);
    // Awaited by the look-ahead fold; meanwhile a failure must not count as unhandled.
    state.catch(() => undefined);
  }
  const dates = input.priceDates.filter((d) => (from === null || d > from) && d <= last);
  input.prices.prefetch(dates);
  return { sideDates, accepted, state, dates, chunkEnd };
}

export interface LookaheadInput extends SidePlan {
  last: IsoDate;
  prices: PriceDays;
  si: ShortInterestFiles;
  /** splits.csv and split calendar overrides, securities.csv's types: what the main fold had. */
  overrides: OverrideContext;
  watch: Stopwatch;
}

/**
 * The snapshots of earlier days as known now: the same fold from the checkpoint before the first of
 * them, with rule 3(b) seeing the accepted days after each day up to the last one (at most
 * LOOKAHEAD_DAYS). A split pending on the day but confirmed since is counted there.
 */
export async function lookaheadFold(input: LookaheadInput): Promise<{ bodies: SnapshotBody[]; state: EngineState }> {
  const { watch, dates } = input;
  const state = await input.state;
  watch.lap('look-ahead: load checkpoint');
  const shares = new Map<IsoDate, LookaheadDay>();
  const lookaheadAfter = async (i: number): Promise<LookaheadDay[]> => {
    const out: LookaheadDay[] = [];
    for (let j = i + 1; j < dates.length && out.length < LOOKAHEAD_DAYS; j++) {
      const d = dates[j] as IsoDate;
      if (!input.accepted.get(d)) continue;
      let l = shares.get(d);
      if (!l) {
        const day = await input.prices.at(dates, j);
        if (!day) continue;
        l = lookaheadDay(day);
        shares.set(d, l);
      }
      out.push(l);
    }
    for (const d of shares.keys()) if (d <= (dates[i] as IsoDate)) shares.delete(d);
    return out;
  };
  const side = startAdvance(state, input.overrides);
  const bodies: SnapshotBody[] = [];
  const more = (d: IsoDate) => (input.chunkEnd === null ? d < input.last : d <= input.chunkEnd);
  for (let i = 0; i < dates.length && more(dates[i] as IsoDate); i++) {
    const day = await input.prices.at(dates, i);
    const lookahead = await lookaheadAfter(i);
    watch.lap('look-ahead: read prices');
    if (!day) continue;
    const outcome = await foldDay(side, day, input.si, lookahead);
    watch.lap('look-ahead: fold');
    if (outcome.rejected === null && input.sideDates.has(day.date)) bodies.push(snapshotAt(side.state));
    watch.lap('look-ahead: snapshots');
    await yieldToIo();
  }
  return { bodies, state: side.state };
}
