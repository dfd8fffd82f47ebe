/**
 * FINRA consolidated equity short interest file (`shrtYYYYMMDD*.csv`, pipe-delimited despite the
 * name), published twice a month. Vendor schema → mapper → ShortInterestRecord; several files of one
 * settlement date are revisions merged by `mergeShortInterestRevisions`.
 * Rules and reasons: docs/data-formats.md, "FINRA short interest".
 */
import type { IsoDate, Parsed, Rejection, ShortInterestFile, ShortInterestRecord } from '../domain.ts';
import { sharesCeilingProblem } from '../gates/plausibility.ts';
import * as z from '../zod.ts';
import { FormatError, formatRejection } from './errors.ts';
import { pipeHeader, pipeRecord } from './pipe-table.ts';
import { canonicalSymbol, symbolProblem } from './symbols.ts';
import {
  boundText,
  dateFromName,
  parseIsoDate,
  refuseNonData,
  scanDecimal,
  sharesOf,
  showValue,
  stripBom,
  trimText,
} from './text.ts';
import { dateField, issueRejection, problemTransform, symbolText, typeError } from './vendor-issue.ts';

const FORMAT = 'a FINRA short interest file';

/** The 14 columns of the real file, in FINRA's order (only the order-independent names matter). */
export const SHORT_INTEREST_COLUMNS = [
  'accountingYearMonthNumber',
  'symbolCode',
  'issueName',
  'issuerServicesGroupExchangeCode',
  'marketClassCode',
  'currentShortPositionQuantity',
  'previousShortPositionQuantity',
  'stockSplitFlag',
  'averageDailyVolumeQuantity',
  'daysToCoverQuantity',
  'revisionFlag',
  'changePercent',
  'changePreviousNumber',
  'settlementDate',
] as const;

/** Without these a file cannot give a symbol's short position on a date: refused. */
export const SHORT_INTEREST_REQUIRED = [
  'symbolCode',
  'issueName',
  'currentShortPositionQuantity',
  'settlementDate',
] as const;
/**
 * Not a FINRA column: Short Pulse's own generators (`pulse sample`, `sample --for-prices`) add it, `Y` on
 * every row, so a snapshot built on generated short interest says `sample: true` wherever the file goes.
 */
export const GENERATED_COLUMN = 'shortPulseGenerated';
export const GENERATED_MARK = 'Y';

/** Read and checked when present; the other columns are informational and ignored. */
const SHORT_INTEREST_CHECKED = [
  'accountingYearMonthNumber',
  'revisionFlag',
  'marketClassCode',
  'averageDailyVolumeQuantity',
  'previousShortPositionQuantity',
  'stockSplitFlag',
  GENERATED_COLUMN,
] as const;

/**
 * FINRA's revisionFlag is `R` or empty: `R` on a row of settlement T says the figure of the previous
 * settlement was revised (rule 4(a)). A `Y` was never FINRA's (an earlier fixture invented it): refused,
 * so a file in an invented shape cannot pass for a real one.
 */
function revisionOf(raw: string): boolean | string {
  const s = trimText(raw);
  if (s === 'R') return true;
  if (s === '') return false;
  return 'is not R or empty (FINRA marks a revision of the previous settlement with R)';
}

function splitFlagOf(raw: string): boolean | string {
  const s = trimText(raw);
  if (s === 'S') return true;
  if (s === '') return false;
  return 'is not S or empty';
}

function buildRowSchema() {
  return z.object({
    symbolCode: symbolText(),
    issueName: z.string({ error: typeError('a string') }),
    currentShortPositionQuantity: z.pipe(
      z.string({ error: typeError('a string') }),
      z.transform(problemTransform(sharesOf)),
    ),
    settlementDate: dateField('YYYY-MM-DD'),
    accountingYearMonthNumber: z.optional(dateField('YYYYMMDD')),
    revisionFlag: z.optional(
      z.pipe(z.string({ error: typeError('a string') }), z.transform(problemTransform(revisionOf))),
    ),
    marketClassCode: z.optional(z.string()),
    stockSplitFlag: z.optional(
      z.pipe(z.string({ error: typeError('a string') }), z.transform(problemTransform(splitFlagOf))),
    ),
    // Read as a quantity only where it matters (an R row); otherwise informational, like FINRA's own
    // changePercent, and never split-adjusted (docs/data-formats.md).
    previousShortPositionQuantity: z.optional(z.string({ error: typeError('a string') })),
    // FINRA's own average daily volume (all venues), for days to cover (rule 10, v2). Informational: a
    // blank or unreadable value is "unknown", never a reason to reject the row.
    averageDailyVolumeQuantity: z.pipe(
      z.optional(z.string()),
      z.transform((v: string | undefined) => {
        if (v === undefined) return null;
        const n = sharesOf(v);
        return typeof n === 'number' && n > 0 ? n : null;
      }),
    ),
  });
}
export type ShortInterestRow = z.output<ReturnType<typeof buildRowSchema>>;

const rowSchema = /* @__PURE__ */ z.onFirstUse(buildRowSchema);

/** The row contract (one schema instance per process, built on first use). */
export function shortInterestRowSchema(): ReturnType<typeof buildRowSchema> {
  return rowSchema();
}

export function toShortInterestRecord(row: ShortInterestRow, previousShares?: number): ShortInterestRecord {
  return {
    symbol: canonicalSymbol(row.symbolCode),
    issueName: boundText(row.issueName),
    shares: row.currentShortPositionQuantity,
    settlementDate: row.settlementDate,
    revision: row.revisionFlag ?? false,
    averageDailyVolume: row.averageDailyVolumeQuantity,
    ...(previousShares !== undefined ? { previousShares } : {}),
    ...(row.stockSplitFlag === true ? { splitFlag: true as const } : {}),
    ...marketClassOf(row.marketClassCode),
  };
}

function marketClassOf(raw: string | undefined): { otc?: true; etpVenue?: true } {
  const s = trimText(raw ?? '').toUpperCase();
  if (s === 'OTC') return { otc: true };
  if (s === 'ARCA' || s === 'BZX') return { etpVenue: true };
  return {};
}

/** An R row's revised previous quantity, or the problem (an R row without it revises nothing). */
function revisedPrevious(row: ShortInterestRow): number | string | undefined {
  if (row.revisionFlag !== true) return undefined;
  const raw = row.previousShortPositionQuantity;
  if (raw === undefined) return 'is missing: an R row revises the previous settlement with this quantity';
  const n = sharesOf(raw);
  return typeof n === 'number' ? n : `${showValue(raw)} ${n} (an R row revises the previous settlement with it)`;
}

/** Column indexes of the checked columns in one file (-1: absent), for `checkShortInterestRow`. */
interface RowColumns {
  symbol: number;
  name: number;
  shares: number;
  settlement: number;
  accounting: number;
  revision: number;
  marketClass: number;
  split: number;
  previous: number;
  volume: number;
}

function rowColumnsOf(columns: ReadonlyMap<string, number>): RowColumns {
  const at = (name: string): number => columns.get(name) ?? -1;
  return {
    symbol: at('symbolCode'),
    name: at('issueName'),
    shares: at('currentShortPositionQuantity'),
    settlement: at('settlementDate'),
    accounting: at('accountingYearMonthNumber'),
    revision: at('revisionFlag'),
    marketClass: at('marketClassCode'),
    split: at('stockSplitFlag'),
    previous: at('previousShortPositionQuantity'),
    volume: at('averageDailyVolumeQuantity'),
  };
}

/**
 * Exactly the row schema (`shortInterestRowSchema`), hand-written: per-row `safeParse` was about half the
 * batch's time over FINRA's real files (488,000 rows a year; docs/benchmarks.md). Takes a line whose field
 * count is the header's; returns undefined when the schema would refuse the row, and the caller asks zod
 * for the reason. `dates` memoises the file's few date spellings. test/formats/finra-short-interest.test.ts
 * and test/formats/real-data.test.ts check that the two agree, row for row.
 */
function checkShortInterestRow(
  fields: readonly string[],
  c: RowColumns,
  dates: Map<string, IsoDate | null>,
): ShortInterestRow | undefined {
  const symbolCode = fields[c.symbol] as string;
  if (symbolProblem(symbolCode) !== null) return undefined;
  const shares = sharesOf(fields[c.shares] as string);
  if (typeof shares === 'string') return undefined;
  const settlementDate = dateOf(fields[c.settlement] as string, dates);
  if (settlementDate === null) return undefined;
  const row: ShortInterestRow = {
    symbolCode,
    issueName: fields[c.name] as string,
    currentShortPositionQuantity: shares,
    settlementDate,
    averageDailyVolumeQuantity: null,
  };
  if (c.accounting >= 0) {
    const accounting = dateOf(fields[c.accounting] as string, dates);
    if (accounting === null) return undefined;
    row.accountingYearMonthNumber = accounting;
  }
  if (c.revision >= 0) {
    const revision = revisionOf(fields[c.revision] as string);
    if (typeof revision === 'string') return undefined;
    row.revisionFlag = revision;
  }
  if (c.marketClass >= 0) row.marketClassCode = fields[c.marketClass] as string;
  if (c.split >= 0) {
    const split = splitFlagOf(fields[c.split] as string);
    if (typeof split === 'string') return undefined;
    row.stockSplitFlag = split;
  }
  if (c.previous >= 0) row.previousShortPositionQuantity = fields[c.previous] as string;
  if (c.volume >= 0) {
    const n = sharesOf(fields[c.volume] as string);
    row.averageDailyVolumeQuantity = typeof n === 'number' && n > 0 ? n : null;
  }
  return row;
}

function dateOf(raw: string, dates: Map<string, IsoDate | null>): IsoDate | null {
  let date = dates.get(raw);
  if (date === undefined) {
    date = parseIsoDate(raw);
    dates.set(raw, date);
  }
  return date;
}

/**
 * The rows a file's lines left valid (a row's checks passed, its accountingYearMonthNumber and R quantity
 * too), column by column: row i of every array is one line's. Columns rather than an object per row: a
 * year of FINRA files is 488,000 rows, read before the first price day can be stepped.
 */
class Candidates {
  readonly line: number[] = [];
  readonly symbolCode: string[] = [];
  /** `canonicalSymbol(symbolCode)`. */
  readonly symbol: string[] = [];
  readonly issueName: string[] = [];
  readonly shares: number[] = [];
  readonly settlementDate: IsoDate[] = [];
  readonly revision: boolean[] = [];
  readonly previousShares: (number | undefined)[] = [];
  readonly adv: (number | null)[] = [];
  readonly split: boolean[] = [];
  readonly marketClass: (string | undefined)[] = [];

  get length(): number {
    return this.line.length;
  }

  push(
    line: number,
    symbolCode: string,
    symbol: string,
    issueName: string,
    shares: number,
    settlementDate: IsoDate,
    revision: boolean,
    previousShares: number | undefined,
    adv: number | null,
    split: boolean,
    marketClass: string | undefined,
  ): void {
    this.line.push(line);
    this.symbolCode.push(symbolCode);
    this.symbol.push(symbol);
    this.issueName.push(issueName);
    this.shares.push(shares);
    this.settlementDate.push(settlementDate);
    this.revision.push(revision);
    this.previousShares.push(previousShares);
    this.adv.push(adv);
    this.split.push(split);
    this.marketClass.push(marketClass);
  }

  pushRow(line: number, row: ShortInterestRow, previousShares: number | undefined): void {
    this.push(
      line,
      row.symbolCode,
      canonicalSymbol(row.symbolCode),
      row.issueName,
      row.currentShortPositionQuantity,
      row.settlementDate,
      row.revisionFlag ?? false,
      previousShares,
      row.averageDailyVolumeQuantity,
      row.stockSplitFlag === true,
      row.marketClassCode,
    );
  }

  /** Row i as the schema's output (what `toShortInterestRecord` takes). */
  row(i: number): ShortInterestRow {
    const row: ShortInterestRow = {
      symbolCode: this.symbolCode[i] as string,
      issueName: this.issueName[i] as string,
      currentShortPositionQuantity: this.shares[i] as number,
      settlementDate: this.settlementDate[i] as IsoDate,
      revisionFlag: this.revision[i] as boolean,
      averageDailyVolumeQuantity: this.adv[i] as number | null,
      stockSplitFlag: this.split[i] as boolean,
    };
    const marketClass = this.marketClass[i];
    if (marketClass !== undefined) row.marketClassCode = marketClass;
    return row;
  }
}

/** The date most rows carry (ties: the earliest line's); the few that differ are the odd ones out. */
function majorityDate(dates: readonly IsoDate[]): { date: IsoDate; count: number } {
  const counts = new Map<IsoDate, number>();
  for (const d of dates) counts.set(d, (counts.get(d) ?? 0) + 1);
  let best = { date: '', count: 0 };
  for (const [date, count] of counts) if (count > best.count) best = { date, count };
  return best;
}

export type ParsedShortInterest = Parsed<ShortInterestRecord> & {
  settlementDate: IsoDate;
  /** The file carries GENERATED_COLUMN: made by Short Pulse's generator, not by FINRA. */
  generated?: boolean;
};

/**
 * Parses one short interest file. Refuses (FormatError) an empty body, an HTML page, a first line
 * that is not a pipe-delimited header, a header without a required column, a file without records
 * or without a single valid record. Rejects rows with a wrong field count, an empty symbol, a
 * negative or non-numeric quantity, a bad or disagreeing settlement date, an
 * accountingYearMonthNumber that is not that date, and duplicates (see the duplicate rule below).
 *
 * Duplicate symbol in one file: the first row is kept and the later one rejected, saying whether it
 * agreed (FINRA's files hold one row per symbol; an `R` row revises the previous settlement, not a row
 * of its own file). An `R` row without a readable previousShortPositionQuantity is rejected.
 */
export interface ShortInterestOptions {
  /**
   * `fast` (default): each line read in place (`LineScratch.take`), a line it does not take split and read
   * by `checkShortInterestRow`, zod only for rows both refuse; `split`: every line split, then
   * `checkShortInterestRow` and zod; `zod`: every line split and `safeParse`d (the reference the others are
   * tested against).
   */
  rowCheck?: 'fast' | 'split' | 'zod';
}

export function parseShortInterest(text: string, file: string, opts: ShortInterestOptions = {}): ParsedShortInterest {
  const scan = scanShortInterest(text, file, opts.rowCheck ?? 'fast');
  const records: ShortInterestRecord[] = [];
  const { settlementDate, rejections } = settle(file, scan, (i, symbol) => {
    const record = toShortInterestRecord(scan.candidates.row(i), scan.candidates.previousShares[i]);
    // toShortInterestRecord's symbol is canonicalSymbol(symbolCode): the one settle keys duplicates by.
    if (record.symbol !== symbol) throw new Error(`parseShortInterest: ${record.symbol} is not ${symbol}`);
    records.push(record);
  });
  return { file, settlementDate, records, rejections, generated: scan.generated };
}

/** One file read for the batch: `shortInterestFileOf(parseShortInterest(text, file))` without the records. */
export interface ShortInterestFileRead {
  file: ShortInterestFile;
  /** Records kept (parseShortInterest's `records.length`). */
  rows: number;
  rejections: Rejection[];
}

/**
 * `parseShortInterest` followed by `shortInterestFileOf`, the rows going from the text straight into the
 * file's maps: the same refusals, rejections and maps (insertion order included), with no record object
 * built (issue 16: reading the year's 25 files was 2.9 s on the main thread before the first price day).
 */
export function readShortInterest(text: string, file: string): ShortInterestFileRead {
  const scan = scanShortInterest(text, file, 'fast');
  const c = scan.candidates;
  const shares = new Map<string, number>();
  const adv = new Map<string, number>();
  const revises = new Map<string, number>();
  const flagged = new Set<string>();
  const listed = new Map<string, string>();
  const etp = new Set<string>();
  const venues = new Map<string | undefined, { otc?: true; etpVenue?: true }>();
  let rows = 0;
  const { settlementDate, rejections } = settle(file, scan, (i, symbol) => {
    rows++;
    // shortInterestFileOf on toShortInterestRecord's record.
    shares.set(symbol, c.shares[i] as number);
    const a = c.adv[i] as number | null;
    if (a != null) adv.set(symbol, a);
    else adv.delete(symbol);
    const previous = c.previousShares[i];
    if (c.revision[i] === true && previous !== undefined) revises.set(symbol, previous);
    if (c.split[i] === true) flagged.add(symbol);
    const raw = c.marketClass[i];
    let venue = venues.get(raw);
    if (venue === undefined) {
      venue = marketClassOf(raw);
      venues.set(raw, venue);
    }
    if (venue.otc !== true) listed.set(symbol, boundText(c.issueName[i] as string));
    if (venue.etpVenue === true) etp.add(symbol);
  });
  return {
    file: assembleFile(settlementDate, file, scan.generated, { shares, adv, revises, flagged, listed, etp }),
    rows,
    rejections,
  };
}

interface ShortInterestScan {
  /** Records (non-blank lines after the header). */
  total: number;
  candidates: Candidates;
  rejections: Rejection[];
  generated: boolean;
}

const HEADER_SPEC = { format: FORMAT, required: SHORT_INTEREST_REQUIRED, optional: SHORT_INTEREST_CHECKED };

/**
 * The file's lines, each checked: valid rows into `candidates`, the others into `rejections`. Lines are
 * `splitLines`' (CRLF, LF or a lone CR), blank ones skipped, as `readPipeTable` reads them. With `fast`, a
 * line goes first through `LineScratch.take`, which reads its fields in place; a line it does not take is split
 * and goes the way `readPipeTable` + `checkShortInterestRow` + zod take it, which words every rejection.
 */
function scanShortInterest(text: string, file: string, check: 'fast' | 'split' | 'zod'): ShortInterestScan {
  const inPlace = check === 'fast';
  const fast = check !== 'zod';
  const body = stripBom(text);
  refuseNonData(body, file, FORMAT);
  const n = body.length;
  const hasCr = body.includes('\r');
  let header: { columns: Map<string, number>; width: number } | null = null;
  let at: RowColumns | null = null;
  let total = 0;
  const candidates = new Candidates();
  const rejections: Rejection[] = [];
  const dates = new Map<string, IsoDate | null>();
  const scratch = new LineScratch();
  let nextLf = -2;
  let nextCr = hasCr ? -2 : n;
  let physical = 0;
  for (let i = 0; i <= n; physical++) {
    // The next line break at or after i: \r\n, \n or \r (splitLines).
    if (nextLf !== -1 && nextLf < i) nextLf = body.indexOf('\n', i);
    if (nextCr !== -1 && nextCr < i) nextCr = body.indexOf('\r', i);
    const lf = nextLf === -1 ? n : nextLf;
    const cr = nextCr === -1 ? n : nextCr;
    const end = Math.min(lf, cr);
    const start = i;
    i = end === cr && cr < n && lf === cr + 1 ? end + 2 : end + 1;
    // Blank by `trim()` (readPipeTable skips them): decided without slicing when the first character is printable ASCII.
    const c0 = body.charCodeAt(start);
    if (end === start || (!(c0 > 32 && c0 < 127) && body.slice(start, end).trim() === '')) continue;
    if (header === null) {
      header = pipeHeader(body.slice(start, end), physical, file, HEADER_SPEC);
      at = rowColumnsOf(header.columns);
      continue;
    }
    total++;
    const line = physical + 1;
    if (inPlace && scratch.take(body, start, end, line, header.width, at as RowColumns, candidates)) continue;
    takeLine(
      file,
      line,
      body.slice(start, end).split('|'),
      header,
      at as RowColumns,
      fast,
      dates,
      candidates,
      rejections,
    );
  }
  // Only blank lines: readPipeTable's header check on an empty line (line 0).
  if (header === null) pipeHeader('', -1, file, HEADER_SPEC);
  if (total === 0) throw new FormatError(file, 0, '*', 'the file has a header but no records');
  return {
    total,
    candidates,
    rejections,
    generated: (header as { columns: Map<string, number> }).columns.has(GENERATED_COLUMN),
  };
}

/**
 * One line the way parseShortInterest always read it: `checkShortInterestRow` (with `fast`), zod for a row
 * it refuses (the reasons), then the row's accountingYearMonthNumber and R quantity.
 */
function takeLine(
  file: string,
  line: number,
  fields: string[],
  header: { columns: Map<string, number>; width: number },
  at: RowColumns,
  fast: boolean,
  dates: Map<string, IsoDate | null>,
  candidates: Candidates,
  rejections: Rejection[],
): void {
  let row = fast && fields.length === header.width ? checkShortInterestRow(fields, at, dates) : undefined;
  if (row === undefined) {
    const record = pipeRecord(header, { line, fields });
    if (typeof record === 'string') {
      rejections.push({ file, line, field: '*', reason: record });
      return;
    }
    const parsed = rowSchema().safeParse(record);
    if (!parsed.success) {
      rejections.push(issueRejection(file, line, record, parsed.error.issues));
      return;
    }
    row = parsed.data;
  }
  if (row.accountingYearMonthNumber !== undefined && row.accountingYearMonthNumber !== row.settlementDate) {
    rejections.push({
      file,
      line,
      field: 'accountingYearMonthNumber',
      reason: `${showValue(fields[at.accounting])} is not the row's settlementDate ${row.settlementDate}`,
    });
    return;
  }
  const previousShares = revisedPrevious(row);
  if (typeof previousShares === 'string') {
    rejections.push({ file, line, field: 'previousShortPositionQuantity', reason: previousShares });
    return;
  }
  candidates.pushRow(line, row, previousShares);
}

/**
 * The valid rows into the file: the majority settlement date (a file named for another date is refused),
 * rows of another date and later rows of a symbol rejected, `emit(i, symbol)` for each row kept, in line
 * order; then a file most of whose rows are rejected is refused.
 */
function settle(
  file: string,
  scan: ShortInterestScan,
  emit: (i: number, symbol: string) => void,
): { settlementDate: IsoDate; rejections: Rejection[] } {
  const { candidates: c, rejections, total } = scan;
  if (c.length === 0) {
    const first = rejections[0];
    throw new FormatError(
      file,
      0,
      '*',
      `none of the ${total} records is valid${first ? ` (first: ${formatRejection(first)})` : ''}`,
    );
  }
  const { date: settlementDate, count } = majorityDate(c.settlementDate);
  // A file named for one settlement date but holding another would silently become a revision of
  // the other date (rule 4 merges files by their rows' date): refused, as the Reg SHO parser does.
  const named = shortInterestDateFromName(file);
  if (named !== null && named !== settlementDate) {
    const first = c.settlementDate.indexOf(settlementDate);
    throw new FormatError(
      file,
      first === -1 ? 0 : (c.line[first] as number),
      'settlementDate',
      `the file name says ${named} but its records are for settlement date ${settlementDate} (${count} of ${c.length} valid rows): misnamed file`,
    );
  }
  const kept = new Map<string, number>();
  let rows = 0;
  for (let i = 0; i < c.length; i++) {
    const line = c.line[i] as number;
    const date = c.settlementDate[i] as IsoDate;
    if (date !== settlementDate) {
      rejections.push({
        file,
        line,
        field: 'settlementDate',
        reason: `${showValue(date)} differs from the file's settlement date ${settlementDate} (carried by ${count} of ${c.length} valid rows)`,
      });
      continue;
    }
    const symbol = c.symbol[i] as string;
    const earlier = kept.get(symbol);
    if (earlier === undefined) {
      kept.set(symbol, i);
      rows++;
      emit(i, symbol);
      continue;
    }
    const earlierClass = c.marketClass[earlier];
    const marketClass = c.marketClass[i];
    const classes =
      earlierClass !== undefined && marketClass !== undefined
        ? ` (market class ${earlierClass} vs ${marketClass})`
        : '';
    const before = c.shares[earlier] as number;
    const shares = c.shares[i] as number;
    const agreement =
      before === shares ? 'with the same quantity' : `with a different quantity (${before} vs ${shares} shares)`;
    rejections.push({
      file,
      line,
      field: 'symbolCode',
      reason: `${showValue(c.symbolCode[i])} repeats line ${c.line[earlier]} ${agreement}${classes}; the first row is kept`,
    });
  }
  rejections.sort((a, b) => a.line - b.line);
  refuseMostlyRejected(file, total, rows, rejections);
  return { settlementDate, rejections };
}

/** What `canonicalSymbol` gives a raw symbolCode that passes `symbolProblem`, or null (module memo, bounded). */
const symbolMemo = new Map<string, string | null>();
const SYMBOLS_KEPT = 100_000;

function checkedSymbol(raw: string): string | null {
  let symbol = symbolMemo.get(raw);
  if (symbol === undefined) {
    symbol = symbolProblem(raw) === null ? canonicalSymbol(raw) : null;
    if (symbolMemo.size >= SYMBOLS_KEPT) symbolMemo.clear();
    symbolMemo.set(raw, symbol);
  }
  return symbol;
}

/** Whether `text[s, e)` is non-empty and its own `trimText` (first and last characters printable ASCII). */
function trimmed(text: string, s: number, e: number): boolean {
  if (e <= s) return false;
  const a = text.charCodeAt(s);
  const b = text.charCodeAt(e - 1);
  return a > 32 && a < 127 && b > 32 && b < 127;
}

/** `sharesOf` of the field `text[s, e)`: the count, or NaN when sharesOf gives a problem. */
function sharesAt(text: string, s: number, e: number): number {
  if (trimmed(text, s, e)) {
    const value = scanDecimal(text, s, false, e);
    return Number.isNaN(value) || sharesCeilingProblem(value) !== null ? Number.NaN : value;
  }
  const value = sharesOf(text.slice(s, e));
  return typeof value === 'number' ? value : Number.NaN;
}

/** `revisionOf` / `splitFlagOf` of the field `text[s, e)` (`mark` is R or S): the flag, or null for a problem. */
function flagAt(
  text: string,
  s: number,
  e: number,
  mark: number,
  of: (raw: string) => boolean | string,
): boolean | null {
  if (e === s) return false;
  if (e === s + 1 && text.charCodeAt(s) === mark) return true;
  const flag = of(text.slice(s, e));
  return typeof flag === 'string' ? null : flag;
}

/**
 * A line read in place: its fields are found, not split, and only the checked ones are read. Takes
 * (pushes into candidates, returns true) exactly the lines `takeLine` would take with their values, and
 * only those it can decide alone: any other line (a field count, symbol, quantity, date or flag the
 * schema refuses, an accountingYearMonthNumber that is not the settlement date, an R row without its
 * quantity) returns false, and `takeLine` reads it again and words the rejection.
 */
class LineScratch {
  /** Offsets of the `|`s of the line (and one before its start, at the line's end). */
  #bars = new Int32Array(32);
  /** Per date column (0: settlementDate, 1: accountingYearMonthNumber), its last spelling and date. */
  #dateRaw = ['', ''];
  #date: (IsoDate | null)[] = [null, null];
  #dates = new Map<string, IsoDate | null>();

  take(text: string, start: number, end: number, line: number, width: number, c: RowColumns, out: Candidates): boolean {
    if (this.#bars.length < width + 1) this.#bars = new Int32Array(2 * (width + 1));
    const bars = this.#bars;
    bars[0] = start - 1;
    let fields = 1;
    for (let p = start; ; ) {
      const q = text.indexOf('|', p);
      if (q === -1 || q >= end) break;
      if (fields === width) return false;
      bars[fields++] = q;
      p = q + 1;
    }
    if (fields !== width) return false;
    bars[width] = end;
    // Field k is text[bars[k] + 1, bars[k + 1]).
    const symbolCode = text.slice((bars[c.symbol] as number) + 1, bars[c.symbol + 1]);
    const symbol = checkedSymbol(symbolCode);
    if (symbol === null) return false;
    const shares = sharesAt(text, (bars[c.shares] as number) + 1, bars[c.shares + 1] as number);
    if (Number.isNaN(shares)) return false;
    const settlementDate = this.#dateAt(0, text, (bars[c.settlement] as number) + 1, bars[c.settlement + 1] as number);
    if (settlementDate === null) return false;
    // An accountingYearMonthNumber that is not the settlement date: rejected by takeLine, which says so.
    if (
      c.accounting >= 0 &&
      this.#dateAt(1, text, (bars[c.accounting] as number) + 1, bars[c.accounting + 1] as number) !== settlementDate
    ) {
      return false;
    }
    let revision = false;
    if (c.revision >= 0) {
      const flag = flagAt(text, (bars[c.revision] as number) + 1, bars[c.revision + 1] as number, 82, revisionOf);
      if (flag === null) return false;
      revision = flag;
    }
    const marketClass =
      c.marketClass >= 0 ? text.slice((bars[c.marketClass] as number) + 1, bars[c.marketClass + 1]) : undefined;
    let split = false;
    if (c.split >= 0) {
      const flag = flagAt(text, (bars[c.split] as number) + 1, bars[c.split + 1] as number, 83, splitFlagOf);
      if (flag === null) return false;
      split = flag;
    }
    let previousShares: number | undefined;
    if (revision) {
      // revisedPrevious: an R row needs its previous quantity (takeLine rejects it otherwise).
      if (c.previous < 0) return false;
      previousShares = sharesAt(text, (bars[c.previous] as number) + 1, bars[c.previous + 1] as number);
      if (Number.isNaN(previousShares)) return false;
    }
    let adv: number | null = null;
    if (c.volume >= 0) {
      const n = sharesAt(text, (bars[c.volume] as number) + 1, bars[c.volume + 1] as number);
      adv = n > 0 ? n : null;
    }
    const issueName = text.slice((bars[c.name] as number) + 1, bars[c.name + 1]);
    out.push(
      line,
      symbolCode,
      symbol,
      issueName,
      shares,
      settlementDate,
      revision,
      previousShares,
      adv,
      split,
      marketClass,
    );
    return true;
  }

  /** `dateOf` on the field `text[s, e)`, its last spelling compared in place. */
  #dateAt(column: 0 | 1, text: string, s: number, e: number): IsoDate | null {
    const raw = this.#dateRaw[column] as string;
    if (e - s === raw.length && raw !== '' && text.startsWith(raw, s)) return this.#date[column] as IsoDate | null;
    const spelled = text.slice(s, e);
    const date = dateOf(spelled, this.#dates);
    this.#dateRaw[column] = spelled;
    this.#date[column] = date;
    return date;
  }
}

/**
 * A file most of whose rows are rejected is refused whole (issue 17): taking the valid minority would give
 * every other symbol no short interest for a whole cycle (a file written with thousands separators, 97% of
 * rows rejected, took effect with $0 exposure). FINRA's real 2024 files reject none.
 */
function refuseMostlyRejected(file: string, total: number, kept: number, rejections: readonly Rejection[]): void {
  if (rejections.length * 2 <= total) return;
  const first = rejections[0];
  throw new FormatError(
    file,
    0,
    '*',
    `${rejections.length} of its ${total} records are rejected and only ${kept} kept${first ? ` (first: ${formatRejection(first)})` : ''}: a file most of whose rows are rejected is refused, not taken in part`,
  );
}

/** `shrt20240131.csv`, `shrt20240131-r1.csv` → `2024-01-31`; null when the name carries no (real) date. */
export function shortInterestDateFromName(file: string): IsoDate | null {
  return dateFromName(file, /^shrt(\d{8})/i);
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

/**
 * File-name order for revisions: the name without its extensions, compared piece by piece with
 * numbers compared as numbers, a name before its own extensions — so `shrt20240131.csv` <
 * `shrt20240131-r1.csv` < `shrt20240131-r2.csv` < `shrt20240131-r10.csv` (plain string order would
 * put `-r1` first, because `-` sorts before `.`).
 */
export function compareRevisionFileNames(a: string, b: string): number {
  const stem = (f: string) => {
    const base = baseName(f);
    const dot = base.indexOf('.');
    return dot === -1 ? base : base.slice(0, dot);
  };
  const pa = stem(a).split(/(\d+)/);
  const pb = stem(b).split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    // An empty piece is the end of a name: it comes first (prefix before its continuation).
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Groups parsed files by settlement date and applies each group in file-name order, a later row
 * replacing an earlier one of the same symbol (rule 4: together they are "the file" of that date), then
 * merges each date's `R` rows into the previous date's file (rule 4(a), `applyFinraRevisions`).
 * Returns one ShortInterestFile per settlement date, oldest first. Does not modify its input.
 */
export function mergeShortInterestRevisions(parsedFiles: readonly ParsedShortInterest[]): ShortInterestFile[] {
  return combineRevisions(parsedFiles.map(shortInterestFileOf));
}

/** One parsed file as the share counts it sets (a later row of a symbol replacing an earlier one). */
export function shortInterestFileOf(parsed: ParsedShortInterest): ShortInterestFile {
  const shares = new Map<string, number>();
  const adv = new Map<string, number>();
  const revises = new Map<string, number>();
  const flagged = new Set<string>();
  const listed = new Map<string, string>();
  const etp = new Set<string>();
  for (const r of parsed.records) {
    shares.set(r.symbol, r.shares);
    if (r.averageDailyVolume != null) adv.set(r.symbol, r.averageDailyVolume);
    else adv.delete(r.symbol);
    if (r.revision && r.previousShares !== undefined) revises.set(r.symbol, r.previousShares);
    if (r.splitFlag === true) flagged.add(r.symbol);
    if (r.otc !== true) listed.set(r.symbol, r.issueName);
    if (r.etpVenue === true) etp.add(r.symbol);
  }
  return assembleFile(parsed.settlementDate, parsed.file, parsed.generated, {
    shares,
    adv,
    revises,
    flagged,
    listed,
    etp,
  });
}

/** A file's share counts as `ShortInterestFile` (empty optional maps left out): both readers build it alike. */
function assembleFile(
  settlementDate: IsoDate,
  file: string,
  generated: boolean | undefined,
  m: {
    shares: Map<string, number>;
    adv: Map<string, number>;
    revises: Map<string, number>;
    flagged: Set<string>;
    listed: Map<string, string>;
    etp: Set<string>;
  },
): ShortInterestFile {
  return {
    settlementDate,
    files: [file],
    shares: m.shares,
    ...(m.adv.size > 0 ? { adv: m.adv } : {}),
    ...(generated ? { generated: true as const } : {}),
    ...(m.revises.size > 0 ? { revisesPrevious: m.revises } : {}),
    ...(m.flagged.size > 0 ? { splitFlagged: m.flagged } : {}),
    listedNames: m.listed,
    ...(m.etp.size > 0 ? { etpVenue: m.etp } : {}),
  };
}

/**
 * The merge of `mergeShortInterestRevisions` over files already reduced one by one (so a reader can
 * drop each file's rows as soon as it is parsed): per settlement date, the files in
 * `compareRevisionFileNames` order, a later file's share count replacing an earlier one; the maps come
 * out the same, insertion order included. Then FINRA's `R` rows (`applyFinraRevisions`).
 */
export function combineRevisions(single: readonly ShortInterestFile[]): ShortInterestFile[] {
  const groups = new Map<IsoDate, ShortInterestFile[]>();
  for (const f of single) {
    const group = groups.get(f.settlementDate);
    if (group) group.push(f);
    else groups.set(f.settlementDate, [f]);
  }
  const merged = [...groups.keys()].sort().map((settlementDate) => {
    const group = groups.get(settlementDate) as ShortInterestFile[];
    if (group.length === 1) return group[0] as ShortInterestFile;
    const ordered = group.toSorted((x, y) => compareRevisionFileNames(x.files[0] ?? '', y.files[0] ?? ''));
    const shares = new Map<string, number>();
    const adv = new Map<string, number>();
    const revises = new Map<string, number>();
    const flagged = new Set<string>();
    const listed = new Map<string, string>();
    const etp = new Set<string>();
    for (const f of ordered) {
      for (const [symbol, n] of f.shares) {
        shares.set(symbol, n);
        // A later file's row replaces the whole row, its ADV, revision, flag and listing included.
        const a = f.adv?.get(symbol);
        if (a === undefined) adv.delete(symbol);
        else adv.set(symbol, a);
        const r = f.revisesPrevious?.get(symbol);
        if (r === undefined) revises.delete(symbol);
        else revises.set(symbol, r);
        if (f.splitFlagged?.has(symbol)) flagged.add(symbol);
        else flagged.delete(symbol);
        const name = f.listedNames?.get(symbol);
        if (name === undefined) listed.delete(symbol);
        else listed.set(symbol, name);
        if (f.etpVenue?.has(symbol)) etp.add(symbol);
        else etp.delete(symbol);
      }
    }
    const generated = ordered.some((f) => f.generated === true);
    return {
      settlementDate,
      files: ordered.flatMap((f) => f.files),
      shares,
      ...(adv.size > 0 ? { adv } : {}),
      ...(generated ? { generated: true as const } : {}),
      ...(revises.size > 0 ? { revisesPrevious: revises } : {}),
      ...(flagged.size > 0 ? { splitFlagged: flagged } : {}),
      listedNames: listed,
      ...(etp.size > 0 ? { etpVenue: etp } : {}),
    };
  });
  return applyFinraRevisions(merged);
}

/**
 * FINRA publishes two settlement dates a month (mid-month and month end), so the previous settlement of
 * T lies at most 20 calendar days before it (2024: 13 to 19). A file further back is not T's previous
 * settlement (one in between is missing): its figures are not revised by T's `R` rows.
 */
export const MAX_SETTLEMENT_GAP_DAYS = 22;

/** Whether settlement `previous` (earlier) can be the settlement before `next` in FINRA's calendar. */
export function isPreviousSettlement(previous: IsoDate, next: IsoDate): boolean {
  const days = Math.round((Date.parse(`${next}T00:00:00Z`) - Date.parse(`${previous}T00:00:00Z`)) / 86_400_000);
  return days <= MAX_SETTLEMENT_GAP_DAYS;
}

/**
 * Rule 4(a): each file's `R` rows revise the previous settlement date's figures (the revised quantity is
 * the row's previousShortPositionQuantity; FINRA never re-issues the earlier file). `files` is one entry
 * per settlement date, oldest first (as `combineRevisions` makes them). A file whose previous settlement
 * is absent, or more than MAX_SETTLEMENT_GAP_DAYS back, revises nothing. Returns new objects for the
 * revised dates (the revising files are named in `revisedBy`); the input is not modified.
 */
export function applyFinraRevisions(files: readonly ShortInterestFile[]): ShortInterestFile[] {
  const out = files.slice();
  for (let i = 1; i < out.length; i++) {
    const next = out[i] as ShortInterestFile;
    const revises = next.revisesPrevious;
    if (revises === undefined || revises.size === 0) continue;
    const previous = out[i - 1] as ShortInterestFile;
    if (!isPreviousSettlement(previous.settlementDate, next.settlementDate)) continue;
    out[i - 1] = reviseWith(previous, revises, next.files);
  }
  return out;
}

/** `file` with `revises`' quantities in place of its own (a symbol it lacked is added: FINRA revised it in). */
export function reviseWith(
  file: ShortInterestFile,
  revises: ReadonlyMap<string, number>,
  by: readonly string[],
): ShortInterestFile {
  const shares = new Map(file.shares);
  for (const [symbol, n] of revises) shares.set(symbol, n);
  return { ...file, shares, revisedBy: [...(file.revisedBy ?? []), ...by] };
}
