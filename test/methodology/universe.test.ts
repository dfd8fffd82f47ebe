/**
 * Rule 12 in the engine (methodology v2): a common stock, an ADR, a note and a warrant, all shorted,
 * over three days; hand-computed figures. v1 (`methodology: 1`) counts all four, v2 only the common stock
 * and the ADR; rule 2 judges the files the same way in both.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { type RowTuple, series, siFile } from './helpers.ts';

const M = 1e6;
const dates = ['2024-03-04', '2024-03-05', '2024-03-06'];
// Day i: COM $10 → $11 → $12, ADRX $20 → $18 → $18, NOTE $25 → $20 → $20 (a −20% print), WT $1 → $1.45 →
// $1.45 (+45%: no rule 3(b) factor fits, so no pending split).
const days = series(dates, (i) => {
  const rows: RowTuple[] = [
    ['COM', [10, 11, 12][i] as number, { name: 'Common Co. Common Stock', shares: 100 * M }],
    ['ADRX', [20, 18, 18][i] as number, { name: 'Foreign Co. American Depositary Shares', shares: 100 * M }],
    ['NOTE', [25, 20, 20][i] as number, { name: 'Issuer Corp. 6.5% Notes due 2056', shares: 100 * M }],
    ['WT', [1, 1.45, 1.45][i] as number, { name: 'SPAC Acquisition Corp. Warrant', shares: 10 * M }],
  ];
  return rows;
});
const shortInterest = [siFile('2024-03-01', { COM: 1 * M, ADRX: 2 * M, NOTE: 3 * M, WT: 4 * M })];

describe('rule 12: only common stocks and ADRs count (v2)', () => {
  const v1 = buildSnapshot({ days, shortInterest, splits: [], methodology: 1 }).body;
  const v2 = buildSnapshot({ days, shortInterest, splits: [], methodology: 2 }).body;

  it('v2: the YTD total is COM and ADRX only, by hand', () => {
    // COM: E = 1M × $10, R = +10% → −$1M; then 1M × $11, R = +1/11 → −$1M. ADRX: 2M × $20, R = −10% → +$4M;
    // then flat → 0. Σ pnl = +$2M; Σ E = 10 + 40 + 11 + 36 = $97M over 2 days.
    const t = v2.windows.ytd.groups.total;
    expect(t.pnlUsd).toBeCloseTo(2 * M, 3);
    expect(t.avgShortInterestUsd).toBeCloseTo((97 * M) / 2, 3);
    expect(v2.windows.ytd.tradingDays).toBe(2);
    expect(v2.methodologyVersion).toBe(2);
    // `series` adds three movers without a market cap (common stocks, in no figure).
    expect(v2.dataQuality.securityTypes).toEqual({
      common: 4,
      adr: 1,
      preferred: 0,
      note: 1,
      warrant: 1,
      unit: 0,
      right: 0,
      fund: 0,
      other: 0,
    });
    const listed = [...v2.windows.ytd.topWinners, ...v2.windows.ytd.topLosers].map((e) => e.symbol).sort();
    expect(listed).toEqual(['ADRX', 'COM']);
  });

  it('v1: all four count (the note +$15M, the warrant −$1.8M)', () => {
    // NOTE: 3M × $25, R = −20% → +$15M, then flat. WT: 4M × $1, R = +45% → −$1.8M, then flat.
    expect(v1.windows.ytd.groups.total.pnlUsd).toBeCloseTo((2 + 15 - 1.8) * M, 3);
    expect(v1.methodologyVersion).toBe(1);
    expect(v1.dataQuality).not.toHaveProperty('securityTypes');
  });

  it('a securities.csv override moves a listing in or out of the figures', () => {
    const asCommon = buildSnapshot({
      days,
      shortInterest,
      splits: [],
      securities: new Map([['NOTE', 'common' as const]]),
    }).body;
    expect(asCommon.windows.ytd.groups.total.pnlUsd).toBeCloseTo((2 + 15) * M, 3);
    expect(asCommon.dataQuality.securityTypes?.note).toBe(0);
  });
});
