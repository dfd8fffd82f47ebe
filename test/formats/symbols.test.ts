import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalSymbol } from '../../shared/formats/index.ts';

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
