/**
 * Rule 2: which price snapshots are trading days. The rule itself is `rejectionReason`; the batch
 * (`classifyDays`) and the day-by-day engine (`classifyDay` in engine.ts) only differ in how they
 * look up the previous accepted day's prices.
 */
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, holidayName } from '../calendar.ts';
import type { IsoDate, PriceDay } from '../domain.ts';
import { isValidDate, isWeekend } from './dates.ts';

export interface DayRejection {
  date: IsoDate;
  file: string;
  reason: string;
}

/** What rule 2 needs to know about the previous accepted day. */
export interface PreviousDay {
  date: IsoDate;
  /** Symbols with a valid price on it. */
  symbols: number;
}

/** Rows that rule 1 counts as present: a finite price > 0. */
export function isValidPrice(price: number): boolean {
  return Number.isFinite(price) && price > 0;
}

/** Symbols of a candidate with a valid price (rule 1). */
export function countSymbols(day: PriceDay): number {
  let n = 0;
  for (const row of day.rows) if (isValidPrice(row.price)) n++;
  return n;
}

/**
 * Rule 2 for one candidate, or null when it is a trading day. `unchanged` is how many of the
 * candidate's symbols have exactly (as numbers) the price they had on `previous`; it is only read
 * when there is a previous accepted day.
 */
export function rejectionReason(
  date: IsoDate,
  symbols: number,
  previous: PreviousDay | null,
  unchanged: number,
  /** v3: the partial-day test's reference count and how to name it (default: the previous day's). */
  reference?: { symbols: number; label: string },
): string | null {
  if (!isValidDate(date)) return `invalid date ${JSON.stringify(date)}`;
  if (isWeekend(date)) return 'weekend: dated on a Saturday or Sunday';
  // The exchange calendar (shared/calendar.ts), the same one the pipeline's ingest refuses files by.
  const year = Number(date.slice(0, 4));
  if (year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) {
    return `outside the exchange calendar (${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR})`;
  }
  const holiday = holidayName(date);
  if (holiday !== null) return `holiday: the exchange was closed (${holiday})`;
  // A file without a single priced symbol is a failed download, even as the first file.
  if (symbols === 0) return 'empty: no symbol with a valid price';
  if (previous === null) return null;
  if (date === previous.date) return `duplicate: another snapshot of ${date} was already accepted`;
  if (date < previous.date) return `out of order: dated before the previous accepted day ${previous.date}`;
  // Integer comparisons so a boundary case does not depend on rounding.
  const base = reference?.symbols ?? previous.symbols;
  if (symbols * 10 < base * 7) {
    return `partial: ${symbols} symbols, fewer than 70% of ${reference ? reference.label : `the ${previous.symbols} on ${previous.date}`}`;
  }
  if (unchanged * 10 >= symbols * 9) {
    const pct = ((unchanged / symbols) * 100).toFixed(1);
    return `stale: ${pct}% of its symbols have exactly the price they had on ${previous.date}`;
  }
  return null;
}

function byDateThenFile(a: PriceDay, b: PriceDay): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/**
 * Rule 2 over a whole history: candidates taken in date order (ties by file name), each compared
 * with the previous accepted day. Does not modify `days`.
 */
export function classifyDays(days: readonly PriceDay[]): { accepted: PriceDay[]; rejected: DayRejection[] } {
  const ordered = [...days].sort(byDateThenFile);
  const accepted: PriceDay[] = [];
  const rejected: DayRejection[] = [];
  let previous: PreviousDay | null = null;
  let previousPrices = new Map<string, number>();
  for (const day of ordered) {
    const symbols = countSymbols(day);
    let unchanged = 0;
    if (previous !== null && !isWeekend(day.date)) {
      for (const row of day.rows) {
        if (isValidPrice(row.price) && previousPrices.get(row.symbol) === row.price) unchanged++;
      }
    }
    const reason = rejectionReason(day.date, symbols, previous, unchanged);
    if (reason !== null) {
      rejected.push({ date: day.date, file: day.file, reason });
      continue;
    }
    accepted.push(day);
    previous = { date: day.date, symbols };
    previousPrices = new Map();
    // A symbol listed twice keeps its first row, as in the engine.
    for (const row of day.rows) {
      if (isValidPrice(row.price) && !previousPrices.has(row.symbol)) previousPrices.set(row.symbol, row.price);
    }
  }
  return { accepted, rejected };
}
