/**
 * What compute reads besides its journal, each on demand: the engine checkpoints (derived/state/<day>),
 * the short interest files the engine will actually read, and the stored price days.
 */
import type { IsoDate, ShortInterestFile } from '../../../shared/domain.ts';
import {
  isPreviousSettlement,
  mergeShortInterestRevisions,
  reviseWith,
} from '../../../shared/formats/finra-short-interest.ts';
import {
  type Advancing,
  type DayOutcome,
  type EngineState,
  EngineStateError,
  type LookaheadDay,
  parseEngineState,
} from '../../../shared/methodology/index.ts';
import type { StoredPriceDay } from '../../adapters/derived-repository.ts';
import type { ComputeDeps } from '../deps.ts';
import { derivedSideStateKey, derivedStateKey } from '../keys.ts';
import { ComputeStateError } from './journal.ts';

// ---------------------------------------------------------------- checkpoints

export interface Checkpoint {
  v: 1;
  date: IsoDate;
  state: EngineState;
}

/** A checkpoint as compute wrote it: the envelope here, the engine state by `parseEngineState`. */
function toCheckpoint(date: IsoDate, value: unknown): Checkpoint {
  const key = derivedStateKey(date);
  const fail = (field: string, reason: string): never => {
    throw new ComputeStateError(key, field, reason);
  };
  if (typeof value !== 'object' || value === null) return fail('*', 'not an object');
  const c = value as Partial<Checkpoint>;
  if (c.v !== 1) fail('v', `expected 1, got ${JSON.stringify(c.v)}`);
  if (c.date !== date) fail('date', `expected ${date}, got ${JSON.stringify(c.date)}`);
  if (typeof c.state !== 'object' || c.state === null) return fail('state', 'missing');
  try {
    return { v: 1, date, state: parseEngineState(c.state) };
  } catch (error) {
    if (error instanceof EngineStateError)
      return fail(error.field === '*' ? 'state' : `state.${error.field}`, error.reason);
    throw error;
  }
}

/** The look-ahead fold's state after `date`, saved by an earlier chunk of the run (issue 20 item 3). */
export async function loadSideCheckpoint(deps: ComputeDeps, date: IsoDate): Promise<EngineState> {
  const value = await deps.derived.getSideCheckpoint(date);
  if (value === undefined) {
    throw new ComputeStateError(derivedSideStateKey(date), '*', 'look-ahead state missing (the journal names it)');
  }
  return toCheckpoint(date, value).state;
}

export async function loadCheckpoint(deps: ComputeDeps, date: IsoDate): Promise<EngineState> {
  const value = await deps.derived.getCheckpoint(date);
  if (value === undefined) {
    throw new ComputeStateError(derivedStateKey(date), '*', 'checkpoint missing (the journal lists it as folded)');
  }
  return toCheckpoint(date, value).state;
}

// ---------------------------------------------------------------- short interest, loaded on demand

/**
 * The short interest files of the engine's context. The engine reads a file's shares only when the file
 * in effect changes (rule 4) and, for a symbol seen for the first time, those of the ring's days; every
 * other settlement date is passed as an empty stand-in, enough for `fileInEffect` to find the date in
 * effect. So an ordinary day reads no short interest file at all.
 */
export class ShortInterestFiles {
  readonly #deps: ComputeDeps;
  /** Settlement dates with at least one accepted file, ascending. */
  readonly #dates: IsoDate[];
  readonly #loaded = new Map<IsoDate, ShortInterestFile>();
  #list: ShortInterestFile[] | null = null;

  constructor(deps: ComputeDeps, dates: IsoDate[]) {
    this.#deps = deps;
    this.#dates = dates;
  }

  /** The settlement date in effect on `date` (rule 4), or null before the first. */
  inEffect(date: IsoDate): IsoDate | null {
    let best: IsoDate | null = null;
    for (const s of this.#dates) if (s <= date) best = s;
    return best;
  }

  /** The settlement date after `s` when it is s's successor in FINRA's calendar (rule 4(a)), else null. */
  #next(s: IsoDate): IsoDate | null {
    const next = this.#dates.find((d) => d > s);
    return next !== undefined && isPreviousSettlement(s, next) ? next : null;
  }

  /** The first settlement date on or after `date` (rule 3(d)'s cycle file), or null when none is stored yet. */
  cycleOf(date: IsoDate): IsoDate | null {
    return this.#dates.find((d) => d >= date) ?? null;
  }

  async ensure(settlements: Iterable<IsoDate>): Promise<void> {
    const missing = [...new Set(settlements)].filter((s) => s !== '' && !this.#loaded.has(s));
    if (missing.length === 0) return;
    // Rule 4(a): a date's figures are its own files with the next settlement's R rows merged in.
    const nexts = missing.map((s) => this.#next(s));
    const loaded = await Promise.all(missing.map((s) => this.#deps.derived.getShortInterestFiles(s)));
    const following = await Promise.all(
      nexts.map((n) => (n === null ? Promise.resolve([]) : this.#deps.derived.getShortInterestFiles(n))),
    );
    missing.forEach((s, i) => {
      const files = loaded[i] ?? [];
      let merged = mergeShortInterestRevisions(files).find((f) => f.settlementDate === s);
      const next = mergeShortInterestRevisions(following[i] ?? []).find((f) => f.settlementDate === nexts[i]);
      if (merged && next?.revisesPrevious && next.revisesPrevious.size > 0) {
        merged = reviseWith(merged, next.revisesPrevious, next.files);
      }
      this.#loaded.set(s, merged ?? { settlementDate: s, files: [], shares: new Map() });
    });
    this.#list = null;
  }

  list(): ShortInterestFile[] {
    this.#list ??= this.#dates.map(
      (s) => this.#loaded.get(s) ?? { settlementDate: s, files: [], shares: new Map<string, number>() },
    );
    return this.#list;
  }
}

// ---------------------------------------------------------------- price days

/**
 * Stored price days, read on demand a few ahead and kept for a while: a long replay (an override in
 * splits.csv for a day months ago) folds the days twice without holding a year of prices in memory,
 * and an ordinary restatement (≤ 10 days) reads each day once.
 */
export class PriceDays {
  static readonly KEEP = 32;
  static readonly AHEAD = 4;
  readonly #deps: ComputeDeps;
  readonly #cache = new Map<IsoDate, Promise<StoredPriceDay | undefined>>();

  constructor(deps: ComputeDeps) {
    this.#deps = deps;
  }

  #load(date: IsoDate): Promise<StoredPriceDay | undefined> {
    let hit = this.#cache.get(date);
    if (!hit) {
      hit = this.#deps.derived.getPriceDay(date);
      this.#cache.set(date, hit);
      for (const old of this.#cache.keys()) {
        if (this.#cache.size <= PriceDays.KEEP) break;
        this.#cache.delete(old);
      }
    }
    return hit;
  }

  /**
   * Starts reading `dates` (parallel GETs) for a later `at`. Only as many as the cache keeps at once: a
   * day evicted before it is used would be read twice.
   */
  prefetch(dates: readonly IsoDate[]): void {
    for (const d of dates.slice(0, PriceDays.KEEP / 2)) void this.#load(d).catch(() => undefined);
  }

  /** The day `dates[i]`, after asking for the next few (parallel GETs); undefined when not stored. */
  async at(dates: readonly IsoDate[], i: number): Promise<StoredPriceDay | undefined> {
    for (const d of dates.slice(i + 1, i + 1 + PriceDays.AHEAD)) void this.#load(d).catch(() => undefined);
    const day = await this.#load(dates[i] as IsoDate);
    if (!day) {
      this.#deps.log.warn('price day listed in the ledger has no derived record: left out', { date: dates[i] });
    }
    return day;
  }
}

/** One candidate day through the fold, the short interest files the engine will read loaded first. */
export async function foldDay(
  fold: Advancing,
  day: StoredPriceDay,
  si: ShortInterestFiles,
  lookahead: readonly LookaheadDay[] = [],
): Promise<DayOutcome> {
  await si.ensure(fold.settlementsFor(day, si.inEffect(day.date), si.cycleOf(day.date)));
  return fold.add(day, si.list(), lookahead);
}

/**
 * Lets the event loop run once. The folds only await settled promises (microtasks), so without this a
 * request started beside them is not even sent, nor its answer decoded, before they end.
 */
export const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
