/**
 * Nasdaq stock screener whole-market snapshot (api.nasdaq.com/api/screener/stocks?tableonly=true&download=true),
 * one file per trading day: `<input>/prices/YYYY-MM-DD.json[.gz]`. Vendor schema → mapper → PriceRow.
 * Rules and reasons: docs/data-formats.md, "Nasdaq screener snapshot".
 */

import type { IsoDate, Parsed, PriceRow, Rejection } from '../domain.ts';
import { PLAUSIBILITY } from '../gates/plausibility.ts';
import * as z from '../zod.ts';
import { FormatError, formatRejection } from './errors.ts';
import { canonicalSymbol, symbolProblem } from './symbols.ts';
import {
  amountOrNull,
  amountWithin,
  boundText,
  dateFromName,
  isBlank,
  priceOf,
  readJsonBody,
  showValue,
  trimText,
} from './text.ts';
import { issueRejection, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a Nasdaq screener JSON snapshot';

/** Columns every snapshot must carry (the API adds volume, sector and industry only with download=true). */
export const SCREENER_REQUIRED_COLUMNS = [
  'symbol',
  'name',
  'lastsale',
  'volume',
  'marketCap',
  'sector',
  'industry',
] as const;

/**
 * One screener row as the vendor writes it (strings such as `"$1,209.98"`, `"0.00"`), validated
 * and converted to numbers; unknown columns (country, ipoyear, exchange, netchange, url, …) are dropped.
 * Built on first use, not at Lambda init (`z.onFirstUse`).
 */
export const screenerRowSchema = /* @__PURE__ */ z.onFirstUse(() => {
  const loose = z.union([z.string(), z.number(), z.null()], { error: typeError('a string, number or null') });
  const nullableText = z.nullable(z.string({ error: typeError('a string or null') }));
  return z.object({
    symbol: symbolText(),
    name: z.pipe(
      nullableText,
      z.transform((s: string | null) => s ?? ''),
    ),
    lastsale: z.pipe(
      z.union([z.string(), z.number()], { error: typeError('a string or number') }),
      z.transform(problemTransform(priceOf)),
    ),
    volume: z.pipe(loose, z.transform(problemTransform((v: string | number | null) => amountWithin(v, 'volume')))),
    marketCap: z.pipe(
      loose,
      z.transform(problemTransform((v: string | number | null) => amountWithin(v, 'marketCap'))),
    ),
    sector: z.pipe(
      nullableText,
      z.transform((s: string | null) => trimText(s ?? '')),
    ),
    industry: z.pipe(
      nullableText,
      z.transform((s: string | null) => trimText(s ?? '')),
    ),
  });
});
export type ScreenerRow = z.output<ReturnType<typeof screenerRowSchema>>;

/** The three accepted envelopes: the API response with and without download=true, and a bare rows array. */
export const screenerEnvelopeSchema = /* @__PURE__ */ z.onFirstUse(() => {
  const rowsSchema = z.array(z.unknown());
  return z.union([
    z.object({ data: z.object({ rows: rowsSchema }) }),
    z.object({ data: z.object({ table: z.object({ rows: rowsSchema }) }) }),
    rowsSchema,
  ]);
});

function isLoose(v: unknown): v is string | number | null {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

// The row `scanRow` last accepted: module scratch rather than a returned object, so the parse loop
// allocates nothing per row beyond what its sink keeps (1.8 M rows a year; docs/benchmarks.md, part 1).
let rowSymbol = '';
let rowName = '';
let rowPrice = 0;
let rowVolume: number | null = null;
let rowMarketCap: number | null = null;
let rowSector = '';
let rowIndustry = '';

/** `screenerRowSchema` by hand (see `checkScreenerRow`): true with the row's values in the scratch above. */
function scanRow(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const r = raw as Record<string, unknown>;
  const { symbol, name, lastsale, volume, marketCap, sector, industry } = r;
  if (typeof symbol !== 'string' || isBlank(symbol) || symbolProblem(symbol) !== null) return false;
  if (name !== null && typeof name !== 'string') return false;
  if (typeof lastsale !== 'string' && !(typeof lastsale === 'number' && Number.isFinite(lastsale))) return false;
  const price = priceOf(lastsale);
  if (typeof price === 'string') return false;
  if (!isLoose(volume) || !isLoose(marketCap)) return false;
  if (sector !== null && typeof sector !== 'string') return false;
  if (industry !== null && typeof industry !== 'string') return false;
  rowSymbol = symbol;
  rowName = name ?? '';
  rowPrice = price;
  rowVolume = amountOrNull(volume, false);
  rowMarketCap = amountOrNull(marketCap, true);
  // Above a plausibility ceiling (rule 11): zod words the rejection.
  if (rowVolume !== null && rowVolume > PLAUSIBILITY.maxShares) return false;
  if (rowMarketCap !== null && rowMarketCap > PLAUSIBILITY.maxMarketCap) return false;
  rowSector = trimText(sector ?? '');
  rowIndustry = trimText(industry ?? '');
  return true;
}

/**
 * Exactly `screenerRowSchema`, hand-written because per-row `safeParse` is the bulk of the parse
 * time (docs/data-formats.md, "Implementation note"; test/formats/nasdaq-screener.test.ts checks that the two
 * agree). Returns undefined when the schema would fail; the caller then asks zod for the reason.
 */
export function checkScreenerRow(raw: unknown): ScreenerRow | undefined {
  if (!scanRow(raw)) return undefined;
  return {
    symbol: rowSymbol,
    name: rowName,
    lastsale: rowPrice,
    volume: rowVolume,
    marketCap: rowMarketCap,
    sector: rowSector,
    industry: rowIndustry,
  };
}

/** Vendor row → domain row (methodology rule 6: an empty sector is `Unclassified`). */
export function toPriceRow(row: ScreenerRow): PriceRow {
  return {
    symbol: canonicalSymbol(row.symbol),
    name: row.name,
    price: row.lastsale,
    marketCap: row.marketCap,
    volume: row.volume,
    sector: row.sector === '' ? 'Unclassified' : row.sector,
    industry: row.industry,
  };
}

/** `2024-06-10.json`, `2024-06-10.json.gz` → `2024-06-10`; null when the name carries no date. */
export function screenerDateFromName(file: string): IsoDate | null {
  return dateFromName(file, /^(\d{4}-\d{2}-\d{2})\.json(?:\.gz)?$/i);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a parsed JSON value is not a snapshot, in the words a user needs (the API's own error, if any). */
function envelopeProblem(json: unknown): string {
  if (isRecord(json) && (json.data === null || isRecord(json.data) || (json.data === undefined && 'status' in json))) {
    const status = isRecord(json.status) ? json.status : undefined;
    const messages = Array.isArray(status?.bCodeMessage)
      ? status.bCodeMessage
          .map((m) => (isRecord(m) && typeof m.errorMessage === 'string' ? m.errorMessage : ''))
          .filter((m) => m !== '')
      : [];
    const api =
      status?.rCode !== undefined
        ? ` (API status rCode ${showValue(status.rCode)}${messages.length ? `: ${messages.join('; ')}` : ''})`
        : '';
    const where =
      json.data === null ? 'data is null' : json.data === undefined ? 'data is missing' : 'data has no rows array';
    return `the JSON has no rows: ${where}${api}`;
  }
  return `the JSON is not ${FORMAT}: expected {"data":{"rows":[…]}}, {"data":{"table":{"rows":[…]}}} or a rows array`;
}

export interface ScreenerOptions {
  /** `fast` (default): the hand-written check, zod only for rows it refuses; `zod`: safeParse every row. */
  rowCheck?: 'fast' | 'zod';
}

/**
 * Receives each accepted row of a snapshot, in file order, with `toPriceRow`'s values (canonical
 * symbol, `Unclassified` for an empty sector). Lets a caller store rows its own way (the price worker
 * threads write them straight into transfer arrays) through the same checks as `parseScreener`.
 */
export type ScreenerSink = (
  symbol: string,
  name: string,
  price: number,
  marketCap: number | null,
  volume: number | null,
  sector: string,
  industry: string,
) => void;

/** What `scanScreener` returns: the rows went to the sink. */
export interface ScreenerScan {
  date: IsoDate | null;
  rejections: Rejection[];
  /** Rows passed to the sink. */
  accepted: number;
  /** Rows in the snapshot, accepted or not (an upper bound a sink can size its storage by). */
  total: number;
}

/** The rows array of a parsed snapshot, or a FormatError saying why it is not one. */
function snapshotRows(json: unknown, file: string): unknown[] {
  // The API's usual envelope, taken without zod: `screenerEnvelopeSchema` copies the 7,000-row
  // array to validate `z.unknown()` elements. Whatever this takes, the schema's first branch takes too.
  if (isRecord(json) && isRecord(json.data) && Array.isArray(json.data.rows)) return json.data.rows;
  const envelope = screenerEnvelopeSchema().safeParse(json);
  if (!envelope.success) throw new FormatError(file, 0, '*', envelopeProblem(json));
  const env = envelope.data;
  return Array.isArray(env) ? env : 'rows' in env.data ? env.data.rows : env.data.table.rows;
}

/**
 * `parseScreener` with each accepted row handed to `sink` instead of collected: the same refusals,
 * rejections, duplicate rule and canonical symbols (`parseScreener` is this with a sink that builds
 * PriceRows). `sink` is called before `scanScreener` returns, never after.
 */
export function scanScreener(text: string, file: string, sink: ScreenerSink, opts: ScreenerOptions = {}): ScreenerScan {
  const json = readJsonBody(text, file, FORMAT);
  const rows = snapshotRows(json, file);
  if (rows.length === 0) throw new FormatError(file, 0, '*', 'the snapshot has no rows (empty rows array)');

  const missing = SCREENER_REQUIRED_COLUMNS.filter((col) => !rows.some((r) => isRecord(r) && Object.hasOwn(r, col)));
  if (missing.length > 0) {
    const sample = rows.find(isRecord);
    const found = sample ? Object.keys(sample).join(', ') : 'no row is an object';
    throw new FormatError(
      file,
      0,
      missing[0] ?? '*',
      `no row has the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (columns found: ${found})`,
    );
  }

  const fast = opts.rowCheck !== 'zod';
  const rejections: Rejection[] = [];
  const firstLine = new Map<string, number>();
  let accepted = 0;
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i];
    const line = i + 1;
    if (!(fast && scanRow(raw))) {
      const parsed = screenerRowSchema().safeParse(raw);
      if (!parsed.success) {
        rejections.push(issueRejection(file, line, raw, parsed.error.issues));
        continue;
      }
      const row = parsed.data;
      rowSymbol = row.symbol;
      rowName = row.name;
      rowPrice = row.lastsale;
      rowVolume = row.volume;
      rowMarketCap = row.marketCap;
      rowSector = row.sector;
      rowIndustry = row.industry;
    }
    // toPriceRow's mapping, on the scratch values.
    const symbol = canonicalSymbol(rowSymbol);
    const first = firstLine.get(symbol);
    if (first !== undefined) {
      rejections.push({
        file,
        line,
        field: 'symbol',
        reason: `${showValue(rowSymbol)} duplicates row ${first} (both are ${symbol}); the first row is kept`,
      });
      continue;
    }
    firstLine.set(symbol, line);
    accepted++;
    sink(
      symbol,
      boundText(rowName),
      rowPrice,
      rowMarketCap,
      rowVolume,
      rowSector === '' ? 'Unclassified' : boundText(rowSector),
      boundText(rowIndustry),
    );
  }
  // Issue 17: a day most of whose rows are rejected is refused whole, not taken in part (the real 2024
  // files reject 3 rows in the year).
  if (rejections.length * 2 > rows.length) {
    const first = rejections[0];
    throw new FormatError(
      file,
      0,
      '*',
      `${rejections.length} of its ${rows.length} rows are rejected and only ${accepted} kept${first ? ` (first: ${formatRejection(first)})` : ''}: a file most of whose rows are rejected is refused, not taken in part`,
    );
  }
  return { date: screenerDateFromName(file), rejections, accepted, total: rows.length };
}

/**
 * Parses one screener snapshot. Refuses (FormatError) a body that is empty, HTML, not JSON, has no
 * rows or lacks a required column in every row; rejects (Rejection) a row without a valid price
 * (rule 1: the symbol is absent that day), a row that is not an object, and a later duplicate of a
 * symbol (the first is kept). `date` comes from the file name, null when it has none.
 */
export function parseScreener(
  text: string,
  file: string,
  opts: ScreenerOptions = {},
): Parsed<PriceRow> & { date: IsoDate | null } {
  const records: PriceRow[] = [];
  const scan = scanScreener(
    text,
    file,
    (symbol, name, price, marketCap, volume, sector, industry) => {
      records.push({ symbol, name, price, marketCap, volume, sector, industry });
    },
    opts,
  );
  return { file, date: scan.date, records, rejections: scan.rejections };
}
