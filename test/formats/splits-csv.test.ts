import { describe, expect, it } from 'vitest';
import { parseSplitsCsv, readCsvRecords } from '../../shared/formats/index.ts';
import { fixtureText, refusal } from './fixtures.ts';

const parseFixture = (name: string) => {
  const { text, file } = fixtureText(`splits/${name}`);
  return parseSplitsCsv(text, file);
};

describe('readCsvRecords (RFC 4180)', () => {
  it('handles quoted commas, doubled quotes, line breaks inside quotes and CRLF, counting physical lines', () => {
    const text = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\r\nline",z\r\nlast,"" \n';
    expect(readCsvRecords(text, 't.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\r\nline', 'z'] },
      { line: 5, fields: ['last', ' '], problem: 'has text after a closing quote on line 5' },
    ]);
    expect(readCsvRecords('a,b', 't.csv')).toEqual([{ line: 1, fields: ['a', 'b'] }]);
  });
});

describe('parseSplitsCsv', () => {
  it('reads quoted fields, a multi-line note, a blank line, a BOM and CRLF; ratio is new shares per old', () => {
    expect(parseFixture('splits.csv')).toEqual({
      file: 'splits.csv',
      records: [
        { symbol: 'NVDA', date: '2024-06-10', ratio: 10, file: 'splits.csv' },
        { symbol: 'BRK.B', date: '2024-03-01', ratio: 2, file: 'splits.csv' },
        { symbol: 'ABR-PD', date: '2024-03-04', ratio: 0.1, file: 'splits.csv' },
        { symbol: 'AVGO', date: '2024-07-15', ratio: 10, file: 'splits.csv' },
      ],
      rejections: [],
    });
  });

  it('rejects bad rows with their line and field, columns found by name', () => {
    const p = parseFixture('splits-bad.csv');
    const f = 'splits-bad.csv';
    expect(p.records).toEqual([
      { symbol: 'NVDA', date: '2024-06-10', ratio: 10, file: f },
      { symbol: 'SIRI', date: '2024-06-11', ratio: 0.05, file: f },
    ]);
    expect(p.rejections).toEqual([
      { file: f, line: 3, field: 'ratio', reason: '"0" is zero (a ratio must be > 0)' },
      { file: f, line: 4, field: 'ratio', reason: '"-2" is negative' },
      { file: f, line: 5, field: 'ratio', reason: '"ten" is not a number' },
      { file: f, line: 6, field: 'ratio', reason: '"1" is 1, which is not a split' },
      { file: f, line: 7, field: 'date', reason: '"06/10/2024" is not a date (YYYY-MM-DD)' },
      { file: f, line: 8, field: 'symbol', reason: 'NVDA on 2024-06-10 repeats line 2; the first row is kept' },
      { file: f, line: 9, field: '*', reason: 'has 2 fields, the header has 3' },
      { file: f, line: 10, field: '*', reason: 'has a quote inside an unquoted field on line 10' },
      { file: f, line: 11, field: 'symbol', reason: 'is empty' },
    ]);
  });

  it('accepts a header alone (no splits to apply)', () => {
    expect(parseFixture('splits-header-only.csv').records).toEqual([]);
  });

  it.each([
    ['splits-unterminated.csv', 3, '*', 'a quoted field opened on line 3 is never closed'],
    ['splits-missing-column.csv', 1, 'date', 'the header lacks the required column date (header: "symbol,when,ratio")'],
  ])('refuses %s', (name, line, field, reason) => {
    expect(refusal(() => parseFixture(name)).toRejection()).toEqual({ file: name, line, field, reason });
  });

  it('refuses an empty body and an HTML page', () => {
    expect(refusal(() => parseSplitsCsv('', 'splits.csv')).reason).toBe('the body is empty');
    expect(refusal(() => parseFixture('splits-html.csv')).toRejection()).toEqual({
      file: 'splits-html.csv',
      line: 1,
      field: '*',
      reason: 'the body is an HTML page (title "404 - Not Found"), not a splits CSV (symbol,date,ratio)',
    });
  });
});
