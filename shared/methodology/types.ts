/** The engine's plain-data shapes (JSON-serialisable so the pipeline can checkpoint them). */
import type { IsoDate, ShortInterestFile, SplitOverride, Tier } from '../domain.ts';
import type { Snapshot } from '../snapshot/schema.ts';
import type { DayRejection } from './classify.ts';
import type { JoinStats } from './join.ts';
import type { SecurityType } from './securities.ts';

/** What the methodology computes: the snapshot without the caller's fields (same as shared/snapshot/assemble.ts). */
export type SnapshotBody = Omit<Snapshot, 'generatedAt' | 'sample' | 'sources'>;

/** Sums over one day's tiered symbol-days of one tier or sector (rules 5, 6, 8). */
export interface DayFigures {
  /** Σ pnl: positive = short sellers gained. */
  pnl: number;
  /** Σ E = SI(s, d−1) · price_{d−1}. */
  exposure: number;
  /** Σ N, net new shorting in dollars. */
  netNew: number;
  /** Σ MC_{d−1}, the weights of the cap-weighted return. */
  capPrev: number;
  /** Σ MC_{d−1} · (1 + R). */
  capNext: number;
}

/** Per-tier day figures plus the symbol counts the published groups need as of that day. */
export interface TierDayFigures extends DayFigures {
  /** Symbols of the tier with a price on d−1 and d (1d `decliningPct` denominator) … */
  eligible1d: number;
  /** … of which R < 0. */
  declining1d: number;
  /** Symbols of the tier priced on every day of the year so far and on the day before its first counted day … */
  eligibleYtd: number;
  /** … of which the compounded return is < 0. */
  decliningYtd: number;
  /** Symbols of the tier with E > 0 (rule 8 `symbols`). */
  symbols: number;
}

/** One counted day's aggregates: what history.json and the windows are summed from. */
export interface DayRecord {
  date: IsoDate;
  tiers: Record<Tier, TierDayFigures>;
  /** Sector on d (rule 6) → sums; only sectors with at least one tiered symbol that day, in first-seen order. */
  sectors: Record<string, DayFigures>;
}

export interface SplitEvent {
  symbol: string;
  date: IsoDate;
  factor: number;
  rule: '3a' | '3b' | '3c' | '3d';
}

/** A value rule 11 (plausibility) kept out of the figures: what, where and why (dataQuality.quarantined). */
export interface QuarantineEvent {
  /** The trading day it was found on. */
  date: IsoDate;
  symbol: string;
  /** The input file the value came from (splits.csv or the split calendar file for an override; the short interest file(s)). */
  file: string;
  /** The vendor field: `lastsale`, `currentShortPositionQuantity`, `ratio`. */
  field: string;
  rule: '11a' | '11b' | '11c';
  reason: string;
}

/** A rule 3(b) decision that needs later share counts (decision "pending splits"). */
export interface PendingSplit {
  /** Symbol id (index into EngineState.symbols). */
  id: number;
  /** Accepted-day index of the day of the candidate split. */
  index: number;
}

/**
 * The engine's whole memory, as plain arrays and objects (JSON round-trips exactly). Per-symbol
 * columns are flat arrays indexed `id * RING + slot`, where slot = accepted-day index mod RING: a ring
 * of the last RING accepted days, enough for every window but ytd (rule 7: at most 23 weekdays in a
 * month plus the day before it), for ADV20 (rule 10) and for 30-day-old short interest (rule 10).
 * Year-to-date figures are running sums per symbol; windows' group sums come from `days`.
 */
export type MethodologyVersion = 1 | 2 | 3;

export interface EngineState {
  version: 1;
  /**
   * The methodology the state folds under: 2 (rule 12's security master), 3 (v2 with rule 4(b)'s symbol
   * join, rule 3(d)'s FINRA split flags and rule 6's tier as of A), absent for v1.
   */
  methodology?: 2 | 3;
  /** Accepted days stepped so far; the next day gets this index. */
  dayCount: number;
  lastDate: IsoDate | null;
  /** Symbols with a valid price on the last accepted day (rule 2's partial-day test, v1 and v2). */
  lastSymbols: number;
  /** v3: the symbol counts of the last RULE2_REFERENCE_DAYS accepted days, oldest first (rule 2's median reference). */
  recentSymbols?: number[];
  /** Per slot: its date, and the settlement date of the short interest file in effect ('' = none). */
  slotDate: IsoDate[];
  slotSettlement: IsoDate[];
  /** Per symbol id. */
  symbols: string[];
  names: string[];
  /** Accepted-day index of the symbol's earliest unresolved pending split, or −1. */
  held: number[];
  /**
   * Per symbol id (v2): FINRA's average daily volume from the short interest file in effect on the last
   * day, in shares after later splits (like `shortInterest`); 0 = unknown. Empty in v1.
   */
  finraAdv: number[];
  /** v3: rule 4(b)'s join of the file in effect on the last day against its priced listings (null: no file). */
  join?: JoinStats | null;
  /** Per symbol id (v3): Σ N over the year to date (rule 8 netNewShortingUsd by tier as of A). Empty before v3. */
  ytdNetNew?: number[];
  /**
   * Per symbol id (v3): the year's net new shorting in shares (rule 13), in shares of the last day: each day
   * `× f` (that day's split factor), then `+ (SI(s, d) − SI(s, d−1) · f)` when rule 5's N counts. Empty before v3.
   */
  ytdNetNewShares?: number[];
  /** v3: the settlement date in effect on the day before the year's first counted day ('' = none; rule 13). */
  ytdBaseSettlement?: IsoDate | '';
  /** Per symbol id (v3): the latest known market cap on or before the last day (0 = never known; rule 6 v3). */
  lastCap?: number[];
  /** Per symbol id (v3): index into `sectors` of the latest row (−1 = never priced; rule 6 v3). */
  lastSector?: number[];
  /** Per symbol id: rule 12's type (index into SECURITY_TYPES) as of its latest row; −1 until classified (always in v1). */
  securityType: number[];
  ytdPnl: number[];
  ytdExposure: number[];
  /** Π(1 + R) since the day before the year's first counted day. */
  ytdGrowth: number[];
  /** 1 when priced on every day of that span, else 0. */
  ytdEligible: number[];
  /** Per symbol id and slot. Price 0 = absent; market cap 0 = unknown; volume 0 = none or unknown. */
  price: number[];
  marketCap: number[];
  volume: number[];
  /** Split factor f on that day (rule 3), 1 when none (provisional 1 while pending). */
  factor: number[];
  /** SI(s, d) in shares after that day's split (rule 4). */
  shortInterest: number[];
  /** Index into `sectors`, −1 when absent. */
  sector: number[];
  sectors: string[];
  /** Records of the counted days still needed: the current year and the last 30 calendar days. */
  days: DayRecord[];
  /** Every applied split (factor ≠ 1), in the order decided. */
  splits: SplitEvent[];
  /** Unresolved 3(b) decisions, by day then symbol id. */
  pending: PendingSplit[];
  /** Rule 2 rejections recorded by the caller (see `recordRejectedDay`). */
  rejectedDays: DayRejection[];
  /** Rule 11 quarantines, in the order found. */
  quarantined: QuarantineEvent[];
}

/** A later accepted day's share counts for rule 3(b): symbol → SO = MC / price (symbols with a known MC). */
export interface LookaheadDay {
  date: IsoDate;
  sharesOutstanding: ReadonlyMap<string, number>;
}

export interface StepContext {
  /**
   * Short interest files (revisions merged). The engine uses the one with the latest settlement
   * date ≤ d (rule 4); it must hold at least that one, and for a symbol first seen today also the
   * files in effect on the previous RING accepted days (all files is always right).
   */
  shortInterest: readonly ShortInterestFile[];
  /** splits.csv and split calendar overrides (rule 3c); only those dated d are used, the first of a symbol. */
  splits: readonly SplitOverride[];
  /** The next accepted days after d (up to 10, possibly none) for rule 3(b); empty in the daily pipeline. */
  lookahead: readonly LookaheadDay[];
  /** securities.csv overrides of rule 12 (v2): symbol → type. */
  securities?: ReadonlyMap<string, SecurityType>;
}

export interface StepResult {
  state: EngineState;
  /** The day's record, or null for the very first accepted day (not counted, rule 7). */
  day: DayRecord | null;
  /** Earlier days recomputed because a pending split was resolved today (oldest first). */
  restated: DayRecord[];
}

/** A call the engine cannot honour (days out of order, an empty state). */
export class MethodologyError extends Error {
  readonly date: IsoDate | null;
  readonly file: string | null;
  constructor(message: string, where: { date?: IsoDate; file?: string } = {}) {
    const prefix = where.file ? `${where.file}: ` : where.date ? `${where.date}: ` : '';
    super(`${prefix}${message}`);
    this.name = 'MethodologyError';
    this.date = where.date ?? null;
    this.file = where.file ?? null;
  }
}
