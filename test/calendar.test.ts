import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addTradingDays,
  CalendarDateError,
  easterSunday,
  holidayName,
  isTradingDay,
  isWeekend,
  nextTradingDay,
  previousTradingDay,
  publicationDate,
  settlementDates,
  tradingDays,
} from '../shared/calendar.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const screener2024 = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');

/** Weekday closures of a year, by hand from NYSE's published holiday calendars. */
const HOLIDAYS: Record<number, [string, RegExp][]> = {
  2024: [
    ['2024-01-01', /New Year/],
    ['2024-01-15', /Martin Luther King/],
    ['2024-02-19', /Washington/],
    ['2024-03-29', /Good Friday/],
    ['2024-05-27', /Memorial/],
    ['2024-06-19', /Juneteenth/],
    ['2024-07-04', /Independence/],
    ['2024-09-02', /Labor/],
    ['2024-11-28', /Thanksgiving/],
    ['2024-12-25', /Christmas/],
  ],
  2025: [
    ['2025-01-01', /New Year/],
    ['2025-01-09', /Carter/],
    ['2025-01-20', /Martin Luther King/],
    ['2025-02-17', /Washington/],
    ['2025-04-18', /Good Friday/],
    ['2025-05-26', /Memorial/],
    ['2025-06-19', /Juneteenth/],
    ['2025-07-04', /Independence/],
    ['2025-09-01', /Labor/],
    ['2025-11-27', /Thanksgiving/],
    ['2025-12-25', /Christmas/],
  ],
};

function weekdayClosures(year: number): string[] {
  const out: string[] = [];
  for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
    const iso = d.toISOString().slice(0, 10);
    if (!isWeekend(iso) && !isTradingDay(iso)) out.push(iso);
  }
  return out;
}

describe('NYSE holidays', () => {
  for (const [year, list] of Object.entries(HOLIDAYS)) {
    it(`closes on exactly the hand-listed days of ${year}`, () => {
      expect(weekdayClosures(Number(year))).toEqual(list.map(([d]) => d));
      for (const [date, name] of list) expect(holidayName(date), date).toMatch(name);
    });
  }

  it('counts the trading days of recent years as NYSE does', () => {
    const counts = [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026].map(
      (y) => tradingDays(`${y}-01-01`, `${y}-12-31`).length,
    );
    expect(counts).toEqual([252, 253, 252, 251, 250, 252, 250, 251]);
  });

  it('moves a Saturday holiday to Friday and a Sunday holiday to Monday', () => {
    // Independence Day 2020 (Sat) → Fri 3 July; Christmas 2021 (Sat) → Fri 24 December;
    // Juneteenth 2022 (Sun) → Mon 20 June; New Year 2023 (Sun) → Mon 2 January.
    expect(holidayName('2020-07-03')).toMatch(/Independence/);
    expect(holidayName('2021-12-24')).toMatch(/Christmas/);
    expect(holidayName('2022-06-20')).toMatch(/Juneteenth/);
    expect(holidayName('2023-01-02')).toMatch(/New Year/);
    expect(isTradingDay('2022-06-17')).toBe(true);
  });

  it('does not close on Friday 31 December when New Year falls on a Saturday (NYSE rule)', () => {
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(holidayName('2022-01-01')).toBeNull();
    expect(isTradingDay('2010-12-31')).toBe(true);
  });

  it('has no Juneteenth before 2022', () => {
    expect(isTradingDay('2021-06-18')).toBe(true);
    expect(isTradingDay('2020-06-19')).toBe(true);
    expect(holidayName('2021-06-19')).toBeNull();
  });

  it('computes Good Friday from Gregorian Easter', () => {
    expect([2008, 2011, 2019, 2024, 2025, 2038].map(easterSunday)).toEqual([
      '2008-03-23',
      '2011-04-24',
      '2019-04-21',
      '2024-03-31',
      '2025-04-20',
      '2038-04-25',
    ]);
    expect(holidayName('2008-03-21')).toBe('Good Friday');
    expect(holidayName('2038-04-23')).toBe('Good Friday');
  });

  it('knows the unscheduled closures', () => {
    for (const d of [
      '2001-09-11',
      '2001-09-14',
      '2004-06-11',
      '2007-01-02',
      '2012-10-29',
      '2012-10-30',
      '2018-12-05',
    ]) {
      expect(isTradingDay(d), d).toBe(false);
    }
    expect(holidayName('2018-12-05')).toMatch(/Bush/);
    expect(isTradingDay('2001-09-17')).toBe(true);
  });
});

describe('stepping through trading days', () => {
  it('skips weekends, holidays and special closures', () => {
    expect(nextTradingDay('2025-01-08')).toBe('2025-01-10');
    expect(previousTradingDay('2025-01-10')).toBe('2025-01-08');
    expect(previousTradingDay('2025-01-02')).toBe('2024-12-31');
    expect(nextTradingDay('2024-11-27')).toBe('2024-11-29');
    expect(nextTradingDay('2025-04-17')).toBe('2025-04-21');
    expect(previousTradingDay('2001-09-17')).toBe('2001-09-10');
    expect(nextTradingDay('2025-03-08')).toBe('2025-03-10');
  });

  it('lists trading days inclusively and adds business days', () => {
    expect(tradingDays('2025-01-01', '2025-01-10')).toEqual([
      '2025-01-02',
      '2025-01-03',
      '2025-01-06',
      '2025-01-07',
      '2025-01-08',
      '2025-01-10',
    ]);
    expect(tradingDays('2025-01-10', '2025-01-01')).toEqual([]);
    expect(addTradingDays('2025-01-08', 2)).toBe('2025-01-13');
  });

  it('refuses malformed, impossible and out-of-range dates with the date in the error', () => {
    expect(() => isTradingDay('2025-02-30')).toThrow(CalendarDateError);
    expect(() => isTradingDay('2025-1-2')).toThrow(/YYYY-MM-DD/);
    expect(() => tradingDays('1997-12-31', '1998-01-05')).toThrow(/1997-12-31.*1998–2099/);
  });
});

describe('FINRA short interest settlement dates', () => {
  it('lists the 15th and month end of 2024, moved back to the previous trading day', () => {
    expect(settlementDates('2024-01-01', '2024-12-31')).toEqual([
      '2024-01-12', // 15th is Martin Luther King Jr. Day
      '2024-01-31',
      '2024-02-15',
      '2024-02-29',
      '2024-03-15',
      '2024-03-28', // 31st is a Sunday, 29th Good Friday
      '2024-04-15',
      '2024-04-30',
      '2024-05-15',
      '2024-05-31',
      '2024-06-14',
      '2024-06-28',
      '2024-07-15',
      '2024-07-31',
      '2024-08-15',
      '2024-08-30',
      '2024-09-13',
      '2024-09-30',
      '2024-10-15',
      '2024-10-31',
      '2024-11-15',
      '2024-11-29',
      '2024-12-13',
      '2024-12-31',
    ]);
  });

  it('moves a Good Friday 15th back to Thursday and keeps only dates inside the range', () => {
    expect(settlementDates('2022-04-01', '2022-04-30')).toEqual(['2022-04-14', '2022-04-29']);
    expect(settlementDates('2025-01-16', '2025-02-14')).toEqual(['2025-01-31', '2025-02-14']);
  });

  it('publishes seven business days after settlement', () => {
    // 2 Jan, 3, 6, 7, 8, (9 closed), 10, 13.
    expect(publicationDate('2024-12-31')).toBe('2025-01-13');
    expect(publicationDate('2025-01-15', 8)).toBe('2025-01-28');
  });
});

describe.skipIf(!existsSync(screener2024))('real 2024 screener files (../shared/data)', () => {
  it('has one file per NYSE trading day of 2024: 252', () => {
    const dates = readdirSync(screener2024)
      .map((f) => /^(\d{4}-\d{2}-\d{2})\.json(\.gz)?$/.exec(f)?.[1])
      .filter((d): d is string => d !== undefined)
      .sort();
    expect(dates).toHaveLength(252);
    expect(dates).toEqual(tradingDays('2024-01-01', '2024-12-31'));
  });
});
