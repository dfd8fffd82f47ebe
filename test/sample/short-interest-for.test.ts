import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tradingDays } from '../../shared/calendar.ts';
import type { PriceDay, PriceRow } from '../../shared/domain.ts';
import { decodeText } from '../../shared/formats/decode.ts';
import { parseScreener } from '../../shared/formats/nasdaq-screener.ts';
import { generateShortInterestFor, type SampleFile, toFinraSymbol } from '../../shared/sample/index.ts';
import { repoRoot } from './load.ts';

const DAYS = tradingDays('2025-01-02', '2025-02-07');

interface Spec {
  price: (i: number) => number;
  shares: (i: number) => number | null;
  volume?: number;
}

function market(specs: Record<string, Spec>): PriceDay[] {
  return DAYS.map((date, i) => ({
    date,
    file: `${date}.json`,
    rows: Object.entries(specs).map(([symbol, s]): PriceRow => {
      const price = s.price(i);
      const shares = s.shares(i);
      return {
        symbol,
        name: `${symbol} Inc.`,
        price,
        marketCap: shares === null ? null : shares * price,
        volume: s.volume ?? 100_000,
        sector: 'Technology',
        industry: '',
      };
    }),
  }));
}

/** symbol → cells of its row in the file of `settlement`. */
function rowsOf(files: SampleFile[], settlement: string): Map<string, string[]> {
  const f = files.find((x) => x.path === `short-interest/shrt${settlement.replaceAll('-', '')}.csv`);
  if (!f) throw new Error(`no file for ${settlement}`);
  return new Map(
    (f.content as string)
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split('|'))
      .map((c) => [c[1] as string, c]),
  );
}

const shortShares = (files: SampleFile[], settlement: string, symbol: string) =>
  Number(rowsOf(files, settlement).get(symbol)?.[5] ?? Number.NaN);

const i13 = DAYS.indexOf('2025-01-13');
const i16 = DAYS.indexOf('2025-01-16');
const flat = { price: () => 40, shares: () => 50_000_000 };

describe('generateShortInterestFor (short interest for real price folders)', () => {
  it('writes one file per settlement date, the last one before the first day included', () => {
    const files = generateShortInterestFor(market({ AAA: flat }), { seed: 1 });
    expect(files.map((f) => f.path)).toEqual([
      'short-interest/shrt20241231.csv',
      'short-interest/shrt20250115.csv',
      'short-interest/shrt20250131.csv',
    ]);
    const cells = rowsOf(files, '2025-01-31').get('AAA') as string[];
    expect(cells).toHaveLength(15); // the 14 FINRA columns and the generated mark
    expect(cells[14]).toBe('Y');
    expect(cells[13]).toBe('2025-01-31');
    // previous = the 2025-01-15 file's position.
    expect(Number(cells[6])).toBe(shortShares(files, '2025-01-15', 'AAA'));
  });

  it('is deterministic and per-symbol: adding a symbol changes nobody else', () => {
    const a = generateShortInterestFor(market({ AAA: flat }), { seed: 1 });
    const b = generateShortInterestFor(market({ AAA: flat, ZZZ: flat }), { seed: 1 });
    const c = generateShortInterestFor(market({ AAA: flat }), { seed: 2 });
    expect(shortShares(b, '2025-01-31', 'AAA')).toBe(shortShares(a, '2025-01-31', 'AAA'));
    expect(generateShortInterestFor(market({ AAA: flat }), { seed: 1 })).toEqual(a);
    expect(shortShares(c, '2025-01-31', 'AAA')).not.toBe(shortShares(a, '2025-01-31', 'AAA'));
    const pct = shortShares(a, '2025-01-31', 'AAA') / 50_000_000;
    expect(pct).toBeGreaterThan(0.001);
    expect(pct).toBeLessThan(0.45);
  });

  it('uses the caught-up share count when the market cap lags a split made before settlement', () => {
    // 2-for-1 on 2025-01-13; the market cap keeps 50M shares until 2025-01-16; settlement 2025-01-15.
    const lagging = market({
      BBB: { price: (i) => (i >= i13 ? 20 : 40), shares: (i) => (i >= i16 ? 100_000_000 : 50_000_000) },
    });
    const prompt = market({
      BBB: { price: (i) => (i >= i13 ? 20 : 40), shares: (i) => (i >= i13 ? 100_000_000 : 50_000_000) },
    });
    const a = shortShares(generateShortInterestFor(lagging, { seed: 3 }), '2025-01-15', 'BBB');
    const b = shortShares(generateShortInterestFor(prompt, { seed: 3 }), '2025-01-15', 'BBB');
    expect(a).toBe(b);
  });

  it('does not count a split made after settlement', () => {
    // 2-for-1 on 2025-01-16, the day after the settlement date, share count updated the same day.
    const split = market({
      CCC: { price: (i) => (i >= i16 ? 20 : 40), shares: (i) => (i >= i16 ? 100_000_000 : 50_000_000) },
    });
    const none = market({ CCC: flat });
    const a = shortShares(generateShortInterestFor(split, { seed: 4 }), '2025-01-15', 'CCC');
    const b = shortShares(generateShortInterestFor(none, { seed: 4 }), '2025-01-15', 'CCC');
    expect(a).toBe(b);
  });

  it('gives symbols without a market cap 0.5–5 days of their average volume, in FINRA spelling', () => {
    const files = generateShortInterestFor(
      market({ 'ABR-PD': { price: () => 20, shares: () => null, volume: 10_000 } }),
      { seed: 5 },
    );
    const cells = rowsOf(files, '2025-01-31').get('ABRpD') as string[];
    expect(Number(cells[8])).toBe(10_000);
    expect(Number(cells[5])).toBeGreaterThanOrEqual(5_000);
    expect(Number(cells[5])).toBeLessThanOrEqual(50_000);
    expect(toFinraSymbol('ABR-P')).toBe('ABRp');
    expect(toFinraSymbol('BRK.B')).toBe('BRK.B');
  });

  it('returns nothing for no price days', () => {
    expect(generateShortInterestFor([], { seed: 1 })).toEqual([]);
  });
});

const screener2024 = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');

describe.skipIf(!existsSync(screener2024))('on the real 2024 screener files (../shared/data)', () => {
  it('keeps NVDA short interest consistent across its 10-for-1 split of 2024-06-10', () => {
    const days = readdirSync(screener2024)
      .filter((f) => f >= '2024-05-24' && f < '2024-06-21')
      .sort()
      .map((f) => {
        const parsed = parseScreener(decodeText(readFileSync(path.join(screener2024, f)), f), f);
        return { date: parsed.date as string, file: f, rows: parsed.records };
      });
    const files = generateShortInterestFor(days, { seed: 1 });
    expect(files.map((f) => path.basename(f.path))).toEqual([
      'shrt20240515.csv',
      'shrt20240531.csv',
      'shrt20240614.csv',
    ]);
    const so = (date: string) => {
      const r = days.find((d) => d.date === date)?.rows.find((x) => x.symbol === 'NVDA');
      return (r?.marketCap ?? Number.NaN) / (r?.price ?? Number.NaN);
    };
    const before = shortShares(files, '2024-05-31', 'NVDA');
    const after = shortShares(files, '2024-06-14', 'NVDA');
    // A share of shares outstanding (2.46 billion before, 24.6 billion after) …
    expect(before / so('2024-05-31')).toBeLessThan(0.05);
    expect(after / so('2024-06-14')).toBeLessThan(0.05);
    // … that drifts between reports but follows the split: about 10× more shares short.
    expect(after / before).toBeGreaterThan(5);
    expect(after / before).toBeLessThan(20);
    // Class shares are written the FINRA way.
    expect(rowsOf(files, '2024-06-14').has('BRK.B')).toBe(true);
  });
});
