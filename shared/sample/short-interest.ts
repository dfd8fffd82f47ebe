/**
 * Generated FINRA short interest files for a folder of real price snapshots (e.g. the 2024 Nasdaq
 * screener files), so real prices can run end to end: no full year of real short interest is
 * public here. The short position of each symbol is a seeded share of its shares outstanding on
 * the settlement day. Pure.
 */
import { addCalendarDays, isTradingDay, settlementDates } from '../calendar.ts';
import type { PriceDay, PriceRow } from '../domain.ts';
import { type ShortInterestRowInput, shortInterestFileName, writeShortInterest } from '../formats/writers.ts';
import type { SampleFile } from './generate.ts';
import { Rng } from './prng.ts';
import { tierOf } from './universe.ts';

export interface ShortInterestForOptions {
  seed: number;
}

/**
 * FINRA spelling of a canonical symbol: preferreds `ABR-PD` → CQS `ABRpD`; class shares stay
 * dotted (`BRK.B`), as do `.WS`/`.U`/`.R`. (FINRA's consolidated file has been reported to spell
 * some class shares compressed, `BRKB`; see docs/sample-data.md.)
 */
export function toFinraSymbol(canonical: string): string {
  const m = /^([A-Z0-9]+)-P([A-Z]?)$/.exec(canonical);
  return m ? `${m[1]}p${m[2]}` : canonical;
}

/** Median short interest (fraction of shares outstanding) by tier, as in the generated sample. */
const SI_MEDIAN = { nano: 0.03, micro: 0.05, small: 0.055, mid: 0.04, large: 0.022, mega: 0.008 } as const;

/** Within this price ratio between consecutive days no split can hide (rule 3 windows start at 1.5). */
const SPLIT_FREE_RATIO = 1.45;
/** How many later snapshots may show a share count that caught up with a split before settlement. */
const LOOKAHEAD_DAYS = 5;

/**
 * One `short-interest/shrtYYYYMMDD.csv` per settlement date from the last one before the first
 * trading day through the last day of `priceDays` (the first uses the first day's prices), for
 * every symbol with a price that day. Shares short = a per-symbol level (log-normal around the
 * tier's median, drifting between reports) × shares outstanding, where shares outstanding is
 * MC / price of the latest snapshot among the settlement day and the next 5 that is not separated
 * from it by a split-sized price move: the share count behind the market cap often catches up
 * with a split a few days late, and a split after settlement must not be counted before it.
 * Symbols without a market cap get 0.5–5 days of their average volume.
 */
export function generateShortInterestFor(
  priceDays: readonly PriceDay[],
  options: ShortInterestForOptions,
): SampleFile[] {
  const daysSorted = [...priceDays].filter((d) => isTradingDay(d.date)).sort((a, b) => (a.date < b.date ? -1 : 1));
  const first = daysSorted[0];
  const last = daysSorted.at(-1);
  if (!first || !last) return [];
  const before = settlementDates(addCalendarDays(first.date, -20), addCalendarDays(first.date, -1)).at(-1);
  const dates = [...(before ? [before] : []), ...settlementDates(first.date, last.date)];
  const bySymbol = new Map<string, History>();
  daysSorted.forEach((day, dayIndex) => {
    for (const row of day.rows) {
      let h = bySymbol.get(row.symbol);
      if (!h) {
        h = { days: [], rows: [], volumeSum: [0], volumeCount: [0] };
        bySymbol.set(row.symbol, h);
      }
      if (h.days.at(-1) === dayIndex) continue;
      h.days.push(dayIndex);
      h.rows.push(row);
      h.volumeSum.push((h.volumeSum.at(-1) as number) + (row.volume ?? 0));
      h.volumeCount.push((h.volumeCount.at(-1) as number) + (row.volume === null ? 0 : 1));
    }
  });

  const previous = new Map<string, number>();
  const level = new Map<string, number>();
  const baseLevel = new Map<string, number>();
  const files: SampleFile[] = [];
  let volumeFrom = 0;
  for (const settlement of dates) {
    // The snapshot of the settlement day, or the latest before it when that file is missing.
    let dayIndex = -1;
    for (let i = 0; i < daysSorted.length && (daysSorted[i] as PriceDay).date <= settlement; i++) dayIndex = i;
    if (dayIndex < 0) dayIndex = 0;
    const day = daysSorted[dayIndex] as PriceDay;
    const rows: ShortInterestRowInput[] = [];
    const currentBySymbol = new Map<string, number>();
    for (const row of day.rows) {
      if (currentBySymbol.has(row.symbol)) continue;
      const history = bySymbol.get(row.symbol) as History;
      const rng = new Rng(options.seed, `${row.symbol}|${settlement}`);
      // Mean volume over this symbol's snapshots since the previous settlement (prefix sums).
      const lo = lowerBound(history.days, volumeFrom);
      const hi = lowerBound(history.days, dayIndex + 1);
      const count = (history.volumeCount[hi] as number) - (history.volumeCount[lo] as number);
      const adv = count > 0 ? ((history.volumeSum[hi] as number) - (history.volumeSum[lo] as number)) / count : 0;
      let current: number;
      const so = sharesOutstanding(history, hi - 1);
      if (so !== null) {
        // The long-run level is fixed at the symbol's first report, from the split-corrected cap.
        let base = baseLevel.get(row.symbol);
        if (base === undefined) {
          base = new Rng(options.seed, row.symbol).logNormal(SI_MEDIAN[tierOf(so * row.price)], 0.8);
          baseLevel.set(row.symbol, base);
        }
        const prevLevel = level.get(row.symbol);
        const next =
          prevLevel === undefined
            ? base
            : Math.exp(Math.log(base) + 0.75 * Math.log(prevLevel / base) + 0.18 * rng.normal());
        const pct = Math.min(0.45, Math.max(0.0001, next));
        level.set(row.symbol, pct);
        current = Math.round(pct * so);
      } else {
        current = Math.round(adv * rng.uniform(0.5, 5));
      }
      const prev = previous.get(row.symbol) ?? null;
      currentBySymbol.set(row.symbol, current);
      rows.push({
        symbolCode: toFinraSymbol(row.symbol),
        issueName: row.name,
        exchangeCode: 'R',
        marketClassCode: 'NNM',
        currentShares: current,
        previousShares: prev,
        stockSplit: false,
        averageDailyVolume: Math.round(adv),
        revision: false,
      });
    }
    rows.sort((a, b) => (a.symbolCode < b.symbolCode ? -1 : a.symbolCode > b.symbolCode ? 1 : 0));
    previous.clear();
    for (const [symbol, shares] of currentBySymbol) previous.set(symbol, shares);
    files.push({
      path: `short-interest/${shortInterestFileName(settlement)}`,
      content: writeShortInterest(settlement, rows, undefined, { generated: true }),
    });
    volumeFrom = dayIndex + 1;
  }
  return files;
}

interface History {
  /** Indexes (into the sorted trading days) of the snapshots holding the symbol, ascending. */
  days: number[];
  rows: PriceRow[];
  /** Prefix sums over `rows`: volumeSum[i] = total volume of rows[0..i-1]. */
  volumeSum: number[];
  volumeCount: number[];
}

/** First position in ascending `xs` whose value is ≥ x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Shares outstanding at `history.rows[at]` (the settlement day's row; see generateShortInterestFor),
 * null without a market cap.
 */
function sharesOutstanding(history: History, at: number): number | null {
  const rows = history.rows;
  let chosen = rows[at] as PriceRow;
  for (let i = at + 1; i < rows.length && i <= at + LOOKAHEAD_DAYS; i++) {
    const ratio = (rows[i] as PriceRow).price / (rows[i - 1] as PriceRow).price;
    if (ratio > SPLIT_FREE_RATIO || ratio < 1 / SPLIT_FREE_RATIO) break;
    if ((rows[i] as PriceRow).marketCap !== null) chosen = rows[i] as PriceRow;
  }
  if (chosen.marketCap === null) return null;
  return chosen.marketCap / chosen.price;
}
