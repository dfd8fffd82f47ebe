/** Rule 3: splits from unadjusted prices, and the pending decision for 3(b). */
import { describe, expect, it } from 'vitest';
import type { PriceDay } from '../../shared/domain.ts';
import {
  buildSnapshot,
  cloneState,
  type EngineState,
  initialState,
  snapshotAt,
  stepDay,
} from '../../shared/methodology/index.ts';
import { lookBackShares, V2_LOOKBACK_DAYS } from '../../shared/methodology/splits.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
/** Mon 4 March 2024 onwards. */
const dates = weekdays('2024-03-04', 14);

/** A symbol with a price and a share count (MC = price × shares), or an unknown MC. */
const px = (symbol: string, price: number, shares: number | null): RowTuple => [
  symbol,
  price,
  shares === null ? { marketCap: null } : { shares },
];

/** Rule 3 as version 1 wrote it (these cases are hand-computed for it); rule 3(b') of v2 is tested below. */
function build(days: PriceDay[], si: Record<string, number>, extra: Partial<Parameters<typeof buildSnapshot>[0]> = {}) {
  return buildSnapshot({ days, shortInterest: [siFile('2024-03-01', si)], splits: [], methodology: 1, ...extra });
}

/** history row of `date`: 1d total figures. */
function dayTotal(result: ReturnType<typeof build>, date: string) {
  const row = result.history.find((r) => r.date === date);
  if (!row) throw new Error(`no history row for ${date}`);
  return row['1d'].total;
}

describe('rule 3(a): the share count moved with the price', () => {
  // S: 200M shares at $100, then a 2-for-1 split on 03-05 reported with the new share count.
  const days = series(dates.slice(0, 3), (i) => [
    [px('S', 100, 200 * M), px('S', 50.5, 400 * M), px('S', 51, 400 * M)][i] as RowTuple,
  ]);
  const result = build(days, { S: 4 * M });

  it('detects q = 2 and adjusts the return: R = 0.505 · 2 − 1 = +1%', () => {
    expect(result.body.dataQuality.splits).toEqual([{ symbol: 'S', date: '2024-03-05', factor: 2, rule: '3a' }]);
    // E = 4M · $100 = $400M; pnl = −400M · 1% = −$4M (not +$198M as an unadjusted −49.5% would say)
    expectClose(dayTotal(result, '2024-03-05').pnlUsd, -4 * M);
    expectClose(dayTotal(result, '2024-03-05').returnPct, 1);
  });

  it('doubles the short interest from the split on (rule 4)', () => {
    // 03-06: E = 8M · $50.5 = $404M, R = 51/50.5 − 1 → pnl = −$4M
    expectClose(dayTotal(result, '2024-03-06').avgShortInterestUsd, 404 * M);
    expectClose(dayTotal(result, '2024-03-06').pnlUsd, -4 * M);
    const top = result.body.windows.ytd.topLosers[0];
    expectClose(top?.shortInterestUsd, 8 * M * 51);
    expectClose(top?.shortInterestPctSharesOut, 2);
  });

  it('reverse split 1-for-10 with the share count the same day', () => {
    const rev = series(dates.slice(0, 2), (i) => [[px('R', 0.5, 100 * M), px('R', 5.2, 10 * M)][i] as RowTuple]);
    const r = build(rev, { R: 5 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'R', date: '2024-03-05', factor: 0.1, rule: '3a' }]);
    // E = 5M · $0.5 = $2.5M; R = 5.2/0.5 · 0.1 − 1 = +4% → pnl = −$0.1M; SI becomes 0.5M shares
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, -0.1 * M);
    expectClose(r.body.windows['1d'].topLosers[0]?.shortInterestUsd, 0.5 * M * 5.2);
  });

  it('a share-count glitch at a flat price is not a split', () => {
    // G: 50M shares at $20; the count doubles for one day while the price moves 1%, then reverts.
    const glitch = series(dates.slice(0, 3), (i) => [
      [px('G', 20, 50 * M), px('G', 20.2, 100 * M), px('G', 20.4, 50 * M)][i] as RowTuple,
    ]);
    const r = build(glitch, { G: 1 * M });
    // 03-05: q = 2 but x·q = 2.02 > 4/3; x = 1.01 fits no k of 3(b). 03-06: q = 1/2, x·q ≈ 0.505 < 0.75.
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    // E = 1M · $20 = $20M, R = +1% → −$0.2M; 03-06: E = $20.2M, R = 20.4/20.2 − 1 → −$0.2M
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, -0.2 * M);
    expectClose(dayTotal(r, '2024-03-06').pnlUsd, -0.2 * M);
    // the glitch's market cap ($2.02B) puts G in mid on 03-06 (tier follows MC_{d−1}, rule 6)
    expect(r.history[1]?.['1d'].mid.symbols).toBe(1);
  });
});

describe('rule 3(b): the share count catches up days later', () => {
  // S: 200M shares at $100; 2-for-1 on 03-05 but the screener's share count updates only on 03-07.
  const rows = [px('S', 100, 200 * M), px('S', 49, 200 * M), px('S', 49.5, 200 * M), px('S', 50, 400 * M)];
  const days = series(dates.slice(0, 5), (i) => [rows[Math.min(i, 3)] as RowTuple]);

  it('confirms k = 2 from the share count two days later', () => {
    const r = build(days, { S: 4 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'S', date: '2024-03-05', factor: 2, rule: '3b' }]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    // 03-05: E = 4M · $100 = $400M, R = 0.49 · 2 − 1 = −2% → shorts gain $8M (not $204M)
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, 8 * M);
    // 03-06: SI = 8M, E = 8M · $49 = $392M, R = 0.5/49 → −$4M; 03-07: E = $396M, R = 0.5/49.5 → −$4M
    expectClose(dayTotal(r, '2024-03-06').pnlUsd, -4 * M);
    expectClose(dayTotal(r, '2024-03-07').pnlUsd, -4 * M);
    // 03-07 itself (q = 2 at a flat price) is not a second split
    expect(r.body.dataQuality.splits).toHaveLength(1);
  });

  it('is pending, and the symbol held out, while no share count confirms it', () => {
    const r = build(days, { S: 4 * M }, { asOf: '2024-03-06' });
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([
      { symbol: 'S', date: '2024-03-05', reason: expect.stringContaining('1 of 10 later trading days known') },
    ]);
    // held out of every aggregate from 03-05 on
    for (const row of r.history) {
      expect(row['1d'].total.pnlUsd).toBe(0);
      expect(row['1d'].total.avgShortInterestUsd).toBe(0);
      expect(row['1d'].large.symbols).toBe(0);
    }
    expect(r.body.windows.ytd.topWinners).toEqual([]);
    expect(r.body.windows.ytd.topLosers).toEqual([]);
    expect(r.body.windows.ytd.groups.total.decliningPct).toBeNull();
  });

  it('picks the right k when the price moved too: x = 0.3 fits 3 and 4', () => {
    // 10M shares at $90 → $27: k = 3 (x·k = 0.9) comes before k = 4 (1.2) and is confirmed next day.
    const three = series(dates.slice(0, 3), (i) => [
      [px('T', 90, 10 * M), px('T', 27, 10 * M), px('T', 27.5, 30 * M)][i] as RowTuple,
    ]);
    const r3 = build(three, { T: 1 * M });
    expect(r3.body.dataQuality.splits).toEqual([{ symbol: 'T', date: '2024-03-05', factor: 3, rule: '3b' }]);
    // E = 1M · $90 = $90M, R = 0.3 · 3 − 1 = −10% → +$9M
    expectClose(dayTotal(r3, '2024-03-05').pnlUsd, 9 * M);

    // The same prices with the share count confirming 4: k = 3 is ruled out only once 10 later days are known.
    const fourRows = (i: number): RowTuple[] => [
      i === 0 ? px('T', 90, 10 * M) : i === 1 ? px('T', 27, 10 * M) : px('T', 27 + i * 0.01, 40 * M),
    ];
    const early = build(series(dates.slice(0, 11), fourRows), { T: 1 * M });
    expect(early.body.dataQuality.pendingSplits.map((p) => p.symbol)).toEqual(['T']);
    const r4 = build(series(dates.slice(0, 12), fourRows), { T: 1 * M });
    expect(r4.body.dataQuality.pendingSplits).toEqual([]);
    expect(r4.body.dataQuality.splits).toEqual([{ symbol: 'T', date: '2024-03-05', factor: 4, rule: '3b' }]);
    // R = 0.3 · 4 − 1 = +20% → −$18M
    expectClose(dayTotal(r4, '2024-03-05').pnlUsd, -18 * M);
  });

  it('reverse split where 1/8, 1/10 and 1/12 all fit the price: the share count decides 1/10', () => {
    // 100M shares at $1 → $9.6 (x·1/8 = 1.2, x·1/10 = 0.96, x·1/12 = 0.8); the count shows 10M from 03-06.
    const rowsR = (i: number): RowTuple[] => [
      i === 0 ? px('V', 1, 100 * M) : i === 1 ? px('V', 9.6, 100 * M) : px('V', 9.6 + i * 0.01, 10 * M),
    ];
    const r = build(series(dates.slice(0, 12), rowsR), { V: 10 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'V', date: '2024-03-05', factor: 0.1, rule: '3b' }]);
    // E = 10M · $1 = $10M, R = 9.6 · 0.1 − 1 = −4% → +$0.4M; SI becomes 1M shares
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, 0.4 * M);
    expectClose(dayTotal(r, '2024-03-06').avgShortInterestUsd, 1 * M * 9.6);
  });

  it('without any confirmation after 10 days the factor is 1 (a real crash)', () => {
    const crash = (i: number): RowTuple[] => [i === 0 ? px('C', 10, 10 * M) : px('C', 5 + i * 0.01, 10 * M)];
    const r = build(series(dates.slice(0, 12), crash), { C: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    // E = 1M · $10, R = 5.01/10 − 1 = −49.9% → shorts gain $4.99M
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, 4.99 * M);
  });
});

describe('rule 3(c): splits.csv overrides', () => {
  it('applies an override where the share count is unknown, and over rule 3(a)', () => {
    // O: MC unknown from 03-05, 3-for-1; P: the share count says 2.9 (3a would take it), splits.csv says 3.
    const days = series(dates.slice(0, 2), (i) => [
      [px('O', 100, 10 * M), px('O', 34, null)][i] as RowTuple,
      [px('P', 100, 10 * M), px('P', 34, 29 * M)][i] as RowTuple,
    ]);
    const overrides = [
      { symbol: 'O', date: '2024-03-05', ratio: 3 },
      { symbol: 'P', date: '2024-03-05', ratio: 3 },
    ];
    const r = build(days, { O: 1 * M, P: 1 * M }, { splits: overrides });
    expect(r.body.dataQuality.splits).toEqual([
      { symbol: 'O', date: '2024-03-05', factor: 3, rule: '3c' },
      { symbol: 'P', date: '2024-03-05', factor: 3, rule: '3c' },
    ]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    // each: E = 1M · $100 = $100M, R = 0.34 · 3 − 1 = +2% → −$2M
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, -4 * M);
    // without the override O would be pending (3b, k = 3 unconfirmable) and P a 3(a) split of 2.9
    const plain = build(days, { O: 1 * M, P: 1 * M });
    expect(plain.body.dataQuality.splits.map((s) => [s.symbol, s.rule])).toEqual([['P', '3a']]);
    expect(plain.body.dataQuality.pendingSplits.map((s) => s.symbol)).toEqual(['O']);
  });
});

describe('rule 11(c): an implausible override is quarantined under the file it came from', () => {
  it("names splits.csv for a row without a file, and the calendar's file for a calendar entry", () => {
    // Flat prices ($100 → $100) with a ratio of 7, which is not in rule 3(b)'s list: ×1 would become ×7.
    const days = series(dates.slice(0, 2), () => [px('A', 100, 10 * M), px('B', 100, 10 * M), px('C', 100, 10 * M)]);
    const overrides = [
      { symbol: 'A', date: '2024-03-05', ratio: 7 },
      { symbol: 'B', date: '2024-03-05', ratio: 7, file: 'splits-2024-03-05.json' },
      { symbol: 'C', date: '2024-03-05', ratio: 7, file: 'my-splits.csv' },
    ];
    const r = build(days, { A: 1 * M, B: 1 * M, C: 1 * M }, { splits: overrides });
    const reason = (file: string) =>
      `${file} ratio 7 is not in rule 3(b)'s list and the price moved ×1 (a split by it would leave ×7): ` +
      'not applied; rules 3(a) and 3(b) decide the day';
    expect(r.body.dataQuality.quarantined).toEqual([
      {
        date: '2024-03-05',
        symbol: 'A',
        file: 'splits.csv',
        field: 'ratio',
        rule: '11c',
        reason: reason('splits.csv'),
      },
      {
        date: '2024-03-05',
        symbol: 'B',
        file: 'splits-2024-03-05.json',
        field: 'ratio',
        rule: '11c',
        reason: reason('splits-2024-03-05.json'),
      },
      {
        date: '2024-03-05',
        symbol: 'C',
        file: 'my-splits.csv',
        field: 'ratio',
        rule: '11c',
        reason: reason('my-splits.csv'),
      },
    ]);
    expect(r.body.dataQuality.splits).toEqual([]);
  });

  it('of two overrides of a symbol and day, the first decides, file included', () => {
    const days = series(dates.slice(0, 2), () => [px('A', 100, 10 * M)]);
    const r = build(
      days,
      { A: 1 * M },
      {
        splits: [
          { symbol: 'A', date: '2024-03-05', ratio: 7, file: 'splits-2024-03-05.json' },
          { symbol: 'A', date: '2024-03-05', ratio: 9, file: 'splits.csv' },
        ],
      },
    );
    expect(r.body.dataQuality.quarantined.map((q) => [q.symbol, q.file, q.reason.split(' is ')[0]])).toEqual([
      ['A', 'splits-2024-03-05.json', 'splits-2024-03-05.json ratio 7'],
    ]);
  });
});

describe('pending splits in the day-by-day pipeline', () => {
  const rows = [px('S', 100, 200 * M), px('S', 49, 200 * M), px('S', 49.5, 200 * M), px('S', 50, 400 * M)];
  const days = series(dates.slice(0, 5), (i) => [rows[Math.min(i, 3)] as RowTuple, px('K', 10 + i, 100 * M)]);
  const shortInterest = [siFile('2024-03-01', { S: 4 * M, K: 1 * M })];
  const ctx = { shortInterest, splits: [], lookahead: [] };

  it('holds the symbol out, then restates the held days when the split is confirmed', () => {
    let state: EngineState = initialState();
    const published: string[] = [];
    const restatedOn: Record<string, string[]> = {};
    for (const d of days) {
      // the pipeline's checkpoint: a JSON round trip and a copy before each step
      const checkpoint = JSON.parse(JSON.stringify(state)) as EngineState;
      state = cloneState(checkpoint);
      const result = stepDay(state, d, ctx);
      state = result.state;
      restatedOn[d.date] = result.restated.map((r) => r.date);
      const snap = snapshotAt(state);
      published.push(JSON.stringify(snap));
      if (d.date === '2024-03-06') {
        expect(snap.dataQuality.pendingSplits.map((p) => [p.symbol, p.date])).toEqual([['S', '2024-03-05']]);
        // only K counts: E = 1M · $11, R = 12/11 − 1 → pnl −$1M
        expectClose(snap.windows['1d'].groups.total.pnlUsd, -1 * M);
        expect(snap.windows.ytd.topWinners.map((e) => e.symbol)).toEqual([]);
      }
    }
    // resolved on 03-07 (the share count shows 400M): 03-05 and 03-06 restated
    expect(restatedOn).toEqual({
      '2024-03-04': [],
      '2024-03-05': [],
      '2024-03-06': [],
      '2024-03-07': ['2024-03-05', '2024-03-06'],
      '2024-03-08': [],
    });
    const batch = buildSnapshot({ days, shortInterest, splits: [] });
    expect(published.at(-1)).toBe(JSON.stringify(batch.body));
    // 03-05 after the restatement: S +$8M (R = −2%), K −$1M (E = 1M · $10, R = +10%)
    const restated = batch.history.find((r) => r.date === '2024-03-05');
    expectClose(restated?.['1d'].total.pnlUsd, 7 * M);
  });
});

describe("rule 3(b') (methodology v2): hold less, confirm more", () => {
  const v2 = (days: PriceDay[], si: Record<string, number>) =>
    buildSnapshot({ days, shortInterest: [siFile('2024-03-01', si)], splits: [] });

  it('an ordinary −45% day with no share count change is not held: counted at once', () => {
    // $20 → $11 (x = 0.55: x·2 = 1.1, within v1's band but 10% from 1: no v2 candidate), then flat.
    const rows = (i: number): RowTuple[] => [px('D', i === 0 ? 20 : 11, 10 * M)];
    const early = v2(series(dates.slice(0, 2), rows), { D: 1 * M });
    expect(early.body.dataQuality.pendingSplits).toEqual([]);
    expect(early.body.dataQuality.splits).toEqual([]);
    // E = 1M × $20, R = −45% → +$9M on 03-05, counted on the day.
    expectClose(dayTotal(early, '2024-03-05').pnlUsd, 9 * M);
    // v1 still holds it: 10 later days are needed to rule 2 out.
    expect(build(series(dates.slice(0, 5), rows), { D: 1 * M }).body.dataQuality.pendingSplits).toHaveLength(1);
  });

  it('a 1-for-3 within 5% whose count has not arrived is held 3 later days, then counted as a move', () => {
    // $3.30 → $9.80 (x = 2.97: x/3 = 0.99), shares unchanged.
    const rows = (i: number): RowTuple[] => [px('C', i === 0 ? 3.3 : 9.8, 100 * M)];
    expect(v2(series(dates.slice(0, 4), rows), { C: 1 * M }).body.dataQuality.pendingSplits).toHaveLength(1);
    const r = v2(series(dates.slice(0, 5), rows), { C: 1 * M });
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    expect(r.body.dataQuality.splits).toEqual([]);
  });

  it('a 1-for-150 reverse split followed by a 26% fall (GWAV, 2024-06-03) is applied when the count arrives', () => {
    // 150M shares at $0.05 → $5.52 (x = 110.4, x/150 = 0.736: outside v1's band), 1M shares from the next day.
    const rows = (i: number): RowTuple[] => [px('G', i === 0 ? 0.05 : 5.52, i <= 1 ? 150 * M : 1 * M)];
    const r = v2(series(dates.slice(0, 4), rows), { G: 3 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'G', date: '2024-03-05', factor: 1 / 150, rule: '3b' }]);
    // E = 3M × $0.05 = $150k, R = 110.4/150 − 1 = −26.4% → +$39.6k (v1: R = +10,940% → −$16.4M).
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, 150_000 * (1 - 110.4 / 150));
    expect(build(series(dates.slice(0, 4), rows), { G: 3 * M }).body.dataQuality.splits).toEqual([]);
  });

  it('a 1-for-3 with shares issued around it (NYCB, 2024-07-12: count ×0.43) is confirmed by the wider band', () => {
    // $3.30 → $9.90 (x = 3: x/3 = 1.0, within 5%), shares 100M → 43M (0.43: 29% off 1/3, within [2/9, 1/2]).
    const rows = (i: number): RowTuple[] => [px('N', i === 0 ? 3.3 : 9.9, i <= 1 ? 100 * M : 43 * M)];
    const r = v2(series(dates.slice(0, 4), rows), { N: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'N', date: '2024-03-05', factor: 1 / 3, rule: '3b' }]);
  });

  it('a share-count jump with a flat price is still no split', () => {
    const rows = (i: number): RowTuple[] => [px('J', 10 + i * 0.01, i === 0 ? 10 * M : 20 * M)];
    const r = v2(series(dates.slice(0, 6), rows), { J: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
  });

  it('a share count confirming a k further down the list decides at once (no wait for earlier k)', () => {
    // $90 → $27 (x = 0.3, beyond [1/3, 3]: k = 2, 3 and 4 fit [0.5, 2]); the count shows ×4 the next day.
    const rows = (i: number): RowTuple[] => [px('T', i === 0 ? 90 : 27 + i * 0.01, i <= 1 ? 10 * M : 40 * M)];
    const r = v2(series(dates.slice(0, 3), rows), { T: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'T', date: '2024-03-05', factor: 4, rule: '3b' }]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
  });
});

describe("rule 3(b') look-back (methodology v2): the count moved before the price", () => {
  const v2 = (days: PriceDay[], si: Record<string, number>) =>
    buildSnapshot({ days, shortInterest: [siFile('2024-03-01', si)], splits: [] });
  /** 10M shares at $100 on 03-04; the screener shows ×`jump` shares from 03-05 at a flat price; $`after` from 03-07. */
  const early =
    (jump: number, after: number) =>
    (i: number): RowTuple[] => [px('L', i < 3 ? 100 : after + (i - 3) * 0.2, i === 0 ? 10 * M : jump * 10 * M)];

  it('LRCX shape: count ×10 on day 1 at a flat price, price ÷10 on day 3 → a 10-for-1 on day 3, applied at once', () => {
    // 03-07: x = 9.8/100 = 0.098; SO_{d−1} = 100M = 10 × SO on 03-04 (two days back), price flat since.
    const r = v2(series(dates.slice(0, 4), early(10, 9.8)), { L: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'L', date: '2024-03-07', factor: 10, rule: '3b' }]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    // The jump day is no split and no move: 03-05 P&L 0.
    expectClose(dayTotal(r, '2024-03-05').pnlUsd, 0);
    // 03-07: E = 1M × $100 = $100M, R = 0.098 × 10 − 1 = −2% → short sellers +$2M (unadjusted: +$90.2M).
    expectClose(dayTotal(r, '2024-03-07').pnlUsd, 2 * M);
    expectClose(dayTotal(r, '2024-03-07').returnPct, -2);
  });

  it('LRCX shape, the day after: the short interest is in post-split shares (rule 4)', () => {
    const r = v2(series(dates.slice(0, 5), early(10, 9.8)), { L: 1 * M });
    // 03-08: SI = 1M × 10 = 10M shares, E = 10M × $9.80 = $98M, R = 10/9.8 − 1 → pnl = −$2M.
    expectClose(dayTotal(r, '2024-03-08').avgShortInterestUsd, 98 * M);
    expectClose(dayTotal(r, '2024-03-08').pnlUsd, -2 * M);
  });

  it('a count jump not followed by a price move is no split', () => {
    const r = v2(series(dates.slice(0, 8), early(10, 100.5)), { L: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
  });

  it('a count jump followed by an unrelated halving is no split: the count moved by 10, not by 2', () => {
    // 03-07: $100 → $50 (x = 0.5: k = 2 within 5%, a candidate); SO_{d−1} = 10 × the count before, not 2 ×.
    // Held 3 later days for a count of 200M that never comes, then counted: E = $100M, R = −50% → +$50M.
    const held = v2(series(dates.slice(0, 4), early(10, 50)), { L: 1 * M });
    expect(held.body.dataQuality.pendingSplits).toHaveLength(1);
    const r = v2(series(dates.slice(0, 7), early(10, 50)), { L: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    expectClose(dayTotal(r, '2024-03-07').pnlUsd, 50 * M);
  });

  it('a count jump followed by an ordinary −20% day is no split (no candidate k)', () => {
    const r = v2(series(dates.slice(0, 4), early(10, 80)), { L: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([]);
    expect(r.body.dataQuality.pendingSplits).toEqual([]);
    expectClose(dayTotal(r, '2024-03-07').pnlUsd, 20 * M);
  });

  it('methodology 1 has no look-back: the LRCX shape is held 10 days, then counted as a −90% move', () => {
    const r = build(series(dates.slice(0, 14), early(10, 9.8)), { L: 1 * M });
    expect(r.body.dataQuality.splits).toEqual([]);
    expectClose(dayTotal(r, '2024-03-07').pnlUsd, 90.2 * M);
  });
});

describe("rule 3(b') lookBackShares: which earlier counts SO_{d−1} may be compared with", () => {
  /** Accepted days d−1, d−2, … as [price, market cap, factor]. */
  const walk = (days: [number, number, number][]) =>
    lookBackShares((j) => {
      const d = days[j];
      return d ? { price: d[0], marketCap: d[1], factor: d[2] } : undefined;
    });

  it('returns SO_{d−1−j} for j = 1 … 6 over flat days, and no more', () => {
    const flat = Array.from({ length: 9 }, (_, j): [number, number, number] => [10, 10 * (j + 1), 1]);
    expect(V2_LOOKBACK_DAYS).toBe(6);
    expect(walk(flat)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('stops before a day whose price moved by a third or more (the count must move while the price stands)', () => {
    // d−1 at $10, d−2 at $10, d−3 at $20: the move d−3 → d−2 is ×0.5.
    expect(
      walk([
        [10, 100, 1],
        [10, 50, 1],
        [20, 10, 1],
      ]),
    ).toEqual([5]);
  });

  it('stops before a day with a split applied: a 3(a) split in the window has used its count change', () => {
    // d−2 applied a 3(a) factor 1.6 at a price move of ×0.8; the count before it cannot confirm again.
    expect(
      walk([
        [8, 160, 1],
        [8, 128, 1.6],
        [10, 100, 1],
      ]),
    ).toEqual([16]);
  });

  it('passes over a day without a market cap, stops at an absent day', () => {
    expect(
      walk([
        [10, 100, 1],
        [10, 0, 1],
        [10, 20, 1],
      ]),
    ).toEqual([2]);
    expect(walk([[10, 100, 1]])).toEqual([]);
  });
});
