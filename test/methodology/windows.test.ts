/** Rules 6–9: windows, tiers, breadth and the top lists. */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { assembleSnapshot } from '../../shared/snapshot/assemble.ts';
import { SnapshotSchema } from '../../shared/snapshot/schema.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;

describe('rule 7: window boundaries across a year end', () => {
  // 2023-12-27 … 2024-02-06 on trading days: weekdays without New Year's Day and Martin Luther King Jr.
  // Day (2024-01-15; rule 2 rejects exchange holidays): i = 0 … 27.
  const dates = weekdays('2023-12-27', 30).filter((d) => d !== '2024-01-01' && d !== '2024-01-15');
  // A (small): $100 + i on 10M shares, 1M shorted. With constant SI, Σ pnl over a window telescopes to
  // −SI · (price_A − price on the day before `from`), and Σ E = SI · Σ price_{d−1}.
  // N (small): listed from 2024-01-03, falls 10¢ a day, not shorted. Q: shorted, no market cap.
  const days = series(dates, (i) => {
    const rows: RowTuple[] = [['A', 100 + i]];
    if (i >= 4) rows.push(['N', 50 - 0.1 * (i - 4)]);
    rows.push(['Q', 10 + i, { marketCap: null }]);
    return rows;
  });
  const result = buildSnapshot({ days, shortInterest: [siFile('2023-12-01', { A: 1 * M, Q: 5 * M })], splits: [] });
  const w = result.body.windows;

  it('dates and counts', () => {
    expect(result.body.asOf).toBe('2024-02-06');
    expect([w['1d'].from, w['1d'].tradingDays]).toEqual(['2024-02-06', 1]);
    expect([w.mtd.from, w.mtd.tradingDays]).toEqual(['2024-02-01', 4]);
    // 30d = [2024-01-07, 2024-02-06]: 17 trading days of January from the 8th, 4 of February
    expect([w['30d'].from, w['30d'].tradingDays]).toEqual(['2024-01-08', 21]);
    // ytd: 2 January is the year's first counted day (no file for the 1st)
    expect([w.ytd.from, w.ytd.tradingDays]).toEqual(['2024-01-02', 25]);
  });

  it('sums over each window (rule 8)', () => {
    // ytd: day before from = 12-29 ($102), A = $127 → −25M; Σ price_{d−1} = 102 + … + 126 = 2850
    expectClose(w.ytd.groups.total.pnlUsd, -25 * M);
    expectClose(w.ytd.groups.total.avgShortInterestUsd, (2850 * M) / 25);
    expectClose(w.ytd.groups.total.pnlPct, (-25 / (2850 / 25)) * 100);
    // mtd: from 02-01, day before = 01-31 ($123): −4M; Σ = 123 + 124 + 125 + 126 = 498
    expectClose(w.mtd.groups.total.pnlUsd, -4 * M);
    expectClose(w.mtd.groups.total.avgShortInterestUsd, (498 * M) / 4);
    // 30d: day before from = 01-05 ($106): −21M; Σ = 106 + … + 126 = 2436
    expectClose(w['30d'].groups.total.pnlUsd, -21 * M);
    expectClose(w['30d'].groups.total.avgShortInterestUsd, (2436 * M) / 21);
    expectClose(w['1d'].groups.total.pnlUsd, -1 * M);
    // Q (no market cap) is in no group: all of it is A's
    expect(w.ytd.groups.small).toEqual(w.ytd.groups.total);
  });

  it('decliningPct needs a price on the day before from and every day of the window', () => {
    // ytd: N was not listed on 12-29 → only A (rising) counts → 0%; mtd: A rising, N falling → 50%
    expect(w.ytd.groups.small.decliningPct).toBe(0);
    expect(w.mtd.groups.small.decliningPct).toBe(50);
    expect(w['1d'].groups.small.decliningPct).toBe(50);
    // symbols: E > 0 on A → only A
    expect(w.ytd.groups.small.symbols).toBe(1);
  });

  it('history restarts the year-to-date figures on the first counted day of the year', () => {
    const h = result.history;
    expect(h[0]?.date).toBe('2023-12-28');
    const dec29 = h.find((r) => r.date === '2023-12-29');
    expectClose(dec29?.ytd.total.pnlUsd, -2 * M);
    const jan2 = h.find((r) => r.date === '2024-01-02');
    expect(jan2?.ytd).toEqual(jan2?.['1d']);
    expect(h).toHaveLength(27);
  });
});

describe('rule 7: the longest windows (23 trading days in October 2024)', () => {
  const dates = weekdays('2024-09-24', 28); // 09-24 … 10-31, no exchange holiday
  // A rises $1 a day (1M shorted); D falls to $49 on 10-01 and stays there.
  const days = series(dates, (i) => [
    ['A', 100 + i],
    ['D', (dates[i] as string) < '2024-10-01' ? 50 : 49],
  ]);
  const result = buildSnapshot({ days, shortInterest: [siFile('2024-09-01', { A: 1 * M })], splits: [] });
  const w = result.body.windows;

  it('mtd spans all 23 weekdays; 30d the 22 from 10-02', () => {
    expect([w.mtd.from, w.mtd.tradingDays]).toEqual(['2024-10-01', 23]);
    expect([w['30d'].from, w['30d'].tradingDays]).toEqual(['2024-10-02', 22]);
    expectClose(w.mtd.groups.total.pnlUsd, -23 * M);
    expectClose(w['30d'].groups.total.pnlUsd, -22 * M);
    // D compounded from 09-30 ($50) falls; from 10-01 ($49) it is flat
    expect(w.mtd.groups.total.decliningPct).toBe(50);
    expect(w['30d'].groups.total.decliningPct).toBe(0);
  });
});

describe('rule 7: an empty window', () => {
  it('a single accepted day counts nothing: null figures, integer symbols', () => {
    const result = buildSnapshot({
      days: series(['2024-03-04'], () => [['A', 10]]),
      shortInterest: [siFile('2024-03-01', { A: 1 * M })],
      splits: [],
    });
    for (const name of ['1d', 'mtd', '30d', 'ytd'] as const) {
      const win = result.body.windows[name];
      expect(win.from).toBeNull();
      expect(win.to).toBe('2024-03-04');
      expect(win.tradingDays).toBe(0);
      expect(win.groups.total).toEqual({
        pnlUsd: null,
        pnlPct: null,
        avgShortInterestUsd: null,
        netNewShortingUsd: null,
        returnPct: null,
        decliningPct: null,
        symbols: 0,
      });
      expect(win.sectors).toEqual({});
      expect(win.topWinners).toEqual([]);
    }
    expect(result.history).toEqual([]);
    const snapshot = assembleSnapshot(result.body, {
      generatedAt: '2024-03-04T22:00:00.000Z',
      sample: true,
      sources: [],
      rejections: [],
    });
    expect(SnapshotSchema.safeParse(snapshot).success).toBe(true);
  });
});

describe('rule 6: tiers', () => {
  it('bounds: nano < $50M ≤ micro < $300M ≤ small < $2B ≤ mid < $10B ≤ large < $200B ≤ mega', () => {
    const caps: [string, number][] = [
      ['NANO', 49_999_999],
      ['MICRO', 50e6],
      ['SMALL', 300e6],
      ['MID', 2e9],
      ['LARGE', 10e9],
      ['MEGA', 200e9],
    ];
    const days = series(weekdays('2024-03-04', 2), (i) => caps.map(([s, mc]) => [s, 10 + i, { marketCap: mc }]));
    const g = buildSnapshot({ days, shortInterest: [], splits: [] }).body.windows['1d'].groups;
    // one symbol per tier: each tier's cap-weighted return is that symbol's +10%
    for (const tier of ['nano', 'micro', 'small', 'mid', 'large', 'mega'] as const) {
      expectClose(g[tier].returnPct, 10);
    }
  });

  it('a symbol without a market cap on d−1 is left out that day, and out of the top lists without a tier on A', () => {
    // U: shorted, market cap unknown on 03-05 only. Its 03-06 move (MC_{d−1} unknown) is in no group.
    const caps = [1e9, null, 1e9];
    const days = series(weekdays('2024-03-04', 3), (i) => [
      ['U', [10, 11, 12][i] as number, { marketCap: caps[i] ?? null }],
      ['K', 20 + i],
    ]);
    const input = { days, shortInterest: [siFile('2024-03-01', { U: 1 * M, K: 1 * M })], splits: [] };
    const r = buildSnapshot({ ...input, methodology: 2 });
    // 03-05: U (MC_{03-04} known): E = $10M, pnl −$1M; K: E = $20M, pnl −$1M
    expectClose(r.history[0]?.['1d'].total.pnlUsd, -2 * M);
    // 03-06: only K
    expectClose(r.history[1]?.['1d'].total.pnlUsd, -1 * M);
    expectClose(r.history[1]?.['1d'].total.avgShortInterestUsd, 21 * M);
    // U has no tier as of A (MC_{A−1} unknown): not in the lists, not in symbols
    expect(r.body.windows.ytd.topLosers.map((e) => e.symbol)).toEqual(['K']);
    expect(r.body.windows.ytd.groups.total.symbols).toBe(1);
    // v3: U's tier as of A is its latest market cap ($1B on A, small): listed after K (−$1M against −$2M).
    const v3 = buildSnapshot(input);
    expect(v3.body.windows.ytd.topLosers.map((e) => [e.symbol, e.tier])).toEqual([
      ['K', v3.body.windows.ytd.topLosers[0]?.tier],
      ['U', 'small'],
    ]);
    expectClose(v3.body.windows.ytd.groups.total.pnlUsd, -3 * M);
  });
});

describe('rule 9: top winners and losers', () => {
  // Winners W01 … W12 fall from $10 to $9 with k·100k shares shorted: pnl = +k · $100k.
  // WA and WB tie at k = 12 ($1.2M); losers L1 … L3 rise $10 → $11 with k·100k shorted.
  const shorted: Record<string, number> = {};
  const rows = (i: number): RowTuple[] => {
    const out: RowTuple[] = [];
    for (let k = 1; k <= 11; k++) out.push([`W${String(k).padStart(2, '0')}`, i === 0 ? 10 : 9]);
    out.push(['WB', i === 0 ? 10 : 9], ['WA', i === 0 ? 10 : 9]);
    for (let k = 1; k <= 3; k++) out.push([`L${k}`, i === 0 ? 10 : 11]);
    out.push(['L0', i === 0 ? 10 : 11]);
    return out;
  };
  for (let k = 1; k <= 11; k++) shorted[`W${String(k).padStart(2, '0')}`] = k * 100_000;
  shorted.WA = 1_200_000;
  shorted.WB = 1_200_000;
  for (let k = 1; k <= 3; k++) shorted[`L${k}`] = k * 100_000;
  shorted.L0 = 300_000;
  const r = buildSnapshot({
    days: series(weekdays('2024-03-04', 2), rows),
    shortInterest: [siFile('2024-03-01', shorted)],
    splits: [],
  });
  const w = r.body.windows['1d'];

  it('winners: largest first, ties by symbol, at most 10', () => {
    expect(w.topWinners.map((e) => e.symbol)).toEqual([
      'WA',
      'WB',
      'W11',
      'W10',
      'W09',
      'W08',
      'W07',
      'W06',
      'W05',
      'W04',
    ]);
    expectClose(w.topWinners[0]?.pnlUsd, 1.2 * M);
    // pnlPct = Σ pnl / (Σ E / tradingDays) = 1.2M / 12M = 10%
    expectClose(w.topWinners[0]?.pnlPct, 10);
    // SI(A) · price_A = 1.2M · $9; SI / SO_A = 1.2M / 10M
    expectClose(w.topWinners[0]?.shortInterestUsd, 1.2 * M * 9);
    expectClose(w.topWinners[0]?.shortInterestPctSharesOut, 12);
    expect(w.topWinners[0]).toMatchObject({ name: 'WA Inc.', tier: 'micro', sector: 'Technology' });
  });

  it('losers: most negative first, ties by symbol', () => {
    // L0 and L3 tie at −$300k
    expect(w.topLosers.map((e) => e.symbol)).toEqual(['L0', 'L3', 'L2', 'L1']);
    expectClose(w.topLosers[0]?.pnlUsd, -0.3 * M);
  });
});
