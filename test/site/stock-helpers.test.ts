/**
 * The pure parts of the stock pages (issue 19), without building the site: links from symbols, the CSV and its
 * formula-injection guard, search matching, the stock page's series table and summary, and the feed's links.
 */
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../shared/present/escape.ts';
import { buildRss } from '../../shared/present/rss.ts';
import { isSafeSymbol, stockDataPath, stockPath, stockPathIfListed } from '../../shared/present/stock-links.ts';
import { type StockIndexEntry, type StockSeries, stockFileName } from '../../shared/snapshot/stocks-schema.ts';
import { matches, matchStocks, prepare } from '../../site/src/lib/stock-search.ts';
import { byYtdPnl, csvNumber, csvText, STOCK_COLUMNS, stocksCsv } from '../../site/src/lib/stock-table.ts';
import { formatPrice, seriesSummary, seriesTableRows, stockChartSpec } from '../../site/src/lib/stock-view.ts';
import { fixtureSnapshots } from '../present/fixtures.ts';

describe('stock links', () => {
  it.each([
    ['ACMR', '/stock/ACMR/', '/data/stocks/ACMR.json'],
    ['BRK.B', '/stock/BRK.B/', '/data/stocks/BRK.B.json'],
    ['ABR-PD', '/stock/ABR-PD/', '/data/stocks/ABR-PD.json'],
    ['AAC.WS', '/stock/AAC.WS/', '/data/stocks/AAC.WS.json'],
  ])('%s → %s and %s (the file name is stockFileName’s)', (symbol, page, data) => {
    expect(stockPath(symbol)).toBe(page);
    expect(stockDataPath(symbol)).toBe(data);
    expect(stockDataPath(symbol)).toBe(`/data/stocks/${stockFileName(symbol)}`);
  });

  it.each([
    '',
    '..',
    '.',
    'A/B',
    '../etc',
    'BRK..B',
    '-ABR',
    'ABR-',
    'brk.b',
    'A B',
    '"><img src=x onerror=alert(2)>',
    'javascript:alert(1)',
    'X'.repeat(25),
  ])('refuses %j: no page, plain text', (symbol) => {
    expect(isSafeSymbol(symbol)).toBe(false);
    expect(() => stockPath(symbol)).toThrow(UnsafePathError);
    expect(() => stockDataPath(symbol)).toThrow(/not a canonical ticker/);
    expect(stockPathIfListed(symbol, new Set([symbol]))).toBeNull();
  });

  it('links only symbols the index lists', () => {
    expect(stockPathIfListed('ACMR', new Set(['ACMR']))).toBe('/stock/ACMR/');
    expect(stockPathIfListed('NOVA', new Set(['ACMR']))).toBeNull();
  });
});

const entry = (
  symbol: string,
  name: string,
  ytdPnlUsd: number,
  more: Partial<StockIndexEntry> = {},
): StockIndexEntry => ({
  symbol,
  name,
  tier: 'mid',
  sector: 'Finance',
  ytdPnlUsd,
  ytdPnlPct: null,
  shortInterestUsd: null,
  shortInterestPctSharesOut: null,
  daysToCover: null,
  ...more,
});

describe('stocks CSV', () => {
  it.each([
    ['Acme Robotics Inc.', '"Acme Robotics Inc."'],
    ['Smith, Jones & Co.', '"Smith, Jones & Co."'],
    ['O"Brien', '"O""Brien"'],
    ['=HYPERLINK("https://evil.example","x")', '"\'=HYPERLINK(""https://evil.example"",""x"")"'],
    ['+1+2', '"\'+1+2"'],
    ['-2+3', '"\'-2+3"'],
    ['@SUM(A1)', '"\'@SUM(A1)"'],
    ['\tcmd', '"\'\tcmd"'],
    ['\rcmd', '"\'\rcmd"'],
    ['a=b', '"a=b"'],
    ['', '""'],
  ])('text cell %j → %s', (value, cell) => {
    expect(csvText(value)).toBe(cell);
  });

  it('writes numbers as numbers: a negative stays a plain negative number; missing is empty', () => {
    expect(csvNumber(-1452590080)).toBe('-1452590080');
    expect(csvNumber(3.748748)).toBe('3.748748');
    expect(csvNumber(0)).toBe('0');
    expect(csvNumber(null)).toBe('');
  });

  it('has the list’s columns and order (YTD P&L, biggest gain first), CRLF line ends', () => {
    const csv = stocksCsv([
      entry('LOSS', 'Loser, Inc.', -5e6, { ytdPnlPct: -12.5, daysToCover: 2 }),
      entry('WIN', '=cmd|" /C calc"!A0', 7e6, { tier: null }),
      entry('ZERO', 'Flat', 0),
    ]);
    expect(csv.split('\r\n')).toEqual([
      STOCK_COLUMNS.map((c) => `"${c.csv}"`).join(','),
      '"WIN","\'=cmd|"" /C calc""!A0","","Finance",7000000,,,,',
      '"ZERO","Flat","Mid","Finance",0,,,,',
      '"LOSS","Loser, Inc.","Mid","Finance",-5000000,-12.5,,,2',
      '',
    ]);
  });

  it('sorts without mutating its input, ties by symbol', () => {
    const input = [entry('B', 'b', 1), entry('A', 'a', 1), entry('C', 'c', 2)];
    expect(byYtdPnl(input).map((e) => e.symbol)).toEqual(['C', 'A', 'B']);
    expect(input.map((e) => e.symbol)).toEqual(['B', 'A', 'C']);
  });
});

describe('stock search matching', () => {
  const stocks = prepare([
    { symbol: 'AA', name: 'Alcoa Corp.' },
    { symbol: 'A', name: 'Agilent Technologies' },
    { symbol: 'ACMR', name: 'Acme Robotics Inc.' },
    { symbol: 'ACM', name: 'AECOM' },
    { symbol: 'ZZZ', name: 'Société Acmé' },
    { symbol: 'XAC', name: 'Pacman Holdings' },
    { symbol: 'BRK.B', name: 'Berkshire Hathaway Inc. Class B' },
  ]);
  const symbols = (q: string, limit?: number) => matchStocks(stocks, q, limit).map((e) => e.symbol);

  it('puts symbol prefixes first (exact, then shorter, then A→Z), then names containing the query', () => {
    expect(symbols('acm')).toEqual(['ACM', 'ACMR', 'XAC', 'ZZZ']);
    expect(symbols('a')).toEqual(['A', 'AA', 'ACM', 'ACMR', 'BRK.B', 'XAC', 'ZZZ']);
    expect(symbols('pac')).toEqual(['XAC']);
    expect(symbols('ac')).toEqual(['ACM', 'ACMR', 'XAC', 'ZZZ']);
    // A name that starts with the query comes before one that only contains it.
    expect(
      matchStocks(
        prepare([
          { symbol: 'Q', name: 'Big Robot' },
          { symbol: 'R', name: 'Robot Co' },
        ]),
        'robot',
      ).map((e) => e.symbol),
    ).toEqual(['R', 'Q']);
  });

  it('ignores case and accents, and matches dotted symbols and name words', () => {
    expect(symbols('brk.')).toEqual(['BRK.B']);
    expect(symbols('societe')).toEqual(['ZZZ']);
    expect(symbols('BERKSHIRE')).toEqual(['BRK.B']);
  });

  it('limits the suggestions and gives none for a blank query', () => {
    expect(symbols('a', 2)).toEqual(['A', 'AA']);
    expect(symbols('   ')).toEqual([]);
    expect(symbols('nothing like it')).toEqual([]);
    expect(matches(stocks[2]!, 'robot')).toBe(true);
    expect(matches(stocks[2]!, '')).toBe(false);
  });
});

describe('a stock page’s series', () => {
  const series: StockSeries = {
    date: ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02', '2024-02-05'],
    price: [10, 10.5, null, 4, 0.5],
    splitFactor: [1, 1, 1, 2, 1],
    shortInterest: [1_000_000, 1_000_000, 1_200_000, 2_400_000, 2_400_000],
    settlementDate: ['2024-01-12', '2024-01-12', '2024-01-31', '2024-01-31', '2024-01-31'],
    exposureUsd: [0, 10_000_000, 0, 0, 9_600_000],
    pnlUsd: [0, -500_000, 0, 0, 8_400_000],
    tier: ['small', 'small', 'small', 'small', 'small'],
    flags: [['first-day'], [], ['new-file', 'not-counted'], ['split', 'not-counted'], []],
  };

  it('tabulates the days a new report took effect, each month end and the last day', () => {
    expect(seriesTableRows(series)).toEqual([
      { date: '2024-01-31', price: 10.5, shortInterest: 1_000_000, settled: '2024-01-12', newReport: false },
      { date: '2024-02-01', price: null, shortInterest: 1_200_000, settled: '2024-01-31', newReport: true },
      { date: '2024-02-05', price: 0.5, shortInterest: 2_400_000, settled: '2024-01-31', newReport: false },
    ]);
  });

  it('marks the new reports on the chart and sums the year up in a sentence', () => {
    expect(stockChartSpec(series).newReports).toEqual([{ index: 2, settled: '2024-01-31' }]);
    expect(seriesSummary(series)).toBe(
      'Price $10.00 on 30 Jan 2024, $0.5000 on 5 Feb 2024; short interest 1.0M shares on 30 Jan 2024, 2.4M on 5 Feb 2024; 1 new FINRA report took effect; prices are as traded, so a split shows as a jump (1 this year).',
    );
  });

  it('formats prices with cents, four decimals under a dollar', () => {
    expect(formatPrice(1234.5)).toBe('$1,234.50');
    expect(formatPrice(0.0042)).toBe('$0.0042');
    expect(formatPrice(null)).toBe('—');
  });
});

describe('RSS links to stock pages', () => {
  const snapshots = fixtureSnapshots();
  const latest = snapshots.at(-1)!;
  const winner = latest.windows.ytd.topWinners[0]!;
  const loser = latest.windows.ytd.topLosers[0]!;

  it('links the named stocks the index lists, escaped, and leaves the others as text', async () => {
    const xml = buildRss(snapshots, { siteUrl: 'https://pulse.example/', stockSymbols: new Set([winner.symbol]) });
    const feed = await new Parser().parseString(xml);
    const html = feed.items[0]!.content ?? '';
    expect(winner.symbol).toBe('XSS');
    expect(html).toContain(
      '<a href="https://pulse.example/stock/XSS/">XSS (&lt;script&gt;alert(1)&lt;/script&gt;)</a>, +$',
    );
    expect(html).toContain(`${loser.symbol} (`);
    expect(html).not.toContain(`/stock/${loser.symbol}/`);
  });

  it('is unchanged without the option, and never links an unsafe symbol', () => {
    const plain = buildRss(snapshots, { siteUrl: 'https://pulse.example/' });
    expect(plain).not.toContain('/stock/');
    const hostile = '"><img src=x onerror=alert(2)>';
    expect(buildRss(snapshots, { siteUrl: 'https://pulse.example/', stockSymbols: new Set([hostile]) })).toBe(plain);
  });
});
