/** Rule 10: crowded shorts. */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../shared/methodology/index.ts';
import { expectClose, type RowTuple, series, siFile, weekdays } from './helpers.ts';

const M = 1e6;
const dates = weekdays('2024-03-04', 6); // A = 2024-03-11

describe('rule 10: candidates, ranks and scores', () => {
  // P: $10 × 100M shares (MC $1B), 10M short, volume 1M → 10% of shares, 10 days to cover, $100M
  // Q: $20 × 50M  (MC $1B), 5M short, volume 500k  → 10%, 10 days, $100M (ties P everywhere)
  // R: $50 × 40M  (MC $2B), 2M short, volume 1M    → 5%, 2 days, $100M
  // V: $200 × 50M (MC $10B), 1M short, volume 50k  → 2%, 20 days, $200M
  // S: positive volume on only 4 of the 6 days; T: MC $250M < $300M; Z: not shorted; none qualify.
  // Prices are flat; the movers keep the days from being stale.
  const rows = (i: number): RowTuple[] => [
    ['P', 10, { shares: 100 * M, volume: 1 * M }],
    ['Q', 20, { shares: 50 * M, volume: 0.5 * M }],
    ['R', 50, { shares: 40 * M, volume: 1 * M }],
    ['V', 200, { shares: 50 * M, volume: 50_000, sector: 'Energy', name: 'Vee Energy' }],
    ['S', 5, { shares: 100 * M, volume: i < 2 ? 0 : 1 * M }],
    ['T', 100, { marketCap: 250 * M }],
    ['Z', 10, { shares: 100 * M }],
  ];
  const si = { P: 10 * M, Q: 5 * M, R: 2 * M, V: 1 * M, S: 20 * M, T: 1 * M };
  const r = buildSnapshot({ days: series(dates, rows), shortInterest: [siFile('2024-03-01', si)], splits: [] });

  it('ranks with average ranks for ties and rounds the score half up to one decimal', () => {
    // ranks (1 = lowest):  % of shares: V 1, R 2, P/Q 3.5 · days to cover: R 1, P/Q 2.5, V 4 · $: P/Q/R 2, V 4
    // Σ(rank − 1): V 0+3+3 = 6, P = Q 2.5+1.5+1 = 5, R 1+0+1 = 2; score = 100 · Σ / (3 · (n − 1)), n = 4
    // V 66.67 → 66.7; P, Q 55.56 → 55.6 (tie: same $, then symbol); R 22.22 → 22.2
    expect(r.body.crowded.map((c) => [c.symbol, c.score])).toEqual([
      ['V', 66.7],
      ['P', 55.6],
      ['Q', 55.6],
      ['R', 22.2],
    ]);
    const v = r.body.crowded[0];
    expect(v).toMatchObject({ name: 'Vee Energy', tier: 'large', sector: 'Energy' });
    expectClose(v?.shortInterestUsd, 200 * M);
    expectClose(v?.shortInterestPctSharesOut, 2);
    expectClose(v?.daysToCover, 20);
    // no accepted day 30 calendar days before A
    expect(v?.shortInterestChange30dPct).toBeNull();
  });

  it('a single candidate scores 0', () => {
    const one = buildSnapshot({
      days: series(dates, (i) => [rows(i)[0] as RowTuple]),
      shortInterest: [siFile('2024-03-01', si)],
      splits: [],
    });
    expect(one.body.crowded.map((c) => [c.symbol, c.score])).toEqual([['P', 0]]);
  });

  it('rounds an exact half up: n = 9, Σ(rank − 1) = 1.5 → 100 · 1.5 / 24 = 6.25 → 6.3', () => {
    // Nine candidates on 100M shares each. C1: SI 100k at $25, volume 100k; C2: SI 200k at $10, volume 200k;
    // Ck (k = 3 … 9): SI k·100k at $10, volume 100k.
    // % of shares: C1 1, C2 2, Ck k · days to cover: C1 = C2 = 1 → 1.5 each, Ck = k → k
    // $: C2 $2M (1), C1 $2.5M (2), Ck $k M (k)
    // Σ(rank − 1): C1 0 + 0.5 + 1 = 1.5, C2 1 + 0.5 + 0 = 1.5 → 100 · 1.5 / 24 = 6.25 → 6.3 (half up)
    // Ck: 3(k − 1) → 12.5 (k − 1): 25, 37.5, 50, 62.5, 75, 87.5, 100
    const many = (): RowTuple[] =>
      Array.from({ length: 9 }, (_, j) => {
        const k = j + 1;
        const price = k === 1 ? 25 : 10;
        const volume = k === 2 ? 200_000 : 100_000;
        return [`C${k}`, price, { shares: 100 * M, volume }] as RowTuple;
      });
    const shares: Record<string, number> = {};
    for (let k = 1; k <= 9; k++) shares[`C${k}`] = k * 100_000;
    const out = buildSnapshot({ days: series(dates, many), shortInterest: [siFile('2024-03-01', shares)], splits: [] });
    expect(out.body.crowded.map((c) => [c.symbol, c.score])).toEqual([
      ['C9', 100],
      ['C8', 87.5],
      ['C7', 75],
      ['C6', 62.5],
      ['C5', 50],
      ['C4', 37.5],
      ['C3', 25],
      // tie at 6.3: the larger short interest in dollars first
      ['C1', 6.3],
      ['C2', 6.3],
    ]);
  });

  it('keeps at most 20', () => {
    const lots = (): RowTuple[] =>
      Array.from({ length: 25 }, (_, j) => [`K${String(j).padStart(2, '0')}`, 10, { shares: 100 * M }] as RowTuple);
    const shares: Record<string, number> = {};
    for (let j = 0; j < 25; j++) shares[`K${String(j).padStart(2, '0')}`] = (j + 1) * 100_000;
    const out = buildSnapshot({ days: series(dates, lots), shortInterest: [siFile('2024-03-01', shares)], splits: [] });
    // same volume and price: every metric ranks by SI, so K24 scores 100 and K05 is the 20th
    expect(out.body.crowded).toHaveLength(20);
    expect(out.body.crowded[0]?.symbol).toBe('K24');
    expect(out.body.crowded.at(-1)?.symbol).toBe('K05');
  });
});

describe('rule 10: 30-day change in short interest', () => {
  // 26 weekdays 2024-01-02 … 2024-02-06; A − 30 = 2024-01-07 → B = 2024-01-05.
  const dates26 = weekdays('2024-01-02', 26);
  // X: $20 × 50M shares (MC $1B), 2-for-1 on 01-22 ($10 × 100M). Y: shorted only from the second file.
  const rows = (i: number): RowTuple[] => [
    (dates26[i] as string) < '2024-01-22' ? ['X', 20, { shares: 50 * M }] : ['X', 10, { shares: 100 * M }],
    ['Y', 30, { shares: 50 * M }],
  ];
  const files = [siFile('2023-12-29', { X: 1 * M }), siFile('2024-01-31', { X: 3 * M, Y: 2 * M })];
  const r = buildSnapshot({ days: series(dates26, rows), shortInterest: files, splits: [] });

  it('compares SI(A) with SI(B) carried through the splits after B', () => {
    expect(r.body.asOf).toBe('2024-02-06');
    expect(r.body.dataQuality.splits).toEqual([{ symbol: 'X', date: '2024-01-22', factor: 2, rule: '3a' }]);
    const x = r.body.crowded.find((c) => c.symbol === 'X');
    // SI(X, B) = 1M, times the split after B = 2M; SI(X, A) = 3M → +50%
    expectClose(x?.shortInterestChange30dPct, 50);
    // Y had no short interest on B → null
    expect(r.body.crowded.find((c) => c.symbol === 'Y')?.shortInterestChange30dPct).toBeNull();
  });
});
