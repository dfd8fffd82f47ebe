/**
 * Rule 4(b) (v3): FINRA's compressed spellings meet the screener's listings, with the ambiguity rules of
 * docs/methodology.md. Hand-made files; the spellings are the real ones (shrt20241231.csv: BRKB, ABRPRD, BFB).
 */
import { describe, expect, it } from 'vitest';
import type { ShortInterestFile } from '../../shared/domain.ts';
import { cycleFile } from '../../shared/methodology/engine.ts';
import { finraKeyOf, finraSpelling, joinStats, sameIssuer, universeOf } from '../../shared/methodology/join.ts';
import { flaggedFactor } from '../../shared/methodology/splits.ts';

const file = (rows: [symbol: string, name: string, shares: number][], etp: string[] = []): ShortInterestFile => ({
  settlementDate: '2024-12-31',
  files: ['shrt20241231.csv'],
  shares: new Map(rows.map(([s, , n]) => [s, n])),
  listedNames: new Map(rows.map(([s, name]) => [s, name])),
  ...(etp.length > 0 ? { etpVenue: new Set(etp) } : {}),
});

describe('rule 4(b): finraSpelling', () => {
  it.each([
    ['BRK.B', 'BRKB'],
    ['BF.B', 'BFB'],
    ['ABR-PD', 'ABRPRD'],
    ['ABR-P', 'ABRPR'],
    ['ACHR.WS', 'ACHRWS'],
    ['AAPL', null],
  ])('%s → %s', (screener, finra) => {
    expect(finraSpelling(screener)).toBe(finra);
  });
});

describe('universeOf', () => {
  it('extends its cached universe in place when symbols are appended: what a fresh build of the longer list gives', () => {
    const symbols = ['AAPL', 'BF.B', 'BRK.B'];
    const names = ['Apple Inc.', 'Brown-Forman Corporation Class B', 'Berkshire Hathaway Inc.'];
    const before = universeOf(symbols, names);
    expect(universeOf(symbols, names)).toBe(before);
    expect(before.has('BFB')).toBe(false);
    // The engine appends new listings (sorted among themselves); an earlier spelling keeps its FINRA key.
    symbols.push('ABR-PD', 'BF-B', 'BFB', 'BRK-B');
    names.push('Arbor Realty Trust', 'Other B', 'Bfb Holdings Inc.', 'Other BRK');
    const extended = universeOf(symbols, names);
    const fresh = universeOf([...symbols], names);
    expect(extended).toBe(before);
    expect(fresh).not.toBe(extended);
    expect([...extended.byCompressed]).toEqual([...fresh.byCompressed]);
    expect([...extended.byCompressed]).toEqual([
      ['BFB', 'BF.B'],
      ['BRKB', 'BRK.B'],
      ['ABRPRD', 'ABR-PD'],
    ]);
    for (const s of [...symbols, 'MSFT', 'BRKB']) {
      expect(extended.has(s), s).toBe(fresh.has(s));
      expect(extended.nameOf(s), s).toBe(fresh.nameOf(s));
    }
    // Another names array is another universe, built afresh.
    expect(universeOf(symbols, [...names])).not.toBe(extended);
  });
});

describe('rule 4(b): finraKeyOf', () => {
  it('a class share and a preferred meet their compressed rows; a plain ticker its own', () => {
    const f = file([
      ['BRKB', 'BERKSHIRE HATHAWAY Class B', 14540819],
      ['ABRPRD', 'Arbor Realty Trust, Inc. 6.375', 16185],
      ['AAPL', 'Apple Inc. Common Stock', 100],
    ]);
    const u = universeOf(
      ['AAPL', 'ABR-PD', 'BRK.B'],
      ['Apple Inc.', 'Arbor Realty Trust 6.375% Series D', 'Berkshire Hathaway Inc.'],
    );
    expect(finraKeyOf(f, 'BRK.B', u)).toBe('BRKB');
    expect(finraKeyOf(f, 'ABR-PD', u)).toBe('ABRPRD');
    expect(finraKeyOf(f, 'AAPL', u)).toBe('AAPL');
    expect(finraKeyOf(f, 'MSFT', u)).toBeUndefined();
  });

  it('a compressed spelling that is a listed ticker stays that ticker’s row when the issue name is the ticker’s', () => {
    // Both BFB (a made-up plain ticker, "Bfb Holdings") and BF.B are listed; FINRA's BFB row is Bfb Holdings'.
    const f = file([['BFB', 'Bfb Holdings Inc. Common Stock', 500]]);
    const u = universeOf(['BF.B', 'BFB'], ['Brown-Forman Corporation Class B', 'Bfb Holdings Inc.']);
    expect(finraKeyOf(f, 'BFB', u)).toBe('BFB');
    expect(finraKeyOf(f, 'BF.B', u)).toBeUndefined();
  });

  it('… and goes to the class share when the issue name names the class share’s issuer and not the ticker’s', () => {
    const f = file([['BFB', 'Brown-Forman Corporation Class', 23513588]]);
    const u = universeOf(['BF.B', 'BFB'], ['Brown-Forman Corporation Class B', 'Bfb Holdings Inc.']);
    expect(finraKeyOf(f, 'BF.B', u)).toBe('BFB');
    expect(finraKeyOf(f, 'BFB', u)).toBeUndefined();
  });

  it('sameIssuer compares the first eight letters and digits, case and punctuation aside', () => {
    expect(sameIssuer('BERKSHIRE HATHAWAY Class B', 'Berkshire Hathaway Inc.')).toBe(true);
    expect(sameIssuer('Brown-Forman Corporation Class', 'Bfb Holdings Inc.')).toBe(false);
    expect(sameIssuer('', 'Anything')).toBe(false);
  });
});

describe('rule 4(b): joinStats', () => {
  it('counts listed rows met, met through a compressed spelling, and unmatched funds and others', () => {
    const f = file(
      [
        ['AAPL', 'Apple Inc. Common Stock', 100],
        ['BRKB', 'BERKSHIRE HATHAWAY Class B', 200],
        ['SPY', 'SPDR S&P 500 ETF Trust', 1000],
        ['AAXJ', 'iShares MSCI All Country Asia', 30],
        ['VZ', 'Verizon Communications', 57],
        ['EGHT', '8x8 Inc Common Stock', 7],
      ],
      ['SPY'],
    );
    const stats = joinStats(
      f,
      new Map([
        ['AAPL', 'AAPL'],
        ['BRK.B', 'BRKB'],
      ]),
    );
    expect(stats).toEqual({
      settlementDate: '2024-12-31',
      listedRows: 6,
      matchedRows: 2,
      resolvedSpellings: 1,
      unmatchedFunds: { rows: 2, shares: 1030 },
      unmatchedOther: { rows: 2, shares: 64 },
      largestUnmatched: [
        { symbol: 'VZ', issueName: 'Verizon Communications', shares: 57 },
        { symbol: 'EGHT', issueName: '8x8 Inc Common Stock', shares: 7 },
      ],
    });
  });
});

describe('rule 3(d): flaggedFactor', () => {
  it.each([
    // A 1-for-20 reverse split: the price ×20.4 → k = 1/20 (x·k = 1.02).
    [20.4, 1 / 20],
    // NVDA's 10-for-1: $1,208.88 → $121.79, x = 0.10075 → k = 10.
    [121.79 / 1208.88, 10],
    // A 1-for-15 that then fell 20%: x = 12 → 1/15 gives 0.8, 1/12 gives 1.0: the nearer ratio wins.
    [12, 1 / 12],
    // A 2-for-1 with a 10% rise on top: x = 0.55 → k = 2 gives 1.1 (k = 3 gives 1.65, outside the band).
    [0.55, 2],
  ])('x = %f → %f', (x, k) => {
    expect(flaggedFactor(x)).toBe(k);
  });

  it('no candidate brings the move inside [0.75, 4/3]: null', () => {
    expect(flaggedFactor(1000)).toBeNull();
  });
});

describe('rule 3(d): cycleFile', () => {
  const f = (settlementDate: string): ShortInterestFile => ({
    settlementDate,
    files: [`shrt${settlementDate}.csv`],
    shares: new Map(),
  });
  it('the first settlement on or after the day, whose previous one is within FINRA’s calendar', () => {
    expect(cycleFile([f('2024-01-12'), f('2024-01-31')], '2024-01-20')).toEqual({
      file: f('2024-01-31'),
      previous: '2024-01-12',
    });
    expect(cycleFile([f('2024-01-12'), f('2024-01-31')], '2024-01-12')?.file.settlementDate).toBe('2024-01-12');
  });
  it('none when the cycle’s file is missing: a gap in the middle, or before the first file known', () => {
    expect(cycleFile([f('2023-12-29'), f('2024-01-31')], '2024-01-10')).toBeNull();
    // 2024-01-10 belongs to the cycle closing on 2024-01-12, absent: 01-31's flags say nothing of it.
    expect(cycleFile([f('2024-01-31')], '2024-01-10')).toBeNull();
    expect(cycleFile([f('2024-01-31')], '2024-01-20')?.file.settlementDate).toBe('2024-01-31');
    expect(cycleFile([f('2024-01-31')], '2024-02-01')).toBeNull();
  });
});
