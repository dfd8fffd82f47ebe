import { describe, expect, it } from 'vitest';
import type { ShortInterestRecord } from '../../shared/domain.ts';
import {
  compareRevisionFileNames,
  mergeShortInterestRevisions,
  type ParsedShortInterest,
  parseShortInterest,
} from '../../shared/formats/index.ts';
import { fixtureText, refusal } from './fixtures.ts';

const parseFixture = (name: string) => {
  const { text, file } = fixtureText(`short-interest/${name}`);
  return parseShortInterest(text, file);
};

const rec = (symbol: string, issueName: string, shares: number, settlementDate: string, revision = false) =>
  ({ symbol, issueName, shares, settlementDate, revision }) satisfies ShortInterestRecord;

/** The records without FINRA's average daily volume (checked on its own where a test is about it). */
const withoutAdv = (records: readonly ShortInterestRecord[]) => records.map(({ averageDailyVolume: _, ...r }) => r);

describe('parseShortInterest', () => {
  it('reads the real 14-column pipe layout (LF), canonical symbols, names untouched', () => {
    const p = parseFixture('shrt20240131.csv');
    expect(p.settlementDate).toBe('2024-01-31');
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 2911097, '2024-01-31'),
      rec('AA', 'Alcoa Corporation', 8240146, '2024-01-31'),
      rec('BRK.B', 'Berkshire Hathaway Inc. Class', 21563340, '2024-01-31'),
      rec('ABR-PD', 'Arbor Realty Trust Inc. 6.375%', 10422, '2024-01-31'),
      rec('SPCL', 'Special "Quoted", Name <script>', 120000, '2024-01-31'),
    ]);
    // averageDailyVolumeQuantity, FINRA's own ADV (days to cover, rule 10 v2).
    expect(p.records.map((r) => r.averageDailyVolume)).toEqual([1523270, 3445012, 3606412, 5207, 120455]);
    expect(p.rejections).toEqual([]);
  });

  it('reads CRLF with a BOM and maps revisionFlag Y to revision', () => {
    const p = parseFixture('shrt20240131-r1.csv');
    expect(withoutAdv(p.records)).toEqual([
      rec('AA', 'Alcoa Corporation', 8300000, '2024-01-31', true),
      rec('AAAU', 'Goldman Sachs Physical Gold ET', 643889, '2024-01-31', true),
    ]);
    expect(p.rejections).toEqual([]);
  });

  it('finds columns by name: reordered and extra columns parse', () => {
    const p = parseFixture('shrt20240229.csv');
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 2700000, '2024-02-29'),
      rec('BF.B', 'Brown Forman Corporation Cla', 3500000, '2024-02-29', true),
    ]);
  });

  it('rejects bad rows one by one and keeps the good ones', () => {
    const p = parseFixture('shrt20240215.csv');
    const f = 'shrt20240215.csv';
    expect(p.settlementDate).toBe('2024-02-15');
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 2800000, '2024-02-15'),
      rec('AAPL', 'Apple Inc.', 95000000, '2024-02-15'),
      rec('ABNB', 'Airbnb Inc.', 12500000, '2024-02-15', true),
      rec('ACHR', 'Archer Aviation Inc.', 1234.5, '2024-02-15'),
    ]);
    expect(p.rejections).toEqual([
      { file: f, line: 3, field: 'currentShortPositionQuantity', reason: '"-5" is negative' },
      { file: f, line: 4, field: 'currentShortPositionQuantity', reason: '"N/A" is not a number' },
      { file: f, line: 5, field: 'currentShortPositionQuantity', reason: 'is empty' },
      {
        file: f,
        line: 6,
        field: 'settlementDate',
        reason: `"2024-01-31" differs from the file's settlement date 2024-02-15 (carried by 7 of 8 valid rows)`,
      },
      {
        file: f,
        line: 7,
        field: 'accountingYearMonthNumber',
        reason: `"20240131" is not the row's settlementDate 2024-02-15`,
      },
      {
        file: f,
        line: 8,
        field: 'settlementDate',
        reason: '"2024-02-30" is not a date (YYYY-MM-DD) (and 1 more problem)',
      },
      { file: f, line: 9, field: '*', reason: 'has 15 fields, the header has 14' },
      { file: f, line: 10, field: 'symbolCode', reason: 'is empty' },
      {
        file: f,
        line: 12,
        field: 'symbolCode',
        reason: '"AAPL" repeats line 11 with the same quantity (market class NNM vs NNM); the first row is kept',
      },
      {
        file: f,
        line: 13,
        field: 'symbolCode',
        reason:
          '"A" repeats line 2 with a different quantity (2800000 vs 2799999 shares) (market class NYSE vs NYSE); the first row is kept',
      },
      {
        file: f,
        line: 14,
        field: 'symbolCode',
        reason: '"ABNB" is restated on line 15 (revisionFlag Y), which replaces this row',
      },
      { file: f, line: 16, field: 'revisionFlag', reason: '"X" is not Y, N or empty' },
    ]);
  });

  it.each([
    [
      'shrt20240315.csv',
      1,
      'currentShortPositionQuantity',
      /^the header lacks the required column currentShortPositionQuantity \(header: "accountingYearMonthNumber\|/,
    ],
    [
      'shrt20240328.csv',
      1,
      '*',
      /^the body is an HTML page \(title "404 - File or directory not found\."\), not a FINRA short interest file$/,
    ],
    ['shrt20240430.csv', 0, '*', /^the file has a header but no records$/],
    [
      'shrt20240515.csv',
      1,
      '*',
      /^the first line is not a pipe-delimited header \(.*\), so this is not a FINRA short interest file$/,
    ],
  ])('refuses %s', (name, line, field, reason) => {
    const e = refusal(() => parseFixture(name));
    expect([e.file, e.line, e.field]).toEqual([name, line, field]);
    expect(e.reason).toMatch(reason);
  });

  it('refuses an empty body and a file whose every record is bad', () => {
    expect(refusal(() => parseFixture('shrt20240415.csv')).message).toBe(
      'shrt20240415.csv: the body is empty (0 bytes)',
    );
    const header = fixtureText('short-interest/shrt20240131.csv').text.split('\n')[0];
    const bad = `${header}\n20240131|A|Agilent|A|NYSE|-1|0||1|1.00||0|0|2024-01-31\n`;
    expect(refusal(() => parseShortInterest(bad, 'shrt20240131.csv')).reason).toBe(
      'none of the 1 records is valid (first: shrt20240131.csv line 2, field currentShortPositionQuantity: "-1" is negative)',
    );
  });
});

describe('revisions', () => {
  it('orders file names so an original precedes its revisions, numerically', () => {
    const names = [
      'shrt20240131-r10.csv',
      'shrt20240131-r2.csv',
      'shrt20240131.csv',
      'shrt20240131-r1.csv',
      'shrt20240115.csv',
    ];
    expect(names.toSorted(compareRevisionFileNames)).toEqual([
      'shrt20240115.csv',
      'shrt20240131.csv',
      'shrt20240131-r1.csv',
      'shrt20240131-r2.csv',
      'shrt20240131-r10.csv',
    ]);
  });

  it('merges the revisions of a settlement date in file-name order, whatever order they come in', () => {
    const original = parseFixture('shrt20240131.csv');
    const revision = parseFixture('shrt20240131-r1.csv');
    const other = parseFixture('shrt20240229.csv');
    const input = [revision, other, original];
    const merged = mergeShortInterestRevisions(input);
    expect(merged.map((m) => [m.settlementDate, m.files])).toEqual([
      ['2024-01-31', ['shrt20240131.csv', 'shrt20240131-r1.csv']],
      ['2024-02-29', ['shrt20240229.csv']],
    ]);
    expect([...(merged[0]?.shares ?? [])]).toEqual([
      ['A', 2911097],
      ['AA', 8300000],
      ['BRK.B', 21563340],
      ['ABR-PD', 10422],
      ['SPCL', 120000],
      ['AAAU', 643889],
    ]);
    expect(input.map((p) => p.file)).toEqual(['shrt20240131-r1.csv', 'shrt20240229.csv', 'shrt20240131.csv']);
  });

  it('lets a later revision replace an earlier one (r2 after r1)', () => {
    const file = (name: string, shares: number): ParsedShortInterest => ({
      file: name,
      settlementDate: '2024-01-31',
      records: [{ symbol: 'AA', issueName: 'Alcoa', shares, settlementDate: '2024-01-31', revision: true }],
      rejections: [],
    });
    const merged = mergeShortInterestRevisions([
      file('shrt20240131-r2.csv', 3),
      file('shrt20240131.csv', 1),
      file('shrt20240131-r1.csv', 2),
    ]);
    expect(merged[0]?.shares.get('AA')).toBe(3);
    expect(mergeShortInterestRevisions([])).toEqual([]);
  });
});
