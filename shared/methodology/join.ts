/**
 * Rule 4(b) (v3): which FINRA short interest row belongs to which screener listing. FINRA writes class
 * shares, preferreds and warrants without separators (`BRKB`, `BFB`, `ABRPRD`, `ACHRWS`); the screener,
 * once canonical (shared/formats/symbols.ts), writes `BRK.B`, `BF.B`, `ABR-PD`, `ACHR.WS`. A compressed
 * spelling can also be a ticker of its own, so the join has explicit ambiguity rules (docs/methodology.md,
 * rule 4(b)). Pure; the engine caches one resolution per file and universe.
 */
import type { IsoDate, ShortInterestFile } from '../domain.ts';
import { classifySecurity } from './securities.ts';

/** `BRK.B` → `BRKB`, `ABR-PD` → `ABRPRD`, `ABR-P` → `ABRPR`, `ACHR.WS` → `ACHRWS`; null for a plain ticker. */
export function finraSpelling(symbol: string): string | null {
  if (!/[.-]/.test(symbol)) return null;
  return symbol.replace(/-P/g, 'PR').replace(/[.-]/g, '');
}

/** Letters and digits of a name, lower case: FINRA cuts names at 30 characters and spells them its own way. */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Whether FINRA's issue name is the screener listing's issuer: the two names agree on their first
 * min(8, shorter) letters and digits (`BERKSHIRE HATHAWAY Class B` and `Berkshire Hathaway Inc.`).
 */
export function sameIssuer(finraName: string, screenerName: string): boolean {
  const a = nameKey(finraName);
  const b = nameKey(screenerName);
  const n = Math.min(8, a.length, b.length);
  return n > 0 && a.slice(0, n) === b.slice(0, n);
}

/** The screener universe the join resolves against: symbol → name (latest), for every listing seen. */
export interface Universe {
  has(symbol: string): boolean;
  nameOf(symbol: string): string;
  readonly names: readonly string[];
  /** Listings with a separator, by their FINRA spelling (`BRKB` → `BRK.B`). */
  byCompressed: ReadonlyMap<string, string>;
}

interface CachedUniverse {
  size: number;
  universe: Universe;
  index: Map<string, number>;
  byCompressed: Map<string, string>;
}

const universes = new WeakMap<readonly string[], CachedUniverse>();

/**
 * The universe of `symbols` (ids in order) and `names` (read live, so a renamed listing is seen at once).
 * The engine only ever appends symbols: a longer list extends the cached universe in place with the new
 * ids (issue 16: rebuilding it every day a listing appeared took 0.6 s of a real year's build), so the
 * maps are what a rebuild makes, insertion order included. A universe therefore describes the list as it
 * is now: callers take it afresh after adding symbols (the engine's ShareLookup lives for one step and
 * first asks after the step's symbols are added).
 */
export function universeOf(symbols: readonly string[], names: readonly string[]): Universe {
  const hit = universes.get(symbols);
  if (hit && hit.universe.names === names && hit.size <= symbols.length) {
    if (hit.size < symbols.length) {
      addToUniverse(symbols, hit.size, hit.index, hit.byCompressed);
      hit.size = symbols.length;
    }
    return hit.universe;
  }
  const index = new Map<string, number>();
  const byCompressed = new Map<string, string>();
  addToUniverse(symbols, 0, index, byCompressed);
  const universe: Universe = {
    has: (s) => index.has(s),
    nameOf: (s) => {
      const i = index.get(s);
      return i === undefined ? '' : (names[i] ?? '');
    },
    names,
    byCompressed,
  };
  universes.set(symbols, { size: symbols.length, universe, index, byCompressed });
  return universe;
}

/** Ids `from` … of `symbols` into the maps, the first spelling of a FINRA key kept. */
function addToUniverse(
  symbols: readonly string[],
  from: number,
  index: Map<string, number>,
  byCompressed: Map<string, string>,
): void {
  for (let i = from; i < symbols.length; i++) {
    const s = symbols[i] as string;
    index.set(s, i);
    const c = finraSpelling(s);
    if (c !== null && !byCompressed.has(c)) byCompressed.set(c, s);
  }
}

/**
 * The FINRA row key of screener listing `symbol` in `file`, or undefined when the file has none for it:
 * 1. a row spelled like the listing is its own — unless the listing is a plain ticker `XY` that is also
 *    the compressed spelling of a listed class share `X.Y` and FINRA's issue name names `X.Y`'s issuer
 *    but not `XY`'s (the row then belongs to `X.Y`);
 * 2. otherwise the row spelled `finraSpelling(symbol)` — unless that spelling is itself a listed ticker,
 *    whose own row it is, except when FINRA's issue name names this listing's issuer and not the ticker's.
 */
export function finraKeyOf(file: ShortInterestFile, symbol: string, universe: Universe): string | undefined {
  const names = file.listedNames;
  if (file.shares.has(symbol)) {
    if (universe.byCompressed.size === 0) return symbol;
    const classShare = universe.byCompressed.get(symbol);
    if (classShare !== undefined && names !== undefined) {
      const finraName = names.get(symbol) ?? '';
      if (sameIssuer(finraName, universe.nameOf(classShare)) && !sameIssuer(finraName, universe.nameOf(symbol))) {
        return undefined;
      }
    }
    return symbol;
  }
  const compressed = finraSpelling(symbol);
  if (compressed === null || !file.shares.has(compressed)) return undefined;
  if (universe.has(compressed)) {
    const finraName = names?.get(compressed) ?? '';
    const ours = sameIssuer(finraName, universe.nameOf(symbol)) && !sameIssuer(finraName, universe.nameOf(compressed));
    return ours ? compressed : undefined;
  }
  return compressed;
}

/** Exchange-traded product issuers and trust shapes FINRA's 30-character names show (`iShares MSCI …`, `EA Series Trust …`). */
const ETP_NAME =
  /\b(ishares|spdr|proshares|direxion|invesco|vanguard|global x|first trust|wisdomtree|vaneck|graniteshares|kraneshares|yieldmax|exchange[- ]traded|series tr(ust)?|funds? tr(ust)?|etf tr(ust)?|portfolios?)\b/i;

const fundRows = new WeakMap<ShortInterestFile, Map<string, boolean>>();

/** A fund or ETF row: on an ETP venue, or named like one (rule 12's fund pattern, or an ETP issuer). Cached per file. */
function isFundRow(file: ShortInterestFile, symbol: string, issueName: string): boolean {
  let cache = fundRows.get(file);
  if (!cache) {
    cache = new Map();
    fundRows.set(file, cache);
  }
  let fund = cache.get(symbol);
  if (fund === undefined) {
    fund =
      file.etpVenue?.has(symbol) === true || classifySecurity(symbol, issueName) === 'fund' || ETP_NAME.test(issueName);
    cache.set(symbol, fund);
  }
  return fund;
}

export interface JoinStats {
  settlementDate: IsoDate;
  listedRows: number;
  matchedRows: number;
  resolvedSpellings: number;
  unmatchedFunds: { rows: number; shares: number };
  unmatchedOther: { rows: number; shares: number };
  largestUnmatched: { symbol: string; issueName: string; shares: number }[];
}

/**
 * Rule 4(b)'s data-quality count: the exchange-listed rows of `file` (marketClassCode not OTC) against
 * the listings priced on the day, `keys` being the FINRA row each priced listing met (undefined: none).
 * Funds and ETFs (rule 12's pattern on FINRA's issue name) are counted apart: the screener does not list them.
 */
export function joinStats(file: ShortInterestFile, keys: ReadonlyMap<string, string>): JoinStats {
  const matched = new Set<string>();
  let resolved = 0;
  for (const [symbol, key] of keys) {
    if (!matched.has(key)) {
      matched.add(key);
      if (key !== symbol) resolved++;
    }
  }
  const funds = { rows: 0, shares: 0 };
  const other = { rows: 0, shares: 0 };
  const largest: JoinStats['largestUnmatched'] = [];
  let listedRows = 0;
  let matchedRows = 0;
  for (const [symbol, issueName] of file.listedNames ?? []) {
    listedRows++;
    if (matched.has(symbol)) {
      matchedRows++;
      continue;
    }
    const shares = file.shares.get(symbol) ?? 0;
    if (isFundRow(file, symbol, issueName)) {
      funds.rows++;
      funds.shares += shares;
      continue;
    }
    other.rows++;
    other.shares += shares;
    largest.push({ symbol, issueName, shares });
  }
  largest.sort((a, b) => b.shares - a.shares || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return {
    settlementDate: file.settlementDate,
    listedRows,
    matchedRows,
    resolvedSpellings: resolved,
    unmatchedFunds: funds,
    unmatchedOther: other,
    largestUnmatched: largest.slice(0, 10),
  };
}
