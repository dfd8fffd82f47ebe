import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FINRA_ISSUE_NAME_MAX,
  FormatWriteError,
  finraIssueName,
  formatLastsale,
  formatMarketCap,
  formatVolume,
  quotedPrice,
  SHORT_INTEREST_COLUMNS,
  type ShortInterestRowInput,
  shortInterestFileName,
  shortVolumeFileName,
  toScreenerRow,
  writeScreenerJson,
  writeShortInterest,
  writeShortVolume,
  writeSplitsCsv,
} from '../../shared/formats/writers.ts';
import { repoRoot } from './load.ts';

const data = path.resolve(repoRoot, '../shared/data');
const siReal = path.join(data, 'finra/short-interest/2024/shrt20241231.csv');
const cnms = path.join(data, 'finra/regsho/CNMSshvol20210427.txt');

describe('screener writer', () => {
  it('prints lastsale as the 2024 files do', () => {
    expect(formatLastsale(1208.88)).toBe('$1208.88');
    expect(formatLastsale(121.79)).toBe('$121.79');
    expect(formatLastsale(10)).toBe('$10.00');
    expect(formatLastsale(0.9741)).toBe('$0.9741');
    expect(formatLastsale(0.027)).toBe('$0.027');
    expect(formatLastsale(0.5)).toBe('$0.50');
    expect(formatLastsale(0.0151)).toBe('$0.0151');
    expect(formatLastsale(0.01234)).toBe('$0.0123');
  });

  it('groups thousands on request and prints the raw double like BRK/A', () => {
    expect(formatLastsale(1209.98, { thousands: true })).toBe('$1,209.98');
    expect(formatLastsale(1234567.5, { thousands: true })).toBe('$1,234,567.50');
    expect(formatLastsale(999.5, { thousands: true })).toBe('$999.50');
    expect(formatLastsale(613965.01, { rawDouble: true })).toBe('$613965.01000000001');
    expect(formatLastsale(622291, { rawDouble: true })).toBe('$622291.00');
    expect(quotedPrice(0.027049)).toBe(0.027);
    expect(quotedPrice(12.345)).toBe(12.35);
  });

  it('refuses a price that is not > 0', () => {
    expect(() => formatLastsale(0)).toThrow(RangeError);
    expect(() => formatLastsale(Number.NaN)).toThrow(/finite/);
  });

  it('writes market caps as whole dollars with .00, and the two unknown forms', () => {
    expect(formatMarketCap(2973844800000)).toBe('2973844800000.00');
    expect(formatMarketCap(30803156.4)).toBe('30803156.00');
    expect(formatMarketCap(null)).toBe('0.00');
    expect(formatMarketCap(null, '')).toBe('');
    expect(formatMarketCap(0, '')).toBe('');
  });

  it('reproduces a real row byte for byte (AACG, 2024-01-02)', () => {
    const row = toScreenerRow({
      symbol: 'AACG',
      name: 'ATA Creativity Global American Depositary Shares',
      price: 0.9741,
      volume: 15328,
      marketCap: 30803156,
      sector: 'Real Estate',
      industry: 'Other Consumer Services',
      country: 'China',
      ipoyear: '2008',
      exchange: 'NASDAQ',
    });
    expect(writeScreenerJson([row])).toBe(
      '{"data":{"rows":[{"symbol":"AACG","name":"ATA Creativity Global American Depositary Shares","lastsale":"$0.9741","volume":"15328","marketCap":"30803156.00","sector":"Real Estate","industry":"Other Consumer Services","country":"China","ipoyear":"2008","exchange":"NASDAQ"}]}}',
    );
  });

  it('escapes quotes in names as JSON does and keeps commas and pipes', () => {
    const row = toScreenerRow({
      symbol: 'ABC/B',
      name: 'Mesa "Prime", Realty|Trust',
      price: 25,
      volume: 1,
      marketCap: null,
      unknownMarketCap: '',
      sector: '',
      industry: '',
      country: '',
      ipoyear: '',
      exchange: 'NYSE',
    });
    const text = writeScreenerJson([row]);
    expect(text).toContain('"name":"Mesa \\"Prime\\", Realty|Trust"');
    expect(text).toContain('"marketCap":""');
    expect(JSON.parse(text).data.rows[0].name).toBe('Mesa "Prime", Realty|Trust');
  });
});

const row = (over: Partial<ShortInterestRowInput>): ShortInterestRowInput => ({
  symbolCode: 'ABC',
  issueName: 'Abc Corp',
  exchangeCode: 'A',
  marketClassCode: 'NYSE',
  currentShares: 1000,
  previousShares: 800,
  stockSplit: false,
  averageDailyVolume: 400,
  revision: false,
  ...over,
});

describe('FINRA short interest writer', () => {
  it('writes the 14 columns, pipe-delimited, LF, with hand-computed derived fields', () => {
    const text = writeShortInterest('2025-01-15', [
      row({}),
      row({ symbolCode: 'BRK.B', issueName: 'Berkshire Hathaway Inc', currentShares: 300, previousShares: 400 }),
      row({ symbolCode: 'NEW', previousShares: null, averageDailyVolume: 0, stockSplit: true, revision: true }),
    ]);
    expect(text).toBe(
      [
        SHORT_INTEREST_COLUMNS.join('|'),
        // 1000 / 400 = 2.50 days; (1000 − 800) / 800 = +25.00%.
        '20250115|ABC|Abc Corp|A|NYSE|1000|800||400|2.50||25.00|200|2025-01-15',
        // 300 / 400 = 0.75 days, floored at 1.00 as FINRA does; −25.00%.
        '20250115|BRK.B|Berkshire Hathaway Inc|A|NYSE|300|400||400|1.00||-25.00|-100|2025-01-15',
        // No previous position: 0 and a blank change; ADV 0 → 999.99; a revision is written R, as FINRA does.
        '20250115|NEW|Abc Corp|A|NYSE|1000|0|S|0|999.99|R||1000|2025-01-15',
        '',
      ].join('\n'),
    );
    expect(shortInterestFileName('2025-01-15')).toBe('shrt20250115.csv');
    expect(shortInterestFileName('2025-01-15', 1)).toBe('shrt20250115-r1.csv');
  });

  it('never emits a pipe inside a field: names are cleaned and cut to 30 characters, bad codes refused', () => {
    expect(finraIssueName('Pipe|Line Midstream Partners L.P. Common Units')).toBe('Pipe/Line Midstream Partners L');
    expect(finraIssueName('Two\r\nLines ')).toBe('Two Lines');
    expect(finraIssueName('x'.repeat(40))).toHaveLength(FINRA_ISSUE_NAME_MAX);
    const text = writeShortInterest('2025-01-15', [row({ issueName: 'A|B "C", D' })]);
    expect(text.split('\n')[1]?.split('|')).toHaveLength(14);
    expect(text).toContain('|A/B "C", D|');
    let error: unknown;
    try {
      writeShortInterest('2025-01-15', [row({}), row({ symbolCode: 'AB|C' })]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatWriteError);
    expect(error).toMatchObject({ file: 'shrt20250115.csv', line: 3, field: 'symbolCode' });
    expect(() => writeShortInterest('2025-01-15', [row({ currentShares: 1.5 })])).toThrow(
      /currentShortPositionQuantity: expected a whole number/,
    );
  });

  it.skipIf(!existsSync(siReal))('reproduces the first rows of the real 2024-12-31 file from its values', () => {
    const real = readFileSync(siReal, 'utf8');
    const text = writeShortInterest('2024-12-31', [
      row({
        symbolCode: 'A',
        issueName: 'Agilent Technologies Inc.',
        currentShares: 2911097,
        previousShares: 3151214,
        averageDailyVolume: 1523270,
      }),
      row({
        symbolCode: 'AA',
        issueName: 'Alcoa Corporation',
        currentShares: 8240146,
        previousShares: 8328174,
        averageDailyVolume: 3445012,
      }),
      row({
        symbolCode: 'AAA',
        issueName: 'Alternative Access First Priority CLO Bond ETF',
        exchangeCode: 'E',
        marketClassCode: 'ARCA',
        currentShares: 29509,
        previousShares: 19404,
        averageDailyVolume: 17436,
      }),
      row({
        symbolCode: 'AAAU',
        issueName: 'Goldman Sachs Physical Gold ETF',
        exchangeCode: 'H',
        marketClassCode: 'BZX',
        currentShares: 643889,
        previousShares: 328481,
        averageDailyVolume: 1679326,
      }),
    ]);
    expect(real.startsWith(text)).toBe(true);
  });
});

describe('FINRA Reg SHO writer', () => {
  it('writes header, rows and the trailer count, every line ending CRLF', () => {
    const text = writeShortVolume('2025-12-31', [
      { symbol: 'ABC/B', shortVolume: 10, shortExemptVolume: 0, totalVolume: 25, market: 'B,Q,N' },
      { symbol: 'XYZpA', shortVolume: 12.345678, shortExemptVolume: 1, totalVolume: 30.5, market: 'Q' },
    ]);
    expect(text).toBe(
      'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\r\n' +
        '20251231|ABC/B|10|0|25|B,Q,N\r\n' +
        '20251231|XYZpA|12.345678|1|30.5|Q\r\n' +
        '2\r\n',
    );
    expect(shortVolumeFileName('2025-12-31')).toBe('CNMSshvol20251231.txt');
  });

  it('writes the empty-day form: header and a trailer of 0', () => {
    expect(writeShortVolume('2025-12-31', [])).toBe(
      'Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market\r\n0\r\n',
    );
  });

  it('formats fractional volumes without trailing zeros', () => {
    expect(formatVolume(100)).toBe('100');
    expect(formatVolume(0.5)).toBe('0.5');
    expect(formatVolume(1.1234567)).toBe('1.123457');
    expect(() => formatVolume(-1)).toThrow(RangeError);
  });

  it.skipIf(!existsSync(cnms))('reproduces the first rows of the real 2021-04-27 file', () => {
    const real = readFileSync(cnms, 'utf8');
    const text = writeShortVolume('2021-04-27', [
      { symbol: 'A', shortVolume: 109763, shortExemptVolume: 1, totalVolume: 244138, market: 'B,Q,N' },
      { symbol: 'AA', shortVolume: 992738, shortExemptVolume: 619, totalVolume: 2029539, market: 'B,Q,N' },
    ]);
    const head = text.split('\r\n').slice(0, 3).join('\r\n');
    expect(real.startsWith(`${head}\r\n`)).toBe(true);
  });
});

describe('splits.csv writer', () => {
  it('writes symbol,date,ratio with the ratio as new shares per old share', () => {
    expect(
      writeSplitsCsv([
        { symbol: 'ABC', date: '2025-06-02', ratio: 1.5 },
        { symbol: 'XYZ', date: '2025-07-01', ratio: 0.05 },
      ]),
    ).toBe('symbol,date,ratio\nABC,2025-06-02,1.5\nXYZ,2025-07-01,0.05\n');
  });

  it('refuses what cannot be written unquoted', () => {
    expect(() => writeSplitsCsv([{ symbol: 'A,B', date: '2025-06-02', ratio: 2 }])).toThrow(FormatWriteError);
    expect(() => writeSplitsCsv([{ symbol: 'AB', date: '2025-06-02', ratio: 0 }])).toThrow(/ratio/);
  });
});
