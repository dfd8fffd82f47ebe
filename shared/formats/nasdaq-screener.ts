/**
 * Nasdaq stock screener whole-market snapshot (api.nasdaq.com/api/screener/stocks?tableonly=true&download=true),
 * one file per trading day: `<input>/prices/YYYY-MM-DD.json[.gz]`. Vendor schema → mapper → PriceRow.
 * Rules and reasons: docs/data-formats.md, "Nasdaq screener snapshot".
 */
import * as z from 'zod';
import type { IsoDate, Parsed, PriceRow, Rejection } from '../domain.ts';
import { FormatError } from './errors.ts';
import { canonicalSymbol } from './symbols.ts';
import { amountOrNull, dateFromName, isBlank, priceOf, refuseNonData, showValue, stripBom, trimText } from './text.ts';
import { issueRejection, nonBlankText, problemTransform, typeError } from './vendor-issue.ts';

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

const loose = z.union([z.string(), z.number(), z.null()], { error: typeError('a string, number or null') });
const nullableText = z.string({ error: typeError('a string or null') }).nullable();

/**
 * One screener row as the vendor writes it (strings such as `"$1,209.98"`, `"0.00"`), validated
 * and converted to numbers; unknown columns (country, ipoyear, exchange, netchange, url, …) are dropped.
 */
export const screenerRowSchema = z.object({
  symbol: nonBlankText,
  name: nullableText.transform((s) => s ?? ''),
  lastsale: z
    .union([z.string(), z.number()], { error: typeError('a string or number') })
    .transform(problemTransform(priceOf)),
  volume: loose.transform((v) => amountOrNull(v, false)),
  marketCap: loose.transform((v) => amountOrNull(v, true)),
  sector: nullableText.transform((s) => trimText(s ?? '')),
  industry: nullableText.transform((s) => trimText(s ?? '')),
});
export type ScreenerRow = z.output<typeof screenerRowSchema>;

const rowsSchema = z.array(z.unknown());

/** The three accepted envelopes: the API response with and without download=true, and a bare rows array. */
export const screenerEnvelopeSchema = z.union([
  z.object({ data: z.object({ rows: rowsSchema }) }),
  z.object({ data: z.object({ table: z.object({ rows: rowsSchema }) }) }),
  rowsSchema,
]);

function isLoose(v: unknown): v is string | number | null {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Exactly `screenerRowSchema`, hand-written because per-row `safeParse` is the bulk of the parse
 * time (docs/data-formats.md, "Implementation note"; test/formats/nasdaq-screener.test.ts checks that the two
 * agree). Returns undefined when the schema would fail; the caller then asks zod for the reason.
 */
export function checkScreenerRow(raw: unknown): ScreenerRow | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const { symbol, name, lastsale, volume, marketCap, sector, industry } = r;
  if (typeof symbol !== 'string' || isBlank(symbol)) return undefined;
  if (name !== null && typeof name !== 'string') return undefined;
  if (typeof lastsale !== 'string' && !(typeof lastsale === 'number' && Number.isFinite(lastsale))) return undefined;
  const price = priceOf(lastsale);
  if (typeof price === 'string') return undefined;
  if (!isLoose(volume) || !isLoose(marketCap)) return undefined;
  if (sector !== null && typeof sector !== 'string') return undefined;
  if (industry !== null && typeof industry !== 'string') return undefined;
  return {
    symbol,
    name: name ?? '',
    lastsale: price,
    volume: amountOrNull(volume, false),
    marketCap: amountOrNull(marketCap, true),
    sector: trimText(sector ?? ''),
    industry: trimText(industry ?? ''),
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
  const body = stripBom(text);
  refuseNonData(body, file, FORMAT);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const line = Number(/line (\d+)/.exec(message)?.[1] ?? 0);
    throw new FormatError(file, line, '*', `the body is not JSON (${message})`, { cause: error });
  }
  const envelope = screenerEnvelopeSchema.safeParse(json);
  if (!envelope.success) throw new FormatError(file, 0, '*', envelopeProblem(json));
  const env = envelope.data;
  const rows = Array.isArray(env) ? env : 'rows' in env.data ? env.data.rows : env.data.table.rows;
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
  const records: PriceRow[] = [];
  const rejections: Rejection[] = [];
  const firstLine = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i];
    const line = i + 1;
    let row = fast ? checkScreenerRow(raw) : undefined;
    if (row === undefined) {
      const parsed = screenerRowSchema.safeParse(raw);
      if (!parsed.success) {
        rejections.push(issueRejection(file, line, raw, parsed.error.issues));
        continue;
      }
      row = parsed.data;
    }
    const record = toPriceRow(row);
    const first = firstLine.get(record.symbol);
    if (first !== undefined) {
      rejections.push({
        file,
        line,
        field: 'symbol',
        reason: `${showValue(row.symbol)} duplicates row ${first} (both are ${record.symbol}); the first row is kept`,
      });
      continue;
    }
    firstLine.set(record.symbol, line);
    records.push(record);
  }
  return { file, date: screenerDateFromName(file), records, rejections };
}
