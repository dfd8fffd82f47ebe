import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { PriceRow } from '../../shared/domain.ts';
import {
  checkScreenerRow,
  FormatError,
  parseScreener,
  screenerDateFromName,
  screenerRowSchema,
} from '../../shared/formats/index.ts';
import { fixtureText, refusal } from './fixtures.ts';

function parseFixture(name: string, opts?: { rowCheck?: 'fast' | 'zod' }) {
  const { text, file } = fixtureText(name);
  return parseScreener(text, file, opts);
}

const row = (symbol: string, fields: Partial<PriceRow>): PriceRow => ({
  symbol,
  name: '',
  price: 0,
  marketCap: null,
  volume: null,
  sector: 'Unclassified',
  industry: '',
  ...fields,
});

describe('parseScreener: a real-shaped snapshot with every row-level trap', () => {
  const parsed = parseFixture('screener/2024-06-10.json');

  it('takes the date from the file name', () => {
    expect(parsed.date).toBe('2024-06-10');
    expect(parsed.file).toBe('2024-06-10.json');
  });

  it('maps good rows: prices with $ and thousands commas, unknown market caps to null, canonical symbols', () => {
    expect(parsed.records).toEqual([
      row('NVDA', {
        name: 'NVIDIA Corporation Common Stock',
        price: 121.79,
        volume: 314162700,
        marketCap: 2995868700000,
        sector: 'Technology',
        industry: 'Semiconductors',
      }),
      row('BRK.A', {
        name: 'Berkshire Hathaway Inc.',
        price: 612241,
        volume: 2816,
        marketCap: 882934579990,
        sector: 'Finance',
        industry: 'Property-Casualty Insurers',
      }),
      row('BRK.B', {
        name: 'Berkshire Hathaway Inc.',
        price: 407.17,
        volume: 3142588,
        marketCap: 882934579990,
        sector: 'Finance',
        industry: 'Property-Casualty Insurers',
      }),
      row('ABR-PD', {
        name: 'Arbor Realty Trust 6.375% Series D Cumulative Redeemable Preferred Stock Liquidation Preference $25.00 per Share',
        price: 19.51,
        volume: 5207,
        marketCap: null,
        sector: 'Real Estate',
        industry: 'Real Estate Investment Trusts',
      }),
      row('ETI-P', {
        name: 'Entergy Texas Inc 5.375% Series A Preferred Stock Cumulative, Liquidation Preference $25.00',
        price: 24.35,
        volume: 1204,
        sector: 'Utilities',
        industry: 'Electric Utilities: Central',
      }),
      row('ECC', {
        name: 'Eagle Point Credit Company Inc. Common Stock',
        price: 9.98,
        volume: 611457,
        marketCap: 1063915020,
        sector: 'Finance',
        industry: 'Finance/Investors Services',
      }),
      row('AACI', {
        name: 'Armada Acquisition Corp. I Common Stock',
        price: 10.82,
        volume: 34800,
        marketCap: null,
        sector: 'Finance',
        industry: 'Blank Checks',
      }),
      row('SPCL', {
        // Passed through byte for byte: escaping is the page's job.
        name: `Special "Quoted", Name | Co <script>alert('x')</script> Common Stock`,
        price: 3.05,
        volume: 120455,
        marketCap: 51234000,
        sector: 'Consumer Discretionary',
        industry: 'Catalog/Specialty Distribution',
      }),
      row('AAM', {
        name: 'AA Mission Acquisition Corp. Class A Ordinary Shares',
        price: 10.02,
        volume: 100,
        sector: 'Unclassified',
        industry: '',
      }),
      row('MNTN', {
        name: 'Everest Consolidator Acquisition Corporation Class A Common Stock',
        price: 3.17,
        volume: null,
        marketCap: null,
        sector: 'Finance',
        industry: 'Blank Checks',
      }),
      row('AAPL', {
        name: 'Apple Inc. Common Stock',
        price: 193.12,
        volume: 97262080,
        marketCap: 2961254400000,
        sector: 'Technology',
        industry: 'Computer Manufacturing',
      }),
      row('BFAM', {
        name: 'Bright Horizons Family Solutions Inc. Common Stock',
        price: 110.5,
        volume: null,
        marketCap: 4301000000,
        sector: 'Unclassified',
        industry: 'Other Consumer Services',
      }),
      row('NUMR', {
        name: 'Numeric Lastsale Corp.',
        price: 12.5,
        volume: 1200,
        marketCap: 150000000,
        sector: 'Industrials',
        industry: 'Trucking Freight/Courier Services',
      }),
    ]);
  });

  it('rejects rows without a valid price, later duplicates and non-objects, with row index and field', () => {
    const f = '2024-06-10.json';
    expect(parsed.rejections).toEqual([
      { file: f, line: 11, field: 'lastsale', reason: '"$0.00" is zero (no trade price)' },
      { file: f, line: 12, field: 'lastsale', reason: '"NA" is not a price' },
      { file: f, line: 13, field: 'lastsale', reason: 'is empty' },
      { file: f, line: 14, field: 'lastsale', reason: '"-$1.25" is negative' },
      {
        file: f,
        line: 15,
        field: 'symbol',
        reason: '"BRK.B" duplicates row 3 (both are BRK.B); the first row is kept',
      },
      { file: f, line: 18, field: '*', reason: 'null is not a row object' },
    ]);
  });

  it('gives the same result when every row goes through zod', () => {
    expect(parseFixture('screener/2024-06-10.json', { rowCheck: 'zod' })).toEqual(parsed);
  });
});

describe('parseScreener: accepted envelopes', () => {
  it('reads a gzipped snapshot', () => {
    const parsed = parseFixture('screener/2024-06-11.json.gz');
    expect(parsed.date).toBe('2024-06-11');
    expect(parsed.records.map((r) => [r.symbol, r.price])).toEqual([
      ['NVDA', 121.79],
      ['BRK.A', 612241],
      ['BRK.B', 407.17],
    ]);
    expect(parsed.rejections).toEqual([]);
  });

  it('reads a bare rows array with keys in another order', () => {
    const parsed = parseFixture('screener/2024-06-13.json');
    expect(parsed.records.map((r) => [r.symbol, r.price, r.marketCap])).toEqual([
      ['NVDA', 121.79, 2995868700000],
      ['BRK.A', 612241, 882934579990],
    ]);
  });

  it('reads the API table shape {"data":{"table":{"rows":[…]}}} when it carries the download columns', () => {
    const parsed = parseFixture('screener/2024-06-14.json');
    expect(parsed.records).toHaveLength(1);
    expect(parsed.records[0]?.symbol).toBe('NVDA');
    expect(parsed.records[0]?.sector).toBe('Technology');
  });

  it('returns a null date when the file name carries none', () => {
    const { text } = fixtureText('screener/2024-06-13.json');
    expect(parseScreener(text, 'snapshot.json').date).toBeNull();
    expect(screenerDateFromName('2024-02-30.json')).toBeNull();
    expect(screenerDateFromName('2024-06-10.json.gz')).toBe('2024-06-10');
    expect(screenerDateFromName('prices/2024-06-10.json')).toBe('2024-06-10');
    expect(screenerDateFromName('2024-06-10.csv')).toBeNull();
  });
});

describe('parseScreener: refused files', () => {
  it.each([
    [
      'screener/html-page.json',
      1,
      '*',
      'the body is an HTML page (title "Access Denied"), not a Nasdaq screener JSON snapshot',
    ],
    [
      'screener/api-error.json',
      0,
      '*',
      'the JSON has no rows: data is null (API status rCode 400: Symbol List is not available.)',
    ],
    ['screener/no-rows.json', 0, '*', 'the snapshot has no rows (empty rows array)'],
    [
      'screener/missing-column.json',
      0,
      'lastsale',
      'no row has the required column lastsale (columns found: symbol, name, volume, marketCap, sector, industry, country, ipoyear, exchange)',
    ],
    [
      'screener/table-without-download.json',
      0,
      'volume',
      'no row has the required columns volume, sector, industry (columns found: symbol, name, lastsale, netchange, pctchange, marketCap, url)',
    ],
  ])('%s', (name, line, field, reason) => {
    const e = refusal(() => parseFixture(name));
    expect(e.toRejection()).toEqual({ file: name.split('/')[1], line, field, reason });
  });

  it('refuses a body that is not JSON, with the parser error and its line when known', () => {
    const e = refusal(() => parseFixture('screener/truncated.json'));
    expect(e.file).toBe('truncated.json');
    expect(e.reason).toMatch(/^the body is not JSON \(.+\)$/);
  });

  it('refuses JSON of another shape and an empty text', () => {
    expect(refusal(() => parseScreener('{"rows":[]}', 'x.json')).reason).toBe(
      'the JSON is not a Nasdaq screener JSON snapshot: expected {"data":{"rows":[…]}}, {"data":{"table":{"rows":[…]}}} or a rows array',
    );
    expect(refusal(() => parseScreener('"hello"', 'x.json')).reason).toMatch(/^the JSON is not a Nasdaq screener/);
    expect(refusal(() => parseScreener('{"data":{"filters":{}}}', 'x.json')).reason).toBe(
      'the JSON has no rows: data has no rows array',
    );
    expect(refusal(() => parseScreener('\uFEFF  \n', 'x.json')).reason).toBe('the body is empty');
  });
});

describe('parseScreener: wrong JSON types and keys missing from one row', () => {
  it('rejects the row, naming the column', () => {
    const good = {
      symbol: 'AAPL',
      name: 'Apple',
      lastsale: '$1.00',
      volume: '1',
      marketCap: '1',
      sector: '',
      industry: '',
    };
    const { symbol: _symbol, ...noSymbol } = good;
    const { name: _name, ...noName } = { ...good, symbol: 'B' };
    const rows = [
      good,
      { ...good, symbol: 'C', volume: true },
      { ...good, symbol: 'D', lastsale: {} },
      noSymbol,
      noName,
      // Good rows after them: a day most of whose rows are rejected is refused whole (issue 17).
      ...['E', 'F', 'G', 'H'].map((symbol) => ({ ...good, symbol })),
    ];
    const f = '2024-06-10.json';
    expect(parseScreener(JSON.stringify(rows), f).rejections).toEqual([
      { file: f, line: 2, field: 'volume', reason: 'true is not a string, number or null' },
      { file: f, line: 3, field: 'lastsale', reason: '{} is not a string or number' },
      { file: f, line: 4, field: 'symbol', reason: 'is missing' },
      { file: f, line: 5, field: 'name', reason: 'is missing' },
    ]);
  });
});

describe('checkScreenerRow implements screenerRowSchema exactly', () => {
  function viaZod(raw: unknown) {
    const r = screenerRowSchema().safeParse(raw);
    return r.success ? r.data : undefined;
  }

  it('agrees on every row of every fixture', () => {
    const rows: unknown[] = [];
    for (const name of ['2024-06-10.json', '2024-06-13.json', '2024-06-14.json', 'missing-column.json']) {
      const json = JSON.parse(fixtureText(`screener/${name}`).text);
      rows.push(...(Array.isArray(json) ? json : (json.data.rows ?? json.data.table.rows)));
    }
    expect(rows.length).toBe(24);
    for (const raw of rows) expect(checkScreenerRow(raw)).toEqual(viaZod(raw));
  });

  it('agrees on arbitrary rows built from real and hostile values', () => {
    const value = fc.oneof(
      fc.constantFrom('$1,209.98', '$0.00', '$0.9741', 'NA', '', ' ', '0.00', '-$1', '$-1', '1e5', ' $3 ', '12,34'),
      fc.constantFrom(null, undefined, true, 0, -0, -1, 12.5, Number.NaN, Number.POSITIVE_INFINITY, [], {}),
      fc.string({ maxLength: 8 }),
      fc.double(),
    );
    const keys = ['symbol', 'name', 'lastsale', 'volume', 'marketCap', 'sector', 'industry', 'country'] as const;
    const rowArb = fc.oneof(
      fc.record(Object.fromEntries(keys.map((k) => [k, value])) as Record<(typeof keys)[number], typeof value>, {
        requiredKeys: [],
      }),
      fc.record({
        symbol: fc.constantFrom('AAPL', 'BRK/B', ' ', ''),
        name: fc.string(),
        lastsale: value,
        volume: value,
        marketCap: value,
        sector: fc.constantFrom('Finance', '', null, ' Technology '),
        industry: fc.string(),
      }),
      value,
    );
    fc.assert(
      fc.property(rowArb, (raw) => {
        expect(checkScreenerRow(raw)).toEqual(viaZod(raw));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the text scanner: a compact snapshot read without JSON.parse gives what JSON.parse and zod give', () => {
  /** The parse, or the refusal as a rejection: what a caller can observe. */
  function outcome(text: string, rowCheck: 'fast' | 'json' | 'zod') {
    try {
      return parseScreener(text, '2024-06-10.json', { rowCheck });
    } catch (error) {
      if (error instanceof FormatError) return error.toRejection();
      throw error;
    }
  }
  function agree(text: string) {
    const fast = outcome(text, 'fast');
    expect(fast).toEqual(outcome(text, 'zod'));
    expect(fast).toEqual(outcome(text, 'json'));
    return fast;
  }
  const compact = (rows: unknown[]) => JSON.stringify({ data: { rows } });
  const good = {
    symbol: 'AAPL',
    name: 'Apple Inc. Common Stock',
    lastsale: '$1,209.98',
    volume: '1000',
    marketCap: '2000000.00',
    sector: 'Technology',
    industry: 'Computer Manufacturing',
    country: 'United States',
  };

  it('reads the API shape in place: no JSON.parse of the whole text', () => {
    const text = compact([good, { ...good, symbol: 'BRK/B', name: null, sector: ' ', marketCap: '0.00' }]);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const parsed = parseScreener(text, '2024-06-10.json');
      expect(parse.mock.calls.filter(([t]) => t === text)).toEqual([]);
      expect(parsed.records.map((r) => [r.symbol, r.name, r.price, r.marketCap, r.sector])).toEqual([
        ['AAPL', 'Apple Inc. Common Stock', 1209.98, 2000000, 'Technology'],
        ['BRK.B', '', 1209.98, null, 'Unclassified'],
      ]);
    } finally {
      parse.mockRestore();
    }
    expect(agree(text)).toEqual(parseScreener(` ${text}`, '2024-06-10.json'));
  });

  it('agrees on every fixture written compactly', () => {
    let rows = 0;
    let read = 0;
    for (const name of ['2024-06-10.json', '2024-06-11.json.gz', '2024-06-13.json', '2024-06-14.json']) {
      const json = JSON.parse(fixtureText(`screener/${name}`).text);
      const list = Array.isArray(json) ? json : (json.data.rows ?? json.data.table.rows);
      rows += list.length;
      const parsed = agree(compact(list));
      if ('records' in parsed) read += parsed.records.length + parsed.rejections.length;
    }
    for (const name of ['no-rows.json', 'missing-column.json', 'table-without-download.json', 'api-error.json']) {
      agree(JSON.stringify(JSON.parse(fixtureText(`screener/${name}`).text)));
    }
    expect(read).toBe(rows);
    expect(rows).toBe(25);
  });

  it('agrees on texts that are almost the API shape: escapes, control characters, other values, keys and endings', () => {
    const base = compact([good, { ...good, symbol: 'MSFT' }]);
    const texts = [
      base,
      `${base}\n`,
      `${base} \r\n\t`,
      `\uFEFF${base}`,
      `${base}x`,
      `${base}}`,
      base.slice(0, -1),
      base.slice(0, -3),
      base.replace('"Apple', '"App\\u006ce'),
      base.replace('"Apple', '"App\\"le'),
      base.replace('"Apple', '"App\\le'),
      base.replace('"Apple', '"App\tle'),
      base.replace('"Apple', '"App\u0000le'),
      base.replace('"Apple', '"App\u2028le \uD800'),
      base.replace('"symbol"', '"sym\\u0062ol"'),
      base.replace('"1000"', '1000'),
      base.replace('"1000"', 'null'),
      base.replace('"1000"', 'nul'),
      base.replace('"1000"', 'true'),
      base.replace('"1000"', '[1]'),
      base.replace('"1000"', '{"a":1}'),
      base.replace('"United States"', '{"a":[1,2]}'),
      base.replace('"$1,209.98"', '" $1,209.98"'),
      base.replace('"$1,209.98"', '"$1,209.98 "'),
      base.replace('"$1,209.98"', '"\u00a01"'),
      base.replace('"$1,209.98"', '"$0.00"'),
      base.replace('"$1,209.98"', '"$99999999"'),
      base.replace('"2000000.00"', '"9e99"'),
      base.replace('"2000000.00"', '"999999999999999999999999"'),
      base.replace('"2000000.00"', '""'),
      base.replace('"2000000.00"', '" "'),
      base.replace('"2000000.00"', '"$"'),
      base.replace('"Technology"', '"  Technology  "'),
      base.replace('"Technology"', `"${'x'.repeat(600)}"`),
      base.replace('"symbol":"AAPL"', '"symbol":"AAPL","symbol":"MSFT"'),
      base.replace('"symbol":"AAPL"', '"symbol":"AAPL","symbol":null'),
      base.replace('"symbol":"AAPL"', '"symbol":"aa pl"'),
      base.replace('"symbol":"AAPL"', '"symbol":" "'),
      base.replace('"symbol":"AAPL"', `"symbol":"${'A'.repeat(20)}"`),
      base.replace('"name":"Apple Inc. Common Stock",', ''),
      base.replace(/"lastsale":"[^"]*",/g, ''),
      base.replace('"country":"United States"', '"__proto__":"x"'),
      base.replace('{"symbol":"AAPL"', '{ "symbol":"AAPL"'),
      base.replace('},{', '}, {'),
      base.replace('},{', '},"x",{'),
      base.replace('},{', '},{},{'),
      base.replace('},{', '},null,{'),
      base.replace('{"data":', '{"data" :'),
      base.replace('{"data":', '{"status":null,"data":'),
      base.replace(']}}', '],"rows":[]}}'),
      base.replace(']}}', ']},"data":null}'),
      '{"data":{"rows":[]}}',
      '{"data":{"rows":[{}]}}',
      '{"data":{"rows":[{"symbol":"A"}]}}',
    ];
    for (const text of texts) agree(text);
    // Any one character put in, or taken out, anywhere.
    const put = fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', ' ', '\n', '\u0001', 'n', '1', '\u00e9');
    fc.assert(
      fc.property(fc.nat(base.length), put, fc.boolean(), (at, c, cut) => {
        agree(cut ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + c + base.slice(at));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees day after day while rows keep, change or lose the layout of their symbol’s last row', () => {
    // The scanner remembers each symbol's last row and its place (layoutRow): days in a row, with listings
    // added and gone, names, sectors and other columns changed, rows repeated, reordered or damaged.
    const listing = (k: number) => ({
      symbol: `S${k}`,
      name: `Company ${k} Common Stock`,
      lastsale: `$${k}.25`,
      volume: `${1000 + k}`,
      marketCap: `${k}000000.00`,
      sector: k % 3 === 0 ? '' : 'Finance',
      industry: `Industry ${k % 5}`,
      country: 'United States',
      ipoyear: '2001',
      exchange: 'NYSE',
    });
    const day = fc.record({
      drop: fc.array(fc.nat(39), { maxLength: 3 }),
      add: fc.array(fc.integer({ min: 40, max: 45 }), { maxLength: 3 }),
      price: fc.array(fc.tuple(fc.nat(39), fc.constantFrom('$1.5', '$0.00', '', 'NA', '$1,000.5', ' $2 ')), {
        maxLength: 6,
      }),
      text: fc.array(
        fc.tuple(
          fc.nat(39),
          fc.constantFrom('name', 'sector', 'industry', 'country', 'volume', 'marketCap', 'symbol'),
          fc.constantFrom('Other Name Inc.', '', ' Finance ', 'S1', 'S2', '0.00', '9e99', 'same length'),
        ),
        { maxLength: 3 },
      ),
      nulls: fc.array(fc.tuple(fc.nat(39), fc.constantFrom('name', 'sector', 'volume', 'country')), { maxLength: 2 }),
      reorder: fc.array(fc.nat(39), { maxLength: 2 }),
      extra: fc.array(fc.nat(39), { maxLength: 2 }),
      repeat: fc.array(fc.nat(39), { maxLength: 2 }),
      swap: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(day, { minLength: 2, maxLength: 6 }), (days) => {
        let keys = Array.from({ length: 40 }, (_, k) => k);
        for (const d of days) {
          keys = [...keys.filter((k) => !d.drop.includes(k)), ...d.add].sort((a, b) => a - b);
          if (d.swap && keys.length > 3) keys = [keys[1] as number, keys[0] as number, ...keys.slice(2)];
          const rows: Record<string, unknown>[] = keys.map((k) => listing(k));
          for (const [k, v] of d.price) if (rows[k]) (rows[k] as Record<string, unknown>).lastsale = v;
          for (const [k, col, v] of d.text) {
            const r = rows[k];
            if (!r) continue;
            // 'same length': the last character changed, so the row's text keeps its length.
            const was = String(r[col]);
            r[col] = v === 'same length' ? `${was.slice(0, -1)}${was.endsWith('x') ? 'y' : 'x'}` : v;
          }
          for (const [k, col] of d.nulls) if (rows[k]) (rows[k] as Record<string, unknown>)[col] = null;
          for (const k of d.reorder) {
            const r = rows[k];
            if (r) rows[k] = { name: r.name, ...r };
          }
          for (const k of d.extra) if (rows[k]) (rows[k] as Record<string, unknown>).url = '/market-activity/x';
          for (const k of d.repeat) if (rows[k]) rows.push({ ...(rows[k] as Record<string, unknown>), lastsale: '$3' });
          agree(compact(rows));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees on arbitrary compact snapshots of real and hostile rows', () => {
    const value = fc.oneof(
      fc.constantFrom('$1,209.98', '$0.00', '$0.9741', 'NA', '', ' ', '0.00', '-$1', '$-1', '1e5', ' $3 ', '12,34'),
      fc.constantFrom(null, true, 0, -1, 12.5, [], {}),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
    );
    const keys = ['symbol', 'name', 'lastsale', 'volume', 'marketCap', 'sector', 'industry', 'country'] as const;
    const rowArb = fc.oneof(
      fc.record(Object.fromEntries(keys.map((k) => [k, value])) as Record<(typeof keys)[number], typeof value>, {
        requiredKeys: [],
      }),
      fc.record({
        symbol: fc.constantFrom('AAPL', 'BRK/B', 'BRK.B', 'MSFT', ' ', ''),
        name: fc.oneof(fc.string(), fc.constant(null)),
        lastsale: value,
        volume: value,
        marketCap: value,
        sector: fc.constantFrom('Finance', '', null, ' Technology '),
        industry: fc.string(),
        country: fc.string({ maxLength: 3 }),
      }),
      fc.constant(good),
    );
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 6 }), (rows) => {
        agree(compact(rows));
      }),
      { numRuns: 3000 },
    );
  });
});
