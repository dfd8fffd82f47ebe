import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateLong,
  formatFractionAsPercent,
  formatMonthYear,
  formatNumber,
  formatOrdinal,
  formatPercent,
  formatRfc822,
  formatSplitFactor,
  formatTimestamp,
  formatTimestampNewYork,
  formatUsd,
  formatUsdExact,
  MINUS,
  MISSING,
  pnlTone,
  toneArrow,
} from '../../shared/present/format.ts';

describe('formatUsd (compact dollars)', () => {
  it.each([
    [12_934_000_000, '$12.9B'],
    [-110_730_000_000, '−$110.7B'],
    [126_856_000_000, '$126.9B'],
    [1_500_000_000_000, '$1.5T'],
    [934_000_000, '$934.0M'],
    [12_345_678, '$12.3M'],
    [1234, '$1.2K'],
    [950, '$950'],
    [999.4, '$999'],
    // 999.5 rounds to 1,000 dollars: shown in the next unit.
    [999.5, '$1.0K'],
    [999_949_999, '$999.9M'],
    // Would round to $1,000.0M: promoted to billions.
    [999_950_000, '$1.0B'],
    [-3_400_000, '−$3.4M'],
    [0, '$0'],
  ])('%d → %s', (value, expected) => {
    expect(formatUsd(value)).toBe(expected);
  });

  it('uses the real minus sign U+2212, not a hyphen', () => {
    expect(formatUsd(-1e9)).toBe('\u2212$1.0B');
    expect(MINUS).toBe('\u2212');
    expect(formatUsd(-1e9)).not.toContain('-');
  });

  it('signs positive values only when asked, and never zero', () => {
    expect(formatUsd(934_000_000, { signed: true })).toBe('+$934.0M');
    expect(formatUsd(-934_000_000, { signed: true })).toBe('−$934.0M');
    expect(formatUsd(0, { signed: true })).toBe('$0');
    // −40 cents rounds to $0: no "−$0".
    expect(formatUsd(-0.4, { signed: true })).toBe('$0');
  });

  it('renders missing values as an em dash', () => {
    expect(formatUsd(null)).toBe('—');
    expect(formatUsd(undefined)).toBe('—');
    expect(formatUsd(Number.NaN)).toBe('—');
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('—');
    expect(MISSING).toBe('—');
  });
});

describe('formatUsdExact', () => {
  it('groups whole dollars with a real minus sign', () => {
    expect(formatUsdExact(-110_730_000_000)).toBe('−$110,730,000,000');
    expect(formatUsdExact(1234.5)).toBe('$1,235');
    expect(formatUsdExact(12, { signed: true })).toBe('+$12');
    expect(formatUsdExact(null)).toBe('—');
  });
});

describe('formatPercent (values already in percent points)', () => {
  it.each([
    [-16.951, {}, '−16.95%'],
    [15.11, { signed: true }, '+15.11%'],
    [-12.779_3, {}, '−12.78%'],
    [23.33, { digits: 1 }, '23.3%'],
    [0, { signed: true }, '0.00%'],
    // Rounds to zero: no sign.
    [-0.004, { signed: true }, '0.00%'],
    [0.005_1, { signed: true }, '+0.01%'],
  ] as const)('%d %o → %s', (value, options, expected) => {
    expect(formatPercent(value, options)).toBe(expected);
  });

  it('renders null as an em dash', () => {
    expect(formatPercent(null)).toBe('—');
  });
});

describe('formatFractionAsPercent', () => {
  it('−0.16951 → −16.95%', () => {
    expect(formatFractionAsPercent(-0.169_51)).toBe('−16.95%');
    expect(formatFractionAsPercent(0.151_1, { signed: true })).toBe('+15.11%');
    expect(formatFractionAsPercent(-0.000_01)).toBe('0.00%');
    expect(formatFractionAsPercent(null)).toBe('—');
  });
});

describe('formatNumber', () => {
  it('groups and fixes decimals', () => {
    expect(formatNumber(1587)).toBe('1,587');
    expect(formatNumber(14.76, 1)).toBe('14.8');
    expect(formatNumber(-2.25, 1)).toBe('−2.3');
    expect(formatNumber(null)).toBe('—');
  });
});

describe('formatOrdinal (percentile labels)', () => {
  it('gives st, nd, rd, th, with 11–13 and 111–113 as th', () => {
    expect([0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 99, 100, 101, 111, 112, 113].map(formatOrdinal)).toEqual([
      '0th',
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '99th',
      '100th',
      '101st',
      '111th',
      '112th',
      '113th',
    ]);
  });
});

describe('dates', () => {
  it('formats ISO dates without time-zone drift', () => {
    expect(formatDate('2024-06-14')).toBe('14 Jun 2024');
    expect(formatDate('2024-01-02')).toBe('2 Jan 2024');
    expect(formatDateLong('2024-06-14')).toBe('Friday 14 June 2024');
    expect(formatDateLong('2024-03-31')).toBe('Sunday 31 March 2024');
    expect(formatDate('14/06/2024')).toBe('—');
    expect(formatDate(null)).toBe('—');
  });

  it('names a month (the archive’s groups)', () => {
    expect(formatMonthYear('2024-06')).toBe('June 2024');
    expect(formatMonthYear('2025-12-31')).toBe('December 2025');
    expect(formatMonthYear('2024-13')).toBe('—');
    expect(formatMonthYear('June')).toBe('—');
  });

  it('formats timestamps in New York time, summer and winter', () => {
    expect(formatTimestampNewYork('2024-06-14T22:05:09.000Z')).toBe('14 Jun 2024, 18:05 New York time');
    expect(formatTimestampNewYork('2024-12-31T23:45:00.000Z')).toBe('31 Dec 2024, 18:45 New York time');
    expect(formatTimestampNewYork('2025-01-01T04:30:00.000Z')).toBe('31 Dec 2024, 23:30 New York time');
    expect(formatTimestampNewYork('nope')).toBe('—');
  });

  it('formats timestamps in UTC', () => {
    expect(formatTimestamp('2024-06-14T22:05:09.000Z')).toBe('14 Jun 2024, 22:05 UTC');
    expect(formatTimestamp('2024-06-14T23:30:00-04:00')).toBe('15 Jun 2024, 03:30 UTC');
    expect(formatTimestamp('nonsense')).toBe('—');
  });

  it('formats RSS dates as RFC 822', () => {
    expect(formatRfc822('2024-06-14T22:05:44.000Z')).toBe('Fri, 14 Jun 2024 22:05:44 GMT');
    expect(() => formatRfc822('not a date')).toThrow(RangeError);
  });
});

describe('formatSplitFactor', () => {
  it.each([
    [2, '2-for-1'],
    [10.000_412, '10-for-1'],
    [0.05, '1-for-20'],
    [0.333_3, '1-for-3'],
    [1.497, '3-for-2'],
    [1.5, '3-for-2'],
    [0.666_7, '2-for-3'],
    [0.023_1, '1-for-43 (approx.)'],
    [0.025, '1-for-40'],
    [1.37, '1.37-for-1 (approx.)'],
    [0.45, '1-for-2.22 (approx.)'],
    [20, '20-for-1'],
    [37.4, '37-for-1 (approx.)'],
    [0, '—'],
  ])('%d → %s', (factor, expected) => {
    expect(formatSplitFactor(factor)).toBe(expected);
  });
});

describe('tone', () => {
  it('maps the sign of shorts’ P&L to gain/loss with an arrow', () => {
    expect(pnlTone(5)).toBe('gain');
    expect(pnlTone(-5)).toBe('loss');
    expect(pnlTone(0)).toBe('flat');
    expect(pnlTone(null)).toBe('none');
    expect(toneArrow('gain')).toBe('▲');
    expect(toneArrow('loss')).toBe('▼');
    expect(toneArrow('flat')).toBe('');
  });
});
