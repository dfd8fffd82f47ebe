import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalSymbol, parseScreener, parseShortInterest } from '../../shared/formats/index.ts';
import { symbolProblem } from '../../shared/formats/symbols.ts';

describe('canonicalSymbol', () => {
  it.each([
    // class shares: screener and FINRA slash, dotted, space-separated, lower case
    ['BRK/B', 'BRK.B'],
    ['BRK.B', 'BRK.B'],
    ['BRK B', 'BRK.B'],
    ['brk.b', 'BRK.B'],
    ['brk/b', 'BRK.B'],
    [' BRK/A ', 'BRK.A'],
    ['BF/A', 'BF.A'],
    // preferreds: Nasdaq caret, CQS lower-case p, with and without series
    ['ABR^D', 'ABR-PD'],
    ['ABRpD', 'ABR-PD'],
    ['AAIC pB', 'AAIC-PB'],
    ['AAICpB', 'AAIC-PB'],
    ['ABR^', 'ABR-P'],
    ['ABRp', 'ABR-P'],
    ['ETI^', 'ETI-P'],
    ['abr^d', 'ABR-PD'],
    ['ABR-PD', 'ABR-PD'],
    // warrants, units, rights, when-issued (FINRA/CQS spellings)
    ['AAC/WS', 'AAC.WS'],
    ['AAQC/U', 'AAQC.U'],
    ['XYZ/R', 'XYZ.R'],
    ['CELGr', 'CELG.R'],
    ['NSPR/WS/B', 'NSPR.WS.B'],
    ['XYZw', 'XYZ.WI'],
    // plain tickers, padded (real screener rows), digits, Nasdaq fifth-letter suffixes left alone
    ['AAPL', 'AAPL'],
    ['aapl', 'AAPL'],
    ['ECC           ', 'ECC'],
    ['ZVZZT', 'ZVZZT'],
    ['AACIW', 'AACIW'],
    ['AACQU', 'AACQU'],
    ['X2PQ', 'X2PQ'],
    ['4AB', '4AB'],
    // all-lower-case input is only upper-cased: `p` is a CQS marker only after an upper-case root
    ['abrpd', 'ABRPD'],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (raw, canonical) => {
    expect(canonicalSymbol(raw)).toBe(canonical);
  });

  it('is idempotent and leaves no lower case, caret, slash or space', () => {
    const symbolish = fc
      .array(fc.constantFrom(...'ABCDPRW019abprw ^/.-'.split('')), { maxLength: 10 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(symbolish, (raw) => {
        const once = canonicalSymbol(raw);
        expect(canonicalSymbol(once)).toBe(once);
        expect(once).not.toMatch(/[a-z^/\s]/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('symbolProblem (issue 10: no silent new symbols)', () => {
  it.each([
    ['AAPL', null],
    ['BRK B', null],
    ['brk b', null],
    ['AAIC pB', null],
    ['ABR^D', null],
    ['NSPR/WS/B', null],
    ['ECC           ', null],
    ['ABR-PD', null],
  ])('%j is read as a ticker', (raw, problem) => {
    expect(symbolProblem(raw)).toBe(problem);
  });

  it.each([
    ['AA PL', /neither a class share/],
    ['BRK  B', /neither a class share/],
    ['A B C', /neither a class share/],
    ['AAPL$', /character no ticker spelling uses/],
    ['NVDA*', /character no ticker spelling uses/],
    ['   ', /is empty/],
  ])('%j is refused', (raw, reason) => {
    expect(symbolProblem(raw)).toMatch(reason);
  });

  it('a screener row and a FINRA row spelled "AA PL" are rejected naming file, line and field', () => {
    const screener = parseScreener(
      JSON.stringify({
        data: {
          rows: [
            { symbol: 'AA', name: 'Alcoa', lastsale: '$40.00', volume: '1', marketCap: '1', sector: '', industry: '' },
            {
              symbol: 'AA PL',
              name: 'Alcoa?',
              lastsale: '$40.00',
              volume: '1',
              marketCap: '1',
              sector: '',
              industry: '',
            },
          ],
        },
      }),
      '2024-06-14.json',
    );
    expect(screener.records.map((r) => r.symbol)).toEqual(['AA']);
    expect(screener.rejections).toEqual([
      expect.objectContaining({
        file: '2024-06-14.json',
        line: 2,
        field: 'symbol',
        reason: expect.stringMatching(/^"AA PL" has a space/),
      }),
    ]);
    const header =
      'accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate';
    const si = parseShortInterest(
      `${header}\n20240614|AA|Alcoa|A|NYSE|100|0||10|10.00|||100|2024-06-14\n20240614|AA PL|Alcoa|A|NYSE|100|0||10|10.00|||100|2024-06-14\n`,
      'shrt20240614.csv',
    );
    expect(si.records.map((r) => r.symbol)).toEqual(['AA']);
    expect(si.rejections).toEqual([
      expect.objectContaining({ file: 'shrt20240614.csv', line: 3, field: 'symbolCode' }),
    ]);
  });
});
