import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountOrNull, parseIsoDate, priceOf, quantityOf, scanDecimal } from '../../shared/formats/text.ts';

describe('scanDecimal', () => {
  it('gives exactly the double Number() gives for every plain decimal', () => {
    const decimal = fc
      .tuple(fc.stringMatching(/^\d{1,20}$/), fc.option(fc.stringMatching(/^\d{1,18}$/), { nil: undefined }))
      .map(([i, f]) => (f === undefined ? i : `${i}.${f}`));
    fc.assert(
      fc.property(decimal, (s) => {
        expect(Object.is(scanDecimal(s, 0, false), Number(s))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['1,209.98', true, 1209.98],
    ['12,345,678', true, 12345678],
    ['1,209.98', false, Number.NaN],
    ['1,20.98', true, Number.NaN],
    ['1234,567', true, Number.NaN],
    [',123', true, Number.NaN],
    ['1.', false, Number.NaN],
    ['.5', false, Number.NaN],
    ['1e5', false, Number.NaN],
    ['0x10', false, Number.NaN],
    [' 1', false, Number.NaN],
    ['', false, Number.NaN],
    ['0.00', false, 0],
  ])('%j (grouping %s) → %d', (s, grouping, value) => {
    expect(scanDecimal(s, 0, grouping)).toBe(value);
  });
});

describe('value primitives', () => {
  it.each([
    ['$1,209.98', 1209.98],
    ['$1208.88', 1208.88],
    ['$0.9741', 0.9741],
    [' $10.82 ', 10.82],
    [12.5, 12.5],
    ['$0.00', 'is zero (no trade price)'],
    [0, 'is zero (no trade price)'],
    ['NA', 'is not a price'],
    ['', 'is empty'],
    ['-$1.25', 'is negative'],
    ['$-1.25', 'is negative'],
    [-3, 'is negative'],
    ['$1.2.3', 'is not a price'],
  ])('priceOf(%j) → %j', (raw, out) => {
    expect(priceOf(raw)).toBe(out);
  });

  it.each([
    ['30803156.00', true, 30803156],
    ['0.00', true, null],
    ['0.00', false, 0],
    ['', true, null],
    ['NA', true, null],
    ['-5', false, null],
    [null, false, null],
    ['$2,995,868,700,000', true, 2995868700000],
    [1200, false, 1200],
  ] as const)('amountOrNull(%j, positive %s) → %j', (raw, positive, out) => {
    expect(amountOrNull(raw, positive)).toBe(out);
  });

  it.each([
    ['2911097', 2911097],
    ['1234.5678', 1234.5678],
    ['-5', 'is negative'],
    ['N/A', 'is not a number'],
    ['', 'is empty'],
    ['1,000', 'is not a number'],
  ])('quantityOf(%j) → %j', (raw, out) => {
    expect(quantityOf(raw)).toBe(out);
  });

  it.each([
    ['2024-12-31', '2024-12-31'],
    ['20241231', '2024-12-31'],
    ['2024-02-29', '2024-02-29'],
    ['2023-02-29', null],
    ['2100-02-29', null],
    ['2000-02-29', '2000-02-29'],
    ['2024-02-30', null],
    ['2024-13-01', null],
    ['2024-1231', null],
    ['06/10/2024', null],
  ])('parseIsoDate(%j) → %j', (raw, out) => {
    expect(parseIsoDate(raw)).toBe(out);
  });
});
