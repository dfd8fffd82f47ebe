/**
 * Issue 21 item 3: the headline's groups as table rows and chart lines. `midLargeMega` is not published; it is
 * summed from `mid` and `megaLarge` (rule 8's sums are additive over disjoint symbol-days), its percentage the
 * ratio of the sums. Hand-computed on S3 Partners' 2023 YTD figures (the fixture) and on edge cases.
 */
import { describe, expect, it } from 'vitest';
import { headlineGroupFigures } from '../../shared/present/headline.ts';
import { fixtureLatest } from './fixtures.ts';

const g = (pnlUsd: number | null, avgShortInterestUsd: number | null) => ({ pnlUsd, avgShortInterestUsd });

describe('headlineGroupFigures', () => {
  it('mid, large & mega = mid + megaLarge; its percentage is the ratio of the sums, not a mean of percentages', () => {
    // mid −29.06B on 227.4B (−12.78%), megaLarge −110.73B on 653.3B (−16.95%):
    // −139.79B / 880.7B = −15.8726…%, while the mean of the two percentages would be −14.87%.
    const groups = { mid: g(-29.06e9, 227.4e9), megaLarge: g(-110.73e9, 653.3e9), smallMicroNano: g(12.93e9, 85.6e9) };
    const f = headlineGroupFigures(groups, 'midLargeMega');
    expect(f.pnlUsd).toBeCloseTo(-139.79e9, 0);
    expect(f.avgShortInterestUsd).toBeCloseTo(880.7e9, 0);
    expect(f.pnlPct).toBeCloseTo(-15.8726, 3);
    expect(headlineGroupFigures(groups, 'smallMicroNano')).toEqual({
      pnlUsd: 12.93e9,
      avgShortInterestUsd: 85.6e9,
      pnlPct: (12.93 / 85.6) * 100,
    });
  });

  it('agrees with the headline on the fixture (its −15.87%)', () => {
    const f = headlineGroupFigures(fixtureLatest().windows.ytd.groups, 'midLargeMega');
    expect(f.pnlPct?.toFixed(2)).toBe('-15.87');
  });

  it('is null when a part is null, and has no percentage when nothing was held short', () => {
    expect(
      headlineGroupFigures({ mid: g(null, 1e9), megaLarge: g(5e6, 1e9), smallMicroNano: g(0, 0) }, 'midLargeMega'),
    ).toEqual({ pnlUsd: null, avgShortInterestUsd: 2e9, pnlPct: null });
    expect(headlineGroupFigures({ mid: g(0, 0), megaLarge: g(0, 0), smallMicroNano: g(0, 0) }, 'midLargeMega')).toEqual(
      {
        pnlUsd: 0,
        avgShortInterestUsd: 0,
        pnlPct: null,
      },
    );
  });
});
