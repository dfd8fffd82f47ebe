/**
 * Rule 6, version 3: each symbol's whole window in the tier of its latest market cap on or before A (S3
 * Partners' convention), against version 2's day-by-day tiers. Hand-computed; M = million.
 *
 * F, a collapsing bank (50M shares, 1M short): $100 → $60 → $24, market cap $5B (mid) → $3B (mid) → $1.2B (small).
 *   day 1: E = 1M × $100 = $100M, R = −40% → pnl +$40M; day 2: E = $60M, R = −60% → +$36M. Σ +$76M, Σ E $160M.
 * G, a large cap (400M shares, 1M short): $50 → $55 → $55: day 1 E = $50M, pnl −$5M; day 2 E = $55M, pnl 0.
 * D (4.5M shares, 1M short): $10 ($45M, nano) → $12 ($54M, micro), then delisted (absent on A):
 *   day 1 E = $10M, pnl −$2M.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
const days = series(weekdays('2024-03-04', 3), (i) => [
  ['F', [100, 60, 24][i] as number, { shares: 50 * M, sector: 'Finance' }],
  ['G', [50, 55, 55][i] as number, { shares: 400 * M, sector: 'Technology' }],
  ...(i < 2 ? [['D', [10, 12][i] as number, { shares: 4.5 * M, sector: 'Health Care' }] as RowTuple] : []),
]);
const input = { days, shortInterest: [siFile('2024-03-01', { F: M, G: M, D: M })], splits: [] };

describe('rule 6 (v3): tier as of A', () => {
  const v3 = buildSnapshot(input).body.windows.ytd;
  const v2 = buildSnapshot({ ...input, methodology: 2 }).body.windows.ytd;

  it('v2 puts each day in the tier of MC_{d−1}: F’s gains are mid-cap gains, D’s loss a nano loss', () => {
    expectClose(v2.groups.mid.pnlUsd, 76 * M);
    expect(v2.groups.small.pnlUsd).toBe(0);
    expectClose(v2.groups.nano.pnlUsd, -2 * M);
    expectClose(v2.groups.large.pnlUsd, -5 * M);
  });

  it('v3 puts F’s whole year in small (its cap on A), D’s in micro (its last known cap)', () => {
    expectClose(v3.groups.small.pnlUsd, 76 * M);
    // Σ E = $160M over 2 days: average $80M; 76 / 80 = 95%.
    expectClose(v3.groups.small.avgShortInterestUsd, 80 * M);
    expectClose(v3.groups.small.pnlPct, 95);
    expect(v3.groups.mid.pnlUsd).toBe(0);
    expect(v3.groups.mid.pnlPct).toBeNull();
    expectClose(v3.groups.micro.pnlUsd, -2 * M);
    expectClose(v3.groups.micro.avgShortInterestUsd, 5 * M);
    expect(v3.groups.nano.pnlUsd).toBe(0);
    expectClose(v3.groups.large.pnlUsd, -5 * M);
    expectClose(v3.groups.smallMicroNano.pnlUsd, 74 * M);
    expectClose(v3.groups.megaLarge.pnlUsd, -5 * M);
  });

  it('the total is the same under both versions: only the grouping moves', () => {
    expectClose(v3.groups.total.pnlUsd, 69 * M);
    expectClose(v2.groups.total.pnlUsd, 69 * M);
    expectClose(v3.groups.total.avgShortInterestUsd, v2.groups.total.avgShortInterestUsd as number);
  });

  it('returnPct keeps its index meaning: mid is F day by day (0.6 × 0.4 − 1), small had no member', () => {
    expectClose(v3.groups.mid.returnPct, -76);
    expect(v3.groups.small.returnPct).toBeNull();
    expect(v3.groups.mid.returnPct).toBe(v2.groups.mid.returnPct);
  });

  it('symbols count E > 0 on A by the tier as of A; sectors follow the sector as of A', () => {
    expect(v3.groups.small.symbols).toBe(1);
    expect(v3.groups.large.symbols).toBe(1);
    expect(v3.groups.micro.symbols).toBe(0);
    expectClose(v3.sectors.Finance?.pnlUsd, 76 * M);
    expectClose(v3.sectors['Health Care']?.pnlUsd, -2 * M);
  });

  it('top lists show v3’s tier as of A', () => {
    expect(v3.topWinners.map((e) => [e.symbol, e.tier])).toEqual([['F', 'small']]);
  });
});
