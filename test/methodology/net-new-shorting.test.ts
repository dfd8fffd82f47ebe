/**
 * Rule 13 (v3): where short sellers added and covered, per window and group. Hand-computed, across an `R`
 * revision and a split; M = million.
 *
 * FINRA's files (parsed from their text, R rows applied by rule 4(a)):
 *   2024-03-01: S 1.0M, C 2.0M.      2024-03-06: S 3.0M (R: 03-01's S revised to 1.5M), C 1.0M.
 * Days (Mon 03-04 … Fri 03-08); 03-04 is the first day (never counted), 03-06 the file day:
 *   S: $100, $100, $110, $55, $60; 50M shares, 100M from 03-07 (a 2-for-1 split on 03-07, splits.csv).
 *   C: $20, $20, $25, $25, $25; 10M shares.
 * On 03-06: N(S) = (3.0M − 1.5M · 1) · $110 = $165M (1.5M shares); N(C) = (1.0M − 2.0M) · $25 = −$25M.
 * On 03-07 the split doubles S's shares: SI(S) = 6.0M, and the 1.5M shares shorted are 3.0M of today's shares.
 * On A = 03-08: S $60 × 100M = $6B (mid); C $25 × 10M = $250M (micro).
 *   S: change 3.0M shares, 3.0M / 100M = 3% of shares outstanding, 3.0M / (6.0M − 3.0M) = +100% of before,
 *      SI 6.0M shares, $360M.
 *   C: change −1.0M shares, −10% of 10M, −1.0M / 2.0M = −50%, SI 1.0M shares, $25M.
 */
import { describe, expect, it } from 'vitest';
import { mergeShortInterestRevisions, parseShortInterest } from '../../shared/formats/index.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { expectClose, series, weekdays } from './helpers.ts';

const M = 1e6;
const HEADER =
  'symbolCode|issueName|currentShortPositionQuantity|previousShortPositionQuantity|revisionFlag|settlementDate';
const files = mergeShortInterestRevisions([
  parseShortInterest(
    [HEADER, 'S|S Corp|1000000|900000||2024-03-01', 'C|C Corp|2000000|2000000||2024-03-01', ''].join('\n'),
    'shrt20240301.csv',
  ),
  parseShortInterest(
    [HEADER, 'S|S Corp|3000000|1500000|R|2024-03-06', 'C|C Corp|1000000|2000000||2024-03-06', ''].join('\n'),
    'shrt20240306.csv',
  ),
]);
const days = series(weekdays('2024-03-04', 5), (i) => [
  ['S', [100, 100, 110, 55, 60][i] as number, { shares: i >= 3 ? 100 * M : 50 * M, sector: 'Industrials' }],
  ['C', [20, 20, 25, 25, 25][i] as number, { shares: 10 * M, sector: 'Health Care' }],
]);
const input = { days, shortInterest: files, splits: [{ symbol: 'S', date: '2024-03-07', ratio: 2 }] };

describe('rule 13 (v3): net new shorting by stock', () => {
  const body = buildSnapshot(input).body;

  it('applies the R revision first: the 03-01 file holds S at 1.5M', () => {
    expect(files.map((f) => [f.settlementDate, f.shares.get('S')])).toEqual([
      ['2024-03-01', 1.5 * M],
      ['2024-03-06', 3 * M],
    ]);
  });

  it('lists S adding and C covering over the year, in today’s shares across the split', () => {
    const ytd = body.windows.ytd.netNewShorting;
    expect(ytd?.fromSettlement).toBe('2024-03-01');
    expect(ytd?.toSettlement).toBe('2024-03-06');
    const [s] = ytd?.groups.total.adding ?? [];
    expect(s).toMatchObject({ symbol: 'S', tier: 'mid', sector: 'Industrials' });
    expectClose(s?.netNewShortingUsd, 165 * M);
    expectClose(s?.changeShares, 3 * M);
    expectClose(s?.changePctSharesOut, 3);
    expectClose(s?.changePctPrevious, 100);
    expectClose(s?.shortInterestShares, 6 * M);
    expectClose(s?.shortInterestUsd, 360 * M);
    const [c] = ytd?.groups.total.covering ?? [];
    expect(c).toMatchObject({ symbol: 'C', tier: 'micro' });
    expectClose(c?.netNewShortingUsd, -25 * M);
    expectClose(c?.changeShares, -1 * M);
    expectClose(c?.changePctSharesOut, -10);
    expectClose(c?.changePctPrevious, -50);
    expectClose(c?.shortInterestUsd, 25 * M);
    expect(ytd?.groups.total.adding).toHaveLength(1);
    expect(ytd?.groups.total.covering).toHaveLength(1);
  });

  it('groups each stock by its tier as of A, and the lists add up to rule 8’s group N', () => {
    const g = body.windows.ytd.netNewShorting?.groups;
    expect(g?.mid.adding.map((e) => e.symbol)).toEqual(['S']);
    expect(g?.mid.covering).toEqual([]);
    expect(g?.micro.covering.map((e) => e.symbol)).toEqual(['C']);
    expect(g?.smallMicroNano.covering.map((e) => e.symbol)).toEqual(['C']);
    expect(g?.megaLarge).toEqual({ adding: [], covering: [] });
    expectClose(body.windows.ytd.groups.total.netNewShortingUsd, 140 * M);
  });

  it('mtd and 30d compare the same files here; 1d on a day without a new file lists nothing', () => {
    for (const w of ['mtd', '30d'] as const) {
      expect(body.windows[w].netNewShorting?.groups.total.adding.map((e) => e.changeShares)).toEqual([3 * M]);
    }
    expect(body.windows['1d'].netNewShorting).toEqual({
      fromSettlement: '2024-03-06',
      toSettlement: '2024-03-06',
      groups: expect.objectContaining({ total: { adding: [], covering: [] } }),
    });
  });

  it('on the file day itself (A = 03-06, before the split) the 1d change is 1.5M shares, 3% of 50M', () => {
    const oneDay = buildSnapshot({ ...input, asOf: '2024-03-06' }).body.windows['1d'].netNewShorting;
    expect(oneDay?.fromSettlement).toBe('2024-03-01');
    const [s] = oneDay?.groups.total.adding ?? [];
    expectClose(s?.changeShares, 1.5 * M);
    expectClose(s?.changePctSharesOut, 3);
    expectClose(s?.changePctPrevious, 100);
    expectClose(s?.netNewShortingUsd, 165 * M);
  });

  it('is v3 only: version 1 and 2 snapshots carry no such field (they stay byte-identical)', () => {
    for (const methodology of [1, 2] as const) {
      const w = buildSnapshot({ ...input, methodology }).body.windows.ytd;
      expect('netNewShorting' in w).toBe(false);
    }
  });
});
