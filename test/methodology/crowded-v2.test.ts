/**
 * Rule 10 in methodology v2 (issue 11, item 3): days to cover from FINRA's own average daily volume when
 * the short interest file gives one, the screener's 20-day mean otherwise; the score's components in
 * the JSON. Three $1B stocks, hand-ranked.
 */
import { describe, expect, it } from 'vitest';
import type { ShortInterestFile } from '../../shared/domain.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { series, weekdays } from './helpers.ts';

const M = 1e6;
const dates = weekdays('2024-03-04', 6);
// A, B, C: $10 flat on 100M shares ($1B), screener volume 1M every day (the helper's default).
const days = series(dates, () => [
  ['A', 10, { shares: 100 * M }],
  ['B', 10, { shares: 100 * M }],
  ['C', 10, { shares: 100 * M }],
]);
const file: ShortInterestFile = {
  settlementDate: '2024-03-01',
  files: ['shrt20240301.csv'],
  shares: new Map([
    ['A', 5 * M],
    ['B', 2 * M],
    ['C', 8 * M],
  ]),
  // FINRA's ADV for A and B; none for C.
  adv: new Map([
    ['A', 1 * M],
    ['B', 0.1 * M],
  ]),
};

describe('rule 10 (v2): crowded shorts', () => {
  it('takes days to cover from FINRA when it can, and shows the components', () => {
    const { body } = buildSnapshot({ days, shortInterest: [file], splits: [] });
    // % of shares: B 2 < A 5 < C 8; days to cover: A 5M/1M = 5 < C 8M/1M = 8 < B 2M/0.1M = 20;
    // $ short: B 20M < A 50M < C 80M. Components (rank − 1)/(n − 1): A 0.5, 0, 0.5 → 33.3;
    // B 0, 1, 0 → 33.3; C 1, 0.5, 1 → 83.3. A and B tie: the larger dollar short interest first.
    expect(body.crowded.map((c) => [c.symbol, c.score, c.daysToCover, c.daysToCoverSource, c.scoreComponents])).toEqual(
      [
        ['C', 83.3, 8, 'screener', { shortInterestPctSharesOut: 1, daysToCover: 0.5, shortInterestUsd: 1 }],
        ['A', 33.3, 5, 'finra', { shortInterestPctSharesOut: 0.5, daysToCover: 0, shortInterestUsd: 0.5 }],
        ['B', 33.3, 20, 'finra', { shortInterestPctSharesOut: 0, daysToCover: 1, shortInterestUsd: 0 }],
      ],
    );
  });

  it('v1 keeps the screener volume for every candidate and no components', () => {
    const { body } = buildSnapshot({ days, shortInterest: [file], splits: [], methodology: 1 });
    // Screener ADV 1M for all: days to cover A 5, B 2, C 8 — B now lowest on every metric.
    expect(body.crowded.map((c) => [c.symbol, c.daysToCover])).toEqual([
      ['C', 8],
      ['A', 5],
      ['B', 2],
    ]);
    expect(body.crowded[0]).not.toHaveProperty('scoreComponents');
    expect(body.crowded[0]).not.toHaveProperty('daysToCoverSource');
  });
});
