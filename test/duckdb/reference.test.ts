/**
 * The DuckDB reference (test/bench/duckdb) on hand-made input folders (test/fixtures/duckdb), with
 * every expected value computed on paper from the fixture's prices, market caps and short interest.
 * The derivations are written next to the numbers; rule numbers refer to docs/methodology.md (issue 3).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GroupFigures } from '../../shared/snapshot/schema.ts';
import { generateShortInterest } from '../bench/duckdb/generate-short-interest.ts';
import {
  DuckdbReferenceError,
  type DuckdbReferenceResult,
  duckdbCanonicalSymbols,
  duckdbGroupFigures,
} from '../bench/duckdb/reference.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/duckdb');

/** The fixtures are hand-computed under methodology v1 (rules 1–11); v2 is asked for explicitly. */
function run(fixture: string, asOf?: string, methodology: 1 | 2 = 1): Promise<DuckdbReferenceResult> {
  const dir = path.join(fixtures, fixture);
  return duckdbGroupFigures({
    pricesDir: path.join(dir, 'prices'),
    shortInterestDir: path.join(dir, 'short-interest'),
    splitsFile: path.join(dir, 'splits.csv'),
    ...(asOf === undefined ? {} : { asOf }),
    methodology,
  });
}

/** Relative 1e-9 (absolute 1e-6 near zero): the expected values are exact, the SQL works in doubles. */
function expectClose(actual: number | null, expected: number | null, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  const tolerance = Math.max(1e-6, Math.abs(expected) * 1e-9);
  expect(Math.abs((actual as number) - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

type Expected = [
  pnlUsd: number | null,
  avgShortInterestUsd: number | null,
  netNewShortingUsd: number | null,
  returnPct: number | null,
  decliningPct: number | null,
  symbols: number,
];

/** pnlPct is always pnlUsd / avg · 100 (null when the average is 0 or the window is empty). */
function expectFigures(actual: GroupFigures | undefined, expected: Expected, label: string): void {
  expect(actual, label).toBeDefined();
  const [pnlUsd, avg, net, returnPct, decliningPct, symbols] = expected;
  const f = actual as GroupFigures;
  expectClose(f.pnlUsd, pnlUsd, `${label} pnlUsd`);
  expectClose(f.avgShortInterestUsd, avg, `${label} avgShortInterestUsd`);
  expectClose(f.pnlPct, pnlUsd !== null && avg ? (pnlUsd / avg) * 100 : null, `${label} pnlPct`);
  expectClose(f.netNewShortingUsd, net, `${label} netNewShortingUsd`);
  expectClose(f.returnPct, returnPct, `${label} returnPct`);
  expectClose(f.decliningPct, decliningPct, `${label} decliningPct`);
  expect(f.symbols, `${label} symbols`).toBe(symbols);
}

const EMPTY_GROUP: Expected = [0, 0, 0, null, null, 0];

describe('DuckDB reference: a 3-symbol 4-day market (market-4-day)', () => {
  // AAA large (1e8 shares), BBB small (1e8), CCC nano (1e7, empty sector); prices
  // AAA 1000 → 1100 → 990 → 990, BBB 10 → 9 → 9.9 → 9.9, CCC 2 → 2.5 → 2 → 2.2 on 03-04..03-07.
  // Short interest: settlement 03-01 AAA 1.0M, BBB 2.0M, CCC 1.0M; settlement 03-06 AAA 1.2M,
  // BBB 1.0M, CCC absent (→ 0). Counted days 03-05, 03-06, 03-07 (03-04 is the first day).
  //   03-05: E = 1e9 / 2e7 / 2e6; R = +0.1 / −0.1 / +0.25 → pnl −1e8 / +2e6 / −5e5; N = 0 (same file)
  //   03-06: E = 1.1e9 / 1.8e7 / 2.5e6; R = −0.1 / +0.1 / −0.2 → pnl +1.1e8 / −1.8e6 / +5e5;
  //          new file: N = (1.2M − 1M)·990 = 1.98e8, (1M − 2M)·9.9 = −9.9e6, (0 − 1M)·2 = −2e6
  //   03-07: E = 1.188e9 / 9.9e6 / 0; R = 0 / 0 / +0.1 → pnl 0; N = 0
  const large: Expected = [1e7, 3.288e9 / 3, 1.98e8, -1, 100, 1];
  const small: Expected = [2e5, 4.79e7 / 3, -9.9e6, -1, 100, 1];
  const nano: Expected = [0, 1.5e6, -2e6, 10, 0, 0];

  it('computes every group and sector of the ytd window (rules 4–8)', async () => {
    const r = await run('market-4-day');
    expect(r.asOf).toBe('2024-03-07');
    const ytd = r.windows.ytd;
    expect([ytd.from, ytd.to, ytd.tradingDays]).toEqual(['2024-03-05', '2024-03-07', 3]);
    expectFigures(ytd.groups.large, large, 'large');
    expectFigures(ytd.groups.megaLarge, large, 'megaLarge');
    expectFigures(ytd.groups.small, small, 'small');
    expectFigures(ytd.groups.nano, nano, 'nano');
    for (const g of ['micro', 'mid', 'mega'] as const) expectFigures(ytd.groups[g], EMPTY_GROUP, g);
    // returnPct chains Σ MC_{d−1}(1+R) / Σ MC_{d−1}: small+nano 0.925/1.02 · 1.01/0.925 · 1.012/1.01;
    // all three 110.925/101.02 · 100.01/110.925 · 100.012/100.01 (in $bn).
    expectFigures(
      ytd.groups.smallMicroNano,
      [2e5, 5.24e7 / 3, -1.19e7, (1.012 / 1.02 - 1) * 100, 50, 1],
      'smallMicroNano',
    );
    expectFigures(ytd.groups.total, [1.02e7, 3.3404e9 / 3, 1.861e8, (100.012 / 101.02 - 1) * 100, 200 / 3, 2], 'total');
    expect(Object.keys(ytd.sectors).sort()).toEqual(['Health Care', 'Technology', 'Unclassified']);
    expectFigures(ytd.sectors.Technology, large, 'Technology');
    expectFigures(ytd.sectors['Health Care'], small, 'Health Care');
    expectFigures(ytd.sectors.Unclassified, nano, 'Unclassified');
  });

  it('computes the 1d window on A only, and mtd/30d over the same three days', async () => {
    const r = await run('market-4-day');
    const d1 = r.windows['1d'];
    expect([d1.from, d1.to, d1.tradingDays]).toEqual(['2024-03-07', '2024-03-07', 1]);
    expectFigures(d1.groups.large, [0, 1.188e9, 0, 0, 0, 1], '1d large');
    expectFigures(d1.groups.small, [0, 9.9e6, 0, 0, 0, 1], '1d small');
    expectFigures(d1.groups.nano, [0, 0, 0, 10, 0, 0], '1d nano');
    expectFigures(d1.groups.total, [0, 1.1979e9, 0, (100.012 / 100.01 - 1) * 100, 0, 2], '1d total');
    for (const w of ['mtd', '30d'] as const) {
      expect([r.windows[w].from, r.windows[w].tradingDays]).toEqual(['2024-03-05', 3]);
      expectFigures(r.windows[w].groups.large, large, `${w} large`);
    }
  });

  it('reads a bare rows array the same as the API response shape', async () => {
    const [wrapped, bare] = await Promise.all([run('market-4-day'), run('bare-array')]);
    expect(bare.windows).toEqual(wrapped.windows);
  });

  it('gives null figures when A is the first accepted day (every window empty)', async () => {
    const r = await run('market-4-day', '2024-03-04');
    expect(r.asOf).toBe('2024-03-04');
    for (const w of ['1d', 'mtd', '30d', 'ytd'] as const) {
      const win = r.windows[w];
      expect([win.from, win.to, win.tradingDays]).toEqual([null, '2024-03-04', 0]);
      expect(win.sectors).toEqual({});
      for (const figures of Object.values(win.groups)) {
        expect(figures).toEqual({
          pnlUsd: null,
          pnlPct: null,
          avgShortInterestUsd: null,
          netNewShortingUsd: null,
          returnPct: null,
          decliningPct: null,
          symbols: 0,
        });
      }
    }
  });

  it('refuses an as-of date before the first file', async () => {
    await expect(run('market-4-day', '2024-03-01')).rejects.toThrow(DuckdbReferenceError);
  });
});

describe('DuckDB reference: rule 2 day rejection (day-rejection)', () => {
  // Ten symbols S1..S10. 02-25 (Sunday) and 03-02 (Saturday) are weekend files; 03-01 is the first
  // weekday and accepted. 03-05 has 6 symbols (< 70% of 10 → partial). 03-06 repeats 03-04 for 9 of
  // 10 symbols (90% → stale). 03-07 differs from 03-04 in S1 and S10 (80% same → accepted) although
  // it repeats the rejected 03-06 in 9 of 10 (so it must be compared with the last ACCEPTED day).
  // 03-08 has 7 symbols: exactly 70% of 03-07's 10, not fewer → accepted.
  it('rejects weekend, stale and partial days and compares with the previous accepted day', async () => {
    const r = await run('day-rejection');
    expect(r.rejectedDays).toEqual([
      { date: '2024-02-25', reason: 'weekend' },
      { date: '2024-03-02', reason: 'weekend' },
      { date: '2024-03-05', reason: 'partial' },
      { date: '2024-03-06', reason: 'stale' },
    ]);
    expect(r.asOf).toBe('2024-03-08');
    const ytd = r.windows.ytd;
    expect([ytd.from, ytd.tradingDays]).toEqual(['2024-03-04', 3]);
    // Only S1 is shorted (1,000 shares): 10 → 11 (03-04) → 12 (03-07, vs 03-04) → 12 (03-08).
    // E = 10,000 + 11,000 + 12,000; pnl = −1,000 − 1,000 + 0. S1 is small (MC 1e9..1.2e9).
    expectFigures(ytd.groups.small, [-2000, 11000, 0, 20, 0, 1], 'small');
    // Σ MC (1e8 shares each) moves with Σ prices: 560/550, then 562/560, then on 03-08 only S1..S7
    // are present on both days: 294/288.
    expectFigures(ytd.groups.total, [-2000, 11000, 0, ((562 / 550) * (294 / 288) - 1) * 100, 0, 1], 'total');
  });
});

describe('DuckDB reference: rule 3 splits (splits)', () => {
  // Thirteen days 04-01 (D1) .. 04-17 (D13); each symbol has its own sector, so a sector's figures are
  // that symbol's. Short interest files settle on 03-28 and 04-10 (D8). NOMC and NOMC2 have no market
  // cap ("0.00", ""): they count for rule 2 (their prices move daily) but enter no figure.
  it('finds each split by the right rule and factor, and nothing else', async () => {
    const r = await run('splits');
    expect(r.rejectedDays).toEqual([]);
    expect(r.splits.map(({ symbol, date, rule }) => ({ symbol, date, rule }))).toEqual([
      { symbol: 'FWD', date: '2024-04-02', rule: '3b' }, // 2-for-1, share count 3 days late (D5)
      { symbol: 'KPK', date: '2024-04-02', rule: '3b' }, // 4-for-1 with the price up 20%: k=3 fails the look-ahead
      { symbol: 'LATE10', date: '2024-04-02', rule: '3b' }, // share count arrives on the 10th day after: in time
      { symbol: 'REV', date: '2024-04-02', rule: '3a' }, // 1-for-10, share count updated the same day
      { symbol: 'REVB', date: '2024-04-02', rule: '3b' }, // 1-for-10, price −10%: k=1/8 fails the look-ahead
      { symbol: 'TWO', date: '2024-04-02', rule: '3b' }, // k=2 and k=3 both confirmed: the first in the list wins
      { symbol: 'OVR', date: '2024-04-03', rule: '3c' }, // splits.csv says 5; rule 3(a) alone would say 4.9
    ]);
    const factor = Object.fromEntries(r.splits.map((s) => [s.symbol, s.factor]));
    expectClose(factor.FWD ?? null, 2, 'FWD');
    expectClose(factor.KPK ?? null, 4, 'KPK');
    expectClose(factor.REV ?? null, 0.1, 'REV');
    expectClose(factor.REVB ?? null, 0.1, 'REVB');
    expectClose(factor.OVR ?? null, 5, 'OVR');
    expectClose(factor.TWO ?? null, 2, 'TWO');
    // GLT's market cap doubles for two days at a flat price; CRASH halves with no share change and 11
    // later days to confirm; LATE11's share count arrives on the 11th day after: none is a split.
    // PEND halves on D12 with one later day: pending.
    expect(r.pendingSplits).toEqual([{ symbol: 'PEND', date: '2024-04-16' }]);
  });

  it('adjusts returns and short interest by the factors (rules 3–5)', async () => {
    const r = await run('splits');
    const ytd = r.windows.ytd;
    expect([ytd.from, ytd.tradingDays]).toEqual(['2024-04-02', 12]);
    const s = ytd.sectors;
    // FWD 100 → 50 (f=2, R=0) → 55 → 51 → 50 → 60; SI 1M, ×2 from D2, 2.5M from D8.
    // E: 1e8, 1e8, 1.1e8, 1.02e8, 1e8, 1.2e8, 1.2e8 (D8), 5 × 1.5e8; pnl −1e7 + 8e6 + 2e6 − 2e7.
    // N on D8 = (2.5M − 2M)·60 = 3e7.
    expectFigures(s.Fwd, [-2e7, 1.502e9 / 12, 3e7, 20, 0, 1], 'Fwd');
    // REV 1.0 → 10.5, f = 0.1 (R = +5%); SI 500k → 50k, 60k from D8: E 5e5, 6 × 5.25e5, 5 × 6.3e5.
    expectFigures(s.Rev, [-2.5e4, 6.8e6 / 12, 1.05e5, 5, 0, 1], 'Rev');
    // GLT flat at 20 with SI 1M: E = 2e7 every day, no split, no P&L.
    expectFigures(s.Glitch, [0, 2e7, 0, 0, 0, 1], 'Glitch');
    // KPK 100 → 30 with f = 4 (R = +20%): E 2e7, then 8e5·30 = 2.4e7 × 6, then 9e5·30 = 2.7e7 × 5.
    expectFigures(s.Pick, [-4e6, 2.99e8 / 12, 3e6, 20, 0, 1], 'Pick');
    // CRASH 10 → 5, f = 1: E 1e6, then 5e5 × 11; pnl = +5e5.
    expectFigures(s.Crash, [5e5, 6.5e6 / 12, 0, -50, 100, 1], 'Crash');
    // PEND is held out from D12 on: 10 days of E = 4e6 count, it has no figures on A.
    expectFigures(s.Pending, [0, 4e7 / 12, 0, 0, null, 0], 'Pending');
    // OVR 100 → 21 with f = 5 (R = +5%): E 1e7, 1e7, then 5e5·21 = 1.05e7 × 10.
    expectFigures(s.Override, [-5e5, 1.25e8 / 12, 0, 5, 0, 1], 'Override');
    // REVB 0.5 → 4.5 with f = 0.1 (R = −10%): E 1e6, then 2e5·4.5 × 6, then 3e5·4.5 × 5.
    expectFigures(s.RevB, [1e5, 1.315e7 / 12, 4.5e5, -10, 100, 1], 'RevB');
    // TWO 100 → 40 with f = 2 (R = −20%): E 1e7, then 2e5·40 × 6, then 1e5·40 × 5;
    // N on D8 = (1e5 − 2e5)·40.
    expectFigures(s.Two, [2e6, 7.8e7 / 12, -4e6, -20, 100, 1], 'Two');
    // Not shorted (absent from both files): only the price figures. LATE10 100 → 50 with f = 2,
    // LATE11 100 → 50 with f = 1. GAP 10 → 9 on D8 but missing on D5, so it has no figures on D5 and
    // D6 and cannot qualify for decliningPct.
    expectFigures(s.Late10, [0, 0, 0, 0, 0, 0], 'Late10');
    expectFigures(s.Late11, [0, 0, 0, -50, 100, 0], 'Late11');
    expectFigures(s.Gap, [0, 0, 0, -10, null, 0], 'Gap');
    expect(s.NoCap).toBeUndefined();
    // mid: FWD on D3–D5 (MC 5e9, 5.5e9, 5.1e9 after the split) and GLT on D4–D5 (MC 2e9):
    // returns 1.1 · (5.1 + 2)/7.5 · (5 + 2)/7.1; nobody is mid on A.
    expectFigures(ytd.groups.mid, [0, 3.52e8 / 12, 0, (1.1 * (7 / 7.5) - 1) * 100, null, 0], 'mid');
    expectFigures(ytd.groups.large, [-2e7, 1.19e9 / 12, 3e7, 20, 0, 1], 'large');
    const sumE = 1.502e9 + 6.8e6 + 2.4e8 + 2.99e8 + 6.5e6 + 4e7 + 1.25e8 + 1.315e7 + 7.8e7;
    const total = ytd.groups.total;
    expectClose(total.pnlUsd, -2e7 - 2.5e4 - 4e6 + 5e5 - 5e5 + 1e5 + 2e6, 'total pnlUsd');
    expectClose(total.avgShortInterestUsd, sumE / 12, 'total avg');
    expectClose(total.netNewShortingUsd, 3e7 + 1.05e5 + 3e6 + 4.5e5 - 4e6, 'total N');
    // Qualified: the 10 symbols with figures on all 12 days; declining: CRASH, REVB, TWO, LATE11.
    expectClose(total.decliningPct, (4 / 10) * 100, 'total decliningPct');
    expect(total.symbols).toBe(8);
  });

  it('uses only days up to as-of for the look-ahead and holds out undecided splits', async () => {
    const r = await run('splits', '2024-04-03');
    expect(r.splits.map((s) => `${s.symbol} ${s.rule}`)).toEqual(['REV 3a', 'TWO 3b', 'OVR 3c']);
    // KPK (x = 0.3) is pending although its share count ×4 already arrived on D3: k = 3 passes the
    // price test first (0.9) and could still be confirmed on D4..D12 (rule 3(b) takes the first k
    // confirmed; decision "pending splits"). TWO's first k (2) is confirmed on D3: decided.
    expect(r.pendingSplits).toEqual([
      { symbol: 'CRASH', date: '2024-04-02' },
      { symbol: 'FWD', date: '2024-04-02' },
      { symbol: 'KPK', date: '2024-04-02' },
      { symbol: 'LATE10', date: '2024-04-02' },
      { symbol: 'LATE11', date: '2024-04-02' },
      { symbol: 'REVB', date: '2024-04-02' },
    ]);
    const s = r.windows.ytd.sectors;
    // KPK is held out from D2 on: no figure row in the window, so no Pick sector row.
    expect(Object.keys(s).sort()).toEqual(['Gap', 'Glitch', 'Override', 'Pending', 'Rev', 'Two']);
    // TWO 100 → 40 with f = 2 (R = −20%), SI 1e5 → 2e5 on D2: E 1e7 on D2 and 2e5·40 = 8e6 on D3.
    expectFigures(s.Two, [2e6, 1.8e7 / 2, 0, -20, 100, 1], 'Two');
  });

  it('decides a pending 3(b) split only once every earlier k is ruled out by all 10 later days', async () => {
    // KPK's split is on D2 (04-02); its 10 later days are D3..D12 (04-16). As of D11 only 9 are
    // known and k = 3 is not yet ruled out; as of D12 it is, and the first confirmed k (4) applies.
    const before = await run('splits', '2024-04-15');
    expect(before.pendingSplits.map((p) => p.symbol)).toContain('KPK');
    expect(before.splits.map((p) => p.symbol)).not.toContain('KPK');
    expect(before.windows.ytd.sectors.Pick).toBeUndefined();
    const after = await run('splits', '2024-04-16');
    expect(after.pendingSplits.map((p) => p.symbol)).not.toContain('KPK');
    const kpk = after.splits.filter((p) => p.symbol === 'KPK');
    expect(kpk.map((p) => [p.date, p.rule])).toEqual([['2024-04-02', '3b']]);
    expectClose(kpk[0]?.factor ?? null, 4, 'KPK factor');
    // Released with f = 4 (R = +20%): E 2e7 on D2, 8e5·30 = 2.4e7 on D3..D8, 9e5·30 = 2.7e7 on
    // D9..D12 (the 04-10 file); N on D8 = (9e5 − 8e5)·30 = 3e6. Flat after D2, so declining: no.
    expectFigures(after.windows.ytd.sectors.Pick, [-4e6, 2.72e8 / 11, 3e6, 20, 0, 1], 'Pick');
  });
});

interface TestRow {
  symbol: string;
  price: number;
  /** Market cap in dollars; null: the screener's "0.00" (unknown). */
  mc: number | null;
  sector: string;
}

/** Writes a throw-away input folder: one screener snapshot (API shape) per day, and splits.csv. */
function writeInput(root: string, days: Record<string, TestRow[]>, splitsCsv: string): string {
  const prices = path.join(root, 'prices');
  mkdirSync(prices, { recursive: true });
  for (const [date, rows] of Object.entries(days)) {
    const json = rows.map((r) => ({
      symbol: r.symbol,
      name: `${r.symbol} Common Stock`,
      lastsale: `$${r.price.toFixed(2)}`,
      volume: '100000',
      marketCap: r.mc === null ? '0.00' : r.mc.toFixed(2),
      sector: r.sector,
      industry: 'Test Industry',
      country: 'United States',
      ipoyear: '',
      exchange: 'NASDAQ',
    }));
    writeFileSync(path.join(prices, `${date}.json`), JSON.stringify({ data: { rows: json } }));
  }
  writeFileSync(path.join(root, 'splits.csv'), splitsCsv);
  return root;
}

describe('DuckDB reference: decliningPct over symbols with a day of unknown market cap', () => {
  // Five days 04-01..04-05, no short interest. Rule 8 qualifies a symbol for decliningPct by its
  // PRICES (priced on the day before `from` and every day of the window); a day with an unknown
  // MC_{d−1} is left out of the sums by rule 6 but its return still compounds.
  //   AAA (1e8 shares, Technology): 10, 9, 12, 11, 11; MC unknown on D2 → no figure row on D3.
  //       Π = 0.9 · 12/9 · 11/12 · 1 = 1.1: not declining.
  //   BBB (1e8 shares, Health Care): 19, 18, 17, 16, 15, MC always known: declining.
  //   CCC (1e7 → 2e7 shares, Energy): 40, 41, 20, 21, 22; MC unknown on D2 and D3; splits.csv says
  //       ×2 on D3, which rule 3(c) applies without a market cap (docs/methodology.md decision):
  //       Π = 41/40 · (20/41)·2 · 21/20 · 22/21 = 1.1: not declining (with f = 1 it would be 0.55).
  // Tier as of A by MC on D4: AAA 1.1e9, BBB 1.6e9, CCC 21·2e7 = 4.2e8: all small (every day too).
  const day = (aaa: [number, number | null], bbb: number, ccc: [number, number | null]): TestRow[] => [
    { symbol: 'AAA', price: aaa[0], mc: aaa[1], sector: 'Technology' },
    { symbol: 'BBB', price: bbb, mc: bbb * 1e8, sector: 'Health Care' },
    { symbol: 'CCC', price: ccc[0], mc: ccc[1], sector: 'Energy' },
  ];
  const days = {
    '2024-04-01': day([10, 1e9], 19, [40, 4e8]),
    '2024-04-02': day([9, null], 18, [41, null]),
    '2024-04-03': day([12, 1.2e9], 17, [20, null]),
    '2024-04-04': day([11, 1.1e9], 16, [21, 4.2e8]),
    '2024-04-05': day([11, 1.1e9], 15, [22, 4.4e8]),
  };

  it('counts every priced symbol and compounds its return over the days rule 6 leaves out', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'duckdb-declining-'));
    try {
      const dir = writeInput(work, days, 'symbol,date,ratio\nCCC,2024-04-03,2\n');
      const input = {
        pricesDir: path.join(dir, 'prices'),
        shortInterestDir: path.join(dir, 'none'),
        splitsFile: path.join(dir, 'splits.csv'),
      };
      const r = await duckdbGroupFigures(input);
      expect(r.splits).toEqual([{ symbol: 'CCC', date: '2024-04-03', factor: 2, rule: '3c' }]);
      const ytd = r.windows.ytd;
      expect([ytd.from, ytd.tradingDays]).toEqual(['2024-04-02', 4]);
      // returnPct (tiered symbol-days only): D2 all three (0.9e9 + 1.8e9 + 0.41e9) / 3.3e9, D3 BBB
      // (1.7/1.8), D4 AAA and BBB (1.1 + 1.6) / 2.9, D5 all three (1.1 + 1.5 + 0.44) / 3.12.
      const growth = (3.11 / 3.3) * (1.7 / 1.8) * (2.7 / 2.9) * (3.04 / 3.12);
      expectFigures(ytd.groups.small, [0, 0, 0, (growth - 1) * 100, 100 / 3, 0], 'ytd small');
      expectFigures(ytd.groups.total, [0, 0, 0, (growth - 1) * 100, 100 / 3, 0], 'ytd total');
      expect(ytd.sectors.Technology?.decliningPct).toBe(0);
      expect(ytd.sectors['Health Care']?.decliningPct).toBe(100);
      expect(ytd.sectors.Energy?.decliningPct).toBe(0);
      // 1d (D5): AAA flat (not declining), BBB 15/16, CCC 22/21.
      expectClose(r.windows['1d'].groups.total.decliningPct, 100 / 3, '1d total decliningPct');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('DuckDB reference: short interest revisions and canonical symbols (revision)', () => {
  // shrt20240131.csv: AAA 1000, BBB 2000, CCC 3000, ABRpD 300, BRK.B 50; shrt20240131-r1.csv
  // (applied after it): AAA 1200, BBB 2500, ABRpD 400. Prices name ABR^D and BRK/B; 02-02 also lists
  // BRK.B at 999 after BRK/B (first row wins); 02-01 lists CCC first without a price.
  // Days 2023-12-29 (first), 01-02, 01-10 (no file in effect: SI 0, E 0), 02-01 (file in effect, but
  // none was on 01-10: N = 0), 02-02, 02-05.
  // Methodology v1: the preferred ABR^D counts (v2's rule 12 leaves it out, last assertion).
  it('applies the revision after the original and matches symbols across sources', async () => {
    const r = await run('revision', undefined, 1);
    const ytd = r.windows.ytd;
    expect([ytd.from, ytd.tradingDays]).toEqual(['2024-01-02', 5]);
    const s = ytd.sectors;
    // AAA 10 → 11 → 12 with 1200 shares: E 12,000 + 13,200, pnl −1,200 − 1,200; 5 days count.
    expectFigures(s.A, [-2400, 25200 / 5, 0, (12 / 9 - 1) * 100, 0, 1], 'A');
    expectFigures(s.B, [-5000, 102500 / 5, 0, (22 / 19 - 1) * 100, 0, 1], 'B');
    expectFigures(s.C, [-9000, 183000 / 5, 0, (33 / 29 - 1) * 100, 0, 1], 'C');
    // ABR-PD 25 → 26 → 25 with 400 shares.
    expectFigures(s.Pref, [0, 20400 / 5, 0, (25 / 24 - 1) * 100, 0, 1], 'Pref');
    // BRK.B 400 → 404 → 408 with 50 shares.
    expectFigures(s.Class, [-400, 40200 / 5, 0, (408 / 396 - 1) * 100, 0, 1], 'Class');
    expect(s.Other).toBeUndefined();
    expectClose(ytd.groups.total.pnlUsd, -16800, 'total pnlUsd');
    // v2: the preferred is not a common stock or ADR (rule 12): no Pref sector, the rest unchanged.
    const v2 = (await run('revision', undefined, 2)).windows.ytd;
    expect(v2.sectors.Pref).toBeUndefined();
    expectFigures(v2.sectors.A, [-2400, 25200 / 5, 0, (12 / 9 - 1) * 100, 0, 1], 'v2 A');
    expectClose(v2.groups.total.pnlUsd, -16800, 'v2 total pnlUsd');
  });

  it('bounds each window by rule 7', async () => {
    const r = await run('revision', undefined, 1);
    const shape = Object.fromEntries(
      Object.entries(r.windows).map(([w, win]) => [w, [win.from, win.to, win.tradingDays]]),
    );
    expect(shape).toEqual({
      '1d': ['2024-02-05', '2024-02-05', 1],
      mtd: ['2024-02-01', '2024-02-05', 3],
      '30d': ['2024-01-10', '2024-02-05', 4],
      ytd: ['2024-01-02', '2024-02-05', 5],
    });
    expectFigures(r.windows.mtd.sectors.A, [-2400, 25200 / 3, 0, (12 / 9.8 - 1) * 100, 0, 1], 'mtd A');
    expectFigures(r.windows['30d'].sectors.A, [-2400, 25200 / 4, 0, (12 / 9.5 - 1) * 100, 0, 1], '30d A');
    expectFigures(r.windows['1d'].sectors.A, [-1200, 13200, 0, (12 / 11 - 1) * 100, 0, 1], '1d A');
    expectFigures(r.windows['1d'].sectors.Pref, [400, 10400, 0, (25 / 26 - 1) * 100, 100, 1], '1d Pref');
  });

  it('canonicalises class shares, preferreds, warrants, units and rights', async () => {
    const raws = [
      'BRK/B',
      'BRK.B',
      'BRK B',
      'brk.b',
      ' ABR^D ',
      'ABRpD',
      'ABR^',
      'ABRp',
      'XYZ/WS',
      'XYZ/U',
      'XYZ/R',
      'ECC   ',
    ];
    expect(await duckdbCanonicalSymbols(raws)).toEqual([
      'BRK.B',
      'BRK.B',
      'BRK.B',
      'BRK.B',
      'ABR-PD',
      'ABR-PD',
      'ABR-P',
      'ABR-P',
      'XYZ.WS',
      'XYZ.U',
      'XYZ.R',
      'ECC',
    ]);
  });
});

const realPrices = path.resolve(repoRoot, '../shared/data/nasdaq-screener/2024');

describe.skipIf(!existsSync(realPrices))('DuckDB reference on the real 2024 screener snapshots', () => {
  it('adjusts NVDA’s 10-for-1 split on 2024-06-10 so it makes no spurious short profit', {
    timeout: 600_000,
  }, async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'duckdb-reference-test-'));
    try {
      const asOf = '2024-06-10';
      const shortInterestDir = path.join(work, 'short-interest');
      await generateShortInterest(realPrices, shortInterestDir, asOf);
      const r = await duckdbGroupFigures({ pricesDir: realPrices, shortInterestDir, asOf });
      const nvda = r.splits.filter((s) => s.symbol === 'NVDA');
      expect(nvda.map((s) => [s.date, s.rule])).toEqual([['2024-06-10', '3a']]);
      expect(Math.abs((nvda[0]?.factor ?? 0) - 10)).toBeLessThan(0.01);
      expect(r.rejectedDays).toEqual([]);
      const files = readdirSync(realPrices).filter((f) => f.slice(0, 10) <= asOf).length;
      expect(r.windows.ytd.tradingDays).toBe(files - 1);
      // Unadjusted, NVDA's −90% on ~$3T would drag the mega tier down ~15% that day and hand short
      // sellers about $0.1T; adjusted, it is an ordinary day.
      const mega = r.windows['1d'].groups.mega;
      expect(Math.abs(mega.returnPct ?? Number.NaN)).toBeLessThan(3);
      expect(Math.abs(r.windows['1d'].sectors.Technology?.pnlUsd ?? Number.NaN)).toBeLessThan(2e10);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
