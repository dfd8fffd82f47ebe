/** Rules 4 and 5: short interest steps at settlement dates, is split-adjusted after them, and N. */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
// 2024-01-10 … 2024-02-02 without Monday 15 January (Martin Luther King Jr. Day: no file)
const dates = weekdays('2024-01-10', 18).filter((d) => d !== '2024-01-15');

/** X (small): $10 on 100M shares, 2-for-1 on 01-16 → $5 on 200M. Y (mid): $40 on 100M, 2-for-1 on 01-31. */
function rows(i: number): RowTuple[] {
  const date = dates[i] as string;
  const x: RowTuple = date < '2024-01-16' ? ['X', 10, { shares: 100 * M }] : ['X', 5, { shares: 200 * M }];
  const y: RowTuple = date < '2024-01-31' ? ['Y', 40, { shares: 100 * M }] : ['Y', 20, { shares: 200 * M }];
  return [x, y];
}
const days = series(dates, rows);
const shortInterest = [
  siFile('2024-01-12', { X: 1 * M, Y: 0.5 * M }),
  siFile('2024-01-15', { X: 2 * M, Y: 0.5 * M }),
  // the 31 January file with its revision merged in (X revised from 2.5M to 3M)
  siFile('2024-01-31', { X: 3 * M, Y: 0.6 * M }, ['shrt20240131.csv', 'shrt20240131r.csv']),
];
const result = buildSnapshot({ days, shortInterest, splits: [] });
const on = (date: string) => {
  const row = result.history.find((r) => r.date === date);
  if (!row) throw new Error(`no history row ${date}`);
  return row['1d'];
};

describe('rule 4: short interest in effect', () => {
  it('is 0 before the first settlement date, and N is 0 the day the first file takes effect', () => {
    expect(on('2024-01-11').total.avgShortInterestUsd).toBe(0);
    // 01-12: the 01-12 file is in effect, but none was on 01-11 (rule 5: N = 0), and E uses SI(01-11) = 0
    expect(on('2024-01-12').total.avgShortInterestUsd).toBe(0);
    expect(on('2024-01-12').total.netNewShortingUsd).toBe(0);
    // 01-16: E(X) = SI(X, 01-12) · $10 = 1M · 10
    expectClose(on('2024-01-16').small.avgShortInterestUsd, 10 * M);
  });

  it('takes a file settled on a non-trading day from the next accepted day, with that day’s split', () => {
    // 01-16: file of 01-15 → X = 2M, times the 2-for-1 of 01-16 (a day after the settlement date) = 4M
    expect(result.body.dataQuality.splits).toEqual([
      { symbol: 'X', date: '2024-01-16', factor: 2, rule: '3a' },
      { symbol: 'Y', date: '2024-01-31', factor: 2, rule: '3a' },
    ]);
    // N(X, 01-16) = (4M − 1M · 2) · $5 = $10M; R = 5/10 · 2 − 1 = 0 → no P&L
    expectClose(on('2024-01-16').small.netNewShortingUsd, 10 * M);
    expectClose(on('2024-01-16').small.pnlUsd, 0);
    // 01-17: E(X) = 4M · $5
    expectClose(on('2024-01-17').small.avgShortInterestUsd, 20 * M);
  });

  it('a split on the settlement date itself is already in the file', () => {
    // Y splits on 01-31, the settlement date of the file in effect from 01-31: SI(Y, 01-31) = 0.6M, not 1.2M
    // N(Y, 01-31) = (0.6M − 0.5M · 2) · $20 = −$8M
    expectClose(on('2024-01-31').mid.netNewShortingUsd, -8 * M);
    expectClose(on('2024-02-01').mid.avgShortInterestUsd, 0.6 * M * 20);
  });

  it('uses the revised figures of a file (revisions merged by the parser)', () => {
    // N(X, 01-31) = (3M − 4M) · $5 = −$5M; E(X, 02-01) = 3M · $5
    expectClose(on('2024-01-31').small.netNewShortingUsd, -5 * M);
    expectClose(on('2024-02-01').small.avgShortInterestUsd, 15 * M);
    expect(result.body.dataQuality.shortInterestSettlementDate).toBe('2024-01-31');
  });

  it('with --as-of, a later file is not used', () => {
    const early = buildSnapshot({ days, shortInterest, splits: [], asOf: '2024-01-30' });
    expect(early.body.asOf).toBe('2024-01-30');
    expect(early.body.dataQuality.shortInterestSettlementDate).toBe('2024-01-15');
    // E(X, A) = SI(X, 01-29) · $5 = 4M · 5
    expectClose(early.body.windows['1d'].groups.small.avgShortInterestUsd, 20 * M);
    expect(early.history.map((r) => r.date).at(-1)).toBe('2024-01-30');
  });

  it('a symbol absent from the file in effect has no short interest', () => {
    const z = buildSnapshot({
      days: series(dates.slice(0, 3), (i) => [['Z', 10 + i, { shares: 100 * M }]]),
      shortInterest: [siFile('2024-01-01', { OTHER: 5 * M })],
      splits: [],
    });
    expect(z.body.windows.ytd.groups.total.avgShortInterestUsd).toBe(0);
    expect(z.body.windows.ytd.groups.total.pnlPct).toBeNull();
    expect(z.body.windows.ytd.groups.total.symbols).toBe(0);
  });
});
