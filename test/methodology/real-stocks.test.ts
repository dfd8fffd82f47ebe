/**
 * Optional (skipped without ../shared/data): every stock's file (issue 19) on the real 2024 year with FINRA's
 * files. For NVDA (a 10-for-1 split in June), BRK.B (FINRA spells it BRKB) and the nano cap with the largest YTD
 * P&L, the YTD P&L is recomputed BY HAND from the file's own daily series — each counted day's
 * −SI(d−1) · price(d−1) · (price(d) / price(d−1) · splitFactor(d) − 1) — and must equal the file's figure and
 * the engine's top-list figure when the stock is on a list.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuildResult, startBatch } from '../../shared/methodology/index.ts';
import type { StockFile } from '../../shared/snapshot/stocks-schema.ts';
import { expectClose } from './helpers.ts';
import { FINRA_2024, REAL_YEAR_PRESENT, realPriceDays, realShortInterest } from './real-year.ts';

const finraDir = FINRA_2024;
const present = REAL_YEAR_PRESENT;

type Stock = Omit<StockFile, 'generatedAt' | 'sample'>;

/** The YTD P&L from the series alone (the file's own numbers, not the engine's). */
function byHand(s: Stock): number {
  const x = s.series;
  let pnl = 0;
  for (let i = 1; i < x.date.length; i++) {
    const flags = x.flags[i] ?? [];
    if (flags.includes('not-counted') || flags.includes('first-day') || flags.includes('pending-split')) continue;
    const p0 = x.price[i - 1];
    const p1 = x.price[i];
    if (p0 === null || p1 === null || p0 === undefined || p1 === undefined) continue;
    const exposure = (x.shortInterest[i - 1] as number) * p0;
    if (x.exposureUsd[i] === 0) continue; // rule 11(b) or no market cap the day before: the file says 0
    pnl += -exposure * ((p1 / p0) * (x.splitFactor[i] as number) - 1);
  }
  return pnl;
}

describe.skipIf(!present)('every stock on the real 2024 year (issue 19)', () => {
  let result: BuildResult;
  const stock = (symbol: string) => result.stocks?.stocks.find((s) => s.symbol === symbol) as Stock;

  beforeAll(() => {
    const fold = startBatch({ shortInterest: realShortInterest(), splits: [], stocks: true });
    for (const d of realPriceDays()) fold.add(d);
    result = fold.finish();
  }, 300_000);

  it('writes a file for every stock with short interest in the year (thousands), each in the index', () => {
    const stocks = result.stocks?.stocks ?? [];
    expect(stocks.length).toBeGreaterThan(4000);
    expect(result.stocks?.index.map((e) => e.symbol)).toEqual(stocks.map((s) => s.symbol));
    for (const s of stocks) expect(s.series.date.length, s.symbol).toBe(252);
  });

  it('NVDA: the YTD P&L recomputed by hand from its series, across the 10-for-1 split, equals the file and the top list', () => {
    const nvda = stock('NVDA');
    expect(nvda.series.splitFactor.filter((f) => f !== 1)).toHaveLength(1);
    expectClose(byHand(nvda), nvda.windows.ytd.pnlUsd, 1e-9);
    const listed = [...result.body.windows.ytd.topWinners, ...result.body.windows.ytd.topLosers].find(
      (e) => e.symbol === 'NVDA',
    );
    expect(listed).toBeDefined();
    expectClose(listed?.pnlUsd, nvda.windows.ytd.pnlUsd, 1e-9);
    expect(nvda.tier).toBe('mega');
  });

  it('BRK.B: joined through FINRA’s BRKB row (rule 4(b)); its short interest on A is that row’s', () => {
    const brk = stock('BRK.B');
    const raw = readFileSync(path.join(finraDir, 'shrt20241231.csv'), 'utf8')
      .split('\n')
      .map((l) => l.split('|'))
      .find((c) => c[1] === 'BRKB');
    expect(raw).toBeDefined();
    expect(brk.shortInterest?.shares).toBe(Number(raw?.[5]));
    expect(brk.shortInterest?.settlementDate).toBe('2024-12-31');
    expectClose(byHand(brk), brk.windows.ytd.pnlUsd, 1e-9);
  });

  it('a nano cap: the one with the largest YTD P&L, recomputed by hand', () => {
    const nanos = (result.stocks?.stocks ?? []).filter((s) => s.tier === 'nano' && s.listedOnAsOf);
    expect(nanos.length).toBeGreaterThan(100);
    const top = nanos.reduce((a, b) => (Math.abs(b.windows.ytd.pnlUsd) > Math.abs(a.windows.ytd.pnlUsd) ? b : a));
    expect(Math.abs(top.windows.ytd.pnlUsd)).toBeGreaterThan(0);
    expectClose(byHand(top), top.windows.ytd.pnlUsd, 1e-9);
    console.info(`nano cap checked: ${top.symbol} ${top.name}, YTD P&L $${(top.windows.ytd.pnlUsd / 1e6).toFixed(2)}M`);
  });
});
