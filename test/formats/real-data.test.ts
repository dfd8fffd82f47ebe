/**
 * Optional checks against the real public files in ../shared/data (README there). A user's clone
 * has no such folder: the suite is then skipped, and says so.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ShortInterestFile } from '../../shared/domain.ts';
import { readShortInterest, shortInterestFileOf } from '../../shared/formats/finra-short-interest.ts';
import {
  decodeText,
  FormatError,
  mergeShortInterestRevisions,
  type ParsedShortInterest,
  parseScreener,
  parseShortInterest,
  parseShortVolume,
} from '../../shared/formats/index.ts';
import { repoRoot } from './fixtures.ts';

const data = path.resolve(repoRoot, '../shared/data');
const present = existsSync(data);
if (!present) console.info(`formats real-data tests skipped: ${data} is absent`);

const read = (rel: string) => {
  const file = path.basename(rel);
  return { file, text: decodeText(readFileSync(path.join(data, rel)), file) };
};

describe.skipIf(!present)('real data: Nasdaq screener 2024', () => {
  const dir = 'nasdaq-screener/2024';

  it('parses all 252 trading days with no refused file', { timeout: 300_000 }, () => {
    const files = readdirSync(path.join(data, dir)).sort();
    expect(files).toHaveLength(252);
    const refused: string[] = [];
    const rejectionsByField = new Map<string, number>();
    let records = 0;
    const dates = new Set<string>();
    for (const name of files) {
      try {
        const { file, text } = read(`${dir}/${name}`);
        const p = parseScreener(text, file);
        records += p.records.length;
        if (p.date) dates.add(p.date);
        expect(p.date).toBe(name.slice(0, 10));
        for (const r of p.rejections) rejectionsByField.set(r.field, (rejectionsByField.get(r.field) ?? 0) + 1);
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        refused.push(error.message);
      }
    }
    console.info(
      `screener 2024: ${files.length} files, ${refused.length} refused, ${records} records, rejections by field: ${
        JSON.stringify(Object.fromEntries(rejectionsByField)) ?? '{}'
      }`,
    );
    expect(refused).toEqual([]);
    expect(dates.size).toBe(252);
    // Counted independently from the raw JSON (sum of data.rows lengths: 1,791,936): the only rows of 2024
    // rejected are LTM's three days with a market cap above the $10T ceiling of rule 11 (a screener glitch:
    // LATAM Airlines at $15.3T in late July).
    expect(records).toBe(1_791_936 - 3);
    expect([...rejectionsByField]).toEqual([['marketCap', 3]]);
  });

  it('maps the known traps of real rows', () => {
    const before = parseScreener(read(`${dir}/2024-06-07.json.gz`).text, '2024-06-07.json.gz');
    const after = parseScreener(read(`${dir}/2024-06-10.json.gz`).text, '2024-06-10.json.gz');
    // NVDA's 10-for-1 split is not adjusted by the source.
    expect(before.records.find((r) => r.symbol === 'NVDA')?.price).toBe(1208.88);
    expect(after.records.find((r) => r.symbol === 'NVDA')?.price).toBe(121.79);
    const dec31 = parseScreener(read(`${dir}/2024-12-31.json.gz`).text, '2024-12-31.json.gz');
    expect(dec31.records).toHaveLength(6962);
    expect(dec31.records.find((r) => r.symbol === 'BRK.B')).toEqual({
      symbol: 'BRK.B',
      name: 'Berkshire Hathaway Inc.',
      price: 453.28,
      marketCap: 1000076818247,
      volume: 3378701,
      sector: 'Unclassified',
      industry: '',
    });
    const symbols = new Set(dec31.records.map((r) => r.symbol));
    for (const s of ['BRK.A', 'ABR-PD', 'ECC', 'ETI-P']) expect(symbols.has(s)).toBe(true);
    for (const s of symbols) expect(s).toMatch(/^[A-Z0-9]+(?:[.-][A-Z0-9]+)*$/);
  });

  it('gives the same records through the hand-written row check and through zod (first day of each month)', () => {
    const firsts = new Map<string, string>();
    for (const name of readdirSync(path.join(data, dir)).sort()) {
      if (!firsts.has(name.slice(0, 7))) firsts.set(name.slice(0, 7), name);
    }
    for (const name of firsts.values()) {
      const { file, text } = read(`${dir}/${name}`);
      expect(parseScreener(text, file, { rowCheck: 'fast' })).toEqual(parseScreener(text, file, { rowCheck: 'zod' }));
    }
  });

  it('reads every day from its text without JSON.parse, with what JSON.parse and the row check give', {
    timeout: 300_000,
  }, () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (const name of readdirSync(path.join(data, dir)).sort()) {
        const { file, text } = read(`${dir}/${name}`);
        parse.mockClear();
        const fast = parseScreener(text, file);
        // The scanner took the file: JSON.parse saw at most single rows (the 3 rejected ones) and long names.
        expect(
          parse.mock.calls.filter(([t]) => t.length > 100_000),
          name,
        ).toEqual([]);
        expect(fast, name).toEqual(parseScreener(text, file, { rowCheck: 'json' }));
      }
    } finally {
      parse.mockRestore();
    }
  });
});

describe.skipIf(!present)('real data: FINRA files', () => {
  it('reads the complete Reg SHO file CNMSshvol20210427.txt: 9,714 records, trailer checked', () => {
    const { file, text } = read('finra/regsho/CNMSshvol20210427.txt');
    const p = parseShortVolume(text, file);
    expect(p.date).toBe('2021-04-27');
    expect(p.records).toHaveLength(9714);
    expect(p.rejections).toEqual([]);
    // The hand-written row check and the row schema agree on every row.
    expect(parseShortVolume(text, file, { rowCheck: 'zod' })).toEqual(p);
    expect(p.records[0]).toEqual({
      date: '2021-04-27',
      symbol: 'A',
      shortVolume: 109763,
      shortExemptVolume: 1,
      totalVolume: 244138,
      market: 'B,Q,N',
    });
    // Drop the last data row: the trailer (9714, now on line 9715) no longer matches: refused as truncated.
    const lines = text.split('\r\n');
    const cut = [...lines.slice(0, -3), ...lines.slice(-2)].join('\r\n');
    expect(() => parseShortVolume(cut, file)).toThrow(
      'CNMSshvol20210427.txt line 9715: the trailer says 9714 records but the file has 9713: it is truncated or corrupt',
    );
  });
});

const SI_DIR = 'finra/short-interest/2024';
const siPresent = present && existsSync(path.join(data, SI_DIR));
if (present && !siPresent) console.info(`FINRA short interest real-data tests skipped: ${SI_DIR} is absent`);

/**
 * Data lines (all lines but the header) of each real file, counted from the raw files, not by the parser:
 *   for f in shrt*.csv; do awk 'NR>1' "$f" | wc -l; done
 * (every line has 14 pipe-separated fields: awk -F'|' 'FNR>1 && NF!=14' shrt*.csv prints nothing; total 487,983).
 */
const SI_DATA_LINES: Record<string, number> = {
  'shrt20231229.csv': 19224,
  'shrt20240112.csv': 19223,
  'shrt20240131.csv': 19271,
  'shrt20240215.csv': 19323,
  'shrt20240229.csv': 19276,
  'shrt20240315.csv': 19387,
  'shrt20240328.csv': 19371,
  'shrt20240415.csv': 19464,
  'shrt20240430.csv': 19468,
  'shrt20240515.csv': 19471,
  'shrt20240531.csv': 19491,
  'shrt20240614.csv': 19450,
  'shrt20240628.csv': 19427,
  'shrt20240715.csv': 19573,
  'shrt20240731.csv': 19527,
  'shrt20240815.csv': 19530,
  'shrt20240830.csv': 19514,
  'shrt20240913.csv': 19566,
  'shrt20240930.csv': 19692,
  'shrt20241015.csv': 19755,
  'shrt20241031.csv': 19659,
  'shrt20241115.csv': 19729,
  'shrt20241129.csv': 19946,
  'shrt20241213.csv': 19883,
  'shrt20241231.csv': 19763,
};

/**
 * Rows flagged R per file, counted from the raw files: awk -F'|' 'FNR>1 && $11=="R"' "$f" | wc -l
 * (total over the 25 files: awk -F'|' 'FNR>1 && $11=="R"{n++} END{print n}' shrt*.csv → 176). No other
 * revisionFlag value occurs: awk -F'|' 'FNR>1 && $11!="" && $11!="R"' shrt*.csv prints nothing.
 */
const SI_R_ROWS: Record<string, number> = {
  'shrt20231229.csv': 2,
  'shrt20240112.csv': 2,
  'shrt20240131.csv': 1,
  'shrt20240215.csv': 1,
  'shrt20240229.csv': 9,
  'shrt20240315.csv': 3,
  'shrt20240328.csv': 1,
  'shrt20240415.csv': 0,
  'shrt20240430.csv': 46,
  'shrt20240515.csv': 3,
  'shrt20240531.csv': 1,
  'shrt20240614.csv': 5,
  'shrt20240628.csv': 1,
  'shrt20240715.csv': 2,
  'shrt20240731.csv': 4,
  'shrt20240815.csv': 3,
  'shrt20240830.csv': 1,
  'shrt20240913.csv': 73,
  'shrt20240930.csv': 3,
  'shrt20241015.csv': 6,
  'shrt20241031.csv': 1,
  'shrt20241115.csv': 2,
  'shrt20241129.csv': 4,
  'shrt20241213.csv': 2,
  'shrt20241231.csv': 0,
};

describe.skipIf(!siPresent)('real data: FINRA short interest 2024', () => {
  const siFile = (name: string) => read(`${SI_DIR}/${name}`);
  let year: { name: string; text: string; parsed: ParsedShortInterest }[] | undefined;
  /** The 25 files, each read and parsed once for the tests below. */
  const parsedYear = () => {
    year ??= readdirSync(path.join(data, SI_DIR))
      .sort()
      .map((name) => {
        const { file, text } = siFile(name);
        return { name, text, parsed: parseShortInterest(text, file) };
      });
    return year;
  };

  it('parses each of the 25 files with zero rejections, one record per data line', { timeout: 300_000 }, () => {
    const files = parsedYear();
    expect(files.map((f) => f.name)).toEqual(Object.keys(SI_DATA_LINES));
    for (const { name, parsed } of files) {
      expect(parsed.rejections, name).toEqual([]);
      expect(parsed.records.length, name).toBe(SI_DATA_LINES[name]);
      expect(parsed.settlementDate, name).toBe(`${name.slice(4, 8)}-${name.slice(8, 10)}-${name.slice(10, 12)}`);
    }
    expect(files.reduce((n, f) => n + f.parsed.records.length, 0)).toBe(487_983);
    // Rows flagged S (stockSplitFlag), counted from the raw files:
    // awk -F'|' 'FNR>1 && $8=="S"{n++} END{print n}' shrt*.csv → 973.
    expect(files.reduce((n, f) => n + f.parsed.records.filter((r) => r.splitFlag === true).length, 0)).toBe(973);
  });

  it("gives, with the fast row check, exactly zod's records for every file (the check is zod's schema by hand)", {
    timeout: 300_000,
  }, () => {
    for (const { name, text, parsed } of parsedYear()) {
      expect(parseShortInterest(text, name, { rowCheck: 'zod' }), name).toEqual(parsed);
      expect(parseShortInterest(text, name, { rowCheck: 'split' }), name).toEqual(parsed);
    }
  });

  it("reads each file straight into shortInterestFileOf's maps (pulse build's reading), insertion order included", {
    timeout: 300_000,
  }, () => {
    const entries = (file: ShortInterestFile) =>
      JSON.stringify(file, (_k, v) => (v instanceof Map ? { map: [...v] } : v instanceof Set ? { set: [...v] } : v));
    for (const { name, text, parsed } of parsedYear()) {
      const read = readShortInterest(text, name);
      expect(read.rows, name).toBe(parsed.records.length);
      expect(read.rejections, name).toEqual(parsed.rejections);
      expect(entries(read.file), name).toBe(entries(shortInterestFileOf(parsed)));
    }
  });

  it('keeps on each of the 176 R records its raw previousShortPositionQuantity as previousShares', {
    timeout: 300_000,
  }, () => {
    let total = 0;
    for (const { name, text, parsed } of parsedYear()) {
      // The raw R rows of the file, read straight from its lines: symbol → previousShortPositionQuantity.
      const raw = new Map(
        text
          .split('\n')
          .slice(1)
          .map((l) => l.split('|'))
          .filter((c) => c[10] === 'R')
          .map((c) => [c[1] as string, Number(c[6])]),
      );
      const flagged = parsed.records.filter((r) => r.revision);
      expect(flagged.length, name).toBe(SI_R_ROWS[name]);
      expect(raw.size, name).toBe(SI_R_ROWS[name]);
      expect(new Map(flagged.map((r) => [r.symbol, r.previousShares])), name).toEqual(raw);
      // previousShares is kept only on R rows.
      expect(
        parsed.records.filter((r) => !r.revision && r.previousShares !== undefined),
        name,
      ).toEqual([]);
      total += flagged.length;
    }
    expect(total).toBe(176);
  });

  it('reads real rows of 2024-12-31 and the NVDA split flag of 2024-06-14', () => {
    const { file, text } = siFile('shrt20241231.csv');
    const dec31 = parseShortInterest(text, file);
    const bySymbol = new Map(dec31.records.map((r) => [r.symbol, r]));
    // Raw: 20241231|BRKB|BERKSHIRE HATHAWAY Class B|A|NYSE|14540819|15249523||4430025|3.28||-4.65|-708704|2024-12-31
    // FINRA writes class shares without a separator: the symbol stays BRKB (resolving it is the join's job).
    expect(bySymbol.get('BRKB')).toEqual({
      symbol: 'BRKB',
      issueName: 'BERKSHIRE HATHAWAY Class B',
      shares: 14540819,
      settlementDate: '2024-12-31',
      revision: false,
      averageDailyVolume: 4430025,
    });
    expect(bySymbol.has('BRK.B')).toBe(false);
    // Raw: 20241231|ABRPRD|Arbor Realty Trust, Inc. 6.375|A|NYSE|16185|16822||27583|1.00||-3.79|-637|2024-12-31
    expect(bySymbol.get('ABRPRD')).toEqual({
      symbol: 'ABRPRD',
      issueName: 'Arbor Realty Trust, Inc. 6.375',
      shares: 16185,
      settlementDate: '2024-12-31',
      revision: false,
      averageDailyVolume: 27583,
    });
    // marketClassCode OTC rows, counted: awk -F'|' 'NR>1 && $5=="OTC"' shrt20241231.csv | wc -l → 8783
    // (the other 10,980 rows are exchange-listed).
    expect(dec31.records.filter((r) => r.otc === true)).toHaveLength(8783);

    // Raw: 20240614|NVDA|NVIDIA Corporation Common Stoc|R|NNM|315033985|29202972|S|382568606|1.00||978.77|285831013|2024-06-14
    // (the 10-for-1 split of 2024-06-10: previousShortPositionQuantity is not split-adjusted, hence +978.77%).
    const jun14 = siFile('shrt20240614.csv');
    const nvda = parseShortInterest(jun14.text, jun14.file).records.find((r) => r.symbol === 'NVDA');
    expect(nvda).toEqual({
      symbol: 'NVDA',
      issueName: 'NVIDIA Corporation Common Stoc',
      shares: 315033985,
      settlementDate: '2024-06-14',
      revision: false,
      averageDailyVolume: 382568606,
      splitFlag: true,
    });
  });

  it("merges 2024-04-30's 46 R rows into 2024-04-15 (AAPL 101912593 → 101973393)", () => {
    const parse = (name: string) => {
      const { file, text } = siFile(name);
      return parseShortInterest(text, file);
    };
    const apr15 = parse('shrt20240415.csv');
    const apr30 = parse('shrt20240430.csv');
    const [first, second] = mergeShortInterestRevisions([apr30, apr15]);
    expect(first?.settlementDate).toBe('2024-04-15');
    expect(first?.files).toEqual(['shrt20240415.csv']);
    expect(first?.revisedBy).toEqual(['shrt20240430.csv']);
    expect(second?.revisedBy).toBeUndefined();
    // Raw 2024-04-15: 20240415|AAPL|Apple Inc. Common Stock|R|NNM|101912593|108782648||56912498|1.79||-6.32|-6870055|2024-04-15
    // Raw 2024-04-30: 20240430|AAPL|Apple Inc. Common Stock|R|NNM|94308265|101973393||54686777|1.72|R|-7.52|-7665128|2024-04-30
    // So the 04-15 file's own AAPL figure (101912593) DIFFERS from the revised one (101973393) by 60,800 shares.
    expect(apr15.records.find((r) => r.symbol === 'AAPL')?.shares).toBe(101912593);
    expect(first?.shares.get('AAPL')).toBe(101973393);
    // The 04-30 row's own figure stands.
    expect(second?.shares.get('AAPL')).toBe(94308265);
    // Every one of the 46 R symbols of 04-30 is in the 04-15 file with a different figure, counted with
    //   awk -F'|' 'FNR==NR{if(FNR>1)a[$2]=$6; next} FNR>1 && $11=="R" && a[$2]!=$7{d++} END{print d}' \
    //     shrt20240415.csv shrt20240430.csv → 46
    // so the merge changes exactly 46 figures of 04-15 and adds none.
    const own = new Map(apr15.records.map((r) => [r.symbol, r.shares]));
    const changed = [...(first?.shares ?? [])].filter(([symbol, n]) => own.get(symbol) !== n);
    expect(changed).toHaveLength(46);
    expect(first?.shares.size).toBe(19464);
  });

  it('over the whole year, revises every date whose next file carries R rows', { timeout: 300_000 }, () => {
    const merged = mergeShortInterestRevisions(parsedYear().map((f) => f.parsed));
    expect(merged).toHaveLength(25);
    // From SI_R_ROWS: 2024-04-15 and 2024-12-31 carry no R row, so 2024-03-28 and 2024-12-13 are not
    // revised; 2024-12-31 has no next file; 2023-12-29's R rows revise 2023-12-15, not in the folder.
    expect(merged.filter((m) => m.revisedBy === undefined).map((m) => m.settlementDate)).toEqual([
      '2024-03-28',
      '2024-12-13',
      '2024-12-31',
    ]);
    for (let i = 0; i < merged.length - 1; i++) {
      const m = merged[i];
      if (m?.revisedBy) expect(m.revisedBy).toEqual(merged[i + 1]?.files);
    }
  });
});
