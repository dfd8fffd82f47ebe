import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTradingDay, settlementDates, tradingDays } from '../../shared/calendar.ts';
import { TIERS, type Tier } from '../../shared/domain.ts';
import { canonicalSymbol } from '../../shared/formats/symbols.ts';
import { writeScreenerJson } from '../../shared/formats/writers.ts';
import { finraSpelling } from '../../shared/methodology/join.ts';
import {
  DEFAULT_FROM,
  DEFAULT_SYMBOLS,
  DEFAULT_TO,
  type GeneratedSample,
  generateSample,
  SAMPLE_MANIFEST_FILE,
  type SampleFile,
} from '../../shared/sample/index.ts';
import { tierOf } from '../../shared/sample/universe.ts';
import { bytesOf, fileAt, type LoadedDay, loadPrices, textOf, toOracle } from './load.ts';
import { acceptDays, findSplits } from './oracle.ts';

// A small sample (400 listings, half a year) for the detailed checks; the default one for the
// market-shape checks and the rules oracle.
const SMALL = { seed: 7, from: '2025-01-02', to: '2025-06-30', symbols: 400 } as const;

let small: GeneratedSample;
let smallDays: LoadedDay[];
let full: GeneratedSample;
let fullDays: LoadedDay[];

beforeAll(() => {
  small = generateSample(SMALL);
  smallDays = loadPrices(small.files);
  full = generateSample();
  fullDays = loadPrices(full.files);
});

const equalBytes = (a: SampleFile, b: SampleFile) =>
  Buffer.compare(Buffer.from(bytesOf(a.content)), Buffer.from(bytesOf(b.content))) === 0;

describe('determinism', () => {
  it('gives byte-identical files for the same seed and options', () => {
    const again = generateSample(SMALL);
    expect(again.files.map((f) => f.path)).toEqual(small.files.map((f) => f.path));
    const differing = again.files.filter((f, i) => !equalBytes(f, small.files[i] as SampleFile)).map((f) => f.path);
    expect(differing).toEqual([]);
  });

  it('gives a different market for another seed', () => {
    const other = generateSample({ ...SMALL, seed: 8 });
    const a = fileAt(small.files, 'prices/2025-03-03.json.gz');
    const b = fileAt(other.files, 'prices/2025-03-03.json.gz');
    expect(equalBytes(a, b)).toBe(false);
  });

  it('writes plain JSON on request, with the same rows as the gzipped files', () => {
    const plain = generateSample({ ...SMALL, gzip: false });
    const p = fileAt(plain.files, 'prices/2025-03-03.json');
    expect(typeof p.content).toBe('string');
    expect(p.content).toBe(textOf(fileAt(small.files, 'prices/2025-03-03.json.gz')));
  });

  it('refuses ranges and sizes too small to place every trap', () => {
    expect(() => generateSample({ from: '2025-01-02', to: '2025-02-28' })).toThrow(/at least 60/);
    expect(() => generateSample({ symbols: 50 })).toThrow(/>= 300/);
    expect(() => generateSample({ seed: 1.5 })).toThrow(/integer/);
  });
});

describe('the default sample', () => {
  it('covers one year of real NYSE trading days with one price file each, plus the weekend file', () => {
    const { manifest } = full;
    expect([manifest.from, manifest.to, manifest.symbols]).toEqual([DEFAULT_FROM, DEFAULT_TO, DEFAULT_SYMBOLS]);
    expect(manifest.sample).toBe(true);
    const days = tradingDays(DEFAULT_FROM, DEFAULT_TO);
    expect(days).toHaveLength(250);
    const fileDates = fullDays.map((d) => d.date);
    expect(fileDates.filter((d) => isTradingDay(d))).toEqual(days);
    expect(fileDates.filter((d) => !isTradingDay(d))).toEqual(manifest.weekendFiles);
  });

  it('parses every price file with no rejected row', () => {
    expect(fullDays.reduce((s, d) => s + d.rejections, 0)).toBe(0);
    expect(smallDays.reduce((s, d) => s + d.rejections, 0)).toBe(0);
  });

  it('has tier counts like a real market: all six populated, most in micro/small/mid, a handful of mega caps', () => {
    const last = fullDays.at(-1) as LoadedDay;
    const counts = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
    let unknown = 0;
    for (const r of last.rows) {
      if (r.marketCap === null) unknown++;
      else counts[tierOf(r.marketCap)]++;
    }
    expect(counts).toEqual(full.manifest.tiersOnLastDay);
    expect(unknown).toBe(full.manifest.unknownMarketCapOnLastDay);
    const known = last.rows.length - unknown;
    for (const t of TIERS) expect(counts[t], t).toBeGreaterThan(0);
    expect((counts.micro + counts.small + counts.mid) / known).toBeGreaterThan(0.6);
    expect(counts.mega).toBeGreaterThanOrEqual(5);
    expect(counts.mega).toBeLessThanOrEqual(40);
    expect(counts.nano / known).toBeGreaterThan(0.03);
    expect(counts.large / known).toBeGreaterThan(0.05);
  });

  it('uses the real sector list, with some rows unclassified', () => {
    const sectors = new Map<string, number>();
    for (const r of (fullDays[0] as LoadedDay).rows) sectors.set(r.sector, (sectors.get(r.sector) ?? 0) + 1);
    for (const s of ['Technology', 'Health Care', 'Finance', 'Consumer Discretionary', 'Industrials', 'Energy']) {
      expect(sectors.get(s), s).toBeGreaterThan(20);
    }
    // The screener's empty sector is mapped to Unclassified by the parser (rule 6).
    expect(sectors.get('Unclassified') ?? 0).toBeGreaterThan(100);
  });

  it('moves prices with a common market factor and fat tails', () => {
    const a = fullDays[100] as LoadedDay;
    const b = fullDays[101] as LoadedDay;
    const prev = new Map(a.rows.map((r) => [r.symbol, r.price]));
    const returns = b.rows.flatMap((r) => {
      const p = prev.get(r.symbol);
      return p === undefined ? [] : [Math.log(r.price / p)];
    });
    const mean = returns.reduce((s, x) => s + x, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((s, x) => s + (x - mean) ** 2, 0) / returns.length);
    expect(sd).toBeGreaterThan(0.01);
    expect(sd).toBeLessThan(0.06);
    // Fat tails: more than the 0.3% a normal distribution would put beyond 3 sd.
    const beyond = returns.filter((x) => Math.abs(x - mean) > 3 * sd).length / returns.length;
    expect(beyond).toBeGreaterThan(0.003);
  });
});

describe('injected traps, checked against the files', () => {
  it('rules 2 and 3 find exactly the manifest: rejected days, and splits with their rule (oracle)', () => {
    for (const [sample, days] of [
      [small, smallDays],
      [full, fullDays],
    ] as const) {
      const { accepted, rejected } = acceptDays(toOracle(days));
      const m = sample.manifest;
      expect(rejected.filter((r) => r.reason === 'stale').map((r) => r.date)).toEqual(m.staleDays);
      expect(rejected.filter((r) => r.reason === 'partial').map((r) => r.date)).toEqual(m.partialDays);
      expect(rejected.filter((r) => r.reason === 'weekend').map((r) => r.date)).toEqual(m.weekendFiles);
      const found = findSplits(accepted);
      const expected = m.splits.filter((s) => s.kind !== 'override');
      expect(found.map((f) => [f.symbol, f.date, f.rule])).toEqual(expected.map((s) => [s.symbol, s.date, s.kind]));
      found.forEach((f, i) => {
        expect(f.factor).toBeCloseTo((expected[i] as { factor: number }).factor, 3);
      });
    }
  });

  it('the 3b splits really lag: the market cap keeps the old share count until sharesLagDays later', () => {
    const byDate = new Map(smallDays.map((d) => [d.date, new Map(d.rows.map((r) => [r.symbol, r]))]));
    const days = smallDays.map((d) => d.date).filter((d) => isTradingDay(d));
    for (const s of small.manifest.splits.filter((x) => x.kind !== '3a')) {
      expect(s.sharesLagDays).toBeGreaterThanOrEqual(2);
      const i = days.indexOf(s.date);
      const so = (d: string) => {
        const r = byDate.get(d)?.get(s.symbol);
        if (!r || r.marketCap === null) throw new Error(`${s.symbol} has no market cap on ${d}`);
        return r.marketCap / r.price;
      };
      const price = (d: string) => byDate.get(d)?.get(s.symbol)?.price ?? Number.NaN;
      const before = so(days[i - 1] as string);
      // Price moves by the split on the day …
      const x = price(s.date) / price(days[i - 1] as string);
      expect(x * s.factor).toBeGreaterThan(0.75);
      expect(x * s.factor).toBeLessThan(4 / 3);
      // … the share count does not, until the lag is over.
      for (let j = 0; j < s.sharesLagDays; j++) expect(so(days[i + j] as string) / before).toBeCloseTo(1, 4);
      expect(so(days[i + s.sharesLagDays] as string) / before).toBeCloseTo(s.factor, 4);
    }
    const same = small.manifest.splits.filter((x) => x.kind === '3a');
    expect(same.map((s) => s.factor).sort()).toEqual([0.1, 3]);
    expect(small.manifest.splits.filter((s) => s.kind === '3b' && s.factor < 1).map((s) => s.factor)).toEqual([0.05]);
  });

  it('reverse splits are among nano and micro caps', () => {
    const before = new Map((smallDays[0] as LoadedDay).rows.map((r) => [r.symbol, r]));
    for (const s of small.manifest.splits.filter((x) => x.factor < 1)) {
      const mc = before.get(s.symbol)?.marketCap ?? Number.NaN;
      expect(['nano', 'micro']).toContain(tierOf(mc));
    }
  });

  it('splits.csv holds the override (3-for-2, a factor rule 3(b) cannot find)', () => {
    const text = textOf(fileAt(small.files, 'splits.csv'));
    const o = small.manifest.splits.filter((s) => s.kind === 'override');
    expect(o).toHaveLength(1);
    expect(text).toBe(`symbol,date,ratio\n${o[0]?.symbol},${o[0]?.date},1.5\n`);
  });

  it('the stale day is an exact copy of the previous trading day, file bytes included', () => {
    for (const sample of [small, full]) {
      const [stale] = sample.manifest.staleDays;
      const files = sample.files.filter((f) => f.path.startsWith('prices/'));
      const i = files.findIndex((f) => f.path.includes(stale as string));
      expect(i).toBeGreaterThan(0);
      expect(equalBytes(files[i] as SampleFile, files[i - 1] as SampleFile)).toBe(true);
      // … and the day after it is a real new day.
      expect(equalBytes(files[i + 1] as SampleFile, files[i] as SampleFile)).toBe(false);
    }
  });

  it('the partial day has fewer than 70% of the rows of the day before; the weekend file copies the Friday', () => {
    const [partial] = small.manifest.partialDays;
    const i = smallDays.findIndex((d) => d.date === partial);
    const ratio = (smallDays[i] as LoadedDay).rows.length / (smallDays[i - 1] as LoadedDay).rows.length;
    expect(ratio).toBeLessThan(0.7);
    expect(ratio).toBeGreaterThan(0.4);
    const [weekend] = small.manifest.weekendFiles;
    expect(new Date(`${weekend}T00:00:00Z`).getUTCDay()).toBe(6);
    const w = small.files.findIndex((f) => f.path.includes(weekend as string));
    expect(equalBytes(small.files[w] as SampleFile, small.files[w - 1] as SampleFile)).toBe(true);
  });

  it('the share-count glitch doubles the market cap at a flat price for weeks, then reverts', () => {
    const [g] = small.manifest.glitches;
    if (!g) throw new Error('no glitch');
    const days = smallDays.filter((d) => isTradingDay(d.date) && !small.manifest.staleDays.includes(d.date));
    const so = days.map((d) => {
      const r = d.rows.find((x) => x.symbol === g.symbol);
      return { date: d.date, so: r && r.marketCap !== null ? r.marketCap / r.price : Number.NaN, price: r?.price };
    });
    const i = so.findIndex((x) => x.date === g.from);
    const j = so.findIndex((x) => x.date === g.to);
    expect(j - i + 1).toBeGreaterThanOrEqual(10);
    const base = (so[i - 1] as { so: number }).so;
    expect((so[i] as { so: number }).so / base).toBeCloseTo(2, 4);
    expect((so[j] as { so: number }).so / base).toBeCloseTo(2, 4);
    expect((so[j + 1] as { so: number }).so / base).toBeCloseTo(1, 4);
    const px = (k: number) => (so[k] as { price: number }).price;
    expect(Math.abs(Math.log(px(i) / px(i - 1)))).toBeLessThan(0.15);
  });

  it('missing symbols are absent exactly on their dates; new listings and delistings bound their rows', () => {
    const present = (symbol: string, date: string) =>
      smallDays.find((d) => d.date === date)?.rows.some((r) => r.symbol === symbol) ?? false;
    const stale = new Set(small.manifest.staleDays);
    for (const m of small.manifest.missing) {
      for (const d of m.dates) expect(present(m.symbol, d), `${m.symbol} ${d}`).toBe(false);
      const others = smallDays.filter((d) => !m.dates.includes(d.date) && !small.manifest.partialDays.includes(d.date));
      // The stale day (and the weekend copy) repeat the previous day, which may be a missing day.
      const shown = others.filter((d) => !stale.has(d.date) && isTradingDay(d.date));
      const missingFromDate = shown.filter((d) => !d.rows.some((r) => r.symbol === m.symbol)).map((d) => d.date);
      expect(missingFromDate, m.symbol).toEqual([]);
    }
    for (const l of small.manifest.listings) {
      const first = smallDays.find((d) => d.rows.some((r) => r.symbol === l.symbol));
      expect(first?.date).toBe(l.firstDate);
    }
    for (const l of small.manifest.delistings) {
      const last = smallDays.filter((d) => d.rows.some((r) => r.symbol === l.symbol)).at(-1);
      expect(last?.date).toBe(l.lastDate);
    }
  });

  it('symbols without market cap never have one; one is an ordinary common stock', () => {
    const none = new Set(small.manifest.noMarketCap);
    for (const d of smallDays) for (const r of d.rows) if (none.has(r.symbol)) expect(r.marketCap).toBeNull();
    const raw = JSON.parse(textOf(fileAt(small.files, 'prices/2025-03-03.json.gz'))) as {
      data: { rows: { symbol: string; marketCap: string; name: string; industry: string }[] };
    };
    const forms = new Set(raw.data.rows.filter((r) => none.has(canonicalSymbol(r.symbol))).map((r) => r.marketCap));
    expect([...forms].sort()).toEqual(['', '0.00']);
    expect(
      raw.data.rows.some((r) => none.has(r.symbol) && r.marketCap === '0.00' && r.industry !== 'Blank Checks'),
    ).toBe(true);
  });
});

describe('real shapes', () => {
  it('writes price rows exactly as the screener API: string fields in the API order, `$` prices', () => {
    const f = fileAt(small.files, 'prices/2025-03-03.json.gz');
    const text = textOf(f);
    const json = JSON.parse(text) as { data: { rows: Record<string, string>[] } };
    const rows = json.data.rows;
    expect(Object.keys(json)).toEqual(['data']);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual([
        'symbol',
        'name',
        'lastsale',
        'volume',
        'marketCap',
        'sector',
        'industry',
        'country',
        'ipoyear',
        'exchange',
      ]);
      for (const v of Object.values(r)) expect(typeof v).toBe('string');
      expect(r.lastsale).toMatch(/^\$\d+\.\d{2,}$/);
      expect(r.volume).toMatch(/^\d+$/);
      expect(r.marketCap).toMatch(/^(\d+\.00)?$/);
    }
    // The generator's fast row serialisation is byte-for-byte the writer's.
    expect(writeScreenerJson(rows as never)).toBe(text);
    // Exchange blocks in the real order.
    const order = rows.map((r) => r.exchange).filter((e, i, a) => i === 0 || a[i - 1] !== e);
    expect(order).toEqual(['NASDAQ', 'NYSE', 'AMEX']);
    // Names with commas, quotes and a pipe; class shares, preferreds and a space-padded symbol.
    expect(rows.some((r) => r.name?.includes(','))).toBe(true);
    expect(rows.some((r) => r.name?.includes('"'))).toBe(true);
    expect(rows.some((r) => r.name?.includes('|'))).toBe(true);
    expect(rows.some((r) => /^[A-Z]+\/[AB]$/.test(r.symbol ?? ''))).toBe(true);
    expect(rows.some((r) => /^[A-Z]+\^[A-H]$/.test(r.symbol ?? ''))).toBe(true);
    expect(rows.some((r) => /^[A-Z]+ +$/.test(r.symbol ?? ''))).toBe(true);
    // The Berkshire-like class A prints its price with the double's noise, like the real BRK/A.
    expect(rows.some((r) => /^\$\d{6}\.\d{3,}$/.test(r.lastsale ?? ''))).toBe(true);
  });

  it('spells each special symbol per source, as the real files do: the canonical form joins screener and Reg SHO, rule 4(b) joins FINRA’s', () => {
    const { spellings } = small.manifest;
    expect(spellings.some((s) => s.screener.includes('/'))).toBe(true);
    expect(spellings.some((s) => s.screener.includes('^'))).toBe(true);
    for (const s of spellings) {
      expect(canonicalSymbol(s.screener), s.screener).toBe(s.canonical);
      expect(canonicalSymbol(s.regSho), s.regSho).toBe(s.canonical);
      // FINRA's short interest file writes them compressed (shrt20241231.csv: BRKB, ABRPRD): rule 4(b)'s spelling.
      expect(s.finraShortInterest, s.screener).toBe(finraSpelling(s.canonical) ?? s.canonical);
    }
    const klass = spellings.find((s) => s.screener.includes('/'));
    expect(klass?.finraShortInterest).toBe(klass?.screener.replace('/', ''));
    expect(klass?.regSho).toBe(klass?.screener);
    const pref = spellings.find((s) => s.screener.includes('^'));
    expect(pref?.regSho).toBe(pref?.screener.replace('^', 'p'));
  });

  it('writes one short interest file per settlement date up to `to`, plus the last one before `from`', () => {
    const names = small.files.filter((f) => f.path.startsWith('short-interest/')).map((f) => path.basename(f.path));
    const dates = ['2024-12-31', ...settlementDates(SMALL.from, SMALL.to)];
    expect(small.manifest.settlementDates).toEqual(dates);
    // No `-r1` file: FINRA never re-issues a settlement's file; the revision rides on the NEXT settlement's.
    expect(names.sort()).toEqual(dates.map((d) => `shrt${d.replaceAll('-', '')}.csv`).sort());
    const [rev, ...more] = small.manifest.revisions;
    expect(more).toEqual([]);
    const next = dates[dates.indexOf(rev?.settlementDate ?? '') + 1] as string;
    expect(rev?.file).toBe(`shrt${next.replaceAll('-', '')}.csv`);
  });

  it('short interest files are pipe-delimited with the 14 FINRA columns and the generated mark, LF, and no pipe inside a field', () => {
    const f = fileAt(small.files, 'short-interest/shrt20250314.csv');
    const text = textOf(f);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.includes('\r')).toBe(false);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|marketClassCode|currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate|shortPulseGenerated',
    );
    for (const line of lines.slice(1)) {
      const cells = line.split('|');
      // The 14 FINRA columns, then `Y`: generated data says so in every row (issue 10).
      expect(cells, line).toHaveLength(15);
      expect(cells[14]).toBe('Y');
      expect(cells[0]).toBe('20250314');
      expect(cells[13]).toBe('2025-03-14');
      expect(cells[2]?.length).toBeLessThanOrEqual(30);
      const dtc = Number(cells[9]);
      expect(dtc).toBeGreaterThanOrEqual(1);
      expect(dtc).toBeLessThanOrEqual(999.99);
    }
    const symbols = lines.slice(1).map((l) => l.split('|')[1] as string);
    expect([...symbols].sort()).toEqual(symbols);
    // Class shares and preferreds as FINRA writes them: BRKB, ABRPRD (there is no separator to find).
    const compressed = new Set(small.manifest.spellings.map((s) => s.finraShortInterest));
    expect(symbols.some((s) => compressed.has(s) && /^[A-Z]+PR[A-H]$/.test(s))).toBe(true);
    expect(symbols.some((s) => /[./^]/.test(s))).toBe(false);
    // ETFs and OTC issues that are not in the stock screener, as in FINRA's real file.
    expect(lines.some((l) => l.includes('|ARCA|'))).toBe(true);
    expect(lines.some((l) => l.includes('|OTC|'))).toBe(true);
    // The pipe in one issuer's name never reaches the pipe-delimited file.
    expect(lines.some((l) => l.includes('Pipe/Line Midstream'))).toBe(true);
  });

  it('short interest reflects the market: heavily shorted names, more short interest in small caps than mega', () => {
    const text = textOf(fileAt(full.files, 'short-interest/shrt20250630.csv'));
    const si = new Map(
      text
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split('|'))
        .map((c) => [canonicalSymbol(c[1] as string), Number(c[5])]),
    );
    const day = fullDays.find((d) => d.date === '2025-06-30') as LoadedDay;
    const pct = new Map<Tier, number[]>();
    for (const r of day.rows) {
      const s = si.get(r.symbol);
      if (s === undefined || r.marketCap === null) continue;
      const t = tierOf(r.marketCap);
      pct.set(t, [...(pct.get(t) ?? []), s / (r.marketCap / r.price)]);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    expect(median(pct.get('small') ?? [])).toBeGreaterThan(2 * median(pct.get('mega') ?? []));
    expect(median(pct.get('small') ?? [])).toBeGreaterThan(0.02);
    expect(median(pct.get('small') ?? [])).toBeLessThan(0.12);
    const heavy = full.manifest.heavilyShorted.map((s) => {
      const r = day.rows.find((x) => x.symbol === s);
      return r && r.marketCap !== null ? (si.get(s) ?? 0) / (r.marketCap / r.price) : 0;
    });
    expect(heavy.filter((p) => p >= 0.15 && p <= 0.45).length).toBeGreaterThanOrEqual(6);
  });

  it('short interest counts shares after a split that happened before the settlement date', () => {
    // Shares short are a drifting share of shares outstanding: across a 2-for-1 split the count
    // roughly doubles (a split-unaware generator would leave it flat).
    const s = small.manifest.splits.find((x) => x.factor === 2) as { symbol: string; date: string };
    const dates = small.manifest.settlementDates;
    const after = dates.find((d) => d >= s.date) as string;
    const before = dates.filter((d) => d < s.date).at(-1) as string;
    const shares = (d: string) => {
      const line = textOf(fileAt(small.files, `short-interest/shrt${d.replaceAll('-', '')}.csv`))
        .split('\n')
        .find((l) => l.split('|')[1] === s.symbol) as string;
      return line.split('|');
    };
    const ratio = Number(shares(after)[5]) / Number(shares(before)[5]);
    expect(ratio).toBeGreaterThan(1.2);
    expect(ratio).toBeLessThan(3.4);
    // As in FINRA's files (NVDA 2024-06-14: +978.77%), the previous position is NOT split-adjusted: it is
    // the previous file's figure as it was (this symbol is not among the revised ones); the S flag says why.
    const rev = small.manifest.revisions[0];
    expect(rev?.settlementDate === before && rev.symbols.includes(s.symbol)).toBe(false);
    expect(Number(shares(after)[6])).toBe(Number(shares(before)[5]));
    expect(shares(after)[7]).toBe('S');
    expect(shares(before)[7]).toBe('');
  });

  it('the next settlement file flags R the rows whose previous figure was revised, with the revised quantity', () => {
    const [rev] = small.manifest.revisions;
    if (!rev) throw new Error('no revision');
    const table = (file: string) =>
      textOf(fileAt(small.files, `short-interest/${file}`))
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => l.split('|'));
    const next = table(rev.file);
    const revisedDate = table(`shrt${rev.settlementDate.replaceAll('-', '')}.csv`);
    const before = new Map(revisedDate.map((c) => [c[1], c]));
    const flagged = next.filter((c) => c[10] === 'R');
    expect(flagged.map((c) => canonicalSymbol(c[1] as string)).sort()).toEqual([...rev.symbols].sort());
    expect(flagged).toHaveLength(20);
    for (const c of flagged) {
      // previousShortPositionQuantity is the revised figure of rev.settlementDate: that date's own figure
      // moved by a factor in [0.8, 1.25] (rounded to whole shares).
      const original = Number(before.get(c[1])?.[5]);
      expect(original, c[1]).toBeGreaterThan(1000);
      const ratio = Number(c[6]) / original;
      expect(ratio).toBeGreaterThanOrEqual(0.8 - 1e-3);
      expect(ratio).toBeLessThanOrEqual(1.25 + 1e-3);
    }
    expect(flagged.filter((c) => c[6] !== before.get(c[1])?.[5]).length).toBeGreaterThan(15);
    // Every other row of the next file carries the revised date's figure unchanged as its previous one.
    const others = next.filter((c) => c[10] !== 'R' && before.has(c[1]));
    expect(others.length).toBeGreaterThan(300);
    for (const c of others) expect(c[6], c[1]).toBe(before.get(c[1])?.[5]);
    // Only that file carries R, and only R or empty: never Y.
    for (const f of small.files.filter((x) => x.path.startsWith('short-interest/'))) {
      const flags = new Set(table(path.basename(f.path)).map((c) => c[10]));
      expect([...flags].sort(), f.path).toEqual(path.basename(f.path) === rev.file ? ['', 'R'] : ['']);
    }
  });

  it('Reg SHO files: header, CRLF, trailer count, CNMS symbols; on the last trading days', () => {
    expect(small.manifest.shortVolumeDates).toEqual(tradingDays(SMALL.from, SMALL.to).slice(-5));
    const date = small.manifest.shortVolumeDates[0] as string;
    const text = textOf(fileAt(small.files, `short-volume/CNMSshvol${date.replaceAll('-', '')}.txt`));
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n').slice(0, -1);
    expect(lines[0]).toBe('Date|Symbol|ShortVolume|ShortExemptVolume|TotalVolume|Market');
    expect(Number(lines.at(-1))).toBe(lines.length - 2);
    for (const l of lines.slice(1, -1)) {
      const c = l.split('|');
      expect(c).toHaveLength(6);
      expect(c[0]).toBe(date.replaceAll('-', ''));
      expect(Number(c[2])).toBeLessThanOrEqual(Number(c[4]));
    }
    expect(lines.some((l) => /^\d+\|[A-Z]+\/[AB]\|/.test(l))).toBe(true);
    expect(lines.some((l) => /^\d+\|[A-Z]+p[A-H]\|/.test(l))).toBe(true);
    expect(lines.some((l) => /\|\d+\.\d+\|/.test(l))).toBe(true);
  });

  it('writes the manifest itself as sample-manifest.json', () => {
    const f = fileAt(small.files, SAMPLE_MANIFEST_FILE);
    expect(JSON.parse(f.content as string)).toEqual(small.manifest);
  });
});
