/**
 * The sample market's listings: symbols in each source's spelling, names, sectors, exchanges and
 * the starting market cap, price, share count and short interest level of each. Distributions are
 * shaped after the 2024 Nasdaq screener files (see docs/sample-data.md).
 */
import type { Tier } from '../domain.ts';
import type { Rng } from './prng.ts';

export type ListingKind = 'common' | 'class' | 'preferred' | 'spac' | 'warrant' | 'unit' | 'no-market-cap';
export type Exchange = 'NASDAQ' | 'NYSE' | 'AMEX';

export interface Listing {
  index: number;
  kind: ListingKind;
  /** As the Nasdaq screener spells it (`ABC/B`, `XYZ^A`, possibly space-padded). */
  screenerSymbol: string;
  /** The project's canonical form (shared/formats/symbols.ts rules). */
  symbol: string;
  /** FINRA short interest spelling (`ABC.B`, `XYZpA`). */
  finraSymbol: string;
  /** FINRA Reg SHO (CNMS) spelling (`ABC/B`, `XYZpA`). */
  cnmsSymbol: string;
  name: string;
  exchange: Exchange;
  sector: string;
  industry: string;
  country: string;
  ipoyear: string;
  /** How an unknown market cap is written for this listing; null = market cap known. */
  unknownMarketCap: '0.00' | '' | null;
  /** Listings that move together (class shares of one company) share a company id. */
  company: number;
  marketCap0: number;
  price0: number;
  beta: number;
  idioVol: number;
  /** Expected log return per year of the listing's own component (tier drift + a personal one). */
  drift: number;
  /** Daily share turnover (fraction of shares outstanding). */
  turnover: number;
  /** Long-run short interest as a fraction of shares outstanding. */
  shortInterestBase: number;
}

/** Sector mix of the 2024 screener files (share of rows), '' = no sector. */
export const SECTORS: readonly (readonly [string, number])[] = [
  ['Finance', 1806],
  ['Health Care', 1234],
  ['Consumer Discretionary', 1105],
  ['Technology', 799],
  ['', 739],
  ['Industrials', 568],
  ['Real Estate', 289],
  ['Energy', 205],
  ['Utilities', 171],
  ['Consumer Staples', 145],
  ['Basic Materials', 104],
  ['Telecommunications', 96],
  ['Miscellaneous', 49],
];

const INDUSTRIES: Readonly<Record<string, readonly string[]>> = {
  Finance: ['Major Banks', 'Investment Managers', 'Finance: Consumer Services', 'Property-Casualty Insurers'],
  'Health Care': [
    'Biotechnology: Pharmaceutical Preparations',
    'Biotechnology: Biological Products (No Diagnostic Substances)',
    'Medical/Dental Instruments',
    'Medical/Nursing Services',
  ],
  'Consumer Discretionary': ['Business Services', 'Restaurants', 'Marine Transportation', 'Auto Parts:O.E.M.'],
  Technology: ['Computer Software: Prepackaged Software', 'EDP Services', 'Semiconductors'],
  '': [''],
  Industrials: ['Industrial Machinery/Components', 'Major Chemicals', 'Metal Fabrications'],
  'Real Estate': ['Real Estate Investment Trusts', 'Other Consumer Services'],
  Energy: ['Oil & Gas Production', 'Oilfield Services/Equipment', 'Integrated oil Companies'],
  Utilities: ['Electric Utilities: Central', 'Power Generation', 'Natural Gas Distribution', 'Water Supply'],
  'Consumer Staples': ['Packaged Foods', 'Beverages (Production/Distribution)', 'Farming/Seeds/Milling'],
  'Basic Materials': ['Precious Metals', 'Metal Mining', 'Paper'],
  Telecommunications: ['Telecommunications Equipment', 'Cable & Other Pay Television Services'],
  Miscellaneous: ['Industrial Machinery/Components', 'Multi-Sector Companies'],
};

const NOUNS: Readonly<Record<string, readonly string[]>> = {
  Finance: ['Bancorp', 'Financial', 'Capital', 'Bankshares', 'Insurance Group'],
  'Health Care': ['Therapeutics', 'Biosciences', 'Pharmaceuticals', 'Medical', 'Health'],
  'Consumer Discretionary': ['Brands', 'Restaurants', 'Shipping', 'Outfitters', 'Motors'],
  Technology: ['Software', 'Systems', 'Semiconductor', 'Networks', 'Data'],
  '': ['Holdings', 'Group'],
  Industrials: ['Industries', 'Manufacturing', 'Chemicals', 'Machinery'],
  'Real Estate': ['Realty', 'Properties', 'REIT'],
  Energy: ['Energy', 'Petroleum', 'Resources'],
  Utilities: ['Power', 'Utilities', 'Water', 'Gas'],
  'Consumer Staples': ['Foods', 'Beverage', 'Farms'],
  'Basic Materials': ['Gold', 'Mining', 'Materials'],
  Telecommunications: ['Communications', 'Telecom'],
  Miscellaneous: ['Enterprises', 'Diversified'],
};

const ROOTS = [
  'Acorn',
  'Alder',
  'Amber',
  'Anvil',
  'Apex',
  'Arbor',
  'Aster',
  'Atlas',
  'Aurora',
  'Beacon',
  'Birch',
  'Bluecrest',
  'Boulder',
  'Brightwater',
  'Cascade',
  'Cedar',
  'Cinder',
  'Clearpath',
  'Cobalt',
  'Copper',
  'Coral',
  'Crescent',
  'Cypress',
  'Delta',
  'Driftwood',
  'Eastgate',
  'Ember',
  'Evergreen',
  'Falcon',
  'Fernwood',
  'Flint',
  'Foxglove',
  'Galena',
  'Garnet',
  'Glacier',
  'Granite',
  'Greyhawk',
  'Harbor',
  'Hawthorn',
  'Heron',
  'Highland',
  'Horizon',
  'Indigo',
  'Ironwood',
  'Juniper',
  'Kestrel',
  'Keystone',
  'Lakeshore',
  'Lantern',
  'Larch',
  'Linden',
  'Lodestar',
  'Magnolia',
  'Maple',
  'Meridian',
  'Mesa',
  'Millstone',
  'Monarch',
  'Northwind',
  'Oakridge',
  'Obsidian',
  'Onyx',
  'Orchard',
  'Osprey',
  'Pacific',
  'Palisade',
  'Pinnacle',
  'Pioneer',
  'Prairie',
  'Quarry',
  'Quartz',
  'Radiant',
  'Redwood',
  'Ridgeline',
  'Riverbend',
  'Rockport',
  'Saffron',
  'Sage',
  'Sequoia',
  'Sierra',
  'Silverline',
  'Sparrow',
  'Spruce',
  'Stonebridge',
  'Summit',
  'Sunstone',
  'Tamarack',
  'Tidewater',
  'Timber',
  'Topaz',
  'Trident',
  'Tundra',
  'Upland',
  'Valley',
  'Vantage',
  'Verde',
  'Vireo',
  'Westbrook',
  'Willow',
  'Windmill',
  'Wren',
  'Yarrow',
  'Zenith',
  'Zephyr',
];

const FORMS = ['Inc.', 'Corp.', 'Corporation', 'Holdings Inc.', 'Ltd.', 'Co.', 'Group Inc.', 'plc'];
const COUNTRIES: readonly (readonly [string, number])[] = [
  ['United States', 5650],
  ['', 307],
  ['Canada', 234],
  ['China', 231],
  ['Israel', 129],
  ['United Kingdom', 97],
  ['Bermuda', 63],
  ['Singapore', 52],
];

/** Names that carry characters a careless CSV/pipe writer or reader would break on. */
const TRAP_NAMES = [
  'Harbor, Vale & Sons Inc. Common Stock',
  'Mesa "Prime" Realty Trust Common Shares of Beneficial Interest',
  'Pipe|Line Midstream Partners L.P. Common Units',
  'Café Lumière Holdings Inc. American Depositary Shares',
  "O'Brien, Kessler, and Wu Bancorp, Inc. Common Stock",
];

/** Market-cap tier thresholds (methodology rule 6). */
export function tierOf(marketCap: number): Tier {
  if (marketCap < 50e6) return 'nano';
  if (marketCap < 300e6) return 'micro';
  if (marketCap < 2e9) return 'small';
  if (marketCap < 10e9) return 'mid';
  if (marketCap < 200e9) return 'large';
  return 'mega';
}

const IDIO_VOL: Readonly<Record<Tier, number>> = {
  nano: 0.045,
  micro: 0.032,
  small: 0.024,
  mid: 0.017,
  large: 0.013,
  mega: 0.012,
};

/**
 * Expected yearly log drift of a listing's own component by starting tier: the smallest companies
 * tend to shrink (dilution, failures) and the largest to grow, as in recent US markets — so the
 * sample's shorts tend to win in nano/micro caps and lose in mega caps, as S3's tables often show.
 */
const TIER_DRIFT: Readonly<Record<Tier, number>> = {
  nano: -0.35,
  micro: -0.15,
  small: -0.04,
  mid: 0.0,
  large: 0.02,
  mega: 0.06,
};

/** Median short interest (fraction of shares outstanding) by tier: small caps are shorted more. */
const SI_MEDIAN: Readonly<Record<Tier, number>> = {
  nano: 0.03,
  micro: 0.05,
  small: 0.055,
  mid: 0.04,
  large: 0.022,
  mega: 0.008,
};

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function tickerFrom(rng: Rng, root: string, length: number, used: Set<string>): string {
  const letters = root.toUpperCase().replace(/[^A-Z]/g, '');
  for (let attempt = 0; attempt < 50; attempt++) {
    let t = letters[0] ?? rng.pick([...LETTERS]);
    while (t.length < length) {
      t +=
        attempt < 20 && letters.length > 1 ? (letters[rng.int(1, letters.length - 1)] ?? 'X') : rng.pick([...LETTERS]);
    }
    if (!used.has(t) && !used.has(`${t}W`) && !used.has(`${t}U`)) {
      used.add(t);
      return t;
    }
  }
  // Random names until a free one. When every name of `length` letters is taken (the 676 two-letter
  // names run out near 10,000 listings), one letter more: the draws are the same as before while a
  // name of the asked length is free, so smaller samples do not change.
  for (let size = length; ; size++) {
    if (takenOfLength(used, size) >= LETTERS.length ** size) continue;
    for (;;) {
      let t = '';
      while (t.length < size) t += rng.pick([...LETTERS]);
      if (!used.has(t)) {
        used.add(t);
        return t;
      }
    }
  }
}

/** How many names of exactly `size` capital letters `used` holds (only counted below 5 letters: 26^5 never runs out). */
function takenOfLength(used: ReadonlySet<string>, size: number): number {
  if (size >= 5) return 0;
  let n = 0;
  for (const t of used) if (t.length === size && /^[A-Z]+$/.test(t)) n++;
  return n;
}

function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const i = rng.weighted(items.map((x) => x[1]));
  return (items[i] as readonly [T, number])[0];
}

/**
 * Market cap draw: log-normal around $700M (σ = 2.1 in log space) clipped to [$3M, $150B],
 * which puts roughly 10% in nano, 23% micro, 35% small, 21% mid and 11% large; mega caps are
 * drawn separately (a handful, $200B–$3.5T) as in the real market.
 */
function drawMarketCap(rng: Rng): number {
  return Math.min(150e9, Math.max(3e6, rng.logNormal(700e6, 2.1)));
}

/** Price loosely tied to size: nano caps trade under $1 often, large caps in the hundreds. */
function drawPrice(rng: Rng, marketCap: number): number {
  const p = Math.exp(Math.log(18) + 0.3 * Math.log(marketCap / 1e9) + 0.8 * rng.normal());
  return Math.min(2500, Math.max(0.08, p));
}

export interface UniverseOptions {
  /** Screener listings to create (≥ 200). */
  count: number;
  megaCaps: number;
}

export function buildUniverse(rng: Rng, opts: UniverseOptions): Listing[] {
  const used = new Set<string>();
  const listings: Listing[] = [];
  let company = 0;
  const n = opts.count;
  const nPreferred = Math.max(6, Math.round(n * 0.02));
  const nSpac = Math.max(4, Math.round(n * 0.02));
  const nWarrant = Math.max(2, Math.round(nSpac * 0.6));
  const nUnit = Math.max(1, Math.round(nSpac * 0.3));
  const nClass = 6;
  const nCommon = n - nPreferred - nSpac - nWarrant - nUnit - nClass - 1;

  const base = (
    kind: ListingKind,
    exchange: Exchange,
    screenerSymbol: string,
    symbol: string,
    finraSymbol: string,
    cnmsSymbol: string,
    name: string,
    sector: string,
  ): Listing => ({
    index: listings.length,
    kind,
    screenerSymbol,
    symbol,
    finraSymbol,
    cnmsSymbol,
    name,
    exchange,
    sector,
    industry: sector === '' ? '' : rng.pick(INDUSTRIES[sector] ?? ['']),
    country: pickWeighted(rng, COUNTRIES),
    ipoyear: rng.chance(0.55) ? String(rng.int(1980, 2024)) : '',
    unknownMarketCap: null,
    company: company++,
    marketCap0: 0,
    price0: 0,
    beta: Math.min(2, Math.max(0.2, 1 + 0.3 * rng.normal())),
    idioVol: 0,
    drift: 0,
    turnover: rng.logNormal(0.009, 0.7),
    shortInterestBase: 0,
  });

  const setEconomics = (l: Listing, marketCap: number, price?: number) => {
    const tier = tierOf(marketCap);
    l.marketCap0 = marketCap;
    l.price0 = price ?? drawPrice(rng, marketCap);
    l.idioVol = IDIO_VOL[tier] * rng.logNormal(1, 0.25);
    l.drift = TIER_DRIFT[tier] + 0.15 * rng.normal();
    l.shortInterestBase = Math.min(0.18, rng.logNormal(SI_MEDIAN[tier], 0.7));
  };

  const nameFor = (sector: string, trap: string | undefined): string => {
    if (trap) return trap;
    const root = rng.pick(ROOTS);
    const noun = rng.pick(NOUNS[sector] ?? ['Holdings']);
    const form = rng.pick(FORMS);
    const suffix = rng.chance(0.6) ? ' Common Stock' : rng.chance(0.3) ? ' Class A Common Stock' : '';
    // Real names sometimes carry a trailing space (115 of 7,310 rows on 2024-01-02).
    return `${root} ${noun} ${form}${suffix}${rng.chance(0.015) ? ' ' : ''}`;
  };

  // Common stocks, including the mega caps.
  const commonParents: Listing[] = [];
  for (let i = 0; i < nCommon; i++) {
    const sector = pickWeighted(rng, SECTORS);
    const trap = i < TRAP_NAMES.length ? TRAP_NAMES[i] : undefined;
    const name = nameFor(sector, trap);
    const exchange: Exchange = rng.chance(0.57) ? 'NASDAQ' : rng.chance(0.9) ? 'NYSE' : 'AMEX';
    const length = exchange === 'NASDAQ' ? (rng.chance(0.85) ? 4 : 3) : rng.chance(0.8) ? 3 : rng.chance(0.8) ? 2 : 4;
    const ticker = tickerFrom(rng, name.replace(/^(The|O')\s*/, ''), length, used);
    const l = base('common', exchange, ticker, ticker, ticker, ticker, name, sector);
    const mega = i >= TRAP_NAMES.length && i < TRAP_NAMES.length + opts.megaCaps;
    if (mega) {
      l.sector = rng.pick(['Technology', 'Technology', 'Health Care', 'Finance', 'Consumer Discretionary']);
      l.industry = rng.pick(INDUSTRIES[l.sector] ?? ['']);
      l.name = nameFor(l.sector, undefined);
      setEconomics(l, Math.exp(rng.uniform(Math.log(210e9), Math.log(3.5e12))), rng.uniform(90, 900));
    } else {
      setEconomics(l, drawMarketCap(rng));
    }
    listings.push(l);
    if (exchange === 'NYSE' && tierOf(l.marketCap0) !== 'nano') commonParents.push(l);
  }

  // One real-looking row whose symbol is space-padded, as `ECC           ` in the 2024 files.
  const padded = listings.find((l) => l.exchange === 'NYSE' && l.screenerSymbol.length === 3 && !l.name.includes('"'));
  if (padded) padded.screenerSymbol = padded.screenerSymbol.padEnd(14, ' ');

  // A common stock that never has a market cap (new listing whose share count the screener lacks).
  {
    const sector = 'Health Care';
    const name = nameFor(sector, undefined);
    const ticker = tickerFrom(rng, name, 4, used);
    const l = base('no-market-cap', 'NASDAQ', ticker, ticker, ticker, ticker, name, sector);
    setEconomics(l, 120e6);
    l.unknownMarketCap = '0.00';
    listings.push(l);
  }

  // Class shares: one Berkshire-like pair (A ≈ 1,500 × B, both rows carrying the company's whole
  // market cap) and two ordinary pairs whose rows have no market cap, as in the real files.
  for (let p = 0; p < nClass / 2; p++) {
    const sector =
      p === 0
        ? 'Finance'
        : pickWeighted(
            rng,
            SECTORS.filter(([s]) => s !== ''),
          );
    const rootName = nameFor(sector, undefined).replace(/ (Class A )?Common Stock\s*$/, '');
    const root = tickerFrom(rng, rootName, p === 0 ? 3 : 2, used);
    const marketCap = p === 0 ? 600e9 : Math.exp(rng.uniform(Math.log(800e6), Math.log(8e9)));
    const priceB = p === 0 ? 320 : rng.uniform(15, 120);
    for (const cls of ['A', 'B'] as const) {
      const scr = `${root}/${cls}`;
      const l = base(
        'class',
        'NYSE',
        scr,
        `${root}.${cls}`,
        // FINRA's short interest file writes class shares without a separator (BRKB, BFB: rule 4(b)).
        `${root}${cls}`,
        scr,
        rootName.trim(),
        p === 0 ? '' : sector,
      );
      l.company = listings.find((x) => x.screenerSymbol.startsWith(`${root}/`))?.company ?? l.company;
      const price = p === 0 && cls === 'A' ? priceB * 1500 : priceB * (cls === 'A' ? rng.uniform(0.95, 1.05) : 1);
      setEconomics(l, marketCap, price);
      l.unknownMarketCap = p === 0 ? null : '';
      l.idioVol = 0.011;
      l.turnover = p === 0 && cls === 'A' ? 0.0015 : 0.004;
      listings.push(l);
    }
  }

  // Preferreds `XYZ^A` of NYSE issuers (1–3 series each): around $25 par, no market cap and no
  // sector, as the real rows.
  let made = 0;
  for (const parent of commonParents) {
    if (made >= nPreferred) break;
    const root = parent.screenerSymbol.trim();
    const first = rng.int(0, 4);
    const seriesCount = Math.min(rng.int(1, 3), nPreferred - made);
    for (let k = 0; k < seriesCount; k++) {
      const series = 'ABCDEFGH'[first + k] ?? 'A';
      const coupon = (rng.int(450, 875) / 100).toFixed(3);
      const issuer = parent.name.replace(/ (Class A )?Common Stock\s*$/, '').trim();
      const name = `${issuer} ${coupon}% Series ${series} Cumulative Redeemable Preferred Stock`;
      const l = base(
        'preferred',
        'NYSE',
        `${root}^${series}`,
        `${root}-P${series}`,
        // FINRA's short interest file: ABRPRD (rule 4(b)); Reg SHO: ABRpD.
        `${root}PR${series}`,
        `${root}p${series}`,
        name,
        '',
      );
      setEconomics(l, 250e6, rng.uniform(15, 25.5));
      l.unknownMarketCap = '';
      l.idioVol = 0.007;
      l.drift = 0;
      l.beta = 0.2;
      l.turnover = 0.0008;
      l.shortInterestBase = 0.002;
      l.country = 'United States';
      l.ipoyear = '';
      listings.push(l);
      made++;
    }
  }

  // SPACs with their warrants and units: ~$10.50 trust value, market cap "0.00".
  const spacs: Listing[] = [];
  for (let i = 0; i < nSpac; i++) {
    const root = rng.pick(ROOTS);
    const nm = `${root} Acquisition Corp. ${['I', 'II', 'III', 'IV'][i % 4]}`;
    const ticker = tickerFrom(rng, root, 4, used);
    const l = base('spac', 'NASDAQ', ticker, ticker, ticker, ticker, `${nm} Class A Ordinary Shares`, 'Finance');
    l.industry = 'Blank Checks';
    setEconomics(l, 150e6, rng.uniform(10.1, 11.2));
    l.unknownMarketCap = '0.00';
    l.idioVol = 0.003;
    l.drift = 0.03;
    l.beta = 0.05;
    l.turnover = 0.001;
    l.shortInterestBase = 0.004;
    listings.push(l);
    spacs.push(l);
  }
  for (let i = 0; i < nWarrant + nUnit; i++) {
    const spac = spacs[i % spacs.length] as Listing;
    const isWarrant = i < nWarrant;
    const sym = `${spac.screenerSymbol}${isWarrant ? 'W' : 'U'}`;
    if (used.has(sym)) continue;
    used.add(sym);
    const kind: ListingKind = isWarrant ? 'warrant' : 'unit';
    const name = spac.name.replace('Class A Ordinary Shares', isWarrant ? 'Warrant' : 'Unit');
    const l = base(kind, 'NASDAQ', sym, sym, sym, sym, name, 'Finance');
    l.industry = 'Blank Checks';
    setEconomics(l, 20e6, isWarrant ? rng.uniform(0.02, 0.6) : rng.uniform(10.2, 11.5));
    l.unknownMarketCap = '0.00';
    l.idioVol = isWarrant ? 0.06 : 0.004;
    l.drift = isWarrant ? -0.3 : 0.03;
    l.beta = isWarrant ? 1 : 0.05;
    l.turnover = 0.002;
    l.shortInterestBase = 0.001;
    listings.push(l);
  }
  listings.forEach((l, i) => {
    l.index = i;
  });
  return listings;
}

/** Screener row order: NASDAQ, NYSE, AMEX blocks, each by symbol with `^` and `/` before letters. */
export function screenerOrder(a: Listing, b: Listing): number {
  const ex = EXCHANGE_ORDER[a.exchange] - EXCHANGE_ORDER[b.exchange];
  if (ex !== 0) return ex;
  const ka = a.screenerSymbol.trim().replace(/[\^/]/g, ' ');
  const kb = b.screenerSymbol.trim().replace(/[\^/]/g, ' ');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const EXCHANGE_ORDER: Readonly<Record<Exchange, number>> = { NASDAQ: 0, NYSE: 1, AMEX: 2 };

/** FINRA short interest exchange codes: A/NYSE, R/NNM, B/AMEX (A, E, H are in the real file). */
export function finraMarket(exchange: Exchange): { exchangeCode: string; marketClassCode: string } {
  if (exchange === 'NYSE') return { exchangeCode: 'A', marketClassCode: 'NYSE' };
  if (exchange === 'AMEX') return { exchangeCode: 'B', marketClassCode: 'AMEX' };
  return { exchangeCode: 'R', marketClassCode: 'NNM' };
}
