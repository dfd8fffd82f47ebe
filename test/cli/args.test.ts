// The date options of the command line (`--as-of`, `--from`, `--to`): only a real calendar day written
// YYYY-MM-DD passes; anything else is a UsageError naming the option and the value as given.
import { describe, expect, it } from 'vitest';
import { isoDateOption, UsageError } from '../../functions/cli/args.ts';

describe('isoDateOption', () => {
  it.each([
    ['2024-02-29', 'a leap day'],
    ['2000-02-29', 'a leap day of a year divisible by 400'],
    ['2025-12-31', 'the last day of a year'],
    ['2025-04-30', 'the last day of a 30-day month'],
  ])('accepts %s (%s)', (value) => {
    expect(isoDateOption(value, 'as-of')).toBe(value);
  });

  it('leaves an absent option absent', () => {
    expect(isoDateOption(undefined, 'as-of')).toBeUndefined();
  });

  it.each([
    ['2024-02-30', 'February has 29 days in 2024'],
    ['2023-02-29', '2023 is not a leap year'],
    ['1900-02-29', '1900 is not a leap year'],
    ['2025-04-31', 'April has 30 days'],
    ['2024-13-01', 'there is no month 13'],
    ['2024-00-10', 'there is no month 0'],
    ['2024-06-00', 'there is no day 0'],
  ])('refuses %s (%s), naming the option and the value', (value) => {
    expect(() => isoDateOption(value, 'as-of')).toThrow(UsageError);
    expect(() => isoDateOption(value, 'as-of')).toThrow(
      `--as-of must be a date YYYY-MM-DD, got "${value}": not a day of the calendar`,
    );
  });

  it.each(['20240614', '2024-6-14', ' 2024-06-14', '2024-06-14T00:00:00Z', 'June 14, 2024', ''])(
    'refuses %j, which is not written YYYY-MM-DD',
    (value) => {
      expect(() => isoDateOption(value, 'from')).toThrow(
        new UsageError(`--from must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`),
      );
    },
  );
});
