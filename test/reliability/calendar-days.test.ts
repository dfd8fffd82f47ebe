/**
 * Files dated on days the exchange is closed or closes early (issue 6 catalogue). Decisions, in
 * docs/reliability.md:
 * - weekend: rule 2 rejects the day (methodology), listed in dataQuality.rejectedDays;
 * - full holiday: the pipeline's ingest refuses the file by the exchange calendar before compute
 *   (bad-input-ingest.test.ts); `pulse build` has no calendar (rule 2 rejects weekends only), so there
 *   a holiday file is what it nearly always is — a repeat of the day before — and rule 2 rejects it as
 *   stale; a holiday file with new prices would be accepted by `pulse build` (a known difference);
 * - half day (07-03, 11-29, 12-24 in 2024): a trading day like any other.
 */
import { describe, expect, it } from 'vitest';
import { holidayName, isTradingDay } from '../../shared/calendar.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { day, type RowTuple, siFile } from '../methodology/helpers.ts';

const rows = (move: number): RowTuple[] => [
  ['AAA', 10 * move, { shares: 1e8 }],
  ['BBB', 20 * move, { shares: 1e8 }],
  ['CCC', 30 * move, { shares: 1e8 }],
];
const si = [siFile('2024-06-28', { AAA: 1e6, BBB: 1e6, CCC: 1e6 })];

describe('exchange calendar of 2024', () => {
  it('knows the full holidays and keeps the half days as trading days', () => {
    expect(holidayName('2024-07-04')).toBe('Independence Day');
    expect(holidayName('2024-06-19')).toMatch(/^Juneteenth/);
    for (const halfDay of ['2024-07-03', '2024-11-29', '2024-12-24']) {
      expect(isTradingDay(halfDay), halfDay).toBe(true);
      expect(holidayName(halfDay), halfDay).toBeNull();
    }
  });
});

describe('rule 2 on a file dated on a holiday (pulse build uses the exchange calendar, as ingest does)', () => {
  it('a repeat of the day before (what a holiday download is) is rejected as a holiday', () => {
    const days = [day('2024-07-02', rows(1)), day('2024-07-03', rows(1.01))];
    const holiday = { ...day('2024-07-04', rows(1.01)), file: '2024-07-04.json' };
    const { body } = buildSnapshot({
      days: [...days, holiday, day('2024-07-05', rows(1.02))],
      shortInterest: si,
      splits: [],
    });
    expect(body.dataQuality.rejectedDays).toEqual([
      {
        date: '2024-07-04',
        file: '2024-07-04.json',
        reason: 'holiday: the exchange was closed (Independence Day)',
      },
    ]);
    // Counted: 07-03 and 07-05 (07-02, the first accepted day, is not counted: rule 7).
    expect(body.windows.mtd.tradingDays).toBe(2);
  });

  it('a holiday file with new prices is rejected by build too (issue 10: the same verdict as ingest)', () => {
    const days = [day('2024-07-03', rows(1)), day('2024-07-04', rows(1.01)), day('2024-07-05', rows(1.02))];
    const { body } = buildSnapshot({ days, shortInterest: si, splits: [] });
    expect(body.dataQuality.rejectedDays).toEqual([
      { date: '2024-07-04', file: '2024-07-04.json', reason: 'holiday: the exchange was closed (Independence Day)' },
    ]);
    expect(body.dataQuality.acceptedDays).toBe(2);
  });

  it('a half day is an ordinary counted day', () => {
    const days = [day('2024-11-27', rows(1)), day('2024-11-29', rows(1.01)), day('2024-12-02', rows(1.02))];
    const { body } = buildSnapshot({ days, shortInterest: si, splits: [], asOf: '2024-11-29' });
    expect(body.asOf).toBe('2024-11-29');
    expect(body.windows['1d']).toMatchObject({ from: '2024-11-29', tradingDays: 1 });
  });
});
