/**
 * Build-time tool (the sample generator and the tests use it; no Lambda may import it:
 * test/infra/lambda-imports.test.ts). Serialisers for the three public input formats, byte-compatible with the real files
 * (see ../shared/data/README.md and docs/data-formats.md): the sample generator writes its
 * input folder through these, so the parsers read generated data exactly as they read real data.
 * Pure: text in, text out.
 */
import type { IsoDate, SplitOverride } from '../domain.ts';
import { GENERATED_COLUMN, GENERATED_MARK, SHORT_INTEREST_COLUMNS } from './finra-short-interest.ts';

/** A value the target format cannot represent (e.g. a `|` in a pipe-delimited symbol). */
export class FormatWriteError extends Error {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly reason: string;
  constructor(file: string, line: number, field: string, reason: string) {
    super(`${file}:${line}: ${field}: ${reason}`);
    this.name = 'FormatWriteError';
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Nasdaq screener snapshot

/** One screener row before formatting; numbers are formatted the way the real API does. */
export interface ScreenerRowInput {
  /** Screener spelling: `BRK/B`, `ABR^D`, plain tickers (real rows are sometimes space-padded). */
  symbol: string;
  name: string;
  price: number;
  volume: number;
  /** Unknown market cap: `null` is written as `unknownMarketCap` (default `"0.00"`). */
  marketCap: number | null;
  /** How this row spells an unknown market cap: SPACs and warrants carry "0.00", preferreds "". */
  unknownMarketCap?: '0.00' | '';
  sector: string;
  industry: string;
  country: string;
  ipoyear: string;
  exchange: 'NASDAQ' | 'NYSE' | 'AMEX';
}

/** The vendor row exactly as the API returns it: every field a string. */
export interface ScreenerRowOutput {
  symbol: string;
  name: string;
  lastsale: string;
  volume: string;
  marketCap: string;
  sector: string;
  industry: string;
  country: string;
  ipoyear: string;
  exchange: string;
}

export interface LastsaleOptions {
  /**
   * Group thousands with `,` (`$1,209.98`). The 2024 files never do (`$1208.88`, `$622291.00`),
   * so the default is false; the parsers accept both.
   */
  thousands?: boolean;
  /**
   * Print the cent-rounded double with 17 significant digits (C's `%.17g`), trailing zeros
   * dropped, as the API does for BRK/A: `$613965.01000000001` and `$622291.00` in the 2024 files
   * (it also printed `$631110.099999999977`, 18 digits, which this does not reproduce).
   */
  rawDouble?: boolean;
}

/**
 * `lastsale` as the screener prints it: `$` and 2 decimals from $1 up; sub-dollar prices with up
 * to 4 decimals and trailing zeros trimmed to no fewer than 2 (`$0.9741`, `$0.027`, `$0.50`).
 */
export function formatLastsale(price: number, opts: LastsaleOptions = {}): string {
  if (!Number.isFinite(price) || price <= 0)
    throw new RangeError(`lastsale: price must be finite and > 0, got ${price}`);
  let text = price >= 1 ? price.toFixed(2) : price.toFixed(4).replace(/0{1,2}$/, '');
  if (opts.rawDouble && price >= 1) {
    const raw = (Math.round(price * 100) / 100).toPrecision(17).replace(/\.?0+$/, '');
    const decimals = raw.split('.')[1]?.length ?? 0;
    if (decimals > 2 && !raw.includes('e')) return `$${raw}`;
  }
  if (opts.thousands) {
    const [int = '', frac = ''] = text.split('.');
    text = `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
  }
  return `$${text}`;
}

/** The price a screener reader gets back from `formatLastsale` (what the generator must compute MC from). */
export function quotedPrice(price: number): number {
  return parseLastsaleText(formatLastsale(price));
}

/** The number a `lastsale` text stands for (`$1,209.98` → 1209.98). */
export function parseLastsaleText(text: string): number {
  return Number(text.replace(/^\$/, '').replace(/,/g, ''));
}

/** `marketCap`: whole dollars with `.00` (the real files never carry cents), or the unknown form. */
export function formatMarketCap(marketCap: number | null, unknown: '0.00' | '' = '0.00'): string {
  if (marketCap === null || !(marketCap > 0)) return unknown;
  return Math.round(marketCap).toFixed(2);
}

export function toScreenerRow(row: ScreenerRowInput, opts: LastsaleOptions = {}): ScreenerRowOutput {
  if (!Number.isInteger(row.volume) || row.volume < 0)
    throw new RangeError(`volume: expected a whole number >= 0, got ${row.volume}`);
  return {
    symbol: row.symbol,
    name: row.name,
    lastsale: formatLastsale(row.price, opts),
    volume: String(row.volume),
    marketCap: formatMarketCap(row.marketCap, row.unknownMarketCap ?? '0.00'),
    sector: row.sector,
    industry: row.industry,
    country: row.country,
    ipoyear: row.ipoyear,
    exchange: row.exchange,
  };
}

/** The API response body `{"data":{"rows":[...]}}` (compact JSON, rows in the given order). */
export function writeScreenerJson(rows: readonly ScreenerRowOutput[]): string {
  return JSON.stringify({ data: { rows } });
}

// ---------------------------------------------------------------------------------------------
// FINRA consolidated equity short interest (shrtYYYYMMDD.csv, pipe-delimited, LF)

// The header is the parser's column list, so the writer cannot drift from what the parser reads.
export { GENERATED_COLUMN, GENERATED_MARK, SHORT_INTEREST_COLUMNS };

/** FINRA truncates issue names to 30 characters (`Goldman Sachs Physical Gold ET`). */
export const FINRA_ISSUE_NAME_MAX = 30;

export interface ShortInterestRowInput {
  /** FINRA spelling (`BRK.B`, `ABRpD`, plain tickers). */
  symbolCode: string;
  issueName: string;
  /** `A` NYSE, `E` NYSE Arca, `H` Cboe BZX (seen in the real file); `R` Nasdaq, `B` NYSE American. */
  exchangeCode: string;
  /** `NYSE`, `ARCA`, `BZX` (seen in the real file); `NNM`, `NCM`, `AMEX`, `OTC`. */
  marketClassCode: string;
  currentShares: number;
  /** Split-adjusted previous position; `null` when the symbol had none (new in this file). */
  previousShares: number | null;
  /** A split between the previous and this settlement date (written `S`). */
  stockSplit: boolean;
  averageDailyVolume: number;
  /** The previous settlement's figure of this row was revised to `previousShares` (written `R`, as FINRA does). */
  revision: boolean;
}

/**
 * A FINRA field cannot be quoted: the format is bare `|`-separated text. Issue names are free
 * text, so a `|` becomes `/` and line breaks a space before the 30-character cut; symbols and
 * codes must already be clean, otherwise the row would shift columns and the writer refuses it.
 */
export function finraIssueName(name: string): string {
  return name
    .replace(/\|/g, '/')
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, FINRA_ISSUE_NAME_MAX)
    .trimEnd();
}

function finraToken(value: string, file: string, line: number, field: string): string {
  if (value === '' || /[|\r\n\s]/.test(value)) {
    throw new FormatWriteError(
      file,
      line,
      field,
      `cannot be written in a pipe-delimited row: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function wholeShares(n: number, file: string, line: number, field: string): string {
  if (!Number.isInteger(n) || n < 0)
    throw new FormatWriteError(file, line, field, `expected a whole number >= 0, got ${n}`);
  return String(n);
}

export function shortInterestFileName(settlementDate: IsoDate, revision = 0): string {
  const base = `shrt${settlementDate.replace(/-/g, '')}`;
  return revision > 0 ? `${base}-r${revision}.csv` : `${base}.csv`;
}

/**
 * One settlement date's file: header and one row per record in the given order, LF line ends,
 * final LF (as the real file). `daysToCoverQuantity` is current / ADV kept within [1.00, 999.99]
 * as FINRA does (AAAU in the real file: 643,889 / 1,679,326 → `1.00`; 999.99 also when the ADV
 * is 0); `changePercent` is blank when there is no previous position.
 */
export function writeShortInterest(
  settlementDate: IsoDate,
  rows: readonly ShortInterestRowInput[],
  file = shortInterestFileName(settlementDate),
  options: { generated?: boolean } = {},
): string {
  const ym = settlementDate.replace(/-/g, '');
  // Generated data says so in every row (GENERATED_COLUMN), so whatever is built on it, however the file
  // is passed on, is labelled sample data (issue 10).
  const marker = options.generated === true ? `|${GENERATED_MARK}` : '';
  const lines: string[] = [
    SHORT_INTEREST_COLUMNS.join('|') + (options.generated === true ? `|${GENERATED_COLUMN}` : ''),
  ];
  rows.forEach((r, i) => {
    const line = i + 2;
    const current = wholeShares(r.currentShares, file, line, 'currentShortPositionQuantity');
    const prev =
      r.previousShares === null
        ? null
        : Number(wholeShares(r.previousShares, file, line, 'previousShortPositionQuantity'));
    const adv = wholeShares(r.averageDailyVolume, file, line, 'averageDailyVolumeQuantity');
    const dtc =
      r.averageDailyVolume > 0 ? Math.min(999.99, Math.max(1, r.currentShares / r.averageDailyVolume)) : 999.99;
    const changePct = prev === null || prev === 0 ? '' : (((r.currentShares - prev) / prev) * 100).toFixed(2);
    lines.push(
      [
        ym,
        finraToken(r.symbolCode, file, line, 'symbolCode'),
        finraIssueName(r.issueName),
        finraToken(r.exchangeCode, file, line, 'issuerServicesGroupExchangeCode'),
        finraToken(r.marketClassCode, file, line, 'marketClassCode'),
        current,
        prev === null ? '0' : String(prev),
        r.stockSplit ? 'S' : '',
        adv,
        dtc.toFixed(2),
        r.revision ? 'R' : '',
        changePct,
        String(r.currentShares - (prev ?? 0)),
        settlementDate,
      ].join('|') + marker,
    );
  });
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// FINRA Reg SHO daily short sale volume (CNMSshvolYYYYMMDD.txt, pipe-delimited, CRLF, trailer)

export const SHORT_VOLUME_COLUMNS = [
  'Date',
  'Symbol',
  'ShortVolume',
  'ShortExemptVolume',
  'TotalVolume',
  'Market',
] as const;

export interface ShortVolumeRowInput {
  /** CNMS spelling (`BF/B`, `ABRpA`, `AAC/WS`). */
  symbol: string;
  shortVolume: number;
  shortExemptVolume: number;
  totalVolume: number;
  /** Reporting facilities, e.g. `B,Q,N`, `Q,N`, `Q`. */
  market: string;
}

export function shortVolumeFileName(date: IsoDate): string {
  return `CNMSshvol${date.replace(/-/g, '')}.txt`;
}

/** Newer files carry fractional share volumes: up to 6 decimals, no trailing zeros. */
export function formatVolume(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`volume must be finite and >= 0, got ${n}`);
  return Number.isInteger(n) ? String(n) : n.toFixed(6).replace(/\.?0+$/, '');
}

/** Header, rows, then a trailer line with the record count; CRLF after every line (as the real file). */
export function writeShortVolume(
  date: IsoDate,
  rows: readonly ShortVolumeRowInput[],
  file = shortVolumeFileName(date),
): string {
  const ymd = date.replace(/-/g, '');
  const lines: string[] = [SHORT_VOLUME_COLUMNS.join('|')];
  rows.forEach((r, i) => {
    const line = i + 2;
    lines.push(
      [
        ymd,
        finraToken(r.symbol, file, line, 'Symbol'),
        formatVolume(r.shortVolume),
        formatVolume(r.shortExemptVolume),
        formatVolume(r.totalVolume),
        finraToken(r.market, file, line, 'Market'),
      ].join('|'),
    );
  });
  lines.push(String(rows.length));
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// splits.csv (project format: symbol,date,ratio; ratio = new shares per old share)

export function writeSplitsCsv(rows: readonly SplitOverride[], file = 'splits.csv'): string {
  const lines = ['symbol,date,ratio'];
  rows.forEach((r, i) => {
    const line = i + 2;
    if (/[",\r\n]/.test(r.symbol) || r.symbol.trim() === '') {
      throw new FormatWriteError(file, line, 'symbol', `cannot be written unquoted: ${JSON.stringify(r.symbol)}`);
    }
    if (!(Number.isFinite(r.ratio) && r.ratio > 0))
      throw new FormatWriteError(file, line, 'ratio', `must be > 0, got ${r.ratio}`);
    lines.push(`${r.symbol},${r.date},${r.ratio}`);
  });
  return `${lines.join('\n')}\n`;
}
