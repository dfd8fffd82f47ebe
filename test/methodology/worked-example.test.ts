/**
 * The worked example of docs/methodology.md (fixture worked-example.json). Every expected number
 * below is derived by hand in the doc's "Worked example" section; the arithmetic is written out so
 * it can be checked against the doc line by line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PriceDay } from '../../shared/domain.ts';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { expectClose, siFile } from './helpers.ts';

const M = 1e6;

interface Fixture {
  days: PriceDay[];
  shortInterest: { settlementDate: string; files: string[]; shares: Record<string, number> }[];
}
const fixture = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../fixtures/methodology/worked-example.json'), 'utf8'),
) as Fixture;
// The worked example is written for rule 6's day-by-day tiers (version 2); version 3's tier as of A is
// hand-computed in test/methodology/tier-as-of-a.test.ts.
const input = {
  methodology: 2 as const,
  days: fixture.days,
  shortInterest: fixture.shortInterest.map((f) => siFile(f.settlementDate, f.shares, f.files)),
  splits: [],
};
const { body, history } = buildSnapshot(input);

describe('worked example (docs/methodology.md)', () => {
  it('rejects the Saturday file and counts three of the four trading days (rules 2, 7)', () => {
    expect(body.asOf).toBe('2024-04-02');
    expect(body.dataQuality.acceptedDays).toBe(4);
    expect(body.dataQuality.rejectedDays).toEqual([
      { date: '2024-03-30', file: '2024-03-30.json', reason: expect.stringMatching(/^weekend/) },
    ]);
    expect(body.dataQuality.shortInterestSettlementDate).toBe('2024-03-28');
    expect(body.dataQuality.splits).toEqual([]);
    expect(history.map((r) => r.date)).toEqual(['2024-03-28', '2024-04-01', '2024-04-02']);
  });

  it('window boundaries (rule 7)', () => {
    const w = body.windows;
    expect([w['1d'].from, w['1d'].tradingDays]).toEqual(['2024-04-02', 1]);
    expect([w.mtd.from, w.mtd.tradingDays]).toEqual(['2024-04-01', 2]);
    expect([w['30d'].from, w['30d'].tradingDays]).toEqual(['2024-03-28', 3]);
    expect([w.ytd.from, w.ytd.tradingDays]).toEqual(['2024-03-28', 3]);
    for (const name of ['1d', 'mtd', '30d', 'ytd'] as const) expect(w[name].to).toBe('2024-04-02');
  });

  it('day 2024-03-28: new short interest file, N and P&L per symbol (rules 4, 5)', () => {
    const d = history[0]?.['1d'];
    // AAA: E = 10M·100 = 1,000M, R = +10% → pnl −100M, N = (12M − 10M)·110 = +220M
    // BBB: E = 5M·20 = 100M, R = −10% → pnl +10M, N = (4M − 5M)·18 = −18M
    // CCC: E = 1M·5 = 5M, R = 0 → pnl 0, N = 0
    expectClose(d?.large.pnlUsd, -100 * M);
    expectClose(d?.large.netNewShortingUsd, 220 * M);
    expectClose(d?.small.pnlUsd, 10 * M);
    expectClose(d?.small.netNewShortingUsd, -18 * M);
    expectClose(d?.nano.pnlUsd, 0);
    expectClose(d?.total.pnlUsd, -90 * M);
    expectClose(d?.total.avgShortInterestUsd, 1105 * M);
    expectClose(d?.total.netNewShortingUsd, 202 * M);
    expectClose(d?.total.pnlPct, (-90 / 1105) * 100);
    // Σ MC_{d−1} = 50B + 1B + 45M; Σ MC_{d−1}(1+R) = 55B + 0.9B + 45M
    expectClose(d?.total.returnPct, (55.945 / 51.045 - 1) * 100);
    expect(d?.total.decliningPct).toBeCloseTo((1 / 3) * 100, 9); // BBB fell
  });

  it('year to date by tier, composite and total (rule 8)', () => {
    const g = body.windows.ytd.groups;
    // large = AAA: pnl −100 + 132 + 0 = 32M; E 1000 + 1320 + 1188 = 3508M over 3 days
    expectClose(g.large.pnlUsd, 32 * M);
    expectClose(g.large.avgShortInterestUsd, (3508 * M) / 3);
    expectClose(g.large.pnlPct, (32 / (3508 / 3)) * 100);
    expectClose(g.large.netNewShortingUsd, 220 * M);
    expectClose(g.large.returnPct, (99 / 100 - 1) * 100);
    expect(g.large.decliningPct).toBe(100);
    expect(g.large.symbols).toBe(1);
    // small = BBB: 10 + 0 − 7.2 = 2.8M; E 100 + 72 + 72 = 244M
    expectClose(g.small.pnlUsd, 2.8 * M);
    expectClose(g.small.pnlPct, (2.8 / (244 / 3)) * 100);
    expectClose(g.small.returnPct, (19.8 / 20 - 1) * 100);
    // nano = CCC on 03-28 and 04-01 (MC_{d−1} 45M); micro = CCC on 04-02 (MC_{d−1} 54M)
    expectClose(g.nano.pnlUsd, -1 * M);
    expectClose(g.nano.avgShortInterestUsd, (10 * M) / 3);
    expectClose(g.nano.pnlPct, -30);
    expectClose(g.nano.returnPct, 20);
    expect(g.nano.decliningPct).toBeNull(); // CCC's tier as of A is micro
    expect(g.nano.symbols).toBe(0);
    expectClose(g.micro.pnlUsd, 0);
    expectClose(g.micro.avgShortInterestUsd, 2 * M);
    expectClose(g.micro.returnPct, 0);
    expect(g.micro.decliningPct).toBe(0);
    expect(g.micro.symbols).toBe(1);
    for (const empty of [g.mid, g.mega]) {
      expect(empty).toEqual({
        pnlUsd: 0,
        pnlPct: null,
        avgShortInterestUsd: 0,
        netNewShortingUsd: 0,
        returnPct: null,
        decliningPct: null,
        symbols: 0,
      });
    }
    expect(g.megaLarge).toEqual(g.large);
    expectClose(g.smallMicroNano.pnlUsd, 1.8 * M);
    expectClose(g.smallMicroNano.pnlPct, (1.8 / (260 / 3)) * 100);
    expectClose(g.smallMicroNano.returnPct, (1.044 / 1.045 - 1) * 100);
    expect(g.smallMicroNano.decliningPct).toBe(50);
    expect(g.smallMicroNano.symbols).toBe(2);
    expectClose(g.total.pnlUsd, 33.8 * M);
    expectClose(g.total.avgShortInterestUsd, 1256 * M);
    expectClose(g.total.pnlPct, (33.8 / 1256) * 100);
    expectClose(g.total.netNewShortingUsd, 202 * M);
    // the cap-weighted chain telescopes: 55.945/51.045 · 50.454/55.945 · 50.544/50.454
    expectClose(g.total.returnPct, (50.544 / 51.045 - 1) * 100);
    expectClose(g.total.decliningPct, (2 / 3) * 100);
    expect(g.total.symbols).toBe(3);
    expect(body.windows['30d'].groups).toEqual(g);
  });

  it('month to date and 1d (rules 7, 8)', () => {
    const mtd = body.windows.mtd.groups.total;
    expectClose(mtd.pnlUsd, 123.8 * M);
    expectClose(mtd.avgShortInterestUsd, 1331.5 * M);
    expectClose(mtd.returnPct, (50.544 / 55.945 - 1) * 100);
    // compounded from 03-28: AAA 99/110 < 1, BBB 19.8/18, CCC 6/5
    expectClose(mtd.decliningPct, (1 / 3) * 100);
    const d1 = body.windows['1d'].groups.total;
    expectClose(d1.pnlUsd, -7.2 * M);
    expectClose(d1.avgShortInterestUsd, 1266 * M);
    expectClose(d1.pnlPct, (-7.2 / 1266) * 100);
    expectClose(d1.returnPct, (50.544 / 50.454 - 1) * 100);
    expect(d1.decliningPct).toBe(0);
    expect(d1.symbols).toBe(3);
  });

  it('sectors: sector on each day for sums, sector as of A for breadth (rules 6, 8)', () => {
    const s = body.windows.ytd.sectors;
    expect(Object.keys(s)).toEqual(['Health Care', 'Technology']);
    expectClose(s.Technology?.pnlUsd, 31 * M);
    expectClose(s.Technology?.avgShortInterestUsd, (3524 * M) / 3);
    expectClose(s.Technology?.netNewShortingUsd, 220 * M);
    expectClose(s.Technology?.returnPct, (49.554 / 50.045 - 1) * 100);
    expect(s.Technology?.decliningPct).toBe(50);
    expect(s.Technology?.symbols).toBe(2);
    expect(s['Health Care']).toEqual(body.windows.ytd.groups.small);
  });

  it('top winners and losers (rule 9)', () => {
    const ytd = body.windows.ytd;
    expect(ytd.topWinners.map((e) => e.symbol)).toEqual(['AAA', 'BBB']);
    expect(ytd.topLosers.map((e) => e.symbol)).toEqual(['CCC']);
    const aaa = ytd.topWinners[0];
    expect(aaa).toMatchObject({ name: 'Alpha Corp', tier: 'large', sector: 'Technology' });
    expectClose(aaa?.pnlUsd, 32 * M);
    expectClose(aaa?.pnlPct, (32 / (3508 / 3)) * 100);
    expectClose(aaa?.shortInterestUsd, 12 * M * 99);
    expectClose(aaa?.shortInterestPctSharesOut, (12 / 500) * 100);
    const ccc = ytd.topLosers[0];
    expect(ccc?.tier).toBe('micro');
    expectClose(ccc?.pnlPct, (-1 / (16 / 3)) * 100);
    expectClose(ccc?.shortInterestPctSharesOut, (1 / 9) * 100);
    // 1d: AAA and CCC did not move (pnl 0 is neither a winner nor a loser)
    expect(body.windows['1d'].topWinners).toEqual([]);
    expect(body.windows['1d'].topLosers.map((e) => [e.symbol, e.pnlUsd])).toEqual([['BBB', expect.any(Number)]]);
    expectClose(body.windows['1d'].topLosers[0]?.pnlPct, -10);
  });

  it('no crowded shorts with only four days of volume (rule 10 needs 5)', () => {
    expect(body.crowded).toEqual([]);
  });

  it('history rows match the snapshot on A', () => {
    const last = history.at(-1);
    expect(last?.['1d']).toEqual(body.windows['1d'].groups);
    expect(last?.ytd).toEqual(body.windows.ytd.groups);
  });
});
