/**
 * Issue 18, item 2: price history from a git archive of the screener (and from a folder of saved snapshots).
 * Each test builds a small archive like github.com/rreichel3/US-Stock-Symbols in a temp dir with the git
 * command line (committer dates chosen), so it runs offline.
 */
import { execFileSync } from 'node:child_process';
import { hash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type DayOutcome, PRICE_SOURCE_MANIFEST, PriceHistoryError } from '../../functions/cli/fetch/price-history.ts';
import { pricesFromFolder } from '../../functions/cli/fetch/prices-from-folder.ts';
import {
  ARCHIVE_EXCHANGES,
  cacheNameOf,
  newYorkTime,
  nightOf,
  pricesFromGit,
} from '../../functions/cli/fetch/prices-from-git.ts';
import { parseScreener } from '../../shared/formats/nasdaq-screener.ts';

// Values of ../shared/data/nasdaq-screener/2024/<day>.json.gz (AAPL row 10–11, IBM ~5,400–5,500, KO ~5,560–5,650,
// IMO ~7,070–7,150, SIF ~7,170–7,260): [lastsale, volume, marketCap]. The archive's rows also carry netchange,
// pctchange and url, which the shared files dropped; they are written in the API's form and read by nobody.
type Quote = [string, string, string];
const QUOTES: Record<string, Record<'AAPL' | 'IBM' | 'KO' | 'IMO' | 'SIF', Quote>> = {
  '2024-01-02': {
    AAPL: ['$185.64', '82373515', '2887212881280.00'],
    IBM: ['$161.50', '3824088', '147468650832.00'],
    KO: ['$59.82', '16319814', '258626614114.00'],
    IMO: ['$57.93', '485144', '32827026146.00'],
    SIF: ['$3.71', '138287', '22657519.00'],
  },
  '2024-01-04': {
    AAPL: ['$181.91', '71917911', '2829201116320.00'],
    IBM: ['$160.86', '3211401', '146884254940.00'],
    KO: ['$59.76', '12911432', '258367209286.00'],
    IMO: ['$58.97', '409459', '33416359948.00'],
    SIF: ['$3.57', '15160', '21792847.00'],
  },
  '2024-01-05': {
    AAPL: ['$181.18', '62300342', '2817847607360.00'],
    IBM: ['$159.16', '4199360', '145331953352.00'],
    KO: ['$59.67', '10411355', '257978102043.00'],
    IMO: ['$58.79', '340375', '33314359867.00'],
    SIF: ['$3.56', '15088', '21731803.00'],
  },
  '2024-01-08': {
    AAPL: ['$185.56', '59086375', '2885968661120.00'],
    IBM: ['$161.14', '3321347', '147139928142.00'],
    KO: ['$60.11', '11551357', '259880404119.00'],
    IMO: ['$57.45', '362082', '32555025929.00'],
    SIF: ['$3.28', '44203', '20022560.00'],
  },
  '2024-01-09': {
    AAPL: ['$185.14', '42801102', '2879436505280.00'],
    IBM: ['$160.08', '2616332', '146172022446.00'],
    KO: ['$60.00', '10491299', '259404828600.00'],
    IMO: ['$58.17', '522704', '32963026254.00'],
    SIF: ['$3.10', '14721', '18923761.00'],
  },
  '2024-01-10': {
    AAPL: ['$186.19', '46728653', '2895766894880.00'],
    IBM: ['$161.23', '2967776', '147222108815.00'],
    KO: ['$60.20', '12252933', '260269511362.00'],
    IMO: ['$57.88', '1120386', '32798692790.00'],
    SIF: ['$3.1205', '19101', '19048902.00'],
  },
  '2024-01-11': {
    AAPL: ['$185.59', '49071483', '2886435243680.00'],
    IBM: ['$162.16', '3777866', '148071309095.00'],
    KO: ['$59.81', '13752444', '258583379976.00'],
    IMO: ['$58.29', '495049', '33031026308.00'],
    SIF: ['$3.04', '11462', '18557495.00'],
  },
  '2024-01-12': {
    AAPL: ['$185.92', '40444634', '2891567651840.00'],
    IBM: ['$165.80', '4956146', '151395060730.00'],
    KO: ['$60.39', '13216691', '261090959986.00'],
    IMO: ['$58.12', '271148', '32934692898.00'],
    SIF: ['$3.0631', '1678', '18698507.00'],
  },
};

const LISTING = {
  AAPL: ['Apple Inc. Common Stock', 'United States', '1980', 'Computer Manufacturing', 'Technology'],
  IBM: [
    'International Business Machines Corporation Common Stock',
    'United States',
    '',
    'Computer Manufacturing',
    'Technology',
  ],
  KO: [
    'Coca-Cola Company (The) Common Stock',
    'United States',
    '',
    'Beverages (Production/Distribution)',
    'Consumer Staples',
  ],
  IMO: ['Imperial Oil Limited Common Stock', 'Canada', '1929', 'Integrated oil Companies', 'Energy'],
  SIF: ['SIFCO Industries Inc. Common Stock', 'United States', '1969', 'Aerospace', 'Industrials'],
} as const;

type Symbol = keyof typeof LISTING;
const SYMBOLS_OF: Record<'NASDAQ' | 'NYSE' | 'AMEX', Symbol[]> = {
  NASDAQ: ['AAPL'],
  NYSE: ['IBM', 'KO'],
  AMEX: ['IMO', 'SIF'],
};

/** One row in the archive's column order (`jq '.data.rows'` of the API with download=true). */
function archiveRow(symbol: Symbol, [lastsale, volume, marketCap]: Quote) {
  const [name, country, ipoyear, industry, sector] = LISTING[symbol];
  return {
    symbol,
    name,
    lastsale,
    netchange: '0.00',
    pctchange: '0.00%',
    volume,
    marketCap,
    country,
    ipoyear,
    industry,
    sector,
    url: `/market-activity/stocks/${symbol.toLowerCase()}`,
  };
}

/** An exchange file as jq writes it: 2-space indented, newline at the end. */
function exchangeFile(day: string, exchange: 'NASDAQ' | 'NYSE' | 'AMEX', patch: Partial<Record<Symbol, Quote>> = {}) {
  const quotes = { ...QUOTES[day], ...patch } as Record<Symbol, Quote>;
  return `${JSON.stringify(
    SYMBOLS_OF[exchange].map((s) => archiveRow(s, quotes[s])),
    null,
    2,
  )}\n`;
}

function allFiles(day: string, patch: Partial<Record<Symbol, Quote>> = {}): Record<string, string> {
  return Object.fromEntries(ARCHIVE_EXCHANGES.map((e) => [e.path, exchangeFile(day, e.exchange, patch)]));
}

function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=Archive Bot',
      '-c',
      'user.email=bot@example.invalid',
      '-c',
      'commit.gpgsign=false',
      '-C',
      dir,
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  ).toString('utf8');
}

/** Writes `files` (null removes one) and commits them with author and committer time `at` (UTC). */
function commitAt(repo: string, at: string, files: Record<string, string | null>): string {
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(repo, file);
    if (text === null) rmSync(full, { force: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', `Update stock symbols - ${at}`], {
    GIT_AUTHOR_DATE: at,
    GIT_COMMITTER_DATE: at,
  });
  return git(repo, ['rev-parse', 'HEAD']).trim();
}

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * The archive of the first two weeks of January 2024 (New York is UTC−5). Its cron runs at 00:00 UTC, i.e.
 * 19:00 in New York the evening before.
 */
function buildArchive() {
  const repo = tempDir('pulse-archive-');
  git(repo, ['init', '-q']);
  const c = {
    // 09:29:59 on Jan 2: still the night of Jan 1 (a holiday): no trading day.
    holidayNight: commitAt(repo, '2024-01-02T14:29:59Z', allFiles('2024-01-02', { AAPL: ['$192.53', '1', '1.00'] })),
    // 13:00 on Jan 2: daytime, in no night.
    daytime: commitAt(repo, '2024-01-02T18:00:00Z', allFiles('2024-01-02', { AAPL: ['$184.00', '2', '2.00'] })),
    // 19:05 and 21:00 on Jan 2: two commits in one night, the later wins.
    early: commitAt(repo, '2024-01-03T00:05:00Z', allFiles('2024-01-02', { AAPL: ['$185.50', '3', '3.00'] })),
    late: commitAt(repo, '2024-01-03T02:00:00Z', allFiles('2024-01-02')),
    // Nothing in the night of Jan 3. 08:00 on Jan 5: still the night of Jan 4.
    jan4: commitAt(repo, '2024-01-05T13:00:00Z', allFiles('2024-01-04')),
    jan5: commitAt(repo, '2024-01-06T00:00:00Z', allFiles('2024-01-05')),
    // Saturday and Sunday evenings: no trading day (Monday must not take them).
    saturday: commitAt(repo, '2024-01-07T00:00:00Z', allFiles('2024-01-05', { AAPL: ['$999.99', '4', '4.00'] })),
    sunday: commitAt(repo, '2024-01-08T00:00:00Z', allFiles('2024-01-05', { AAPL: ['$888.88', '5', '5.00'] })),
    // Jan 8: the NYSE file cut short.
    jan8: commitAt(repo, '2024-01-09T00:00:00Z', {
      ...allFiles('2024-01-08'),
      'nyse/nyse_full_tickers.json': '[\n  {\n    "symbol": "IBM",\n    "name": "International Bus',
    }),
    // Jan 9: the AMEX file gone.
    jan9: commitAt(repo, '2024-01-10T00:00:00Z', {
      ...allFiles('2024-01-09'),
      'amex/amex_full_tickers.json': null,
    }),
    // Jan 10: AAPL in the NYSE file too (the archive's merge step adds new symbols to both NYSE and NASDAQ).
    jan10: commitAt(repo, '2024-01-11T00:00:00Z', {
      ...allFiles('2024-01-10'),
      'nyse/nyse_full_tickers.json': `${JSON.stringify(
        [...JSON.parse(exchangeFile('2024-01-10', 'NYSE')), archiveRow('AAPL', ['$186.20', '6', '6.00'])],
        null,
        2,
      )}\n`,
    }),
    // Jan 11: the AMEX file unchanged since Jan 10 (the night's job did not update it).
    jan11: commitAt(repo, '2024-01-12T00:00:00Z', {
      'nasdaq/nasdaq_full_tickers.json': exchangeFile('2024-01-11', 'NASDAQ'),
      'nyse/nyse_full_tickers.json': exchangeFile('2024-01-11', 'NYSE'),
    }),
  };
  return { repo, commits: c };
}

function snapshotOf(file: string) {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  return {
    json: JSON.parse(text) as { data: { rows: Record<string, unknown>[] } },
    parsed: parseScreener(text, path.basename(file)),
  };
}

const byDay = (days: DayOutcome[]) => Object.fromEntries(days.map((d) => [d.day, d]));

describe('nightOf: the night of D is [D 16:00, D+1 09:30) New York time', () => {
  it.each([
    ['2024-01-02T21:00:00Z', '2024-01-02', '16:00:00 EST: the close, in'],
    ['2024-01-02T20:59:59Z', null, '15:59:59 EST: the session'],
    ['2024-01-03T00:00:00Z', '2024-01-02', "the archive's cron, 19:00 EST"],
    ['2024-01-03T05:00:00Z', '2024-01-02', 'midnight'],
    ['2024-01-03T14:29:59Z', '2024-01-02', '09:29:59 the next morning'],
    ['2024-01-03T14:30:00Z', null, '09:30:00: the open, out'],
    ['2024-07-02T00:00:00Z', '2024-07-01', "the archive's cron, 20:00 EDT"],
    ['2024-03-11T19:59:59Z', null, '15:59:59 EDT, the day after the change to summer time'],
    ['2024-03-11T20:00:00Z', '2024-03-11', '16:00:00 EDT'],
    ['2024-03-10T06:59:59Z', '2024-03-09', '01:59:59 EST, then the clocks jump'],
    ['2024-03-10T07:00:00Z', '2024-03-09', '03:00:00 EDT'],
    ['2024-11-03T05:30:00Z', '2024-11-02', '01:30 EDT'],
    ['2024-11-03T06:30:00Z', '2024-11-02', '01:30 EST, the same wall time an hour later'],
  ] as [string, string | null, string][])('%s → %s (%s)', (utc, night) => {
    expect(nightOf(Date.parse(utc) / 1000)).toBe(night);
  });

  it('gives the New York wall time with its offset', () => {
    expect(newYorkTime(Date.parse('2024-01-03T02:00:00Z') / 1000)).toEqual({
      date: '2024-01-02',
      minutes: 21 * 60,
      iso: '2024-01-02T21:00:00-05:00',
    });
    expect(newYorkTime(Date.parse('2024-07-02T00:00:00Z') / 1000).iso).toBe('2024-07-01T20:00:00-04:00');
  });

  it('names a cache clone after its URL', () => {
    expect(cacheNameOf('https://github.com/rreichel3/US-Stock-Symbols')).toBe(
      'github.com_rreichel3_US-Stock-Symbols.git',
    );
    expect(cacheNameOf('git@github.com:rreichel3/US-Stock-Symbols.git')).toBe(
      'github.com_rreichel3_US-Stock-Symbols.git',
    );
  });
});

describe('pricesFromGit', () => {
  it('writes the last commit of each trading night, merged per exchange, and reports every other day', async () => {
    const { repo, commits } = buildArchive();
    const outDir = tempDir('pulse-prices-');
    const progress: [string, number, number, string][] = [];
    const summary = await pricesFromGit({
      repo,
      from: '2024-01-01',
      to: '2024-01-11',
      outDir,
      onProgress: (day, index, total, outcome) => progress.push([day, index, total, outcome.kind]),
    });

    expect(summary.access).toBe('local');
    expect(summary.commits).toBe(12);
    expect(summary.head).toBe(commits.jan11);
    expect([summary.written, summary.skipped, summary.missing, summary.refused]).toEqual([4, 0, 1, 3]);
    expect(progress).toEqual([
      ['2024-01-02', 1, 8, 'written'],
      ['2024-01-03', 2, 8, 'missing'],
      ['2024-01-04', 3, 8, 'written'],
      ['2024-01-05', 4, 8, 'written'],
      ['2024-01-08', 5, 8, 'refused'],
      ['2024-01-09', 6, 8, 'refused'],
      ['2024-01-10', 7, 8, 'written'],
      ['2024-01-11', 8, 8, 'refused'],
    ]);
    const days = byDay(summary.days);

    // Two commits in the night of Jan 2: the 21:00 one, not the 19:05 one (nor the daytime or holiday-night ones).
    expect(days['2024-01-02']).toMatchObject({
      kind: 'written',
      file: path.join(outDir, 'prices', '2024-01-02.json.gz'),
      rows: 5,
      rejections: [],
      source: {
        kind: 'git',
        repo,
        commit: commits.late,
        committedAt: '2024-01-03T02:00:00.000Z',
        committedAtNewYork: '2024-01-02T21:00:00-05:00',
      },
    });
    const jan2 = snapshotOf(path.join(outDir, 'prices', '2024-01-02.json.gz'));
    expect(jan2.parsed.date).toBe('2024-01-02');
    expect(jan2.parsed.records.map((r) => [r.symbol, r.price, r.volume, r.marketCap])).toEqual([
      ['AAPL', 185.64, 82373515, 2887212881280],
      ['IBM', 161.5, 3824088, 147468650832],
      ['KO', 59.82, 16319814, 258626614114],
      ['IMO', 57.93, 485144, 32827026146],
      ['SIF', 3.71, 138287, 22657519],
    ]);
    // The API's shape, rows untouched but for `exchange`, in NASDAQ, NYSE, AMEX order.
    expect(Object.keys(jan2.json)).toEqual(['data']);
    expect(Object.keys(jan2.json.data)).toEqual(['rows']);
    expect(jan2.json.data.rows.map((r) => [r.symbol, r.exchange])).toEqual([
      ['AAPL', 'NASDAQ'],
      ['IBM', 'NYSE'],
      ['KO', 'NYSE'],
      ['IMO', 'AMEX'],
      ['SIF', 'AMEX'],
    ]);
    expect(jan2.json.data.rows[0]).toEqual({
      ...archiveRow('AAPL', ['$185.64', '82373515', '2887212881280.00']),
      exchange: 'NASDAQ',
    });

    expect(days['2024-01-03']).toEqual({
      day: '2024-01-03',
      kind: 'missing',
      reason: `no commit in the night of 2024-01-03 (2024-01-03 16:00 to 2024-01-04 09:30 New York time) in ${repo}`,
    });
    // 08:00 the next morning still counts for Jan 4.
    expect(days['2024-01-04']).toMatchObject({ kind: 'written', source: { commit: commits.jan4 } });
    expect(snapshotOf(path.join(outDir, 'prices', '2024-01-04.json.gz')).parsed.records[0]?.price).toBe(181.91);
    // Friday's evening, not the weekend's later commits.
    expect(days['2024-01-05']).toMatchObject({ kind: 'written', source: { commit: commits.jan5 } });
    expect(snapshotOf(path.join(outDir, 'prices', '2024-01-05.json.gz')).parsed.records[0]?.price).toBe(181.18);

    expect(days['2024-01-08']).toMatchObject({ kind: 'refused', source: { commit: commits.jan8 } });
    const jan8 = days['2024-01-08'];
    if (jan8?.kind !== 'refused') throw new Error('Jan 8 not refused');
    expect(jan8.problems).toHaveLength(1);
    expect(jan8.problems[0]).toMatchObject({ file: 'nyse/nyse_full_tickers.json', commit: commits.jan8 });
    expect(jan8.problems[0]?.reason).toMatch(/^the body is not JSON \(/);

    expect(days['2024-01-09']).toMatchObject({
      kind: 'refused',
      problems: [
        {
          file: 'amex/amex_full_tickers.json',
          commit: commits.jan9,
          reason:
            'is not in the commit: without it every AMEX stock would be absent that day (rule 1), so the day is not written',
        },
      ],
    });

    // A symbol in two exchange files: the NASDAQ row is kept, the NYSE one rejected (and kept in the file).
    expect(days['2024-01-10']).toMatchObject({
      kind: 'written',
      rows: 5,
      rejections: [
        {
          file: '2024-01-10.json.gz',
          line: 4,
          field: 'symbol',
          reason: '"AAPL" duplicates row 1 (both are AAPL); the first row is kept',
        },
      ],
    });
    const jan10 = snapshotOf(path.join(outDir, 'prices', '2024-01-10.json.gz'));
    expect(jan10.parsed.records.find((r) => r.symbol === 'AAPL')?.price).toBe(186.19);
    expect(jan10.parsed.records.find((r) => r.symbol === 'SIF')?.price).toBe(3.1205);
    expect(jan10.json.data.rows.map((r) => r.exchange)).toEqual(['NASDAQ', 'NYSE', 'NYSE', 'NYSE', 'AMEX', 'AMEX']);

    const amexOid = git(repo, ['rev-parse', `${commits.jan10}:amex/amex_full_tickers.json`]).trim();
    expect(days['2024-01-11']).toMatchObject({
      kind: 'refused',
      problems: [
        {
          file: 'amex/amex_full_tickers.json',
          commit: commits.jan11,
          reason: `is the same file (blob ${amexOid.slice(0, 12)}) as in the night of 2024-01-10 (commit ${commits.jan10.slice(0, 12)}): the night's job did not update it, and stale prices are not taken as 2024-01-11's`,
        },
      ],
    });

    for (const day of ['2024-01-03', '2024-01-08', '2024-01-09', '2024-01-11']) {
      expect(() => statSync(path.join(outDir, 'prices', `${day}.json.gz`))).toThrow(/ENOENT/);
    }

    // The manifest, beside prices/ (a stray file in prices/ would be reported as not read by every command).
    expect(summary.manifest).toBe(path.join(outDir, PRICE_SOURCE_MANIFEST));
    const manifest = JSON.parse(readFileSync(summary.manifest, 'utf8'));
    expect(Object.keys(manifest.days)).toEqual(['2024-01-02', '2024-01-04', '2024-01-05', '2024-01-10']);
    expect(manifest.days['2024-01-02']).toEqual({
      kind: 'git',
      repo,
      commit: commits.late,
      committedAt: '2024-01-03T02:00:00.000Z',
      committedAtNewYork: '2024-01-02T21:00:00-05:00',
    });

    // A rerun writes nothing: every written day is skipped, the others are reported again.
    const mtimes = summary.days.flatMap((d) => (d.kind === 'written' ? [statSync(d.file).mtimeMs] : []));
    const manifestBefore = readFileSync(summary.manifest, 'utf8');
    const again = await pricesFromGit({ repo, from: '2024-01-01', to: '2024-01-11', outDir });
    expect([again.written, again.skipped, again.missing, again.refused]).toEqual([0, 4, 1, 3]);
    expect(byDay(again.days)['2024-01-02']).toMatchObject({ kind: 'skipped', source: { commit: commits.late } });
    expect(again.days.flatMap((d) => (d.kind === 'skipped' ? [statSync(d.file).mtimeMs] : []))).toEqual(mtimes);
    expect(readFileSync(summary.manifest, 'utf8')).toBe(manifestBefore);
  });

  it('clones a URL into the cache on the first run and fetches new nights on the next', async () => {
    const { repo, commits } = buildArchive();
    // As GitHub serves it: a partial clone's filter honoured, and single files fetchable by id.
    git(repo, ['config', 'uploadpack.allowFilter', 'true']);
    git(repo, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
    const url = `file://${repo}`;
    const outDir = tempDir('pulse-prices-');
    const cacheDir = tempDir('pulse-cache-');
    const first = await pricesFromGit({ repo: url, from: '2024-01-02', to: '2024-01-12', outDir, cacheDir });
    expect(first.access).toBe('cloned');
    expect(first.gitDir).toBe(path.join(cacheDir, cacheNameOf(url)));
    expect(git(first.gitDir, ['rev-parse', '--is-bare-repository']).trim()).toBe('true');
    expect(git(first.gitDir, ['config', '--get', 'remote.origin.promisor']).trim()).toBe('true');
    expect(git(first.gitDir, ['config', '--get', 'remote.origin.partialclonefilter']).trim()).toBe('blob:none');
    expect(byDay(first.days)['2024-01-12']).toMatchObject({ kind: 'missing' });
    expect([first.written, first.missing, first.refused]).toEqual([4, 2, 3]);

    const jan12 = commitAt(repo, '2024-01-13T00:00:00Z', allFiles('2024-01-12'));
    const second = await pricesFromGit({ repo: url, from: '2024-01-02', to: '2024-01-12', outDir, cacheDir });
    expect(second.access).toBe('fetched');
    expect(second.head).toBe(jan12);
    expect([second.written, second.skipped, second.missing, second.refused]).toEqual([1, 4, 1, 3]);
    expect(byDay(second.days)['2024-01-12']).toMatchObject({
      kind: 'written',
      source: { kind: 'git', repo: url, commit: jan12, committedAtNewYork: '2024-01-12T19:00:00-05:00' },
    });
    expect(snapshotOf(path.join(outDir, 'prices', '2024-01-12.json.gz')).parsed.records.map((r) => r.price)).toEqual([
      185.92, 165.8, 60.39, 58.12, 3.0631,
    ]);
    expect(commits.jan11).not.toBe(jan12);
  });

  it('never overwrites a prices/<day>.json it cannot parse, and replaces a broken <day>.json.gz of its own name', async () => {
    const { repo, commits } = buildArchive();
    const outDir = tempDir('pulse-prices-');
    mkdirSync(path.join(outDir, 'prices'));
    const html = '<!DOCTYPE html><html><head><title>Access Denied</title></head><body></body></html>';
    writeFileSync(path.join(outDir, 'prices', '2024-01-02.json'), html);
    writeFileSync(path.join(outDir, 'prices', '2024-01-04.json.gz'), gzipSync('{"data":{"rows":[]}}'));
    const summary = await pricesFromGit({ repo, from: '2024-01-02', to: '2024-01-05', outDir });
    const days = byDay(summary.days);
    expect(days['2024-01-02']).toMatchObject({
      kind: 'refused',
      problems: [{ file: path.join(outDir, 'prices', '2024-01-02.json'), commit: null }],
    });
    expect(readFileSync(path.join(outDir, 'prices', '2024-01-02.json'), 'utf8')).toBe(html);
    expect(days['2024-01-04']).toMatchObject({
      kind: 'written',
      replaced: 'the snapshot has no rows (empty rows array)',
      source: { commit: commits.jan4 },
    });
    expect(snapshotOf(path.join(outDir, 'prices', '2024-01-04.json.gz')).parsed.records).toHaveLength(5);
  });

  it('refuses to start on a reversed range, a path that is no repository, or a manifest it cannot read', async () => {
    const { repo } = buildArchive();
    const outDir = tempDir('pulse-prices-');
    await expect(pricesFromGit({ repo, from: '2024-01-05', to: '2024-01-02', outDir })).rejects.toThrow(
      'the range is reversed: from 2024-01-05 is after to 2024-01-02',
    );
    await expect(pricesFromGit({ repo: outDir, from: '2024-01-02', to: '2024-01-02', outDir })).rejects.toThrow(
      PriceHistoryError,
    );
    await expect(
      pricesFromGit({ repo: 'no-such-archive', from: '2024-01-02', to: '2024-01-02', outDir }),
    ).rejects.toThrow('repo no-such-archive: is neither an existing folder nor a git URL');
    writeFileSync(path.join(outDir, PRICE_SOURCE_MANIFEST), '{"version":2}');
    await expect(pricesFromGit({ repo, from: '2024-01-02', to: '2024-01-02', outDir })).rejects.toThrow(
      /is not a version 1 price source manifest/,
    );
  });
});

describe('pricesFromFolder', () => {
  it('copies saved snapshots (API shape or bare array) into prices/ in the API shape, and reports the rest', () => {
    const dir = tempDir('pulse-saved-');
    const rowsOf = (day: string) =>
      (['NASDAQ', 'NYSE', 'AMEX'] as const).flatMap((e) => JSON.parse(exchangeFile(day, e)) as object[]);
    writeFileSync(path.join(dir, '2024-01-02.json'), JSON.stringify({ data: { rows: rowsOf('2024-01-02') } }));
    writeFileSync(path.join(dir, '2024-01-04.json.gz'), gzipSync(JSON.stringify(rowsOf('2024-01-04'))));
    writeFileSync(path.join(dir, '2024-01-05.json'), '<html><head><title>Access Denied</title></head></html>');
    writeFileSync(path.join(dir, '2024-01-06.json'), JSON.stringify(rowsOf('2024-01-05')));
    writeFileSync(path.join(dir, '2024-01-08.json'), JSON.stringify({ data: { rows: rowsOf('2024-01-08') } }));
    writeFileSync(path.join(dir, '2024-01-08.json.gz'), gzipSync(JSON.stringify(rowsOf('2024-01-09'))));
    writeFileSync(path.join(dir, 'notes.txt'), 'saved by hand\n');
    const outDir = tempDir('pulse-prices-');
    const seen: string[] = [];
    const summary = pricesFromFolder({
      dir,
      from: '2024-01-02',
      to: '2024-01-08',
      outDir,
      onProgress: (day, index, total, outcome) => seen.push(`${index}/${total} ${day} ${outcome.kind}`),
    });

    expect(seen).toEqual([
      '1/5 2024-01-02 written',
      '2/5 2024-01-03 missing',
      '3/5 2024-01-04 written',
      '4/5 2024-01-05 refused',
      '5/5 2024-01-08 written',
    ]);
    const days = byDay(summary.days);
    expect(days['2024-01-03']).toEqual({
      day: '2024-01-03',
      kind: 'missing',
      reason: `no file 2024-01-03.json[.gz] in ${dir}`,
    });
    expect(days['2024-01-05']).toMatchObject({
      kind: 'refused',
      problems: [{ file: path.join(dir, '2024-01-05.json'), commit: null }],
    });
    const refused = days['2024-01-05'];
    expect(refused?.kind === 'refused' && refused.problems[0]?.reason).toMatch(/HTML page \(title "Access Denied"\)/);
    expect(summary.ignored).toEqual([
      { file: path.join(dir, '2024-01-06.json'), reason: '2024-01-06 is not a trading day' },
      {
        file: path.join(dir, '2024-01-08.json.gz'),
        reason: 'another snapshot of 2024-01-08 comes first in name order and is the one read',
      },
      { file: path.join(dir, 'notes.txt'), reason: 'the name is not YYYY-MM-DD.json[.gz]' },
    ]);

    const jan4 = snapshotOf(path.join(outDir, 'prices', '2024-01-04.json.gz'));
    expect(Object.keys(jan4.json.data)).toEqual(['rows']);
    expect(jan4.parsed.records.map((r) => [r.symbol, r.price])).toEqual([
      ['AAPL', 181.91],
      ['IBM', 160.86],
      ['KO', 59.76],
      ['IMO', 58.97],
      ['SIF', 3.57],
    ]);
    expect(snapshotOf(path.join(outDir, 'prices', '2024-01-08.json.gz')).parsed.records[0]?.price).toBe(185.56);
    const bytes = readFileSync(path.join(dir, '2024-01-04.json.gz'));
    expect(days['2024-01-04']).toMatchObject({
      kind: 'written',
      source: { kind: 'folder', file: path.join(dir, '2024-01-04.json.gz') },
    });
    const manifest = JSON.parse(readFileSync(path.join(outDir, PRICE_SOURCE_MANIFEST), 'utf8'));
    expect(manifest.days['2024-01-04']).toEqual({
      kind: 'folder',
      file: path.join(dir, '2024-01-04.json.gz'),
      sha256: hash('sha256', bytes),
    });

    const again = pricesFromFolder({ dir, from: '2024-01-02', to: '2024-01-08', outDir });
    expect([again.written, again.skipped, again.missing, again.refused]).toEqual([0, 3, 1, 1]);
  });
});
