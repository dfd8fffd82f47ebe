/** Rule 2: which price snapshots are trading days. */

import { describe, expect, it } from 'vitest';
import type { PriceDay } from '../../shared/domain.ts';
import {
  buildSnapshot,
  classifyDay,
  classifyDays,
  initialState,
  recordRejectedDay,
  rejectionReason,
  stepDay,
} from '../../shared/methodology/index.ts';
import { day, type RowTuple } from './helpers.ts';

/** n symbols S0…S(n−1) priced base + i (so every symbol has its own price). */
function market(date: string, n: number, base = 10): PriceDay {
  const rows: RowTuple[] = [];
  for (let i = 0; i < n; i++) rows.push([`S${i}`, base + i]);
  return day(date, rows);
}

/** The same as `market`, with the first `changed` symbols' prices moved. */
function moved(date: string, n: number, changed: number): PriceDay {
  const rows: RowTuple[] = [];
  for (let i = 0; i < n; i++) rows.push([`S${i}`, i < changed ? 10 + i + 0.5 : 10 + i]);
  return day(date, rows);
}

const ctx = { shortInterest: [], splits: [], lookahead: [] };

/** Rule 2 day by day through the engine, as the pipeline runs it. */
/** The engine's rule 2; `classifyDays` is version 2's (the previous accepted day as the partial-day reference). */
function engineClassify(days: PriceDay[], methodology: 2 | 3 = 2) {
  let state = initialState(methodology);
  const accepted: string[] = [];
  const rejected: { date: string; reason: string }[] = [];
  for (const d of days) {
    const reason = classifyDay(state, d);
    if (reason) {
      rejected.push({ date: d.date, reason });
      state = recordRejectedDay(state, { date: d.date, file: d.file, reason });
    } else {
      accepted.push(d.date);
      state = stepDay(state, d, ctx).state;
    }
  }
  return { accepted, rejected };
}

describe('rule 2: trading days', () => {
  it('rejects weekend files, even as the first file', () => {
    // 2024-01-06 is a Saturday, 2024-01-07 a Sunday.
    const days = [market('2024-01-06', 10), market('2024-01-07', 10), market('2024-01-08', 10, 20)];
    const { accepted, rejected } = classifyDays(days);
    expect(accepted.map((d) => d.date)).toEqual(['2024-01-08']);
    expect(rejected.map((r) => [r.date, r.file])).toEqual([
      ['2024-01-06', '2024-01-06.json'],
      ['2024-01-07', '2024-01-07.json'],
    ]);
    expect(rejected[0]?.reason).toMatch(/^weekend/);
  });

  it('rejects a partial day: fewer than 70% as many symbols as the previous accepted day', () => {
    // 100 symbols, then 69 (rejected: 69 < 70), then 70 (accepted: exactly 70% is not fewer)
    const days = [market('2024-01-08', 100), market('2024-01-09', 69, 50), market('2024-01-10', 70, 60)];
    const { accepted, rejected } = classifyDays(days);
    expect(accepted.map((d) => d.date)).toEqual(['2024-01-08', '2024-01-10']);
    expect(rejected).toEqual([
      {
        date: '2024-01-09',
        file: '2024-01-09.json',
        reason: 'partial: 69 symbols, fewer than 70% of the 100 on 2024-01-08',
      },
    ]);
  });

  it('compares with the previous ACCEPTED day, not the previous file', () => {
    // 01-09 is partial (50 of 100) and rejected; 01-10 has 100 again and is compared with 01-08.
    const days = [market('2024-01-08', 100), market('2024-01-09', 50, 30), market('2024-01-10', 100)];
    const { accepted, rejected } = classifyDays(days);
    expect(accepted.map((d) => d.date)).toEqual(['2024-01-08']);
    // 01-10 repeats every price of 01-08: a stale repeat of the last accepted day
    expect(rejected.map((r) => [r.date, r.reason.split(':')[0]])).toEqual([
      ['2024-01-09', 'partial'],
      ['2024-01-10', 'stale'],
    ]);
  });

  it('rejects a stale repeat: at least 90% of its symbols at exactly the previous price', () => {
    // 20 symbols: 2 moved → 18/20 = 90% unchanged → stale; 3 moved → 85% → a trading day.
    const days = [market('2024-01-08', 20), moved('2024-01-09', 20, 2), moved('2024-01-10', 20, 3)];
    const { accepted, rejected } = classifyDays(days);
    expect(accepted.map((d) => d.date)).toEqual(['2024-01-08', '2024-01-10']);
    expect(rejected).toEqual([
      {
        date: '2024-01-09',
        file: '2024-01-09.json',
        reason: 'stale: 90.0% of its symbols have exactly the price they had on 2024-01-08',
      },
    ]);
  });

  it('counts new symbols in the denominator of the stale test', () => {
    // 10 old symbols unchanged + 2 new ones: 10/12 = 83% unchanged → accepted
    const d2 = market('2024-01-09', 10);
    d2.rows.push(
      ...day('2024-01-09', [
        ['NEW1', 3],
        ['NEW2', 4],
      ]).rows,
    );
    const { accepted } = classifyDays([market('2024-01-08', 10), d2]);
    expect(accepted).toHaveLength(2);
  });

  it('takes candidates in date order and rejects a second file of an accepted date', () => {
    const later = market('2024-01-09', 10, 20);
    const first = market('2024-01-08', 10);
    const dup = { ...market('2024-01-08', 10, 40), file: '2024-01-08.json.gz' };
    const { accepted, rejected } = classifyDays([later, dup, first]);
    expect(accepted.map((d) => d.file)).toEqual(['2024-01-08.json', '2024-01-09.json']);
    expect(rejected.map((r) => [r.file, r.reason.split(':')[0]])).toEqual([['2024-01-08.json.gz', 'duplicate']]);
  });

  it('rejects an empty file', () => {
    const { accepted, rejected } = classifyDays([day('2024-01-08', []), market('2024-01-09', 5)]);
    expect(accepted.map((d) => d.date)).toEqual(['2024-01-09']);
    expect(rejected[0]?.reason).toMatch(/^empty/);
  });

  it('the engine (pipeline) and the batch classifier agree', () => {
    const days = [
      market('2024-01-06', 20),
      market('2024-01-08', 20),
      moved('2024-01-09', 20, 2),
      market('2024-01-10', 13, 50),
      moved('2024-01-11', 20, 5),
      market('2024-01-12', 20, 80),
    ];
    const batch = classifyDays(days);
    const engine = engineClassify(days);
    expect(engine.accepted).toEqual(batch.accepted.map((d) => d.date));
    expect(engine.rejected).toEqual(batch.rejected.map((r) => ({ date: r.date, reason: r.reason })));
    expect(engine.accepted).toEqual(['2024-01-08', '2024-01-11', '2024-01-12']);
    // v3 compares a candidate with the median of the last accepted days (here the one day before it), so
    // the verdicts are the same; the partial day's reason names the median.
    const v3 = engineClassify(days, 3);
    expect(v3.accepted).toEqual(engine.accepted);
    expect(v3.rejected.map((r) => r.date)).toEqual(engine.rejected.map((r) => r.date));
    expect(v3.rejected.find((r) => r.date === '2024-01-10')?.reason).toBe(
      'partial: 13 symbols, fewer than 70% of the median 20 of the last 1 accepted days',
    );
  });

  it('buildSnapshot reports rejected days up to A in dataQuality', () => {
    const days = [market('2024-01-08', 20), moved('2024-01-09', 20, 1), moved('2024-01-10', 20, 4)];
    const { body } = buildSnapshot({ days, shortInterest: [], splits: [] });
    expect(body.dataQuality.acceptedDays).toBe(2);
    expect(body.dataQuality.rejectedDays.map((r) => r.date)).toEqual(['2024-01-09']);
    // --as-of 01-09: 01-09 is stale, so A = 01-08, and the rejection after A says why (issue 10)
    const early = buildSnapshot({ days, shortInterest: [], splits: [], asOf: '2024-01-09' });
    expect(early.body.asOf).toBe('2024-01-08');
    expect(early.body.dataQuality.rejectedDays.map((r) => r.date)).toEqual(['2024-01-09']);
  });

  it('rejects a file dated on an exchange holiday, and one outside the calendar (the pipeline calendar)', () => {
    const days = [market('2024-07-03', 20), moved('2024-07-04', 20, 4), moved('2024-07-05', 20, 6)];
    const { body } = buildSnapshot({ days, shortInterest: [], splits: [] });
    expect(body.dataQuality.rejectedDays).toEqual([
      { date: '2024-07-04', file: '2024-07-04.json', reason: 'holiday: the exchange was closed (Independence Day)' },
    ]);
    expect(rejectionReason('1997-12-31', 20, null, 0)).toBe('outside the exchange calendar (1998–2099)');
  });
});
