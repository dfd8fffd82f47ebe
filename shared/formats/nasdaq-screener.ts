/**
 * Nasdaq stock screener whole-market snapshot (api.nasdaq.com/api/screener/stocks?tableonly=true&download=true),
 * one file per trading day: `<input>/prices/YYYY-MM-DD.json[.gz]`. Vendor schema → mapper → PriceRow.
 * Rules and reasons: docs/data-formats.md, "Nasdaq screener snapshot".
 */
import type { IsoDate, Parsed, PriceRow, Rejection } from '../domain.ts';
import { PLAUSIBILITY, priceCeilingProblem } from '../gates/plausibility.ts';
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
  scanDecimal,
  showValue,
  stripBom,
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
  /**
   * `fast` (default): a compact API snapshot read from its text (`spanRows`, `scanRowAt`), any other through
   * `JSON.parse` and `scanRow`, zod only for rows they refuse; `json`: always `JSON.parse` and `scanRow`;
   * `zod`: `JSON.parse` and `safeParse` on every row (the reference the others are tested against).
   */
  rowCheck?: 'fast' | 'json' | 'zod';
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

// ---------------------------------------------------------------------------------------------------
// The snapshot read from its text without `JSON.parse` (issue 16: JSON.parse built 1.8 M row objects a
// year, ~12 strings each, only for 7 of them to be read; it was most of a parsing thread's time). Only
// the API's own compact shape is read this way — `{"data":{"rows":[{…},…]}}` with string or null values,
// no backslash and no control character anywhere — and only after the whole text has been checked to
// be exactly that: any other text, valid JSON or not, goes to `JSON.parse` and the code below it, which
// decides every refusal. On text the scanner takes, `JSON.parse` would give the same rows, and each row
// goes through `scanRowAt`, `scanRow` on the row's spans; a row it refuses is `JSON.parse`d on its own
// and goes the schema's way, so rejections are worded as before. test/formats/nasdaq-screener.test.ts
// and test/formats/real-data.test.ts compare the two paths.

const ROWS_HEAD = '{"data":{"rows":[';

/** The 7 read columns, in SCREENER_REQUIRED_COLUMNS' order: their index in a row's spans. */
const COLUMN_SYMBOL = 0;
const COLUMN_NAME = 1;
const COLUMN_LASTSALE = 2;
const COLUMN_VOLUME = 3;
const COLUMN_MARKET_CAP = 4;
const COLUMN_SECTOR = 5;
const COLUMN_INDUSTRY = 6;
const ALL_COLUMNS = (1 << SCREENER_REQUIRED_COLUMNS.length) - 1;
/** A column's span start when the key is absent from the row, or its value is null. */
const ABSENT = -1;
const NULL = -2;
/** Per row: its first and past-the-end offsets, then each read column's value span (start, end). */
const SPAN = 2 + 2 * SCREENER_REQUIRED_COLUMNS.length;

/** Whether the key at `text[s, …)` is `name` (its length already checked), compared code unit by code unit. */
function keyIs(text: string, s: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) if (text.charCodeAt(s + k) !== name.charCodeAt(k)) return false;
  return true;
}

/** `column` when the key at `text[s, …)` is its name, else -1. */
function keyColumn(text: string, s: number, column: number): number {
  return keyIs(text, s, SCREENER_REQUIRED_COLUMNS[column] as string) ? column : -1;
}

/** Which read column the key `text[s, e)` names, or -1. (`startsWith(x, s)` costs ~100 ns a call here.) */
function columnAt(text: string, s: number, e: number): number {
  switch (e - s) {
    case 4:
      return keyColumn(text, s, COLUMN_NAME);
    case 6: {
      const c = text.charCodeAt(s);
      if (c === 118) return keyColumn(text, s, COLUMN_VOLUME);
      return keyColumn(text, s, text.charCodeAt(s + 1) === 121 ? COLUMN_SYMBOL : COLUMN_SECTOR);
    }
    case 8:
      return keyColumn(text, s, text.charCodeAt(s) === 108 ? COLUMN_LASTSALE : COLUMN_INDUSTRY);
    case 9:
      return keyColumn(text, s, COLUMN_MARKET_CAP);
    default:
      return -1;
  }
}

/** Spans of the rows of the last text `spanRows` took (module scratch, reused from file to file). */
let spans = new Int32Array(SPAN * 8192);

// biome-ignore lint/suspicious/noControlCharactersInRegex: a control character in a JSON string is invalid JSON, which the scanner leaves to JSON.parse
const CONTROL = /[\u0000-\u001f]/g;

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isJsonSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * The row starting at `text[i]` (`{`) read pair by pair, its read columns' spans set (a repeated key: the
 * last value, as JSON.parse keeps it) and their bits in `pairsSeen`; the index after its `}`, or 0 when it
 * is not an object of string and null values.
 */
function pairRow(text: string, i: number, base: number): number {
  const row = spans;
  for (let k = base + 2; k < base + SPAN; k += 2) row[k] = ABSENT;
  pairsSeen = 0;
  i++;
  if (text.charCodeAt(i) === 125 /* } */) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== 34 /* " */) return 0;
    const ks = i + 1;
    const ke = text.indexOf('"', ks);
    if (ke < 0 || text.charCodeAt(ke + 1) !== 58 /* : */) return 0;
    const column = columnAt(text, ks, ke);
    i = ke + 2;
    const c = text.charCodeAt(i);
    let vs: number;
    let ve: number;
    if (c === 34) {
      vs = i + 1;
      ve = text.indexOf('"', vs);
      if (ve < 0) return 0;
      i = ve + 1;
    } else if (
      c === 110 /* n */ &&
      text.charCodeAt(i + 1) === 117 &&
      text.charCodeAt(i + 2) === 108 &&
      text.charCodeAt(i + 3) === 108
    ) {
      vs = NULL;
      ve = NULL;
      i += 4;
    } else return 0;
    if (column >= 0) {
      // A repeated key: JSON.parse keeps the last value, and so does this.
      row[base + 2 + 2 * column] = vs;
      row[base + 3 + 2 * column] = ve;
      pairsSeen |= 1 << column;
    }
    const next = text.charCodeAt(i);
    i++;
    if (next === 44 /* , */) continue;
    if (next === 125 /* } */) return i;
    return 0;
  }
}

/** The read columns `pairRow` found in its row, as bits. */
let pairsSeen = 0;

/**
 * The row count of `text` when it is exactly the compact API shape described above, every row's spans
 * in `spans`; 0 when it is not (then nothing is known about it: `JSON.parse` decides). No backslash and
 * no control character anywhere before the trailing whitespace, so a string ends at the next `"`.
 */
function spanRows(text: string): number {
  if (!text.startsWith(ROWS_HEAD) || text.includes('\\')) return 0;
  // The end of the JSON value: only JSON whitespace may follow it.
  let n = text.length;
  while (n > 0 && isJsonSpace(text.charCodeAt(n - 1))) n--;
  CONTROL.lastIndex = 0;
  const control = CONTROL.exec(text);
  if (control !== null && control.index < n) return 0;
  let i = ROWS_HEAD.length;
  let rows = 0;
  let seen = 0;
  shift = 0;
  for (;;) {
    if (text.charCodeAt(i) !== 123 /* { */) return 0;
    const base = rows * SPAN;
    if (base + SPAN > spans.length) {
      const grown = new Int32Array(spans.length * 2);
      grown.set(spans);
      spans = grown;
    }
    const row = spans;
    row[base] = i;
    const laid = layoutRow(text, i, base, rows);
    if (laid > 0) {
      i = laid;
      seen = ALL_COLUMNS;
    } else {
      rowMemos[rows] = undefined;
      i = pairRow(text, i, base);
      if (i === 0) return 0;
      seen |= pairsSeen;
    }
    row[base + 1] = i;
    rows++;
    const next = text.charCodeAt(i);
    i++;
    if (next === 44 /* , */) continue;
    if (next === 93 /* ] */) break;
    return 0;
  }
  // `]}}`, then the end of the value; a column no row has goes to the slow path, which names it.
  if (i + 2 !== n || text.charCodeAt(i) !== 125 || text.charCodeAt(i + 1) !== 125) return 0;
  return seen === ALL_COLUMNS ? rows : 0;
}

const SYMBOL_HEAD = '{"symbol":"';
const TO_NAME = '","name":"';
const TO_LASTSALE = '","lastsale":"';
const TO_VOLUME = '","volume":"';
const TO_MARKET_CAP = '","marketCap":"';
const TO_SECTOR = '","sector":"';
const TO_INDUSTRY = '","industry":"';

/** Per row of the last `spanRows`: the memo whose layout the row's text matched (`layoutRow`), if any. */
const rowMemos: (SymbolMemo | undefined)[] = [];

/** Whether `text` holds `known` at `s` (a slice and ===: V8 compares them with memcmp). */
function textIs(text: string, s: number, known: string): boolean {
  return text.slice(s, s + known.length) === known;
}

/**
 * The end of row `r`, starting at `text[i]` (`{`), when its text is its symbol's last row's (`SymbolMemo`'s
 * layout) but for the price, volume and market cap — `head` + price + `","volume":"` + volume +
 * `","marketCap":"` + market cap + `tail` —, with its spans set; 0 otherwise. `head` and `tail` are text an
 * earlier row had, which `pairRow` read pair by pair and `layoutOf` found in that layout, so the row reads
 * as that row did with three other values (none holds a `"`, a backslash or a control character: they end
 * at the next `"`, and the text has none of the others). The symbol's memo is first looked for at the
 * row's place in the last file (`lastRows`, shifted by the listings added or gone before it), then by name.
 */
function layoutRow(text: string, i: number, base: number, r: number): number {
  let memo = lastRows[r + shift];
  if (memo === undefined || !textIs(text, i, memo.head)) {
    if (!codesAt(text, i, SYMBOL_HEAD)) return 0;
    const symbolStart = i + SYMBOL_HEAD.length;
    const symbolEnd = text.indexOf('"', symbolStart);
    if (symbolEnd < 0) return 0;
    memo = memos.get(text.slice(symbolStart, symbolEnd));
    if (memo === undefined || memo.head === '' || !textIs(text, i, memo.head)) return 0;
    shift = memo.at - r;
  }
  const saleStart = i + memo.head.length;
  const saleEnd = text.indexOf('"', saleStart);
  if (saleEnd < 0 || !codesAt(text, saleEnd, TO_VOLUME)) return 0;
  const volumeStart = saleEnd + TO_VOLUME.length;
  const volumeEnd = text.indexOf('"', volumeStart);
  if (volumeEnd < 0 || !codesAt(text, volumeEnd, TO_MARKET_CAP)) return 0;
  const capStart = volumeEnd + TO_MARKET_CAP.length;
  const capEnd = text.indexOf('"', capStart);
  if (capEnd < 0 || !textIs(text, capEnd, memo.tail)) return 0;
  const row = spans;
  const symbolStart = i + SYMBOL_HEAD.length;
  const nameStart = symbolStart + memo.raw.length + TO_NAME.length;
  const sectorStart = capEnd + TO_SECTOR.length;
  const industryStart = sectorStart + memo.sector.length + TO_INDUSTRY.length;
  row[base + 2] = symbolStart;
  row[base + 3] = symbolStart + memo.raw.length;
  row[base + 4] = nameStart;
  row[base + 5] = nameStart + memo.name.length;
  row[base + 6] = saleStart;
  row[base + 7] = saleEnd;
  row[base + 8] = volumeStart;
  row[base + 9] = volumeEnd;
  row[base + 10] = capStart;
  row[base + 11] = capEnd;
  row[base + 12] = sectorStart;
  row[base + 13] = sectorStart + memo.sector.length;
  row[base + 14] = industryStart;
  row[base + 15] = industryStart + memo.industry.length;
  rowMemos[r] = memo;
  return capEnd + memo.tail.length;
}

/**
 * The memo of each row of the last text `scanScreener` read from its spans, by row (undefined for a row
 * without one), and how far the current text's rows are from theirs (listings added or gone before).
 */
let lastRows: (SymbolMemo | undefined)[] = [];
let shift = 0;
/** `lastRows` of the text being read, filled by `scanRowAt`. */
let readRows: (SymbolMemo | undefined)[] = [];

/** Whether `text` holds `short` at `s`, compared code unit by code unit (`startsWith(x, s)` is slower here). */
function codesAt(text: string, s: number, short: string): boolean {
  for (let k = 0; k < short.length; k++) if (text.charCodeAt(s + k) !== short.charCodeAt(k)) return false;
  return true;
}

/** Whether `text[s, e)` is the string `known`, compared in place. */
function sameText(text: string, s: number, e: number, known: string): boolean {
  // A slice and === (memcmp) is twice as fast as startsWith(known, s) or a loop here (~60 vs ~130 ns).
  return e - s === known.length && text.slice(s, e) === known;
}

/**
 * `text[s, e)` as a string of its own. `slice` returns strings of 13 characters or more as views of the
 * whole text (V8's sliced strings), which would keep a day's text alive as long as a name is kept: those
 * are copied instead.
 */
function textAt(text: string, s: number, e: number): string {
  // The quoted token holds no backslash or control character (spanRows): JSON.parse gives its text, copied.
  return e - s < 13 ? text.slice(s, e) : (JSON.parse(text.slice(s - 1, e + 1)) as string);
}

/**
 * What a symbol's earlier rows settled, so that a parsing thread, which sees the same 7,000 listings every
 * day, neither checks a symbol again nor builds its name, sector and industry again while they are the
 * ones it read last (compared in place). Kept per raw symbol spelling; emptied past MEMO_KEPT symbols.
 */
interface SymbolMemo {
  /** The raw spelling (the key of `memos`). */
  readonly raw: string;
  /** `canonicalSymbol` of the spelling (which passed `isBlank` and `symbolProblem`). */
  readonly canonical: string;
  /** The raw texts of its last row (not trimmed). */
  readonly name: string;
  readonly sector: string;
  readonly industry: string;
  /**
   * When that row was in the API's layout (the 7 read columns first, in SCREENER_REQUIRED_COLUMNS' order,
   * string values, then other keys): its text up to the price's opening quote (`{"symbol":"…","name":"…",
   * "lastsale":"`), and from the market cap's closing quote to the row's `}` (`","sector":"…",
   * "industry":"…",…}`), for `layoutRow`; '' otherwise. These never change: a row that differs replaces the
   * memo (a later row of the same file may still hold the one it matched).
   */
  readonly head: string;
  readonly tail: string;
  /** Its row in the last text read (a hint for `layoutRow`, checked against the text). */
  at: number;
}
const memos = new Map<string, SymbolMemo>();
const MEMO_KEPT = 100_000;

/** The scanned row's canonical symbol (`scanRowAt` sets it beside `scanRow`'s scratch). */
let rowCanonical = '';

/** A string column: the memo's text when the span spells it, else the span's own text. */
function columnText(text: string, s: number, e: number, known: string): string {
  return s === NULL ? '' : sameText(text, s, e, known) ? known : textAt(text, s, e);
}

/** Whether `text[s, e)` is non-empty and its own `trimText` (first and last characters printable ASCII). */
function trimmed(text: string, s: number, e: number): boolean {
  if (e <= s) return false;
  const a = text.charCodeAt(s);
  const b = text.charCodeAt(e - 1);
  return a > 32 && a < 127 && b > 32 && b < 127;
}

/** `priceOf` of the string `text[s, e)`: the price, or NaN when priceOf gives a problem. */
function priceAt(text: string, s: number, e: number): number {
  if (trimmed(text, s, e)) {
    const value = scanDecimal(text, text.charCodeAt(s) === 36 ? s + 1 : s, true, e);
    return value > 0 && priceCeilingProblem(value) === null ? value : Number.NaN;
  }
  const price = priceOf(text.slice(s, e));
  return typeof price === 'number' ? price : Number.NaN;
}

/** `amountOrNull` of the string `text[s, e)`. */
function amountAt(text: string, s: number, e: number, positive: boolean): number | null {
  if (e > s && !trimmed(text, s, e)) return amountOrNull(text.slice(s, e), positive);
  const value = e > s ? scanDecimal(text, text.charCodeAt(s) === 36 ? s + 1 : s, true, e) : Number.NaN;
  if (!Number.isFinite(value) || value < 0) return null;
  return positive && value === 0 ? null : value;
}

/**
 * `scanRow` on row `r` of the last `spanRows`: the same decision and, when true, the same scratch values
 * (and `rowCanonical`). Only strings and nulls are there (spanRows took nothing else); an absent key is
 * `undefined` to scanRow.
 */
function scanRowAt(text: string, r: number): boolean {
  const row = spans;
  const at = r * SPAN + 2;
  const laid = rowMemos[r];
  if (laid !== undefined) {
    // layoutRow: the symbol, name, sector and industry are the memo's, already checked; only the numbers are new.
    const price = priceAt(text, row[at + 2 * COLUMN_LASTSALE] as number, row[at + 2 * COLUMN_LASTSALE + 1] as number);
    if (Number.isNaN(price)) return false;
    const volume = amountAt(
      text,
      row[at + 2 * COLUMN_VOLUME] as number,
      row[at + 2 * COLUMN_VOLUME + 1] as number,
      false,
    );
    const marketCap = amountAt(
      text,
      row[at + 2 * COLUMN_MARKET_CAP] as number,
      row[at + 2 * COLUMN_MARKET_CAP + 1] as number,
      true,
    );
    if (volume !== null && volume > PLAUSIBILITY.maxShares) return false;
    if (marketCap !== null && marketCap > PLAUSIBILITY.maxMarketCap) return false;
    laid.at = r;
    readRows[r] = laid;
    return scratchFrom(laid.raw, laid, price, volume, marketCap);
  }
  const symbolStart = row[at] as number;
  if (symbolStart < 0) return false;
  const symbol = textAt(text, symbolStart, row[at + 1] as number);
  let memo = memos.get(symbol);
  if (memo === undefined) {
    if (isBlank(symbol) || symbolProblem(symbol) !== null) return false;
    memo = {
      raw: symbol,
      canonical: canonicalSymbol(symbol),
      name: '',
      sector: '',
      industry: '',
      head: '',
      tail: '',
      at: -1,
    };
  }
  const nameStart = row[at + 2 * COLUMN_NAME] as number;
  if (nameStart === ABSENT) return false;
  const saleStart = row[at + 2 * COLUMN_LASTSALE] as number;
  if (saleStart < 0) return false;
  const price = priceAt(text, saleStart, row[at + 2 * COLUMN_LASTSALE + 1] as number);
  if (Number.isNaN(price)) return false;
  const volumeStart = row[at + 2 * COLUMN_VOLUME] as number;
  const capStart = row[at + 2 * COLUMN_MARKET_CAP] as number;
  const sectorStart = row[at + 2 * COLUMN_SECTOR] as number;
  const industryStart = row[at + 2 * COLUMN_INDUSTRY] as number;
  if (volumeStart === ABSENT || capStart === ABSENT || sectorStart === ABSENT || industryStart === ABSENT) return false;
  const volume =
    volumeStart === NULL ? null : amountAt(text, volumeStart, row[at + 2 * COLUMN_VOLUME + 1] as number, false);
  const marketCap =
    capStart === NULL ? null : amountAt(text, capStart, row[at + 2 * COLUMN_MARKET_CAP + 1] as number, true);
  if (volume !== null && volume > PLAUSIBILITY.maxShares) return false;
  if (marketCap !== null && marketCap > PLAUSIBILITY.maxMarketCap) return false;
  const next: SymbolMemo = {
    raw: symbol,
    canonical: memo.canonical,
    name: columnText(text, nameStart, row[at + 2 * COLUMN_NAME + 1] as number, memo.name),
    sector: columnText(text, sectorStart, row[at + 2 * COLUMN_SECTOR + 1] as number, memo.sector),
    industry: columnText(text, industryStart, row[at + 2 * COLUMN_INDUSTRY + 1] as number, memo.industry),
    ...layoutOf(text, r),
    at: r,
  };
  if (memos.size >= MEMO_KEPT) memos.clear();
  memos.set(symbol, next);
  readRows[r] = next;
  return scratchFrom(symbol, next, price, volume, marketCap);
}

/** `scanRow`'s scratch values (and `rowCanonical`) for a row of `memo`'s texts; true. */
function scratchFrom(
  symbol: string,
  memo: SymbolMemo,
  price: number,
  volume: number | null,
  marketCap: number | null,
): boolean {
  rowSymbol = symbol;
  rowCanonical = memo.canonical;
  rowName = memo.name;
  rowPrice = price;
  rowVolume = volume;
  rowMarketCap = marketCap;
  rowSector = trimText(memo.sector);
  rowIndustry = trimText(memo.industry);
  return true;
}

/**
 * Row `r`'s `mid` and `tail` (see SymbolMemo) when its spans put the 7 read columns first, in order, each
 * a string right after the one before (so no other key, and no repeat of one, sits between or before
 * them: a later repeat would have moved its span), copied so that they do not keep the day's text alive;
 * '' when the row is laid out otherwise.
 */
function layoutOf(text: string, r: number): { head: string; tail: string } {
  const row = spans;
  const base = r * SPAN;
  const gaps = [SYMBOL_HEAD, TO_NAME, TO_LASTSALE, TO_VOLUME, TO_MARKET_CAP, TO_SECTOR, TO_INDUSTRY];
  let before = row[base] as number;
  for (let k = 0; k < gaps.length; k++) {
    const start = row[base + 2 + 2 * k] as number;
    if (start < 0 || start !== before + (gaps[k] as string).length) return { head: '', tail: '' };
    before = row[base + 3 + 2 * k] as number;
  }
  const saleStart = row[base + 2 + 2 * COLUMN_LASTSALE] as number;
  const capEnd = row[base + 3 + 2 * COLUMN_MARKET_CAP] as number;
  const copy = (s: string) => JSON.parse(JSON.stringify(s)) as string;
  return {
    head: copy(text.slice(row[base] as number, saleStart)),
    tail: copy(text.slice(capEnd, row[base + 1] as number)),
  };
}

/**
 * `parseScreener` with each accepted row handed to `sink` instead of collected: the same refusals,
 * rejections, duplicate rule and canonical symbols (`parseScreener` is this with a sink that builds
 * PriceRows). `sink` is called before `scanScreener` returns, never after.
 */
export function scanScreener(text: string, file: string, sink: ScreenerSink, opts: ScreenerOptions = {}): ScreenerScan {
  const fast = opts.rowCheck !== 'zod';
  const body = stripBom(text);
  const spanned = opts.rowCheck === undefined || opts.rowCheck === 'fast' ? spanRows(body) : 0;
  const rows = spanned > 0 ? null : jsonRows(text, file);
  const count = rows === null ? spanned : rows.length;
  const rejections: Rejection[] = [];
  const firstLine = new Map<string, number>();
  let accepted = 0;
  if (rows === null) readRows.length = count;
  // A row the fast scan does not take goes through the schema: into the scratch values, or rejected (false).
  const viaSchema = (raw: unknown, line: number): boolean => {
    const parsed = screenerRowSchema().safeParse(raw);
    if (!parsed.success) {
      rejections.push(issueRejection(file, line, raw, parsed.error.issues));
      return false;
    }
    scratchOf(parsed.data);
    return true;
  };
  for (let i = 0; i < count; i++) {
    const line = i + 1;
    if (rows === null) {
      readRows[i] = undefined;
      if (!scanRowAt(body, i)) {
        if (!viaSchema(JSON.parse(body.slice(spans[i * SPAN], spans[i * SPAN + 1])), line)) continue;
        rowCanonical = canonicalSymbol(rowSymbol);
      }
    } else {
      const raw = rows[i];
      if (!(fast && scanRow(raw)) && !viaSchema(raw, line)) continue;
      rowCanonical = canonicalSymbol(rowSymbol);
    }
    // toPriceRow's mapping, on the scratch values.
    const symbol = rowCanonical;
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
  if (rows === null) [lastRows, readRows] = [readRows, lastRows];
  // Issue 17: a day most of whose rows are rejected is refused whole, not taken in part (the real 2024
  // files reject 3 rows in the year).
  if (rejections.length * 2 > count) {
    const first = rejections[0];
    throw new FormatError(
      file,
      0,
      '*',
      `${rejections.length} of its ${count} rows are rejected and only ${accepted} kept${first ? ` (first: ${formatRejection(first)})` : ''}: a file most of whose rows are rejected is refused, not taken in part`,
    );
  }
  return { date: screenerDateFromName(file), rejections, accepted, total: count };
}

/** A row the schema took, into the scratch values `scanRow` sets. */
function scratchOf(row: ScreenerRow): void {
  rowSymbol = row.symbol;
  rowName = row.name;
  rowPrice = row.lastsale;
  rowVolume = row.volume;
  rowMarketCap = row.marketCap;
  rowSector = row.sector;
  rowIndustry = row.industry;
}

/** The rows of a snapshot through `JSON.parse`: every refusal of a whole file is decided here. */
function jsonRows(text: string, file: string): unknown[] {
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
  return rows;
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
