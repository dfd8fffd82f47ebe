/** Small builders for hand-made markets in the methodology tests. */
import type { IsoDate, PriceDay, PriceRow, ShortInterestFile } from '../../shared/domain.ts';

export interface RowSpec {
  /** Defaults to a known market cap of price × shares. */
  marketCap?: number | null;
  shares?: number;
  volume?: number | null;
  sector?: string;
  name?: string;
}

/** A row: `[symbol, price, spec]`. */
export type RowTuple = [string, number, RowSpec?];

export function row(symbol: string, price: number, spec: RowSpec = {}): PriceRow {
  const marketCap = spec.marketCap !== undefined ? spec.marketCap : price * (spec.shares ?? 10_000_000);
  return {
    symbol,
    name: spec.name ?? `${symbol} Inc.`,
    price,
    marketCap,
    volume: spec.volume === undefined ? 1_000_000 : spec.volume,
    sector: spec.sector ?? 'Technology',
    industry: '',
  };
}

export function day(date: IsoDate, rows: RowTuple[]): PriceDay {
  return { date, file: `${date}.json`, rows: rows.map(([s, p, spec]) => row(s, p, spec)) };
}

export function siFile(settlementDate: IsoDate, shares: Record<string, number>, files?: string[]): ShortInterestFile {
  const compact = settlementDate.replaceAll('-', '');
  return { settlementDate, files: files ?? [`shrt${compact}.csv`], shares: new Map(Object.entries(shares)) };
}

/** Consecutive weekdays from `start` (inclusive), skipping Saturdays and Sundays. */
export function weekdays(start: IsoDate, count: number): IsoDate[] {
  const out: IsoDate[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  while (out.length < count) {
    const dow = d.getUTCDay();
    if (dow !== 0 && dow !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** Relative closeness for money figures computed in floating point. */
export function close(actual: number | null | undefined, expected: number, rel = 1e-9): boolean {
  if (actual === null || actual === undefined) return false;
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected));
}

import { expect } from 'vitest';

/** Asserts a figure equals a hand-computed value up to floating-point noise (relative 1e-9). */
export function expectClose(actual: number | null | undefined, expected: number, rel = 1e-9): void {
  expect(actual, `expected ≈ ${expected}, got ${actual}`).not.toBeNull();
  expect(actual, `expected ≈ ${expected}, got ${actual}`).not.toBeUndefined();
  const tolerance = rel * Math.max(1, Math.abs(expected));
  expect(Math.abs((actual as number) - expected), `expected ≈ ${expected}, got ${actual}`).toBeLessThanOrEqual(
    tolerance,
  );
}

/**
 * Days on the given dates with `rows(i)` plus three "movers" whose price changes every day and who
 * have no market cap: they keep a day from looking like a stale repeat (rule 2) while staying out of
 * every figure (rule 6), so the figures are those of the symbols under test.
 */
export function series(dates: IsoDate[], rows: (i: number) => RowTuple[]): PriceDay[] {
  return dates.map((date, i) =>
    day(date, [
      ...rows(i),
      ['MV1', 1 + i * 0.01, { marketCap: null }],
      ['MV2', 2 + i * 0.01, { marketCap: null }],
      ['MV3', 3 + i * 0.01, { marketCap: null }],
    ]),
  );
}
