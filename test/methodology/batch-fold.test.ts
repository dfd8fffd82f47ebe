// startBatch: buildSnapshot one day at a time (what `pulse build` streams through), with its order check.
import { describe, expect, it } from 'vitest';
import type { PriceDay } from '../../shared/domain.ts';
import { buildSnapshot, buildSnapshotFrom, MethodologyError, startBatch } from '../../shared/methodology/index.ts';
import { day, type RowTuple } from './helpers.ts';

/** `n` symbols S0… priced 10, 11, …; the first `changed` of them 0.5 higher. */
function market(date: string, n: number, changed = n): PriceDay {
  const rows: RowTuple[] = [];
  for (let i = 0; i < n; i++) rows.push([`S${i}`, i < changed ? 10 + i + 0.5 : 10 + i]);
  return day(date, rows);
}

// 01-09 repeats 19 of 01-08's 20 prices (95% unchanged: stale, rule 2); 01-10 moves 4 of them.
const first = market('2024-01-08', 20, 0);
const stale = market('2024-01-09', 20, 1);
const next = market('2024-01-10', 20, 4);

describe('startBatch', () => {
  it('gives what buildSnapshot gives, fed in (date, file) order', () => {
    const fold = startBatch({ shortInterest: [], splits: [] });
    for (const d of [first, stale, next]) fold.add(d);
    const folded = fold.finish();
    expect(folded.body.asOf).toBe('2024-01-10');
    expect(folded.body.dataQuality.acceptedDays).toBe(2);
    expect(folded.body.dataQuality.rejectedDays.map((r) => r.date)).toEqual(['2024-01-09']);
    // 01-10 is the only counted day (01-08 has no day before it, rule 7).
    expect(folded.history.map((h) => h.date)).toEqual(['2024-01-10']);
    // buildSnapshot sorts its input first: any order gives the same result.
    const whole = buildSnapshot({ days: [next, first, stale], shortInterest: [], splits: [] });
    expect(whole.body).toEqual(folded.body);
    expect(whole.history).toEqual(folded.history);
  });

  it('skips days after asOf but still checks their order, and lists the rejections after A (issue 10)', () => {
    const fold = startBatch({ shortInterest: [], splits: [], asOf: '2024-01-09' });
    for (const d of [first, stale, next]) fold.add(d);
    const { body } = fold.finish();
    // 01-09 is stale, so A = 01-08, and the rejection says why the snapshot is not newer; 01-10 is after
    // --as-of and never read.
    expect(body.asOf).toBe('2024-01-08');
    expect(body.dataQuality.acceptedDays).toBe(1);
    expect(body.dataQuality.rejectedDays).toEqual([
      expect.objectContaining({ date: '2024-01-09', reason: expect.stringMatching(/^stale/) }),
    ]);
  });

  it('refuses a day out of order, naming both, and a day after finish', () => {
    const fold = startBatch({ shortInterest: [], splits: [] });
    fold.add(next);
    expect(() => fold.add(first)).toThrow(MethodologyError);
    expect(() => fold.add(first)).toThrow(
      '2024-01-08.json: days must come in (date, file) order: 2024-01-08 (2024-01-08.json) after 2024-01-10 (2024-01-10.json)',
    );
    // Two files of one date: by file name.
    const gz = { ...next, file: '2024-01-10.json.gz' };
    fold.add(gz);
    expect(() => fold.add(next)).toThrow('days must come in (date, file) order');
    fold.finish();
    expect(() => fold.add(next)).toThrow('the batch is finished');
    expect(() => fold.finish()).toThrow('the batch is already finished');
  });

  it('refuses to finish without an accepted day, as buildSnapshot does', () => {
    const fold = startBatch({ shortInterest: [], splits: [], asOf: '2024-01-05' });
    fold.add(first);
    expect(() => fold.finish()).toThrow('no accepted trading day on or before 2024-01-05');
    expect(() => startBatch({ shortInterest: [], splits: [] }).finish()).toThrow(
      'no accepted trading day in the input',
    );
  });

  it('buildSnapshotFrom folds an async iterable', async () => {
    async function* days() {
      yield first;
      yield stale;
      yield next;
    }
    const streamed = await buildSnapshotFrom(days(), { shortInterest: [], splits: [] });
    const whole = buildSnapshot({ days: [first, stale, next], shortInterest: [], splits: [] });
    expect(streamed.body).toEqual(whole.body);
  });
});
