import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ShortVolumeRecord } from '../../shared/domain.ts';
import { parseShortVolume, shortVolumeDateFromName } from '../../shared/formats/index.ts';
import { fixtureText, refusal, repoRoot } from './fixtures.ts';

const parseFixture = (name: string) => {
  const { text, file } = fixtureText(`short-volume/${name}`);
  return parseShortVolume(text, file);
};

const rec = (
  date: string,
  symbol: string,
  shortVolume: number,
  shortExemptVolume: number,
  totalVolume: number,
  market: string,
): ShortVolumeRecord => ({ date, symbol, shortVolume, shortExemptVolume, totalVolume, market });

describe('parseShortVolume', () => {
  it('reads a CRLF day with fractional volumes, checks the trailer, canonicalises CQS suffixes', () => {
    const p = parseFixture('CNMSshvol20240610.txt');
    expect(p.date).toBe('2024-06-10');
    expect(p.records).toEqual([
      rec('2024-06-10', 'A', 109763.5, 1, 244138.25, 'B,Q,N'),
      rec('2024-06-10', 'AAC.WS', 1204, 0, 3310, 'Q,N'),
      rec('2024-06-10', 'ABR-PD', 35.1234, 0, 260, 'N'),
      rec('2024-06-10', 'BRK.B', 1432104.876, 1022.5, 3142588.123, 'B,Q,N'),
      rec('2024-06-10', 'CELG.R', 4, 0, 120, 'Q'),
      rec('2024-06-10', 'NVDA', 120345678.9999, 65432.1, 314162700, 'B,Q,N'),
    ]);
    expect(p.rejections).toEqual([]);
  });

  it('reads reordered columns with a BOM and LF line ends', () => {
    const p = parseFixture('CNMSshvol20240617.txt');
    expect(p.records).toEqual([
      rec('2024-06-17', 'A', 109763, 1, 244138, 'B,Q,N'),
      rec('2024-06-17', 'BRK.B', 1432104, 1022, 3142588, 'B,Q,N'),
    ]);
  });

  it('gives zero records and no error for the empty-day form (header + trailer 0)', () => {
    expect(parseFixture('CNMSshvol20240619.txt')).toEqual({
      file: 'CNMSshvol20240619.txt',
      date: '2024-06-19',
      records: [],
      rejections: [],
    });
  });

  it('rejects bad rows and keeps the rest', () => {
    const p = parseFixture('CNMSshvol20240611.txt');
    const f = 'CNMSshvol20240611.txt';
    expect(p.records).toEqual([
      rec('2024-06-11', 'A', 1000, 0, 2000, 'B,Q,N'),
      rec('2024-06-11', 'ABNB', 0, 0, 0, 'Q'),
      rec('2024-06-11', 'ACHR', 10.5, 0.25, 10.5, 'N'),
    ]);
    expect(p.rejections).toEqual([
      { file: f, line: 3, field: 'ShortVolume', reason: '"3000" exceeds TotalVolume "2000"' },
      { file: f, line: 4, field: 'ShortVolume', reason: '"-5" is negative' },
      { file: f, line: 5, field: 'ShortVolume', reason: '"abc" is not a number' },
      { file: f, line: 6, field: 'Date', reason: `"20240610" is not the file's date 2024-06-11` },
      { file: f, line: 7, field: 'Symbol', reason: '"A" repeats line 2; the first row is kept' },
      { file: f, line: 8, field: '*', reason: 'has 4 fields, the header has 6' },
      { file: f, line: 9, field: 'Symbol', reason: 'is empty' },
    ]);
  });

  it.each([
    ['CNMSshvol20240612.txt', 5, '*', 'the trailer says 5 records but the file has 3: it is truncated or corrupt'],
    [
      'CNMSshvol20240613.txt',
      3,
      '*',
      'the last line "20240613|AA|1|0" is not the trailer record count: the file is truncated',
    ],
    [
      'CNMSshvol20240614.txt',
      1,
      '*',
      'the body is an HTML page (title "404 - Not Found"), not a FINRA Reg SHO short volume file',
    ],
    [
      'CNMSshvol20240618.txt',
      1,
      'TotalVolume',
      'the header lacks the required column TotalVolume (header: "Date|Symbol|ShortVolume|ShortExemptVolume|Market")',
    ],
    [
      'CNMSshvol20240620.txt',
      2,
      'Date',
      'the file name says 2024-06-20 but no record carries that date (first: 2024-06-21): misnamed file',
    ],
  ])('refuses %s', (name, line, field, reason) => {
    expect(refusal(() => parseFixture(name)).toRejection()).toEqual({ file: name, line, field, reason });
  });

  it('refuses an empty body', () => {
    expect(() => parseFixture('CNMSshvol20240621.txt')).toThrow('CNMSshvol20240621.txt: the body is empty (0 bytes)');
    expect(refusal(() => parseShortVolume('\r\n', 'CNMSshvol20240621.txt')).reason).toBe('the body is empty');
  });

  it('refuses a header without a trailer and a file whose every row is bad', () => {
    const header = 'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market';
    expect(refusal(() => parseShortVolume(`${header}\r\n`, 'CNMSshvol20240610.txt')).reason).toBe(
      'the file ends after the header without the trailer record count: it is truncated',
    );
    expect(refusal(() => parseShortVolume(`${header}\n20240610|A|5|0|1|Q\n1\n`, 'CNMSshvol20240610.txt')).reason).toBe(
      'none of the 1 records is valid (first: CNMSshvol20240610.txt line 2, field ShortVolume: "5" exceeds TotalVolume "1")',
    );
  });

  it('refuses a header that names a column twice, and rejects an impossible date', () => {
    const dup = 'Date|Symbol|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\n0\n';
    expect(refusal(() => parseShortVolume(dup, 'CNMSshvol20240610.txt')).toRejection()).toEqual({
      file: 'CNMSshvol20240610.txt',
      line: 1,
      field: 'Symbol',
      reason: 'the header names column Symbol twice',
    });
    const header = 'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market';
    const p = parseShortVolume(`${header}\n20240610|A|1|0|2|Q\n20240231|B|1|0|2|Q\n2\n`, 'CNMSshvol20240610.txt');
    expect(p.rejections).toEqual([
      { file: 'CNMSshvol20240610.txt', line: 3, field: 'Date', reason: '"20240231" is not a date (YYYYMMDD)' },
    ]);
  });

  it('takes the date from the rows when the file name has none', () => {
    const { text } = fixtureText('short-volume/CNMSshvol20240610.txt');
    const p = parseShortVolume(text, 'regsho-latest.txt');
    expect(p.date).toBe('2024-06-10');
    expect(p.records).toHaveLength(6);
    expect(shortVolumeDateFromName('FNSQshvol20240610.txt')).toBe('2024-06-10');
    expect(shortVolumeDateFromName('CNMSshvol20240631.txt')).toBeNull();
  });
});

describe('the fast row check', () => {
  /** The parse of a fixture, or the refusal's text: what a caller sees either way. */
  const outcome = (text: string, file: string, rowCheck: 'fast' | 'zod') => {
    try {
      return parseShortVolume(text, file, { rowCheck });
    } catch (error) {
      return String(error);
    }
  };

  it('gives what zod gives on every fixture, good and bad rows alike (records, rejections, refusals)', () => {
    const dir = path.join(repoRoot, 'test/fixtures/formats/short-volume');
    const names = readdirSync(dir).filter((n) => n.endsWith('.txt'));
    expect(names.length).toBeGreaterThan(5);
    let rejected = 0;
    const fixture = (name: string, rowCheck: 'fast' | 'zod') => {
      try {
        const { text, file } = fixtureText(`short-volume/${name}`);
        return outcome(text, file, rowCheck);
      } catch (error) {
        return String(error);
      }
    };
    for (const name of names) {
      const fast = fixture(name, 'fast');
      expect(fast, name).toEqual(fixture(name, 'zod'));
      if (typeof fast !== 'string') rejected += fast.rejections.length;
    }
    // The fixtures exercise the fallback: rows the fast check refuses reach zod for their reason.
    expect(rejected).toBeGreaterThan(5);
  });

  it('gives what zod gives on hand-made rows: dates in both spellings, odd symbols, volumes and markets', () => {
    const header = 'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market';
    const rows = [
      '20240610|A|1|0|2|Q',
      '2024-06-10|B|1.5|0.25|2|N,Q',
      '20240610| BRK B |3|0|4| Q ',
      '20240610|C|x|0|2|Q',
      '20240610|D|1|-1|2|Q',
      '20240610|E|1|0|1e3|Q',
      '20240631|F|1|0|2|Q',
      '20240610||1|0|2|Q',
      '20240610|^G|1|0|2|Q',
      '20240610|H|1|0|2|',
      '20240610|I|1|0',
      '20240610|J|3|0|2|Q',
      ' 20240610 |K|1|0|2|Q',
    ];
    for (const order of [rows, [...rows].reverse()]) {
      const text = `${header}\n${order.join('\n')}\n${order.length}\n`;
      const fast = outcome(text, 'CNMSshvol20240610.txt', 'fast');
      expect(fast).toEqual(outcome(text, 'CNMSshvol20240610.txt', 'zod'));
      expect(typeof fast === 'string' ? 0 : fast.records.length).toBeGreaterThan(0);
    }
    // Columns in another order, with one the format does not name.
    const reordered =
      'Market|Extra|TotalVolume|ShortExemptVolume|ShortVolume|Symbol|Date\nQ|x|2|0|1|A|20240610\nQ|x|2|0|3|B|20240610\n2\n';
    expect(outcome(reordered, 'CNMSshvol20240610.txt', 'fast')).toEqual(
      outcome(reordered, 'CNMSshvol20240610.txt', 'zod'),
    );
  });
});
