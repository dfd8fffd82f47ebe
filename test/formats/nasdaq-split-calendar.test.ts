/**
 * Nasdaq's splits calendar (docs/data-formats.md, "Nasdaq split calendar"). splits-2021-11-12.json and
 * splits-2021-11-13.json are real answers of api.nasdaq.com as quoted in gyantal/SqCore; the other
 * fixtures are hand-written in the same layout.
 */
import { describe, expect, it } from 'vitest';
import {
  calendarRatioOf,
  mergeSplitOverrides,
  parseSplitCalendar,
  splitCalendarDateFromName,
  usDateOf,
} from '../../shared/formats/nasdaq-split-calendar.ts';
import { fixtureText, refusal } from './fixtures.ts';

const parseFixture = (name: string) => {
  const { text, file } = fixtureText(`split-calendar/${name}`);
  return parseSplitCalendar(text, file);
};

describe('calendarRatioOf: the vendor ratio as new shares per old share', () => {
  it.each([
    ['10 : 1', 10, 'NVDA 10-for-1: ten shares after for one before'],
    ['50 : 1', 50, 'CMG 50-for-1'],
    ['2 : 1', 2, 'a 2-for-1'],
    ['3 : 2', 1.5, 'a 3-for-2'],
    ['1 : 10', 0.1, 'a 1-for-10 reverse split'],
    ['1 : 150', 1 / 150, "GWAV's 1-for-150"],
    ['1:4', 0.25, 'without spaces'],
    ['8.000%', 1.08, 'a stock dividend of 8 shares per 100 (SRL, 2021)'],
    ['10.000%', 1.1, 'a 10% stock dividend'],
    [' 1 : 3 ', 1 / 3, 'padded'],
  ])('%j → %d (%s)', (raw, expected) => {
    expect(calendarRatioOf(raw)).toBe(expected);
  });

  it.each([
    ['', 'is empty'],
    ['1 : 0', 'has a zero side (a ratio must be > 0)'],
    ['0 : 1', 'has a zero side (a ratio must be > 0)'],
    ['1 : 1', 'is 1, which is not a split'],
    ['0.000%', 'is 1, which is not a split'],
    ['1-for-10', 'is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%")'],
    ['-1 : 2', 'is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%")'],
    ['1 : 2 : 3', 'is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%")'],
    ['1 : 5000', 'is outside the plausible range 1/1000 … 1000 new shares per old share (rule 11)'],
    ['2000 : 1', 'is outside the plausible range 1/1000 … 1000 new shares per old share (rule 11)'],
  ])('%j is refused: %s', (raw, problem) => {
    expect(calendarRatioOf(raw)).toBe(problem);
  });
});

describe('usDateOf: the vendor dates', () => {
  it.each([
    ['06/10/2024', '2024-06-10'],
    ['6/10/2024', '2024-06-10'],
    ['3/28/2023', '2023-03-28'],
    ['02/29/2024', '2024-02-29'],
  ])('%j → %s', (raw, date) => {
    expect(usDateOf(raw)).toBe(date);
  });

  it.each(['N/A', '02/30/2024', '13/01/2024', '2024-06-10', ''])('%j is no date', (raw) => {
    expect(usDateOf(raw)).toBeNull();
  });
});

describe('parseSplitCalendar', () => {
  it('reads a real answer: a stock dividend "8.000%" on its ex-date is a split of 1.08', () => {
    expect(parseFixture('splits-2021-11-12.json')).toEqual({
      file: 'splits-2021-11-12.json',
      date: '2021-11-12',
      records: [{ symbol: 'SRL', date: '2021-11-12', ratio: 1.08, file: 'splits-2021-11-12.json' }],
      rejections: [],
      otherDays: 0,
    });
  });

  it('a day without splits is data null with "No record found" (real answer): no records, not a refusal', () => {
    expect(parseFixture('splits-2021-11-13.json')).toEqual({
      file: 'splits-2021-11-13.json',
      date: '2021-11-13',
      records: [],
      rejections: [],
      otherDays: 0,
    });
    expect(parseFixture('splits-2024-06-14.json').records).toEqual([]);
  });

  it("keeps the rows of the file's day and counts the announcements of later days without using them", () => {
    expect(parseFixture('splits-2024-06-10.json')).toEqual({
      file: 'splits-2024-06-10.json',
      date: '2024-06-10',
      records: [
        { symbol: 'NVDA', date: '2024-06-10', ratio: 10, file: 'splits-2024-06-10.json' },
        { symbol: 'ABR-PD', date: '2024-06-10', ratio: 0.1, file: 'splits-2024-06-10.json' },
      ],
      rejections: [],
      otherDays: 2,
    });
  });

  it('rejects bad rows with their 1-based row index, field and reason; the first problem in column order', () => {
    const f = 'splits-2024-07-12.json';
    const p = parseFixture(f);
    expect(p.records).toEqual([
      { symbol: 'NYCB', date: '2024-07-12', ratio: 1 / 3, file: f },
      { symbol: 'STKD', date: '2024-07-12', ratio: 1.1, file: f },
    ]);
    expect(p.otherDays).toBe(0);
    expect(p.rejections).toEqual([
      { file: f, line: 2, field: 'ratio', reason: '"1 : 0" has a zero side (a ratio must be > 0)' },
      {
        file: f,
        line: 3,
        field: 'ratio',
        reason: '"1-for-10" is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%")',
      },
      { file: f, line: 4, field: 'ratio', reason: '"1 : 1" is 1, which is not a split' },
      {
        file: f,
        line: 5,
        field: 'ratio',
        reason: '"1 : 5000" is outside the plausible range 1/1000 … 1000 new shares per old share (rule 11)',
      },
      { file: f, line: 6, field: 'executionDate', reason: '"N/A" is not a date (MM/DD/YYYY)' },
      { file: f, line: 7, field: 'executionDate', reason: '"02/30/2024" is not a date (MM/DD/YYYY)' },
      { file: f, line: 8, field: 'symbol', reason: 'is empty' },
      { file: f, line: 9, field: 'symbol', reason: expect.stringMatching(/^"AA PL" /) },
      { file: f, line: 10, field: 'symbol', reason: 'NYCB on 2024-07-12 repeats row 1; the first row is kept' },
      { file: f, line: 11, field: '*', reason: 'null is not a row object' },
      { file: f, line: 12, field: 'ratio', reason: 'is missing' },
      { file: f, line: 13, field: 'ratio', reason: '2 is not a string' },
      {
        file: f,
        line: 14,
        field: 'ratio',
        reason:
          '"x : y" is not a split ratio ("new : old" such as "10 : 1" or "1 : 10", or a stock dividend "P%") (and 1 more problem)',
      },
    ]);
  });

  it.each([
    ['splits-2024-06-11.json', 1, 'the body is an HTML page (title "Access Denied"), not a Nasdaq split calendar JSON'],
    ['splits-2024-06-12.json', 0, 'the JSON has no rows: data is null (API status rCode 400: Invalid date.)'],
  ])('refuses %s', (name, line, reason) => {
    expect(refusal(() => parseFixture(name)).toRejection()).toEqual({ file: name, line, field: '*', reason });
  });

  it('refuses a truncated body, an empty one, JSON of another shape and data without rows', () => {
    expect(refusal(() => parseFixture('splits-2024-06-13.json')).reason).toMatch(/^the body is not JSON \(/);
    expect(refusal(() => parseSplitCalendar('  \n', 'splits-2024-06-10.json')).reason).toBe('the body is empty');
    expect(refusal(() => parseSplitCalendar('[]', 'splits-2024-06-10.json')).reason).toBe(
      'the JSON is not a Nasdaq split calendar JSON: expected {"data":{"rows":[…]}} or {"data":null,…}',
    );
    expect(refusal(() => parseSplitCalendar('{"data":{"headers":{}}}', 'splits-2024-06-10.json')).reason).toBe(
      'the JSON has no rows: data has no rows array',
    );
    expect(refusal(() => parseSplitCalendar('{"data":null}', 'splits-2024-06-10.json')).reason).toBe(
      'the JSON has no rows: data is null',
    );
  });

  it('refuses a file whose name carries no real date, before reading it', () => {
    const body = fixtureText('split-calendar/splits-2024-06-10.json').text;
    for (const name of ['splits-2024-02-30.json', 'calendar.json', 'splits-20240610.json']) {
      expect(refusal(() => parseSplitCalendar(body, name)).toRejection()).toEqual({
        file: name,
        line: 0,
        field: '*',
        reason: "the file name does not carry the calendar's day: expected splits-YYYY-MM-DD.json with a real date",
      });
    }
    expect(splitCalendarDateFromName('splits-2024-06-10.json.gz')).toBe('2024-06-10');
    expect(splitCalendarDateFromName('splits-2024-02-29.json')).toBe('2024-02-29');
  });
});

describe('mergeSplitOverrides: splits.csv wins over the calendar for the same symbol and day', () => {
  it('keeps every explicit entry, adds calendar entries for other symbol-days, lists the superseded ones', () => {
    const explicit = [
      { symbol: 'NVDA', date: '2024-06-10', ratio: 10 },
      { symbol: 'ABR-PD', date: '2024-06-10', ratio: 0.2 },
    ];
    const calendar = [
      { symbol: 'ABR-PD', date: '2024-06-10', ratio: 0.1 },
      { symbol: 'CMG', date: '2024-06-26', ratio: 50 },
      { symbol: 'CMG', date: '2024-06-26', ratio: 5 },
    ];
    const frozen = structuredClone({ explicit, calendar });
    expect(mergeSplitOverrides(explicit, calendar)).toEqual({
      splits: [...explicit, { symbol: 'CMG', date: '2024-06-26', ratio: 50 }],
      superseded: [
        { symbol: 'ABR-PD', date: '2024-06-10', ratio: 0.1 },
        { symbol: 'CMG', date: '2024-06-26', ratio: 5 },
      ],
    });
    expect({ explicit, calendar }).toEqual(frozen);
    expect(mergeSplitOverrides([], [])).toEqual({ splits: [], superseded: [] });
  });
});
