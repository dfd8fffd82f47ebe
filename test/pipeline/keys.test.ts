/** Object keys built from dates: only real calendar days (issue 10: Date.parse took 2024-02-30 for 1 March). */
import { describe, expect, it } from 'vitest';
import { assertIsoDate, derivedPricesKey, KeyError, rawPrefix } from '../../functions/pipeline/keys.ts';

describe('assertIsoDate', () => {
  it.each(['2024-02-29', '2024-12-31', '1998-01-02'])('accepts %s', (date) => {
    expect(assertIsoDate(date)).toBe(date);
  });

  it.each(['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-1-01', '20240131', ''])(
    'refuses %j, naming the field',
    (date) => {
      expect(() => assertIsoDate(date, 'settlementDate')).toThrow(KeyError);
      expect(() => assertIsoDate(date, 'settlementDate')).toThrow(/settlementDate/);
    },
  );

  it('guards the keys built from a date', () => {
    expect(() => rawPrefix('prices', '2024-02-30')).toThrow(KeyError);
    expect(() => derivedPricesKey('2024-02-30')).toThrow(KeyError);
  });
});
