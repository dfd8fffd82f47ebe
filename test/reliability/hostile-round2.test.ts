/**
 * Issue 17, "Hostile data, round 2": damaged inputs built from real rows, each refused or read with the
 * file, line and field named, and nothing half-taken. The rows are cut from the real files in ../shared/data:
 * finra/short-interest/2024/shrt20241231.csv lines 1–5 and nasdaq-screener/2024/2024-12-31.json.gz rows 1–4.
 */
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inputPaths } from '../../functions/cli/args.ts';
import { ignoredFiles } from '../../functions/cli/commands/build.ts';
import { loadInput, openInput } from '../../functions/cli/input-folder.ts';
import { readInputFile, readPriceFile } from '../../functions/cli/price-file.ts';
import { listFolder, SHORT_INTEREST_FILE } from '../../functions/lib/input-names.ts';
import { startEmulators } from '../../functions/local/emulators.ts';
import type { PriceDay } from '../../shared/domain.ts';
import { FormatError, parseScreener, parseShortInterest } from '../../shared/formats/index.ts';
import { MAX_TEXT_LENGTH } from '../../shared/formats/text.ts';
import { startBatch } from '../../shared/methodology/index.ts';
import { headersForPath } from '../../shared/present/security-headers.ts';
import { startStaticServer } from '../../site/serve.ts';

const SI_HEADER =
  'accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate';
const SI_ROWS = [
  '20241231|A|Agilent Technologies Inc.|A|NYSE|2911097|3151214||1523270|1.91||-7.62|-240117|2024-12-31',
  '20241231|AA|Alcoa Corporation|A|NYSE|8240146|8328174||3445012|2.39||-1.06|-88028|2024-12-31',
  '20241231|AAA|Alternative Access First Prior|E|ARCA|29509|19404||17436|1.69||52.08|10105|2024-12-31',
  '20241231|AAAU|Goldman Sachs Physical Gold ET|H|BZX|643889|328481||1679326|1.00||96.02|315408|2024-12-31',
  '20241231|AABB|Asia Broadband Inc Common Stoc|S|OTC|3989|24744||13853138|1.00||-83.88|-20755|2024-12-31',
];
/** The quantity column written with thousands separators, as a spreadsheet export does. */
const withSeparators = (line: string) =>
  line
    .split('|')
    .map((v, i) => (i === 5 ? Number(v).toLocaleString('en-US') : v))
    .join('|');

const SCREENER_ROWS = [
  {
    symbol: 'AACG',
    name: 'ATA Creativity Global American Depositary Shares',
    lastsale: '$0.846',
    volume: '18083',
    marketCap: '27072110.00',
    sector: 'Real Estate',
    industry: 'Other Consumer Services',
    country: 'China',
    ipoyear: '2008',
    exchange: 'NASDAQ',
  },
  {
    symbol: 'AADI',
    name: 'Aadi Bioscience Inc. Common Stock',
    lastsale: '$3.155',
    volume: '414817',
    marketCap: '77762522.00',
    sector: 'Health Care',
    industry: 'Biotechnology: Pharmaceutical Preparations',
    country: 'United States',
    ipoyear: '',
    exchange: 'NASDAQ',
  },
  {
    symbol: 'AAL',
    name: 'American Airlines Group Inc. Common Stock',
    lastsale: '$17.43',
    volume: '12668382',
    marketCap: '11453793260.00',
    sector: 'Consumer Discretionary',
    industry: 'Air Freight/Delivery Services',
    country: 'United States',
    ipoyear: '',
    exchange: 'NASDAQ',
  },
  {
    symbol: 'AAME',
    name: 'Atlantic American Corporation Common Stock',
    lastsale: '$1.54',
    volume: '4641',
    marketCap: '31415627.00',
    sector: 'Finance',
    industry: 'Life Insurance',
    country: 'United States',
    ipoyear: '',
    exchange: 'NASDAQ',
  },
];
const screenerJson = (rows: unknown[]) => JSON.stringify({ data: { rows } });

describe('issue 17: a file most of whose rows are rejected does not take effect', () => {
  it('a short interest file with thousands separators in its quantities is refused whole, naming the first bad row', () => {
    const text = `${[SI_HEADER, ...SI_ROWS.map(withSeparators)].join('\n')}\n`;
    expect(() => parseShortInterest(text, 'shrt20241231.csv')).toThrow(FormatError);
    expect(() => parseShortInterest(text, 'shrt20241231.csv')).toThrow(
      /^shrt20241231\.csv: (5 of its 5 records are rejected and only 0 kept|none of the 5 records is valid)/,
    );
    // Four of five rows bad: still refused, with the count.
    const mixed = `${[SI_HEADER, SI_ROWS[0], ...SI_ROWS.slice(1).map(withSeparators)].join('\n')}\n`;
    expect(() => parseShortInterest(mixed, 'shrt20241231.csv')).toThrow(
      'shrt20241231.csv: 4 of its 5 records are rejected and only 1 kept (first: shrt20241231.csv line 3, field currentShortPositionQuantity: "8,240,146" is not a number): a file most of whose rows are rejected is refused, not taken in part',
    );
    // One of five bad: the file is taken, the row reported.
    const one = `${[SI_HEADER, ...SI_ROWS.slice(0, 4), withSeparators(SI_ROWS[4] as string)].join('\n')}\n`;
    const p = parseShortInterest(one, 'shrt20241231.csv');
    expect(p.records.map((r) => r.symbol)).toEqual(['A', 'AA', 'AAA', 'AAAU']);
    expect(p.rejections.map((r) => [r.line, r.field])).toEqual([[6, 'currentShortPositionQuantity']]);
  });

  it('a screener day most of whose rows have no valid price is refused whole', () => {
    const rows = SCREENER_ROWS.map((r, i) => (i === 0 ? r : { ...r, lastsale: 'N/A' }));
    expect(() => parseScreener(screenerJson(rows), '2024-12-31.json')).toThrow(
      /^2024-12-31\.json: 3 of its 4 rows are rejected and only 1 kept \(first: 2024-12-31\.json (line|row) \d+, field lastsale/,
    );
  });
});

describe('issue 17: symbols with stray punctuation are rejected, not read as new symbols', () => {
  it.each(['AAL.', 'AAL/', '^AAL', 'AAL//B', '-AAL'])(
    'screener symbol %s: the row is rejected on field symbol',
    (symbol) => {
      const rows = [...SCREENER_ROWS.slice(0, 3), { ...(SCREENER_ROWS[3] as object), symbol }];
      const p = parseScreener(screenerJson(rows), '2024-12-31.json');
      expect(p.records.map((r) => r.symbol)).toEqual(['AACG', 'AADI', 'AAL']);
      expect(p.rejections).toHaveLength(1);
      expect(p.rejections[0]).toMatchObject({ file: '2024-12-31.json', field: 'symbol' });
      expect(p.rejections[0]?.reason).toContain('stray punctuation');
    },
  );

  it('a preferred without a series (ABR^) is still read, as the screener writes it', () => {
    const rows = [...SCREENER_ROWS, { ...(SCREENER_ROWS[0] as object), symbol: 'ABR^' }];
    expect(parseScreener(screenerJson(rows), '2024-12-31.json').records.map((r) => r.symbol)).toContain('ABR-P');
  });
});

describe('issue 17: a value nested 200,000 deep in one field', () => {
  it('rejects that row naming file, row and field; the day and its other rows are read', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const rows = SCREENER_ROWS.map((r) => JSON.stringify(r));
    rows[2] = (rows[2] as string).replace('"American Airlines Group Inc. Common Stock"', deep);
    const p = parseScreener(`{"data":{"rows":[${rows.join(',')}]}}`, '2024-12-31.json');
    expect(p.records.map((r) => r.symbol)).toEqual(['AACG', 'AADI', 'AAME']);
    expect(p.rejections).toEqual([
      {
        file: '2024-12-31.json',
        line: 3,
        field: 'name',
        reason: '[… nested too deep to show] is not a string or null',
      },
    ]);
  });
});

describe('issue 17: text fields are bounded', () => {
  it('a megabyte company name keeps its first 500 characters and an ellipsis; the row and its figures stay', () => {
    const huge = `American Airlines ${'x'.repeat(1_000_000)}`;
    const rows = SCREENER_ROWS.map((r) => (r.symbol === 'AAL' ? { ...r, name: huge, industry: huge } : r));
    const aal = parseScreener(screenerJson(rows), '2024-12-31.json').records.find((r) => r.symbol === 'AAL');
    expect(aal?.name).toBe(`${huge.slice(0, MAX_TEXT_LENGTH)}…`);
    expect(aal?.industry).toHaveLength(MAX_TEXT_LENGTH + 1);
    expect(aal?.price).toBe(17.43);
  });
});

describe('issue 17: a file too large to be an input is refused before it is read, named', () => {
  it('a 65 MiB price file (sparse) is refused with its size, hashed in chunks, never parsed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oversized-'));
    const file = '2024-12-31.json';
    writeFileSync(path.join(dir, file), '');
    truncateSync(path.join(dir, file), 65 * 1024 * 1024);
    const read = readPriceFile(dir, file);
    expect(read.day).toBeNull();
    expect(read.refusal?.message).toBe(
      '2024-12-31.json: is 68,157,440 bytes, above the 67,108,864 bytes any input file may have: refused before reading',
    );
    expect(read.source).toEqual({
      file,
      // sha256 of 65 MiB of zero bytes
      sha256: read.source.sha256,
      rows: 0,
    });
    expect(read.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    const si = readInputFile('short-interest', dir, file, (text) => parseShortInterest(text, file));
    expect(si.refusal?.message).toContain('refused before reading');
  });
});

describe('issue 17: one day with half again as many listings does not poison rule 2 (v3)', () => {
  // Eight weekdays; day 3 lists 150 symbols, the others 100. Under v2 the big day becomes the reference
  // and every later normal day (100 < 70% of 150 = 105) is rejected as partial; v3 compares with the
  // median of the last 5 accepted days.
  const dates = [
    '2024-03-04',
    '2024-03-05',
    '2024-03-06',
    '2024-03-07',
    '2024-03-08',
    '2024-03-11',
    '2024-03-12',
    '2024-03-13',
  ];
  const days: PriceDay[] = dates.map((date, i) => ({
    date,
    file: `${date}.json`,
    rows: Array.from({ length: i === 2 ? 150 : 100 }, (_, k) => ({
      symbol: `S${k}`,
      name: `S${k} Inc.`,
      price: 10 + k + i * 0.01,
      marketCap: 1e9,
      volume: 1000,
      sector: 'Technology',
      industry: '',
    })),
  }));
  const run = (methodology: 2 | 3) => {
    const fold = startBatch({ shortInterest: [], splits: [], methodology });
    for (const d of days) fold.add(d);
    return fold.finish().body.dataQuality;
  };

  it('v2 (unchanged, reproducible): every day after the big one is rejected as partial', () => {
    const dq = run(2);
    expect(dq.rejectedDays.map((r) => r.date)).toEqual(dates.slice(3));
    expect(dq.rejectedDays[0]?.reason).toBe('partial: 100 symbols, fewer than 70% of the 150 on 2024-03-06');
  });

  it('v3: the median reference accepts them all', () => {
    const dq = run(3);
    expect(dq.rejectedDays).toEqual([]);
    expect(dq.acceptedDays).toBe(8);
  });

  it('v3: a real partial day is still rejected, against the median', () => {
    const partial = [...days];
    partial[6] = { ...(days[6] as PriceDay), rows: (days[6] as PriceDay).rows.slice(0, 60) };
    const fold = startBatch({ shortInterest: [], splits: [] });
    for (const d of partial) fold.add(d);
    const dq = fold.finish().body.dataQuality;
    expect(dq.rejectedDays).toEqual([
      {
        date: '2024-03-12',
        file: '2024-03-12.json',
        reason: 'partial: 60 symbols, fewer than 70% of the median 100 of the last 5 accepted days',
      },
    ]);
  });
});

describe('issue 17: a price file dated after today is refused, never published', () => {
  it('pulse build (openInput) and validate (loadInput) refuse 2099-01-02.json unread, naming it; the other days are read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'future-'));
    const prices = path.join(dir, 'prices');
    mkdirSync(prices);
    const rows = screenerJson(SCREENER_ROWS);
    writeFileSync(path.join(prices, '2024-12-31.json'), rows);
    writeFileSync(path.join(prices, '2099-01-02.json'), rows);
    const paths = inputPaths({ prices });
    const reason =
      'is dated 2099-01-02, after today (2026-12-07, New York): a file from the future is refused, never published';
    const loaded = loadInput(paths, { today: '2026-12-07' });
    expect(loaded.priceDays.map((d) => d.date)).toEqual(['2024-12-31']);
    expect(loaded.refusals).toEqual([
      { kind: 'prices', file: '2099-01-02.json', message: `2099-01-02.json: ${reason}` },
    ]);
    expect(loaded.rejections).toEqual([{ file: '2099-01-02.json', line: 0, field: '*', reason }]);
    const opened = openInput(paths, { today: '2026-12-07', workers: 0 });
    const days: string[] = [];
    for await (const d of opened.priceDays()) days.push(d.date);
    expect(days).toEqual(['2024-12-31']);
    expect(opened.files().refusals).toEqual(loaded.refusals);
    expect(opened.files().sources.map((s) => s.file)).toEqual(['2024-12-31.json', '2099-01-02.json']);
  });
});

describe('issue 17: one module lists an input folder for every command', () => {
  it('build and validate read a gzipped short interest file (as run does) and symlinked files; a broken link is reported', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'listing-'));
    const prices = path.join(dir, 'prices');
    const si = path.join(dir, 'short-interest');
    const elsewhere = path.join(dir, 'elsewhere');
    for (const d of [prices, si, elsewhere]) mkdirSync(d);
    writeFileSync(path.join(elsewhere, '2024-12-31.json'), screenerJson(SCREENER_ROWS));
    symlinkSync(path.join(elsewhere, '2024-12-31.json'), path.join(prices, '2024-12-31.json'));
    symlinkSync(path.join(elsewhere, 'gone.json'), path.join(prices, '2024-12-30.json'));
    writeFileSync(path.join(si, 'shrt20241231.csv.gz'), gzipSync(`${[SI_HEADER, ...SI_ROWS].join('\n')}\n`));
    expect(listFolder(prices)).toEqual({ files: ['2024-12-31.json'], broken: ['2024-12-30.json'] });
    const loaded = loadInput(inputPaths({ input: dir }), { today: '2026-12-07' });
    expect(loaded.priceDays.map((d) => d.date)).toEqual(['2024-12-31']);
    expect(loaded.shortInterest.map((f) => [f.settlementDate, f.files, f.shares.get('AA')])).toEqual([
      ['2024-12-31', ['shrt20241231.csv.gz'], 8240146],
    ]);
    expect(loaded.ignored).toEqual([path.join(prices, '2024-12-30.json')]);
    expect(SHORT_INTEREST_FILE.test('shrt20241231.csv.gz')).toBe(true);
  });
});

describe('issue 17: the local server’s 500 answer', () => {
  it('carries the security headers and no file path; the cause goes to the operator’s terminal', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'serve-'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>x</title>');
    const server = await startStaticServer({
      root,
      port: 0,
      headers: (p: string) => {
        if (p === '/boom') throw new Error(`EACCES: permission denied, open '${root}/secret/boom'`);
        return headersForPath(p);
      },
    });
    try {
      const r = await fetch(`${server.url}/boom`);
      expect(r.status).toBe(500);
      expect(await r.text()).toBe('Internal error\n');
      const expected = headersForPath('/');
      for (const [name, value] of Object.entries(expected)) expect(r.headers.get(name), name).toBe(value);
      expect(r.headers.get('content-security-policy')).toBeTruthy();
    } finally {
      await server.close();
    }
  });
});

describe('issue 17: junk files in an input folder', () => {
  const root = '/home/operator/private/input';
  it('a few are listed by their path inside the input, never the operator’s absolute path', () => {
    const r = ignoredFiles([`${root}/prices/notes.txt`], root);
    expect(r).toEqual([
      {
        file: 'notes.txt',
        line: 0,
        field: '*',
        reason:
          'not read: the name matches no input pattern (prices/YYYY-MM-DD.json[.gz], shrtYYYYMMDD*.csv[.gz], CNMSshvolYYYYMMDD.txt[.gz], split-calendar/splits-YYYY-MM-DD.json) in prices/',
      },
    ]);
    expect(JSON.stringify(r)).not.toContain('/home/operator');
  });

  it('10,000 of them are one line, not 10,000 rejected rows', () => {
    const junk = Array.from({ length: 10_000 }, (_, i) => `${root}/prices/junk-${String(i).padStart(5, '0')}.bin`);
    const r = ignoredFiles(junk, root);
    expect(r).toHaveLength(1);
    expect(r[0]?.reason).toMatch(
      /^10,000 files not read: .*; first: prices\/junk-00000\.bin, prices\/junk-00001\.bin, prices\/junk-00002\.bin$/,
    );
    expect(JSON.stringify(r)).not.toContain('/home/operator');
  });
});

describe('issue 17: a second run on a state folder in use', () => {
  it('is refused with a clear message naming the folder and the process; a lock left by a dead process is taken over', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'state-'));
    const first = await startEmulators({ dir });
    try {
      await expect(startEmulators({ dir })).rejects.toThrow(
        `the state folder ${dir} is in use by another Short Pulse process (pid ${process.pid}: npm start, pulse run or pulse backfill); stop it first, or give this run another --state folder`,
      );
    } finally {
      await first.stop();
    }
    // kill -9 leaves the lock behind: a pid that no longer runs does not hold the folder.
    writeFileSync(path.join(dir, '.lock'), '2147483646\n');
    const again = await startEmulators({ dir });
    await again.stop();
    // A restarted container often gets the very pid of the crashed one: our pid in a lock we do not hold.
    writeFileSync(path.join(dir, '.lock'), `${process.pid}\n`);
    const restarted = await startEmulators({ dir });
    await restarted.stop();
  }, 30_000);
});

describe('issue 16 review: --as-of leaves later files out before revisions merge', () => {
  it('the R rows of a file settled after A do not revise the file in effect on A', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'asof-'));
    const si = path.join(dir, 'short-interest');
    mkdirSync(si);
    const dec13 = SI_ROWS.map((l) => l.replace('20241231|', '20241213|').replace('|2024-12-31', '|2024-12-13'));
    writeFileSync(path.join(si, 'shrt20241213.csv'), `${[SI_HEADER, ...dec13].join('\n')}\n`);
    // 12-31's AA row flagged R: the 12-13 figure of AA was 8,328,174 (this row's previousShortPositionQuantity).
    const dec31 = SI_ROWS.map((l) => (l.startsWith('20241231|AA|') ? l.replace('|2.39||', '|2.39|R|') : l));
    writeFileSync(path.join(si, 'shrt20241231.csv'), `${[SI_HEADER, ...dec31].join('\n')}\n`);
    const all = loadInput(inputPaths({ input: dir }));
    expect(all.shortInterest.find((f) => f.settlementDate === '2024-12-13')?.shares.get('AA')).toBe(8328174);
    const asOf = loadInput(inputPaths({ input: dir }), { asOf: '2024-12-20' });
    expect(asOf.shortInterest.map((f) => f.settlementDate)).toEqual(['2024-12-13']);
    expect(asOf.shortInterest[0]?.shares.get('AA')).toBe(8240146);
  });
});
