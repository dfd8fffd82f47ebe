import { readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShortInterestFile, ShortInterestRecord } from '../../shared/domain.ts';
import { readShortInterest, shortInterestFileOf } from '../../shared/formats/finra-short-interest.ts';
import {
  compareRevisionFileNames,
  mergeShortInterestRevisions,
  type ParsedShortInterest,
  parseShortInterest,
} from '../../shared/formats/index.ts';
import { fixtureText, refusal, repoRoot } from './fixtures.ts';

const parseFixture = (name: string) => {
  const { text, file } = fixtureText(`short-interest/${name}`);
  return parseShortInterest(text, file);
};

const rec = (
  symbol: string,
  issueName: string,
  shares: number,
  settlementDate: string,
  extra: Pick<ShortInterestRecord, 'previousShares' | 'splitFlag' | 'otc' | 'etpVenue'> = {},
) =>
  ({
    symbol,
    issueName,
    shares,
    settlementDate,
    revision: extra.previousShares !== undefined,
    ...extra,
  }) satisfies ShortInterestRecord;

/** The records without FINRA's average daily volume (checked on its own where a test is about it). */
const withoutAdv = (records: readonly ShortInterestRecord[]) => records.map(({ averageDailyVolume: _, ...r }) => r);

const NOT_R = 'is not R or empty (FINRA marks a revision of the previous settlement with R)';

describe('parseShortInterest', () => {
  it('reads the real 14-column pipe layout (LF), canonical symbols, names untouched', () => {
    const p = parseFixture('shrt20240131.csv');
    expect(p.settlementDate).toBe('2024-01-31');
    // AA and ABRpD are flagged R: their 2024-01-12 figures were revised to their previousShortPositionQuantity;
    // their own 2024-01-31 quantities stand.
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 2911097, '2024-01-31'),
      rec('AA', 'Alcoa Corporation', 8240146, '2024-01-31', { previousShares: 8328174 }),
      rec('BRK.B', 'Berkshire Hathaway Inc. Class', 21563340, '2024-01-31'),
      rec('ABR-PD', 'Arbor Realty Trust Inc. 6.375%', 10422, '2024-01-31', { previousShares: 9001 }),
      rec('SPCL', 'Special "Quoted", Name <script>', 120000, '2024-01-31'),
    ]);
    // averageDailyVolumeQuantity, FINRA's own ADV (days to cover, rule 10 v2).
    expect(p.records.map((r) => r.averageDailyVolume)).toEqual([1523270, 3445012, 3606412, 5207, 120455]);
    expect(p.rejections).toEqual([]);
  });

  it('reads CRLF with a BOM; stockSplitFlag S and marketClassCode OTC are kept on the record', () => {
    const p = parseFixture('shrt20240112.csv');
    expect(p.settlementDate).toBe('2024-01-12');
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 3151214, '2024-01-12'),
      rec('AA', 'Alcoa Corporation', 8350000, '2024-01-12'),
      rec('BRK.B', 'Berkshire Hathaway Inc. Class', 20158775, '2024-01-12'),
      rec('DSS', 'DSS, Inc.', 8122, '2024-01-12', { splitFlag: true }),
      rec('WRLGF', 'WEST RED LAKE GOLD MINES LTD C', 947257, '2024-01-12', { otc: true }),
    ]);
    expect(p.rejections).toEqual([]);
  });

  it('finds columns by name: reordered and extra columns parse', () => {
    const p = parseFixture('shrt20240229.csv');
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 2700000, '2024-02-29'),
      rec('BF.B', 'Brown Forman Corporation Cla', 3500000, '2024-02-29', { previousShares: 3400000 }),
    ]);
  });

  it('rejects bad rows one by one and keeps the good ones', () => {
    const p = parseFixture('shrt20240215.csv');
    const f = 'shrt20240215.csv';
    expect(p.settlementDate).toBe('2024-02-15');
    expect(withoutAdv(p.records)).toEqual([
      rec('A', 'Agilent Technologies Inc.', 2800000, '2024-02-15'),
      rec('AAPL', 'Apple Inc.', 95000000, '2024-02-15'),
      rec('ABNB', 'Airbnb Inc.', 12000000, '2024-02-15'),
      rec('ACHR', 'Archer Aviation Inc.', 1234.5, '2024-02-15'),
      rec('ACRE', 'Ares Commercial Real Estate', 6000000, '2024-02-15', { previousShares: 5900000, splitFlag: true }),
      // Twelve real rows of FINRA's shrt20240215.csv (ADAG … ADIV), so the good rows outnumber the bad:
      // a file most of whose rows are rejected is refused whole (issue 17; tested below).
      rec('ADAG', 'Adagene Inc. American Deposita', 21943, '2024-02-15'),
      rec('ADAP', 'Adaptimmune Therapeutics plc A', 2928624, '2024-02-15'),
      rec('ADBE', 'Adobe Inc. Common Stock', 4987936, '2024-02-15'),
      rec('ADC', 'Agree Realty Corporation', 3005694, '2024-02-15'),
      rec('ADCPRA', 'Agree Realty Corporation Depos', 1647, '2024-02-15'),
      rec('ADCT', 'ADC Therapeutics SA', 1430061, '2024-02-15'),
      rec('ADD', 'Color Star Technology Co., Ltd', 279959, '2024-02-15'),
      rec('ADEA', 'Adeia Inc. Common Stock', 3121714, '2024-02-15'),
      rec('ADFI', 'Anfield Dynamic Fixed Income E', 399, '2024-02-15', { etpVenue: true }),
      rec('ADI', 'Analog Devices, Inc. Common St', 6629253, '2024-02-15'),
      rec('ADIL', 'Adial Pharmaceuticals, Inc Com', 173322, '2024-02-15'),
      rec('ADIV', 'SmartETFs Asia Pacific Dividen', 55, '2024-02-15', { etpVenue: true }),
    ]);
    expect(p.rejections).toEqual([
      { file: f, line: 3, field: 'currentShortPositionQuantity', reason: '"-5" is negative' },
      { file: f, line: 4, field: 'currentShortPositionQuantity', reason: '"N/A" is not a number' },
      { file: f, line: 5, field: 'currentShortPositionQuantity', reason: 'is empty' },
      {
        file: f,
        line: 6,
        field: 'settlementDate',
        reason: `"2024-01-31" differs from the file's settlement date 2024-02-15 (carried by 20 of 21 valid rows)`,
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
      // An R row revises the PREVIOUS settlement, never a row of its own file: a repeat is a repeat.
      {
        file: f,
        line: 15,
        field: 'symbolCode',
        reason:
          '"ABNB" repeats line 14 with a different quantity (12000000 vs 12500000 shares) (market class NNM vs NNM); the first row is kept',
      },
      { file: f, line: 16, field: 'revisionFlag', reason: `"X" ${NOT_R}` },
      // FINRA never writes Y or N (an earlier fixture invented Y): refused row by row.
      { file: f, line: 18, field: 'revisionFlag', reason: `"Y" ${NOT_R}` },
      { file: f, line: 19, field: 'revisionFlag', reason: `"N" ${NOT_R}` },
      {
        file: f,
        line: 20,
        field: 'previousShortPositionQuantity',
        reason: '"" is empty (an R row revises the previous settlement with it)',
      },
      { file: f, line: 21, field: 'stockSplitFlag', reason: '"Y" is not S or empty' },
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

  it("applies each date's R rows to the previous settlement's shares, never to a date more than 22 days back", () => {
    const jan12 = parseFixture('shrt20240112.csv');
    const jan31 = parseFixture('shrt20240131.csv');
    const feb29 = parseFixture('shrt20240229.csv');
    const input = [feb29, jan31, jan12];
    const merged = mergeShortInterestRevisions(input);
    expect(merged.map((m) => [m.settlementDate, m.files, m.revisedBy])).toEqual([
      ['2024-01-12', ['shrt20240112.csv'], ['shrt20240131.csv']],
      ['2024-01-31', ['shrt20240131.csv'], undefined],
      ['2024-02-29', ['shrt20240229.csv'], undefined],
    ]);
    // 2024-01-12 (19 days before 2024-01-31): 01-31's R rows set AA to 8328174 (its file said 8350000) and
    // bring in ABR-PD at 9001 (absent from the 01-12 file); A, BRK.B, DSS and WRLGF keep their own figures.
    expect([...(merged[0]?.shares ?? [])]).toEqual([
      ['A', 3151214],
      ['AA', 8328174],
      ['BRK.B', 20158775],
      ['DSS', 8122],
      ['WRLGF', 947257],
      ['ABR-PD', 9001],
    ]);
    // 2024-01-31: its own R rows do not touch its own figures (AA 8240146, ABR-PD 10422), and 02-29's R row
    // (BF.B, previous 3400000) does not reach it: 2024-02-15 is missing and 01-31 is 29 days back (> 22).
    expect([...(merged[1]?.shares ?? [])]).toEqual([
      ['A', 2911097],
      ['AA', 8240146],
      ['BRK.B', 21563340],
      ['ABR-PD', 10422],
      ['SPCL', 120000],
    ]);
    expect([...(merged[1]?.revisesPrevious ?? [])]).toEqual([
      ['AA', 8328174],
      ['ABR-PD', 9001],
    ]);
    expect([...(merged[2]?.revisesPrevious ?? [])]).toEqual([['BF.B', 3400000]]);
    // S and OTC reach the merged file: DSS split-flagged, WRLGF (OTC) not among the listed names.
    expect(merged[0]?.splitFlagged).toEqual(new Set(['DSS']));
    expect([...(merged[0]?.listedNames?.keys() ?? [])]).toEqual(['A', 'AA', 'BRK.B', 'DSS']);
    expect(merged[1]?.splitFlagged).toBeUndefined();
    // The input is not modified: neither its order nor the parsed records.
    expect(input.map((p) => p.file)).toEqual(['shrt20240229.csv', 'shrt20240131.csv', 'shrt20240112.csv']);
    expect(jan12.records.find((r) => r.symbol === 'AA')?.shares).toBe(8350000);
  });

  it('revises the previous date when it is present and at most 22 days back (2024-02-15 → 2024-02-29)', () => {
    const feb15 = parseFixture('shrt20240215.csv');
    const feb29 = parseFixture('shrt20240229.csv');
    const [first, second] = mergeShortInterestRevisions([feb29, feb15]);
    // 14 days apart: 02-29's R row BF.B (previousShortPositionQuantity 3400000) revises 02-15 in.
    expect(first?.revisedBy).toEqual(['shrt20240229.csv']);
    expect([...(first?.shares ?? [])]).toEqual([
      ['A', 2800000],
      ['AAPL', 95000000],
      ['ABNB', 12000000],
      ['ACHR', 1234.5],
      ['ACRE', 6000000],
      ...feb15.records.filter((r) => r.symbol.startsWith('AD')).map((r) => [r.symbol, r.shares]),
      ['BF.B', 3400000],
    ]);
    expect(second?.shares.get('BF.B')).toBe(3500000);
    expect(second?.revisedBy).toBeUndefined();
  });

  it('lets a later revision replace an earlier one (r2 after r1)', () => {
    const file = (name: string, shares: number): ParsedShortInterest => ({
      file: name,
      settlementDate: '2024-01-31',
      records: [{ symbol: 'AA', issueName: 'Alcoa', shares, settlementDate: '2024-01-31', revision: false }],
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

describe('a file most of whose rows are rejected (issue 17)', () => {
  it('is refused whole: the same damaged rows without the twelve good ones outnumber the good', () => {
    const { text } = fixtureText('short-interest/shrt20240215.csv');
    const cut = `${text.trimEnd().split('\n').slice(0, 22).join('\n')}\n`;
    expect(refusal(() => parseShortInterest(cut, 'shrt20240215.csv'))).toMatchObject({
      file: 'shrt20240215.csv',
      line: 0,
      field: '*',
      reason:
        '16 of its 21 records are rejected and only 5 kept (first: shrt20240215.csv line 3, field currentShortPositionQuantity: "-5" is negative): a file most of whose rows are rejected is refused, not taken in part',
    });
  });
});

describe('the fast row check', () => {
  /** The parse, or the refusal's text: what a caller sees either way. */
  const parsed = (text: string, file: string, rowCheck: 'fast' | 'split' | 'zod') => {
    try {
      return parseShortInterest(text, file, { rowCheck });
    } catch (error) {
      return String(error);
    }
  };
  /** A file's maps and sets as entry lists, in insertion order (which the engine iterates in). */
  const entries = (file: ShortInterestFile) =>
    JSON.stringify(file, (_k, v) => (v instanceof Map ? { map: [...v] } : v instanceof Set ? { set: [...v] } : v));
  /** readShortInterest's file, rows and rejections, or the refusal's text. */
  const read = (text: string, file: string) => {
    try {
      const r = readShortInterest(text, file);
      return { file: entries(r.file), rows: r.rows, rejections: r.rejections };
    } catch (error) {
      return String(error);
    }
  };
  /** The three row checks agree, and readShortInterest is shortInterestFileOf of zod's parse. */
  const agree = (text: string, file: string) => {
    const zod = parsed(text, file, 'zod');
    const fast = parsed(text, file, 'fast');
    expect(fast, file).toEqual(zod);
    expect(parsed(text, file, 'split'), file).toEqual(zod);
    expect(read(text, file), file).toEqual(
      typeof zod === 'string'
        ? zod
        : { file: entries(shortInterestFileOf(zod)), rows: zod.records.length, rejections: zod.rejections },
    );
    return fast;
  };
  const outcome = (name: string) => {
    let fixture: { text: string; file: string };
    try {
      fixture = fixtureText(`short-interest/${name}`);
    } catch (error) {
      return String(error);
    }
    return agree(fixture.text, fixture.file);
  };

  it('gives what zod gives on every fixture, good and bad rows alike (records, rejections, refusals, file maps)', () => {
    const dir = path.join(repoRoot, 'test/fixtures/formats/short-interest');
    const names = readdirSync(dir).filter((n) => n.startsWith('shrt'));
    expect(names.length).toBeGreaterThan(5);
    let rejected = 0;
    for (const name of names) {
      const fast = outcome(name);
      if (typeof fast !== 'string') rejected += fast.rejections.length;
    }
    // The fixtures exercise the fallback: rows the fast check refuses reach zod for their reason.
    expect(rejected).toBeGreaterThan(10);
  });

  it('gives what zod gives on hand-made rows: optional columns absent, blank flags, odd dates and volumes', () => {
    const header = 'symbolCode|issueName|currentShortPositionQuantity|settlementDate';
    const minimal = `${header}\nAAA|A Inc|100|2024-01-31\nBBB|B Inc|1.5|2024-01-31\nCCC|C|x|2024-01-31\nDDD|D|5|20240131\n`;
    const full = [
      'symbolCode|issueName|currentShortPositionQuantity|settlementDate|accountingYearMonthNumber|revisionFlag|marketClassCode|stockSplitFlag|previousShortPositionQuantity|averageDailyVolumeQuantity',
      'AAA|A Inc|100|2024-01-31|20240131||NNM||90|',
      'BBB|B Inc|200|2024-01-31|20240131|R|OTC|S|150|0',
      'CCC|C Inc|300|2024-01-31|20240131|Y|NYSE||1|12.5',
      'DDD|D Inc|400|2024-01-31|2024-01-31| |ARCA| S |x|-3',
      'EEE|E Inc|500|2024-02-30|20240131||BZX||1|7',
      'FFF|F Inc|600|2024-01-31|20240131|R|||bad|7',
      'GGG|G Inc|700|2024-01-31|20240131||||1|7',
      'GGG|G Inc|800|2024-01-31|20240131||||1|7',
      ' BRK B |Berkshire|900|2024-01-31|20240131||NYSE||1|abc',
      'HH^|H|1|2024-01-31|20240131||||1|1',
    ].join('\n');
    for (const [text, file] of [
      [minimal, 'shrt20240131.csv'],
      [full, 'shrt20240131.csv'],
      [full.replaceAll('\n', '\r\n'), 'shrt20240131.csv'],
      [full.replaceAll('\n', '\r'), 'shrt20240131.csv'],
      [`\uFEFF\n \n${full.replaceAll('\n', '\n\u00a0\n\t\n')}\r\n\r\n`, 'shrt20240131.csv'],
      [full.replace('AAA|A Inc', 'AAA|A|Inc'), 'shrt20240131.csv'],
      [full.replace('|2024-01-31|', '|2024-01-15|'), 'shrt20240131.csv'],
      [full.replaceAll('2024-01-31|20240131', '2024-01-15|20240115'), 'shrt20240131.csv'],
      [full, 'other.csv'],
    ] as const) {
      const fast = agree(text, file);
      if (typeof fast !== 'string') expect(fast.records.length).toBeGreaterThan(0);
    }
  });

  it('gives what zod gives on arbitrary files of real and hostile fields', () => {
    const columns = [
      'accountingYearMonthNumber',
      'symbolCode',
      'issueName',
      'marketClassCode',
      'currentShortPositionQuantity',
      'previousShortPositionQuantity',
      'stockSplitFlag',
      'averageDailyVolumeQuantity',
      'revisionFlag',
      'settlementDate',
    ];
    const field = fc.oneof(
      fc.constantFrom('', ' ', 'R', ' R', 'S', 'S ', 'Y', 'OTC', 'otc', 'ARCA', ' BZX', 'NNM', 'NYSE'),
      fc.constantFrom('0', '12', '1.5', '-5', '1e3', '12,345', ' 7', '99999999999999999999', 'x'),
      fc.constantFrom('2024-01-31', '20240131', '2024-01-15', '2024-02-30', '2024-1-31', ' 2024-01-31'),
      fc.constantFrom('AAPL', 'BRKB', 'BRK.B', 'BRK/B', 'ABRpD', 'aa pl', 'XYZw', '^A', ''),
      fc.string({ maxLength: 6 }),
    );
    const row = fc.oneof(
      fc.array(field, { minLength: columns.length, maxLength: columns.length }),
      fc.array(field, { minLength: columns.length - 1, maxLength: columns.length + 1 }),
      fc
        .record({ symbol: fc.constantFrom('AAA', 'BBB', 'CCC'), shares: fc.nat(), r: fc.constantFrom('', 'R') })
        .map(({ symbol, shares, r }) => [
          '20240131',
          symbol,
          `${symbol} Inc`,
          'NNM',
          String(shares),
          '10',
          '',
          '5',
          r,
          '2024-01-31',
        ]),
    );
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), eol, fc.boolean(), (rows, end, optional) => {
        const cut = optional ? columns.length : columns.length - 1;
        const lines = [columns.slice(0, cut), ...rows.map((r) => r.slice(0, cut - columns.length + r.length))];
        agree(lines.map((l) => l.join('|')).join(end), 'shrt20240131.csv');
      }),
      { numRuns: 3000 },
    );
  });
});
