/**
 * The one fold (issue 12): `advance` from any state, resumed anywhere, gives what one pass gives, and
 * `pulse build` (`buildSnapshot`) is that fold from the initial state. Figures hand-computed.
 */
import { describe, expect, it } from 'vitest';
import {
  advance,
  buildSnapshot,
  cloneState,
  type DayRecord,
  historyRows,
  initialState,
  startAdvance,
} from '../../shared/methodology/index.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
const dates = weekdays('2024-03-04', 6);
const si = [siFile('2024-03-01', { S: 1 * M })];

/**
 * S: 10M shares at $100, then $50 on 03-05 with the share count unchanged until 03-07 (20M): a 2-for-1
 * split rule 3(b') holds on 03-05 (x·k = 1) and confirms on 03-07. 03-08 repeats every price of 03-07:
 * stale (rule 2). 03-11: $50.
 */
const rows: RowTuple[][] = [
  [['S', 100, { shares: 10 * M }]],
  [['S', 50, { shares: 10 * M }]],
  [['S', 49, { shares: 10 * M }]],
  [['S', 50.5, { shares: 20 * M }]],
  [['S', 50.5, { shares: 20 * M }]],
  [['S', 50, { shares: 20 * M }]],
];
const days = series(dates, (i) => rows[i] as RowTuple[]);
// 03-08: the movers repeat 03-07 too, so every price is unchanged.
days[4] = { ...days[4], rows: (days[3] as (typeof days)[number]).rows } as (typeof days)[number];

const pnl = (r: DayRecord) => Object.values(r.tiers).reduce((s, t) => s + t.pnl, 0);
const recordOf = (records: DayRecord[], date: string) => {
  const r = records.find((x) => x.date === date);
  if (!r) throw new Error(`no record for ${date}`);
  return r;
};

describe('advance', () => {
  it('folds the days: the held split decided on 03-07 restates 03-05 and 03-06; the stale day is refused', () => {
    const r = advance(initialState(), days, si, { splits: [] });
    expect(r.outcomes.map((o) => o.accepted)).toEqual([true, true, true, true, false, true]);
    expect(r.rejected).toEqual([
      { date: '2024-03-08', file: '2024-03-08.json', reason: expect.stringMatching(/^stale/) },
    ]);
    expect(r.state.rejectedDays).toEqual(r.rejected);
    expect(r.restated).toEqual(['2024-03-05', '2024-03-06']);
    expect(r.state.splits).toEqual([expect.objectContaining({ symbol: 'S', date: '2024-03-05', factor: 2 })]);
    // 03-04 has no day before it (rule 7): records from 03-05.
    expect(r.records.map((x) => x.date)).toEqual(['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-11']);
    // 03-05: E = 1M · $100, R = 0.5 · 2 − 1 = 0 → 0 (restated: held at 0 until the split was known, too).
    expectClose(pnl(recordOf(r.records, '2024-03-05')), 0);
    // 03-06: SI = 2M after the split, E = 2M · $50 = $100M, R = 49/50 − 1 = −2% → shorts gain $2M.
    expectClose(pnl(recordOf(r.records, '2024-03-06')), 2 * M);
    // 03-07: E = 2M · $49 = $98M, R = 50.5/49 − 1 → −$98M · 1.5/49 = −$3M.
    expectClose(pnl(recordOf(r.records, '2024-03-07')), -3 * M);
    // 03-11 (after the refused 03-08): E = 2M · $50.5 = $101M, R = 50/50.5 − 1 → +$1M.
    expectClose(pnl(recordOf(r.records, '2024-03-11')), 1 * M);
  });

  it('resumed from the state after any day gives the state and records of one pass', () => {
    const whole = advance(initialState(), days, si, { splits: [] });
    for (let cut = 1; cut < days.length; cut++) {
      const first = advance(initialState(), days.slice(0, cut), si, { splits: [] });
      // A checkpoint is the state written as JSON and read back.
      const checkpoint = JSON.parse(JSON.stringify(first.state));
      const rest = advance(checkpoint, days.slice(cut), si, { splits: [] });
      expect(JSON.parse(JSON.stringify(rest.state)), `cut after ${cut} days`).toEqual(
        JSON.parse(JSON.stringify(whole.state)),
      );
      const later = whole.records.filter((x) => x.date >= (days[cut] as (typeof days)[number]).date);
      expect(rest.records, `cut after ${cut} days`).toEqual(later);
      // The split decided on 03-07 restates the held days even when they were folded before the cut.
      if (cut <= 3) expect(rest.restated).toEqual(['2024-03-05', '2024-03-06']);
      else expect(rest.restated).toEqual([]);
    }
  });

  it('is what pulse build runs from the initial state', () => {
    const built = buildSnapshot({ days, shortInterest: si, splits: [] });
    const r = advance(initialState(), days, si, { splits: [] });
    expect(built.history).toEqual(historyRows(r.records));
    expect(built.state).toEqual(r.state);
  });

  it('names the short interest files the engine reads: none on an ordinary day, the ring on a new symbol', () => {
    const fold = startAdvance(initialState(), { splits: [] });
    // The first day: the file in effect is new to the state.
    expect(fold.settlementsFor(days[0] as (typeof days)[number], '2024-03-01')).toEqual(['2024-03-01']);
    fold.add(days[0] as (typeof days)[number], si);
    // Same file in effect, same symbols: nothing to read.
    expect(fold.settlementsFor(days[1] as (typeof days)[number], '2024-03-01')).toEqual([]);
    fold.add(days[1] as (typeof days)[number], si);
    // A symbol first seen: the files of the ring's days too (its past short interest).
    const withNew = { ...(days[2] as (typeof days)[number]) };
    withNew.rows = [...withNew.rows, { ...(withNew.rows[0] as (typeof withNew.rows)[number]), symbol: 'NEW' }];
    expect(fold.settlementsFor(withNew, '2024-03-01')).toEqual(['2024-03-01']);
    // A later settlement date in effect: that file.
    expect(fold.settlementsFor(days[2] as (typeof days)[number], '2024-03-05')).toEqual(['2024-03-05']);
    // The fold steps the state in place; a copy taken before stays as it was.
    const before = cloneState(fold.state);
    fold.add(days[2] as (typeof days)[number], si);
    expect(before.dayCount).toBe(2);
    expect(fold.state.dayCount).toBe(3);
    // The verdicts so far, as `result()` gives them.
    expect(fold.outcomes.map((o) => o.date)).toEqual(['2024-03-04', '2024-03-05', '2024-03-06']);
    expect(fold.result().outcomes).toEqual(fold.outcomes);
  });
});
