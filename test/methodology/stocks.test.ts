/**
 * Every stock (issue 19): each stock's file, checked by hand on the market of the rule 6 v3 test; M = million.
 *
 * F, a collapsing bank (50M shares, 1M short): $100 → $60 → $24. day 1: E = 1M × $100 = $100M, R = −40% → pnl
 *   +$40M; day 2: E = $60M, R = −60% → +$36M. Σ +$76M over Σ E $160M, 2 days: average $80M, 95%.
 * G, a large cap (400M shares, 1M short): $50 → $55 → $55: day 1 E = $50M, pnl −$5M; day 2 E = $55M, pnl 0.
 * D (4.5M shares, 1M short): $10 → $12, then delisted (absent on A): day 1 E = $10M, pnl −$2M.
 * Q (10M shares, no short interest): never listed in /data/stocks.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { StockFileSchema, StockIndexSchema } from '../../shared/snapshot/stocks-schema.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
const days = series(weekdays('2024-03-04', 3), (i) => [
  ['F', [100, 60, 24][i] as number, { shares: 50 * M, sector: 'Finance' }],
  ['G', [50, 55, 55][i] as number, { shares: 400 * M, sector: 'Technology' }],
  ['Q', [5, 5, 5][i] as number, { shares: 10 * M, sector: 'Energy' }],
  ...(i < 2 ? [['D', [10, 12][i] as number, { shares: 4.5 * M, sector: 'Health Care' }] as RowTuple] : []),
]);
const input = { days, shortInterest: [siFile('2024-03-01', { F: M, G: M, D: M })], splits: [], stocks: true };

describe('every stock: the per-stock files (issue 19)', () => {
  const result = buildSnapshot(input);
  const stocks = result.stocks;
  const file = (symbol: string) => stocks?.stocks.find((s) => s.symbol === symbol);

  it('writes every stock with short interest in the year, delisted ones too, and no other', () => {
    expect(stocks?.stocks.map((s) => s.symbol)).toEqual(['D', 'F', 'G']);
    expect(stocks?.index.map((s) => s.symbol)).toEqual(['D', 'F', 'G']);
    expect(file('D')).toMatchObject({ listedOnAsOf: false, shortInterest: null, tier: 'micro' });
  });

  it('gives F’s daily series and its YTD P&L by hand: +$40M then +$36M, 95% of an $80M average', () => {
    const f = file('F');
    expect(f?.series.date).toEqual(['2024-03-04', '2024-03-05', '2024-03-06']);
    expect(f?.series.price).toEqual([100, 60, 24]);
    expect(f?.series.shortInterest).toEqual([M, M, M]);
    expect(f?.series.settlementDate).toEqual(['2024-03-01', '2024-03-01', '2024-03-01']);
    expect(f?.series.flags[0]).toEqual(['first-day']);
    expectClose(f?.series.exposureUsd[1], 100 * M);
    expectClose(f?.series.pnlUsd[1], 40 * M);
    expectClose(f?.series.pnlUsd[2], 36 * M);
    expect(f?.series.tier).toEqual([null, 'mid', 'mid']);
    expectClose(f?.windows.ytd.pnlUsd, 76 * M);
    expectClose(f?.windows.ytd.avgShortInterestUsd, 80 * M);
    expectClose(f?.windows.ytd.pnlPct, 95);
    expectClose(f?.windows['1d'].pnlUsd, 36 * M);
    // Tier as of A (v3): its cap on A, $1.2B = small; short interest on A: 1M × $24, 2% of 50M shares.
    expect(f?.tier).toBe('small');
    expect(f?.shortInterest).toMatchObject({ settlementDate: '2024-03-01', shares: M });
    expectClose(f?.shortInterest?.usd, 24 * M);
    expectClose(f?.shortInterest?.pctSharesOut, 2);
  });

  it('equals the engine’s own figures: the top lists’ P&L, and the series sums to the window', () => {
    const ytd = result.body.windows.ytd;
    expectClose(ytd.topWinners.find((e) => e.symbol === 'F')?.pnlUsd, file('F')?.windows.ytd.pnlUsd as number);
    expectClose(ytd.topLosers.find((e) => e.symbol === 'G')?.pnlUsd, file('G')?.windows.ytd.pnlUsd as number);
    for (const s of stocks?.stocks ?? []) {
      const sum = s.series.pnlUsd.reduce((a, b) => a + b, 0);
      expectClose(sum, s.windows.ytd.pnlUsd);
    }
    expectClose(file('G')?.windows.ytd.pnlUsd, -5 * M);
    expectClose(file('D')?.windows.ytd.pnlUsd, -2 * M);
  });

  it('parses against the published schemas', () => {
    const meta = { generatedAt: '2024-03-06T22:00:00.000Z', sample: false };
    for (const s of stocks?.stocks ?? []) expect(() => StockFileSchema.parse({ ...s, ...meta })).not.toThrow();
    expect(() =>
      StockIndexSchema.parse({
        schemaVersion: 1,
        methodologyVersion: 3,
        asOf: '2024-03-06',
        ...meta,
        stocks: stocks?.index,
      }),
    ).not.toThrow();
  });

  it('is recorded only when asked: a build without it carries none', () => {
    expect(buildSnapshot({ ...input, stocks: false }).stocks).toBeUndefined();
  });
});
