/**
 * Per-value and per-symbol plausibility (issue 10; methodology rule 11; docs/reliability.md, "Plausibility").
 * One module for every path that reads data — the parsers (`pulse validate`, `pulse build`, the pipeline's
 * ingest) and the engine (`pulse build` and the pipeline's compute) — so the same input gets the same
 * verdict everywhere. Pure: bounds are constants, nothing is read from the environment.
 *
 * Two levels:
 *   - ceilings, checked by the parsers on each value: a value above its ceiling rejects the row (file,
 *     line, field, reason), so no absurd or unsafe number (1e30, 1e15 shares) gets past the boundary;
 *   - per-symbol rules, checked by the engine where a value can only be judged against another one
 *     (the previous day's price, the shares outstanding): the symbol-day is quarantined and listed in
 *     `dataQuality.quarantined` with its reason.
 */
import { CANDIDATE_FACTORS, priceFits } from '../methodology/splits.ts';

/**
 * The bounds, with the real figure each is measured against (the 2024 screener year in ../shared/data,
 * short interest generated for it; docs/reliability.md has the study).
 */
export const PLAUSIBILITY = {
  /** $ per share. Highest real price: BRK.A, $724,040 (2024-11-29): ×13.8 headroom. */
  maxPrice: 10_000_000,
  /**
   * $ market cap. The largest company ever was worth about $5T (2025); $10T leaves ×2 headroom. The real
   * 2024 screener shows one glitch above it (LTM at $15.3T in late July), which this ceiling refuses.
   */
  maxMarketCap: 10_000_000_000_000,
  /**
   * Shares (short interest, daily volume). The largest US share count is about 25 billion (NVDA after its
   * 2024 split) and the largest real 2024 daily volume 1.9 billion (GWAV): 100 billion is ×4 above any.
   */
  maxShares: 100_000_000_000,
  /** splits.csv ratios (new shares per old): the most extreme real splits are 1-for-1000 and 1000-for-1. */
  minSplitRatio: 1 / 1000,
  maxSplitRatio: 1000,
  /**
   * Rule 11(a): a day's price ratio x is implausible when no factor rule 3 could apply (1, the 3(b) list,
   * the share-count ratio q, a splits.csv ratio) brings x·f within [1/m, m]. With the 3(b) list this is
   * x above 750 or below 1/150: a P&L above 749× the symbol's exposure, or a fall of more than 99.3%.
   */
  maxUnexplainedMove: 3,
  /**
   * Rule 11(b): short interest above k × the shares outstanding (MC / price). The highest real figure is
   * about 1.4 (GameStop, January 2021); 5 leaves room for share counts that lag.
   */
  maxShortInterestMultiple: 5,
} as const;

const usd = (x: number) => `$${x.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
const count = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 4 });

/** A share price above the ceiling, as a parser problem string (`"$…" is above …`), or null. */
export function priceCeilingProblem(price: number): string | null {
  return price > PLAUSIBILITY.maxPrice
    ? `is above the plausible ceiling of ${usd(PLAUSIBILITY.maxPrice)} a share (rule 11)`
    : null;
}

export function marketCapCeilingProblem(marketCap: number): string | null {
  return marketCap > PLAUSIBILITY.maxMarketCap
    ? `is above the plausible ceiling of ${usd(PLAUSIBILITY.maxMarketCap)} for a market cap (rule 11)`
    : null;
}

export function sharesCeilingProblem(shares: number): string | null {
  return shares > PLAUSIBILITY.maxShares
    ? `is above the plausible ceiling of ${count(PLAUSIBILITY.maxShares)} shares (rule 11)`
    : null;
}

export function splitRatioProblem(ratio: number): string | null {
  return ratio < PLAUSIBILITY.minSplitRatio || ratio > PLAUSIBILITY.maxSplitRatio
    ? `is outside the plausible range 1/1000 … 1000 new shares per old share (rule 11)`
    : null;
}

const withinMove = (g: number): boolean =>
  g >= 1 / PLAUSIBILITY.maxUnexplainedMove && g <= PLAUSIBILITY.maxUnexplainedMove;

/** The 3(b) list as numbers. */
const LIST = CANDIDATE_FACTORS.map(([num, den]) => num / den);

/**
 * Rule 11(a). True when the price ratio `x = price_d / price_{d−1}` cannot be a real day: neither as it
 * is nor after any split rule 3 could find (`q`: the share-count ratio SO_d / SO_{d−1} when both are
 * known; `override`: an accepted splits.csv ratio) does it land within a threefold move.
 */
export function implausibleMove(x: number, q: number | null, override: number | null): boolean {
  if (withinMove(x)) return false;
  if (override !== null && withinMove(x * override)) return false;
  // A share-count ratio explains a move only as a split could: within the range of real splits (a
  // $0.0001 print with an unchanged market cap implies 8.8 million times the shares).
  if (q !== null && q >= PLAUSIBILITY.minSplitRatio && q <= PLAUSIBILITY.maxSplitRatio && withinMove(x * q)) {
    return false;
  }
  for (const k of LIST) if (withinMove(x * k)) return false;
  return true;
}

/** Rule 11(b). True when `shortInterest` shares exceed the multiple of SO = marketCap / price (both known). */
export function implausibleShortInterest(shortInterest: number, marketCap: number, price: number): boolean {
  return (
    shortInterest > 0 &&
    marketCap > 0 &&
    price > 0 &&
    shortInterest > PLAUSIBILITY.maxShortInterestMultiple * (marketCap / price)
  );
}

/** Rule 5's exposure E = SI · price, with rule 11(b): an implausible position counts as none. */
export function exposureOf(shortInterest: number, marketCap: number, price: number): number {
  return implausibleShortInterest(shortInterest, marketCap, price) ? 0 : shortInterest * price;
}

/** Whether a factor is one of rule 3(b)'s list (exactly, or within rounding of a CSV decimal such as 0.3333). */
export function inSplitList(ratio: number): boolean {
  return LIST.some((k) => Math.abs(ratio / k - 1) < 1e-3);
}

/**
 * Rule 11(c). A splits.csv ratio is applied when it is one of rule 3(b)'s list, or when the price moved
 * by it on the day (x·ratio within rule 3's price band [0.75, 4/3]); otherwise it is refused as a
 * probable typo (0.0000001 for 0.1) and the day's factor comes from rules 3(a) and 3(b).
 */
export function plausibleOverride(x: number, ratio: number): boolean {
  return inSplitList(ratio) || priceFits(x, ratio);
}
