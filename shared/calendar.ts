/**
 * NYSE trading calendar and FINRA short interest settlement dates (pure).
 *
 * Covers full-day closures from 1998 (the year NYSE first closed for Martin Luther King Jr. Day)
 * through 2099: the regular holidays with their observance rules plus the known unscheduled
 * closures. Early closes (half days) are trading days and are not modelled. An unscheduled
 * closure that has not happened yet cannot be known: add it to SPECIAL_CLOSURES when it does.
 */
import type { IsoDate } from './domain.ts';

export const CALENDAR_FIRST_YEAR = 1998;
export const CALENDAR_LAST_YEAR = 2099;

/** A date the calendar cannot answer for: malformed, not a real day, or outside 1998–2099. */
export class CalendarDateError extends Error {
  readonly date: string;
  constructor(date: string, reason: string) {
    super(`calendar: ${JSON.stringify(date)}: ${reason}`);
    this.name = 'CalendarDateError';
    this.date = date;
  }
}

/**
 * Unscheduled full-day closures of the NYSE since 1998 (national days of mourning, 9/11,
 * Hurricane Sandy), from NYSE's and the SEC's announcements.
 */
export const SPECIAL_CLOSURES: Readonly<Record<IsoDate, string>> = {
  '2001-09-11': 'Closed: September 11 attacks',
  '2001-09-12': 'Closed: September 11 attacks',
  '2001-09-13': 'Closed: September 11 attacks',
  '2001-09-14': 'Closed: September 11 attacks',
  '2004-06-11': 'National Day of Mourning (Ronald Reagan)',
  '2007-01-02': 'National Day of Mourning (Gerald Ford)',
  '2012-10-29': 'Closed: Hurricane Sandy',
  '2012-10-30': 'Closed: Hurricane Sandy',
  '2018-12-05': 'National Day of Mourning (George H. W. Bush)',
  '2025-01-09': 'National Day of Mourning (Jimmy Carter)',
};

const MS_PER_DAY = 86_400_000;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a validated ISO date. */
function toDayNumber(date: IsoDate): number {
  const m = ISO_RE.exec(date);
  if (!m) throw new CalendarDateError(date, 'expected YYYY-MM-DD');
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new CalendarDateError(date, 'not a calendar day');
  }
  if (y < CALENDAR_FIRST_YEAR || y > CALENDAR_LAST_YEAR) {
    throw new CalendarDateError(date, `outside the supported years ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR}`);
  }
  return ms / MS_PER_DAY;
}

function fromDayNumber(n: number): IsoDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

function iso(y: number, month: number, day: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday. */
function weekdayOf(y: number, month: number, day: number): number {
  return new Date(Date.UTC(y, month - 1, day)).getUTCDay();
}

/** The n-th (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(y: number, month: number, weekday: number, n: number): IsoDate {
  if (n > 0) {
    const first = weekdayOf(y, month, 1);
    return iso(y, month, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(y, month, 0)).getUTCDate();
  const last = weekdayOf(y, month, lastDay);
  return iso(y, month, lastDay - ((last - weekday + 7) % 7));
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(year, month, day);
}

/**
 * A fixed-date holiday's observed day: Saturday → the Friday before, Sunday → the Monday after.
 * `null` when a Saturday holiday is not observed at all (NYSE rule 7.2: New Year's Day on a
 * Saturday is not moved to Friday December 31, which is the last trading day of the year).
 */
function observedFixed(y: number, month: number, day: number, saturdayToFriday: boolean): IsoDate | null {
  const wd = weekdayOf(y, month, day);
  const n = Date.UTC(y, month - 1, day) / MS_PER_DAY;
  if (wd === 6) return saturdayToFriday ? fromDayNumber(n - 1) : null;
  if (wd === 0) return fromDayNumber(n + 1);
  return iso(y, month, day);
}

const holidayCache = new Map<number, ReadonlyMap<IsoDate, string>>();

/** Full-day closures whose observed date falls in `year` (cached: the result never changes). */
function holidaysOf(year: number): ReadonlyMap<IsoDate, string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const out = new Map<IsoDate, string>();
  const add = (date: IsoDate | null, name: string) => {
    if (date?.startsWith(`${year}-`)) out.set(date, name);
  };
  add(observedFixed(year, 1, 1, false), "New Year's Day");
  add(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(year, 2, 1, 3), "Washington's Birthday (Presidents' Day)");
  add(fromDayNumber(toDayNumberUnchecked(easterSunday(year)) - 2), 'Good Friday');
  add(nthWeekday(year, 5, 1, -1), 'Memorial Day');
  if (year >= 2022) add(observedFixed(year, 6, 19, true), 'Juneteenth National Independence Day');
  add(observedFixed(year, 7, 4, true), 'Independence Day');
  add(nthWeekday(year, 9, 1, 1), 'Labor Day');
  add(nthWeekday(year, 11, 4, 4), 'Thanksgiving Day');
  add(observedFixed(year, 12, 25, true), 'Christmas Day');
  for (const [date, name] of Object.entries(SPECIAL_CLOSURES)) add(date, name);
  holidayCache.set(year, out);
  return out;
}

function toDayNumberUnchecked(date: IsoDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

/** True on Saturday and Sunday. */
export function isWeekend(date: IsoDate): boolean {
  const wd = new Date(toDayNumber(date) * MS_PER_DAY).getUTCDay();
  return wd === 0 || wd === 6;
}

/** The name of the NYSE full-day closure observed on `date`, or null (weekends are not holidays). */
export function holidayName(date: IsoDate): string | null {
  toDayNumber(date);
  return holidaysOf(Number(date.slice(0, 4))).get(date) ?? null;
}

/** True when the NYSE holds a regular (full or early-close) session on `date`. */
export function isTradingDay(date: IsoDate): boolean {
  return !isWeekend(date) && holidayName(date) === null;
}

/** Trading days in [from, to], both inclusive, ascending; empty when from > to. */
export function tradingDays(from: IsoDate, to: IsoDate): IsoDate[] {
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  const out: IsoDate[] = [];
  for (let n = a; n <= b; n++) {
    const d = fromDayNumber(n);
    if (isTradingDay(d)) out.push(d);
  }
  return out;
}

function step(date: IsoDate, dir: 1 | -1): IsoDate {
  let n = toDayNumber(date);
  // Longest closure run since 1998 is 9/11 (a week with the weekends around it): 15 days is ample.
  for (let i = 0; i < 15; i++) {
    n += dir;
    const d = fromDayNumber(n);
    if (isTradingDay(d)) return d;
  }
  throw new CalendarDateError(date, 'no trading day within 15 days');
}

/** The first trading day strictly after `date`. */
export function nextTradingDay(date: IsoDate): IsoDate {
  return step(date, 1);
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: IsoDate): IsoDate {
  return step(date, -1);
}

/** `date` itself when it is a trading day, otherwise the previous trading day. */
export function onOrBeforeTradingDay(date: IsoDate): IsoDate {
  return isTradingDay(date) ? date : previousTradingDay(date);
}

/** `n` trading days after `date` (n ≥ 0; n = 0 returns `date` itself even on a closed day). */
export function addTradingDays(date: IsoDate, n: number): IsoDate {
  let d = date;
  for (let i = 0; i < n; i++) d = nextTradingDay(d);
  return d;
}

/**
 * FINRA short interest settlement dates in [from, to], ascending: each month's 15th and last day,
 * moved back to the previous trading day when the exchange is closed (FINRA Rule 4560 reporting
 * schedule). Approximation: FINRA counts settlement days, which differ from NYSE trading days only
 * on bank holidays when the exchange trades (Columbus Day, Veterans Day) — neither can fall on a
 * 15th or a month end — and on closures like Good Friday, where both move back the same way.
 */
export function settlementDates(from: IsoDate, to: IsoDate): IsoDate[] {
  const a = toDayNumber(from);
  const b = toDayNumber(to);
  const out: IsoDate[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endY = Number(to.slice(0, 4));
  const endM = Number(to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
    for (const day of [15, lastDay]) {
      const d = onOrBeforeTradingDay(iso(y, m, day));
      const n = toDayNumberUnchecked(d);
      if (n >= a && n <= b) out.push(d);
    }
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/**
 * The day FINRA publishes the short interest of `settlementDate`: `businessDays` trading days
 * later (FINRA: "about seven business days after settlement"; Nasdaq's schedule says the 8th).
 */
export function publicationDate(settlementDate: IsoDate, businessDays = 7): IsoDate {
  return addTradingDays(settlementDate, businessDays);
}

/** `date` plus `days` calendar days (negative allowed). */
export function addCalendarDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}
