/**
 * Rule 9(b) (v3): the top lists within each headline group, and by P&L % of average short interest above a floor
 * (issue 19: "so small, micro and nano names appear, not only mega caps"). Hand-computed; M = million.
 *
 * F (50M shares, 1M short): $100 → $60 → $24, small as of A ($1.2B): pnl +$40M + $36M = +$76M, Σ E $160M,
 *   average $80M over 2 days: +95%.
 * G (400M shares, 1M short): $50 → $55 → $55, large: pnl −$5M + 0 = −$5M, Σ E $105M, average $52.5M: −9.524%.
 * H (2M shares, 100,000 short): $10 → $7 → $7, nano ($14M on A): day 1 E = $1M, R = −30% → +$0.3M; day 2 E =
 *   $0.7M, R = 0. Σ +$0.3M, average $0.85M: +35.3%, but below the $5M floor of the lists by %. (Not a halving:
 *   a price that halves with unchanged shares could be a 2-for-1 split, and rule 3 would hold it out.)
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { TOP_PCT_MIN_AVG_SHORT_INTEREST } from '../../shared/methodology/snapshot.ts';
import { expectClose, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
const days = series(weekdays('2024-03-04', 3), (i) => [
  ['F', [100, 60, 24][i] as number, { shares: 50 * M, sector: 'Finance' }],
  ['G', [50, 55, 55][i] as number, { shares: 400 * M, sector: 'Technology' }],
  ['H', [10, 7, 7][i] as number, { shares: 2 * M, sector: 'Health Care' }],
]);
const input = { days, shortInterest: [siFile('2024-03-01', { F: M, G: M, H: 0.1 * M })], splits: [] };

describe('rule 9(b) (v3): top lists by group and by P&L %', () => {
  const ytd = buildSnapshot(input).body.windows.ytd;

  it('lists each headline group’s own winners and losers, by tier as of A', () => {
    expect(ytd.topByGroup?.smallMicroNano.winners.map((e) => e.symbol)).toEqual(['F', 'H']);
    expectClose(ytd.topByGroup?.smallMicroNano.winners[1]?.pnlUsd, 0.3 * M);
    expect(ytd.topByGroup?.megaLarge).toEqual({ winners: [], losers: [expect.objectContaining({ symbol: 'G' })] });
    expect(ytd.topByGroup?.mid).toEqual({ winners: [], losers: [] });
  });

  it('ranks by P&L % among positions averaging at least the floor ($5M): H’s +35.3% is left out', () => {
    expect(TOP_PCT_MIN_AVG_SHORT_INTEREST).toBe(5 * M);
    expect(ytd.topByPct?.minAvgShortInterestUsd).toBe(5 * M);
    expect(ytd.topByPct?.winners.map((e) => e.symbol)).toEqual(['F']);
    expectClose(ytd.topByPct?.winners[0]?.pnlPct, 95);
    expect(ytd.topByPct?.losers.map((e) => e.symbol)).toEqual(['G']);
    expectClose(ytd.topByPct?.losers[0]?.pnlPct, (-5 / 52.5) * 100);
  });

  it('is v3 only: version 1 and 2 windows carry neither', () => {
    for (const methodology of [1, 2] as const) {
      const w = buildSnapshot({ ...input, methodology }).body.windows.ytd;
      expect('topByGroup' in w || 'topByPct' in w).toBe(false);
    }
  });
});
