/**
 * Deterministic sample input folder (issue 2, "Sample data"): a seeded simulation of a few thousand
 * US listings over real NYSE trading days, written in the three real formats, with the traps real
 * data has injected at known places and recorded in a manifest. Pure: returns the files; the CLI
 * writes them. See docs/sample-data.md.
 */
import { gzipSync } from 'node:zlib';
import { addCalendarDays, isWeekend, settlementDates, tradingDays } from '../calendar.ts';
import type { IsoDate, SplitOverride, Tier } from '../domain.ts';
import { TIERS } from '../domain.ts';
import {
  formatLastsale,
  formatMarketCap,
  type ShortInterestRowInput,
  type ShortVolumeRowInput,
  shortInterestFileName,
  shortVolumeFileName,
  toScreenerRow,
  writeScreenerJson,
  writeShortInterest,
  writeShortVolume,
  writeSplitsCsv,
} from '../formats/writers.ts';
import { Rng } from './prng.ts';
import { buildUniverse, finraMarket, type Listing, SECTORS, screenerOrder, tierOf } from './universe.ts';

export const DEFAULT_SEED = 2025;
export const DEFAULT_FROM: IsoDate = '2025-01-02';
export const DEFAULT_TO: IsoDate = '2025-12-31';
export const DEFAULT_SYMBOLS = 3000;
/** Fewer trading days than this leaves no room to place every trap apart from the others. */
export const MIN_TRADING_DAYS = 60;
export const MIN_SYMBOLS = 300;
/** Name of the manifest file written at the root of the sample folder; its presence marks sample data. */
export const SAMPLE_MANIFEST_FILE = 'sample-manifest.json';

export interface GenerateSampleOptions {
  seed?: number;
  from?: IsoDate;
  to?: IsoDate;
  /** Screener listings (default 3,000). */
  symbols?: number;
  /** Write `prices/*.json.gz` (default, like the real 2024 folder) or plain `.json`. */
  gzip?: boolean;
  /** How many of the last trading days get a Reg SHO short volume file (default 5). */
  shortVolumeDays?: number;
}

export interface SampleFile {
  /** Relative to the input folder, `/`-separated. */
  path: string;
  content: string | Uint8Array;
}

export type SampleSplitKind = '3a' | '3b' | 'override';

export interface SampleSplit {
  /** Canonical symbol. */
  symbol: string;
  date: IsoDate;
  /** New shares per old share (2 for 2-for-1, 0.05 for 1-for-20). */
  factor: number;
  /** Which methodology rule must find it: 3a (share count updates the same day), 3b (late), override (splits.csv). */
  kind: SampleSplitKind;
  /** Trading days the share count behind `marketCap` lags the split (0 = same day). */
  sharesLagDays: number;
}

export interface SampleManifest {
  generator: 'short-pulse-sample';
  version: 1;
  /** Everything built on this folder is sample data and must be labelled so. */
  sample: true;
  seed: number;
  from: IsoDate;
  to: IsoDate;
  symbols: number;
  tradingDays: number;
  /** Every injected split, by date. */
  splits: SampleSplit[];
  /** Trading days whose file is an exact copy of the previous trading day's file. */
  staleDays: IsoDate[];
  /** Trading days whose file holds fewer than 70% of the previous day's rows. */
  partialDays: IsoDate[];
  /** Files dated on a Saturday or Sunday (copies of the last trading day before). */
  weekendFiles: IsoDate[];
  /** `file` (the next settlement's) flags `symbols` R: their figures of `settlementDate` are revised (rule 4(a)). */
  revisions: { settlementDate: IsoDate; file: string; symbols: string[] }[];
  /** Market cap multiplied by `factor` on [from, to] (both inclusive) at an unchanged price: no split. */
  glitches: { symbol: string; from: IsoDate; to: IsoDate; factor: number }[];
  /** Symbols left out of the price files of some trading days. */
  missing: { symbol: string; dates: IsoDate[] }[];
  /** Symbols first listed after the first day / last listed before the last day. */
  listings: { symbol: string; firstDate: IsoDate }[];
  delistings: { symbol: string; lastDate: IsoDate }[];
  /** Symbols whose `marketCap` is never known (written "0.00" or ""). */
  noMarketCap: string[];
  /** Short interest above 20% of shares outstanding. */
  heavilyShorted: string[];
  settlementDates: IsoDate[];
  shortVolumeDates: IsoDate[];
  /** Symbols whose spelling differs between the sources. */
  spellings: { canonical: string; screener: string; finraShortInterest: string; regSho: string }[];
  /** Listings per tier on the last day, by the market cap in the file (what rule 6 sees). */
  tiersOnLastDay: Record<Tier, number>;
  unknownMarketCapOnLastDay: number;
}

export interface GeneratedSample {
  files: SampleFile[];
  manifest: SampleManifest;
}

interface SplitPlan {
  listing: Listing;
  day: number;
  factor: number;
  lag: number;
  kind: SampleSplitKind;
}

/** Per-listing simulation state. */
interface State {
  price: number;
  shares: number;
  /** The share count behind the screener's market cap (lags splits, doubles in the glitch). */
  reportedShares: number;
  firstDay: number;
  lastDay: number;
  volumeSum: number;
  volumeDays: number;
  siPct: number;
  siLast: number | null;
  splitFactorSinceSettlement: number;
}

interface SiExtra {
  symbol: string;
  name: string;
  exchangeCode: string;
  marketClassCode: string;
  shares: number;
  adv: number;
}

export function generateSample(options: GenerateSampleOptions = {}): GeneratedSample {
  const seed = options.seed ?? DEFAULT_SEED;
  const from = options.from ?? DEFAULT_FROM;
  const to = options.to ?? DEFAULT_TO;
  const count = options.symbols ?? DEFAULT_SYMBOLS;
  const gzip = options.gzip ?? true;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(count) || count < MIN_SYMBOLS) {
    throw new RangeError(`symbols must be an integer >= ${MIN_SYMBOLS}, got ${count}`);
  }
  const days = tradingDays(from, to);
  const n = days.length;
  if (n < MIN_TRADING_DAYS) {
    throw new RangeError(`${from}..${to} has ${n} trading days; the sample needs at least ${MIN_TRADING_DAYS}`);
  }
  const root = new Rng(seed, 'short-pulse-sample');
  const universe = buildUniverse(root.fork('universe'), { count, megaCaps: Math.max(3, Math.round(count / 250)) });
  const trapRng = root.fork('traps');
  const at = (fraction: number) => Math.min(n - 1, Math.max(1, Math.round(n * fraction)));

  // ---- traps: which listing, which day -------------------------------------------------------
  const taken = new Set<number>();
  const pool = universe.filter(
    (l) => l.kind === 'common' && l.unknownMarketCap === null && l.index >= 5 && l.screenerSymbol === l.symbol,
  );
  const pickListing = (pred: (l: Listing) => boolean): Listing => {
    const candidates = pool.filter((l) => !taken.has(l.index) && pred(l));
    const fallback = pool.filter((l) => !taken.has(l.index));
    const l = trapRng.pick(candidates.length > 0 ? candidates : fallback);
    taken.add(l.index);
    return l;
  };
  const inTier = (t: Tier) => (l: Listing) => tierOf(l.marketCap0) === t;
  const reprice = (l: Listing, lo: number, hi: number) => {
    l.price0 = trapRng.uniform(lo, hi);
    l.idioVol = Math.min(l.idioVol, 0.03);
  };

  const staleDay = at(0.42);
  const partialDay = at(0.63);
  const splits: SplitPlan[] = [];
  const addSplit = (l: Listing, fraction: number, factor: number, lag: number, kind: SampleSplitKind) => {
    splits.push({ listing: l, day: at(fraction), factor, lag, kind });
  };
  {
    const l = pickListing(inTier('small'));
    reprice(l, 150, 260);
    addSplit(l, 0.2, 2, 3, '3b');
  }
  {
    const l = pickListing(inTier('mid'));
    reprice(l, 400, 800);
    addSplit(l, 0.3, 4, 2, '3b');
  }
  {
    const l = pickListing(inTier('nano'));
    reprice(l, 0.15, 0.4);
    addSplit(l, 0.35, 0.1, 0, '3a');
  }
  {
    const l = pickListing(inTier('large'));
    reprice(l, 300, 600);
    addSplit(l, 0.5, 3, 0, '3a');
  }
  {
    const l = pickListing(inTier('micro'));
    reprice(l, 0.2, 0.45);
    addSplit(l, 0.55, 0.05, 2, '3b');
  }
  {
    // 3-for-2 is outside rule 3(b)'s list of factors and the share count lags: only splits.csv finds it.
    const l = pickListing(inTier('small'));
    reprice(l, 60, 120);
    addSplit(l, 0.72, 1.5, 4, 'override');
  }
  const glitchListing = pickListing((l) => l.marketCap0 > 15e9 && l.marketCap0 < 80e9);
  glitchListing.idioVol = Math.min(glitchListing.idioVol, 0.013);
  const glitchFrom = at(0.08);
  const glitchTo = Math.min(n - 1, glitchFrom + Math.max(10, Math.round(n * 0.12)) - 1);

  const heavy: Listing[] = [];
  for (let i = 0; i < 8; i++) {
    const l = pickListing((x) => ['micro', 'small'].includes(tierOf(x.marketCap0)));
    l.shortInterestBase = trapRng.uniform(0.2, 0.4);
    heavy.push(l);
  }

  const state: State[] = universe.map((l) => {
    const shares = Math.round(l.marketCap0 / l.price0);
    return {
      price: l.price0,
      shares,
      reportedShares: shares,
      firstDay: 0,
      lastDay: n - 1,
      volumeSum: 0,
      volumeDays: 0,
      siPct: 0,
      siLast: null,
      splitFactorSinceSettlement: 1,
    };
  });
  const stateOf = (l: Listing) => state[l.index] as State;

  // Weekend file: the Saturday before the trading day at 85% of the range, a copy of the last
  // trading day before it.
  const weekendAnchor = days[at(0.85)] as IsoDate;
  let saturday = addCalendarDays(weekendAnchor, -1);
  while (!(isWeekend(saturday) && new Date(`${saturday}T00:00:00Z`).getUTCDay() === 6)) {
    saturday = addCalendarDays(saturday, -1);
  }
  const weekendSourceDay = days.filter((d) => d < saturday).length - 1;

  // Days whose file repeats or drops rows of another day: a listing must not start or end there,
  // or its first/last appearance in the files would not be the manifest's.
  const copied = new Set([staleDay - 1, staleDay, partialDay, weekendSourceDay]);
  const dayAvoiding = (lo: number, hi: number) => {
    for (;;) {
      const d = trapRng.int(lo, hi);
      if (!copied.has(d)) return d;
    }
  };

  // New listings and delistings.
  const listed: { listing: Listing; day: number }[] = [];
  const delisted: { listing: Listing; day: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const l = pickListing(() => true);
    const day = dayAvoiding(at(0.2), at(0.8));
    stateOf(l).firstDay = day;
    listed.push({ listing: l, day });
  }
  for (let i = 0; i < 5; i++) {
    const l = pickListing(() => true);
    const day = dayAvoiding(at(0.3), at(0.9));
    stateOf(l).lastDay = day;
    delisted.push({ listing: l, day });
  }

  // Symbols missing from some days' files (never the stale or partial day, which are copies/subsets).
  const missingDays = new Map<number, Set<number>>();
  const missing: { listing: Listing; days: number[] }[] = [];
  for (let i = 0; i < 15; i++) {
    const l = pickListing(() => true);
    const k = trapRng.int(1, 3);
    const ds = new Set<number>();
    while (ds.size < k) {
      const d = trapRng.int(1, n - 2);
      if (d !== staleDay && d !== partialDay) ds.add(d);
    }
    const sorted = [...ds].sort((a, b) => a - b);
    for (const d of sorted) {
      const set = missingDays.get(d) ?? new Set<number>();
      set.add(l.index);
      missingDays.set(d, set);
    }
    missing.push({ listing: l, days: sorted });
  }

  // Settlement dates: every one in range plus the last one before `from`, so short interest is in
  // effect from the first day (its state is the simulation's starting point).
  const inRange = settlementDates(from, to);
  const before = settlementDates(addCalendarDays(from, -20), addCalendarDays(from, -1));
  const settlements: { date: IsoDate; day: number }[] = [];
  const lastBefore = before.at(-1);
  if (lastBefore) settlements.push({ date: lastBefore, day: -1 });
  for (const d of inRange) settlements.push({ date: d, day: days.indexOf(d) });
  const settlementAt = new Map(settlements.map((s) => [s.day, s.date]));
  const inRangeCount = inRange.length;
  const revisionSettlement = inRangeCount > 0 ? (inRange[Math.floor(inRangeCount / 2)] as IsoDate) : null;

  const siRng = root.fork('short-interest');
  const extras = buildSiExtras(siRng.fork('extras'), new Set(universe.map((l) => l.finraSymbol)));
  const splitsByDay = new Map<number, SplitPlan[]>();
  for (const s of splits) {
    const list = splitsByDay.get(s.day) ?? [];
    list.push(s);
    splitsByDay.set(s.day, list);
  }
  const pendingReported = new Map<number, { listing: Listing; factor: number }[]>();
  const priceRng = root.fork('prices');
  const volRng = root.fork('volumes');
  const partialRng = root.fork('partial');
  const shortVolRng = root.fork('short-volume');
  const sectorNames = SECTORS.map(([s]) => s);
  const order = [...universe].sort(screenerOrder);
  const fixedJson = universe.map((l) => {
    const probe = writeScreenerJson([
      toScreenerRow({
        symbol: l.screenerSymbol,
        name: l.name,
        price: 1,
        volume: 0,
        marketCap: null,
        sector: l.sector,
        industry: l.industry,
        country: l.country,
        ipoyear: l.ipoyear,
        exchange: l.exchange,
      }),
    ]);
    const row = probe.slice(ROWS_PREFIX.length, -ROWS_SUFFIX.length);
    const head = row.slice(0, row.indexOf('"lastsale":') + '"lastsale":'.length);
    const tail = row.slice(row.indexOf('"sector":'));
    return [head, tail] as const;
  });
  const files: SampleFile[] = [];
  const revisions: SampleManifest['revisions'] = [];
  const shortVolumeCount = Math.min(n, Math.max(0, options.shortVolumeDays ?? 5));
  const shortVolumeDates: IsoDate[] = [];
  const splitFlagged = new Set<number>();
  const encode = (json: string): string | Uint8Array => (gzip ? new Uint8Array(gzipSync(json, { level: 1 })) : json);
  const priceExt = gzip ? '.json.gz' : '.json';

  // Rows of the revised settlement (FINRA symbol → its revised quantity), flagged R in the next file.
  const reviseNext = new Map<string, number>();
  let revisionOf: IsoDate | null = null;
  const listingByFinra = new Map(universe.map((l) => [l.finraSymbol, l]));
  const bySymbolOf = (finra: string) => listingByFinra.get(finra)?.symbol ?? finra;
  const writeSettlement = (date: IsoDate, day: number) => {
    const rows: ShortInterestRowInput[] = [];
    for (const l of universe) {
      const s = stateOf(l);
      const alive = day < 0 ? s.firstDay === 0 : day >= s.firstDay && day <= s.lastDay;
      if (!alive) continue;
      const r = siRng;
      s.siPct =
        s.siLast === null
          ? l.shortInterestBase * r.logNormal(1, 0.3)
          : Math.exp(
              Math.log(l.shortInterestBase) + 0.75 * Math.log(s.siPct / l.shortInterestBase) + 0.18 * r.normal(),
            );
      s.siPct = Math.min(0.45, Math.max(0.0001, s.siPct));
      const current = Math.round(s.siPct * s.shares);
      // FINRA's previousShortPositionQuantity is NOT split-adjusted (NVDA 2024-06-14: +978.77%); the S flag says why.
      const previous = s.siLast === null ? null : Math.round(s.siLast);
      const adv = s.volumeDays > 0 ? Math.round(s.volumeSum / s.volumeDays) : Math.round(s.shares * l.turnover);
      rows.push({
        symbolCode: l.finraSymbol,
        issueName: l.name,
        ...finraMarket(l.exchange),
        currentShares: current,
        previousShares: day < 0 ? Math.round(current * r.logNormal(1, 0.1)) : previous,
        stockSplit: splitFlagged.has(l.index),
        averageDailyVolume: adv,
        revision: reviseNext.has(l.finraSymbol),
      });
      s.siLast = current;
      s.splitFactorSinceSettlement = 1;
      s.volumeSum = 0;
      s.volumeDays = 0;
    }
    splitFlagged.clear();
    for (const e of extras) {
      const prev = e.shares;
      e.shares = Math.max(0, Math.round(e.shares * siRng.logNormal(1, 0.15)));
      rows.push({
        symbolCode: e.symbol,
        issueName: e.name,
        exchangeCode: e.exchangeCode,
        marketClassCode: e.marketClassCode,
        currentShares: e.shares,
        previousShares: prev,
        stockSplit: false,
        averageDailyVolume: Math.round(e.adv * siRng.logNormal(1, 0.2)),
        revision: false,
      });
    }
    rows.sort((a, b) => (a.symbolCode < b.symbolCode ? -1 : a.symbolCode > b.symbolCode ? 1 : 0));
    files.push({
      path: `short-interest/${shortInterestFileName(date)}`,
      content: writeShortInterest(date, rows, undefined, { generated: true }),
    });

    if (date === revisionSettlement) {
      // FINRA's mechanism (rule 4(a)): the NEXT settlement's file flags these rows R, and its
      // previousShortPositionQuantity is this date's revised figure; this file is never re-issued.
      const bySymbol = new Map(universe.map((l) => [l.finraSymbol, l]));
      const candidates = rows.filter((r) => r.currentShares > 1000 && bySymbol.has(r.symbolCode));
      const picked = siRng.sample(candidates.length, 20).map((i) => candidates[i] as ShortInterestRowInput);
      for (const r of picked) {
        const l = bySymbol.get(r.symbolCode);
        if (!l) continue;
        const revised = Math.round(r.currentShares * siRng.uniform(0.8, 1.25));
        stateOf(l).siLast = revised;
        reviseNext.set(r.symbolCode, revised);
      }
      revisionOf = date;
    } else if (revisionOf !== null) {
      revisions.push({
        settlementDate: revisionOf,
        file: shortInterestFileName(date),
        symbols: [...reviseNext.keys()].map((s) => bySymbolOf(s)),
      });
      reviseNext.clear();
      revisionOf = null;
    }
  };

  const first = settlements[0];
  if (first && first.day === -1) writeSettlement(first.date, -1);

  let previousContent: string | Uint8Array | null = null;
  const tiersOnLastDay = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
  let unknownOnLastDay = 0;
  // Market factor: fat-tailed (Student t, 4 df), ~0.95% a day; the drawn path is re-centred so the
  // market ends the range up MARKET_DRIFT a year whatever the seed (one unlucky draw would
  // otherwise make the whole sample a boom or a crash). Sector factors (0.6% a day) likewise end on
  // a drift of their own, N(0, 10%) a year.
  const marketPath = centredPath(
    Array.from({ length: n }, () => 0.0095 * priceRng.studentT(4)),
    MARKET_DRIFT / TRADING_DAYS_PER_YEAR,
  );
  const sectorPaths = new Map<string, number[]>();
  for (const name of sectorNames) {
    const drift = (0.1 * priceRng.normal()) / TRADING_DAYS_PER_YEAR;
    sectorPaths.set(
      name,
      centredPath(
        Array.from({ length: n }, () => 0.006 * priceRng.normal()),
        drift,
      ),
    );
  }
  const sectorFactor = new Map<string, number>();
  const companyReturn = new Map<number, number>();

  for (let t = 0; t < n; t++) {
    const date = days[t] as IsoDate;
    const market = marketPath[t] as number;
    for (const [name, path] of sectorPaths) sectorFactor.set(name, path[t] as number);
    companyReturn.clear();

    for (const p of pendingReported.get(t) ?? []) stateOf(p.listing).reportedShares = stateOf(p.listing).shares;

    const rows: string[] = [];
    const shortVolRows: ShortVolumeRowInput[] = [];
    const writeShortVol = t >= n - shortVolumeCount;
    const missingToday = missingDays.get(t);
    const splitsToday = splitsByDay.get(t) ?? [];
    for (const l of order) {
      const s = stateOf(l);
      const idio = l.idioVol * priceRng.studentT(3);
      if (t < s.firstDay || t > s.lastDay) continue;
      let r = companyReturn.get(l.company);
      if (r === undefined) {
        // Log return; the −σ²/2 term keeps the listing's expected growth at its drift.
        r =
          l.beta * market +
          (sectorFactor.get(l.sector) ?? 0) +
          l.drift / TRADING_DAYS_PER_YEAR -
          (l.idioVol * l.idioVol) / 2 +
          idio;
        companyReturn.set(l.company, r);
      }
      // Daily moves stay within [0.7, 1.4]: outside rule 3's split windows, so that only injected
      // splits can ever look like one.
      const growth = t === s.firstDay ? 1 : Math.min(1.4, Math.max(0.7, Math.exp(r)));
      s.price = Math.max(0.0101, s.price * growth);
      for (const sp of splitsToday) {
        if (sp.listing !== l) continue;
        s.price /= sp.factor;
        s.shares = Math.round(s.shares * sp.factor);
        s.splitFactorSinceSettlement *= sp.factor;
        splitFlagged.add(l.index);
        if (sp.lag === 0) s.reportedShares = s.shares;
        else {
          const list = pendingReported.get(t + sp.lag) ?? [];
          list.push({ listing: l, factor: sp.factor });
          pendingReported.set(t + sp.lag, list);
        }
      }
      if (l === glitchListing) s.reportedShares = t >= glitchFrom && t <= glitchTo ? s.shares * 2 : s.shares;
      const volume = Math.max(1, Math.round(s.shares * l.turnover * volRng.logNormal(1, 0.5)));
      s.volumeSum += volume;
      s.volumeDays += 1;
      const lastsale = formatLastsale(s.price, l.price0 > 10_000 ? RAW_DOUBLE : PLAIN);
      const quoted = Number(lastsale.slice(1));
      const marketCap = l.unknownMarketCap === null ? Math.round(s.reportedShares * quoted) : null;
      if (t === n - 1) {
        if (marketCap === null) unknownOnLastDay++;
        else tiersOnLastDay[tierOf(marketCap)]++;
      }
      if (writeShortVol) shortVolRows.push(shortVolumeRow(shortVolRng, l, volume));
      if (missingToday?.has(l.index)) continue;
      // Only price, volume and market cap change from day to day: the rest of the row is
      // serialised once. The bytes equal writeScreenerJson's (asserted in the tests).
      const fixed = fixedJson[l.index] as readonly [string, string];
      rows.push(
        `${fixed[0]}"${lastsale}","volume":"${volume}","marketCap":"${formatMarketCap(marketCap, l.unknownMarketCap ?? '0.00')}",${fixed[1]}`,
      );
    }

    let content: string | Uint8Array;
    if (t === staleDay && previousContent !== null) {
      content = previousContent;
    } else if (t === partialDay) {
      content = encode(rowsJson(rows.filter(() => partialRng.chance(0.6))));
    } else {
      content = encode(rowsJson(rows));
    }
    files.push({ path: `prices/${date}${priceExt}`, content });
    if (t === weekendSourceDay) files.push({ path: `prices/${saturday}${priceExt}`, content });
    previousContent = content;

    if (writeShortVol) {
      shortVolRows.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
      files.push({ path: `short-volume/${shortVolumeFileName(date)}`, content: writeShortVolume(date, shortVolRows) });
      shortVolumeDates.push(date);
    }
    const settlement = settlementAt.get(t);
    if (settlement) writeSettlement(settlement, t);
  }

  const overrides: SplitOverride[] = splits
    .filter((s) => s.kind === 'override')
    .map((s) => ({ symbol: s.listing.symbol, date: days[s.day] as IsoDate, ratio: s.factor }));
  files.push({ path: 'splits.csv', content: writeSplitsCsv(overrides) });

  const manifest: SampleManifest = {
    generator: 'short-pulse-sample',
    version: 1,
    sample: true,
    seed,
    from,
    to,
    symbols: universe.length,
    tradingDays: n,
    splits: splits
      .map((s) => ({
        symbol: s.listing.symbol,
        date: days[s.day] as IsoDate,
        factor: s.factor,
        kind: s.kind,
        sharesLagDays: s.lag,
      }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.symbol < b.symbol ? -1 : 1)),
    staleDays: [days[staleDay] as IsoDate],
    partialDays: [days[partialDay] as IsoDate],
    weekendFiles: [saturday],
    revisions,
    glitches: [
      { symbol: glitchListing.symbol, from: days[glitchFrom] as IsoDate, to: days[glitchTo] as IsoDate, factor: 2 },
    ],
    missing: missing
      .map((m) => ({ symbol: m.listing.symbol, dates: m.days.map((d) => days[d] as IsoDate) }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
    listings: listed
      .map((x) => ({ symbol: x.listing.symbol, firstDate: days[x.day] as IsoDate }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
    delistings: delisted
      .map((x) => ({ symbol: x.listing.symbol, lastDate: days[x.day] as IsoDate }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
    noMarketCap: universe
      .filter((l) => l.unknownMarketCap !== null)
      .map((l) => l.symbol)
      .sort(),
    heavilyShorted: heavy.map((l) => l.symbol).sort(),
    settlementDates: settlements.map((s) => s.date),
    shortVolumeDates,
    spellings: universe
      .filter((l) => l.screenerSymbol !== l.symbol || l.finraSymbol !== l.symbol || l.cnmsSymbol !== l.symbol)
      .map((l) => ({
        canonical: l.symbol,
        screener: l.screenerSymbol,
        finraShortInterest: l.finraSymbol,
        regSho: l.cnmsSymbol,
      }))
      .sort((a, b) => (a.canonical < b.canonical ? -1 : 1)),
    tiersOnLastDay,
    unknownMarketCapOnLastDay: unknownOnLastDay,
  };
  files.push({ path: SAMPLE_MANIFEST_FILE, content: `${JSON.stringify(manifest, null, 2)}\n` });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, manifest };
}

const TRADING_DAYS_PER_YEAR = 252;
const PLAIN = {};
/** The Berkshire-like class A share prints its price like BRK/A in the real files. */
const RAW_DOUBLE = { rawDouble: true };
/** Yearly log drift of the market factor. */
const MARKET_DRIFT = 0.1;

/** `xs` shifted so its mean is exactly `mean`. */
function centredPath(xs: number[], mean: number): number[] {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.map((x) => x - m + mean);
}

const ROWS_PREFIX = '{"data":{"rows":[';
const ROWS_SUFFIX = ']}}';

function rowsJson(rows: readonly string[]): string {
  return `${ROWS_PREFIX}${rows.join(',')}${ROWS_SUFFIX}`;
}

const CNMS_MARKETS: readonly (readonly [string, number])[] = [
  ['Q,N', 5000],
  ['B,Q,N', 3154],
  ['Q', 1377],
  ['N', 120],
  ['B,Q', 61],
];

/** Off-exchange (TRF) volume is a share of the consolidated volume; about half of it is short. */
function shortVolumeRow(rng: Rng, l: Listing, volume: number): ShortVolumeRowInput {
  const total = Math.max(1, Math.round(volume * rng.uniform(0.2, 0.5)));
  const fractional = rng.chance(0.03);
  const short = Math.min(total, total * rng.uniform(0.3, 0.65));
  const exempt = rng.chance(0.15) ? Math.round(short * rng.uniform(0, 0.02)) : 0;
  const markets = CNMS_MARKETS.map((m) => m[1]);
  return {
    symbol: l.cnmsSymbol,
    shortVolume: fractional ? Math.round(short * 1e6) / 1e6 : Math.round(short),
    shortExemptVolume: exempt,
    totalVolume: fractional ? total + Math.round(rng.next() * 1e6) / 1e6 : total,
    market: (CNMS_MARKETS[rng.weighted(markets)] as readonly [string, number])[0],
  };
}

/** ETFs (Arca, BZX) and OTC issues: in FINRA's file, never in the stock screener. */
function buildSiExtras(rng: Rng, used: Set<string>): SiExtra[] {
  const out: SiExtra[] = [];
  const kinds = [
    { n: 8, exchangeCode: 'E', marketClassCode: 'ARCA', suffix: '', name: 'Sample Sector ETF Trust' },
    { n: 4, exchangeCode: 'H', marketClassCode: 'BZX', suffix: '', name: 'Sample Physical Metal ETF' },
    { n: 6, exchangeCode: 'U', marketClassCode: 'OTC', suffix: 'F', name: 'Sample Overseas Holdings Ltd Ordinary' },
    { n: 6, exchangeCode: 'U', marketClassCode: 'OTC', suffix: 'Y', name: 'Sample Overseas Holdings ADR' },
  ];
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const k of kinds) {
    for (let i = 0; i < k.n; i++) {
      let sym = '';
      do {
        sym = '';
        const len = k.suffix ? 4 : rng.int(3, 4);
        for (let j = 0; j < len; j++) sym += letters[rng.int(0, 25)];
        sym += k.suffix;
      } while (used.has(sym));
      used.add(sym);
      out.push({
        symbol: sym,
        name: `${k.name} ${sym}`,
        exchangeCode: k.exchangeCode,
        marketClassCode: k.marketClassCode,
        shares: Math.round(rng.logNormal(400_000, 1.5)),
        adv: Math.round(rng.logNormal(300_000, 1.5)),
      });
    }
  }
  return out;
}
